// The new-batch form: choosing a product fills in the line and planned quantity of its last batch
// (<select data-batch-defaults="id of a json_script">); a value the person typed is kept.
(function () {
  "use strict";
  document.querySelectorAll("select[data-batch-defaults]").forEach(function (select) {
    var source = document.getElementById(select.getAttribute("data-batch-defaults"));
    if (!source || !select.form) { return; }
    var defaults = JSON.parse(source.textContent);
    var line = select.form.elements.line, quantity = select.form.elements.planned_quantity;
    var filled = {};
    select.addEventListener("change", function () {
      var d = defaults[select.value];
      if (!d) { return; }
      if (line && (!line.value || filled.line === line.value)) { line.value = String(d.line); filled.line = line.value; }
      if (quantity && (!quantity.value || filled.quantity === quantity.value)) {
        quantity.value = String(d.planned_quantity); filled.quantity = quantity.value;
      }
    });
  });
}());
