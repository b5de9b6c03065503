// The passage editor page: one rich-text field (the passage's text) with the bank's
// images, written into the form's hidden input when it is submitted. No inline
// script: the CSP forbids it.
;(function () {
  'use strict'

  const configElement = document.getElementById('passage-config')
  if (!configElement) return
  const config = JSON.parse(configElement.textContent)
  const L = config.labels
  const form = document.getElementById('passage-form')
  const dialog = document.getElementById('media-dialog')
  let dirty = false
  let submitting = false
  let onPicked = null
  let picked = null

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

  // -- images of the bank ----------------------------------------------------------------

  function showImages(images) {
    const list = document.getElementById('media-list')
    list.replaceChildren()
    if (!images.length) list.append(el('p', { className: 'muted', text: L.media_none }))
    for (const image of images) {
      const name = image.filename || image.sha256.slice(0, 12)
      const button = el('button', { type: 'button', className: 'media-choice', 'aria-pressed': 'false', 'aria-label': `${L.media_choose}: ${name}` })
      button.append(el('img', { src: image.src, alt: '', width: '96' }), el('span', { text: name }))
      button.addEventListener('click', () => {
        picked = image.src
        for (const other of list.querySelectorAll('.media-choice')) other.setAttribute('aria-pressed', other === button ? 'true' : 'false')
        document.getElementById('media-insert').disabled = false
      })
      list.append(button)
    }
  }

  async function loadImages() {
    const response = await fetch(config.mediaListUrl, { credentials: 'same-origin' })
    const data = await response.json()
    showImages(data.images || [])
  }

  async function upload(event) {
    const file = event.target.files[0]
    if (!file) return
    const status = document.getElementById('media-status')
    status.textContent = L.media_uploading
    const body = new FormData()
    body.append('file', file)
    const response = await fetch(config.mediaUploadUrl, {
      method: 'POST',
      headers: { 'X-CSRFToken': config.csrfToken },
      body,
      credentials: 'same-origin',
    })
    const data = await response.json()
    if (!response.ok) {
      status.textContent = data.error || response.statusText
      return
    }
    status.textContent = ''
    picked = data.src
    event.target.value = ''
    await loadImages()
    document.getElementById('media-insert').disabled = false
  }

  function openMediaDialog(callback) {
    onPicked = callback
    picked = null
    document.getElementById('media-alt').value = ''
    document.getElementById('media-status').textContent = ''
    document.getElementById('media-insert').disabled = true
    loadImages()
    dialog.showModal()
  }

  document.getElementById('media-dialog-title').textContent = L.media_title
  document.getElementById('media-file-label').textContent = L.media_upload
  document.getElementById('media-alt-label').textContent = L.media_alt
  document.getElementById('media-insert').textContent = L.media_insert
  document.getElementById('media-cancel').textContent = L.media_cancel
  document.getElementById('media-cancel').addEventListener('click', () => dialog.close())
  document.getElementById('media-file').addEventListener('change', upload)
  document.getElementById('media-insert').addEventListener('click', () => {
    const alt = document.getElementById('media-alt').value.trim()
    if (!picked) return
    if (!alt) {
      document.getElementById('media-status').textContent = L.media_alt_required
      document.getElementById('media-alt').focus()
      return
    }
    dialog.close()
    if (onPicked) onPicked(picked, alt)
  })

  // -- the text ------------------------------------------------------------------------------

  let touched = false
  const original = config.body || ''
  const editor = window.ItembankRichText.create(document.getElementById('body-editor'), {
    html: original,
    labelledBy: 'body-label',
    describedBy: 'body-help',
    labels: L,
    pickImage: openMediaDialog,
    onChange: () => {
      touched = true
      dirty = true
    },
  })
  document.getElementById('f-title').addEventListener('input', () => {
    dirty = true
  })

  form.addEventListener('submit', () => {
    // An untouched text keeps exactly what is stored, so saving changes nothing.
    document.getElementById('f-body').value = touched ? editor.getHTML() : original
    submitting = true
  })
  window.addEventListener('beforeunload', (event) => {
    if (dirty && !submitting) {
      event.preventDefault()
      event.returnValue = L.unsaved
    }
  })
})()
