// The region picker as an ARIA 1.2 combobox (list autocomplete, no automatic selection):
// typing searches /wilayah/cari.json; arrows move through the results, Enter or a click
// chooses one (its code goes into the hidden field), Escape closes the list, then clears
// the text. Without this script the text box still works: the server looks the text up.
(function () {
  "use strict";

  var counter = 0;

  function setup(root) {
    var input = root.querySelector("[data-region-text]");
    var hidden = root.querySelector("[data-region-code]");
    var url = root.getAttribute("data-search-url");
    if (!input || !hidden || !url || !window.fetch) return;
    counter += 1;
    var listId = "region-picker-list-" + counter;
    var list = document.createElement("ul");
    list.id = listId;
    list.setAttribute("role", "listbox");
    list.className = "region-picker-list";
    var label = input.id && document.querySelector("label[for='" + input.id + "']");
    if (label) {
      if (!label.id) label.id = input.id + "-label";
      list.setAttribute("aria-labelledby", label.id);
    }
    list.hidden = true;
    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    input.insertAdjacentElement("afterend", list);
    list.insertAdjacentElement("afterend", status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);

    var results = [];
    var active = -1;
    var timer = null;
    var request = 0;
    var chosenText = input.value;

    function open(isOpen) {
      list.hidden = !isOpen;
      input.setAttribute("aria-expanded", isOpen ? "true" : "false");
      if (!isOpen) setActive(-1);
    }

    function setActive(index) {
      active = index;
      Array.prototype.forEach.call(list.children, function (item, i) {
        item.setAttribute("aria-selected", i === index ? "true" : "false");
        if (i === index) item.scrollIntoView({ block: "nearest" });
      });
      if (index >= 0) input.setAttribute("aria-activedescendant", listId + "-" + index);
      else input.removeAttribute("aria-activedescendant");
    }

    function choose(index) {
      var region = results[index];
      if (!region) return;
      input.value = region.label;
      hidden.value = region.code;
      chosenText = region.label;
      open(false);
      // The old list of server-side choices, if any, no longer applies.
      var candidates = root.querySelector(".region-candidates");
      if (candidates) candidates.remove();
    }

    function render(found) {
      results = found;
      list.textContent = "";
      found.forEach(function (region, i) {
        var item = document.createElement("li");
        item.id = listId + "-" + i;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.textContent = region.label;
        var code = document.createElement("span");
        code.className = "muted";
        code.textContent = " " + region.code;
        item.appendChild(code);
        item.addEventListener("mousedown", function (event) { event.preventDefault(); });
        item.addEventListener("click", function () { choose(i); });
        list.appendChild(item);
      });
      status.textContent = found.length
        ? root.getAttribute("data-text-count").replace("%(count)s", found.length)
        : root.getAttribute("data-text-none");
      open(found.length > 0);
    }

    function search() {
      var text = input.value.trim();
      if (text.length < 2) { render([]); status.textContent = ""; return; }
      var mine = ++request;
      fetch(url + "?q=" + encodeURIComponent(text), { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) { if (mine === request) render(data.results || []); })
        .catch(function () { /* the server checks the text on submit */ });
    }

    input.addEventListener("input", function () {
      // Typing undoes the last choice until another is made.
      if (input.value !== chosenText) hidden.value = "";
      clearTimeout(timer);
      timer = setTimeout(search, 200);
    });

    input.addEventListener("keydown", function (event) {
      var expanded = !list.hidden;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (!expanded) { if (results.length) open(true); else search(); return; }
        setActive(active + 1 >= results.length ? 0 : active + 1);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        if (!expanded) return;
        setActive(active <= 0 ? results.length - 1 : active - 1);
      } else if (event.key === "Enter") {
        if (expanded && active >= 0) { event.preventDefault(); choose(active); }
      } else if (event.key === "Escape") {
        if (expanded) { event.preventDefault(); open(false); }
        else if (input.value) { event.preventDefault(); input.value = ""; hidden.value = ""; chosenText = ""; }
      }
    });

    input.addEventListener("blur", function () { open(false); });
  }

  document.querySelectorAll("[data-region-picker]").forEach(setup);
})();
