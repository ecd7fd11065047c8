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
    // "Print again" posts to the server, which logs the reprint and sends the page back to print.
    var printAgain = document.querySelector("[data-print]");
    if (printAgain) { printAgain.hidden = false; }
    if (body().dataset.autoprint === "true") {
      delete body().dataset.autoprint;
      window.setTimeout(function () { whenStyled(function () { window.print(); }); }, 300);
    }
  }

  // Print only once every stylesheet has loaded: the badge's (4 x 3 in) may still be on its way.
  function whenStyled(then) {
    var pending = Array.prototype.filter.call(document.querySelectorAll('link[rel="stylesheet"]'), function (link) {
      return !link.sheet;
    });
    if (!pending.length) { then(); return; }
    var left = pending.length;
    pending.forEach(function (link) {
      function done() { left -= 1; if (left === 0) { then(); } }
      link.addEventListener("load", done, { once: true });
      link.addEventListener("error", done, { once: true });
    });
  }

  ["pointerdown", "keydown", "input", "touchstart", "wheel"].forEach(function (name) {
    document.addEventListener(name, activity, { passive: true, capture: true });
  });
  // A scanner types into whatever has focus: after a tap elsewhere, give the field its focus back.
  document.addEventListener("pointerup", function () { window.setTimeout(focusScan, 50); });
  document.addEventListener("DOMContentLoaded", setUp);
  // hx-boost swaps the body without a new page load. The announcement poll settles every
  // few seconds too, but it is not the guest's doing: it must not hold off the idle reset.
  document.addEventListener("htmx:afterSettle", function (event) {
    if (!event.detail || !event.detail.boosted) { return; }
    hideWarning();
    setUp();
  });
})();
