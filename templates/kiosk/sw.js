/* The kiosk's service worker, served by kiosk/offline.py with scope /kiosk/.
   It keeps the kiosk's shell: the start screen in each language (with the screens shown
   offline) and the files it needs. A kiosk page is asked of the server first; when the
   server cannot be reached, the kept start screen answers, so a kiosk that reloads or
   restarts offline still greets guests. A refusal (403: revoked or unpaired) wipes all
   the kiosk kept and unregisters the worker. Version {{ version }}. */
"use strict";
importScripts({{ store|tojson }});

var CACHE = "concierge-kiosk-" + {{ version|tojson }};
var SHELLS = {{ shells|tojson }};
var FILES = {{ files|tojson }};
var SCOPE = {{ scope|tojson }};
var PAIR = {{ pair|tojson }};
// A page that has not answered in this long is served the kept start screen.
var NAVIGATION_TIMEOUT_MS = 5000;

function shellUrls() {
  return Object.keys(SHELLS).map(function (lang) { return SHELLS[lang]; });
}

function keep(urls) {
  return caches.open(CACHE).then(function (cache) {
    return Promise.all(urls.map(function (url) {
      return fetch(new Request(url, { cache: "reload", credentials: "same-origin" })).then(function (response) {
        if (!response.ok) { throw new Error(url + " answered " + response.status); }
        return cache.put(url, response);
      });
    }));
  });
}

function ours(name) { return name.indexOf("concierge-kiosk-") === 0; }

self.addEventListener("install", function (event) {
  event.waitUntil(keep(shellUrls().concat(FILES)).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) { return ours(name) && name !== CACHE; })
      .map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

// The page asks for fresh shells when its manifest changed (a category, the event's name).
self.addEventListener("message", function (event) {
  if (event.data && event.data.type === "refresh-shell") {
    event.waitUntil(keep(shellUrls()).catch(function () {}));
  }
});

function keptShell(path) {
  var wanted = shellUrls().indexOf(path) >= 0 ? Promise.resolve(path) : KioskStore.getMeta("lang").then(
    function (lang) { return SHELLS[lang] || shellUrls()[0]; }, function () { return shellUrls()[0]; });
  return wanted.then(function (url) { return caches.match(url, { ignoreVary: true }); }).then(function (kept) {
    return kept || Response.error();
  });
}

function forget() {
  return KioskStore.wipe().catch(function () {}).then(function () { return caches.keys(); }).then(function (names) {
    return Promise.all(names.filter(ours).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.registration.unregister(); });
}

function withTimeout(promise, ms) {
  return new Promise(function (resolve, reject) {
    var timer = setTimeout(function () { reject(new Error("timeout")); }, ms);
    promise.then(function (value) { clearTimeout(timer); resolve(value); },
                 function (error) { clearTimeout(timer); reject(error); });
  });
}

function navigate(event, path) {
  return withTimeout(fetch(event.request), NAVIGATION_TIMEOUT_MS).then(function (response) {
    if (response.status === 403) {
      event.waitUntil(forget());
    } else if (response.status >= 502 && response.status <= 504) {
      return keptShell(path);  // a proxy in front of a server it cannot reach
    }
    return response;
  }, function () { return keptShell(path); });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate") {
    if (url.pathname.indexOf(SCOPE) === 0 && url.pathname !== PAIR) {
      event.respondWith(navigate(event, url.pathname));
    }
    return;
  }
  // A static file's URL carries its content's digest (?v=...): the kept copy is the one of that URL.
  var file = url.pathname + url.search;
  if (FILES.indexOf(file) >= 0) {
    event.respondWith(caches.match(file, { ignoreVary: true }).then(function (kept) {
      return kept || fetch(request);
    }));
  }
});
