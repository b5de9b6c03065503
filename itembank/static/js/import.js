// The import form: send the file in the background, show the upload's progress and
// then that the server is starting the import, refuse a second submit, and follow to
// the import's job page (its progress, then the report). Without this script the form
// posts normally.
;(function () {
  'use strict'
  const form = document.getElementById('import-form')
  if (!form || !window.XMLHttpRequest || !window.FormData) return
  const button = document.getElementById('import-submit')
  const box = document.getElementById('import-progress')
  const bar = document.getElementById('import-progress-bar')
  const status = document.getElementById('import-status')
  let running = false

  function show (text, value) {
    box.hidden = false
    status.textContent = text
    if (value === null) bar.removeAttribute('value')
    else bar.value = value
  }

  function finish (message) {
    running = false
    button.disabled = false
    form.removeAttribute('aria-busy')
    show(message, 0)
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault()
    if (running) {
      show(form.dataset.busy, null)
      return
    }
    if (!form.reportValidity()) return
    running = true
    button.disabled = true
    form.setAttribute('aria-busy', 'true')
    const request = new XMLHttpRequest()
    request.open('POST', form.action || window.location.pathname)
    request.setRequestHeader('X-Requested-With', 'fetch')
    request.setRequestHeader('Accept', 'application/json')
    request.responseType = 'json'
    request.upload.addEventListener('progress', (progress) => {
      if (progress.lengthComputable) {
        show(form.dataset.uploading + ' ' + Math.round(100 * progress.loaded / progress.total) + '%',
          Math.round(100 * progress.loaded / progress.total))
      }
    })
    request.upload.addEventListener('load', () => show(form.dataset.working, null))
    request.addEventListener('load', () => {
      const body = request.response || {}
      if (request.status < 300 && body.url) {
        window.location.assign(body.url)
      } else {
        finish(body.error || form.dataset.failed)
      }
    })
    request.addEventListener('error', () => finish(form.dataset.failed))
    show(form.dataset.uploading, 0)
    request.send(new FormData(form))
  })
})()
