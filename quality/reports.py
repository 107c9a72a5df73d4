"""The annual quality report: its content built from the data, and its generation.

``report_content(report)`` reads the observations of the report's indicators in one
query and builds what every output prints (the HTML page, the PDF, the Word file
take their figures from it, so the three say the same):

1. each item's figures: the preferred observation of each region and period in the
   item's window (a headline: the latest figure of the report's region in the
   report year — a period ending within it, or a 时点 up to 数据截至, which is in
   the next year at the latest; a table or line chart: the last N years; a bar
   chart: the latest period's figures of the region's divisions), with the hedge
   as written (600余项, 97%以上, ``Observation.display``) and the period
   (截至2020年底);
2. 同比 from ``quality.series`` (same region, same kind of period one year apart,
   both exact, one indicator and so one 统计口径); an item naming the indicator of
   the old 口径 gets a footnote, never a 同比 across the two;
3. each figure's source as a numbered note (publisher《title》, date, URL), numbered
   in the order the report first cites it;
4. a figure whose source is not confirmed (the article is not on the site, an
   outside document without its date or address), an item with no figure in
   its window, and an item whose indicator is not public, is left out of the
   printed report and listed as 待核实 — shown in the admin preview and kept with
   the generated version.

``report_generate`` renders the requested files *before* writing anything, then
stores a new ``ReportVersion`` (who, when, from which data) with them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Max, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yantai.text import echoed, join_list, stored_language

from . import chart_svg
from .models import (
    Indicator,
    Observation,
    Period,
    Report,
    ReportChapter,
    ReportItem,
    ReportVersion,
)
from .series import Row, Series, Source, build_series, source_of

FORMATS = ("html", "pdf", "docx")
Display = ReportItem.Display


class ReportError(ValidationError):
    """A report that cannot be generated; the message says why, in Chinese."""


@dataclass
class Figure:
    """One printed figure: as written, with its period, region, 同比 and note."""

    text: str
    period: str
    region: str
    note: int
    change: str = ""
    is_provisional: bool = False
    value: float = 0.0


@dataclass
class Block:
    """One item of a chapter as printed."""

    kind: str
    indicator: Indicator
    figures: list[Figure] = field(default_factory=list)
    series: Series | None = None
    svg: str = ""
    footnotes: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.indicator.name

    @property
    def unit(self) -> str:
        return self.indicator.unit.symbol

    @property
    def has_change(self) -> bool:
        return any(f.change for f in self.figures)

    @property
    def by_region(self) -> bool:
        return self.kind == Display.BAR_REGION


@dataclass
class Chapter:
    number: int
    title: str
    intro: str  # sanitised HTML (saved through yantai.html.sanitize_html)
    blocks: list[Block] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"chapter-{self.number}"


@dataclass
class Pending:
    """A figure not printed: 待核实, with the reason."""

    chapter: str
    indicator: str
    reason: str
    text: str = ""
    period: str = ""
    source: str = ""

    def as_dict(self) -> dict:
        return self.__dict__.copy()


@dataclass
class Note:
    number: int
    source: Source

    @property
    def url(self) -> str:
        url = self.source.url
        if url.startswith("/"):
            return settings.SITE_URL + url
        return url

    @property
    def text(self) -> str:
        parts = [self.source.label]
        if self.source.published_on:
            day = self.source.published_on
            parts.append(f"{day.year}年{day.month}月{day.day}日")
        if self.url:
            parts.append(self.url)
        return "，".join(parts)


@dataclass
class ReportContent:
    report: Report
    chapters: list[Chapter]
    notes: list[Note]
    pending: list[Pending]
    observation_count: int
    max_observation_id: int
    data_changed_at: datetime | None

    @property
    def data_stamp(self) -> str:
        changed = self.data_changed_at.isoformat() if self.data_changed_at else "-"
        return f"{self.observation_count}/{self.max_observation_id}/{changed}"

    @property
    def closing_notes(self) -> str:
        return mark_safe(self.report.closing_notes)  # sanitised on save


def source_problem(observation: Observation, source: Source) -> str:
    """Why the source of ``observation`` is not confirmed; "" when it is."""
    if observation.article_id:
        if not observation.article.is_published:
            return _("来源文章未在本站公开发布")
        return ""
    if not source.published_on:
        return _("外部来源缺少发布日期")
    if not source.url:
        return _("外部来源缺少网址")
    return ""


def _start_of(year: int) -> date:
    return date(max(year, 1), 1, 1)


def _report_observations(report: Report, items: list[ReportItem]) -> list[Observation]:
    """The preferred observations the items may print, and the year before (同比),
    in one query.

    A period (year, half, quarter, month …) ends within the report year; only a
    时点 (截至某日, the "截至目前" of a source written early the next year) may end
    after it, up to 数据截至: the first half of the next year is not this year's
    figure, a count "截至1月7日" is the latest known when the report is written."""
    longest = max((item.years for item in items), default=1)
    by_region = {i.indicator_id for i in items if i.display == Display.BAR_REGION}
    # The report's region for every item; its divisions only for a bar by region.
    regions = Q(region=report.region_id) | Q(
        indicator__in=by_region, region__parent=report.region_id
    )
    in_window = Q(period_end_on__lte=report.year_end) | Q(
        period__kind=Period.Kind.INSTANT, period_end_on__lte=report.last_day
    )
    return list(
        Observation.objects.preferred()
        .filter(
            regions,
            in_window,
            indicator__in={item.indicator_id for item in items},
            period_end_on__gte=_start_of(report.year - longest),
        )
        .select_related("indicator__unit", "region", "period", "article")
        .order_by("period_end_on", "region__code", "id")
    )


class _Builder:
    def __init__(self, report: Report):
        self.report = report
        self.notes: dict[Source, Note] = {}
        self.pending: list[Pending] = []

    def note_for(self, source: Source) -> int:
        if source not in self.notes:
            self.notes[source] = Note(number=len(self.notes) + 1, source=source)
        return self.notes[source].number

    def printable(self, chapter: ReportChapter, item: ReportItem, rows: list[Row]):
        """The rows whose source is confirmed; the others go to 待核实."""
        kept = []
        for row in rows:
            problem = source_problem(row.observation, row.source)
            if problem:
                self.pending.append(
                    Pending(
                        chapter=chapter.title,
                        indicator=item.indicator.name,
                        reason=problem,
                        text=row.observation.display,
                        period=row.observation.period.label,
                        source=row.source.label,
                    )
                )
                continue
            if row.previous is not None and source_problem(
                row.previous, source_of(row.previous)
            ):
                row.change = ""  # no 同比 against a figure we do not print
            kept.append(row)
        return kept

    def figure(self, row: Row) -> Figure:
        observation = row.observation
        return Figure(
            text=observation.display,
            period=observation.period.label,
            region=observation.region.name,
            note=self.note_for(row.source),
            change=row.change,
            is_provisional=row.is_provisional,
            value=float(observation.value),
        )

    def block(
        self, chapter: ReportChapter, item: ReportItem, observations: list[Observation]
    ) -> Block | None:
        report = self.report
        indicator = item.indicator
        if not indicator.is_public:
            # A published document shows what the public pages show: an indicator
            # withdrawn from them is not printed here either.
            self.pending.append(
                Pending(
                    chapter=chapter.title,
                    indicator=indicator.name,
                    reason=_("指标未公开"),
                )
            )
            return None
        if item.display == Display.BAR_REGION:
            mine = [
                o
                for o in observations
                if o.region_id == report.region_id
                or o.region.parent_id == report.region_id
            ]
        else:
            mine = [o for o in observations if o.region_id == report.region_id]
        series = build_series(indicator, mine)
        if item.display in (Display.HEADLINE, Display.BAR_REGION):
            first = report.first_day
        else:
            first = _start_of(report.year - item.years + 1)
        rows = [r for r in series.rows if r.observation.period_end_on >= first]
        if item.display == Display.HEADLINE:
            rows = (
                [max(rows, key=lambda r: r.observation.period_end_on)] if rows else []
            )
        elif item.display == Display.BAR_REGION and rows:
            latest = max(r.observation.period_end_on for r in rows)
            rows = [r for r in rows if r.observation.period_end_on == latest]
        if not rows:
            self.pending.append(
                Pending(
                    chapter=chapter.title,
                    indicator=indicator.name,
                    reason=_("报告期内没有该指标的数字"),
                )
            )
            return None
        rows = self.printable(chapter, item, rows)
        if not rows:
            return None  # each of its figures is listed as 待核实
        block = Block(kind=item.display, indicator=indicator)
        block.figures = [self.figure(row) for row in rows]
        block.series = Series(indicator=indicator, rows=rows)
        if item.display in (Display.LINE, Display.BAR_REGION):
            block.svg = _inline_svg(
                chart_svg.render(block.series, None, _("品质烟台")), item.pk
            )
        if any(f.is_provisional for f in block.figures):
            block.footnotes.append(_("标“初步数”的为初步统计数，以最终公布数为准。"))
        if item.previous_scope_id:
            previous = item.previous_scope
            block.footnotes.append(
                _(
                    "统计口径有调整：本项按“%(name)s”的口径（%(scope)s）统计，"
                    "与原口径“%(previous)s”（%(previous_scope)s）不可比，"
                    "两者之间不计算同比。"
                )
                % {
                    "name": indicator.name,
                    "scope": indicator.scope or indicator.definition,
                    "previous": previous.name,
                    "previous_scope": previous.scope or previous.definition,
                }
            )
        if item.display != Display.HEADLINE and len(block.figures) > 1:
            block.footnotes.append(
                _(
                    "同比：与上年同期相比；期间长度或统计口径不同、数值为约数的，"
                    "不计算同比，记为“—”。"
                )
            )
        return block


def _inline_svg(svg: str, key) -> str:
    """The chart file as an element of a page: no XML declaration, ids made unique
    (a page holds several charts)."""
    svg = svg.split("?>", 1)[-1].strip()
    ident = f"chart-title-{key}"
    return svg.replace('id="title"', f'id="{ident}"').replace(
        'aria-labelledby="title"', f'aria-labelledby="{ident}"'
    )


def _load(report: Report) -> tuple[list[ReportChapter], list[ReportItem]]:
    chapters = list(
        ReportChapter.objects.filter(report=report).prefetch_related(_items_prefetch())
    )
    items = [item for chapter in chapters for item in chapter.items.all()]
    return chapters, items


def _items_prefetch():
    from django.db.models import Prefetch

    return Prefetch(
        "items",
        queryset=ReportItem.objects.select_related("indicator__unit", "previous_scope"),
    )


def report_content(report: Report) -> ReportContent:
    """Everything the report prints, from the current data (see the module doc)."""
    problem = report.cut_off_problem()
    if problem:
        # A definition saved before the rule (or past the form): fix it first.
        raise ReportError(problem)
    chapters, items = _load(report)
    if not chapters:
        raise ReportError(
            gettext_lazy("报告定义还没有章节：请先在后台添加章节和指标。")
        )
    observations = _report_observations(report, items)
    by_indicator: dict[int, list[Observation]] = {}
    for observation in observations:
        by_indicator.setdefault(observation.indicator_id, []).append(observation)
    builder = _Builder(report)
    built = []
    for number, chapter in enumerate(chapters, start=1):
        content = Chapter(number=number, title=chapter.title, intro=chapter.intro)
        for item in chapter.items.all():
            block = builder.block(
                chapter, item, by_indicator.get(item.indicator_id, [])
            )
            if block is not None:
                content.blocks.append(block)
        built.append(content)
    # The data version: every observation of the report's indicators (a correction
    # adds a row, so the count and the newest id change with it).
    stamp = Observation.objects.filter(
        indicator__in={item.indicator_id for item in items}
    ).aggregate(count=Count("id"), last=Max("id"), changed=Max("created_at"))
    return ReportContent(
        report=report,
        chapters=built,
        notes=list(builder.notes.values()),
        pending=builder.pending,
        observation_count=stamp["count"] or 0,
        max_observation_id=stamp["last"] or 0,
        data_changed_at=stamp["changed"],
    )


def report_body_html(content: ReportContent) -> str:
    """The report's body as HTML (the public page and the PDF hold it)."""
    return render_to_string("quality/reports/body.html", {"content": content})


