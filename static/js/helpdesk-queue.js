/* The help-desk queue's first-response clocks move on in the browser between the queue's polls
   (templates/staff/helpdesk/_queue.html), the check-in board's poll sends its last ETag, and no poll
   swaps a control away from under a press or the keyboard's focus.

   The server writes each clock's text as of rendering; a clock that moves also carries its seconds
   left then (data-seconds-left, negative once overdue), and the queue the moment it was rendered
   (data-rendered-at, the server's clock) and the wordings to use. What the server's clock reads now
   comes from the Date header of the last queue answer, carried forward with performance.now(): the
   computer's own clock, which may be wrong, is never read. A page loaded the ordinary way asks for
   the queue once at once to learn the time.
   Loaded on staff pages only (base.html); without JavaScript, or on another page, nothing here does anything. */
(function () {
  "use strict";

  var EVERY_MS = 2000;
  // The server's clock minus performance.now(), in seconds: guessed from the first queue seen, then
  // learned from answers.
  var serverOffset = null;
  var learned = false;
  var asked = false;

  function learnServerTime(xhr) {
    var date = xhr ? Date.parse(xhr.getResponseHeader("Date") || "") : NaN;
    if (!isNaN(date)) {
      serverOffset = date / 1000 - performance.now() / 1000;
      learned = true;
    }
  }

  function askServerTime() {
    var queue = document.getElementById("helpdesk-queue");
    if (learned || asked || !queue || !window.htmx) { return; }
    asked = true;
    window.htmx.ajax("GET", queue.getAttribute("hx-get"), {source: queue, target: queue, swap: "outerHTML"});
  }

  // Python's "%(name)s", "%(name)d" and "%(name)02d", as the catalogs write them.
  function format(pattern, values) {
    return pattern.replace(/%(?:\((\w+)\)(0?)(\d*)([sd])|%)/g, function (all, name, zero, width, kind) {
      if (!name) { return "%"; }
      var text = String(kind === "d" ? Math.trunc(values[name]) : values[name]);
      while (text.length < Number(width || 0)) { text = (zero ? "0" : " ") + text; }
      return text;
    });
  }

  // Python's round(): halves go to the even neighbour.
  function roundHalfEven(x) {
    var rounded = Math.round(x);
    return rounded - x === 0.5 && rounded % 2 === 1 ? rounded - 1 : rounded;
  }

  // As duration() in portal/staff/helpdesk.py: "4 min", "2 h 05 min".
  function duration(seconds, labels) {
    var minutes = roundHalfEven(seconds / 60);
    if (minutes < 60) { return format(labels.clockMinutes, {minutes: minutes}); }
    return format(labels.clockHours, {hours: Math.floor(minutes / 60), minutes: minutes % 60});
  }

  function show(clock, left, labels) {
    var overdue = left < 0;
    var text = format(overdue ? labels.clockOverdue : labels.clockLeft, {time: duration(Math.abs(left), labels)});
    if ((clock.tagName === "STRONG") !== overdue) {
      // The same element and row class the server gives an overdue clock (templates/staff/helpdesk/_clock.html).
      var replacement = document.createElement(overdue ? "strong" : "span");
      if (overdue) { replacement.className = "ticket-overdue-label"; }
      replacement.dataset.secondsLeft = clock.dataset.secondsLeft;
      clock.replaceWith(replacement);
      var row = replacement.closest("tr");
      if (row) { row.classList.toggle("ticket-overdue", overdue); }
      clock = replacement;
    }
    if (clock.textContent !== text) { clock.textContent = text; }
  }

  function update() {
    var queue = document.getElementById("helpdesk-queue");
    if (!queue) { return; }
    var labels = queue.dataset;
    var renderedAt = Number(labels.renderedAt);
    if (!renderedAt || !labels.clockLeft || !labels.clockOverdue || !labels.clockMinutes || !labels.clockHours) {
      return;
    }
    // A page loaded before any answer was seen: take it as fresh until the first poll says otherwise.
    if (serverOffset === null) { serverOffset = renderedAt - performance.now() / 1000; }
    var elapsed = Math.max(Math.floor(serverOffset + performance.now() / 1000 - renderedAt), 0);
    var clocks = queue.querySelectorAll("[data-seconds-left]");
    for (var i = 0; i < clocks.length; i++) {
      show(clocks[i], Number(clocks[i].dataset.secondsLeft) - elapsed, labels);
    }
  }

  // Staff pages are never kept by the browser (no-store), so it holds no copy to revalidate: the
  // check-in board's poll sends the ETag of its last answer itself. An unchanged board answers 304,
  // which htmx leaves unswapped (base.html).
  var POLLED = {"check-in-board": true};
  var etags = {};
  document.addEventListener("htmx:configRequest", function (event) {
    var id = event.detail.elt && event.detail.elt.id;
    if (POLLED[id] && etags[id] && event.detail.verb === "get") {
      event.detail.headers["If-None-Match"] = etags[id];
    }
  });
  // Before the swap: the polled element is still in the page (an outerHTML swap takes it out).
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    var id = event.detail.elt && event.detail.elt.id;
    if (POLLED[id] && xhr && xhr.status === 200 && xhr.getResponseHeader("ETag")) {
      etags[id] = xhr.getResponseHeader("ETag");
    }
  });

  // A poll must not take a control from under the staff member's hand (the queue's "Take", a link in
  // the desk's alerts or the day's figures). While a pointer is pressed in a polled region, a new copy
  // would turn the press into no click at all: that answer is left and the next poll brings the region.
  // A control that had the keyboard's focus has it again in the new copy, so Tab and Enter go on.
  var refocus = null;

  function isPolled(element) { return /^\s*every\s/.test(element.getAttribute("hx-trigger") || ""); }

  function controlKey(element) {
    if (element.tagName === "A") { return "a " + element.getAttribute("href"); }
    if (element.form) { return element.tagName + " " + element.form.getAttribute("action") + " " + element.textContent; }
    return null;
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var region = event.detail.elt;
    refocus = null;
    if (!event.detail.shouldSwap || !region || !region.getAttribute || !isPolled(region)) { return; }
    if (region.matches(":active")) { event.detail.shouldSwap = false; return; }
    var active = document.activeElement;
    if (active && active !== region && region.contains(active)) { refocus = {id: region.id, key: controlKey(active)}; }
  });

  function focusAgain() {
    var region = refocus && document.getElementById(refocus.id);
    if (region && refocus.key && (!document.activeElement || document.activeElement === document.body)) {
      var controls = region.querySelectorAll("a[href], button");
      for (var i = 0; i < controls.length; i++) {
        if (controlKey(controls[i]) === refocus.key) { controls[i].focus(); break; }
      }
    }
    refocus = null;
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    // Only the queue's own answers, fresh from the server (nothing of a staff page is stored).
    var swapped = event.target;
    if (swapped.id === "helpdesk-queue" || (swapped.querySelector && swapped.querySelector("#helpdesk-queue"))) {
      learnServerTime(event.detail && event.detail.xhr);
    }
    if (refocus) { focusAgain(); }
    update();
  });
  document.addEventListener("htmx:load", function () {
    update();
    askServerTime();
  });
  setInterval(update, EVERY_MS);
  update();
})();
