// The item editor's rich-text field: TipTap (MIT) limited to the HTML subset that
// itembank/sanitize.py keeps, so what the editor produces is stored unchanged.
//
// Bundled by `make setup` (esbuild) into itembank/static/vendor/richtext.js, which
// defines window.ItembankRichText.create(host, options). The schema has only these
// nodes and marks: paragraph, hard break, bold (<strong>), italic (<em>), subscript,
// superscript, bullet and ordered lists, tables (no colgroup, no styles), bank images
// (<img src="/media/<sha256>" alt>), a foreign-language span (<span lang>) and formulas
// (<math>, typed as LaTeX: formula.js). Pasted content is reduced to the same schema by
// ProseMirror's parser.

import { Editor, Mark, mergeAttributes } from '@tiptap/core'
import Document from '@tiptap/extension-document'
import Paragraph from '@tiptap/extension-paragraph'
import Text from '@tiptap/extension-text'
import Bold from '@tiptap/extension-bold'
import Italic from '@tiptap/extension-italic'
import HardBreak from '@tiptap/extension-hard-break'
import Subscript from '@tiptap/extension-subscript'
import Superscript from '@tiptap/extension-superscript'
import Image from '@tiptap/extension-image'
import { BulletList, OrderedList, ListItem, ListKeymap } from '@tiptap/extension-list'
import { Table, TableRow, TableCell, TableHeader } from '@tiptap/extension-table'
import { UndoRedo, Dropcursor, Gapcursor } from '@tiptap/extensions'
import { Formula, editFormula } from './formula.js'
import './regions.js' // window.ItembankRegions: the graphic item types' region editor

const MEDIA_SRC = /^\/media\/[0-9a-f]{64}$/

// <span lang="en">: a passage in another language (the sanitizer keeps only `lang`).
const ForeignLanguage = Mark.create({
  name: 'foreignLanguage',
  addAttributes() {
    return {
      lang: {
        default: 'en',
        parseHTML: (element) => element.getAttribute('lang'),
        renderHTML: (attributes) => ({ lang: attributes.lang }),
      },
    }
  },
  parseHTML() {
    return [{ tag: 'span[lang]' }]
  },
  renderHTML({ HTMLAttributes }) {
    return ['span', mergeAttributes(HTMLAttributes), 0]
  },
})

// Tables as the sanitizer keeps them: <table><tbody><tr><th|td colspan rowspan>.
const PlainTable = Table.extend({
  renderHTML() {
    return ['table', ['tbody', 0]]
  },
})
const spanAttributes = () => ({ colspan: { default: 1 }, rowspan: { default: 1 } })
const PlainCell = TableCell.extend({ addAttributes: spanAttributes })
const PlainHeader = TableHeader.extend({ addAttributes: spanAttributes })

// Only the bank's own images; src, alt, width and height, nothing else.
const BankImage = Image.extend({
  addAttributes() {
    return {
      src: { default: null },
      alt: { default: null },
      width: { default: null },
      height: { default: null },
    }
  },
  parseHTML() {
    return [{ tag: 'img[src]', getAttrs: (el) => (MEDIA_SRC.test(el.getAttribute('src') || '') ? null : false) }]
  },
})

const EXTENSIONS = [
  Document,
  Paragraph,
  Text,
  Bold,
  Italic,
  HardBreak,
  Subscript,
  Superscript,
  BulletList,
  OrderedList,
  ListItem,
  ListKeymap,
  PlainTable.configure({ resizable: false }),
  TableRow,
  PlainCell,
  PlainHeader,
  BankImage.configure({ inline: false, allowBase64: false }),
  ForeignLanguage,
  Formula,
  UndoRedo,
  Dropcursor,
  Gapcursor,
]

// Toolbar buttons: [name, label key, command, active check, enabled check].
const BUTTONS = [
  ['bold', 'bold', (c) => c.toggleBold(), (e) => e.isActive('bold')],
  ['italic', 'italic', (c) => c.toggleItalic(), (e) => e.isActive('italic')],
  ['subscript', 'subscript', (c) => c.toggleSubscript(), (e) => e.isActive('subscript')],
  ['superscript', 'superscript', (c) => c.toggleSuperscript(), (e) => e.isActive('superscript')],
  ['bulletList', 'bullet_list', (c) => c.toggleBulletList(), (e) => e.isActive('bulletList')],
  ['orderedList', 'ordered_list', (c) => c.toggleOrderedList(), (e) => e.isActive('orderedList')],
  ['foreignLanguage', 'foreign_language', (c) => c.toggleMark('foreignLanguage', { lang: 'en' }), (e) => e.isActive('foreignLanguage')],
  ['|'],
  ['insertTable', 'insert_table', (c) => c.insertTable({ rows: 2, cols: 2, withHeaderRow: true })],
  ['addRowAfter', 'add_row', (c) => c.addRowAfter(), null, true],
  ['addColumnAfter', 'add_column', (c) => c.addColumnAfter(), null, true],
  ['deleteRow', 'delete_row', (c) => c.deleteRow(), null, true],
  ['deleteColumn', 'delete_column', (c) => c.deleteColumn(), null, true],
  ['deleteTable', 'delete_table', (c) => c.deleteTable(), null, true],
  ['|'],
  ['image', 'image', null],
  ['formula', 'formula', null, (e) => e.isActive('formula')],
  ['|'],
  ['undo', 'undo', (c) => c.undo(), null, true],
  ['redo', 'redo', (c) => c.redo(), null, true],
]

