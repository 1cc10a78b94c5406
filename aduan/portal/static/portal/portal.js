/* Aduan citizens' pages: small progressive enhancements. Every page works without this
   file; it only saves round trips. No inline handlers: everything is wired here. */
(function () {
  "use strict";

  /* Region cascade: a form with data-region-url (".../wilayah/KODE/anak.json") and
     selects marked data-region-level, in order from province down. Choosing a level
     loads the next one; the "Pilih" buttons (the no-JavaScript way) are hidden. */
  function regionCascade(form) {
    var url = form.getAttribute("data-region-url");
    var loading = form.getAttribute("data-loading-text") || "…";
    var selects = Array.prototype.slice.call(form.querySelectorAll("select[data-region-level]"));
    if (!url || selects.length < 2 || !window.fetch) {
      return;
    }
    Array.prototype.forEach.call(form.querySelectorAll(".region-pick, .region-pick-help"), function (el) {
      el.hidden = true;
    });
    var requests = 0;

    function clear(select) {
      while (select.options.length > 1) {
        select.remove(1);
      }
      select.value = "";
      select.disabled = true;
    }

    selects.forEach(function (select, index) {
      select.addEventListener("change", function () {
        var next = selects[index + 1];
        for (var i = index + 1; i < selects.length; i++) {
          clear(selects[i]);
        }
        if (!next || !select.value) {
          return;
        }
        var ticket = ++requests;
        var placeholder = next.options[0];
        var label = placeholder.text;
        placeholder.text = loading;
        fetch(url.replace("KODE", encodeURIComponent(select.value)), {
          headers: { Accept: "application/json" },
          credentials: "same-origin"
        })
          .then(function (response) {
            if (!response.ok) {
              throw new Error(response.status);
            }
            return response.json();
          })
          .then(function (data) {
            if (ticket !== requests) {
              return; /* a newer choice was made meanwhile */
            }
            data.children.forEach(function (child) {
              next.add(new Option(child.name, child.code));
            });
            next.disabled = data.children.length === 0;
          })
          .catch(function () {
            /* Offline or server error: fall back to the buttons that send the form. */
            Array.prototype.forEach.call(form.querySelectorAll(".region-pick, .region-pick-help"), function (el) {
              el.hidden = false;
            });
          })
          .then(function () {
            placeholder.text = label;
          });
      });
    });
    /* A level chosen before this script ran (a slow phone, a quick finger) has its
       choices below it loaded now, as if it had just been chosen. */
    for (var i = 0; i < selects.length - 1; i++) {
      if (selects[i].value && selects[i + 1].disabled && selects[i + 1].options.length < 2) {
        selects[i].dispatchEvent(new Event("change"));
        break;
      }
    }
  }

  /* A form marked data-submit-once is sent once, even after a double tap. */
  function submitOnce(form) {
    var sent = false;
    form.addEventListener("submit", function (event) {
      if (sent) {
        event.preventDefault();
        return;
      }
      sent = true;
      window.setTimeout(function () {
        sent = false; /* allow a retry if the page is still here after a while */
      }, 15000);
    });
  }

  /* Copy buttons: data-copy names the element whose text is copied. */
  function copyButton(button) {
    var target = document.getElementById(button.getAttribute("data-copy"));
    if (!target || !navigator.clipboard) {
      return;
    }
    button.hidden = false;
    var status = button.parentNode.querySelector(".copy-status");
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(target.textContent.trim()).then(function () {
        if (status) {
          status.textContent = button.getAttribute("data-copied-text") || "";
        }
      });
    });
  }

  /* Similar reports, live: a [data-similar-live] box inside the report form shows the
     published reports with the same category near the place being chosen (an HTML
     fragment from data-similar-url). The numbers shown go back with the form in
     [data-similar-seen], so the server's "similar reports" page (the no-JavaScript way)
     is skipped when it would show nothing new. The map sets the coordinates without
     events, so the values are also compared every two seconds (no request unless they
     changed). */
  function similarLive(box) {
    var form = box.closest("form");
    var seen = form && form.querySelector("[data-similar-seen]");
    var url = box.getAttribute("data-similar-url");
    if (!form || !seen || !url || !window.fetch || !window.URLSearchParams) {
      return;
    }
    var names = ["category", "province", "regency", "district", "village", "latitude", "longitude"];
    var last = null;
    var timer = null;
    var ticket = 0;

    function query() {
      var params = new URLSearchParams();
      names.forEach(function (name) {
        var field = form.elements[name];
        if (field && field.value) {
          params.set(name, field.value);
        }
      });
      return params.toString();
    }

    function refresh() {
      var key = query();
      if (key === last) {
        return;
      }
      last = key;
      var mine = ++ticket;
      if (!form.elements.category || !form.elements.category.value) {
        box.innerHTML = "";
        return;
      }
      fetch(url + "?" + key, { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(response.status);
          }
          return response.text();
        })
        .then(function (html) {
          if (mine !== ticket) {
            return;
          }
          box.innerHTML = html;
          var list = box.querySelector("[data-similar-numbers]");
          if (list) {
            var numbers = (seen.value ? seen.value.split(" ") : []).concat(
              list.getAttribute("data-similar-numbers").split(" ")
            );
            seen.value = numbers
              .filter(function (number, index) {
                return number && numbers.indexOf(number) === index;
              })
              .join(" ");
          }
        })
        .catch(function () {
          last = null; /* try again at the next change; the server's page still works */
        });
    }

    function soon() {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 400);
    }

    form.addEventListener("change", soon);
    form.addEventListener("input", soon);
    window.setInterval(refresh, 2000);
    refresh();
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-region-url]"), regionCascade);
  Array.prototype.forEach.call(document.querySelectorAll("[data-similar-live]"), similarLive);
  Array.prototype.forEach.call(document.querySelectorAll("form[data-submit-once]"), submitOnce);
  Array.prototype.forEach.call(document.querySelectorAll("[data-copy]"), copyButton);
})();
