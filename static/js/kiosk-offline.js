/* Offline check-in at the kiosk (kiosk/offline.py), an enhancement: without it, or without
   JavaScript, the kiosk works online as before.
   - It registers the service worker, which keeps the start screen (the "shell") for a kiosk that
     reloads or restarts with no network.
   - While the server answers, it keeps the manifest fresh; only a kiosk an organizer allowed to
     work offline gets one (portal/checkin/offline.py says what it holds).
   - When a guest's scan or lookup cannot reach the server, it checks the code against the manifest,
     welcomes the guest (and prints their badge) or sends them to the help desk, and queues the scan
     with its nonce, time and kiosk. On the kept shell every scan is handled so.
   - Each badge it prints so is queued too (an id, the time, the kiosk, first print or reprint), so
     the server logs it.
   - When a guest's print request on an online screen gets no answer, it prints the badge itself from
     what the screen gave it (kiosk/_print.html) and queues the print under the request's own id, so
     the server logs it once, whether or not the request had reached it; a kiosk without a live list
     sends the guest to the help desk instead.
   - It sends the queues, in order, as soon as the server answers again.
   - A refusal (403: the kiosk was revoked or unpaired) wipes everything the kiosk kept.
   A small sign in the bar tells staff that the kiosk is offline, and how many scans wait. */
