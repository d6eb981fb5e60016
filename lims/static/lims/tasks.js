// Progress of background tasks: polls <div class="js-task" data-status-url> every second until the run ends
// (no inline script: Content-Security-Policy script-src 'self').
(function () {
  "use strict";
  function show(el, on) { el.classList.toggle("d-none", !on); }
  var lang = document.documentElement.lang || undefined;
  function count(n) { return Number(n).toLocaleString(lang); }
  function poll(box) {
    var url = box.getAttribute("data-status-url");
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (s) {
        box.querySelector("progress").value = s.percent;
        box.querySelector("progress").textContent = s.percent + " %";
        box.querySelector(".js-task-state").textContent = s.state_display;
        box.querySelector(".js-task-count").textContent = s.total ? count(s.done) + " / " + count(s.total) : "";
        box.querySelector(".js-task-message").textContent = s.message;
        var err = box.querySelector(".js-task-error");
        err.textContent = s.error; show(err, !!s.error);
        var dl = box.querySelector(".js-task-download"), link = box.querySelector(".js-task-link");
        if (s.download_url) { dl.href = s.download_url; }
        if (s.result_url) { link.href = s.result_url; }
        show(dl, !!s.download_url); show(link, !!s.result_url);
        show(box.querySelector(".js-task-result"), !!(s.download_url || s.result_url));
        if (!s.finished) { window.setTimeout(function () { poll(box); }, 1000); }
      })
      .catch(function () { window.setTimeout(function () { poll(box); }, 5000); });
  }
  document.querySelectorAll(".js-task").forEach(function (box) {
    if (box.querySelector(".js-task-state") && !box.hasAttribute("data-finished")) { poll(box); }
  });
}());
