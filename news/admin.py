from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from .models import Article, Byline, Channel, Image, Person, Tag
from .parsing import PageTextError, parse_page_text
from .services import article_import_page


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
class ImageAdmin(admin.ModelAdmin):
    list_display = ("title", "credit", "width", "height", "created_at")
    search_fields = ("title", "caption", "credit", "alt_text")
    date_hierarchy = "created_at"


class BylineInline(admin.TabularInline):
    model = Byline
    extra = 1
    autocomplete_fields = ("person",)
    fields = ("order", "prefix", "role", "person")


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
        return text


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "channel",
        "status",
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
        """从网页文本导入: parse pasted page text into a draft the editor then reviews."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = PageTextImportForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            with transaction.atomic():
                article, created = article_import_page(
                    page=form.page, channel=form.cleaned_data["channel"], publish=False
                )
            messages.success(
                request,
                _("已从网页文本生成草稿，请核对后保存。")
                if created
                else _("这篇稿件以前导入过，已用粘贴的文本更新。"),
            )
            return redirect(reverse("admin:news_article_change", args=[article.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("从网页文本导入"),
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/news/article/import.html", context)
