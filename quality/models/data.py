"""Indicators, periods and observations: the cells of the city's quality figures."""

from __future__ import annotations

import re
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Prefetch, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from news.models import Article

from .. import columns
from ..formatting import format_value, period_label, source_text
from ..validators import validate_quote_in_article
from .reference import Region, Topic, Unit


class IndicatorQuerySet(models.QuerySet):
    def public(self) -> IndicatorQuerySet:
        """Indicators shown on the public pages."""
        return self.filter(is_public=True)

    def unit_symbol(self, code: str) -> str | None:
        """The unit symbol of the indicator ``code`` ("%", "万元" …), None if there
        is none: what an observation's number given as text is read against
        (``quality.cells.read_number``)."""
        return self.filter(code=code).values_list("unit__symbol", flat=True).first()

    def for_listing(self) -> IndicatorQuerySet:
        return self.select_related("topic", "unit").order_by(
            "topic__order", "order", "code"
        )


class Indicator(models.Model):
    class Nature(models.TextChoices):
        STOCK = "stock", _("存量（某一时点的总数）")
        CUMULATIVE = "cumulative", _("累计（历年累计至某时点）")
        FLOW = "flow", _("流量（某一期间内发生）")
        RATE = "rate", _("比率")

    code = models.SlugField(
        _("指标代码"),
        max_length=60,
        unique=True,
        help_text=_("英文小写与下划线，例如 standards_national；用于网址和导入。"),
    )
    name = models.CharField(_("指标名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=150, blank=True)
    topic = models.ForeignKey(
        Topic,
        verbose_name=_("主题"),
        on_delete=models.PROTECT,
        related_name="indicators",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+"
    )
    definition = models.TextField(
        _("指标解释"), blank=True, help_text=_("这个数字数的是什么。")
    )
    scope = models.TextField(
        _("统计口径"),
        blank=True,
        help_text=_("统计范围与来源，例如“市市场监管局统计，含各县市区”。"),
    )
    nature = models.CharField(
        _("指标性质"), max_length=12, choices=Nature.choices, default=Nature.STOCK
    )
    decimals = models.PositiveSmallIntegerField(
        _("小数位数"), default=0, help_text=_("展示时保留的小数位数。")
    )
    higher_is_better = models.BooleanField(_("越高越好"), default=True)
    is_public = models.BooleanField(_("公开"), default=True)
    is_headline = models.BooleanField(
        _("首页展示"), default=False, help_text=_("在数据首页作为主要指标展示。")
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("指标")
        verbose_name_plural = _("指标")
        constraints = [
            models.CheckConstraint(
                condition=Q(decimals__lte=6),
                name="indicator_decimals_max_6",
                violation_error_message=_("小数位数不能超过 6。"),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("quality:indicator-detail", kwargs={"code": self.code})


_CODE_PATTERNS = [
    ("instant", re.compile(r"^@(\d{4})-(\d{2})-(\d{2})$")),
    ("year", re.compile(r"^(\d{4})$")),
    ("half", re.compile(r"^(\d{4})H([12])$")),
    ("quarter", re.compile(r"^(\d{4})Q([1-4])$")),
    ("month", re.compile(r"^(\d{4})-(\d{2})$")),
    ("custom", re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")),
]


def _month_end(year: int, month: int) -> date:
    first_of_next = date(year + month // 12, month % 12 + 1, 1)
    return first_of_next - timedelta(days=1)


class Period(models.Model):
    """An instant (截至 a date) or an interval (a year, half, quarter, month, custom).

    ``code`` is the period written compactly, unique, and is what imports use:
    ``@2020-12-31`` (instant), ``2020``, ``2020H1``, ``2020Q1``, ``2020-06``,
    ``2019-01-01..2020-12-31``.
    """

    class Kind(models.TextChoices):
        INSTANT = "instant", _("时点")
        YEAR = "year", _("年度")
        HALF = "half", _("半年")
        QUARTER = "quarter", _("季度")
        MONTH = "month", _("月度")
        CUSTOM = "custom", _("自定义期间")

    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    start_on = models.DateField(
        _("起始日期"), null=True, blank=True, help_text=_("时点留空。")
    )
    end_on = models.DateField(_("截止日期"), help_text=_("时点即“截至”的日期。"))
    code = models.CharField(_("期间代码"), max_length=30, unique=True, editable=False)

    class Meta:
        ordering = ["end_on", "start_on"]
        verbose_name = _("统计期间")
        verbose_name_plural = _("统计期间")
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="instant") & Q(start_on__isnull=True))
                | (~Q(kind="instant") & Q(start_on__isnull=False)),
                name="period_instant_has_no_start",
                violation_error_message=_("时点不填起始日期；期间必须填起始日期。"),
            ),
            models.CheckConstraint(
                condition=Q(start_on__isnull=True) | Q(start_on__lte=F("end_on")),
                name="period_start_before_end",
                violation_error_message=_("起始日期不能晚于截止日期。"),
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def save(self, *args, **kwargs):
        self.code = self.compute_code()
        super().save(*args, **kwargs)
        # Observations keep a copy of the end date (Observation.period_end_on).
        Observation.objects.filter(period=self).exclude(
            period_end_on=self.end_on
        ).update(period_end_on=self.end_on)

    @property
    def label(self) -> str:
        return period_label(self.kind, self.start_on, self.end_on)

    @property
    def is_instant(self) -> bool:
        return self.kind == self.Kind.INSTANT

    def compute_code(self) -> str:
        # Four-digit years whatever the year (``%Y`` gives "999" on Linux), so that
        # every code reads back (``bounds_from_code``'s patterns).
        end, start = self.end_on, self.start_on
        year = f"{end.year:04d}"
        if self.kind == self.Kind.INSTANT:
            return f"@{end.isoformat()}"
        if self.kind == self.Kind.YEAR:
            return year
        if self.kind == self.Kind.HALF:
            return f"{year}H{1 if end.month <= 6 else 2}"
        if self.kind == self.Kind.QUARTER:
            return f"{year}Q{(end.month + 2) // 3}"
        if self.kind == self.Kind.MONTH:
            return f"{year}-{end.month:02d}"
        return f"{start.isoformat()}..{end.isoformat()}"

    @classmethod
    def bounds_from_code(cls, code: str) -> tuple[str, date | None, date]:
        """``"2020H1"`` → ``("half", 2020-01-01, 2020-06-30)``; ValueError if unknown."""
        code = (code or "").strip()
        for kind, pattern in _CODE_PATTERNS:
            match = pattern.match(code)
            if not match:
                continue
            g = match.groups()
            if kind == "instant":
                return kind, None, date(int(g[0]), int(g[1]), int(g[2]))
            if kind == "custom":
                return kind, date.fromisoformat(g[0]), date.fromisoformat(g[1])
            year = int(g[0])
            if kind == "year":
                return kind, date(year, 1, 1), date(year, 12, 31)
            if kind == "half":
                first = int(g[1]) == 1
                return (
                    kind,
                    date(year, 1 if first else 7, 1),
                    date(year, 6, 30) if first else date(year, 12, 31),
                )
            if kind == "quarter":
                q = int(g[1])
                return kind, date(year, 3 * q - 2, 1), _month_end(year, 3 * q)
            month = int(g[1])  # the remaining kind: month
            return kind, date(year, month, 1), _month_end(year, month)
        raise ValueError(code)

    def clean(self) -> None:
        super().clean()
        if self.kind and self.end_on and self.kind not in ("instant", "custom"):
            if self.start_on is None:
                raise ValidationError({"start_on": _("期间必须填起始日期。")})
            expected = self.bounds_from_code(self.compute_code())
            if (expected[1], expected[2]) != (self.start_on, self.end_on):
                raise ValidationError(
                    _("起止日期与所选类型不符，应为 %(start)s 至 %(end)s。"),
                    params={"start": expected[1], "end": expected[2]},
                )


#: A 已修订 value is superseded: never the value public pages show for its cell. The
#: cell gets its new value by 更正 (``observation_correct``), and a mistaken
#: correction is undone by correcting the current value again.
REVISED_NOT_PREFERRED = _(
    "已修订的数值不能设为首选值；首选值有误请用“更正”新增一条，"
    "更正有误时请对现行值再次“更正”。"
)


class ObservationQuerySet(models.QuerySet):
    def preferred(self) -> ObservationQuerySet:
        """The one value shown for each cell."""
        return self.filter(is_preferred=True)

    def for_listing(self) -> ObservationQuerySet:
        return self.select_related(
            "indicator__unit", "region", "period", "article"
        ).order_by("period_end_on", "region__code", "-is_preferred", "id")


class Observation(models.Model):
    """One value of an indicator for a region and period, from one source."""

    class Comparator(models.TextChoices):
        EQ = "=", _("等于")
        APPROX = "~", _("约（约、近、左右）")
        GT = ">", _("多于（余、多、超、超过）")
        GTE = ">=", _("不少于（以上、不低于、至少）")
        LT = "<", _("少于（不足、不到）")
        LTE = "<=", _("不多于（以下、以内、不超过）")

    class Status(models.TextChoices):
        PROVISIONAL = "provisional", _("初步")
        CONFIRMED = "confirmed", _("确认")
        REVISED = "revised", _("已修订")

    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("指标"),
        on_delete=models.PROTECT,
        related_name="observations",
    )
    region = models.ForeignKey(
        Region, verbose_name=_("地区"), on_delete=models.PROTECT, related_name="+"
    )
    period = models.ForeignKey(
        Period, verbose_name=_("期间"), on_delete=models.PROTECT, related_name="+"
    )
    value = models.DecimalField(
        _("数值"),
        max_digits=20,
        decimal_places=4,
        help_text=_("印出来的数字，例如“六百余项”填 600，“97%以上”填 97。"),
    )
    comparator = models.CharField(
        _("比较关系"),
        max_length=2,
        choices=Comparator.choices,
        default=Comparator.EQ,
        help_text=_("“余、超”选“多于”；“以上”选“不少于”；“约”选“约”。"),
    )
    lower = models.DecimalField(
        _("下限"),
        max_digits=20,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("已知时填写，例如“六百余项”下限 600。"),
    )
    upper = models.DecimalField(
        _("上限"),
        max_digits=20,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("已知时填写，例如“六百余项”上限 700。"),
    )
    raw_text = models.CharField(
        _("原文写法"), max_length=100, help_text=_("照原文照录，例如“六百余项”。")
    )
    # The period's end date, copied from ``period`` on save (and by Period.save) so
    # that lists ordered or filtered by it use an index of this table: at 1,000,000
    # rows, ordering through the join to Period sorted every row (1.2 s a page).
    period_end_on = models.DateField(_("期间止日"), editable=False)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.PROVISIONAL
    )
    article = models.ForeignKey(
        Article,
        verbose_name=_("来源文章"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("数字出自本站文章时选择；否则填写下面的外部来源。"),
    )
    source_publisher = models.CharField(_("发布机构"), max_length=100, blank=True)
    source_title = models.CharField(_("文件标题"), max_length=200, blank=True)
    source_on = models.DateField(_("发布日期"), null=True, blank=True)
    source_url = models.URLField(_("来源网址"), max_length=500, blank=True)
    quote = models.TextField(
        _("原文引文"), blank=True, help_text=_("包含这个数字的原句，照录。")
    )
    note = models.TextField(_("备注"), blank=True)
    is_preferred = models.BooleanField(
        _("首选值"),
        default=False,
        help_text=_("同一指标、地区、期间只能有一个首选值，公开页面展示首选值。"),
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    objects = ObservationQuerySet.as_manager()

    # What the observation says and where it says it. Once saved these never change:
    # a correction adds a new observation (``observation_correct``) instead.
    VALUE_FIELDS = columns.VALUE_FIELDS
    # Never the preferred value once 已修订 (the check constraint's message).
    REVISED_NOT_PREFERRED = REVISED_NOT_PREFERRED

    class Meta:
        ordering = ["indicator", "period_end_on", "id"]
        verbose_name = _("观测值")
        verbose_name_plural = _("观测值")
        # The API's list orders and filters (bench/api_bench.py, docs/benchmarks.md).
        indexes = [
            # indicator_id in the index: the public-indicator test of every row a
            # deep page skips or a count passes reads no table row (page 472:
            # 18 → 2 ms at 1,000,000 rows).
            models.Index(
                fields=["period_end_on", "id", "indicator"], name="obs_period_end_ind"
            ),
            models.Index(
                fields=["indicator", "period_end_on", "id"], name="obs_indicator_end"
            ),
            models.Index(
                fields=["region", "period_end_on", "id"], name="obs_region_end"
            ),
            models.Index(fields=["value", "id"], name="obs_value"),
            # A series of preferred values in period order: no sort, no row read to
            # test is_preferred (?indicator=…&region=…&is_preferred=true).
            models.Index(
                fields=["indicator", "region", "period_end_on", "id"],
                condition=Q(is_preferred=True),
                name="obs_preferred_series",
            ),
            # Covers the count of a region's public observations (92 → 6 ms).
            models.Index(fields=["region", "indicator"], name="obs_region_indicator"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "region", "period"],
                condition=Q(is_preferred=True),
                name="observation_one_preferred_per_cell",
                violation_error_message=_(
                    "同一指标、地区和期间已有首选值；请先取消原首选值，或使用“更正”。"
                ),
            ),
            models.CheckConstraint(
                condition=(
                    Q(article__isnull=False)
                    & Q(source_publisher="")
                    & Q(source_title="")
                    & Q(source_url="")
                    & Q(source_on__isnull=True)
                )
                | (
                    Q(article__isnull=True)
                    & ~Q(source_publisher="")
                    & ~Q(source_title="")
                ),
                name="observation_exactly_one_source",
                violation_error_message=_(
                    "来源只能二选一：选择本站文章，或填写外部来源的发布机构和标题。"
                ),
            ),
            models.CheckConstraint(
                condition=(Q(lower__isnull=True) | Q(lower__lte=F("value")))
                & (Q(upper__isnull=True) | Q(upper__gte=F("value"))),
                name="observation_bounds_around_value",
                violation_error_message=_("下限不能大于数值，上限不能小于数值。"),
            ),
            models.CheckConstraint(
                condition=Q(comparator="=", lower__isnull=True, upper__isnull=True)
                | Q(comparator="~")
                | (
                    Q(comparator__in=[">", ">="])
                    & (Q(lower__isnull=True) | Q(lower=F("value")))
                    & (Q(upper__isnull=True) | Q(upper__gt=F("value")))
                )
                | (
                    Q(comparator__in=["<", "<="])
                    & (Q(upper__isnull=True) | Q(upper=F("value")))
                    & (Q(lower__isnull=True) | Q(lower__lt=F("value")))
                ),
                name="observation_bounds_match_comparator",
                violation_error_message=_(
                    "上下限与比较关系不符：“等于”不填上下限；“多于/不少于”的下限"
                    "等于数值；“少于/不多于”的上限等于数值。"
                ),
            ),
            models.CheckConstraint(
                condition=~Q(status="revised", is_preferred=True),
                name="observation_revised_never_preferred",
                violation_error_message=REVISED_NOT_PREFERRED,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} · {self.region} · {self.period}：{self.display}"

    def save(self, *args, **kwargs):
        self.period_end_on = self.period.end_on
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "period" in update_fields:
            kwargs["update_fields"] = {*update_fields, "period_end_on"}
        super().save(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values):
        observation = super().from_db(db, field_names, values)
        # The indicator it was read under: a save moving it to another indicator
        # changes the pages and files of both (``quality.signals``).
        observation.loaded_indicator_id = observation.__dict__.get("indicator_id")
        return observation

    @property
    def indicator_ids_changed(self) -> set[int]:
        """The indicators whose pages a save or deletion of this value changes:
        its own, and the one it was read under if it has moved since."""
        ids = {self.indicator_id, getattr(self, "loaded_indicator_id", None)}
        return ids - {None}

    def clean(self) -> None:
        super().clean()
        if self._state.adding:
            self.check_quote()

    def check_quote(self, texts: tuple[str, str] | None = None) -> None:
        """A new observation citing an article must quote the article's title or
        live text (``body_text``: a draft's own text while it was never published,
        the published version's while a new draft waits), compared as the figure
        marks compare it. A saved one is not checked again: its quote stays as the
        text read when it was entered, and its status, note and flag stay editable.
        ``texts``: the article's ``(title, body_text)`` if the caller has read them.
        """
        if self.article_id is None or not self.quote:
            return
        if texts is None:
            texts = (
                Article.objects.filter(pk=self.article_id)
                .values_list("title", "body_text")
                .first()
            )
            if texts is None:  # no such article: the field's own check says so
                return
        try:
            validate_quote_in_article(self.quote, *texts)
        except ValidationError as error:
            raise ValidationError({"quote": error}) from None

    @property
    def display(self) -> str:
        """The value as a Chinese reader writes it: 600余项, 97%以上, 约1700批次."""
        return format_value(
            self.value,
            self.comparator,
            self.indicator.unit.symbol,
            self.indicator.decimals,
        )

    @property
    def display_with_period(self) -> str:
        """``截至2020年底，600余项``."""
        return f"{self.period.label}，{self.display}"

    @property
    def source_article(self):
        """The article this value was taken from, if readers may see it now (not a
        draft, a scheduled, withdrawn or expired one: its title is not public)."""
        if not self.article_id:
            return None
        article = self.article
        return article if article.is_published else None

    @property
    def source_label(self) -> str:
        """The source as the public pages and downloads name it: the article, if
        public, else the source written on the value (empty if none)."""
        article = self.source_article
        if article is not None:
            return source_text(article.source, article.title)
        return source_text(self.source_publisher, self.source_title)

    @property
    def public_quote(self) -> str:
        """The quote as the public pages, downloads and API print it: a sentence of
        the source article only while readers may see the article
        (``source_article``); a quote of an external source always."""
        if self.article_id and self.source_article is None:
            return ""
        return self.quote

    @property
    def source_link(self) -> str:
        article = self.source_article
        if article is not None:
            return article.get_absolute_url()
        return self.source_url

    @property
    def staff_source_label(self) -> str:
        """The source as the admin names it: the article whatever its state."""
        if self.article_id:
            return f"{self.article.source}《{self.article.title}》"
        return f"{self.source_publisher}《{self.source_title}》"


def observations_prefetch(queryset=None) -> Prefetch:
    """Prefetch an indicator's observations with what their rows render."""
    return Prefetch(
        "observations",
        queryset=queryset
        if queryset is not None
        else Observation.objects.for_listing(),
    )
