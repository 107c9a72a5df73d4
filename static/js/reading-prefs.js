/* 品质烟台: apply the reader's 字号 and 关怀版 before the page is first drawn.
   Loaded without defer/async in <head>, so it runs before <body> is parsed: the page
   HTML is the same for every reader (and cacheable); the stored choice (cookies
   "fontsize" and "care", set by reading.js or the /reading/ links) becomes classes on
   <html>, which static/css/site.css turns into sizes and colours. Without
   JavaScript, <noscript> loads /reading.css, which sets the same switches. */
(function () {
  "use strict";
  var match = document.cookie.match(/(?:^|;\s*)fontsize=(small|medium|large)(?:;|$)/);
  var root = document.documentElement;
  root.classList.add("fs-" + (match ? match[1] : "medium"));
  if (/(?:^|;\s*)care=1(?:;|$)/.test(document.cookie)) { root.classList.add("care"); }
})();
