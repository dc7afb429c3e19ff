/* commentsvc loader: put
     <div id="commentsvc-thread" data-site="SITE"></div>
     <script src="https://comments.example.org/embed.js" async></script>
   under an article. Options on the div: data-load="click" (a button with the count loads the
   thread on demand), data-url / data-title (override the page's canonical URL and title).
   Links <a data-commentsvc-count="PAGE URL"> get "12 commentaires". */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var base = new URL(script.src, location.href).origin;

  function canonicalUrl() {
    var link = document.querySelector('link[rel="canonical"][href]');
    var url = link ? new URL(link.getAttribute("href"), location.href).href : location.href;
    return url.split("#")[0];
  }
  function pageLang() {
    return (document.documentElement.lang || "").slice(0, 2).toLowerCase();
  }
  function query(params) {
    return Object.keys(params)
      .filter(function (k) { return params[k]; })
      .map(function (k) { return encodeURIComponent(k) + "=" + encodeURIComponent(params[k]); })
      .join("&");
  }
  function siteOf(el) {
    var thread = document.querySelector("[data-site]#commentsvc-thread") || document.querySelector("#commentsvc-thread");
    return (el && el.getAttribute("data-site")) || script.getAttribute("data-site") || (thread && thread.getAttribute("data-site"));
  }

  function mount(container) {
    var site = siteOf(container);
    if (!site || container.querySelector("iframe.commentsvc-frame")) return;
    var lang = pageLang();
    var iframe = document.createElement("iframe");
    iframe.className = "commentsvc-frame";
    iframe.src = base + "/embed/" + encodeURIComponent(site) + "?" + query({
      url: container.getAttribute("data-url") || canonicalUrl(),
      title: container.getAttribute("data-title") || document.title,
      lang: lang
    });
    iframe.title = container.getAttribute("data-frame-title") || (lang === "en" ? "Comments" : "Commentaires");
    iframe.setAttribute("scrolling", "no");
    iframe.style.cssText = "display:block;width:100%;border:0;overflow:hidden;min-height:200px;height:480px;color-scheme:normal";
    window.addEventListener("message", function (event) {
      // Only our iframe, served from our origin, may resize or scroll the page.
      if (event.origin !== base || event.source !== iframe.contentWindow) return;
      var data = event.data || {};
      if (data.type === "commentsvc:resize") {
        var height = Number(data.height);
        if (height > 0 && height < 200000) iframe.style.height = Math.ceil(height) + "px";
      } else if (data.type === "commentsvc:scroll") {
        var top = Number(data.top);
        if (top >= 0) window.scrollTo({ top: iframe.getBoundingClientRect().top + window.scrollY + top, behavior: "smooth" });
      }
    });
    iframe.addEventListener("load", function () {
      iframe.contentWindow.postMessage({ type: "commentsvc:remeasure" }, base);
    });
    container.appendChild(iframe);
    return iframe;
  }

  function counts(site, urls, callback) {
    if (!urls.length) return;
    var q = urls.map(function (u) { return "url=" + encodeURIComponent(u); }).join("&");
    fetch(base + "/embed/" + encodeURIComponent(site) + "/counts?" + q + "&lang=" + pageLang(), { credentials: "omit" })
      .then(function (r) { return r.ok ? r.json() : { counts: {} }; })
      .then(function (data) { callback(data.counts || {}); }, function () { callback({}); });
  }

  function clickToLoad(container) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "commentsvc-load";
    var en = pageLang() === "en";
    button.textContent = en ? "Click to comment" : "Cliquez pour commenter";
    button.addEventListener("click", function () {
      button.remove();
      var iframe = mount(container);
      if (iframe) iframe.focus();
    });
    container.appendChild(button);
    var url = container.getAttribute("data-url") || canonicalUrl();
    counts(siteOf(container), [url], function (found) {
      if (found[url] && found[url].button) button.textContent = found[url].button;
    });
  }

  function countLinks() {
    var links = Array.prototype.slice.call(document.querySelectorAll("[data-commentsvc-count]"));
    var bySite = {};
    links.forEach(function (a) {
      var site = siteOf(a);
      if (!site) return;
      (bySite[site] = bySite[site] || []).push(a);
    });
    Object.keys(bySite).forEach(function (site) {
      var urls = bySite[site].map(function (a) {
        return new URL(a.getAttribute("data-commentsvc-count"), location.href).href.split("#")[0];
      });
      counts(site, urls.filter(function (u, i) { return urls.indexOf(u) === i; }), function (found) {
        bySite[site].forEach(function (a, i) {
          if (found[urls[i]]) a.textContent = found[urls[i]].text;
        });
      });
    });
  }

  function start() {
    var container = document.getElementById("commentsvc-thread");
    if (container) {
      if (container.getAttribute("data-load") === "click") clickToLoad(container); else mount(container);
    }
    countLinks();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