(function () {
  "use strict";

  var urls = JSON.parse(document.currentScript.dataset.offline);
  var store = self.KioskStore;
  var BATCH = 50;
  // A guest's check-in or print waits this long for the server before the kiosk answers itself.
  var GUEST_TIMEOUT_MS = 6000;
  var EVERY_MS = 5000;
  var NONCE = /^[A-Za-z0-9_-]{16,43}$/;
  var COLOUR = /^#[0-9A-Fa-f]{6}$/;
  var cutOff = false;  // the last attempt to reach the server failed
  var syncing = false;
  // A guest who picked a language here is greeted in it; otherwise in the one they registered in.
  var chosen = location.hash === "#chosen";

  function isShell() { return document.body.hasAttribute("data-offline-shell"); }
  function language() { return document.documentElement.lang === "zh-Hans" ? "zh_Hans" : "en"; }
  function pathOf(url) { return new URL(url, location.href).pathname; }
  function isPoll(config) { return pathOf(config.path) === urls.announcements; }
  function isCheckIn(config) {
    var path = pathOf(config.path);
    return config.verb === "post" && (path === urls.scan || path === urls.find);
  }

  // The print form (kiosk/_print.html) a request was sent from, if it was one.
  function printForm(config) {
    if (config.verb !== "post") { return null; }
    var forms = document.querySelectorAll("form[data-print-form]");
    for (var i = 0; i < forms.length; i++) {
      if (pathOf(forms[i].action) === pathOf(config.path)) { return forms[i]; }
    }
    return null;
  }

  function newNonce() {
    var text = "";
    crypto.getRandomValues(new Uint8Array(16)).forEach(function (byte) { text += String.fromCharCode(byte); });
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  // -- The sign for staff, and whether the server answers ----------------------------------------

  function showSign() {
    var sign = document.querySelector("[data-offline-sign]");
    if (!sign) { return Promise.resolve(); }
    return store.count().catch(function () { return 0; }).then(function (waiting) {
      var offline = cutOff || isShell();
      var count = sign.querySelector("[data-offline-waiting]");
      sign.querySelector("[data-offline-state]").hidden = !offline;
      count.textContent = waiting ? (offline ? "· " : "") + count.dataset.text.replace("{count}", String(waiting)) : "";
      sign.hidden = !offline && !waiting;
    });
  }

  // Nothing of a guest on screen and nothing typed: the shell may give way to the live start screen.
  function idle() {
    if (document.body.dataset.offlineScreen) { return false; }
    var fields = document.querySelectorAll("#main input:not([type=hidden])");
    for (var i = 0; i < fields.length; i++) { if (fields[i].value) { return false; } }
    return true;
  }

  function reached() {
    cutOff = false;
    if (isShell() && idle()) { location.replace(urls.scan); return; }
    showSign();
  }

  function lost() {
    cutOff = true;
    showSign();
  }

  // -- The worker, the manifest and the queue ----------------------------------------------------

  function registerWorker() {
    if (!("serviceWorker" in navigator)) { return; }
    navigator.serviceWorker.register(urls.worker, { scope: urls.scope }).catch(function () {});
  }

  function askWorker(message) {
    if (!("serviceWorker" in navigator)) { return; }
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.active) { registration.active.postMessage(message); }
    });
  }

  function forget() {
    var steps = [store.wipe().catch(function () {})];
    if ("caches" in self) {
      steps.push(caches.keys().then(function (names) {
        return Promise.all(names.filter(function (name) { return name.indexOf("concierge-kiosk-") === 0; })
          .map(function (name) { return caches.delete(name); }));
      }));
    }
    if ("serviceWorker" in navigator) {
      steps.push(navigator.serviceWorker.getRegistrations().then(function (registrations) {
        return Promise.all(registrations.map(function (registration) { return registration.unregister(); }));
      }));
    }
    return Promise.all(steps).catch(function () {});
  }

  // Revoked or unpaired: keep nothing, and show what the server says to this browser now.
  function refused() {
    forget().then(function () { location.reload(); });
  }

  function keep(manifest, etag) {
    var kept = !manifest.offline ? store.dropManifest() : store.importKey(manifest.key).then(function (key) {
      return store.saveManifest({
        device: manifest.device, key: key, expires: manifest.expires, offset: manifest.now - Date.now(),
        zone: manifest.zone, categories: manifest.categories, etag: etag
      }, manifest.entries);
    }).then(function () { askWorker({ type: "refresh-shell" }); });
    return kept.then(function () { return store.setMeta("asked", { at: Date.now(), every: manifest.refresh }); });
  }

  function refreshManifest() {
    return Promise.all([store.getMeta("manifest"), store.getMeta("asked")]).then(function (known) {
      var terms = known[0], asked = known[1];
      // Past the end of the event the list goes, whether or not the server can be reached.
      if (terms && Date.now() + terms.offset >= terms.expires) { return store.dropManifest(); }
      if (!navigator.onLine) { return; }
      if (asked && Date.now() - asked.at < asked.every * 1000) { return; }
      var headers = terms && terms.etag ? { "If-None-Match": terms.etag } : {};
      return fetch(urls.manifest, { headers: headers, cache: "no-store", credentials: "same-origin" }).then(function (response) {
        if (response.status === 403) { refused(); return; }
        if (response.status === 304) {
          reached();
          return store.setMeta("asked", { at: Date.now(), every: asked ? asked.every : 60 });
        }
        if (!response.ok) { return; }
        reached();
        return response.json().then(function (manifest) { return keep(manifest, response.headers.get("ETag")); });
      }, lost);
    }).catch(function () {});
  }

  function sync() {
    if (syncing || !navigator.onLine) { return Promise.resolve(); }
    syncing = true;
    var sent = false;
    function send() {
      return Promise.all([store.head(BATCH), store.head(BATCH, "prints")]).then(function (heads) {
        var batch = heads[0], prints = heads[1];
        if (!batch.length && !prints.length) { return; }
        return store.count().then(function (waiting) {
          return fetch(urls.sync, {
            method: "POST", cache: "no-store", credentials: "same-origin",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify({ waiting: waiting, scans: batch.map(function (queued) { return queued.scan; }),
                                   prints: prints.map(function (queued) { return queued.scan; }) })
          });
        }).then(function (response) {
          if (response.status === 403) { refused(); return; }
          if (!response.ok) { throw new Error("the sync answered " + response.status); }
          return response.json().then(function (answer) {
            var answered = {}, logged = {};
            answer.results.forEach(function (result) { answered[result.nonce] = true; });
            (answer.prints || []).forEach(function (result) { logged[result.id] = true; });
            var keys = batch.filter(function (queued) { return answered[queued.scan.nonce]; })
              .map(function (queued) { return queued.key; });
            var printKeys = prints.filter(function (queued) { return logged[queued.scan.id]; })
              .map(function (queued) { return queued.key; });
            if (!keys.length && !printKeys.length) { throw new Error("the sync took nothing"); }
            sent = true;
            return store.remove(keys).then(function () { return store.remove(printKeys, "prints"); }).then(send);
          });
        });
      });
    }
    // One page at a time sends the queue (a restarted kiosk may briefly have two).
    var sending = navigator.locks ? navigator.locks.request("concierge-kiosk-sync", send) : send();
    return sending.then(function () { syncing = false; if (sent) { reached(); } else { showSign(); } },
                        function () { syncing = false; lost(); });
  }

  // -- Checking a guest in against the manifest --------------------------------------------------

  // A confirmation code is compared as the server compares it: case, spaces and dashes do not matter,
  // nor a Chinese input method's full-width forms (NFKC, as portal/guests/tickets.py).
  function asCode(typed) { return (typed || "").normalize("NFKC").toUpperCase().replace(/[ -]/g, ""); }

  // The guest a ticket (or a code) names, and the tag to queue the scan under. What is typed into the
  // scan field may be a confirmation code too, as online: tried second.
  function findGuest(terms, tries) {
    var firstTag = null;
    function attempt(i) {
      var kind = tries[i][0], code = tries[i][1];
      return store.tagFor(terms.key, kind, code).then(function (tag) {
        firstTag = firstTag || tag;
        return store.entry(tag).then(function (sealed) {
          return sealed ? store.unseal(terms.key, kind, code, tag, sealed).catch(function () { return null; }) : null;
        }).then(function (guest) {
          if (guest) { return { tag: tag, guest: guest }; }
          return i + 1 < tries.length ? attempt(i + 1) : { tag: firstTag, guest: null };
        });
      });
    }
    return attempt(0);
  }

  function checkIn(kind, typed, nonce) {
    var code = kind === "code" ? asCode(typed) : (typed || "").trim();
    if (!code) { return Promise.resolve(); }
    var tries = kind === "code" ? [["code", code]] : [["ticket", code], ["code", asCode(typed)]];
    return store.getMeta("manifest").then(function (terms) {
      var now = Date.now() + (terms ? terms.offset : 0);
      if (!terms || now >= terms.expires) {
        // Not allowed offline, or the event is over: nothing to check against, nothing to queue.
        return (terms ? store.dropManifest() : Promise.resolve()).then(function () { show("help"); });
      }
      return findGuest(terms, tries).then(function (found) {
        var tag = found.tag, guest = found.guest;
        return store.queued().then(function (queue) {
          var earlier = guest && queue.filter(function (scan) { return scan.tag === tag && scan.told === "welcome"; })[0];
          var scan = { nonce: nonce, kiosk: terms.device, at: now, tag: tag, told: guest ? "welcome" : "help_desk" };
          // Queued, durably, before the guest is told anything.
          return store.enqueue(scan).then(function () {
            showSign();
            sync();
            return guest ? welcome(guest, terms, earlier, tag) : show("help");
          });
        });
      });
    }).catch(function () { show("help"); });
  }

  function words() {
    return JSON.parse(document.querySelector("[data-offline-words]").textContent);
  }

  // The language a name's script suggests, by addressing.SCRIPTS (sent in the words), or "".
  function scriptLanguage(text, said) {
    for (var i = 0; i < said.scripts.length; i++) {
      if (new RegExp(said.scripts[i][0]).test(text || "")) { return said.scripts[i][1]; }
    }
    return "";
  }

  // The greeting as nodes: the name in a <span lang> when its script is not the page's (WCAG 3.1.2).
  function greeting(guest, said) {
    var original = guest[0], latin = guest[1], honorific = guest[2];
    var name = (said.chinese ? original : latin) || original;
    // Chinese puts the form of address after the name; "Hon." and "Mx" have no such suffix.
    var title = honorific && !(said.chinese && said.prefixOnly.indexOf(honorific) >= 0)
      ? said.honorifics[honorific] || honorific : "";
    var text = title ? said.greeting.replace("{honorific}", function () { return title; }) : said.greetingPlain;
    var at = text.indexOf("{name}");
    if (at < 0) { return [text]; }
    var marked = document.createElement("span");
    marked.textContent = name;
    var language = scriptLanguage(name, said);
    if (language && language !== (said.chinese ? "zh" : "en")) { marked.lang = language; }
    return [text.slice(0, at), marked, text.slice(at + "{name}".length)];
  }

  function clock(moment, zone) {
    return new Intl.DateTimeFormat(document.documentElement.lang, {
      hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: zone
    }).format(new Date(moment));
  }

  function slot(root, name) { return root.querySelector('[data-slot="' + name + '"]'); }

  function category(root, guest, terms) {
    var found = terms.categories[String(guest[3])];
    if (!found) { return false; }
    slot(root, "category").textContent = language() === "zh_Hans" ? found.zh || found.en : found.en || found.zh;
    root.querySelectorAll('[data-slot="colour"]').forEach(function (rect) {
      rect.setAttribute("fill", COLOUR.test(found.colour) ? found.colour : "#444444");
    });
    return true;
  }

  function welcome(guest, terms, earlier, tag) {
    var theirs = guest[4];
    var switching = !chosen && theirs !== language() && urls.shells[theirs] ? adoptShell(theirs) : Promise.resolve();
    return switching.then(function () {
      var said = words();
      var main = show("welcome");
      slot(main, "status").textContent = earlier ? said.already.replace("{time}", clock(earlier.at, terms.zone)) : said.checkedIn;
      var heading = slot(main, "greeting");
      heading.replaceChildren.apply(heading, greeting(guest, said));
      slot(main, "category-card").hidden = !category(main, guest, terms);
      main.querySelector("[data-offline-print]").onclick = function () { badge(guest, terms, tag); };
    });
  }

  // Queue the print (durably, so the server logs it once it is reached), then print. `id` is the print's
  // in the badge log: a new one, or that of the online request this print stands in for.
  function printBadge(terms, tag, again, delay, id) {
    return store.queued("prints").then(function (prints) {
      var reprint = again || prints.some(function (queued) { return queued.tag === tag; });
      return store.enqueue({ id: id || newNonce(), kiosk: terms.device, at: Date.now() + terms.offset, tag: tag,
                             reprint: reprint }, "prints");
    }).catch(function () {}).then(function () {
      sync();
      window.setTimeout(function () { window.print(); }, delay);
    });
  }

  function badge(guest, terms, tag, id) {
    var said = words();
    var main = show("badge");
    category(main, guest, terms);
    // Each name in the language its script suggests, as on the badge the server prints.
    var named = function (element, name) {
      element.textContent = name;
      if (scriptLanguage(name, said)) { element.lang = scriptLanguage(name, said); }
    };
    named(slot(main, "name-original"), guest[0]);
    var latin = slot(main, "name-latin");
    if (guest[1] && guest[1] !== guest[0]) {
      named(latin, guest[1]);
    } else {
      latin.remove();
    }
    main.querySelectorAll("[data-offline-print]").forEach(function (button) {
      button.onclick = function () { printBadge(terms, tag, true, 0); };
    });
    printBadge(terms, tag, false, 300, id);
  }

  // A print request on an online screen that got no answer. The badge is printed here when the kiosk
  // has its live list and the screen gave the guest's details, queued under the request's id; otherwise
  // the screen's own "see the help desk" replaces it. Never the browser's error page.
  function printInstead(form) {
    var id = form.elements.nonce ? form.elements.nonce.value : "";
    var printable = form.dataset.printable ? JSON.parse(form.dataset.printable) : null;
    var failed = document.querySelector("template[data-print-failed]");
    return store.getMeta("manifest").then(function (terms) {
      if (!printable || !NONCE.test(id) || !terms || Date.now() + terms.offset >= terms.expires) { return false; }
      return adoptShell().then(function (adopted) {
        if (adopted) { badge(printable.guest, terms, printable.tag, id); }
        return adopted;
      });
    }).catch(function () { return false; }).then(function (printed) {
      if (printed || !failed) { return; }
      var main = document.getElementById("main");
      main.replaceChildren(failed.content.cloneNode(true));
      document.body.dataset.idleWhen = "always";
      main.focus();
    });
  }

  // -- The shell's screens -----------------------------------------------------------------------

  function show(name) {
    var main = document.getElementById("main");
    main.replaceChildren(document.querySelector('template[data-offline-screen="' + name + '"]').content.cloneNode(true));
    document.body.dataset.offlineScreen = name;
    document.body.dataset.idleWhen = name === "find" ? "typed" : "always";
    document.body.className = "kiosk kiosk-" + name;
    (main.querySelector("input") || main).focus();
    return main;
  }

  // The screens' templates live outside <main>, whose content each screen replaces.
  function prepareShell() {
    document.querySelectorAll("#main template[data-offline-screen], #main [data-offline-words]").forEach(function (kept) {
      document.body.appendChild(kept);
    });
    showSign();
  }

  // Put the kept start screen (in `lang`) in place of this page, whose request could not be sent.
  function adoptShell(lang) {
    if (!("caches" in self)) { return Promise.resolve(false); }
    return caches.match(urls.shells[lang || language()], { ignoreVary: true }).then(function (kept) {
      if (!kept) { return false; }
      return kept.text().then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        document.title = page.title;
        document.documentElement.lang = page.documentElement.lang;
        page.querySelectorAll('head link[rel="stylesheet"]').forEach(function (link) {
          if (!document.querySelector('head link[href="' + link.getAttribute("href") + '"]')) {
            document.head.appendChild(link.cloneNode(true));
          }
        });
        document.body.replaceWith(document.adoptNode(page.body));
        prepareShell();
        if (self.htmx) { self.htmx.process(document.body); }
        return true;
      });
    });
  }

  // A guest's action the kiosk answers itself: offline, or on the kept shell.
  function handle(config, nonce) {
    var path = pathOf(config.path), data = config.formData || new FormData();
    if (config.verb === "post" && path === urls.scan) { return checkIn("ticket", data.get("ticket"), nonce); }
    if (config.verb === "post" && path === urls.find) {
      return data.get("by") === "name" ? show("help") : checkIn("code", data.get("code"), nonce);
    }
    if (config.verb === "post" && path === urls.language && urls.shells[data.get("lang")]) {
      location.replace(urls.shells[data.get("lang")] + "#chosen");
      return;
    }
    if (config.verb === "get" && path === urls.find) { return show("find"); }
    if (config.verb === "get" && (path === urls.ask || /\/help$/.test(path))) { return show("help"); }
    location.replace(urls.shells[language()]);
  }

  document.addEventListener("htmx:configRequest", function (event) {
    if (isCheckIn(event.detail) || printForm(event.detail)) { event.detail.timeout = GUEST_TIMEOUT_MS; }
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var config = event.detail.requestConfig;
    var path = pathOf(config.path);
    if (config.verb === "post" && path === urls.language) { chosen = true; }
    if (path === pathOf(document.body.dataset.resetUrl || "/")) { chosen = false; }
    if (!isShell() || isPoll(config)) { return; }
    // The kept shell never posts to the server (its form's token is days old): the queue syncs instead.
    event.preventDefault();
    handle(config, newNonce());
  });

  function notSent(event) {
    var config = event.detail.requestConfig;
    lost();
    if (isPoll(config) || isShell()) { return; }
    var form = printForm(config);
    if (form) { printInstead(form); return; }
    // A scan that did reach the server before the network failed is the same request: same nonce.
    var sentNonce = config.formData ? config.formData.get("nonce") : "";
    var nonce = NONCE.test(sentNonce || "") ? sentNonce : newNonce();
    adoptShell().then(function (adopted) { if (adopted) { handle(config, nonce); } });
  }

  document.addEventListener("htmx:sendError", notSent);
  document.addEventListener("htmx:timeout", notSent);
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (status === 403) { refused(); }
    // A print the server failed (or a proxy in front of it could not reach it): as if it had no answer.
    var form = status >= 500 && printForm(event.detail.requestConfig);
    if (form) { printInstead(form); }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful && isPoll(event.detail.requestConfig)) { reached(); sync(); }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target.closest && event.target.closest("form[data-offline-find]");
    if (!form) { return; }
    event.preventDefault();
    checkIn("code", form.elements.code.value, newNonce());
  }, true);

  window.addEventListener("online", function () { sync(); refreshManifest(); });
  window.addEventListener("offline", lost);

  document.addEventListener("DOMContentLoaded", function () {
    if (isShell()) { prepareShell(); } else { showSign(); }
    registerWorker();
    if (navigator.storage && navigator.storage.persist) { navigator.storage.persist().catch(function () {}); }
    // The language a page without the network comes back in: the kiosk's, not one a guest picked.
    if (!chosen) { store.setMeta("lang", language()).catch(function () {}); }
    refreshManifest();
    sync();
    window.setInterval(function () { refreshManifest(); sync(); }, EVERY_MS);
  });
})();
