/* The article page's toolbar (templates/news/includes/article_tools.html) and its
   copy-link button (the share box).

   【打印】 prints (print.css and article.css's print rules: the article and its
   本文数据 box, without the toolbar and the data cards); 【关闭】 shows only where the
   browser lets a page close its window (a window another page opened, or one with a
   single history entry) — elsewhere window.close() does nothing, so no button.
   Without JavaScript both stay hidden; 【分享】 is a link to the share box, whose
   address is printed as text, and the copy button stays hidden. */
(function () {
  "use strict";

  var print = document.querySelector(".article-tools .tool-print");
  if (print && typeof window.print === "function") {
    print.hidden = false;
    print.addEventListener("click", function () { window.print(); });
  }

  var close = document.querySelector(".article-tools .tool-close");
  if (close && (window.opener || window.history.length <= 1)) {
    close.hidden = false;
    close.addEventListener("click", function () { window.close(); });
  }

  var copy = document.querySelector(".share .copy-link");
  var status = document.querySelector(".share .copy-status");
  var url = document.querySelector(".share .share-url .url");
  if (!copy || !status) { return; }

  function report(ok) {
    status.classList.toggle("failed", !ok);
    // A live region announces a change: clear first so a second copy is read too.
    status.textContent = "";
    window.setTimeout(function () {
      status.textContent = copy.getAttribute(ok ? "data-done" : "data-failed");
    }, 50);
  }

  // Select the printed address: the fallback copies it, or the reader does.
  function selectAddress() {
    if (!url) { return false; }
    var range = document.createRange();
    range.selectNodeContents(url);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    return true;
  }

  function copyBySelection() {
    var copied = false;
    if (selectAddress()) {
      try { copied = document.execCommand("copy"); } catch (error) { copied = false; }
    }
    report(copied);
  }

  copy.hidden = false;
  copy.addEventListener("click", function () {
    var text = copy.getAttribute("data-url");
    // The Clipboard API exists only on secure pages (https, localhost).
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(
        function () { report(true); },
        copyBySelection
      );
    } else {
      copyBySelection();
    }
  });
})();
