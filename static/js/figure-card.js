/* Data cards of the figures marked in an article (quality.figure_links).
   The small ⓘ button after a marked number opens and closes its card; Escape closes
   it and returns focus to the button. An open card is moved left as far as it must
   to stay inside the window (a number near the right edge of a phone's screen would
   push it past the edge and make the page scroll sideways). Without JavaScript the
   number still links to its indicator page. */
(function () {
  "use strict";
  var MARGIN = 8; // px kept free between a card and the edge of the window

  // CSSOM writes (element.style) are not inline styles: the CSP allows them.
  function fit(card) {
    card.style.left = "";
    var width = document.documentElement.clientWidth;
    var box = card.getBoundingClientRect();
    var shift = 0;
    if (box.right > width - MARGIN) { shift = box.right - (width - MARGIN); }
    if (box.left - shift < MARGIN) { shift = box.left - MARGIN; }
    if (shift) { card.style.left = -shift + "px"; }
  }

  function setOpen(button, open) {
    var card = document.getElementById(button.getAttribute("aria-controls"));
    if (!card) return;
    button.setAttribute("aria-expanded", open ? "true" : "false");
    card.hidden = !open;
    if (open) { fit(card); }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".figure-card-toggle");
    if (!button) return;
    setOpen(button, button.getAttribute("aria-expanded") !== "true");
  });

  // Hover shows the card too (figures.css): fit it as it appears.
  document.addEventListener("mouseover", function (event) {
    var ref = event.target.closest && event.target.closest(".figure-ref");
    var card = ref && ref.querySelector(".figure-card");
    if (card) { fit(card); }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var ref = event.target.closest && event.target.closest(".figure-ref");
    if (!ref) return;
    var button = ref.querySelector(".figure-card-toggle");
    if (button && button.getAttribute("aria-expanded") === "true") {
      setOpen(button, false);
      button.focus();
    }
  });
})();
