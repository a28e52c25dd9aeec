// The dashboard's own script (a file, so the CSP can forbid inline scripts): QR countdowns,
// copy buttons and confirmations. Everything works without it but the countdown.
;(function () {
  function tick() {
    document.querySelectorAll('[data-expires-at]').forEach(function (el) {
      var left = Math.max(0, Math.round((Number(el.getAttribute('data-expires-at')) - Date.now()) / 1000))
      el.textContent = left > 0 ? 'expires in ' + left + ' s' : 'expired, waiting for a new code…'
    })
  }
  setInterval(tick, 1000)
  document.addEventListener('htmx:afterSwap', tick)
  document.addEventListener('DOMContentLoaded', tick)
  document.addEventListener('click', function (event) {
    var copy = event.target.closest('[data-copy]')
    if (copy && navigator.clipboard) navigator.clipboard.writeText(copy.getAttribute('data-copy'))
  })
  document.addEventListener('submit', function (event) {
    var message = event.target.getAttribute('data-confirm')
    if (message && !window.confirm(message)) event.preventDefault()
  })
})()
