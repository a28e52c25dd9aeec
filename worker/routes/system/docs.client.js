// Starts Redoc on the docs page (a file: the page's CSP allows no inline script).
;(function () {
  var root = document.getElementById('redoc')
  var fonts = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif'
  window.Redoc.init(
    root.getAttribute('data-spec-url'),
    {
      expandResponses: '200,201,202',
      jsonSampleExpandLevel: 3,
      hideDownloadButton: false,
      theme: {
        colors: { primary: { main: '#0a7d5a' } },
        typography: { fontFamily: fonts, headings: { fontFamily: fonts }, code: { fontFamily: 'ui-monospace, monospace' } },
        sidebar: { width: '280px' },
      },
    },
    root,
  )
})()
