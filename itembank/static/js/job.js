// Background jobs: follow every unfinished job shown on the page (an element with
// data-job-state, see templates/ui/_jobs.html). Poll its state, redraw its status, bar,
// count, message, error, result and cancel button, and stop once it has ended. A job
// shown with data-job-follow (its own page) opens its result when it succeeds while the
// page watches it. Without this script the job page refreshes itself instead.
;(function () {
  'use strict'
  if (!window.fetch) return
  const INTERVAL = 750
  const RETRY = 3000
  const BUSY = {}

  function text (root, selector, value) {
    const node = root.querySelector(selector)
    if (node) node.textContent = value || ''
    return node
  }

  function show (node, visible) {
    if (node) node.hidden = !visible
  }

  function draw (root, state) {
    const status = text(root, '[data-job-status]', state.status_text)
    if (status) {
      for (const name of [...status.classList]) {
        if (name.startsWith('job-status-')) status.classList.remove(name)
      }
      status.classList.add('job-status-' + state.status)
    }
    const bar = root.querySelector('[data-job-bar]')
    if (bar) {
      bar.max = state.bar.max
      if (state.bar.value === null) bar.removeAttribute('value')
      else bar.value = state.bar.value
    }
    text(root, '[data-job-count]', state.progress_text)
    text(root, '[data-job-message]', state.message)
    show(text(root, '[data-job-error]', state.error), Boolean(state.error))
    const result = root.querySelector('[data-job-result]')
    if (result && state.result) {
      text(result, '[data-job-summary]', state.result.summary)
      const link = text(result, '[data-job-result-link]', state.result.label)
      if (link) link.href = state.result.url
    }
    show(result, Boolean(state.result))
    show(root.querySelector('[data-job-cancel]'), state.cancellable)
    root.dataset.jobFinished = state.finished ? 'true' : 'false'
  }

  function lost (root) {
    if (root.dataset.jobLost) text(root, '[data-job-message]', root.dataset.jobLost)
  }

  function follow (root) {
    const url = root.dataset.jobState

    function later (delay) {
      window.setTimeout(poll, delay)
    }

    function poll () {
      window.fetch(url, {
        headers: { Accept: 'application/json' },
        credentials: 'same-origin',
        cache: 'no-store'
      }).then((response) => {
        // Busy (503: the database held by a long write, 429, a proxy's 502/504) or a
        // passing server fault: the job goes on, so ask again shortly.
        if (response.status === 429 || response.status >= 500) return BUSY
        const json = (response.headers.get('Content-Type') || '').includes('application/json')
        // Signed out (the sign-in page) or no longer visible: stop and say so.
        if (!response.ok || !json) return null
        return response.json()
      }).then((state) => {
        if (state === BUSY) {
          later(RETRY)
          return
        }
        if (!state) {
          lost(root)
          return
        }
        draw(root, state)
        if (!state.finished) {
          later(INTERVAL)
        } else if (state.result && root.dataset.jobFollow === 'true') {
          window.location.assign(state.result.url)
        }
      }, () => later(RETRY)) // the network or the server is away for a moment
    }

    later(INTERVAL)
  }

  for (const root of document.querySelectorAll('[data-job-state]')) {
    if (root.dataset.jobFinished !== 'true') follow(root)
  }
})()
