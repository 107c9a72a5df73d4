from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db import models
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from yantai.security import NonceMediaAdminMixin
from yantai.text import join_list, join_sentences

from .admin_dates import BoundedDateHierarchyMixin
from .admin_local_copy import LocalCopyAdminMixin
from .admin_presence import EditingPresenceAdminMixin
from .admin_workflow import ArticleWorkflowAdminMixin, byline_initial
from .body_images import picture_context
from .forms import ImageForm, RichTextField
from .images import image_create, image_uses, images_delete
from .models import (
    Article,
    AuditLog,
    Byline,
    Channel,
    Image,
    Person,
    SensitiveWord,
    SiteSettings,
    Tag,
)
from .parsing import PageTextError, parse_page_text
from .services import article_import, named_messages, site_settings_save


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "order")
    list_editable = ("order",)
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("name", "note", "slug")
    search_fields = ("name", "note")


@admin.register(Image)
class ImageAdmin(BoundedDateHierarchyMixin, admin.ModelAdmin):
    form = ImageForm
    list_display = ("thumbnail", "title", "credit", "width", "height", "created_at")
    list_display_links = ("thumbnail", "title")
    list_filter = ("is_decorative",)
    search_fields = ("title", "caption", "credit", "alt_text")
    date_hierarchy = "created_at"
    readonly_fields = (
        "preview",
        "rendition_urls",
        "width",
        "height",
        "uploaded_by",
        "created_at",
    )

    def get_readonly_fields(self, request, obj=None):
        # A stored image keeps its file and renditions: upload a new image instead.
        return ("file", *self.readonly_fields) if obj else ()

    @staticmethod
    def _img(obj, width):
        name = next(
            (r["name"] for r in obj.renditions if r["width"] >= width),
            obj.file.name,
        )
        return format_html(
            '<img src="{}" alt="" width="{}" loading="lazy">',
            default_storage.url(name),
            width,
        )

    @admin.display(description=_("缩略图"))
    def thumbnail(self, obj):
        return self._img(obj, 80)

    @admin.display(description=_("预览"))
    def preview(self, obj):
        return self._img(obj, 320)

    @admin.display(description=_("各尺寸地址（正文插图时填入）"))
    def rendition_urls(self, obj):
        return format_html_join(
            "",
            "<div>{} × {} {}：<code>{}</code></div>",
            (
                (r["width"], r["height"], r["format"], default_storage.url(r["name"]))
                for r in obj.renditions
            ),
        )

    def get_urls(self):
        picker = self.admin_site.admin_view(self.picker_view)
        return [
            path("picker/", picker, name="news_image_picker"),
            *super().get_urls(),
        ]

    def picker_view(self, request):
        """The editor's “浏览…” window: search the library, pick an image.

        Opened by the figure dialog of the body editor with ``CKEditorFuncNum``;
        the chosen image goes back through ``window.opener.CKEDITOR.tools``
        (django-prose-editor's picker protocol).
        """
        if not self.has_view_permission(request):
            raise PermissionDenied
        query = request.GET.get("q", "").strip()[:100]
        images = Image.objects.all()
        if query:
            images = images.filter(
                models.Q(title__icontains=query)
                | models.Q(caption__icontains=query)
                | models.Q(credit__icontains=query)
            )
        page = Paginator(images, 24).get_page(request.GET.get("p"))
        choices = [
            {
                "image": image,
                "thumbnail": self._img(image, 160),
                "context": picture_context(image, in_body=True),
                "caption": " ".join(filter(None, [image.caption, image.credit])),
            }
            for image in page
        ]
        return TemplateResponse(
            request,
            "admin/news/image/picker.html",
            {
                **self.admin_site.each_context(request),
                "title": _("选择图片"),
                "choices": choices,
                "page": page,
                "query": query,
                "func_num": request.GET.get("CKEditorFuncNum", ""),
                "opts": self.model._meta,
            },
        )

    # --- deleting -----------------------------------------------------------------
    # An image an article uses cannot be deleted (``news.images.image_uses``): the
    # confirmation page of the single delete and of the bulk action lists those
    # articles as "protected" (templates/admin/news/image/delete_*confirmation.html
    # say why), and Django then deletes nothing; ``images_delete`` checks again.

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(
            objs, request
        )
        uses = image_uses(objs)
        if uses:
            several = len({u.image.pk for u in uses}) > 1 or len(objs) > 1
            protected = [
                format_html(
                    '{}<a href="{}">{}</a>（{}）',
                    f"“{u.image.title}”：" if several else "",
                    reverse(
                        f"{self.admin_site.name}:news_article_change",
                        args=[u.article_id],
                    ),
                    u.article_title,
                    join_list(u.places),
                )
                for u in uses
            ]
        return deleted, counts, perms_needed, protected

    def delete_model(self, request, obj):
        images_delete(images=[obj], by=request.user)

    def delete_queryset(self, request, queryset):
        images_delete(images=queryset, by=request.user)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # New uploads go through the service: re-encoding, renditions, and no file
        # left behind if anything fails.
        created = image_create(
            file=form.processed,
            title=obj.title,
            alt_text=obj.alt_text,
            is_decorative=obj.is_decorative,
            caption=obj.caption,
            credit=obj.credit,
            by=request.user,
        )
        if obj.focal_x is not None or obj.focal_y is not None:
            created.focal_x, created.focal_y = obj.focal_x, obj.focal_y
            created.full_clean()
            created.save(update_fields=["focal_x", "focal_y"])
        # The admin goes on with ``obj`` (log entry, redirect): make it the stored row.
        obj.__dict__.update(created.__dict__)
        if form.processed.frames > 1:
            # The renditions the site serves are stills of the first frame: say so
            # now, while the editor can still choose another image.
            messages.warning(
                request,
                _(
                    "“%(title)s”是动图（%(frames)s 帧）：原图保留了全部帧，"
                    "但网站上只显示第一帧，不会播放动画。"
                )
                % {"title": created.title, "frames": form.processed.frames},
            )