def report_html_document(content: ReportContent, body: str) -> str:
    """The report as one printable HTML document (the PDF's source and the .html)."""
    return render_to_string(
        "quality/reports/document.html",
        {
            "content": content,
            "report": content.report,
            "body": mark_safe(body),
            "site_url": settings.SITE_URL,
        },
    )


def can_generate(user) -> bool:
    return bool(
        user is not None
        and user.is_active
        and user.is_staff
        and user.has_perm("quality.generate_report")
    )


def report_generate(
    *,
    report: Report,
    formats: tuple[str, ...] = FORMATS,
    by: AbstractBaseUser | None = None,
) -> ReportVersion:
    """Generate ``report`` from the current data and store it as a new version.

    ``by`` is the staff member generating it (checked for the 生成报告 permission);
    ``None`` is the command line. Every file is rendered before anything is
    written: a failure leaves no version and no file behind.
    """
    from . import report_render  # WeasyPrint and python-docx load only here

    if by is not None and not can_generate(by):
        raise PermissionDenied(_("您没有生成报告的权限。"))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise ReportError(
            _("不支持的格式：%(formats)s（可选 html、pdf、docx）。")
            % {"formats": join_list(echoed(f) for f in unknown) or "—"}
        )
    # The published document is the Chinese one whoever generates it: the English
    # page shows its stored body as Chinese, as the files are. A refusal raised in
    # here (ReportError) is lazy and reaches the user in their language.
    with stored_language():
        content = report_content(report)
        body = report_body_html(content)
        document = report_html_document(content, body)
        files: dict[str, bytes] = {}
        if "html" in formats:
            files["html_file"] = document.encode("utf-8")
        if "pdf" in formats:
            files["pdf_file"] = report_render.pdf_bytes(document)
        if "docx" in formats:
            files["docx_file"] = report_render.docx_bytes(content)
    # Files first, the row after: no file is written inside the transaction, and
    # one whose row fails is deleted again.
    suffix = {"html_file": "html", "pdf_file": "pdf", "docx_file": "docx"}
    stamp = f"{timezone.now():%Y%m%d%H%M%S}-{uuid.uuid4().hex[:8]}"
    version = ReportVersion(
        report=report,
        generated_by=by,
        observation_count=content.observation_count,
        data_changed_at=content.data_changed_at,
        data_stamp=content.data_stamp,
        body_html=body,
        pending=[p.as_dict() for p in content.pending],
    )
    saved = []
    try:
        for name, data in files.items():
            filename = f"report-{report.year}-{stamp}.{suffix[name]}"
            getattr(version, name).save(filename, ContentFile(data), save=False)
            saved.append(getattr(version, name))
        with transaction.atomic():
            # The report's row lock numbers its versions one after another.
            Report.objects.select_for_update().filter(pk=report.pk).first()
            last = ReportVersion.objects.filter(report=report).aggregate(
                n=Max("number")
            )["n"]
            version.number = (last or 0) + 1
            version.generated_at = timezone.now()
            version.full_clean()
            version.save()
    except BaseException:
        for stored in saved:
            stored.storage.delete(stored.name)
        raise
    return version


def report_for_year(year) -> Report:
    """The definition of ``year``; ReportError (in Chinese) when there is none."""
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ReportError(_("年度应为四位数字，例如 2020。")) from None
    report = Report.objects.select_related("region").filter(year=year).first()
    if report is None:
        raise ReportError(_("没有 %(year)s 年的报告定义。") % {"year": year})
    return report
