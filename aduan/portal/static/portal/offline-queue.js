/* The queue of reports written without signal, shared by the report form page
   (report-offline.js) and the service worker (/sw.js): both may send it.

   A queued report is one IndexedDB record: its form fields, its photos as Blobs, and a
   key made on the phone (a UUID) that the server takes as the report's idempotency key,
   so sending it twice never files two reports. Its state is one of
     waiting  — menunggu sinyal (waiting for signal)
     sending  — mengirim (being sent; back to waiting if the sender dies)
     sent     — terkirim (filed; the photos are dropped from the phone)
     verify   — the guest's verified contact lapsed: waits until they verify again
     invalid  — the server refused a field; the citizen corrects it in the form.
   Sending runs under a Web Lock where the browser has them, so the page and the worker
   take turns; without locks the idempotency key still keeps it to one report. */
(function (root) {
  "use strict";

  var DB_NAME = "aduan-antrean";
  var STORE = "laporan";
  var CHANNEL = "aduan-antrean";
  var KEY_PATTERN = /^[A-Za-z0-9-]{16,64}$/;
  /* Never sent with a queued report: the sender adds fresh ones. */
  var SKIPPED = { csrfmiddlewaretoken: true, form_token: true, aksi: true, attachments: true };
  var SENT_KEPT_FOR = 7 * 24 * 3600 * 1000;

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = root.indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "key" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function withStore(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(STORE, mode);
        var request = work(transaction.objectStore(STORE));
        transaction.oncomplete = function () {
          db.close();
          resolve(request ? request.result : undefined);
        };
        transaction.onerror = transaction.onabort = function () {
          db.close();
          reject(transaction.error);
        };
      });
    });
  }

  function all() {
    return withStore("readonly", function (store) { return store.getAll(); }).then(function (items) {
      return (items || []).sort(function (a, b) { return a.created - b.created; });
    });
  }

  function put(item) {
    return withStore("readwrite", function (store) { return store.put(item); });
  }

  function remove(key) {
    return withStore("readwrite", function (store) { return store.delete(key); });
  }

  function changed() {
    if (root.BroadcastChannel) {
      var channel = new root.BroadcastChannel(CHANNEL);
      channel.postMessage("changed");
      channel.close();
    }
  }

  function listen(callback) {
    if (root.BroadcastChannel) {
      new root.BroadcastChannel(CHANNEL).onmessage = callback;
    }
  }

  function newKey() {
    if (root.crypto && root.crypto.randomUUID) {
      return root.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    root.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  /* A queued report from the form's data (FormData of the form, or of a request the
     service worker could not send). The form's own token is kept as the key when it has
     one: if the first attempt did reach the server, the retry finds that report. */
  function fromFormData(data) {
    var fields = [];
    var files = [];
    data.forEach(function (value, name) {
      if (name === "attachments") {
        if (value && value.size) {
          files.push({ name: value.name || "", type: value.type || "", blob: value });
        }
      } else if (!SKIPPED[name]) {
        fields.push([name, String(value)]);
      }
    });
    var token = String(data.get("form_token") || "");
    var item = {
      key: KEY_PATTERN.test(token) ? token : newKey(),
      created: Date.now(),
      state: "waiting",
      title: String(data.get("title") || ""),
      fields: fields,
      files: files,
      errors: []
    };
    return put(item).then(function () {
      changed();
      return item;
    });
  }

  function withLock(work) {
    if (root.navigator && root.navigator.locks && root.navigator.locks.request) {
      return root.navigator.locks.request(DB_NAME, work);
    }
    return work();
  }

  function sendOne(item, csrfToken, urls) {
    item.state = "sending";
    return put(item).then(function () {
      changed();
      var body = new FormData();
      item.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
      body.append("form_token", item.key);
      body.append("aksi", "kirim");
      body.append("csrfmiddlewaretoken", csrfToken);
      item.files.forEach(function (file) { body.append("attachments", file.blob, file.name); });
      return fetch(urls.queue, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": csrfToken }
      });
    }).then(function (response) {
      return response.json().catch(function () { return {}; });
    }).then(function (answer) {
      if (answer.status === "sent") {
        item.state = "sent";
        item.trackingNumber = answer.tracking_number;
        item.url = answer.url || "";
        item.message = answer.message || "";
        item.sentAt = Date.now();
        item.files = []; /* the server has them now */
        item.fields = [];
      } else if (answer.status === "verify") {
        item.state = "verify";
        item.url = answer.url || "";
      } else if (answer.status === "invalid") {
        item.state = "invalid";
        item.errors = answer.errors || [];
      } else {
        item.state = "waiting"; /* server error or a stale token: try again later */
      }
    }, function () {
      item.state = "waiting"; /* the network went away again */
    }).then(function () {
      return put(item);
    }).then(changed);
  }

  /* Send every report that is due, one after another. Resolves when done; never rejects
     for a network error (the reports simply stay waiting). */
  function sendAll(urls) {
    return withLock(function () {
      return all().then(function (items) {
        var now = Date.now();
        items.filter(function (item) {
          return item.state === "sent" && now - (item.sentAt || 0) > SENT_KEPT_FOR;
        }).forEach(function (item) { remove(item.key); });
        var due = items.filter(function (item) {
          return item.state === "waiting" || item.state === "sending" || item.state === "verify";
        });
        if (!due.length) {
          return null;
        }
        return fetch(urls.queue, {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
          cache: "no-store"
        }).then(function (response) {
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          return response.json();
        }).then(function (status) {
          if (!status.can_submit) {
            return Promise.all(due.map(function (item) {
              item.state = "verify";
              return put(item);
            })).then(changed);
          }
          return due.reduce(function (previous, item) {
            return previous.then(function () { return sendOne(item, status.csrf_token, urls); });
          }, Promise.resolve());
        });
      });
    }).catch(function () {
      return null;
    });
  }

  root.AduanQueue = {
    all: all,
    put: put,
    remove: remove,
    changed: changed,
    listen: listen,
    fromFormData: fromFormData,
    sendAll: sendAll
  };
})(self);
