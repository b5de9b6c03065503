// Formulas in the rich-text editor: an inline TipTap node holding MathML, and the dialog
// where a writer types LaTeX (or builds it from a small palette) and sees it rendered.
//
// LaTeX is converted to MathML in the browser by Temml (MIT, bundled by `make setup`; no
// CDN), with the TeX kept as an <annotation encoding="application/x-tex"> so a formula
// can be edited again. The stored form is MathML, and the server does not trust this
// conversion: itembank/sanitize.py is the gate. The editor also keeps only that subset
// (cleanMath below), so a formula pasted from elsewhere carries nothing the sanitizer
// would drop, and nothing active reaches the editor's page.

import { Node } from '@tiptap/core'
import temml from 'temml'

const MATHML = 'http://www.w3.org/1998/Math/MathML'
const TEX = 'application/x-tex'

// The MathML elements and attributes itembank/sanitize.py keeps (MATHML_TAGS,
// MATHML_ATTRIBUTES); the server checks the values.
const TOKEN = ['mathvariant', 'mathsize']
const ALIGN = ['columnalign', 'rowalign']
const ATTRIBUTES = {
  math: ['display', 'alttext'],
  semantics: [],
  annotation: ['encoding'],
  mrow: [],
  mi: TOKEN,
  mn: TOKEN,
  mtext: TOKEN,
  ms: [...TOKEN, 'lquote', 'rquote'],
  mo: [...TOKEN, 'form', 'fence', 'separator', 'lspace', 'rspace', 'stretchy', 'symmetric', 'maxsize', 'minsize', 'largeop', 'movablelimits', 'accent'],
  mspace: ['width', 'height', 'depth'],
  mstyle: ['displaystyle', 'scriptlevel', ...TOKEN],
  mfrac: ['linethickness'],
  msqrt: [],
  mroot: [],
  msup: [],
  msub: [],
  msubsup: [],
  mover: ['accent'],
  munder: ['accentunder'],
  munderover: ['accent', 'accentunder'],
  mtable: [...ALIGN, 'columnspacing', 'rowspacing', 'columnlines', 'rowlines'],
  mtr: ALIGN,
  mtd: ['rowspan', 'columnspan', ...ALIGN],
  mpadded: ['width', 'height', 'depth', 'lspace'],
  mphantom: [],
  merror: [],
}
// Removed with their content (as the sanitizer does).
const DROPPED = new Set(['annotation-xml', 'maction', 'mglyph', 'malignmark', 'maligngroup', 'style', 'script'])

/** A copy of a MathML element reduced to the subset (HTML inside keeps its text only). */
function cleanCopy(source, doc) {
  const name = source.localName
  if (source.namespaceURI !== MATHML || !(name in ATTRIBUTES)) return null
  if (name === 'annotation' && (source.getAttribute('encoding') || '').toLowerCase() !== TEX) return null
  const copy = doc.createElementNS(MATHML, name)
  for (const attribute of ATTRIBUTES[name]) {
    const value = source.getAttribute(attribute)
    if (value !== null) copy.setAttribute(attribute, value)
  }
  for (const child of source.childNodes) {
    if (child.nodeType === 3) {
      copy.append(doc.createTextNode(child.data))
    } else if (child.nodeType === 1 && !DROPPED.has(child.localName)) {
      if (child.namespaceURI === MATHML && child.localName in ATTRIBUTES) {
        const inner = cleanCopy(child, doc)
        if (inner) copy.append(inner)
      } else if (child.namespaceURI !== MATHML) {
        copy.append(doc.createTextNode(child.textContent))
      } else {
        for (const grandchild of child.childNodes) {
          const inner = grandchild.nodeType === 1 ? cleanCopy(grandchild, doc) : doc.createTextNode(grandchild.textContent)
          if (inner) copy.append(inner)
        }
      }
    }
  }
  return copy
}

