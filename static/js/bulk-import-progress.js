// The admin's 批量导入 (templates/admin/quality/observation/bulk_import.html): once
// the form is sent, say so in its status line (read out by screen readers) and take
// the 导入 button out of use, so that a long upload is not sent a second time (a
// second import of the same file would only wait for the first).
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("[data-bulk-import]")) {
      return;
    }
    if (form.dataset.sent) {
      event.preventDefault();
      return;
    }
    form.dataset.sent = "1";
    var status = document.getElementById(form.dataset.bulkImport);
    if (status) {
      status.textContent = status.dataset.message;
    }
    form.querySelectorAll("[type=submit]").forEach(function (button) {
      button.setAttribute("aria-disabled", "true");
      button.classList.add("disabled");
    });
  });
  // Back to the page from the browser's history: the form is usable again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) {
      return;
    }
    document.querySelectorAll("[data-bulk-import]").forEach(function (form) {
      delete form.dataset.sent;
      form.querySelectorAll("[type=submit]").forEach(function (button) {
        button.removeAttribute("aria-disabled");
        button.classList.remove("disabled");
      });
      var status = document.getElementById(form.dataset.bulkImport);
      if (status) {
        status.textContent = "";
      }
    });
  });
})();