class BylineInline(admin.TabularInline):
    """Bylines of the working copy (the draft over a live article).

    Shown as initial rows and written by the article service with the rest of the
    form (``ArticleWorkflowAdminMixin.get_formset_kwargs`` / ``save_related``).
    """

    model = Byline
    autocomplete_fields = ("person",)
    fields = ("order", "prefix", "role", "person")

    def get_extra(self, request, obj=None, **kwargs):
        return len(byline_initial(obj)) + 1


class PageTextImportForm(forms.Form):
    text = forms.CharField(
        label=_("网页文本"),
        widget=forms.Textarea(attrs={"rows": 20, "cols": 100}),
        help_text=_(
            "把新闻网页的文字整页复制粘贴到这里：第一行标题，第二行来源和时间。"
        ),
    )
    channel = forms.ModelChoiceField(label=_("栏目"), queryset=Channel.objects.all())

    def clean_text(self):
        text = self.cleaned_data["text"]
        try:
            self.page = parse_page_text(text)
        except PageTextError as error:
            raise forms.ValidationError(str(error)) from error
        # What the article's columns cannot hold is the paste's problem, named by
        # field, before anything is written.
        for name in ("title", "subtitle", "source", "source_url"):
            field = Article._meta.get_field(name)
            length = len(getattr(self.page, name) or "")
            if field.max_length and length > field.max_length:
                raise forms.ValidationError(
                    _("%(field)s太长：最多 %(max)d 个字符，粘贴的文本中有 %(n)d 个。")
                    % {
                        "field": field.verbose_name,
                        "max": field.max_length,
                        "n": length,
                    }
                )
        return text


