// The API's documentation page (/api/v1/docs): Swagger UI over the app's OpenAPI
// document, whose address the page gives in data-spec-url. A file rather than an inline
// script, so the page keeps the site's Content-Security-Policy (script-src 'self').
window.addEventListener('DOMContentLoaded', () => {
  const container = document.getElementById('swagger-ui-container')
  window.ui = window.SwaggerUIBundle({ url: container.dataset.specUrl, dom_id: '#swagger-ui-container' })
})
