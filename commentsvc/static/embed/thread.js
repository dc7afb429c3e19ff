/* commentsvc iframe: keeps the host's iframe as tall as the thread, and posts, replies, likes,
   reports, edits and deletes without reloading. Everything here is an enhancement: the page
   works with plain HTML forms when this file does not run. */
(function () {
  "use strict";

  var body = document.body;
  var cfg = body.dataset;
  var i18n = {};
  try { i18n = JSON.parse(cfg.i18n || "{}"); } catch (e) { i18n = {}; }
  var pageOrigin = cfg.pageOrigin || "";
  var inFrame = window.parent !== window;

  /* ---------- storage: the iframe's localStorage, else memory (nothing survives) ---------- */
  var memory = {};
  var persistent = true;
  var store = (function () {
    try {
      var probe = "cs:probe";
      window.localStorage.setItem(probe, "1");
      window.localStorage.removeItem(probe);
      return window.localStorage;
    } catch (e) {
      // Storage denied to a cross-site frame (third-party storage blocked): keep things for
      // as long as the page lives, and say so once something worth keeping is stored.
      persistent = false;
      return {
        getItem: function (k) { return Object.prototype.hasOwnProperty.call(memory, k) ? memory[k] : null; },
        setItem: function (k, v) { memory[k] = String(v); },
        removeItem: function (k) { delete memory[k]; }
      };
    }
  })();
  function load(key, fallback) {
    try { var v = JSON.parse(store.getItem(key)); return v === null ? fallback : v; } catch (e) { return fallback; }
  }
  function save(key, value) {
    try { store.setItem(key, JSON.stringify(value)); } catch (e) { /* full or refused: keep going */ }
  }
  function readerKey() {
    var key = load("cs:key", null);
    if (!key) {
      var bytes = new Uint8Array(16);
      window.crypto.getRandomValues(bytes);
      key = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
      save("cs:key", key);
    }
    return key;
  }
  var MINE = "cs:mine:" + cfg.site;
  function mine() { return load(MINE, {}); }
  function keepMine(id, entry) {
    var all = mine();
    var now = Date.now();
    Object.keys(all).forEach(function (k) { if (now - (all[k].at || 0) > 7 * 864e5) delete all[k]; });
    if (entry) all[id] = entry; else delete all[id];
    save(MINE, all);
  }

  /* ---------- height: tell the host page, and only the host page ---------- */
  var lastHeight = 0;
  function measure() {
    var h = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (inFrame && pageOrigin && h !== lastHeight) {
      lastHeight = h;
      window.parent.postMessage({ type: "commentsvc:resize", height: h }, pageOrigin);
    }
  }
  if (window.ResizeObserver) new ResizeObserver(measure).observe(document.documentElement);
  window.addEventListener("load", measure);
  // Images (avatars, pictures in comments) change the height when they arrive.
  document.addEventListener("load", function (e) { if (e.target && e.target.tagName === "IMG") measure(); }, true);
  window.addEventListener("message", function (e) {
    if (e.origin !== pageOrigin || e.source !== window.parent) return;
    if (e.data && e.data.type === "commentsvc:remeasure") { lastHeight = 0; measure(); }
  });
  function scrollHostTo(el) {
    if (!el) return;
    if (inFrame && pageOrigin) {
      var top = Math.max(0, el.getBoundingClientRect().top + window.scrollY - 16);
      window.parent.postMessage({ type: "commentsvc:scroll", top: top }, pageOrigin);
    } else {
      el.scrollIntoView({ block: "center" });
    }
  }

  /* ---------- dates in the reader's language and time zone ---------- */
  var lang = cfg.lang || document.documentElement.lang || "fr";
  function relative(date) {
    var seconds = (date.getTime() - Date.now()) / 1000;
    var units = [["year", 31536000], ["month", 2592000], ["week", 604800], ["day", 86400], ["hour", 3600], ["minute", 60]];
    if (!window.Intl || !Intl.RelativeTimeFormat) return null;
    if (Math.abs(seconds) < 45) return i18n.just_now || null;
    var rtf = new Intl.RelativeTimeFormat(lang, { numeric: "auto" });
    for (var i = 0; i < units.length; i++) {
      if (Math.abs(seconds) >= units[i][1]) return rtf.format(Math.round(seconds / units[i][1]), units[i][0]);
    }
    return rtf.format(0, "minute");
  }
  function refreshDates(root) {
    var exact = window.Intl ? new Intl.DateTimeFormat(lang, { dateStyle: "long", timeStyle: "short" }) : null;
    (root || document).querySelectorAll("time[datetime]").forEach(function (t) {
      var d = new Date(t.getAttribute("datetime"));
      if (isNaN(d)) return;
      var text = relative(d);
      if (text) t.textContent = text;
      if (exact) t.title = exact.format(d);
    });
  }

  /* ---------- talking to the server ---------- */
  var status = document.getElementById("cs-status");
  function say(message, kind) {
    status.innerHTML = "";
    if (!message) return;
    var p = document.createElement("p");
    p.className = "cs-alert cs-alert-" + (kind || "success");
    p.textContent = message;
    status.appendChild(p);
  }
  function token() {
    var f = document.getElementById("cs-action-token");
    return f ? f.elements.token.value : "";
  }
  function send(url, fields) {
    var data = new URLSearchParams();
    Object.keys(fields).forEach(function (k) { data.append(k, fields[k] == null ? "" : fields[k]); });
    return fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    }).then(function (r) {
      return r.json().then(function (json) { json.httpStatus = r.status; return json; }, function () {
        return { ok: false, message: i18n.network, httpStatus: r.status };
      });
    }, function () { return { ok: false, message: i18n.network }; });
  }
  function actionUrl(id, action) { return cfg.base + "/comments/" + id + "/" + action + "?lang=" + encodeURIComponent(lang); }
  function fragment(html) {
    var t = document.createElement("template");
    t.innerHTML = html.trim();
    return t.content.firstElementChild;
  }

  /* ---------- the comment form ---------- */
  var form = document.getElementById("cs-form");
  var respond = document.getElementById("cs-respond");
  var formTitle = document.getElementById("cs-form-title");
  var formHome = respond ? respond.parentNode : null;
  var formHomeNext = respond ? respond.nextSibling : null;
  var defaultTitle = formTitle ? formTitle.textContent : "";

  function fieldErrors(f, errors) {
    f.querySelectorAll(".cs-field").forEach(function (p) {
      var name = p.dataset.field;
      var out = p.querySelector(".cs-error-text");
      var input = name ? f.elements[name] : null;
      var list = (errors && name && errors[name]) || [];
      p.classList.toggle("cs-invalid", list.length > 0);
      if (out) { out.textContent = list.join(" "); out.hidden = list.length === 0; }
      if (input) {
        if (list.length) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
      }
    });
  }

  function rememberAuthor() {
    if (!form) return;
    var saved = load("cs:author", null);
    if (saved && form.elements.remember) {
      ["author", "email", "website"].forEach(function (k) {
        if (form.elements[k] && !form.elements[k].value) form.elements[k].value = saved[k] || "";
      });
      form.elements.remember.checked = true;
    }
  }

  function placeReply(item, parentId) {
    var parent = parentId ? document.getElementById("c" + parentId) : null;
    var maxDepth = parseInt(cfg.maxDepth || "3", 10);
    var list;
    if (!parent) {
      list = document.querySelector("#cs-thread .cs-top");
      list.insertBefore(item, list.firstChild);
    } else if (parseInt(parent.dataset.level, 10) < maxDepth) {
      list = parent.querySelector(":scope > .cs-replies");
      if (!list) { list = document.createElement("ol"); list.className = "cs-list cs-replies"; parent.appendChild(list); }
      list.appendChild(item);
    } else {
      parent.parentNode.appendChild(item);
    }
    var empty = document.querySelector(".cs-empty");
    if (empty) empty.remove();
  }

  function markPending(item) {
    item.classList.add("cs-pending");
    var note = document.createElement("p");
    note.className = "cs-pending-note";
    note.textContent = i18n.pending;
    item.querySelector("article").insertBefore(note, item.querySelector("article").firstChild);
  }

  function onPost(e) {
    e.preventDefault();
    var button = form.querySelector("button[type=submit]");
    var fields = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || (el.type === "checkbox" && !el.checked)) return;
      fields[el.name] = el.value;
    });
    button.disabled = true;
    var label = button.textContent;
    button.textContent = i18n.sending;
    send(form.action, fields).then(function (res) {
      button.disabled = false;
      button.textContent = label;
      fieldErrors(form, res.errors);
      if (!res.ok) { say(res.message, "error"); measure(); return; }
      var item = fragment(res.html);
      if (res.status === "pending") markPending(item);
      placeReply(item, res.parent_id);
      refreshDates(item);
      keepMine(res.id, {
        key: res.edit_key, at: Date.now(), url: cfg.pageUrl, source: fields.body,
        pending: res.status === "pending", parent: res.parent_id || null,
        html: res.status === "pending" ? res.html : null
      });
      if (form.elements.remember && form.elements.remember.checked) {
        save("cs:author", { author: fields.author || "", email: fields.email || "", website: fields.website || "" });
      } else {
        store.removeItem("cs:author");
      }
      if (res.status !== "pending" && res.count_text) document.getElementById("cs-count").textContent = res.count_text;
      form.elements.body.value = "";
      cancelReply();
      decorateOwn(item);
      say(res.message + (persistent || location.protocol === "https:" ? "" : " " + i18n.no_storage), "success");
      item.classList.add("cs-new");
      scrollHostTo(item);
    });
  }

  function startReply(item) {
    if (!form) return;
    var name = item.querySelector(".cs-author");
    form.elements.parent_id.value = item.dataset.id;
    formTitle.textContent = (i18n.reply_to || "{name}").replace("{name}", name ? name.textContent.trim() : "");
    item.querySelector("article").after(respond);
    respond.classList.add("cs-replying");
    if (!respond.querySelector(".cs-cancel-reply")) {
      var cancel = document.createElement("button");
      cancel.type = "button";
      cancel.className = "cs-button cs-cancel-reply";
      cancel.textContent = i18n.cancel;
      cancel.addEventListener("click", cancelReply);
      form.querySelector(".cs-buttons").appendChild(cancel);
    }
    form.elements.body.focus();
  }

  function cancelReply() {
    if (!form || !respond.classList.contains("cs-replying")) return;
    form.elements.parent_id.value = "";
    formTitle.textContent = defaultTitle;
    respond.classList.remove("cs-replying");
    var cancel = respond.querySelector(".cs-cancel-reply");
    if (cancel) cancel.remove();
    formHome.insertBefore(respond, formHomeNext);
  }

  /* ---------- likes and reports ---------- */
  function like(item, link) {
    if (link.getAttribute("aria-pressed") === "true") return;
    send(actionUrl(item.dataset.id, "like"), { token: token(), url: cfg.pageUrl, reader_key: readerKey() }).then(function (res) {
      if (res.ok || res.httpStatus === 409) {
        link.setAttribute("aria-pressed", "true");
        link.classList.add("cs-liked");
        link.title = i18n.liked;
        if (res.likes != null) link.querySelector(".cs-likes").textContent = res.likes;
        var liked = load("cs:liked", {}); liked[item.dataset.id] = 1; save("cs:liked", liked);
      } else {
        say(res.message, "error");
      }
    });
  }

  function report(item) {
    var existing = item.querySelector(":scope > article .cs-report-form");
    if (existing) { existing.remove(); return; }
    var tpl = document.getElementById("cs-report-template");
    var f = tpl.content.firstElementChild.cloneNode(true);
    var id = item.dataset.id;
    f.action = actionUrl(id, "report");
    f.querySelectorAll("[id]").forEach(function (el) { el.id = el.id.replace(/-0$/, "-" + id); });
    f.querySelectorAll("label[for]").forEach(function (el) { el.htmlFor = el.htmlFor.replace(/-0$/, "-" + id); });
    f.elements.token.value = token();
    f.querySelector(".cs-cancel").addEventListener("click", function (e) { e.preventDefault(); f.remove(); });
    f.addEventListener("submit", function (e) {
      e.preventDefault();
      send(f.action, {
        token: token(), url: cfg.pageUrl, reader_key: readerKey(),
        reason: f.elements.reason.value, detail: f.elements.detail.value
      }).then(function (res) {
        if (res.ok || res.httpStatus === 409) { f.remove(); say(res.ok ? i18n.report_sent : res.message, "success"); }
        else { say(res.message, "error"); }
      });
    });
    item.querySelector(":scope > article").appendChild(f);
    f.elements.reason.focus();
  }

  /* ---------- own comments: edit and delete within the window ---------- */
  var windowMs = parseInt(cfg.editWindow || "900", 10) * 1000;

  function ownButtons(item, entry) {
    var actions = item.querySelector(":scope > article .cs-actions");
    if (!actions || actions.querySelector(".cs-own-action")) return;
    [["edit", i18n.edit], ["delete", i18n.delete]].forEach(function (pair) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "cs-action cs-own-action cs-" + pair[0];
      b.textContent = pair[1];
      b.addEventListener("click", function () { (pair[0] === "edit" ? startEdit : remove)(item, entry); });
      actions.appendChild(b);
    });
    // The buttons go when the window closes.
    setTimeout(function () { actions.querySelectorAll(".cs-own-action").forEach(function (b) { b.remove(); }); },
      Math.max(0, entry.at + windowMs - Date.now()));
  }

  function decorateOwn(root) {
    var all = mine();
    Object.keys(all).forEach(function (id) {
      var entry = all[id];
      if (entry.url !== cfg.pageUrl) return;
      var item = document.getElementById("c" + id);
      if (!item && entry.pending && entry.html) {
        // Held for review: only its author sees it, from this browser's own copy.
        item = fragment(entry.html);
        markPending(item);
        placeReply(item, entry.parent);
        refreshDates(item);
      } else if (item && entry.pending && !item.classList.contains("cs-pending")) {
        entry.pending = false; entry.html = null; keepMine(id, entry);
      }
      if (item && (!root || root === item || root.contains(item)) && Date.now() - entry.at < windowMs) ownButtons(item, entry);
    });
  }

  function startEdit(item, entry) {
    var bodyEl = item.querySelector(":scope > article .cs-body");
    if (item.querySelector(".cs-edit-inline")) return;
    var f = document.createElement("form");
    f.className = "cs-form cs-edit-inline";
    var label = document.createElement("label");
    label.className = "cs-visually-hidden";
    label.htmlFor = "cs-edit-" + item.dataset.id;
    label.textContent = i18n.edit;
    var area = document.createElement("textarea");
    area.id = "cs-edit-" + item.dataset.id;
    area.name = "body"; area.rows = 4; area.maxLength = 5000; area.required = true;
    area.value = entry.source || bodyEl.textContent.trim();
    var buttons = document.createElement("p");
    buttons.className = "cs-buttons";
    var ok = document.createElement("button");
    ok.type = "submit"; ok.className = "cs-button cs-primary"; ok.textContent = i18n.save;
    var cancel = document.createElement("button");
    cancel.type = "button"; cancel.className = "cs-button"; cancel.textContent = i18n.cancel;
    cancel.addEventListener("click", function () { f.remove(); bodyEl.hidden = false; });
    buttons.append(ok, cancel);
    f.append(label, area, buttons);
    f.addEventListener("submit", function (e) {
      e.preventDefault();
      send(actionUrl(item.dataset.id, "edit"), { token: token(), url: cfg.pageUrl, edit_key: entry.key, body: area.value })
        .then(function (res) {
          if (!res.ok) { say(res.message, "error"); return; }
          bodyEl.innerHTML = res.body_html;
          bodyEl.hidden = false;
          f.remove();
          var when = item.querySelector(":scope > article .cs-when");
          if (when && !when.querySelector(".cs-edited")) {
            var mark = document.createElement("span");
            mark.className = "cs-edited";
            mark.textContent = res.edited;
            when.append(" · ", mark);
          }
          entry.source = area.value;
          if (res.status === "pending" || res.status === "spam") { entry.pending = true; markPending(item); }
          keepMine(item.dataset.id, entry);
          say(res.message, "success");
        });
    });
    bodyEl.hidden = true;
    bodyEl.after(f);
    area.focus();
  }

  function remove(item, entry) {
    if (!window.confirm(i18n.confirm_delete)) return;
    send(actionUrl(item.dataset.id, "delete"), { token: token(), url: cfg.pageUrl, edit_key: entry.key }).then(function (res) {
      if (!res.ok) { say(res.message, "error"); return; }
      keepMine(item.dataset.id, null);
      if (item.querySelector(".cs-replies")) {
        var article = item.querySelector(":scope > article");
        article.className = "cs-comment cs-deleted";
        article.innerHTML = "";
        var p = document.createElement("p");
        p.className = "cs-placeholder";
        p.textContent = i18n.deleted;
        article.appendChild(p);
      } else {
        item.remove();
      }
      say(res.message, "success");
    });
  }

  /* ---------- more comments ---------- */
  function more(link) {
    link.setAttribute("aria-busy", "true");
    fetch(link.href.replace("/embed/" + cfg.site + "?", "/embed/" + cfg.site + "/thread?"), { credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var list = document.querySelector("#cs-thread .cs-top");
        holder.querySelectorAll(".cs-top > li").forEach(function (li) {
          if (!document.getElementById(li.id)) list.appendChild(li);
        });
        var wrap = link.parentNode;
        var next = holder.querySelector(".cs-more-wrap");
        if (next) wrap.replaceWith(next); else wrap.remove();
        refreshDates(list);
        decorateOwn();
      }, function () { say(i18n.network, "error"); });
  }

  /* ---------- wiring ---------- */
  document.addEventListener("click", function (e) {
    var target = e.target.closest("[data-action], .cs-more");
    if (!target) return;
    if (target.classList.contains("cs-more")) { e.preventDefault(); more(target); return; }
    var item = target.closest(".cs-item");
    if (!item) return;
    e.preventDefault();
    var action = target.dataset.action;
    if (action === "reply") startReply(item);
    else if (action === "like") like(item, target);
    else if (action === "report") report(item);
  });
  // role="button" links answer to the space bar like buttons do.
  document.addEventListener("keydown", function (e) {
    if (e.key === " " && e.target.matches && e.target.matches("a[role=button]")) { e.preventDefault(); e.target.click(); }
  });
  if (form) form.addEventListener("submit", onPost);

  var liked = load("cs:liked", {});
  Object.keys(liked).forEach(function (id) {
    var link = document.querySelector("#c" + id + " > article .cs-like");
    if (link) { link.setAttribute("aria-pressed", "true"); link.classList.add("cs-liked"); }
  });
  rememberAuthor();
  refreshDates();
  decorateOwn();
  measure();
  if (location.hash && /^#c\d+$/.test(location.hash)) scrollHostTo(document.getElementById(location.hash.slice(1)));
})();
