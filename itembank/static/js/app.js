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
