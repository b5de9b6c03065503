// The item editor page: builds the item type's fields from its editor description
// (ItemType.editor_fields, sent in #editor-config), keeps the live preview and the
// inline problems up to date, and writes stem, content and metadata as JSON into the
// form's hidden inputs when it is submitted. No inline script: the CSP forbids it.
;(function () {
  'use strict'

  const configElement = document.getElementById('editor-config')
  if (!configElement) return
  const config = JSON.parse(configElement.textContent)
  const L = config.labels
  const lang = config.lang
  const form = document.getElementById('item-form')
  let uid = 0
  const { el } = window.ItembankEditor
  let writeForm = () => {}
  const markDirty = window.ItembankEditor.guardUnsaved(form, L, () => writeForm())
  let showInline = config.problems.length > 0

  const pick = (texts) => (texts ? texts[lang] || texts[lang === 'en' ? 'id' : 'en'] || '' : '')
  const newId = (prefix) => `${prefix}-${++uid}`
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b)

  function changed() {
    markDirty()
    schedulePreview()
  }

  // -- rich text ---------------------------------------------------------------------

  function richText(host, html, labelledBy, describedBy) {
    let touched = false
    const original = html || ''
    const editor = window.ItembankRichText.create(host, {
      html: original,
      labelledBy,
      describedBy,
      labels: L,
      pickImage: openMediaDialog,
      onChange: () => {
        touched = true
        changed()
      },
    })
    // An untouched field keeps exactly what is stored, so opening and saving an item
    // changes nothing.
    return { get: () => (touched ? editor.getHTML() : original), editor }
  }

  // -- the image of graphic item types ---------------------------------------------------

  // {src, alt, width, height} of the one <img> of stored HTML (DOMParser's document runs
  // no script and loads no image), or null.
  function readImage(html) {
    if (!html) return null
    const img = new DOMParser().parseFromString(html, 'text/html').querySelector('img')
    if (!img) return null
    const width = Number(img.getAttribute('width'))
    const height = Number(img.getAttribute('height'))
    if (!img.getAttribute('src') || !(width > 0) || !(height > 0)) return null
    return { src: img.getAttribute('src'), alt: img.getAttribute('alt') || '', width, height }
  }

  function imageHtml(image) {
    if (!image) return ''
    const img = document.createElement('img')
    img.setAttribute('src', image.src)
    img.setAttribute('alt', image.alt)
    img.setAttribute('width', String(image.width))
    img.setAttribute('height', String(image.height))
    return img.outerHTML
  }

  // -- ids of entries ------------------------------------------------------------------

  function letter(index) {
    let result = ''
    index += 1
    while (index) {
      const rest = (index - 1) % 26
      result = String.fromCharCode(65 + rest) + result
      index = Math.floor((index - 1) / 26)
    }
    return result
  }

  function generatedId(field, index) {
    if (field.id_style === 'letter') return letter(index)
    if (field.id_style === 'prefix') return `${field.id_prefix}${index + 1}`
    return ''
  }

  // -- fields ------------------------------------------------------------------------

  // A control: {root, get(), ids()?, onIds(cb)?}. `scope` maps sibling names to
  // controls, so key/keys/order/pairs can follow the entries they name.
  function build(field, value, path, scope) {
    const builder = BUILDERS[field.kind]
    if (!builder) throw new Error(`unknown editor field kind ${field.kind}`)
    const control = builder(field, value === undefined ? null : value, path, scope)
    control.root.dataset.path = path
    return control
  }

  function labelled(field, input, path) {
    const id = newId('f')
    input.id = id
    const wrapper = el('div', { className: 'field' })
    wrapper.append(el('label', { for: id, text: pick(field.label) }))
    if (pick(field.help)) {
      const helpId = `${id}-help`
      wrapper.append(el('p', { className: 'help', id: helpId, text: pick(field.help) }))
      input.setAttribute('aria-describedby', helpId)
    }
    wrapper.append(input)
    return wrapper
  }

  function numberValue(raw, integer) {
    const text = raw.trim()
    if (text === '') return null
    if (integer ? /^-?\d+$/.test(text) : /^-?\d+(\.\d+)?$/.test(text)) return Number(text)
    return text // the server says what is wrong with it
  }

  const BUILDERS = {
    rich_text(field, value) {
      const labelId = newId('l')
      const root = el('div', { className: 'field' })
      root.append(el('span', { className: 'field-label', id: labelId, text: pick(field.label) }))
      const host = el('div', { className: 'rich-text' })
      root.append(host)
      const rt = richText(host, value || '', labelId)
      return { root, get: rt.get }
    },

    text(field, value) {
      const input = el('input', { type: 'text' })
      input.value = value ?? field.default ?? ''
      input.addEventListener('input', changed)
      return { root: labelled(field, input), get: () => input.value }
    },

    number(field, value, path, scope, integer = false) {
      const input = el('input', { type: 'number', step: integer ? '1' : 'any', inputmode: integer ? 'numeric' : 'decimal' })
      if (field.minimum !== null) input.min = field.minimum
      if (field.maximum !== null) input.max = field.maximum
      const start = value ?? field.default
      input.value = start === null || start === undefined ? '' : String(start)
      input.addEventListener('input', changed)
      return { root: labelled(field, input), get: () => numberValue(input.value, integer) }
    },

    integer(field, value, path, scope) {
      return BUILDERS.number(field, value, path, scope, true)
    },

    boolean(field, value) {
      const id = newId('f')
      const input = el('input', { type: 'checkbox', id })
      input.checked = Boolean(value ?? field.default)
      input.addEventListener('change', changed)
      const root = el('div', { className: 'field field-check' }, input, el('label', { for: id, text: pick(field.label) }))
      return { root, get: () => input.checked }
    },

    choice(field, value) {
      const name = newId('c')
      const start = value ?? field.default
      const root = el('fieldset', { className: 'field choice' }, el('legend', { text: pick(field.label) }))
      const inputs = field.choices.map((choice, index) => {
        const id = `${name}-${index}`
        const input = el('input', { type: 'radio', name, id, value: String(index) })
        input.checked = same(choice.value, start)
        input.addEventListener('change', changed)
        root.append(el('span', { className: 'radio' }, input, el('label', { for: id, text: pick(choice.label) })))
        return input
      })
      return {
        root,
        get: () => {
          const index = inputs.findIndex((input) => input.checked)
          return index < 0 ? null : field.choices[index].value
        },
      }
    },

    text_list(field, value) {
      const root = el('fieldset', { className: 'field list' }, el('legend', { text: pick(field.label) }))
      if (pick(field.help)) root.append(el('p', { className: 'help', text: pick(field.help) }))
      const rows = el('div', { className: 'list-rows' })
      const inputs = []
      const add = (text) => {
        const input = el('input', { type: 'text' })
        input.value = text
        input.addEventListener('input', changed)
        const row = el('div', { className: 'list-row' })
        const remove = el('button', { type: 'button', className: 'btn btn-small', text: L.remove_entry })
        remove.addEventListener('click', () => {
          inputs.splice(inputs.indexOf(input), 1)
          row.remove()
          relabel()
          changed()
        })
        row.append(input, remove)
        rows.append(row)
        inputs.push(input)
        relabel()
      }
      const relabel = () =>
        inputs.forEach((input, index) => {
          input.setAttribute('aria-label', `${L.answer} ${index + 1}`)
          input.closest('.list-row').dataset.path = `${root.dataset.path}.${index}`
          input.nextSibling.setAttribute('aria-label', `${L.remove_entry}: ${L.answer} ${index + 1}`)
        })
      const start = Array.isArray(value) ? value : Array.from({ length: field.start_items || 1 }, () => '')
      root.append(rows)
      const addButton = el('button', { type: 'button', className: 'btn btn-small', text: `${L.add_entry}: ${L.answer}` })
      addButton.addEventListener('click', () => {
        add('')
        inputs[inputs.length - 1].focus()
        changed()
      })
      root.append(addButton)
      queueMicrotask(() => start.forEach((text) => add(String(text))))
      return { root, get: () => inputs.map((input) => input.value) }
    },

    group(field, value, path) {
      const root = el('fieldset', { className: 'field group' }, el('legend', { text: pick(field.label) }))
      if (pick(field.help)) root.append(el('p', { className: 'help', text: pick(field.help) }))
      const current = value && typeof value === 'object' ? value : {}
      const inner = {}
      const row = el('div', { className: 'field-row' })
      for (const sub of field.fields) {
        inner[sub.name] = build(sub, current[sub.name], `${path}.${sub.name}`, inner)
        row.append(inner[sub.name].root)
      }
      root.append(row)
      return {
        root,
        get: () => Object.fromEntries(field.fields.map((sub) => [sub.name, inner[sub.name].get()])),
      }
    },

    entries(field, value, path) {
      const root = el('fieldset', { className: 'field entries' }, el('legend', { text: pick(field.label) }))
      const list = el('div', { className: 'entry-list' })
      root.append(list)
      const entries = [] // {id, row, controls, idInput, heading}
      const listeners = []
      const noun = pick(field.entry_label) || pick(field.label)

      const isGenerated = () => entries.every((entry, index) => currentId(entry) === generatedId(field, index))
      const currentId = (entry) => (entry.idInput ? entry.idInput.value : entry.id)
      const emit = (renamed) => listeners.forEach((cb) => cb(renamed || {}))

      function renumber(renamed) {
        entries.forEach((entry, index) => {
          if (field.id_style !== 'custom' && renamed) {
            const fresh = generatedId(field, index)
            if (entry.id !== fresh) renamed[entry.id] = fresh
            entry.id = fresh
          }
          const shown = currentId(entry) || `#${index + 1}`
          entry.heading.textContent = `${noun} ${shown}`
          entry.row.dataset.path = `${path}.${index}`
          for (const [name, control] of Object.entries(entry.controls)) control.root.dataset.path = `${path}.${index}.${name}`
          if (entry.idField) entry.idField.dataset.path = `${path}.${index}.id`
          entry.buttons.up.disabled = index === 0
          entry.buttons.down.disabled = index === entries.length - 1
          for (const [key, button] of Object.entries(entry.buttons)) button.setAttribute('aria-label', `${L[key === 'up' ? 'move_up' : key === 'down' ? 'move_down' : 'remove_entry']}: ${noun} ${shown}`)
        })
      }

      function add(data, focus) {
        const index = entries.length
        const entry = { id: data && data.id !== undefined ? data.id : generatedId(field, index), controls: {} }
        const headingId = newId('h')
        entry.heading = el('h3', { className: 'entry-title', id: headingId })
        entry.row = el('div', { className: 'entry', role: 'group', 'aria-labelledby': headingId })
        const tools = el('div', { className: 'entry-tools' })
        entry.buttons = {
          up: el('button', { type: 'button', className: 'btn btn-small', text: '↑' }),
          down: el('button', { type: 'button', className: 'btn btn-small', text: '↓' }),
          remove: el('button', { type: 'button', className: 'btn btn-small', text: L.remove_entry }),
        }
        tools.append(entry.buttons.up, entry.buttons.down, entry.buttons.remove)
        entry.row.append(el('div', { className: 'entry-head' }, entry.heading, tools))
        if (field.id_style === 'custom') {
          entry.idInput = el('input', { type: 'text', maxlength: '32' })
          entry.idInput.value = entry.id
          entry.idInput.addEventListener('input', () => {
            renumber()
            emit()
            changed()
          })
          entry.idField = labelled({ label: { id: L.code, en: L.code } }, entry.idInput)
          entry.row.append(entry.idField)
        }
        const body = el('div', { className: 'entry-body' })
        for (const sub of field.fields) {
          const control = build(sub, data ? data[sub.name] : null, `${path}.${index}.${sub.name}`, entry.controls)
          entry.controls[sub.name] = control
          body.append(control.root)
        }
        entry.row.append(body)
        entry.buttons.up.addEventListener('click', () => move(entry, -1))
        entry.buttons.down.addEventListener('click', () => move(entry, 1))
        entry.buttons.remove.addEventListener('click', () => remove(entry))
        list.append(entry.row)
        entries.push(entry)
        renumber()
        if (focus) entry.row.querySelector('[contenteditable], input')?.focus()
        return entry
      }

      function move(entry, step) {
        const index = entries.indexOf(entry)
        const target = index + step
        if (target < 0 || target >= entries.length) return
        const auto = isGenerated()
        entries.splice(index, 1)
        entries.splice(target, 0, entry)
        if (step < 0) list.insertBefore(entry.row, entries[target + 1].row)
        else list.insertBefore(entry.row, entries[target - 1].row.nextSibling)
        const renamed = {}
        renumber(auto ? renamed : null)
        emit(renamed)
        changed()
        entry.buttons[step < 0 ? 'up' : 'down'].focus()
      }

      function remove(entry) {
        const auto = isGenerated()
        const index = entries.indexOf(entry)
        entries.splice(index, 1)
        entry.row.remove()
        const removed = {}
        removed[currentId(entry)] = null
        const renamed = auto ? {} : null
        renumber(renamed)
        emit({ ...removed, ...(renamed || {}) })
        changed()
        const next = entries[Math.min(index, entries.length - 1)]
        if (next) next.buttons.remove.focus()
        else addButton.focus()
      }

      const addButton = el('button', { type: 'button', className: 'btn btn-small add-entry', text: `${L.add_entry}: ${noun}` })
      addButton.addEventListener('click', () => {
        add(null, true)
        emit()
        changed()
      })
      root.append(addButton)
      const start = Array.isArray(value) ? value : Array.from({ length: field.start_items || field.minimum || 0 }, () => null)
      start.forEach((data) => add(data, false))

      return {
        root,
        ids: () => entries.map(currentId),
        onIds: (cb) => listeners.push(cb),
        get: () =>
          entries.map((entry) => ({
            id: currentId(entry),
            ...Object.fromEntries(field.fields.map((sub) => [sub.name, entry.controls[sub.name].get()])),
          })),
      }
    },

    key(field, value, path, scope) {
      const select = el('select')
      const source = scope[field.source]
      let chosen = value ?? null
      const fill = (renamed = {}) => {
        if (chosen !== null && chosen in renamed) chosen = renamed[chosen]
        select.replaceChildren(el('option', { value: '', text: L.choose }))
        for (const id of source.ids()) select.append(el('option', { value: id, text: id, selected: id === chosen }))
      }
      select.addEventListener('change', () => {
        chosen = select.value || null
        changed()
      })
      source.onIds(fill)
      fill()
      return { root: labelled(field, select), get: () => chosen }
    },

    keys(field, value, path, scope) {
      const source = scope[field.source]
      const root = el('fieldset', { className: 'field choice' }, el('legend', { text: pick(field.label) }))
      const boxes = el('div', { className: 'checks' })
      root.append(boxes)
      let chosen = Array.isArray(value) ? [...value] : []
      const fill = (renamed = {}) => {
        chosen = chosen.filter((id) => renamed[id] !== null).map((id) => (id in renamed ? renamed[id] : id))
        boxes.replaceChildren()
        for (const id of source.ids()) {
          const inputId = newId('k')
          const input = el('input', { type: 'checkbox', id: inputId, value: id, checked: chosen.includes(id) })
          input.addEventListener('change', () => {
            chosen = [...boxes.querySelectorAll('input:checked')].map((box) => box.value)
            changed()
          })
          boxes.append(el('span', { className: 'radio' }, input, el('label', { for: inputId, text: id })))
        }
      }
      source.onIds(fill)
      fill()
      return { root, get: () => source.ids().filter((id) => chosen.includes(id)) }
    },

    order(field, value, path, scope) {
      const source = scope[field.source]
      const root = el('fieldset', { className: 'field order' }, el('legend', { text: pick(field.label) }))
      const rows = el('div', { className: 'field-row' })
      root.append(rows)
      let chosen = Array.isArray(value) ? [...value] : []
      let selects = []
      const fill = (renamed = {}) => {
        chosen = chosen.map((id) => (id in renamed ? renamed[id] : id))
        const ids = source.ids()
        rows.replaceChildren()
        selects = ids.map((_, index) => {
          const select = el('select')
          select.append(el('option', { value: '', text: L.choose }))
          for (const id of ids) select.append(el('option', { value: id, text: id, selected: chosen[index] === id }))
          select.addEventListener('change', () => {
            chosen = selects.map((s) => s.value || null)
            changed()
          })
          rows.append(labelled({ label: { id: `${L.position} ${index + 1}`, en: `${L.position} ${index + 1}` } }, select))
          return select
        })
      }
      source.onIds(fill)
      fill()
      return { root, get: () => selects.map((s) => s.value).filter(Boolean) }
    },

    // The image of a graphic item type: one bank image, picked or uploaded in the media
    // dialog, written as <img src alt width height> with its size in pixels (the
    // coordinate space of the regions drawn on it).
    image(field, value) {
      const labelId = newId('l')
      const root = el('div', { className: 'field image-field' })
      root.append(el('span', { className: 'field-label', id: labelId, text: pick(field.label) }))
      if (pick(field.help)) root.append(el('p', { className: 'help', text: pick(field.help) }))
      const shown = el('div', { className: 'image-chosen' })
      const button = el('button', { type: 'button', className: 'btn btn-small', 'aria-describedby': labelId })
      root.append(shown, button)
      // An optional image (minimum 0) can be taken away again.
      const remove = field.minimum === 0
        ? el('button', { type: 'button', className: 'btn btn-small', 'aria-describedby': labelId, text: L.image_remove })
        : null
      if (remove) root.append(' ', remove)
      const original = value || ''
      let touched = false
      let current = readImage(original)
      const listeners = []
      const show = () => {
        shown.replaceChildren()
        button.textContent = current ? L.image_change : L.image_choose
        if (remove) remove.hidden = !current
        if (!current) {
          shown.append(el('p', { className: 'muted', text: L.image_none }))
          return
        }
        shown.append(el('img', { src: current.src, alt: current.alt, className: 'image-thumb' }))
        shown.append(el('p', { className: 'muted', text: `${current.alt} — ${current.width} × ${current.height} ${L.image_pixels}` }))
      }
      button.addEventListener('click', () =>
        openMediaDialog((src, alt) => {
          const probe = new Image()
          probe.addEventListener('load', () => {
            current = { src, alt, width: probe.naturalWidth, height: probe.naturalHeight }
            touched = true
            show()
            listeners.forEach((cb) => cb(current))
            changed()
            button.focus()
          })
          probe.src = src
        }),
      )
      if (remove) {
        remove.addEventListener('click', () => {
          current = null
          touched = true
          show()
          listeners.forEach((cb) => cb(current))
          changed()
          button.focus()
        })
      }
      show()
      return {
        root,
        current: () => current,
        onImage: (cb) => listeners.push(cb),
        get: () => (touched ? imageHtml(current) : original),
      }
    },

    // Regions drawn on the image named by `source` (frontend/regions.js).
    regions(field, value, path, scope) {
      const source = scope[field.source]
      const root = el('fieldset', { className: 'field regions' }, el('legend', { text: pick(field.label) }))
      const own = new Set(['shape', 'coords', 'label'])
      const extraFields = field.fields
        .filter((sub) => !own.has(sub.name))
        .map((sub) => ({ name: sub.name, label: pick(sub.label), default: sub.default, minimum: sub.minimum, maximum: sub.maximum, decimal: sub.kind === 'number' }))
      const regions = window.ItembankRegions.create(root, {
        withLabel: field.fields.some((sub) => sub.name === 'label'),
        labels: L,
        image: source.current(),
        regions: Array.isArray(value) ? value : [],
        onChange: changed,
        extraFields,
        idPrefix: path,
      })
      source.onImage((image) => regions.setImage(image))
      return { root, get: regions.get, ids: regions.ids, onIds: regions.onIds }
    },

    pairs(field, value, path, scope) {
      const source = scope[field.source]
      const target = scope[field.target]
      const root = el('fieldset', { className: 'field pairs' }, el('legend', { text: pick(field.label) }))
      const rows = el('div', { className: 'field-row' })
      root.append(rows)
      const chosen = new Map((Array.isArray(value) ? value : []).filter((p) => Array.isArray(p) && p.length === 2))
      let selects = []
      const fill = () => {
        rows.replaceChildren()
        selects = source.ids().map((premise) => {
          const select = el('select')
          select.dataset.premise = premise
          select.append(el('option', { value: '', text: L.not_paired }))
          for (const id of target.ids()) select.append(el('option', { value: id, text: id, selected: chosen.get(premise) === id }))
          select.addEventListener('change', () => {
            if (select.value) chosen.set(premise, select.value)
            else chosen.delete(premise)
            changed()
          })
          rows.append(labelled({ label: { id: premise, en: premise } }, select))
          return select
        })
      }
      const rename = (map, position) => (renamed = {}) => {
        for (const [pair, value] of [...chosen.entries()]) {
          const key = position === 0 ? pair : value
          if (!(key in renamed)) continue
          chosen.delete(pair)
          if (renamed[key] === null) continue
          if (position === 0) chosen.set(renamed[key], value)
          else chosen.set(pair, renamed[key])
        }
        fill()
      }
      source.onIds(rename(chosen, 0))
      target.onIds(rename(chosen, 1))
      fill()
      return { root, get: () => selects.filter((s) => s.value).map((s) => [s.dataset.premise, s.value]) }
    },

    // A grid: a row per source entry, a column per target entry, a number in each cell;
    // an empty cell is left out. Writes [[source id, target id, number], ...].
    pair_values(field, value, path, scope) {
      const source = scope[field.source]
      const target = scope[field.target]
      const root = el('fieldset', { className: 'field pair-values' }, el('legend', { text: pick(field.label) }))
      if (pick(field.help)) root.append(el('p', { className: 'help', text: pick(field.help) }))
      const grid = el('div', { className: 'table-scroll' })
      root.append(grid)
      const key = (a, b) => JSON.stringify([a, b])
      const chosen = new Map()
      for (const entry of Array.isArray(value) ? value : []) {
        if (Array.isArray(entry) && entry.length === 3) chosen.set(key(entry[0], entry[1]), String(entry[2]))
      }
      let cells = []
      const fill = () => {
        cells = []
        const table = el('table', { className: 'table pair-grid' })
        const head = el('tr', {}, el('th', { scope: 'col', text: '' }))
        for (const answer of target.ids()) head.append(el('th', { scope: 'col', text: answer }))
        table.append(el('thead', {}, head))
        const body = el('tbody')
        for (const premise of source.ids()) {
          const row = el('tr', {}, el('th', { scope: 'row', text: premise }))
          for (const answer of target.ids()) {
            const input = el('input', { type: 'number', step: 'any', inputmode: 'decimal' })
            input.setAttribute('aria-label', `${premise} → ${answer}`)
            input.value = chosen.get(key(premise, answer)) ?? ''
            input.addEventListener('input', () => {
              if (input.value.trim() === '') chosen.delete(key(premise, answer))
              else chosen.set(key(premise, answer), input.value)
              changed()
            })
            cells.push({ premise, answer, input })
            row.append(el('td', {}, input))
          }
          body.append(row)
        }
        table.append(body)
        grid.replaceChildren(table)
      }
      const rename = (position) => (renamed = {}) => {
        for (const [pair, number] of [...chosen.entries()]) {
          const parts = JSON.parse(pair)
          if (!(parts[position] in renamed)) continue
          chosen.delete(pair)
          if (renamed[parts[position]] === null) continue
          parts[position] = renamed[parts[position]]
          chosen.set(key(parts[0], parts[1]), number)
        }
        fill()
      }
      source.onIds(rename(0))
      target.onIds(rename(1))
      fill()
      return {
        root,
        get: () =>
          cells
            .filter((cell) => cell.input.value.trim() !== '')
            .map((cell) => [cell.premise, cell.answer, numberValue(cell.input.value, false)]),
      }
    },

    // The parts of a composite item: entries whose type is chosen among `choices`, each
    // with the fields beside it (its prompt) and the chosen type's own content, edited
    // with that type's description (`variants`). Writes [{id, type, ..., content}, ...].
    parts(field, value, path, scope) {
      const typeField = { name: 'type', kind: 'part_type', label: { id: L.part_type, en: L.part_type }, help: {}, choices: field.choices, minimum: null, maximum: null }
      const contentField = { name: 'content', kind: 'part_content', label: { id: L.part_content, en: L.part_content }, help: {}, variants: field.variants }
      return BUILDERS.entries({ ...field, fields: [typeField, ...field.fields, contentField] }, value, path, scope)
    },

    part_type(field, value) {
      const select = el('select')
      for (const choice of field.choices) select.append(el('option', { value: choice.value, text: pick(choice.label) }))
      // A part of a type the form cannot edit (no description of its own) keeps its type.
      if (typeof value === 'string' && !field.choices.some((choice) => choice.value === value)) select.append(el('option', { value, text: value }))
      if (typeof value === 'string') select.value = value
      const listeners = []
      select.addEventListener('change', () => {
        listeners.forEach((cb) => cb(select.value))
        changed()
      })
      return { root: labelled(field, select), get: () => select.value, onChange: (cb) => listeners.push(cb) }
    },

    part_content(field, value, path, scope) {
      const root = el('div', { className: 'part-content' })
      let inner = null
      const show = (typeId, data) => {
        const fields = field.variants[typeId]
        if (fields) {
          inner = BUILDERS.group({ label: field.label, help: {}, fields }, data, path)
        } else {
          // no form for this type: its content as JSON
          const textarea = el('textarea', { rows: '8', className: 'code', spellcheck: 'false' })
          textarea.value = JSON.stringify(data ?? {}, null, 2)
          textarea.addEventListener('input', changed)
          const read = () => {
            try {
              return JSON.parse(textarea.value)
            } catch (error) {
              return textarea.value // the server says what is wrong with it
            }
          }
          inner = { root: labelled({ label: field.label, help: { id: L.content_json_help, en: L.content_json_help } }, textarea), get: read }
        }
        inner.root.dataset.path = path
        root.replaceChildren(inner.root)
      }
      show(scope.type.get(), value)
      scope.type.onChange((typeId) => show(typeId, null))
      return { root, get: () => inner.get() }
    },
  }

  // -- the content: the type's fields, or JSON for types without a description ----------

  function buildContent(host) {
    const fields = config.type.fields
    if (!fields.length) {
      const textarea = el('textarea', { rows: '14', className: 'code', spellcheck: 'false' })
      textarea.value = JSON.stringify(config.content ?? config.type.example, null, 2)
      textarea.addEventListener('input', changed)
      const wrapper = labelled({ label: { id: L.content_json, en: L.content_json }, help: { id: L.content_json_help, en: L.content_json_help } }, textarea)
      wrapper.dataset.path = 'content'
      host.append(wrapper)
      let lastGood = config.content ?? config.type.example
      const read = () => {
        try {
          lastGood = JSON.parse(textarea.value)
          textarea.removeAttribute('aria-invalid')
          return true
        } catch (error) {
          return false
        }
      }
      // Unreadable JSON is not sent: the form says so beside the text area instead.
      form.addEventListener('submit', (event) => {
        if (read()) return
        event.preventDefault()
        event.stopImmediatePropagation()
        showProblems([{ field: 'content', message: L.invalid_json, message_en: L.invalid_json }])
        textarea.focus()
      }, true)
      return () => {
        read()
        return lastGood
      }
    }
    const scope = {}
    const content = config.content && typeof config.content === 'object' ? config.content : {}
    for (const field of fields) {
      scope[field.name] = build(field, content[field.name], `content.${field.name}`, scope)
      host.append(scope[field.name].root)
    }
    return () => Object.fromEntries(fields.map((field) => [field.name, scope[field.name].get()]))
  }

  // -- classifications -------------------------------------------------------------------

  function buildClassifications(host, initial) {
    const rows = []
    const list = el('div', { className: 'classification-list' })
    const heading = el('h3', { text: L.classification })
    host.append(heading, list)
    const taxonomies = config.taxonomies
    const byCode = Object.fromEntries(taxonomies.map((t) => [t.code, t]))

    function add(entry) {
      const row = el('div', { className: 'classification', role: 'group' })
      const taxonomy = el('select')
      const node = el('select')
      const level = el('select')
      const details = el('div', { className: 'level-details', 'aria-live': 'polite' })
      for (const t of taxonomies) taxonomy.append(el('option', { value: t.code, text: t.name, selected: entry && entry.taxonomy === t.code }))
      if (!entry) taxonomy.value = taxonomies.length ? taxonomies[0].code : ''
      const fillNodes = (selected) => {
        node.replaceChildren(el('option', { value: '', text: L.choose }))
        for (const n of (byCode[taxonomy.value] || { nodes: [] }).nodes) {
          node.append(el('option', { value: n.code, text: `${'\u00a0\u00a0'.repeat(n.depth)}${n.code} ${n.name}`, selected: n.code === selected }))
        }
      }
      const currentNode = () => (byCode[taxonomy.value] || { nodes: [] }).nodes.find((n) => n.code === node.value)
      const fillLevels = (selected) => {
        level.replaceChildren(el('option', { value: '', text: L.no_level }))
        const n = currentNode()
        for (const lv of n ? n.levels : []) level.append(el('option', { value: String(lv.level), text: `${lv.level}${lv.name ? ' · ' + lv.name : ''}`, selected: lv.level === selected }))
        level.disabled = !n || !n.levels.length
      }
      const describe = () => {
        details.replaceChildren()
        const n = currentNode()
        if (!n) return
        const lv = n.levels.find((x) => String(x.level) === level.value)
        if (lv) {
          details.append(el('p', {}, el('strong', { text: `${L.level} ${lv.level}${lv.name ? ' · ' + lv.name : ''}: ` }), lv.description || ''))
          if (lv.indicators.length) {
            const ul = el('ul')
            for (const indicator of lv.indicators) ul.append(el('li', { text: indicator }))
            details.append(el('p', { className: 'muted', text: L.indicators }), ul)
          }
        } else if (n.description) {
          details.append(el('p', { text: n.description }))
        }
      }
      taxonomy.addEventListener('change', () => {
        fillNodes(null)
        fillLevels(null)
        describe()
        changed()
      })
      node.addEventListener('change', () => {
        fillLevels(null)
        describe()
        changed()
      })
      level.addEventListener('change', () => {
        describe()
        changed()
      })
      fillNodes(entry ? entry.node : null)
      fillLevels(entry ? entry.level : null)
      describe()
      const remove = el('button', { type: 'button', className: 'btn btn-small', text: L.remove_classification })
      const record = { row, taxonomy, node, level }
      remove.addEventListener('click', () => {
        rows.splice(rows.indexOf(record), 1)
        row.remove()
        renumber()
        changed()
        addButton.focus()
      })
      const line = el('div', { className: 'field-row' })
      const parts = [
        ['taxonomy', taxonomy, L.taxonomy],
        ['node', node, L.node],
        ['level', level, L.level],
      ]
      record.fields = {}
      for (const [name, input, text] of parts) {
        const wrapper = labelled({ label: { id: text, en: text } }, input)
        record.fields[name] = wrapper
        line.append(wrapper)
      }
      row.append(line, details, remove)
      list.append(row)
      rows.push(record)
      renumber()
    }

    function renumber() {
      rows.forEach((record, index) => {
        record.row.dataset.path = `metadata.classifications.${index}`
        for (const [name, wrapper] of Object.entries(record.fields)) wrapper.dataset.path = `metadata.classifications.${index}.${name}`
      })
    }

    const addButton = el('button', { type: 'button', className: 'btn btn-small', text: L.add_classification })
    addButton.addEventListener('click', () => {
      add(null)
      rows[rows.length - 1].node.focus()
      changed()
    })
    host.append(addButton)
    ;(initial || []).forEach(add)
    if (!rows.length && taxonomies.length) add(null)

    return () =>
      rows
        .filter((r) => r.node.value || r.level.value)
        .map((r) => ({ taxonomy: r.taxonomy.value, node: r.node.value, level: r.level.value ? Number(r.level.value) : null }))
  }

  // -- problems beside the controls --------------------------------------------------------

  function clearProblems() {
    for (const node of document.querySelectorAll('.field-error')) node.remove()
    for (const node of document.querySelectorAll('[aria-invalid="true"]')) {
      node.removeAttribute('aria-invalid')
      const describedBy = (node.getAttribute('aria-describedby') || '').split(' ').filter((id) => id && !id.startsWith('err-'))
      if (describedBy.length) node.setAttribute('aria-describedby', describedBy.join(' '))
      else node.removeAttribute('aria-describedby')
    }
  }

  function placeFor(path) {
    let parts = path.split('.')
    while (parts.length) {
      const found = document.querySelector(`#item-form [data-path="${CSS.escape(parts.join('.'))}"]`)
      if (found) return found
      parts = parts.slice(0, -1)
    }
    return null
  }

  // "Pilihan B › Bobot": the labels of the controls a problem's path leads to.
  function describePath(path) {
    const names = []
    let place = placeFor(path)
    while (place && place.id !== 'item-form') {
      if (place.dataset && place.dataset.path !== undefined) {
        const own = place.querySelector(':scope > .entry-head .entry-title, :scope > label, :scope > legend, :scope > .field-label, :scope > h2, :scope > h3')
        const text = own ? own.textContent.trim() : place.id === 'stem-editor' ? document.getElementById('stem-label').textContent : ''
        if (text && names[0] !== text) names.unshift(text)
      }
      place = place.parentElement
    }
    return names.join(' › ')
  }

  function controlFor(place) {
    if (!place) return null
    return place.matches('input, select, textarea') ? place : place.querySelector('input, select, textarea, [contenteditable="true"]')
  }

  // The error summary: each line names its field as the form does and leads to it.
  function linkSummary() {
    for (const item of document.querySelectorAll('#problem-summary li[data-path]')) {
      const path = item.dataset.path
      const link = item.querySelector('a')
      const place = placeFor(path)
      const where = describePath(path)
      const name = item.querySelector('.problem-field')
      if (where && name) name.textContent = where
      const control = controlFor(place) || place
      if (!link || !control) continue
      if (!control.id) control.id = newId('ctl')
      link.href = `#${control.id}`
      link.addEventListener('click', (event) => {
        event.preventDefault()
        if (!control.matches('input, select, textarea, [contenteditable="true"]')) control.setAttribute('tabindex', '-1')
        control.scrollIntoView({ block: 'center' })
        control.focus()
      })
    }
  }

  function showProblems(problems) {
    clearProblems()
    const unplaced = []
    for (const problem of problems) {
      const text = lang === 'en' ? problem.message_en || problem.message : problem.message || problem.message_en
      const place = placeFor(problem.field || '')
      if (!place) {
        unplaced.push(text)
        continue
      }
      const id = newId('err')
      const message = el('p', { className: 'field-error', id, text })
      // Below the field's own label (label, error, control), never above it.
      const label = place.querySelector(':scope > .entry-head, :scope > label, :scope > legend, :scope > .field-label, :scope > h2, :scope > h3')
      if (label) label.after(message)
      else place.prepend(message)
      const control = controlFor(place)
      if (control) {
        control.setAttribute('aria-invalid', 'true')
        control.setAttribute('aria-describedby', `${control.getAttribute('aria-describedby') || ''} ${id}`.trim())
      }
    }
    return unplaced
  }

  // -- the live preview ------------------------------------------------------------------------

  const preview = document.getElementById('preview')
  const previewProblems = document.getElementById('preview-problems')
  let timer = null
  let sequence = 0

  // Busy (aria-busy) from a change until the preview of the latest change is shown.
  function previewBusy(busy) {
    for (const node of [preview, previewProblems]) {
      if (busy) node.setAttribute('aria-busy', 'true')
      else node.removeAttribute('aria-busy')
    }
  }

  function schedulePreview() {
    clearTimeout(timer)
    previewBusy(true)
    timer = setTimeout(updatePreview, 500)
  }

  async function updatePreview() {
    timer = null
    const mine = ++sequence
    previewBusy(true)
    const body = { type: config.type.id, stem: getStem(), content: getContent(), metadata: getMetadata() }
    let data
    try {
      const response = await fetch(config.previewUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-CSRFToken': config.csrfToken },
        body: JSON.stringify(body),
        credentials: 'same-origin',
      })
      data = await response.json()
      if (!response.ok) throw new Error(data.error || response.statusText)
    } catch (error) {
      if (mine === sequence) {
        previewProblems.replaceChildren(el('p', { className: 'field-error', text: L.preview_failed }))
        if (timer === null) previewBusy(false)
      }
      return
    }
    if (mine !== sequence) return
    preview.innerHTML = data.html // sanitized by the server
    previewProblems.replaceChildren()
    if (data.problems.length) {
      const list = el('ul')
      for (const problem of data.problems) {
        const where = describePath(problem.field || '')
        const text = lang === 'en' ? problem.message_en || problem.message : problem.message || problem.message_en
        list.append(el('li', { text: where ? `${where}: ${text}` : text }))
      }
      previewProblems.append(el('p', { text: L.preview_problems }), list)
    } else {
      previewProblems.append(el('p', { className: 'ok', text: L.preview_ok }))
    }
    if (showInline) showProblems(data.problems)
    if (timer === null) previewBusy(false)
    document.dispatchEvent(new CustomEvent('itembank:preview', { detail: data }))
  }

  // -- images from the bank ---------------------------------------------------------------------

  const openMediaDialog = window.ItembankEditor.mediaDialog(config, L)

  // -- the page ----------------------------------------------------------------------------------

  const stem = richText(document.getElementById('stem-editor'), config.stem, 'stem-label', 'stem-help')
  const getStem = () => stem.get()
  const getContent = buildContent(document.getElementById('type-fields'))
  const getClassifications = buildClassifications(document.getElementById('classifications'), config.metadata.classifications)

  const difficulty = document.getElementById('m-difficulty')
  const language = document.getElementById('m-language')
  const tags = document.getElementById('m-tags')
  const notes = document.getElementById('m-notes')
  difficulty.value = config.metadata.difficulty ?? ''
  const chosenLanguage = config.metadata.language || config.bankLanguage || 'id'
  if (![...language.options].some((option) => option.value === chosenLanguage)) {
    language.append(el('option', { value: chosenLanguage, text: chosenLanguage })) // keep any other code
  }
  language.value = chosenLanguage
  tags.value = (config.metadata.tags || []).join(', ')
  notes.value = config.metadata.notes || ''
  for (const input of [difficulty, language, tags, notes]) input.addEventListener('input', changed)

  function getMetadata() {
    const raw = difficulty.value.trim()
    return {
      classifications: getClassifications(),
      difficulty: raw === '' ? null : Number.isNaN(Number(raw)) ? raw : Number(raw),
      language: language.value,
      tags: tags.value.split(',').map((t) => t.trim()).filter(Boolean),
      notes: notes.value,
    }
  }

  writeForm = () => {
    document.getElementById('f-stem').value = getStem()
    document.getElementById('f-content').value = JSON.stringify(getContent())
    document.getElementById('f-metadata').value = JSON.stringify(getMetadata())
  }

  queueMicrotask(() => {
    if (config.problems.length) {
      showProblems(config.problems)
      linkSummary()
      document.getElementById('problem-summary')?.focus()
    }
    updatePreview()
  })
})()
