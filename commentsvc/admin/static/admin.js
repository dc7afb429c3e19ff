// Queue keyboard (j/k move, a/r/s decide, x select, ? help), claims on focus, live tab counts.
// No inline handlers anywhere: the admin's CSP allows only this file.
(function () {
  "use strict";
  var token = document.querySelector('meta[name="csrf-token"]');
  var csrf = token ? token.getAttribute("content") : "";

  function cards() { return Array.prototype.slice.call(document.querySelectorAll(".cards .card")); }
  function current() { return document.querySelector(".card.focused"); }

  function claim(card) {
    var url = card.getAttribute("data-claim-url");
    if (!url || !window.fetch) { return; }
    fetch(url, { method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrf } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (data && data.holder && !data.mine && !card.querySelector(".claim")) {
          var note = document.createElement("span");
          note.className = "claim";
          note.textContent = "⚑ " + data.holder;
          card.querySelector("header").appendChild(note);
        }
      })
      .catch(function () { /* claims are advice: the revision check protects decisions */ });
  }

  function focusCard(card) {
    var old = current();
    if (old) { old.classList.remove("focused"); }
    if (!card) { return; }
    card.classList.add("focused");
    card.focus({ preventScroll: true });
    card.scrollIntoView({ block: "nearest" });
    claim(card);
  }

  function move(step) {
    var list = cards();
    if (!list.length) { return; }
    var index = list.indexOf(current());
    var next = index < 0 ? 0 : Math.min(Math.max(index + step, 0), list.length - 1);
    focusCard(list[next]);
  }

  function press(key) {
    var card = current();
    if (!card) { return; }
    var button = card.querySelector('button[data-key="' + key + '"]');
    if (button) { button.click(); }
  }

  function toggleHelp() {
    var help = document.getElementById("help");
    if (help) { help.hidden = !help.hidden; }
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target && (target.isContentEditable ||
      /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
    if (typing || event.ctrlKey || event.metaKey || event.altKey) { return; }
    var handlers = {
      j: function () { move(1); },
      k: function () { move(-1); },
      a: function () { press("a"); },
      r: function () { press("r"); },
      s: function () { press("s"); },
      x: function () {
        var card = current();
        var box = card && card.querySelector("input.select");
        if (box) { box.checked = !box.checked; }
      },
      "?": toggleHelp
    };
    var handler = handlers[event.key];
    if (handler) { event.preventDefault(); handler(); }
  });

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest && event.target.closest(".help-toggle");
    if (toggle) { toggleHelp(); return; }
    var card = event.target.closest && event.target.closest(".card");
    if (card && card !== current()) { focusCard(card); }
  });

  var tabs = document.querySelector("[data-counts-url]");
  if (tabs && window.fetch) {
    window.setInterval(function () {
      fetch(tabs.getAttribute("data-counts-url"), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (counts) {
          if (!counts) { return; }
          Object.keys(counts).forEach(function (tab) {
            var el = tabs.querySelector('[data-count="' + tab + '"]');
            if (el) { el.textContent = counts[tab]; }
          });
        })
        .catch(function () { /* the next poll tries again */ });
    }, 30000);
  }
})();
