// Live updates for the dashboard: the server sends a "change" event whose id names the state of what the
// pages show; when it differs from the state this page was rendered at, the page fetches itself and swaps
// its <main> (not while a form in it holds text or focus: it is marked stale and tried again on the next
// event). The stream closes while the tab is hidden and reopens on return naming the last state seen, so
// its first event says at once whether anything changed. Without EventSource, or when the stream is
// refused or keeps failing, the page polls instead. Confirmation of state-changing forms lives here too,
// as the Content-Security-Policy allows no inline script.
(function () {
  "use strict";
  var root = document.documentElement;
  var stream = root.getAttribute("data-stream");
  var last = root.getAttribute("data-state") || null;
  var pollMs = 10000;
  var source = null;
  var failures = 0;
  var poller = null;
  var refreshing = false;
  var again = false;

  function busy(main) {
    if (main.contains(document.activeElement) && document.activeElement !== document.body) { return true; }
    return Array.prototype.some.call(main.querySelectorAll("textarea, input[type=text]"), function (f) { return f.value.trim() !== ""; });
  }

  // Resolves true when the page now shows the server's state.
  function refresh() {
    if (refreshing) { again = true; return Promise.resolve(false); }
    refreshing = true;
    return fetch(window.location.href, { headers: { "Accept": "text/html" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) { return false; }
        var parsed = new DOMParser().parseFromString(html, "text/html");
        var next = parsed.querySelector("main");
        var current = document.querySelector("main");
        if (!next || !current) { return false; }
        if (busy(current)) { current.setAttribute("data-stale", "true"); return false; }
        current.replaceWith(next);
        return true;
      })
      .catch(function () { return false; })
      .then(function (done) {
        refreshing = false;
        if (again) { again = false; return refresh(); }
        return done;
      });
  }

  function poll() {
    if (poller) { return; }
    if (source) { source.close(); source = null; }
    root.setAttribute("data-live", "polling");
    poller = window.setInterval(function () { if (!document.hidden) { refresh(); } }, pollMs);
  }

  function open() {
    if (root.getAttribute("data-live") === "off") { return; } // a message page: its URL answered a post
    if (!stream || !window.EventSource) { poll(); return; }
    source = new EventSource(stream + (last ? "?last=" + encodeURIComponent(last) : ""));
    source.addEventListener("open", function () { failures = 0; root.setAttribute("data-live", "on"); });
    source.addEventListener("change", function (e) {
      var seen = e.lastEventId;
      if (last === null) { last = seen; return; }
      if (seen === last) { return; }
      refresh().then(function (done) { if (done) { last = seen; } });
    });
    source.addEventListener("error", function () {
      failures += 1;
      // A refused stream (signed out, forbidden, a server error) is closed for good: poll instead.
      if (!source || source.readyState === EventSource.CLOSED || failures >= 3) { poll(); }
    });
  }

  document.addEventListener("visibilitychange", function () {
    if (document.hidden) {
      if (source) { source.close(); source = null; root.setAttribute("data-live", "paused"); }
    } else if (!source && !poller && root.getAttribute("data-live") !== "off") {
      open();
    }
  });

  document.addEventListener("submit", function (e) {
    var question = e.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { e.preventDefault(); }
  });

  root.setAttribute("data-script", "loaded");
  open();
})();