/** The editor's HTML as the sanitizer would store it ('' when empty). */
function outputHtml(editor) {
  if (editor.isEmpty) return ''
  // innerHTML writes U+00A0 as &nbsp;, which the sanitizer stores as the character.
  return editor.getHTML().replace(/&nbsp;/g, '\u00a0')
}

/**
 * Mount an editor in `host`.
 * options: html (initial value), labelledBy (id of the visible label), labels
 * (button label key -> text), onChange(html), pickImage(callback(src, alt)) (optional).
 * Returns {editor, getHTML(), setHTML(html), focus()}.
 */
function create(host, options) {
  const labels = options.labels || {}
  const toolbar = document.createElement('div')
  toolbar.className = 'rt-toolbar'
  toolbar.setAttribute('role', 'toolbar')
  if (options.labelledBy) toolbar.setAttribute('aria-labelledby', options.labelledBy)
  const area = document.createElement('div')
  area.className = 'rt-area'
  host.append(toolbar, area)

  const attributes = {
    class: 'rt-content',
    role: 'textbox',
    'aria-multiline': 'true',
    spellcheck: 'true',
  }
  if (options.labelledBy) attributes['aria-labelledby'] = options.labelledBy
  if (options.describedBy) attributes['aria-describedby'] = options.describedBy

  const buttons = []
  const editor = new Editor({
    element: area,
    extensions: EXTENSIONS,
    content: options.html || '',
    injectCSS: false,
    editorProps: {
      attributes,
      // Double-clicking a formula opens it in the formula dialog.
      handleDoubleClickOn: (view, pos, node) => {
        if (node.type.name !== 'formula') return false
        editFormula(editor, labels)
        return true
      },
    },
    onUpdate: () => options.onChange && options.onChange(outputHtml(editor)),
    onSelectionUpdate: () => refresh(),
    onTransaction: () => refresh(),
  })

  function refresh() {
    for (const [button, active, needsCheck, command] of buttons) {
      if (active) button.setAttribute('aria-pressed', active(editor) ? 'true' : 'false')
      if (needsCheck) button.disabled = !command(editor.can().chain().focus()).run()
    }
  }

  for (const [name, labelKey, command, active, needsCheck] of BUTTONS) {
    if (name === '|') {
      const gap = document.createElement('span')
      gap.className = 'rt-gap'
      gap.setAttribute('aria-hidden', 'true')
      toolbar.append(gap)
      continue
    }
    if (name === 'image' && !options.pickImage) continue
    const button = document.createElement('button')
    button.type = 'button'
    button.className = `rt-btn rt-${name}`
    button.dataset.command = name
    const label = labels[labelKey] || labelKey
    button.setAttribute('aria-label', label)
    button.title = label
    button.textContent = labels[`${labelKey}_icon`] || label
    button.addEventListener('click', () => {
      if (name === 'formula') {
        editFormula(editor, labels)
        return
      }
      if (name === 'image') {
        options.pickImage((src, alt) => {
          if (!MEDIA_SRC.test(src)) return
          // The new image ends up selected; continue in a paragraph after it, so the
          // next thing typed or inserted does not replace the image.
          editor.chain().focus().setImage({ src, alt: alt || null }).createParagraphNear().run()
        })
        return
      }
      command(editor.chain().focus()).run()
    })
    toolbar.append(button)
    buttons.push([button, active, needsCheck, command])
  }
  // Arrow keys move between toolbar buttons (one tab stop for the toolbar).
  toolbar.addEventListener('keydown', (event) => {
    if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return
    const enabled = [...toolbar.querySelectorAll('button:not(:disabled)')]
    const index = enabled.indexOf(document.activeElement)
    if (index < 0) return
    const next = enabled[(index + (event.key === 'ArrowRight' ? 1 : enabled.length - 1)) % enabled.length]
    next.focus()
    event.preventDefault()
  })
  refresh()

  return {
    editor,
    getHTML: () => outputHtml(editor),
    setHTML: (html) => editor.commands.setContent(html || '', { emitUpdate: false }),
    focus: () => editor.commands.focus(),
  }
}

window.ItembankRichText = { create }
