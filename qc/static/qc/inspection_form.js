// The inspection form: "every pass/fail test passed" fills in Pass and 0 defects where nothing is entered yet
// (fields with data-conform-value); measured values are never filled in.
(function () {
  "use strict";
  document.querySelectorAll("[data-all-conform]").forEach(function (button) {
    button.addEventListener("click", function () {
      var form = button.closest("form");
      form.querySelectorAll("[data-conform-value]").forEach(function (field) {
        if (!field.value) { field.value = field.getAttribute("data-conform-value"); }
      });
    });
  });
}());
