// The region editor of the graphic item types (hotspot, graphic gap match): areas drawn
// on the item's image with the mouse - rectangles and circles by dragging, polygons by
// clicking their points (Enter, a double click or "Finish polygon" closes one) - and,
// for the keyboard, the same areas as fields: shape, coordinates as text, label.
// Coordinates are whole image pixels (origin top left), as the server checks them.
//
// Bundled with the rich-text editor into itembank/static/vendor/richtext.js (our own
// code: no package of its own, so nothing for licenses.js to add); defines
// window.ItembankRegions.create(host, options). No inline style is set through
// attributes (the CSP forbids them); sizes come from the SVG viewBox and the stylesheet.

const SVG = 'http://www.w3.org/2000/svg'
const MIN_SIZE = 2 // pixels: a smaller drag is a click, not a region

function svg(tag, attributes) {
  const node = document.createElementNS(SVG, tag)
  for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, String(value))
  return node
}

function el(tag, attributes, ...children) {
  const node = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined || value === false) continue
    if (name === 'text') node.textContent = value
    else if (name === 'className') node.className = value
    else node.setAttribute(name, value === true ? '' : value)
  }
  for (const child of children) if (child) node.append(child)
  return node
}

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

// "10, 20 30,40" -> [10, 20, 30, 40]; anything else is sent as typed (the server says
// what is wrong with it).
function parseCoords(text) {
  const parts = String(text).trim().split(/[\s,]+/).filter(Boolean)
  if (!parts.length) return []
  if (!parts.every((part) => /^-?\d+$/.test(part))) return text
  return parts.map(Number)
}

function shapeElement(region, className) {
  const c = Array.isArray(region.coords) ? region.coords : []
  if (region.shape === 'rect' && c.length === 4) {
    return svg('rect', { x: Math.min(c[0], c[2]), y: Math.min(c[1], c[3]), width: Math.abs(c[2] - c[0]), height: Math.abs(c[3] - c[1]), class: className })
  }
  if (region.shape === 'circle' && c.length === 3) return svg('circle', { cx: c[0], cy: c[1], r: Math.max(c[2], 0), class: className })
  if (region.shape === 'poly' && c.length >= 4 && c.length % 2 === 0) {
    const points = []
    for (let i = 0; i < c.length; i += 2) points.push(`${c[i]},${c[i + 1]}`)
    return svg(c.length >= 6 ? 'polygon' : 'polyline', { points: points.join(' '), class: className })
  }
  return null
}

function labelPoint(region) {
  const c = region.coords
  if (!Array.isArray(c) || c.length < 2) return null
  if (region.shape === 'circle') return [c[0] - 4, c[1] + 5]
  if (region.shape === 'rect' && c.length === 4) return [Math.min(c[0], c[2]) + 3, Math.min(c[1], c[3]) + 14]
  return [c[0] + 3, c[1] + 14]
}

