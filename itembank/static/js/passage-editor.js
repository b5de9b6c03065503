// The passage editor page: one rich-text field (the passage's text) with the bank's
// images, written into the form's hidden input when it is submitted. The images dialog
// and the unsaved-changes guard are the item editor's (editor-common.js). No inline
// script: the CSP forbids it.
;(function () {
  'use strict'

  const configElement = document.getElementById('passage-config')
  if (!configElement) return
  const config = JSON.parse(configElement.textContent)
  const L = config.labels
  const form = document.getElementById('passage-form')
  const shared = window.ItembankEditor

  let touched = false
  const original = config.body || ''
  let editor = null
  const markDirty = shared.guardUnsaved(form, L, () => {
    // An untouched text keeps exactly what is stored, so saving changes nothing.
    document.getElementById('f-body').value = touched ? editor.getHTML() : original
  })
  editor = window.ItembankRichText.create(document.getElementById('body-editor'), {
    html: original,
    labelledBy: 'body-label',
    describedBy: 'body-help',
    labels: L,
    pickImage: shared.mediaDialog(config, L),
    onChange: () => {
      touched = true
      markDirty()
    },
  })
  document.getElementById('f-title').addEventListener('input', markDirty)
})()
