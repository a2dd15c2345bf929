// Live updates for the dashboard: the server sends a "change" event when what the pages show changed;
// the page then fetches itself and swaps its <main>. The stream closes while the tab is hidden and
// reopens on return, naming the last state it saw, so it catches up at once. Without EventSource, or
// after repeated stream errors, the page polls instead. Confirmation of state-changing forms lives here
// too, as the Content-Security-Policy allows no inline script.
(function () {
  "use strict";
  var root = document.documentElement;
  var stream = root.getAttribute("data-stream");
  var pollMs = 10000;
  var source = null;
  var last = null;
  var failures = 0;
  var poller = null;

  function refresh() {
    return fetch(window.location.href, { headers: { "Accept": "text/html" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var next = new DOMParser().parseFromString(html, "text/html").querySelector("main");
        var current = document.querySelector("main");
        if (next && current && !current.contains(document.activeElement)) { current.replaceWith(next); }
        else if (next && current) { current.setAttribute("data-stale", "true"); }
      })
      .catch(function () { });
  }

  function poll() {
    if (poller) { return; }
    root.setAttribute("data-live", "polling");
    poller = window.setInterval(function () { if (!document.hidden) { refresh(); } }, pollMs);
  }

  function open() {
    if (!stream || !window.EventSource) { poll(); return; }
    source = new EventSource(stream + (last ? "?last=" + encodeURIComponent(last) : ""));
    source.addEventListener("open", function () { failures = 0; root.setAttribute("data-live", "on"); });
    source.addEventListener("change", function (e) {
      var previous = last;
      last = e.lastEventId;
      if (previous !== null && previous !== last) { refresh(); }
    });
    source.addEventListener("error", function () {
      failures += 1;
      if (failures >= 3) { source.close(); source = null; poll(); }
    });
  }

  document.addEventListener("visibilitychange", function () {
    if (document.hidden) {
      if (source) { source.close(); source = null; root.setAttribute("data-live", "paused"); }
    } else if (!source && !poller) {
      open(); // its first event says whether anything changed while the tab was hidden
    }
  });

  document.addEventListener("submit", function (e) {
    var form = e.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { e.preventDefault(); }
  });

  root.setAttribute("data-script", "loaded");
  open();
})();