// options: {labels, image: {src, alt, width, height} | null, regions: [...], onChange(),
// extraFields: [{name, label, default, minimum, maximum, decimal}] (number fields per
// region: whole numbers, or any number with `decimal`), withLabel (false: regions have no
// label field, e.g. the hidden scoring areas of a select point item),
// idPrefix (the data-path of the list, e.g. "content.hotspots")}
function create(host, options) {
  const L = options.labels
  const extra = options.extraFields || []
  const withLabel = options.withLabel !== false
  let image = options.image || null
  let tool = 'rect'
  let regions = (Array.isArray(options.regions) ? options.regions : []).map((r) => ({
    shape: r.shape || 'rect',
    coords: r.coords,
    label: r.label || '',
    ...Object.fromEntries(extra.map((f) => [f.name, r[f.name] ?? f.default])),
  }))
  let drawing = null // {shape, start: [x, y], points: [[x, y]...], current: [x, y]}
  const listeners = []
  let uid = 0
  const newId = (prefix) => `${prefix}-r${++uid}-${Math.random().toString(36).slice(2, 7)}`

  const changed = (renamed) => {
    listeners.forEach((cb) => cb(renamed || {}))
    if (options.onChange) options.onChange()
  }

  // -- toolbar ----------------------------------------------------------------------
  const toolbar = el('div', { className: 'region-tools', role: 'toolbar', 'aria-label': L.region_tools })
  const tools = {}
  for (const [name, text] of [['rect', L.region_rect], ['circle', L.region_circle], ['poly', L.region_poly]]) {
    const button = el('button', { type: 'button', className: 'btn btn-small', 'aria-pressed': name === tool ? 'true' : 'false', text })
    button.dataset.tool = name
    button.addEventListener('click', () => {
      tool = name
      cancelDrawing()
      for (const [other, b] of Object.entries(tools)) b.setAttribute('aria-pressed', other === tool ? 'true' : 'false')
      hint.textContent = tool === 'poly' ? L.region_hint_poly : L.region_hint_drag
    })
    tools[name] = button
    toolbar.append(button)
  }
  const finish = el('button', { type: 'button', className: 'btn btn-small', text: L.region_finish, disabled: true })
  finish.addEventListener('click', () => finishPolygon())
  toolbar.append(finish)
  const hint = el('p', { className: 'help', id: newId('hint'), text: L.region_hint_drag })

  // -- the stage: the image and the drawing over it --------------------------------------
  const stage = el('div', { className: 'region-stage' })
  const picture = el('img', { alt: '' })
  const canvas = svg('svg', { class: 'region-canvas', preserveAspectRatio: 'none', role: 'application', 'aria-label': L.region_canvas, tabindex: '0', 'aria-describedby': hint.id })
  stage.append(picture, canvas)
  const empty = el('p', { className: 'muted region-empty', text: L.region_no_image })

  // -- the list: one row of fields per region ---------------------------------------------
  const list = el('div', { className: 'region-list' })
  const add = el('button', { type: 'button', className: 'btn btn-small add-entry', text: `${L.add_entry}: ${L.region}` })
  add.addEventListener('click', () => {
    if (!image) return
    const w = image.width
    const h = image.height
    regions.push({ shape: 'rect', coords: [Math.round(w / 4), Math.round(h / 4), Math.round(w / 2), Math.round(h / 2)], label: '', ...Object.fromEntries(extra.map((f) => [f.name, f.default])) })
    render()
    changed()
    list.lastElementChild?.querySelector('input')?.focus()
  })

  host.append(toolbar, hint, empty, stage, list, add)

  function toImage(event) {
    const box = canvas.getBoundingClientRect()
    const x = ((event.clientX - box.left) * image.width) / box.width
    const y = ((event.clientY - box.top) * image.height) / box.height
    return [Math.round(Math.min(Math.max(x, 0), image.width)), Math.round(Math.min(Math.max(y, 0), image.height))]
  }

  function regionFromDrag(shape, [x1, y1], [x2, y2]) {
    if (shape === 'rect') {
      if (Math.abs(x2 - x1) < MIN_SIZE || Math.abs(y2 - y1) < MIN_SIZE) return null
      return { shape, coords: [Math.min(x1, x2), Math.min(y1, y2), Math.max(x1, x2), Math.max(y1, y2)] }
    }
    // A circle inside the image: its radius stops at the nearest edge.
    const wanted = Math.round(Math.hypot(x2 - x1, y2 - y1))
    const room = Math.min(x1, y1, image.width - x1, image.height - y1)
    const r = Math.min(wanted, room)
    if (r < MIN_SIZE) return null
    return { shape, coords: [x1, y1, r] }
  }

  function cancelDrawing() {
    drawing = null
    finish.disabled = true
    draw()
  }

  function commit(region) {
    regions.push({ ...region, label: '', ...Object.fromEntries(extra.map((f) => [f.name, f.default])) })
    render()
    changed()
  }

  function finishPolygon() {
    if (!drawing || drawing.shape !== 'poly') return
    const points = drawing.points
    drawing = null
    finish.disabled = true
    if (points.length >= 3) commit({ shape: 'poly', coords: points.flat() })
    else draw()
  }

  canvas.addEventListener('pointerdown', (event) => {
    if (!image || event.button !== 0) return
    event.preventDefault()
    canvas.focus({ preventScroll: true })
    const point = toImage(event)
    if (tool === 'poly') {
      if (!drawing) drawing = { shape: 'poly', points: [] }
      const first = drawing.points[0]
      const scale = image.width / canvas.getBoundingClientRect().width
      if (first && drawing.points.length >= 3 && Math.hypot(point[0] - first[0], point[1] - first[1]) <= 6 * scale) {
        finishPolygon()
        return
      }
      drawing.points.push(point)
      drawing.current = point
      finish.disabled = drawing.points.length < 3
      draw()
      return
    }
    canvas.setPointerCapture(event.pointerId)
    drawing = { shape: tool, start: point, current: point }
    draw()
  })
  canvas.addEventListener('pointermove', (event) => {
    if (!drawing) return
    drawing.current = toImage(event)
    draw()
  })
  canvas.addEventListener('pointerup', (event) => {
    if (!drawing || drawing.shape === 'poly') return
    const region = regionFromDrag(drawing.shape, drawing.start, toImage(event))
    drawing = null
    if (region) commit(region)
    else draw()
  })
  canvas.addEventListener('dblclick', (event) => {
    event.preventDefault()
    finishPolygon()
  })
  canvas.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && drawing) {
      cancelDrawing()
      event.preventDefault()
    } else if (event.key === 'Enter' && drawing) {
      finishPolygon()
      event.preventDefault()
    }
  })

  // -- drawing -------------------------------------------------------------------------------
  function draw() {
    canvas.replaceChildren()
    if (!image) return
    regions.forEach((region, index) => {
      const shape = shapeElement(region, 'region-shape')
      if (!shape) return
      shape.dataset.region = letter(index)
      canvas.append(shape)
      const at = labelPoint(region)
      if (at) {
        const text = svg('text', { x: at[0], y: at[1], class: 'region-label' })
        text.textContent = letter(index)
        canvas.append(text)
      }
    })
    if (!drawing) return
    let preview = null
    if (drawing.shape === 'poly') {
      const points = [...drawing.points, drawing.current].flat()
      preview = shapeElement({ shape: 'poly', coords: points }, 'region-drawing')
    } else {
      const region = regionFromDrag(drawing.shape, drawing.start, drawing.current)
      if (region) preview = shapeElement(region, 'region-drawing')
    }
    if (preview) canvas.append(preview)
  }

  // -- the fields ----------------------------------------------------------------------------
  function field(labelText, input, path) {
    const id = newId('f')
    input.id = id
    const wrapper = el('div', { className: 'field' }, el('label', { for: id, text: labelText }), input)
    wrapper.dataset.path = path
    return wrapper
  }

  function render() {
    list.replaceChildren()
    regions.forEach((region, index) => {
      const name = `${L.region} ${letter(index)}`
      const path = `${options.idPrefix}.${index}`
      const headingId = newId('h')
      const row = el('div', { className: 'entry region-entry', role: 'group', 'aria-labelledby': headingId })
      row.dataset.path = path
      const remove = el('button', { type: 'button', className: 'btn btn-small', text: L.remove_entry, 'aria-label': `${L.remove_entry}: ${name}` })
      remove.addEventListener('click', () => {
        const renamed = { [letter(index)]: null }
        for (let later = index + 1; later < regions.length; later++) renamed[letter(later)] = letter(later - 1)
        regions.splice(index, 1)
        render()
        changed(renamed)
        ;(list.children[Math.min(index, regions.length - 1)]?.querySelector('button') || add).focus()
      })
      row.append(el('div', { className: 'entry-head' }, el('h3', { className: 'entry-title', id: headingId, text: name }), el('div', { className: 'entry-tools' }, remove)))
      const body = el('div', { className: 'entry-body field-row' })
      const shape = el('select')
      for (const [value, text] of [['rect', L.region_rect], ['circle', L.region_circle], ['poly', L.region_poly]]) {
        shape.append(el('option', { value, text, selected: region.shape === value }))
      }
      shape.addEventListener('change', () => {
        region.shape = shape.value
        draw()
        changed()
      })
      const coords = el('input', { type: 'text', inputmode: 'numeric', spellcheck: 'false', 'aria-describedby': `${headingId}` })
      coords.value = Array.isArray(region.coords) ? region.coords.join(', ') : String(region.coords ?? '')
      coords.addEventListener('input', () => {
        region.coords = parseCoords(coords.value)
        draw()
        changed()
      })
      const label = el('input', { type: 'text', maxlength: '200' })
      label.value = region.label
      label.addEventListener('input', () => {
        region.label = label.value
        changed()
      })
      body.append(
        field(`${L.region_shape} (${name})`, shape, `${path}.shape`),
        field(`${L.region_coords} (${name})`, coords, `${path}.coords`),
      )
      if (withLabel) body.append(field(`${L.region_label} (${name})`, label, `${path}.label`))
      for (const f of extra) {
        const input = el('input', { type: 'number', step: f.decimal ? 'any' : '1', min: f.minimum ?? null, max: f.maximum ?? null })
        input.value = region[f.name] ?? ''
        const number = f.decimal ? /^-?\d+(\.\d+)?$/ : /^\d+$/
        input.addEventListener('input', () => {
          region[f.name] = number.test(input.value.trim()) ? Number(input.value) : input.value
          changed()
        })
        body.append(field(`${f.label} (${name})`, input, `${path}.${f.name}`))
      }
      row.append(body)
      list.append(row)
    })
    draw()
  }

  function setImage(next) {
    image = next && next.src && next.width > 0 && next.height > 0 ? next : null
    cancelDrawing()
    empty.hidden = Boolean(image)
    stage.hidden = !image
    add.disabled = !image
    for (const button of Object.values(tools)) button.disabled = !image
    if (image) {
      picture.src = image.src
      picture.width = image.width
      picture.height = image.height
      canvas.setAttribute('viewBox', `0 0 ${image.width} ${image.height}`)
    }
    render()
  }

  setImage(image)

  return {
    setImage,
    ids: () => regions.map((_, index) => letter(index)),
    onIds: (cb) => listeners.push(cb),
    get: () =>
      regions.map((region, index) => ({
        id: letter(index),
        shape: region.shape,
        coords: region.coords,
        ...(withLabel ? { label: region.label } : {}),
        ...Object.fromEntries(extra.map((f) => [f.name, region[f.name]])),
      })),
  }
}

window.ItembankRegions = { create }
