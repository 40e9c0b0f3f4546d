// Shows each stream's state in its panel (data-stream on [data-stream-panel]): connecting,
// live, finished, reconnecting or error. Only for the badge: the pluto_rt partials need no
// script. htmx 2 and htmx 4 name their events differently; both are listened to.
(function () {
  function mark(el, state) {
    var panel = el && el.closest ? el.closest('[data-stream-panel]') : null;
    if (panel) panel.setAttribute('data-stream', state);
  }
  function on(names, handler) {
    names.forEach(function (name) {
      document.addEventListener(name, handler);
    });
  }
  // A stream element that received a notice (expired, refused) stopped without finishing.
  function ended(el) {
    mark(el, el.querySelector('.pluto-rt-notice') ? 'stopped' : 'finished');
  }
  on(['htmx:sseOpen', 'htmx:sse:after:connection'], function (e) {
    mark(e.target, 'live');
  });
  on(['htmx:sseError', 'htmx:sse:error'], function (e) {
    mark(e.target, 'reconnecting');
  });
  document.addEventListener('htmx:sseClose', function (e) {
    if (e.detail.type === 'message') ended(e.target);
  });
  document.addEventListener('htmx:sse:close', function (e) {
    if (e.detail.reason === 'message') ended(e.target);
  });
  // A poller is replaced by each answer. htmx 2 re-fires its event on the element around it
  // (requestConfig.elt is still the poller); htmx 4 fires before the swap, on the poller.
  // The last answer (286) may carry a notice instead of items: then it stopped.
  function polled(poller, status, body, target) {
    if (!poller || !poller.classList.contains('pluto-rt-poller')) return;
    if (status === 286) mark(target, /pluto-rt-notice/.test(body) ? 'stopped' : 'finished');
    else mark(target, status < 400 ? 'live' : 'error');
  }
  document.addEventListener('htmx:afterRequest', function (e) {
    var config = e.detail.requestConfig;
    polled(config && config.elt, e.detail.xhr.status, e.detail.xhr.responseText, e.target);
  });
  document.addEventListener('htmx:after:request', function (e) {
    var ctx = e.detail.ctx;
    polled(ctx.sourceElement, ctx.response ? ctx.response.status : 0, ctx.text || '', e.target);
  });
})();
