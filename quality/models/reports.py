"""The annual quality report: a definition edited in the admin, and its versions.

A ``Report`` says what the report shows (chapters in order, each with its intro and
the indicators it shows, and how); ``quality.reports`` builds the content from the
observations, and every generation is stored as a ``ReportVersion`` with its files:
a published document that a later correction of the data never changes.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from yantai.html import sanitize_html

from .data import Indicator
from .reference import Region


class ReportQuerySet(models.QuerySet):
    def with_versions(self) -> ReportQuerySet:
        """Reports that have been generated at least once (the public list)."""
        return self.filter(versions__isnull=False).distinct().order_by("-year")


class Report(models.Model):
    """年度质量发展报告: what the report of one year shows."""

    year = models.PositiveSmallIntegerField(
        _("年度"),
        unique=True,
        validators=[MinValueValidator(1949), MaxValueValidator(2100)],
        help_text=_("报告所述年度，例如 2020；公开网址为 /quality/reports/2020/。"),
    )
    title = models.CharField(_("标题"), max_length=200)
    publisher = models.CharField(
        _("编制单位"), max_length=100, default="烟台市市场监督管理局"
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("地区"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("主要数字所属地区，通常为烟台市；按地区的柱状图列出其下级地区。"),
    )
    data_until = models.DateField(
        _("数据截至"),
        null=True,
        blank=True,
        help_text=_(
            "报告采用期末不晚于此日的数字。年报常在次年初编制，可填次年的日期；"
            "留空为该年12月31日。"
        ),
    )
    closing_notes = models.TextField(
        _("说明"),
        blank=True,
        help_text=_("报告末尾的说明（资料来源、口径等），保存时按文章正文的规则清理。"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("年度质量报告")
        verbose_name_plural = _("年度质量报告")
        permissions = [("generate_report", _("可以生成年度质量报告"))]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.closing_notes = sanitize_html(self.closing_notes)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("quality:report-detail", kwargs={"year": self.year})

    @property
    def first_day(self) -> date:
        return date(self.year, 1, 1)

    @property
    def year_end(self) -> date:
        return date(self.year, 12, 31)

    @property
    def last_day(self) -> date:
        """The last period end the report takes: 数据截至, else 31 December.
        Only a 时点 figure ("截至目前") may end after 31 December
        (``quality.reports``)."""
        return self.data_until or self.year_end

    def cut_off_problem(self) -> str:
        """Why 数据截至 cannot be this report's; "" when it can. A report is
        compiled in the year after its own at the latest: a later cut-off would
        print a later year's figures as this year's."""
        if not (self.year and self.data_until):
            return ""
        if self.data_until < date(self.year, 1, 1):
            return _("数据截至日期不能早于报告年度的1月1日。")
        if self.data_until > date(self.year + 1, 12, 31):
            return _(
                "数据截至日期不能晚于报告年度次年的12月31日：年报在次年编制，"
                "更晚的数字属于以后的年度。"
            )
        return ""

    def clean(self) -> None:
        super().clean()
        problem = self.cut_off_problem()
        if problem:
            raise ValidationError({"data_until": problem})


class ReportChapter(models.Model):
    report = models.ForeignKey(
        Report,
        verbose_name=_("报告"),
        on_delete=models.CASCADE,
        related_name="chapters",
    )
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    title = models.CharField(_("章节标题"), max_length=100)
    intro = models.TextField(
        _("导语"),
        blank=True,
        help_text=_("章节开头的文字；数字请用下面的指标，不要写在导语里。"),
    )

    class Meta:
        ordering = ["report", "order", "id"]
        verbose_name = _("章节")
        verbose_name_plural = _("章节")

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.intro = sanitize_html(self.intro)
        super().save(*args, **kwargs)


class ReportItem(models.Model):
    """One indicator in a chapter, and how the report shows it."""

    class Display(models.TextChoices):
        HEADLINE = "headline", _("主要数字")
        TABLE = "table", _("表格（近N年）")
        LINE = "line", _("折线图（近N年）")
        BAR_REGION = "bar_region", _("柱状图（按地区）")

    chapter = models.ForeignKey(
        ReportChapter,
        verbose_name=_("章节"),
        on_delete=models.CASCADE,
        related_name="items",
    )
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="+"
    )
    display = models.CharField(
        _("展示方式"), max_length=12, choices=Display.choices, default=Display.HEADLINE
    )
    years = models.PositiveSmallIntegerField(
        _("年数"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_("表格和折线图包含的年数（含报告年度）。"),
    )
    previous_scope = models.ForeignKey(
        Indicator,
        verbose_name=_("原口径指标"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_(
            "统计口径调整前的同一指标（口径不同即为另一指标）。"
            "报告不在两者之间计算同比，只加脚注说明口径变化。"
        ),
    )

    class Meta:
        ordering = ["chapter", "order", "id"]
        verbose_name = _("章节指标")
        verbose_name_plural = _("章节指标")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(years__gte=1, years__lte=30),
                name="report_item_years_1_30",
                violation_error_message=_("年数应在 1 至 30 之间。"),
            ),
            models.CheckConstraint(
                condition=~models.Q(previous_scope=models.F("indicator")),
                name="report_item_previous_scope_differs",
                violation_error_message=_("原口径指标不能是本指标。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} · {self.get_display_display()}"


def _version_path(instance: ReportVersion, filename: str) -> str:
    return f"reports/{instance.report.year}/{filename}"


class ReportVersion(models.Model):
    """One generation of a report: what it printed, from which data, and its files.

    Never rewritten: a regeneration adds a version, so a published PDF stays what it
    was when the data is corrected later.
    """

    report = models.ForeignKey(
        Report,
        verbose_name=_("报告"),
        on_delete=models.CASCADE,
        related_name="versions",
    )
    number = models.PositiveIntegerField(_("版本号"))
    generated_at = models.DateTimeField(_("生成时间"))
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("生成人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("命令行生成时为空。"),
    )
    observation_count = models.PositiveIntegerField(_("观测值条数"))
    data_changed_at = models.DateTimeField(_("数据最后录入时间"), null=True, blank=True)
    data_stamp = models.CharField(
        _("数据版本"),
        max_length=64,
        help_text=_("所用观测值的条数、最大编号和最后录入时间。"),
    )
    body_html = models.TextField(_("报告正文（HTML）"))
    pending = models.JSONField(
        _("待核实"), default=list, blank=True, help_text=_("未印入报告的数字及原因。")
    )
    # Written by the generator only (editable=False: no form or API takes an upload).
    html_file = models.FileField(
        _("HTML 文件"), upload_to=_version_path, blank=True, editable=False
    )
    pdf_file = models.FileField(
        _("PDF 文件"), upload_to=_version_path, blank=True, editable=False
    )
    docx_file = models.FileField(
        _("Word 文件"), upload_to=_version_path, blank=True, editable=False
    )

    class Meta:
        ordering = ["report", "-number"]
        get_latest_by = "number"
        verbose_name = _("报告版本")
        verbose_name_plural = _("报告版本")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "number"],
                name="report_version_number_unique",
                violation_error_message=_("同一报告的版本号不能重复。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.report} · 第{self.number}版"
