// Small behaviours shared by every page (no inline scripts: the CSP forbids them).
;(function () {
  'use strict'
  // Buttons with data-confirm ask before submitting their form.
  document.addEventListener('click', (event) => {
    const button = event.target.closest('[data-confirm]')
    if (button && !window.confirm(button.dataset.confirm)) event.preventDefault()
  })
})()