@admin.register(Article)
class ArticleAdmin(
    BoundedDateHierarchyMixin,
    NonceMediaAdminMixin,
    LocalCopyAdminMixin,
    EditingPresenceAdminMixin,
    ArticleWorkflowAdminMixin,
    admin.ModelAdmin,
):
    list_display = (
        "title",
        "channel",
        "editorial_status_column",
        "published_at",
        "source",
        "updated_at",
    )
    list_filter = ("status", "channel", "published_at", "is_featured")
    list_select_related = ("channel",)
    search_fields = ("title", "subtitle", "summary", "bylines__person__name")
    date_hierarchy = "published_at"
    autocomplete_fields = ("tags", "related_articles")
    inlines = (BylineInline,)
    readonly_fields = ("created_at", "updated_at", "view_count")
    fieldsets = (
        (None, {"fields": ("kicker", "title", "subtitle", "summary", "body")}),
        (
            _("来源与栏目"),
            {"fields": ("source", "source_url", "channel", "tags", "cover")},
        ),
        (
            _("发布"),
            {
                "fields": (
                    "status",
                    "published_at",
                    "expires_at",
                    "is_featured",
                    "responsible_editor",
                    "related_articles",
                )
            },
        ),
        (
            _("其他"),
            {
                "classes": ("collapse",),
                "fields": ("slug", "view_count", "created_at", "updated_at"),
            },
        ),
    )
    change_list_template = "admin/news/article/change_list.html"
    # Editors type bare domains; assume HTTPS (Django 6's default) rather than http.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description=_("状态"), ordering="status")
    def editorial_status_column(self, obj):
        return obj.get_editorial_status_display()

    @admin.display(description=_("正文"))
    def body_display(self, obj):
        # Sanitised on every save (yantai.html's allow-list): rendered, not escaped.
        return format_html('<div class="readonly-body">{}</div>', mark_safe(obj.body))  # noqa: S308

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        # Read-only view (e.g. a reviewer of another stage): the body as readers
        # will see it, never its HTML source.
        return [
            (
                name,
                {
                    **opts,
                    "fields": tuple(
                        "body_display" if f == "body" else f for f in opts["fields"]
                    ),
                },
            )
            for name, opts in fieldsets
        ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # Only the body gets the WYSIWYG editor (summary is a TextField too).
        if db_field.name == "body":
            kwargs["form_class"] = RichTextField
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="news_article_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """从网页文本导入: parse pasted page text into a draft the editor then reviews.

        Through ``news.services.article_import``: re-importing a live article makes
        a draft over it (the live version stays), an unchanged page writes nothing.
        """
        if not (
            self.has_add_permission(request) and self.has_change_permission(request)
        ):
            raise PermissionDenied
        form = PageTextImportForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                result = article_import(
                    page=form.page,
                    channel=form.cleaned_data["channel"],
                    publish=False,
                    by=request.user,
                )
            except ValidationError as error:
                form.add_error(None, join_sentences(named_messages(error)))
            except PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                if result.created:
                    message = _("已从网页文本生成草稿，请核对后保存。")
                elif not result.changed:
                    message = _(
                        "内容未变：这篇稿件以前导入过，粘贴的文本与现有内容相同。"
                    )
                elif result.drafted:
                    message = _("已生成待审草稿，线上版本不变。")
                else:
                    message = _("这篇稿件以前导入过，已用粘贴的文本更新。")
                messages.success(request, message)
                # Lines no rule could place were left out of the body: say which.
                for number, text in form.page.unplaced:
                    messages.warning(
                        request,
                        _("第 %(line)d 行未能识别，未放入正文：%(text)s")
                        % {"line": number, "text": text},
                    )
                return redirect(
                    reverse("admin:news_article_change", args=[result.article.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "title": _("从网页文本导入"),
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/news/article/import.html", context)


@admin.register(SensitiveWord)
class SensitiveWordAdmin(admin.ModelAdmin):
    list_display = ("wrong", "correct", "note", "is_active")
    list_editable = ("is_active",)
    list_filter = ("is_active",)
    search_fields = ("wrong", "correct", "note")


@admin.register(AuditLog)
class AuditLogAdmin(BoundedDateHierarchyMixin, admin.ModelAdmin):
    """操作日志: read-only for everyone, superusers included."""

    list_display = ("created_at", "user", "action", "object_type", "object_repr")
    list_filter = ("action", "object_type", "user", "created_at")
    list_select_related = ("user",)
    search_fields = ("object_repr", "summary", "object_id")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin):
    """站点设置: one row, edited by superusers or holders of ``change_sitesettings``.

    The list goes straight to the row (or to adding it while there is none); adding a
    second row is refused, and the row is never deleted (an empty field is left out
    of the footer).
    """

    fieldsets = (
        (_("单位"), {"fields": ("host_organisation", "operator_organisation")}),
        (_("联系方式"), {"fields": ("contact_phone", "contact_email", "address")}),
        (
            _("备案与标识"),
            {
                "fields": (
                    "icp_number",
                    "police_number",
                    "site_code",
                    "conac_url",
                    "error_report_url",
                )
            },
        ),
        (_("声明"), {"fields": ("copyright_url", "privacy_url")}),
    )

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not SiteSettings.objects.exists()

    def save_model(self, request, obj, form, change):
        site_settings_save(site=obj, by=request.user, changed=form.changed_data)

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        current = SiteSettings.objects.current()
        if current is not None and self.has_view_or_change_permission(request, current):
            return redirect("admin:news_sitesettings_change", current.pk)
        if current is None and self.has_add_permission(request):
            return redirect("admin:news_sitesettings_add")
        return super().changelist_view(request, extra_context)
