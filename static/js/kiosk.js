/* Kiosk behaviour, no library needed: keep the scan field focused, go back to the
   start screen after a while without input (with a warning and a "Continue" button,
   WCAG 2.2.1), and print the badge page once when asked. Every page works without it:
   forms are plain posts and a <meta http-equiv="refresh"> takes over the idle reset. */
(function () {
  "use strict";

  var idleTimer = null;
  var countdownTimer = null;

  function body() { return document.body; }

  function hasTyping() {
    var fields = document.querySelectorAll("main input:not([type=hidden])");
    for (var i = 0; i < fields.length; i++) { if (fields[i].value) { return true; } }
    return document.querySelector("main .error") !== null;
  }

  function resetNow() {
    // replace(): the page being left does not stay in the history for Back to find.
    window.location.replace(body().dataset.resetUrl);
  }

  function hideWarning() {
    var warning = document.getElementById("idle-warning");
    if (countdownTimer) { clearInterval(countdownTimer); countdownTimer = null; }
    if (warning && !warning.hidden) { warning.hidden = true; focusScan(); }
  }

  function showWarning() {
    var when = body().dataset.idleWhen;
    if (when === "never" || (when === "typed" && !hasTyping())) { armIdle(); return; }
    var warning = document.getElementById("idle-warning");
    var count = document.getElementById("idle-count");
    var left = parseInt(body().dataset.warningSeconds, 10) || 20;
    if (!warning) { resetNow(); return; }
    warning.hidden = false;
    count.textContent = String(left);
    document.getElementById("idle-continue").focus();
    countdownTimer = setInterval(function () {
      left -= 1;
      count.textContent = String(left);
      if (left <= 0) { clearInterval(countdownTimer); resetNow(); }
    }, 1000);
  }

  function armIdle() {
    if (idleTimer) { clearTimeout(idleTimer); }
    var seconds = parseInt(body().dataset.idleSeconds, 10) || 45;
    idleTimer = setTimeout(showWarning, seconds * 1000);
  }

  function activity() {
    // While the warning shows, only "Continue" dismisses it, so a stray touch is not mistaken for an answer.
    if (countdownTimer) { return; }
    armIdle();
  }

  function focusScan() {
    var scan = document.querySelector("[data-scan]");
    var active = document.activeElement;
    if (scan && (!active || active === document.body || active === scan)) { scan.focus(); }
  }

  function setUp() {
    armIdle();
    focusScan();
    var cont = document.getElementById("idle-continue");
    if (cont) { cont.onclick = function () { hideWarning(); armIdle(); }; }
    var printButton = document.querySelector("[data-print]");
    if (printButton) {
      printButton.hidden = false;
      printButton.onclick = function () { window.print(); };
    }
    if (body().dataset.autoprint === "true") {
      delete body().dataset.autoprint;
      window.setTimeout(function () { window.print(); }, 300);
    }
  }

  ["pointerdown", "keydown", "input", "touchstart", "wheel"].forEach(function (name) {
    document.addEventListener(name, activity, { passive: true, capture: true });
  });
  // A scanner types into whatever has focus: after a tap elsewhere, give the field its focus back.
  document.addEventListener("pointerup", function () { window.setTimeout(focusScan, 50); });
  document.addEventListener("DOMContentLoaded", setUp);
  // A boosted swap replaces the body's content but keeps the old <body> element, whose
  // class and data-* (idle mode, autoprint) belong to the page before: take the new page's.
  function adoptBodyAttributes(xhr) {
    if (!xhr || !xhr.responseText) { return; }
    var fresh = new DOMParser().parseFromString(xhr.responseText, "text/html").body;
    var current = body();
    function ours(attribute) { return attribute.name === "class" || attribute.name.indexOf("data-") === 0; }
    Array.prototype.slice.call(current.attributes).filter(ours).forEach(function (attribute) {
      current.removeAttribute(attribute.name);
    });
    Array.prototype.slice.call(fresh.attributes).filter(ours).forEach(function (attribute) {
      current.setAttribute(attribute.name, attribute.value);
    });
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail && event.detail.boosted && event.detail.target === body()) { adoptBodyAttributes(event.detail.xhr); }
  });
  // hx-boost swaps the body without a new page load. The announcement poll settles every
  // few seconds too, but it is not the guest's doing: it must not hold off the idle reset.
  document.addEventListener("htmx:afterSettle", function (event) {
    if (!event.detail || !event.detail.boosted) { return; }
    hideWarning();
    setUp();
  });
})();
