"""Admin for the annual quality report: definitions, preview with 待核实, 生成报告.

Imported by ``quality/admin.py``. Administrators edit definitions (chapters on the
report's page, each chapter's intro and indicators on the chapter's page); whoever
holds ``quality.generate_report`` (the 数据编辑 group) previews and generates.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from news.forms import RichTextField
from yantai.text import join_sentences, stored_language

from .models import Report, ReportChapter, ReportItem, ReportVersion
from .reports import (
    ReportError,
    can_generate,
    report_body_html,
    report_content,
    report_generate,
)

# The intro is prose, not an article body: no image picker, no tables.
INTRO_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "HardBreak": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
    "History": True,
    "EditorLabels": True,
}


def _rich_text(label, help_text=""):
    return RichTextField(
        label=label,
        required=False,
        help_text=help_text,
        config={"extensions": INTRO_EXTENSIONS},
    )


class ReportForm(forms.ModelForm):
    closing_notes = _rich_text(gettext_lazy("说明"))

    class Meta:
        model = Report
        fields = ("year", "title", "publisher", "region", "data_until", "closing_notes")


class ReportChapterForm(forms.ModelForm):
    intro = _rich_text(
        gettext_lazy("导语"), gettext_lazy("章节开头的文字；数字请用下面的指标。")
    )

    class Meta:
        model = ReportChapter
        fields = ("report", "order", "title", "intro")


class ChapterInline(admin.TabularInline):
    model = ReportChapter
    fields = ("order", "title")
    extra = 0
    show_change_link = True


class VersionInline(admin.TabularInline):
    model = ReportVersion
    fields = ("number", "generated_at", "generated_by", "data_stamp", "files")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("文件"))
    def files(self, version):
        return _file_links(version)


def _file_links(version: ReportVersion) -> str:
    links = [
        format_html('<a href="{}">{}</a>', stored.url, label)
        for stored, label in (
            (version.pdf_file, "PDF"),
            (version.docx_file, "Word"),
            (version.html_file, "HTML"),
        )
        if stored
    ]
    return mark_safe(" · ".join(links)) if links else "—"


def _generate(request, report: Report) -> ReportVersion | None:
    """Generate ``report`` as the request's user; tell them what happened."""
    try:
        version = report_generate(report=report, by=request.user)
    except ReportError as error:
        messages.error(request, join_sentences(error.messages))
        return None
    messages.success(
        request,
        _("已生成《%(title)s》第%(number)d版。")
        % {
            "title": report.title,
            "number": version.number,
        },
    )
    if version.pending:
        messages.warning(
            request,
            _("%(count)d 个数字待核实，未印入报告：请在预览中查看。")
            % {"count": len(version.pending)},
        )
    return version


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    form = ReportForm
    list_display = ("year", "title", "region", "data_until", "latest", "preview")
    search_fields = ("title",)
    autocomplete_fields = ("region",)
    inlines = (ChapterInline, VersionInline)
    actions = ("generate_selected",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("region")

    def has_generate_permission(self, request) -> bool:
        return can_generate(request.user)

    @admin.display(description=gettext_lazy("最新版本"))
    def latest(self, report):
        version = report.versions.order_by("-number").first()
        if version is None:
            return "—"
        return format_html(
            "{} {}", _("第%(n)d版") % {"n": version.number}, _file_links(version)
        )

    @admin.display(description=gettext_lazy("预览"))
    def preview(self, report):
        url = reverse("admin:quality_report_preview", args=[report.pk])
        return format_html('<a href="{}">{}</a>', url, _("预览"))

    @admin.action(description=gettext_lazy("生成报告"), permissions=["generate"])
    def generate_selected(self, request, queryset):
        for report in queryset.select_related("region"):
            _generate(request, report)

    def get_urls(self):
        return [
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="quality_report_preview",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request, pk: int):
        """The report as the data now stands, with its 待核实 box; POST generates."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        report = get_object_or_404(Report.objects.select_related("region"), pk=pk)
        if request.method == "POST":
            if not self.has_generate_permission(request):
                raise PermissionDenied
            _generate(request, report)
            return redirect("admin:quality_report_preview", pk=report.pk)
        content, body, error = None, "", ""
        try:
            # The body as the generated document will have it: Chinese, whatever
            # the editor's language (``report_generate``). A refusal is lazy and
            # reads in the editor's language below.
            with stored_language():
                content = report_content(report)
                body = mark_safe(report_body_html(content))
        except ValidationError as problem:
            error = join_sentences(problem.messages)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("预览：%(title)s") % {"title": report.title},
            "report": report,
            "content": content,
            "body": body,
            "error": error,
            "can_generate": self.has_generate_permission(request),
            "versions": report.versions.select_related("generated_by")[:10],
        }
        return TemplateResponse(request, "quality/report_preview.html", context)


class ItemInline(admin.TabularInline):
    model = ReportItem
    fk_name = "chapter"
    fields = ("order", "indicator", "display", "years", "previous_scope")
    autocomplete_fields = ("indicator", "previous_scope")
    extra = 1


@admin.register(ReportChapter)
class ReportChapterAdmin(admin.ModelAdmin):
    form = ReportChapterForm
    list_display = ("title", "report", "order")
    list_filter = ("report",)
    search_fields = ("title",)
    inlines = (ItemInline,)


@admin.register(ReportVersion)
class ReportVersionAdmin(admin.ModelAdmin):
    """Versions are documents: read, never edited or added by hand."""

    list_display = ("report", "number", "generated_at", "generated_by", "files")
    list_filter = ("report",)
    fields = (
        "report",
        "number",
        "generated_at",
        "generated_by",
        "observation_count",
        "data_changed_at",
        "data_stamp",
        "pending",
        "files",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("文件"))
    def files(self, version):
        return _file_links(version)
