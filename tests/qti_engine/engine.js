// Test-only: an independent QTI 3 scoring engine for tests/browser/test_qti_independent.py.
//
// Cito's qti-components (npm @citolab/qti-components, GPL-3.0, pinned in
// package-lock.json) implement QTI 3 items as custom elements that run response
// processing in the browser. Bundled by `make test` (esbuild) into dist/qti-engine.js,
// which defines window.QtiEngine. Nothing here is part of itembank or shipped with it.
//
// The test page loads many items at once (load), then for each item gives it one response
// after another as its interactions do (a `qti-interaction-response` event naming the
// response variable), runs the item element's own processResponse() and reads the SCORE
// outcome it stored (score).

import '@citolab/qti-components'
import { qtiTransformItem } from '@citolab/qti-components/qti-transformers'
import engineInfo from '@citolab/qti-components/package.json'

const items = new Map()
const nativeToLocaleString = Number.prototype.toLocaleString

// The engine stores every number an outcome is set to as text made by
// Number.prototype.toLocaleString() without arguments (its convertNumberToUniversalFormat),
// which keeps at most three decimals and groups thousands: 5/3 is stored as "1.667".
// With `on`, exactly those argument-less calls give the number's shortest exact text
// (String(n), "1.6666666666666667"), so the value the engine computed reaches the
// outcome unchanged; calls with a locale or options are untouched. Nothing else of the
// engine is changed. `off` restores the browser's own method.
function exactNumbers(on) {
  Number.prototype.toLocaleString = on
    ? function (...args) {
        return args.length ? nativeToLocaleString.apply(this, args) : String(Number(this))
      }
    : nativeToLocaleString
}

function container() {
  let element = document.getElementById('items')
  if (!element) {
    element = document.createElement('div')
    element.id = 'items'
    document.body.appendChild(element)
  }
  return element
}

function variablesOf(item) {
  return item.variables.map((v) => ({
    identifier: v.identifier,
    type: v.type,
    value: v.value,
    externalScored: v.externalScored ?? null,
  }))
}

// Adds each {id, xml} item (a QTI 3 item document as text) to the page. Returns, per id,
// the variables the engine declared with their initial values, so the test can see that
// the engine read the declarations.
async function load(documents) {
  const declared = {}
  for (const { id, xml } of documents) {
    if (items.has(id)) throw new Error(`${id}: loaded twice`)
    const fragment = qtiTransformItem().parse(xml).htmlDoc()
    const item = fragment.querySelector('qti-assessment-item')
    if (!item) throw new Error(`${id}: no qti-assessment-item in the document`)
    container().appendChild(fragment)
    await item.updateComplete
    // A template (match_correct, map_response) becomes rules once this element has
    // rendered for the first time.
    const processing = item.querySelector('qti-response-processing')
    if (processing) await processing.updateComplete
    items.set(id, item)
    declared[id] = variablesOf(item)
  }
  return declared
}

// Runs item `id` for each response (the value of its RESPONSE variable: null, a string or
// an array of strings; directed pairs as "P1 R2"). Returns, per response, whether the
// engine found response processing to run and the SCORE outcome it stored afterwards.
function sameValue(held, given) {
  return JSON.stringify(held ?? null) === JSON.stringify(given ?? null)
}

// A response is the value of RESPONSE, or (an item with several response variables, such
// as a composite item's parts) an object giving each variable's value by its identifier.
function score(id, responses) {
  const item = items.get(id)
  if (!item) throw new Error(`${id}: not loaded`)
  return responses.map((value) => {
    const several = value !== null && typeof value === 'object' && !Array.isArray(value)
    const given = several ? Object.entries(value) : [['RESPONSE', value]]
    for (const [identifier, response] of given) {
      item.dispatchEvent(
        new CustomEvent('qti-interaction-response', {
          bubbles: true,
          composed: true,
          detail: { responseIdentifier: identifier, response },
        }),
      )
      if (!sameValue(item.getResponse(identifier).value, response)) {
        throw new Error(`${id}: the engine did not take the response ${JSON.stringify(response)}`)
      }
    }
    const processed = item.processResponse(false, false)
    return { processed, score: item.getOutcome('SCORE').value }
  })
}

window.QtiEngine = {
  name: engineInfo.name,
  version: engineInfo.version,
  exactNumbers,
  load,
  score,
}
