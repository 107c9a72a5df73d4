// "Select all" on django-import-export's export page, bound here instead of by the
// inline onchange="" that the Content-Security-Policy blocks
// (templates/admin/import_export/export.html). onSelectToggleChange comes from the
// package's export_selectable_fields.js, loaded before this file.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    if (event.target.matches(".select-toggle") && window.onSelectToggleChange) {
      window.onSelectToggleChange(event);
    }
  });
})();
