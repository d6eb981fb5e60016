// Behaviour without inline script (Content-Security-Policy: script-src 'self').
(function () {
  "use strict";
  // Forms that submit when a select changes (the language switcher).
  document.querySelectorAll("form.js-autosubmit select").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });
  // Buttons asking for confirmation: <button data-confirm="...">.
  document.querySelectorAll("[data-confirm]").forEach(function (el) {
    el.addEventListener("click", function (ev) {
      if (!window.confirm(el.getAttribute("data-confirm"))) { ev.preventDefault(); }
    });
  });
  // A dialog opens with the focus on its first field (the signing dialog: the first field it asks for — a
  // decision or a reason field it adds, else the user name), not on the dialog itself.
  document.querySelectorAll(".modal").forEach(function (modal) {
    modal.addEventListener("shown.bs.modal", function () {
      var fields = ".modal-body input:not([type=hidden]):not([disabled]), .modal-body select:not([disabled]), .modal-body textarea:not([disabled])";
      var first = modal.querySelector(fields) || modal.querySelector("[data-autofocus]");
      if (first) { first.focus(); }
    });
  });
  // Charts: <canvas data-chart="id-of-json-script"> with the Chart.js config in a json_script element.
  if (window.Chart) {
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var source = document.getElementById(canvas.getAttribute("data-chart"));
      if (!source) { return; }
      var config = JSON.parse(source.textContent);
      config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, config.options || {});
      new window.Chart(canvas, config);
    });
  }
}());
