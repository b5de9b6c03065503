// What the item editor and the passage editor share: building elements, the bank's
// images dialog (choose or upload an image, give its text alternative) and the guard
// against leaving a page with unsaved changes. Saving and its conflicts are form posts
// (the server answers a stale save with the conflict box of ui/_editor_common.html).
// No inline script: the CSP forbids it.
;(function () {
  'use strict'

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

  // The images dialog of the page (#media-dialog): config has mediaListUrl,
  // mediaUploadUrl and csrfToken; L the labels. Returns open(callback): the callback
  // gets the chosen image's src and its text alternative.
  function mediaDialog(config, L) {
    const dialog = document.getElementById('media-dialog')
    const byId = (id) => document.getElementById(id)
    let onPicked = null
    let picked = null

    function showImages(images) {
      const list = byId('media-list')
      list.replaceChildren()
      if (!images.length) list.append(el('p', { className: 'muted', text: L.media_none }))
      for (const image of images) {
        const name = image.filename || image.sha256.slice(0, 12)
        const button = el('button', {
          type: 'button',
          className: 'media-choice',
          'aria-pressed': image.src === picked ? 'true' : 'false',
          'aria-label': `${L.media_choose}: ${name}`,
        })
        button.append(el('img', { src: image.src, alt: '', width: '96' }), el('span', { text: name }))
        button.addEventListener('click', () => {
          picked = image.src
          for (const other of list.querySelectorAll('.media-choice')) other.setAttribute('aria-pressed', other === button ? 'true' : 'false')
          byId('media-insert').disabled = false
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
      const status = byId('media-status')
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
      byId('media-insert').disabled = false
      if (!byId('media-alt').value) byId('media-alt').value = (data.filename || '').replace(/\.[a-z]+$/i, '')
    }

    byId('media-dialog-title').textContent = L.media_title
    byId('media-file-label').textContent = L.media_upload
    byId('media-alt-label').textContent = L.media_alt
    byId('media-insert').textContent = L.media_insert
    byId('media-cancel').textContent = L.media_cancel
    byId('media-cancel').addEventListener('click', () => dialog.close())
    byId('media-file').addEventListener('change', upload)
    byId('media-insert').addEventListener('click', () => {
      const alt = byId('media-alt').value.trim()
      if (!picked) return
      if (!alt) {
        byId('media-status').textContent = L.media_alt_required
        byId('media-alt').focus()
        return
      }
      dialog.close()
      if (onPicked) onPicked(picked, alt)
    })

    return function open(callback) {
      onPicked = callback
      picked = null
      byId('media-alt').value = ''
      byId('media-status').textContent = ''
      byId('media-insert').disabled = true
      loadImages()
      dialog.showModal()
    }
  }

  // Warn before leaving the page with unsaved changes. beforeSubmit writes the editor's
  // values into the form's hidden inputs. Returns markDirty().
  function guardUnsaved(form, L, beforeSubmit) {
    let dirty = false
    let submitting = false
    form.addEventListener('submit', () => {
      beforeSubmit()
      submitting = true
    })
    window.addEventListener('beforeunload', (event) => {
      if (dirty && !submitting) {
        event.preventDefault()
        event.returnValue = L.unsaved
      }
    })
    return function markDirty() {
      dirty = true
    }
  }

  window.ItembankEditor = { el, mediaDialog, guardUnsaved }
})()