/** The MathML element of an HTML string holding one formula ('<math>…</math>'). */
function mathElement(html, prepare) {
  const template = document.createElement('template')
  template.innerHTML = html
  const found = template.content.querySelector('math')
  if (found && prepare) prepare(found)
  return found ? cleanCopy(found, document) : null
}

// Temml draws \overline and \underline as <menclose> styled by its own CSS; MathML Core
// has no menclose (the sanitizer unwraps it, losing the line), so they are written as the
// accents they are: a stretched line over or under the content.
function enclosuresAsAccents(math) {
  for (const enclose of [...math.getElementsByTagNameNS(MATHML, 'menclose')].reverse()) {
    const notation = (enclose.getAttribute('notation') || '').trim()
    if (notation !== 'top' && notation !== 'bottom') continue
    const over = notation === 'top'
    const doc = enclose.ownerDocument
    const accent = doc.createElementNS(MATHML, over ? 'mover' : 'munder')
    accent.setAttribute(over ? 'accent' : 'accentunder', 'true')
    const row = doc.createElementNS(MATHML, 'mrow')
    row.append(...enclose.childNodes)
    const line = doc.createElementNS(MATHML, 'mo')
    line.setAttribute('stretchy', 'true')
    line.textContent = over ? '\u203e' : '_'
    accent.append(row, line)
    enclose.replaceWith(accent)
  }
}

/** The TeX a formula was typed as ('' when it has none). */
function texOf(math) {
  for (const annotation of math.getElementsByTagNameNS(MATHML, 'annotation')) {
    if ((annotation.getAttribute('encoding') || '').toLowerCase() === TEX) return annotation.textContent
  }
  return ''
}

/**
 * MathML for LaTeX `tex` (inline), with the TeX as its annotation.
 * Throws an Error whose message says what is wrong with the TeX.
 */
function texToMathml(tex) {
  const html = temml.renderToString(tex, { annotate: true, throwOnError: true, trust: false, xml: false })
  const math = mathElement(html, enclosuresAsAccents)
  if (!math) throw new Error('no formula')
  return math.outerHTML
}

// <math>: an inline atom; its MathML is an attribute (ProseMirror does not look inside).
const Formula = Node.create({
  name: 'formula',
  group: 'inline',
  inline: true,
  atom: true,
  selectable: true,
  draggable: false,
  addAttributes() {
    return {
      mathml: {
        default: '<math></math>',
        parseHTML: (element) => {
          const clean = cleanCopy(element, document)
          return clean ? clean.outerHTML : '<math></math>'
        },
        renderHTML: () => ({}),
      },
    }
  },
  parseHTML() {
    return [{ tag: 'math' }]
  },
  renderHTML({ node }) {
    return mathElement(node.attrs.mathml) || ['math', 0]
  },
})

// The palette: [label key, TeX inserted, text shown, where the caret goes (from the end)].
const PALETTE = [
  ['formula_fraction', '\\frac{}{}', 'a⁄b', 3],
  ['formula_power', '^{}', 'xⁿ', 1],
  ['formula_index', '_{}', 'xᵢ', 1],
  ['formula_root', '\\sqrt{}', '√', 1],
  ['formula_nth_root', '\\sqrt[]{}', 'ⁿ√', 3],
  ['formula_times', '\\times ', '×', 0],
  ['formula_divided', '\\div ', '÷', 0],
  ['formula_plus_minus', '\\pm ', '±', 0],
  ['formula_less_equal', '\\le ', '≤', 0],
  ['formula_greater_equal', '\\ge ', '≥', 0],
  ['formula_not_equal', '\\ne ', '≠', 0],
  ['formula_approximately', '\\approx ', '≈', 0],
  ['formula_pi', '\\pi ', 'π', 0],
  ['formula_infinity', '\\infty ', '∞', 0],
  ['formula_degree', '^{\\circ}', '°', 0],
  ['formula_percent', '\\%', '%', 0],
]

let dialogParts = null

