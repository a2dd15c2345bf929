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
        draw();
        follow();
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

  // A run's progress and resources (LiveRunView), followed while it runs: frames at most once a second, the
  // first with every sample and the next ones with the new samples only; the charts are redrawn from them into
  // whatever <main> shows now (a refresh may have replaced it). Closed while the tab is hidden; on return the
  // stream starts again with every sample. The server ends it when the run ends.
  var runSource = null;
  var series = [];
  var W = 300, H = 80;
  function bytes(v) { return v >= 1073741824 ? (v / 1073741824).toFixed(1) + " GiB" : Math.round(v / 1048576) + " MiB"; }
  function percent(v) { return Math.round(v) + " %"; }
  var charts = [
    { key: "cpu", max: 100, format: percent }, { key: "memory", format: bytes }, { key: "heap", format: bytes },
    { key: "gpu", max: 100, format: percent }, { key: "gpumemory", format: bytes }
  ];

  function draw() {
    charts.forEach(function (c) {
      var figure = document.getElementById("chart-" + c.key);
      var points = series.filter(function (s) { return s[c.key] !== null && s[c.key] !== undefined; });
      if (!figure || points.length === 0) { return; }
      figure.hidden = false;
      var first = points[0].t, span = Math.max(1, points[points.length - 1].t - first);
      var top = c.max || Math.max(1, Math.max.apply(null, points.map(function (p) { return p[c.key]; })) * 1.1);
      var text = points.map(function (p) {
        var x = (p.t - first) / span * W, y = H - Math.min(1, Math.max(0, p[c.key] / top)) * H;
        return x.toFixed(1) + "," + y.toFixed(1);
      }).join(" ");
      var svg = figure.querySelector("svg");
      svg.querySelector("polyline").setAttribute("points", text);
      svg.setAttribute("data-points", String(points.length));
      figure.querySelector(".value").textContent = c.format(points[points.length - 1][c.key]);
    });
  }

  function frame(f) {
    if (f.reset) { series = []; }
    series = series.concat(f.samples);
    if (series.length > 3600) { series = series.slice(series.length - 3600); }
    var bar = document.getElementById("live-progress");
    if (bar && f.percent !== null) { bar.value = f.percent; }
    var summary = document.getElementById("live-summary");
    if (summary) { summary.textContent = f.summary; }
    var message = document.getElementById("live-message");
    if (message) { message.textContent = f.message; }
    var section = document.getElementById("live");
    if (section) { section.setAttribute("data-active", f.active ? "true" : "false"); }
    var log = document.getElementById("live-log");
    if (log) {
      if (f.reset) { log.textContent = ""; }
      // Text only: a line may carry a model's or a user's words.
      f.log.forEach(function (line) { log.appendChild(document.createTextNode(line + "\n")); });
      while (log.childNodes.length > 400) { log.removeChild(log.firstChild); }
    }
    draw();
  }

  function follow() {
    var section = document.querySelector("[data-live-run]");
    if (!section || runSource || !window.EventSource || document.hidden || section.getAttribute("data-active") === "false") { return; }
    runSource = new EventSource(section.getAttribute("data-live-run"));
    runSource.addEventListener("progress", function (e) { frame(JSON.parse(e.data)); });
    // The end of the run ends the stream; a refused or broken one is not retried until the page changes.
    runSource.addEventListener("error", function () { if (runSource) { runSource.close(); runSource = null; } });
  }

  document.addEventListener("visibilitychange", function () {
    if (document.hidden) {
      if (source) { source.close(); source = null; root.setAttribute("data-live", "paused"); }
      if (runSource) { runSource.close(); runSource = null; }
    } else {
      if (!source && !poller && root.getAttribute("data-live") !== "off") { open(); }
      follow();
    }
  });

  document.addEventListener("submit", function (e) {
    var question = e.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { e.preventDefault(); }
  });

  root.setAttribute("data-script", "loaded");
  open();
  follow();
})();
