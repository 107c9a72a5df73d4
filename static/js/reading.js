/* 品质烟台 reading tools: 字号 and 关怀版 without a reload, view beacon (the article
   page's copy link is static/js/article-tools.js).
   Every control also works without JavaScript (plain links to /reading/). */
(function () {
  "use strict";
  var root = document.documentElement;
  var YEAR = 365 * 24 * 3600;

  function setCookie(name, value) {
    document.cookie = name + "=" + value + ";path=/;max-age=" + YEAR + ";samesite=lax";
  }

  // The "current" 字号 link follows the classes of <html> (set by reading-prefs.js):
  // site.css draws it, this tells screen readers.
  function markCurrent() {
    document.querySelectorAll("[data-fontsize]").forEach(function (link) {
      var on = root.classList.contains("fs-" + link.getAttribute("data-fontsize"));
      if (on) { link.setAttribute("aria-current", "true"); } else { link.removeAttribute("aria-current"); }
    });
  }

  function setFontSize(size) {
    root.classList.remove("fs-small", "fs-medium", "fs-large");
    root.classList.add("fs-" + size);
    setCookie("fontsize", size);
    markCurrent();
  }

  function setCare(on) {
    root.classList.toggle("care", on);
    setCookie("care", on ? "1" : "0");
    // The link just clicked is hidden now: keep the keyboard on its twin.
    var twin = document.querySelector(on ? ".care-leave" : ".care-enter");
    if (twin) { twin.focus(); }
  }

  markCurrent();

  // The channel menu is one cached fragment for every page: the link to the page
  // being read (a channel, 质量数据) is marked here, for screen readers.
  document.querySelectorAll(".channels a[href]").forEach(function (link) {
    if (link.pathname === location.pathname) { link.setAttribute("aria-current", "page"); }
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-fontsize], [data-care]");
    if (!link) { return; }
    event.preventDefault();
    if (link.hasAttribute("data-fontsize")) {
      setFontSize(link.getAttribute("data-fontsize"));
    } else {
      setCare(link.getAttribute("data-care") === "1");
    }
  });

  // Count a reading after the page has loaded: the page itself stays cacheable.
  var article = document.querySelector("[data-view-url]");
  if (article && window.fetch) {
    window.addEventListener("load", function () {
      fetch(article.getAttribute("data-view-url"), {
        method: "POST", credentials: "omit", keepalive: true
      }).catch(function () {});
    });
  }
})();
