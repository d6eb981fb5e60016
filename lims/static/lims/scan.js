// The scan field (lims/includes/scan_field.html, lims/scan_fields.py) — no inline script (CSP: script-src 'self').
//
// Keyboard-wedge scanners type the symbol's data and send the GS1 group separator (FNC1 between variable-length
// element strings) as Ctrl+] (keyCode 29 on some set-ups): it becomes U+001D in the value, where the server reads
// it (lims/scan.py). A configured prefix and suffix are dropped; Enter (or the suffix) ends the scan and submits
// the form (data-scan-submit) or moves to the next scan field (data-scan-next). The camera button decodes the
// symbol with the locally served ZXing decoder (lims/static/vendor/zxing/), loaded only when first used.
(function () {
  "use strict";
  if (window.limsScanField) { return; }
  window.limsScanField = true;
  var GS = "\u001d";

  function setting(input, name) {
    try { return JSON.parse(input.getAttribute("data-scan-" + name) || "\"\"") || ""; } catch (e) { return ""; }
  }

  function insertAtCaret(input, text) {
    var start = input.selectionStart, end = input.selectionEnd;
    if (typeof start !== "number") { input.value += text; return; }
    input.value = input.value.slice(0, start) + text + input.value.slice(end);
    input.selectionStart = input.selectionEnd = start + text.length;
  }

  function cleaned(input) {
    var value = input.value.replace(/^[ \r\n\t]+|[ \r\n\t]+$/g, "");
    var prefix = setting(input, "prefix"), suffix = setting(input, "suffix");
    if (prefix && value.indexOf(prefix) === 0) { value = value.slice(prefix.length); }
    if (suffix && value.length >= suffix.length && value.slice(-suffix.length) === suffix) {
      value = value.slice(0, value.length - suffix.length);
    }
    if (value.charAt(0) === GS) { value = value.slice(1); } // a leading FNC1 reported as GS
    return value;
  }

  function scanInputs(input) {
    var scope = input.form || document;
    return Array.prototype.slice.call(scope.querySelectorAll("input[data-scan]"));
  }

  function finish(input) {
    input.value = cleaned(input);
    input.dispatchEvent(new CustomEvent("scan:done", { bubbles: true, detail: { value: input.value } }));
    if (input.hasAttribute("data-scan-next")) {
      var all = scanInputs(input), next = all[all.indexOf(input) + 1];
      if (next) { next.focus(); next.select(); return; }
      var submit = input.form && input.form.querySelector("[type=submit]");
      if (submit) { submit.focus(); }
      return;
    }
    if (input.hasAttribute("data-scan-submit") && input.form && input.value) {
      if (input.form.requestSubmit) { input.form.requestSubmit(); } else { input.form.submit(); }
    }
  }

  function isGroupSeparator(ev) {
    if (ev.key === GS || ev.keyCode === 29 || ev.which === 29) { return true; }
    return ev.ctrlKey && !ev.altKey && !ev.metaKey &&
      (ev.key === "]" || ev.code === "BracketRight" || ev.keyCode === 221);
  }

  document.addEventListener("keydown", function (ev) {
    var input = ev.target;
    if (!input || !input.hasAttribute || !input.hasAttribute("data-scan")) { return; }
    if (isGroupSeparator(ev)) {
      ev.preventDefault();
      insertAtCaret(input, GS);
      return;
    }
    if (ev.key === "Enter" || (ev.key === "Tab" && setting(input, "suffix") === "\t" && input.value)) {
      ev.preventDefault();
      finish(input);
    }
  });

  document.addEventListener("input", function (ev) {
    var input = ev.target;
    if (!input || !input.hasAttribute || !input.hasAttribute("data-scan")) { return; }
    var suffix = setting(input, "suffix");
    if (suffix && suffix !== "\t" && input.value.length > suffix.length && input.value.slice(-suffix.length) === suffix) {
      finish(input);
    }
  });

  // --- The camera -----------------------------------------------------------------------------------------
  var decoderLoading = null;

  function loadDecoder(src) {
    if (window.ZXingBrowser) { return Promise.resolve(window.ZXingBrowser); }
    if (!decoderLoading) {
      decoderLoading = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = src;
        script.onload = function () { resolve(window.ZXingBrowser); };
        script.onerror = function () { decoderLoading = null; reject(new Error(src)); };
        document.head.appendChild(script);
      });
    }
    return decoderLoading;
  }
  window.limsScanDecoder = loadDecoder; // for tests: decode an image with the same decoder

  function reader(ZX) {
    var r = new ZX.BrowserMultiFormatReader();
    r.possibleFormats = [ZX.BarcodeFormat.DATA_MATRIX, ZX.BarcodeFormat.QR_CODE, ZX.BarcodeFormat.CODE_128];
    return r;
  }
  window.limsScanReader = reader;

  function stop(field) {
    if (field.scanControls) { field.scanControls.stop(); field.scanControls = null; }
    field.querySelector("[data-scan-video]").hidden = true;
  }

  function start(field) {
    var input = field.querySelector("input[data-scan]");
    var box = field.querySelector("[data-scan-video]"), status = field.querySelector("[data-scan-status]");
    box.hidden = false;
    status.textContent = field.getAttribute("data-msg-looking");
    loadDecoder(input.getAttribute("data-scan-decoder")).then(function (ZX) {
      return reader(ZX).decodeFromVideoDevice(undefined, box.querySelector("video"), function (result, error, controls) {
        field.scanControls = controls;
        if (result) {
          stop(field);
          input.value = result.getText();
          input.focus();
          finish(input);
        }
      });
    }).then(function (controls) { field.scanControls = controls; }).catch(function (err) {
      status.textContent = field.getAttribute("data-msg-no-camera") + " (" + (err && err.name ? err.name : err) + ")";
    });
  }

  var canUseCamera = !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia) && window.isSecureContext;
  document.querySelectorAll("[data-scan-field]").forEach(function (field) {
    var camera = field.querySelector("[data-scan-camera]");
    if (camera && canUseCamera) {
      camera.hidden = false;
      camera.addEventListener("click", function () { start(field); });
    }
    var stopButton = field.querySelector("[data-scan-stop]");
    if (stopButton) { stopButton.addEventListener("click", function () { stop(field); }); }
  });
}());
