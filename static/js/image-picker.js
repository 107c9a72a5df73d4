// The image library's picker window (news ImageAdmin.picker_view): hand the chosen
// image to the body editor that opened it (django-prose-editor's picker protocol:
// window.opener.CKEDITOR.tools.callFunction(funcNum, url, {id, alternative_text,
// caption})), then close. The server rebuilds the responsive <picture> on save.
(function () {
  "use strict";
  var funcNum = new URLSearchParams(window.location.search).get("CKEditorFuncNum");
  document.querySelectorAll(".picker-choose").forEach(function (button) {
    button.addEventListener("click", function () {
      var opener = window.opener;
      if (!opener || !opener.CKEDITOR || !funcNum) {
        return;
      }
      opener.CKEDITOR.tools.callFunction(funcNum, button.dataset.url, {
        id: button.dataset.id,
        alternative_text: button.dataset.alt,
        caption: button.dataset.caption,
      });
      window.close();
    });
  });
})();
