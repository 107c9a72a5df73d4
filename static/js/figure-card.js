/* Data cards of the figures marked in an article (quality.figure_links).
   The ⓘ button after a marked number opens and closes its card; Escape closes it
   and returns focus to the button. Without JavaScript the number still links to
   its indicator page. */
(function () {
  "use strict";

  function setOpen(button, open) {
    var card = document.getElementById(button.getAttribute("aria-controls"));
    if (!card) return;
    button.setAttribute("aria-expanded", open ? "true" : "false");
    card.hidden = !open;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".figure-card-toggle");
    if (!button) return;
    setOpen(button, button.getAttribute("aria-expanded") !== "true");
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
