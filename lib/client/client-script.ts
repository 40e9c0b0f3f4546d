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
 *
 * When a queue ends with something to say (failed, cancelled, a message: the `end` event
 * before `close`), it marks the element (`data-pluto-rt-state`) and shows a line in it.
 *
 * It also keeps routed targets bounded: an element's `data-pluto-rt-keep`
 * (`[[selector, keep, mode], ...]`) says how many child elements each target keeps; the
 * oldest (first, or last in reverse mode) go, however the items arrived. On htmx 2 it
 * morphs the partials the server marks (`template[data-pluto-rt-morph]`) with Idiomorph; on
 * htmx 4, which finds every partial's target before it swaps the first, it makes the ones
 * the server marks (`template[data-pluto-rt-at]`) find theirs at their turn, after the
 * partials before them in the message. On htmx 4 it also lets a task end between two
 * messages that arrived in one read, so that a burst does not hold the main thread.
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
  var channel = new MessageChannel(), waiting = [], swapping = false;
  channel.port1.onmessage = function () { waiting.shift()(); };
  function nextTask() {
    return new Promise(function (resolve) { waiting.push(resolve); channel.port2.postMessage(0); });
  }
  function swapsInThisTask() {
    swapping = true;
    nextTask().then(function () { swapping = false; });
  }
  var LABELS = { complete: 'Finished', failed: 'Failed', cancelled: 'Cancelled' };
  function ended(host, type, data) {
    if (type === 'close' && !host.hasAttribute('data-pluto-rt-state'))
      host.setAttribute('data-pluto-rt-state', data);
    if (type !== 'end' || host.querySelector(':scope > .pluto-rt-ended')) return;
    var end;
    try { end = JSON.parse(data); } catch (e) { return; }
    if (!LABELS[end.reason]) return;
    host.setAttribute('data-pluto-rt-state', end.reason);
    var line = document.createElement('p');
    line.className = 'pluto-rt-ended';
    line.setAttribute('role', 'status');
    line.setAttribute('data-reason', end.reason);
    line.textContent = LABELS[end.reason] + (end.message === undefined ? '' : ': ' + end.message);
    host.appendChild(line);
  }
  document.addEventListener('htmx:sseOpen', function (event) {
    var host = hostOf(event.target), source = event.detail && event.detail.source;
    if (!host || !source) return;
    ['end', 'close'].forEach(function (type) {
      source.addEventListener(type, function (e) { ended(host, type, e.data); });
    });
  });
  document.addEventListener('htmx:sse:before:message', function (event) {
    var host = hostOf(event.target);
    var message = event.detail.message;
    if (host && (message.event === 'end' || message.event === 'close'))
      ended(host, message.event, message.data);
    if (!host || message.event || !message.id) return;
    if (!isNew(host, message.id)) return event.preventDefault();
    // hx-sse swaps every message of one network read in one task: let the page breathe
    // between them (a burst comes as several events of at most 100 items).
    if (swapping) event.detail.waitUntil(nextTask().then(swapsInThisTask));
    else swapsInThisTask();
  });
  document.addEventListener('htmx:sse:before:connection', function (event) {
    var host = hostOf(event.target);
    var last = host && host.getAttribute('data-pluto-rt-last');
    if (last && event.detail.connection.attempt > 0) event.detail.connection.lastEventId = last;
  });
  function trim() {
    var hosts = document.querySelectorAll('[data-pluto-rt-keep]');
    for (var h = 0; h < hosts.length; h++) {
      var kept;
      try { kept = JSON.parse(hosts[h].getAttribute('data-pluto-rt-keep')); } catch (e) { continue; }
      for (var k = 0; k < kept.length; k++) {
        var targets = document.querySelectorAll(kept[k][0]);
        for (var t = 0; t < targets.length; t++) {
          var target = targets[t], keep = kept[k][1], fromEnd = kept[k][2] === 'reverse';
          while (target.childElementCount > keep)
            (fromEnd ? target.lastElementChild : target.firstElementChild).remove();
        }
      }
    }
  }
  function watch() {
    trim();
    new MutationObserver(trim).observe(document.body, { childList: true, subtree: true });
  }
  if (document.body) watch();
  else document.addEventListener('DOMContentLoaded', watch);
  document.addEventListener('htmx:partialBeforeSwap', function (event) {
    var fragment = event.detail.fragment;
    var mark = fragment.firstElementChild;
    if (!mark || !mark.matches('template[data-pluto-rt-morph]')) return;
    mark.remove();
    if (typeof Idiomorph === 'undefined') return;
    event.detail.shouldSwap = false;
    var parent = event.detail.target.parentElement;
    Idiomorph.morph(event.detail.target, fragment, { morphStyle: 'outerHTML' });
    if (parent && window.htmx) window.htmx.process(parent);
  });
  document.addEventListener('htmx:before:swap', function (event) {
    var tasks = event.detail.tasks || [];
    for (var i = 0; i < tasks.length; i++) {
      var mark = tasks[i].type === 'partial' && tasks[i].fragment.firstElementChild;
      if (!mark || !mark.matches('template[data-pluto-rt-at]')) continue;
      tasks[i].target = mark.getAttribute('data-pluto-rt-at');
      mark.remove();
    }
  });
})();
`;
