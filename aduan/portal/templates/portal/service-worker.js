/* Aduan's service worker (served at the site root so that it controls /lapor/).
   Rendered by aduan.portal.views.app.service_worker; version {{ version }}.

   - Keeps the form's static files and the last report form page this browser loaded, so
     the form opens without signal (network first: with signal the page is always fresh).
   - Sends the reports queued on the phone (offline-queue.js) when Background Sync says
     the network is back; pages do the same on their `online` event where there is no
     Background Sync. Each report carries its own idempotency key, so two senders at once
     still file it once.
   - A report form sent while the connection drops on the way is not lost: it is put in
     the queue and the form opens again with the report shown waiting for signal. */
"use strict";

var CONFIG = {{ config|safe }};

importScripts(CONFIG.queueScript);

var CACHE = "aduan-" + CONFIG.version;
var FORM_URL = CONFIG.formUrl;
var QUEUE_URL = CONFIG.queueUrl;
var OFFLINE_URL = CONFIG.offlineUrl;
var SYNC_TAG = CONFIG.syncTag;
var ASSETS = CONFIG.assets.concat([OFFLINE_URL]);

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return cache.addAll(ASSETS);
    }).then(function () {
      return self.skipWaiting();
    })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.map(function (name) {
        if (name.indexOf("aduan-") === 0 && name !== CACHE) {
          /* Keep the saved form page: copy it into the new cache first. */
          return caches.open(name).then(function (old) {
            return old.match(FORM_URL);
          }).then(function (page) {
            return page ? caches.open(CACHE).then(function (cache) { return cache.put(FORM_URL, page); }) : null;
          }).then(function () {
            return caches.delete(name);
          });
        }
        return null;
      }));
    }).then(function () {
      return self.clients.claim();
    })
  );
});

function formPage(request) {
  return fetch(request).then(function (response) {
    /* Only the form itself is kept (not the guest's contact step or an error). */
    if (response.ok && response.headers.get("X-Aduan-Offline-Form")) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(FORM_URL, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(FORM_URL, { ignoreSearch: true }).then(function (page) {
      return page || caches.match(OFFLINE_URL);
    });
  });
}

function rescuePost(request) {
  /* Read the form before sending: the body can be read only once. */
  var copy = request.clone();
  return fetch(request).catch(function () {
    return copy.formData().then(function (data) {
      var action = data.get("aksi");
      if (action && action !== "kirim") {
        /* A region "Pilih" button: it needs the server, it is not a report. */
        return caches.match(OFFLINE_URL);
      }
      return AduanQueue.fromFormData(data).then(function () {
        return Response.redirect(FORM_URL + "#antrean", 303);
      });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (request.method === "POST" && request.mode === "navigate" && url.pathname === FORM_URL) {
    event.respondWith(rescuePost(request));
    return;
  }
  if (request.method !== "GET") {
    return;
  }
  if (request.mode === "navigate") {
    if (url.pathname === FORM_URL) {
      event.respondWith(formPage(request));
    } else {
      event.respondWith(fetch(request).catch(function () {
        return caches.match(OFFLINE_URL);
      }));
    }
    return;
  }
  if (ASSETS.indexOf(url.pathname) !== -1) {
    /* Static files: from the cache, refreshed when the worker's version changes. */
    event.respondWith(caches.match(request).then(function (cached) {
      return cached || fetch(request);
    }));
  }
});

self.addEventListener("sync", function (event) {
  if (event.tag === SYNC_TAG) {
    event.waitUntil(AduanQueue.sendAll({ queue: QUEUE_URL }));
  }
});

self.addEventListener("message", function (event) {
  if (event.data === "send-queue") {
    event.waitUntil(AduanQueue.sendAll({ queue: QUEUE_URL }));
  }
});
