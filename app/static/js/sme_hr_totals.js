/* Tech-SME table 4 (人力资源情况): the totals add up as the applicant types ("系统自动加和").
 * Each element with data-sum="id id ..." shows the sum of those inputs, counted the way the
 * server counts them (app.services.sme_form.hr_totals): a whole number of ASCII digits up to
 * data-max, anything else counts 0. The server's totals after saving stay authoritative.
 * Loaded as a file (the Content-Security-Policy forbids inline handlers). */
(function () {
  "use strict";

  function count(input, max) {
    var text = (input && input.value || "").trim();
    if (!/^[0-9]{1,10}$/.test(text)) { return 0; }
    var value = parseInt(text, 10);
    return value <= max ? value : 0;
  }

  function bind(output) {
    var max = parseInt(output.getAttribute("data-max"), 10) || Number.MAX_SAFE_INTEGER;
    var inputs = output.getAttribute("data-sum").split(/\s+/).map(function (id) {
      return document.getElementById(id);
    }).filter(Boolean);

    function update() {
      output.textContent = String(inputs.reduce(function (sum, input) { return sum + count(input, max); }, 0));
    }

    inputs.forEach(function (input) { input.addEventListener("input", update); });
    update();
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-sum]"), bind);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
