// Shared by the reference pages: URL parameters and the in-page counters the
// benchmark reads (window.__bench). Times are performance.now() in the page.
window.__params = new URLSearchParams(location.search)
window.__bench = { count: 0, first: NaN, last: NaN, done: false, error: null }
window.__onMessage = function () {
  const now = performance.now()
  const b = window.__bench
  if (b.count === 0) b.first = now
  b.count++
  b.last = now
}
