/* 品质烟台 焦点图: the strip works without JavaScript (CSS scroll-snap, the numbered
   links jump to a slide); this file only adds automatic advance with a 暂停/播放
   button, smooth scrolling from the numbers, and marks the current number.
   No automatic advance for readers who ask for reduced motion; it stops while the
   pointer or keyboard focus is on the strip. */
(function () {
  "use strict";
  var INTERVAL = 6000;
  document.querySelectorAll("[data-carousel]").forEach(function (root) {
    var track = root.querySelector(".focus-track");
    var slides = root.querySelectorAll(".focus-slide");
    var dots = root.querySelectorAll(".focus-dots a");
    var button = root.querySelector(".focus-pause");
    if (!track || slides.length < 2) { return; }
    var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var playing = !reduced;
    var held = false;  // pointer over or focus inside: no advance meanwhile
    var timer = null;

    function current() {
      var width = track.clientWidth || 1;
      return Math.min(slides.length - 1, Math.max(0, Math.round(track.scrollLeft / width)));
    }
    function show(index) {
      var slide = slides[(index + slides.length) % slides.length];
      track.scrollTo({ left: slide.offsetLeft - track.offsetLeft, behavior: reduced ? "auto" : "smooth" });
    }
    function mark() {
      var index = current();
      dots.forEach(function (dot, i) {
        if (i === index) { dot.setAttribute("aria-current", "true"); }
        else { dot.removeAttribute("aria-current"); }
      });
    }
    function schedule() {
      window.clearInterval(timer);
      timer = null;
      if (playing) {
        timer = window.setInterval(function () {
          if (!held && !document.hidden) { show(current() + 1); }
        }, INTERVAL);
      }
    }
    function label() {
      button.textContent = button.getAttribute(playing ? "data-label-pause" : "data-label-play");
      button.setAttribute("aria-pressed", playing ? "false" : "true");
    }

    dots.forEach(function (dot, i) {
      dot.addEventListener("click", function (event) {
        event.preventDefault();  // scroll the strip, not the page
        show(i);
      });
    });
    track.addEventListener("scroll", function () { window.requestAnimationFrame(mark); }, { passive: true });
    root.addEventListener("mouseenter", function () { held = true; });
    root.addEventListener("mouseleave", function () { held = false; });
    root.addEventListener("focusin", function () { held = true; });
    root.addEventListener("focusout", function () { held = false; });
    if (button) {
      button.hidden = false;
      label();
      button.addEventListener("click", function () {
        playing = !playing;
        label();
        schedule();
      });
    }
    mark();
    schedule();
  });
})();
