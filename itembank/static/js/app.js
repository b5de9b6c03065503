// Small behaviours shared by every page (no inline scripts: the CSP forbids them).
;(function () {
  'use strict'
  // Buttons with data-confirm ask before submitting their form.
  document.addEventListener('click', (event) => {
    const button = event.target.closest('[data-confirm]')
    if (button && !window.confirm(button.dataset.confirm)) event.preventDefault()
  })

  // An element marked data-focus-on-load (a refusal shown beside the button that caused
  // it) takes the focus when the page opens, and with it the reader's eye.
  // (Again once loaded, should anything have moved the focus back to the page.)
  const focusTarget = document.querySelector('[data-focus-on-load]')
  const focusIt = () => {
    focusTarget.scrollIntoView({ block: 'center' })
    focusTarget.focus({ preventScroll: true })
  }
  if (focusTarget) {
    focusIt()
    window.addEventListener('load', () => {
      if (document.activeElement === document.body) focusIt()
    })
  }

  // Tables with data-sortable sort on a click of a column head's button: by the cells'
  // data-value (else their text), as numbers when the column's data-sort-type is
  // "number"; a second click reverses the order. Cells without a value go last either
  // way. The head's aria-sort says the order; without this script the table keeps the
  // order the server wrote.
  const cellValue = (row, index) => {
    const cell = row.cells[index]
    if (!cell) return ''
    return cell.hasAttribute('data-value') ? cell.getAttribute('data-value') : cell.textContent.trim()
  }
  const compare = (numeric) => (a, b) => {
    if (a === '' || b === '') return (a === '') - (b === '')
    if (numeric) {
      const x = parseFloat(a)
      const y = parseFloat(b)
      if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) - Number.isNaN(y)
      return x - y
    }
    return a.localeCompare(b, document.documentElement.lang || undefined, { numeric: true })
  }
  document.addEventListener('click', (event) => {
    const button = event.target.closest('table[data-sortable] thead .sort-button')
    if (!button) return
    const head = button.closest('th')
    const table = button.closest('table')
    const body = table.tBodies[0]
    if (!head || !body) return
    const index = head.cellIndex
    const order = head.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending'
    const numeric = button.dataset.sortType === 'number'
    const byValue = compare(numeric)
    const rows = Array.from(body.rows).map((row, position) => ({ row, position, value: cellValue(row, index) }))
    rows.sort((a, b) => {
      if (a.value === '' || b.value === '') return byValue(a.value, b.value) || a.position - b.position
      const result = byValue(a.value, b.value)
      return (order === 'ascending' ? result : -result) || a.position - b.position
    })
    for (const { row } of rows) body.appendChild(row)
    for (const other of table.tHead.rows[0].cells) other.removeAttribute('aria-sort')
    head.setAttribute('aria-sort', order)
  })
})()

// The item list's bulk actions: a head checkbox ticks every item of the page, and only
// the fields of the chosen action show. Without this script every field shows and the
// items are ticked one by one; the server ignores the fields of other actions.
;(function () {
  'use strict'
  for (const all of document.querySelectorAll('[data-select-all]')) {
    const boxes = () => document.querySelectorAll(`input[type="checkbox"][name="${all.dataset.selectAll}"]`)
    all.hidden = false
    all.addEventListener('change', () => { for (const box of boxes()) box.checked = all.checked })
    document.addEventListener('change', (event) => {
      if (event.target.name !== all.dataset.selectAll) return
      const list = Array.from(boxes())
      all.checked = list.length > 0 && list.every((box) => box.checked)
      all.indeterminate = !all.checked && list.some((box) => box.checked)
    })
  }
  for (const select of document.querySelectorAll('[data-bulk-action]')) {
    const form = select.form
    const show = () => {
      for (const field of form.querySelectorAll('[data-bulk-for]')) field.hidden = field.dataset.bulkFor !== select.value
    }
    select.addEventListener('change', show)
    show()
  }
})()

// Buttons with data-print print the page (the whole form); without script the browser's
// own print command does the same.
;(function () {
  'use strict'
  for (const button of document.querySelectorAll('[data-print]')) {
    button.hidden = false
    button.addEventListener('click', () => window.print())
  }
})()

