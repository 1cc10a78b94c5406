/* The report form without signal (docs/REPORT_FORM.md). Without this file, or in a
   browser without IndexedDB, the form works as a plain form.

   - Moves the focus to the error summary when the form comes back with errors.
   - Registers the service worker that keeps the form for use offline.
   - When the phone is offline, "Kirim laporan" puts the report (fields and photos) in the
     queue on the phone instead of sending it, and shows it "menunggu sinyal".
   - When the phone is back online (the `online` event, and Background Sync in the
     service worker where the browser has it), the queue is sent; each report shows its
     state. No inline handlers: everything is wired here. */
(function () {
  "use strict";

  var summary = document.querySelector("[data-focus-on-load]");
  if (summary) {
    summary.focus();
  }

  var section = document.querySelector("[data-offline-queue]");
  var form = document.querySelector("form.report-form");
  var queue = window.AduanQueue;
  if (!section || !form || !queue || !window.indexedDB || !window.fetch || !window.Promise) {
    return;
  }
  var urls = { queue: section.getAttribute("data-queue-url") };
  var list = section.querySelector("[data-queue-list]");
  var box = section.querySelector("[data-queue-box]");
  var banner = section.querySelector("[data-offline-banner]");
  var status = section.querySelector("[data-queue-status]");
  var SYNC_TAG = "aduan-kirim-laporan";
  var BADGES = { waiting: "badge-warn", sending: "", sent: "badge-ok", verify: "badge-danger", invalid: "badge-danger" };

  function text(name) {
    return section.getAttribute("data-text-" + name) || "";
  }

  function announce(message) {
    status.textContent = "";
    window.setTimeout(function () { status.textContent = message; }, 50);
  }

  function element(tag, className, content) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (content) {
      node.textContent = content;
    }
    return node;
  }

  function button(label, onClick) {
    var node = element("button", "link-button", label);
    node.type = "button";
    node.addEventListener("click", onClick);
    return node;
  }

  function row(item) {
    var li = element("li", "queue-item queue-" + item.state);
    li.setAttribute("data-queue-item", item.key);
    var head = element("p", "queue-head");
    head.appendChild(element("strong", "", item.title || text("untitled")));
    head.appendChild(document.createTextNode(" "));
    var badge = element("span", "badge " + (BADGES[item.state] || ""), text(item.state));
    badge.setAttribute("data-queue-state", item.state);
    head.appendChild(badge);
    li.appendChild(head);

    var meta = element("p", "queue-meta");
    meta.textContent = new Date(item.created).toLocaleString(document.documentElement.lang || undefined);
    if (item.files && item.files.length) {
      meta.textContent += " · " + item.files.length + " " + text("files");
    }
    li.appendChild(meta);

    if (item.state === "sent") {
      var done = element("p", "queue-result");
      if (item.url) {
        var link = element("a", "", item.trackingNumber);
        link.href = item.url;
        done.appendChild(link);
      } else {
        done.textContent = item.message || item.trackingNumber;
      }
      li.appendChild(done);
    }
    if (item.state === "invalid" && item.errors && item.errors.length) {
      var errors = element("ul", "errorlist");
      item.errors.forEach(function (error) { errors.appendChild(element("li", "", error.message)); });
      li.appendChild(errors);
    }
    var actions = element("p", "queue-actions");
    if (item.state === "verify") {
      var verify = element("a", "", text("verify-link"));
      verify.href = item.url || section.getAttribute("data-form-url");
      actions.appendChild(verify);
    }
    if (item.state === "invalid") {
      actions.appendChild(button(text("edit"), function () { edit(item); }));
    }
    if (item.state === "sent") {
      actions.appendChild(button(text("dismiss"), function () { queue.remove(item.key).then(render); }));
    } else if (item.state !== "sending") {
      actions.appendChild(button(text("remove"), function () {
        if (window.confirm(text("remove-confirm"))) {
          queue.remove(item.key).then(render);
        }
      }));
    }
    if (actions.childNodes.length) {
      li.appendChild(actions);
    }
    return li;
  }

  function render() {
    var offline = navigator.onLine === false;
    banner.hidden = !offline;
    return queue.all().then(function (items) {
      list.textContent = "";
      items.forEach(function (item) { list.appendChild(row(item)); });
      box.hidden = items.length === 0;
      section.hidden = !offline && items.length === 0;
    }, function () {
      section.hidden = !offline;
    });
  }

  function send() {
    if (navigator.onLine === false) {
      return Promise.resolve();
    }
    return queue.sendAll(urls).then(render);
  }

  function askForSync() {
    if (!navigator.serviceWorker) {
      return;
    }
    navigator.serviceWorker.ready.then(function (registration) {
      return registration.sync ? registration.sync.register(SYNC_TAG) : null;
    }).catch(function () { return null; });
  }

  /* Put a report the server refused back into the form, to be corrected and sent. */
  function setValue(name, value) {
    var fields = form.elements[name];
    if (!fields) {
      return;
    }
    if (fields.length !== undefined && !fields.tagName) {
      Array.prototype.forEach.call(fields, function (field) {
        if (field.type === "radio" || field.type === "checkbox") {
          field.checked = field.value === value;
        }
      });
    } else if (fields.type === "checkbox") {
      fields.checked = true;
    } else {
      fields.value = value;
    }
  }

  function waitForOption(select, value, tries) {
    return new Promise(function (resolve) {
      (function check(left) {
        if (!value || select.querySelector('option[value="' + value.replace(/"/g, "") + '"]') || left <= 0) {
          resolve();
        } else {
          window.setTimeout(function () { check(left - 1); }, 100);
        }
      })(tries);
    });
  }

  function edit(item) {
    var values = {};
    item.fields.forEach(function (pair) { values[pair[0]] = pair[1]; });
    form.reset();
    Array.prototype.forEach.call(form.querySelectorAll("input[type=checkbox]"), function (box) { box.checked = false; });
    item.fields.forEach(function (pair) {
      if (["province", "regency", "district", "village"].indexOf(pair[0]) === -1) {
        setValue(pair[0], pair[1]);
      }
    });
    var levels = ["province", "regency", "district", "village"];
    var chain = Promise.resolve();
    levels.forEach(function (level) {
      var select = form.elements[level];
      if (!select || !values[level]) {
        return;
      }
      chain = chain.then(function () {
        return waitForOption(select, values[level], 50);
      }).then(function () {
        select.value = values[level];
        select.dispatchEvent(new Event("change"));
      });
    });
    var input = form.querySelector("input[type=file][name=attachments]");
    if (input && item.files.length && window.DataTransfer) {
      try {
        var transfer = new DataTransfer();
        item.files.forEach(function (file) {
          transfer.items.add(new File([file.blob], file.name || "lampiran", { type: file.type }));
        });
        input.files = transfer.files;
      } catch (error) {
        /* An old browser: the photos must be chosen again. */
      }
    }
    chain.then(function () {
      return queue.remove(item.key);
    }).then(function () {
      render();
      var title = form.elements.title;
      if (title) {
        title.focus();
      }
    });
  }

  form.addEventListener("submit", function (event) {
    if (navigator.onLine !== false) {
      return; /* with signal the form is sent as usual */
    }
    event.preventDefault();
    event.stopImmediatePropagation();
    var submitter = event.submitter;
    if (submitter && submitter.name === "aksi" && submitter.value !== "kirim") {
      announce(banner.textContent.trim());
      return; /* a region "Pilih" button needs the server */
    }
    var data = new FormData(form);
    var title = String(data.get("title") || "").trim();
    var body = String(data.get("body") || "").trim();
    if (!title || body.length < 10) {
      announce(text("needs-text"));
      window.alert(text("needs-text"));
      return;
    }
    queue.fromFormData(data).then(function () {
      form.reset();
      /* A new token for the next report: the server's belongs to this one now. */
      var token = form.querySelector("input[name=form_token]");
      if (token) {
        token.value = window.crypto && window.crypto.randomUUID ? window.crypto.randomUUID() : "";
      }
      askForSync();
      return render();
    }).then(function () {
      announce(text("queued"));
      section.scrollIntoView({ block: "start" });
    }, function () {
      window.alert(text("storage-failed"));
    });
  }, true);

  window.addEventListener("online", function () {
    render();
    send();
  });
  window.addEventListener("offline", render);
  queue.listen(render);

  if (navigator.serviceWorker && section.getAttribute("data-sw-url")) {
    navigator.serviceWorker.register(section.getAttribute("data-sw-url")).catch(function () { return null; });
  }
  render().then(send);
})();
