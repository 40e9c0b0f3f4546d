// Shows each stream's state in its panel (data-stream on [data-stream-panel]): connecting,
// live, finished, reconnecting or error. Only for the badge: the pluto_rt partials need no script.
(function () {
  function mark(el, state) {
    var panel = el && el.closest ? el.closest('[data-stream-panel]') : null;
    if (panel) panel.setAttribute('data-stream', state);
  }
  document.addEventListener('htmx:sseOpen', function (e) {
    mark(e.target, 'live');
  });
  document.addEventListener('htmx:sseError', function (e) {
    mark(e.target, 'reconnecting');
  });
  document.addEventListener('htmx:sseClose', function (e) {
    if (e.detail.type === 'message') mark(e.target, 'finished');
  });
  // A poller is replaced by each answer, so htmx re-fires this on the element around it
  // (detail.elt is then that element; requestConfig.elt is still the poller).
  document.addEventListener('htmx:afterRequest', function (e) {
    var poller = e.detail.requestConfig && e.detail.requestConfig.elt;
    if (!poller || !poller.classList.contains('pluto-rt-poller')) return;
    var status = e.detail.xhr.status;
    mark(e.target, status === 286 ? 'finished' : e.detail.successful ? 'live' : 'error');
  });
})();
