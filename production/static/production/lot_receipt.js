// The receipt of a material lot (production/materiallot_form.html): a scan of the supplier's GS1 label in the scan
// field (lims/static/lims/scan.js reports it with a "scan:done" event) fills in the material, the supplier lot and
// the expiry date, read by the server (GET data-receipt-scan?scan=…, production.scanning.receipt_from_scan).
// A bad scan shows the server's sentence naming the part that is wrong and fills in nothing.
(function () {
  "use strict";
  var form = document.querySelector("form[data-lot-receipt]");
  var status = document.getElementById("receipt-scan-status");
  if (!form || !status) { return; }
  var input = form.querySelector("input[data-receipt-scan]");
  if (!input) { return; }

  function show(kind, text) {
    var box = document.createElement("div");
    box.className = "alert py-2 " + (kind === "error" ? "alert-danger" : "alert-success");
    box.setAttribute(kind === "error" ? "data-scan-error" : "data-scan-filled", "");
    if (kind === "error") { box.setAttribute("role", "alert"); }
    box.textContent = text;
    status.replaceChildren(box);
    input.classList.toggle("is-invalid", kind === "error");
  }

  function fill(name, value) {
    var field = form.elements[name];
    if (!field || value === "" || value === null || value === undefined) { return; }
    field.value = String(value);
    field.dispatchEvent(new Event("change", { bubbles: true }));
  }

  input.addEventListener("scan:done", function () {
    var text = input.value;
    if (!text) { return; }
    var url = input.getAttribute("data-receipt-scan") + "?scan=" + encodeURIComponent(text);
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (answer) {
      if (!answer.ok) { show("error", answer.detail || status.getAttribute("data-msg-failed")); return; }
      fill("material", answer.material);
      fill("supplier_lot", answer.supplier_lot);
      fill("expiry_date", answer.expiry_date);
      show("filled", answer.message);
      var next = answer.expiry_date ? form.elements.quantity : form.elements.expiry_date;
      if (next) { next.focus(); }
    }).catch(function () { show("error", status.getAttribute("data-msg-failed")); });
  });
}());
