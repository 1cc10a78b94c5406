// Progressive enhancements for the staff workspace; every page works without them.
(function () {
  "use strict";

  // "Gunakan": insert the chosen standard reply at the cursor instead of reloading.
  document.querySelectorAll("[data-canned-insert]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      var form = button.form;
      var select = form.querySelector("[data-canned-select]");
      var textarea = document.getElementById(button.getAttribute("data-canned-insert"));
      var option = select && select.options[select.selectedIndex];
      if (!textarea || !option || !option.value) return;
      event.preventDefault();
      var body = option.getAttribute("data-body") || "";
      var start = textarea.selectionStart, end = textarea.selectionEnd;
      var value = textarea.value;
      textarea.value = value.slice(0, start) + body + value.slice(end);
      textarea.focus();
      textarea.selectionStart = textarea.selectionEnd = start + body.length;
    });
  });

  // Choosing another agency reloads the form with that agency's units.
  document.querySelectorAll("[data-show-units]").forEach(function (button) {
    var select = button.form.querySelector("select[name$='-agency']");
    if (!select) return;
    select.addEventListener("change", function () {
      if (button.form.requestSubmit) button.form.requestSubmit(button); else button.click();
    });
  });

  // The inbox counts its own tab with the page; the other tabs' counts come after it.
  var tabs = document.querySelector("[data-tab-counts]");
  if (tabs && window.fetch) {
    fetch(tabs.getAttribute("data-tab-counts"), {
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (data) {
      if (!data || !data.tabs) return;
      tabs.querySelectorAll("[data-tab-count]").forEach(function (span) {
        var item = data.tabs[span.getAttribute("data-tab-count")];
        if (!item) return;
        span.textContent = item.count;
        span.setAttribute("aria-label", item.label);
        span.removeAttribute("hidden");
      });
    }).catch(function () {});
  }

  // Bulk selection: "select all on this page".
  var all = document.querySelector("[data-select-all]");
  if (all) {
    all.closest("[hidden]") && all.closest("[hidden]").removeAttribute("hidden");
    all.addEventListener("change", function () {
      document.querySelectorAll(".ws-row-check").forEach(function (box) { box.checked = all.checked; });
    });
  }
})();