/** The page's one formula dialog, built on first use with the editor's labels. */
function formulaDialog(labels) {
  if (dialogParts) return dialogParts
  const text = (key) => labels[key] || key
  const make = (tag, attributes, content) => {
    const element = document.createElement(tag)
    for (const [name, value] of Object.entries(attributes || {})) element.setAttribute(name, value)
    if (content) element.textContent = content
    return element
  }
  const dialog = make('dialog', { id: 'formula-dialog', 'aria-labelledby': 'formula-dialog-title', class: 'formula-dialog' })
  const form = make('form', { method: 'dialog', class: 'stack' })
  const title = make('h2', { id: 'formula-dialog-title' }, text('formula_title'))
  const palette = make('div', { class: 'formula-palette', role: 'toolbar', 'aria-label': text('formula_palette') })
  const field = make('div', { class: 'field' })
  const label = make('label', { for: 'formula-tex' }, text('formula_latex'))
  const help = make('p', { class: 'help', id: 'formula-help' }, text('formula_help'))
  const input = make('textarea', { id: 'formula-tex', rows: '2', class: 'code', spellcheck: 'false', 'aria-describedby': 'formula-help formula-error' })
  field.append(label, help, input)
  const previewLabel = make('p', { class: 'field-label', id: 'formula-preview-label' }, text('formula_preview'))
  const preview = make('div', { class: 'formula-preview', id: 'formula-preview', 'aria-labelledby': 'formula-preview-label', 'aria-live': 'polite' })
  const error = make('p', { class: 'formula-error', id: 'formula-error', role: 'alert' })
  const actions = make('div', { class: 'editor-actions' })
  const insert = make('button', { type: 'submit', value: 'insert', id: 'formula-insert', class: 'btn btn-primary' }, text('formula_insert'))
  const cancel = make('button', { type: 'button', id: 'formula-cancel', class: 'btn' }, text('formula_cancel'))
  actions.append(insert, cancel)
  form.append(title, palette, field, previewLabel, preview, error, actions)
  dialog.append(form)
  document.body.append(dialog)

  for (const [key, tex, shown, back] of PALETTE) {
    const button = make('button', { type: 'button', class: 'rt-btn formula-key', 'aria-label': text(key), title: text(key) }, shown)
    button.dataset.tex = tex
    button.addEventListener('click', () => {
      const start = input.selectionStart
      const end = input.selectionEnd
      input.setRangeText(tex, start, end, 'end')
      const caret = start + tex.length - back
      input.setSelectionRange(caret, caret)
      input.focus()
      update()
    })
    palette.append(button)
  }

  let mathml = null
  function update() {
    preview.replaceChildren()
    error.textContent = ''
    mathml = null
    const tex = input.value.trim()
    insert.disabled = !tex
    if (!tex) return
    try {
      mathml = texToMathml(tex)
      preview.append(mathElement(mathml))
    } catch (problem) {
      error.textContent = `${text('formula_error')} ${problem.message || problem}`
      insert.disabled = true
    }
  }
  input.addEventListener('input', update)
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault()
      if (!insert.disabled) insert.click()
    }
  })
  cancel.addEventListener('click', () => dialog.close('cancel'))

  let onDone = null
  dialog.addEventListener('close', () => {
    const done = onDone
    onDone = null
    if (done && dialog.returnValue === 'insert' && mathml) done(mathml)
  })

  dialogParts = {
    open(tex, callback) {
      input.value = tex || ''
      onDone = callback
      dialog.returnValue = ''
      update()
      dialog.showModal()
      input.focus()
    },
  }
  return dialogParts
}

/** Open the formula dialog for `editor`: edits the selected formula, or inserts one. */
function editFormula(editor, labels) {
  const { selection } = editor.state
  const selected = selection.node && selection.node.type.name === 'formula' ? selection.node : null
  const math = selected ? mathElement(selected.attrs.mathml) : null
  formulaDialog(labels).open(math ? texOf(math) : '', (mathml) => {
    editor.chain().focus().insertContent({ type: 'formula', attrs: { mathml } }).run()
  })
}

export { Formula, editFormula, texToMathml }
