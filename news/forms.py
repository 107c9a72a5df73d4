"""Forms of the news app: the rich-text body field and the image upload form."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.admin.widgets import AdminTextareaWidget
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorFormField
from django_prose_editor.widgets import AdminProseEditorWidget

from yantai.html import sanitize_html

from .images import ProcessedImage, process_image_upload
from .models import Image

# What the editor offers. It mirrors yantai/html.py's allow-list (h2/h3, paragraphs,
# bold/italic, lists, links, block quotes, tables, figures with captions); the
# server-side sanitiser stays the authority for whatever is posted.
BODY_EDITOR_EXTENSIONS = {
    "Heading": {"levels": [2, 3]},
    "Bold": True,
    "Italic": True,
    "Underline": True,
    "Strike": True,
    "Subscript": True,
    "Superscript": True,
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HardBreak": True,
    "HorizontalRule": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
    "Table": True,
    "TableRow": True,
    "TableHeader": True,
    "TableCell": True,
    # “浏览…” in the figure dialog opens the image library's picker (news.admin).
    "Figure": {"pickerUrl": reverse_lazy("admin:news_image_picker")},
    "Caption": True,
    "Image": True,
    "History": True,
    "HTML": True,
    # Translatable menu labels (static/js/editor-labels.js; settings.py registers it).
    "EditorLabels": True,
}


class RichTextAdminWidget(AdminProseEditorWidget):
    """The admin editor, labelled in the admin's language.

    The labels come from the JavaScript catalog the change form loads
    (``admin:jsi18n``, ``locale/*/LC_MESSAGES/djangojs.po``) through the
    ``EditorLabels`` extension; ``css/editor.css`` fixes what our fonts lack.
    """

    @property
    def media(self):
        return super().media + forms.Media(css={"all": ["css/editor.css"]})


class RichTextField(ProseEditorFormField):
    """The article body: a WYSIWYG editor whose output goes through ``sanitize_html``.

    Word/WPS paste debris (``mso-*`` styles, ``<o:p>``, ``<font>``, classes, empty
    spans) is dropped by the sanitiser, whatever the browser sent.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("config", {"extensions": BODY_EDITOR_EXTENSIONS})
        kwargs.setdefault("sanitize", sanitize_html)
        kwargs.pop("max_length", None)
        widget = kwargs.get("widget")
        if widget is not None and (
            widget is AdminTextareaWidget or isinstance(widget, AdminTextareaWidget)
        ):
            kwargs["widget"] = RichTextAdminWidget
        super().__init__(*args, **kwargs)


class ImageForm(forms.ModelForm):
    """Upload form of the image library.

    ``file`` is a plain ``FileField`` on purpose: Django's ``forms.ImageField`` would
    hand the upload to every decoder Pillow has. Validation is
    ``process_image_upload``'s, and its result is kept so that the admin's save
    decodes the file only once.
    """

    file = forms.FileField(
        label=_("文件"),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}
        ),
    )

    class Meta:
        model = Image
        fields = (
            "file",
            "title",
            "alt_text",
            "is_decorative",
            "caption",
            "credit",
            "focal_x",
            "focal_y",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.processed: ProcessedImage | None = None
        if self.instance.pk:
            # A stored image keeps its file (and renditions); upload a new image
            # instead of replacing it.
            self.fields.pop("file", None)
        else:
            self.fields["file"].help_text = _(
                "JPEG、PNG、WebP 或 GIF，不超过 10 MB、3000 万像素（动图按各帧合计，"
                "处理时更占内存的格式上限更低）、%(frames)s 帧。"
                "上传时会去除拍摄地点等 EXIF 信息，并生成多种尺寸。"
            ) % {"frames": settings.IMAGE_MAX_FRAMES}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.processed = process_image_upload(upload)
        return upload

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("is_decorative") and not (cleaned.get("alt_text") or ""):
            self.add_error(
                "alt_text",
                _("请填写替代文字，或勾选“装饰性”（纯装饰、不传达信息的图片）。"),
            )
        return cleaned
