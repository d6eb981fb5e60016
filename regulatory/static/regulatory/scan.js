// Scan fields (<textarea data-gs1-scan>): a keyboard-wedge scanner types GS1's group separator (0x1D) between
// variable-length elements; the input-hygiene layer refuses raw control characters, so it is sent as "<GS>",
// which lims.scan reads back as the separator.
(function () {
  "use strict";
  document.querySelectorAll("[data-gs1-scan]").forEach(function (field) {
    var rewrite = function () {
      if (field.value.indexOf("\u001d") !== -1) { field.value = field.value.split("\u001d").join("<GS>"); }
    };
    field.addEventListener("input", rewrite);
    if (field.form) { field.form.addEventListener("submit", rewrite); }
  });
}());
