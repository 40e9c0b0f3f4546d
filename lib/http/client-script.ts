/**
 * `pluto-rt.js`, loaded by the scripts partial after htmx. htmx-ext-sse 2 answers a
 * failed connection by opening a new EventSource, which sends no Last-Event-ID: the server
 * would replay the queue from the start. This keeps each SSE element's `sse-connect` URL
 * pointing after the last item it showed (`&after=<id>`), and drops any item it has
 * shown already, so every item appears exactly once whatever the reconnect path.
 */
export const CLIENT_SCRIPT = `(function () {
  'use strict';
  function newer(a, b) {
    var x = a.split('-'), y = b.split('-');
    var msA = Number(x[0]), msB = Number(y[0]);
    return msA !== msB ? msA > msB : Number(x[1]) > Number(y[1]);
  }
  document.addEventListener('htmx:sseBeforeMessage', function (event) {
    var host = event.target && event.target.closest && event.target.closest('.pluto-rt-sse');
    var id = event.detail && event.detail.lastEventId;
    if (!host || !id || event.detail.type !== 'message') return;
    var last = host.getAttribute('data-pluto-rt-last');
    if (last && !newer(id, last)) {
      event.preventDefault();
      return;
    }
    host.setAttribute('data-pluto-rt-last', id);
    var url = new URL(host.getAttribute('sse-connect'), window.location.href);
    url.searchParams.set('after', id);
    host.setAttribute('sse-connect', url.pathname + url.search);
  });
})();
`;