// Forms with data-inplace are sent without leaving the page: the answer (the page the
// server redirects to) replaces the main content where it stands, the address follows
// it and the scroll position stays. Without this script they post and reload as usual.
;(function () {
  'use strict'
  document.addEventListener('submit', async (event) => {
    const form = event.target
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-inplace') || event.defaultPrevented) return
    event.preventDefault()
    const main = document.querySelector('main')
    const body = new FormData(form, event.submitter || undefined)
    const buttons = form.querySelectorAll('button')
    for (const button of buttons) button.disabled = true
    main.setAttribute('aria-busy', 'true')
    let response
    try {
      response = await fetch(form.action, { method: 'POST', body, credentials: 'same-origin', headers: { 'X-Requested-With': 'fetch' } })
    } catch (error) {
      form.submit()
      return
    }
    const type = response.headers.get('Content-Type') || ''
    if (!type.startsWith('text/html')) {
      form.submit()
      return
    }
    const doc = new DOMParser().parseFromString(await response.text(), 'text/html')
    const fresh = doc.querySelector('main')
    if (!fresh) {
      form.submit()
      return
    }
    const scroll = window.scrollY
    main.replaceWith(fresh)
    document.title = doc.title
    if (response.redirected) window.history.replaceState(null, '', response.url)
    window.scrollTo(0, scroll)
    const news = fresh.querySelector('.flashes')
    if (news) {
      // Where the user is, not at the top of the page they did not leave.
      news.classList.add('flashes-toast')
      news.setAttribute('tabindex', '-1')
      news.focus({ preventScroll: true })
    }
  })
})()

// Slider previews: the value a range input is set to shows in its <output> as it moves.
// Without this script the output keeps the scale's lowest value.
;(function () {
  'use strict'
  document.addEventListener('input', (event) => {
    const input = event.target
    if (!(input instanceof HTMLInputElement) || input.type !== 'range') return
    const holder = input.closest('.ib-slider')
    const output = holder && holder.querySelector('output')
    if (output) output.value = input.value
  })
})()

// Select point previews: a click on the image fills the next point's x and y (in image
// pixels) and shows the item's marker there (a dot when it has none); typing in the
// fields moves what is shown. Without this script the fields alone take the points.
;(function () {
  'use strict'
  const SVG = 'http://www.w3.org/2000/svg'

  function rows(item) {
    return Array.from(item.querySelectorAll('.ib-point')).map((row) => row.querySelectorAll('input'))
  }

  function redraw(item) {
    const overlay = item.querySelector('.ib-graphic-overlay')
    if (!overlay) return
    overlay.querySelectorAll('.ib-placed').forEach((node) => node.remove())
    const marker = item.querySelector('.ib-marker img')
    for (const [x, y] of rows(item)) {
      if (x.value === '' || y.value === '') continue
      const px = Number(x.value)
      const py = Number(y.value)
      let node
      if (marker) {
        const width = Number(marker.getAttribute('width'))
        const height = Number(marker.getAttribute('height'))
        node = document.createElementNS(SVG, 'image')
        node.setAttribute('href', marker.getAttribute('src'))
        node.setAttribute('x', String(px - width / 2))
        node.setAttribute('y', String(py - height / 2))
        node.setAttribute('width', String(width))
        node.setAttribute('height', String(height))
      } else {
        node = document.createElementNS(SVG, 'circle')
        node.setAttribute('cx', String(px))
        node.setAttribute('cy', String(py))
        node.setAttribute('r', '5')
      }
      node.setAttribute('class', 'ib-placed')
      overlay.append(node)
    }
  }

  document.addEventListener('click', (event) => {
    const image = event.target
    if (!(image instanceof HTMLImageElement)) return
    const item = image.closest('.ib-select_point')
    if (!item || !image.closest('.ib-graphic')) return
    const natural = Number(image.getAttribute('width'))
    const naturalHeight = Number(image.getAttribute('height'))
    const box = image.getBoundingClientRect()
    if (!(natural > 0) || !(naturalHeight > 0) || !(box.width > 0) || !(box.height > 0)) return
    const x = Math.round(((event.clientX - box.left) * natural) / box.width)
    const y = Math.round(((event.clientY - box.top) * naturalHeight) / box.height)
    const all = rows(item)
    if (!all.length) return
    // the next empty point; when every point is taken, the last one moves
    const free = all.find(([px, py]) => px.value === '' || py.value === '') || all[all.length - 1]
    free[0].value = String(Math.min(Math.max(x, 0), natural))
    free[1].value = String(Math.min(Math.max(y, 0), naturalHeight))
    redraw(item)
  })

  document.addEventListener('input', (event) => {
    const input = event.target
    if (!(input instanceof HTMLInputElement) || !input.closest('.ib-point')) return
    const item = input.closest('.ib-select_point')
    if (item) redraw(item)
  })
})()
