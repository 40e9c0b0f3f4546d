/**
 * `pluto-rt.js`, loaded by the scripts partial; it works with either htmx major. Every item
 * must appear once whatever path a reconnect takes. The server resumes after the cursor it
 * is given; this keeps the cursor of each stream element equal to the last event it showed
 * (`data-pluto-rt-last`) and drops an event it has shown already.
 *
 * - htmx 2 + htmx-ext-sse: a failed EventSource is replaced by a new one, which sends no
 *   Last-Event-ID and reads `sse-connect` again: that URL keeps `&after=<cursor>`.
 * - htmx 4 (hx-sse): reconnects send the Last-Event-ID header, set here to the last shown.
 *
 * A cursor is a stream id, or for a group one per queue joined by `.` (`done` for a queue
 * that ended): an event is new if any of its parts is past the one shown. Events with an
 * empty id (notices) are not positions in the stream and always pass.
 */
export const CLIENT_SCRIPT = `(function () {
  'use strict';
  function position(part) {
    if (part === 'done') return [Infinity, 0];
    var dash = part.indexOf('-');
    return dash < 0 ? [Number(part), 0] : [Number(part.slice(0, dash)), Number(part.slice(dash + 1))];
  }
  function newer(a, b) {
    var x = a.split('.'), y = b.split('.');
    if (x.length !== y.length) return true;
    for (var i = 0; i < x.length; i++) {
      var p = position(x[i]), q = position(y[i]);
      if (p[0] > q[0] || (p[0] === q[0] && p[1] > q[1])) return true;
    }
    return false;
  }
  function hostOf(target) {
    return target && target.closest ? target.closest('.pluto-rt-sse') : null;
  }
  function isNew(host, id) {
    var last = host.getAttribute('data-pluto-rt-last');
    if (last && !newer(id, last)) return false;
    host.setAttribute('data-pluto-rt-last', id);
    return true;
  }
  document.addEventListener('htmx:sseBeforeMessage', function (event) {
    var host = hostOf(event.target);
    var id = event.detail && event.detail.lastEventId;
    if (!host || !id || event.detail.type !== 'message') return;
    if (!isNew(host, id)) return event.preventDefault();
    var url = new URL(host.getAttribute('sse-connect'), window.location.href);
    url.searchParams.set('after', id);
    host.setAttribute('sse-connect', url.pathname + url.search);
  });
  document.addEventListener('htmx:sse:before:message', function (event) {
    var host = hostOf(event.target);
    var message = event.detail.message;
    if (!host || message.event || !message.id) return;
    if (!isNew(host, message.id)) event.preventDefault();
  });
  document.addEventListener('htmx:sse:before:connection', function (event) {
    var host = hostOf(event.target);
    var last = host && host.getAttribute('data-pluto-rt-last');
    if (last && event.detail.connection.attempt > 0) event.detail.connection.lastEventId = last;
  });
})();
`;
