/* The kiosk's offline storage and its keyed hashes, shared by the page (kiosk-offline.js) and the
   service worker (kiosk/offline.py serves it). IndexedDB "concierge-kiosk" holds:
     meta     the manifest's terms (its HMAC key as a non-extractable CryptoKey, expiry, categories),
              when it was last asked for, and the language the kiosk last showed;
     entries  each guest's sealed payload, filed under the keyed hash of a code;
     queue    the scans waiting to be sent, in order: nonce, kiosk, time, keyed hash, what was said;
     prints   the badges printed offline waiting to be sent: an id, kiosk, time, keyed hash, reprint.
   No ticket or confirmation code is ever stored, and no name outside a sealed payload.
   The hashes and seals match portal/checkin/offline.py. */
(function (scope) {
  "use strict";

  var NAME = "concierge-kiosk";
  var STORES = ["meta", "entries", "queue", "prints"];
  var TAG_BYTES = 16;
  var encoder = new TextEncoder();
  var opening = null;

  function done(request) {
    return new Promise(function (resolve, reject) {
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function open() {
    if (!opening) {
      opening = new Promise(function (resolve, reject) {
        // Version 2 added "prints"; a kiosk upgraded from version 1 keeps what it holds.
        var request = indexedDB.open(NAME, 2);
        request.onupgradeneeded = function () {
          var db = request.result;
          STORES.forEach(function (name) {
            if (db.objectStoreNames.contains(name)) { return; }
            db.createObjectStore(name, name === "queue" || name === "prints" ? { autoIncrement: true } : undefined);
          });
        };
        request.onsuccess = function () {
          var db = request.result;
          db.onversionchange = function () { db.close(); opening = null; };
          resolve(db);
        };
        request.onerror = function () { opening = null; reject(request.error); };
      });
    }
    return opening;
  }

  /* `work` gets the transaction's stores and queues its requests at once; the promise resolves with
     what it returned once the transaction has committed. A write is durable ("strict") before it
     resolves: a scan the guest was told about survives a power cut. */
  function run(names, mode, work) {
    return open().then(function (db) {
      var tx = db.transaction(names, mode, { durability: mode === "readwrite" ? "strict" : "default" });
      var stores = {};
      names.forEach(function (name) { stores[name] = tx.objectStore(name); });
      var result = work(stores);
      return new Promise(function (resolve, reject) {
        tx.oncomplete = function () { resolve(result); };
        tx.onerror = tx.onabort = function () { reject(tx.error); };
      });
    });
  }

  function read(store, key) {
    return run([store], "readonly", function (s) { return done(s[store].get(key)); });
  }

  var KioskStore = {
    getMeta: function (key) { return read("meta", key); },
    setMeta: function (key, value) {
      return run(["meta"], "readwrite", function (s) { s.meta.put(value, key); });
    },
    // The new manifest replaces the old one whole, in one transaction.
    saveManifest: function (terms, entries) {
      return run(["meta", "entries"], "readwrite", function (s) {
        s.entries.clear();
        Object.keys(entries).forEach(function (tag) { s.entries.put(entries[tag], tag); });
        s.meta.put(terms, "manifest");
      });
    },
    dropManifest: function () {
      return run(["meta", "entries"], "readwrite", function (s) {
        s.entries.clear();
        s.meta.delete("manifest");
      });
    },
    entry: function (tag) { return read("entries", tag); },
    // `store` is "queue" (scans, the default) or "prints" (badges printed offline).
    enqueue: function (scan, store) {
      store = store || "queue";
      return run([store], "readwrite", function (s) { return done(s[store].add(scan)); });
    },
    // The first `count` queued scans (or prints), oldest first, with their keys.
    head: function (count, store) {
      store = store || "queue";
      return run([store], "readonly", function (s) {
        var found = [];
        return new Promise(function (resolve, reject) {
          var cursor = s[store].openCursor();
          cursor.onsuccess = function () {
            var at = cursor.result;
            if (!at || found.length >= count) { resolve(found); return; }
            found.push({ key: at.key, scan: at.value });
            at.continue();
          };
          cursor.onerror = function () { reject(cursor.error); };
        });
      });
    },
    queued: function (store) {
      store = store || "queue";
      return run([store], "readonly", function (s) { return done(s[store].getAll()); });
    },
    count: function (store) {
      store = store || "queue";
      return run([store], "readonly", function (s) { return done(s[store].count()); });
    },
    remove: function (keys, store) {
      store = store || "queue";
      return run([store], "readwrite", function (s) { keys.forEach(function (key) { s[store].delete(key); }); });
    },
    // Everything: a revoked or unpaired kiosk keeps nothing.
    wipe: function () {
      return run(STORES, "readwrite", function (s) { STORES.forEach(function (name) { s[name].clear(); }); });
    },

    importKey: function (text) {
      return crypto.subtle.importKey("raw", unbase64(text), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    },
    tagFor: function (key, kind, code) {
      return mac(key, kind + ":" + code).then(function (raw) { return base64(raw.slice(0, TAG_BYTES)); });
    },
    // The guest's payload under `tag`, opened with the code scanned; rejects if the code does not open it.
    unseal: function (key, kind, code, tag, sealed) {
      var blob = unbase64(sealed);
      return mac(key, "seal:" + kind + ":" + code).then(function (raw) {
        return crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["decrypt"]);
      }).then(function (sealing) {
        return crypto.subtle.decrypt({ name: "AES-GCM", iv: blob.slice(0, 12), additionalData: encoder.encode(tag) },
                                     sealing, blob.slice(12));
      }).then(function (plain) { return JSON.parse(new TextDecoder().decode(plain)); });
    }
  };

  function mac(key, text) {
    return crypto.subtle.sign("HMAC", key, encoder.encode(text)).then(function (raw) { return new Uint8Array(raw); });
  }

  function base64(bytes) {
    var text = "";
    bytes.forEach(function (byte) { text += String.fromCharCode(byte); });
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function unbase64(text) {
    var plain = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4));
    var bytes = new Uint8Array(plain.length);
    for (var i = 0; i < plain.length; i++) { bytes[i] = plain.charCodeAt(i); }
    return bytes;
  }

  scope.KioskStore = KioskStore;
})(self);
