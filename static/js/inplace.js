/* In-place loading that behaves like a page load. hx-boost swaps <body> and <title> only, so
   after a boosted swap this takes the new page's <html lang>, its <body> class and data-*, and
   its own stylesheets; it moves focus to the new page's error summary (else its first field marked
   invalid), autofocus field or heading,
   and says the new page's title in a status region for screen readers.
   After a part of a page is swapped by a guest's click or submit (My trip's editors), focus goes
   to its error summary, else its first field, else its heading. Polls never move focus. */
(function () {
  "use strict";

  var FIELDS = "input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled])";

  function isBodySwap(detail) {
    return detail && detail.boosted && detail.target === document.body;
  }

  function adoptPage(xhr) {
    if (!xhr || !xhr.responseText) { return; }
    var fresh = new DOMParser().parseFromString(xhr.responseText, "text/html");
    var root = document.documentElement;
    if (fresh.documentElement.lang) { root.lang = fresh.documentElement.lang; }
    if (fresh.documentElement.dir) { root.dir = fresh.documentElement.dir; } else { root.removeAttribute("dir"); }
    adoptBodyAttributes(fresh.body);
    adoptStylesheets(fresh.head);
  }

  // The old <body> element stays; its class and data-* belong to the page before.
  function adoptBodyAttributes(fresh) {
    var current = document.body;
    function ours(attribute) { return attribute.name === "class" || attribute.name.indexOf("data-") === 0; }
    Array.prototype.slice.call(current.attributes).filter(ours).forEach(function (attribute) {
      current.removeAttribute(attribute.name);
    });
    Array.prototype.slice.call(fresh.attributes).filter(ours).forEach(function (attribute) {
      current.setAttribute(attribute.name, attribute.value);
    });
  }

  function adoptStylesheets(freshHead) {
    var selector = 'link[rel="stylesheet"]';
    var wanted = Array.prototype.map.call(freshHead.querySelectorAll(selector), function (link) {
      return link.getAttribute("href");
    });
    Array.prototype.forEach.call(document.head.querySelectorAll(selector), function (link) {
      if (wanted.indexOf(link.getAttribute("href")) < 0) { link.remove(); }
    });
    Array.prototype.forEach.call(freshHead.querySelectorAll(selector), function (link) {
      if (!document.head.querySelector('link[rel="stylesheet"][href="' + link.getAttribute("href") + '"]')) {
        document.head.appendChild(document.importNode(link, true));
      }
    });
  }

  function focusOn(element) {
    if (!element) { return false; }
    if (!element.matches("a[href], button, input, select, textarea, [tabindex]")) {
      element.setAttribute("tabindex", "-1");
    }
    element.focus();
    return document.activeElement === element;
  }

  function firstVisible(scope, selector) {
    var found = scope.querySelectorAll(selector);
    for (var i = 0; i < found.length; i++) {
      if (found[i].offsetParent !== null || found[i].getClientRects().length) { return found[i]; }
    }
    return null;
  }

  function announce(text) {
    var region = document.querySelector("[data-page-announcer]");
    if (!region || !text) { return; }
    region.textContent = "";
    // A status region reads out a change, not what it held when it appeared.
    window.setTimeout(function () { region.textContent = text; }, 100);
  }

  function settlePage() {
    var main = document.getElementById("main") || document.body;
    // A form without a summary (the kiosk's): the first field to correct, so the guest types straight into it.
    focusOn(firstVisible(main, ".error-summary")) || focusOn(firstVisible(main, '[aria-invalid="true"]')) ||
      focusOn(firstVisible(main, "[autofocus]")) || focusOn(firstVisible(main, "h1")) || focusOn(main);
    announce(document.title);
  }

  function settlePart(part) {
    if (!part || !part.isConnected || part.nodeType !== 1) { return; }
    var active = document.activeElement;
    // Focus still on something the guest can see: the swap did not take it away.
    if (active && active !== document.body && active.isConnected) { return; }
    focusOn(firstVisible(part, ".error-summary")) || focusOn(firstVisible(part, FIELDS)) ||
      focusOn(firstVisible(part, "h1, h2, h3")) || focusOn(firstVisible(part, "button, a[href]"));
  }

  function byTheGuest(detail) {
    var source = detail && detail.requestConfig && detail.requestConfig.elt;
    return !!source && (source.tagName === "A" || source.tagName === "FORM" || source.tagName === "BUTTON");
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    if (isBodySwap(event.detail)) { adoptPage(event.detail.xhr); }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var detail = event.detail;
    if (isBodySwap(detail)) { settlePage(); return; }
    if (!detail || detail.boosted || !byTheGuest(detail)) { return; }
    settlePart(event.target);
  });
})();
