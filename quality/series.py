"""An indicator's published series as a statistics bulletin prints it.

Pure functions over observations already read (no query of their own): the rows of
an indicator's table with 同比 and the source of each figure, and the data of its
chart. The chart file (``quality.chart_svg``), the page and the downloads all take
their numbers from here, so the picture, the table and the files say the same.

同比 (year on year) is given only where two figures are comparable: the same
region, the same kind of period one year apart (2020 and 2019, 2020H1 and 2019H1,
截至2020年底 and 截至2019年底), both exact (a hedged "97%以上" is not a number to
subtract from) and, since an indicator has one 统计口径, within one indicator: a
change of 口径 is a new indicator, never a 同比 across it.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .formatting import (
    PERCENT_UNITS,
    day_label,
    day_label_en,
    format_number,
    format_value_en,
    period_label_en,
    source_text,
)
from .models import Indicator, Observation, Period

HOME_REGION = "370600"  # 烟台市: the region of the headline figures
ONE_PLACE = Decimal("0.1")


def in_english() -> bool:
    return (get_language() or "").startswith("en")


def figure_text(observation: Observation) -> str:
    """The figure as the page's language writes it: 600余项 / more than 600."""
    if not in_english():
        return observation.display
    indicator = observation.indicator
    return format_value_en(
        observation.value,
        observation.comparator,
        indicator.unit.symbol,
        indicator.decimals,
    )


def day_text(day: date | datetime) -> str:
    """2021年1月7日 / 7 January 2021 (a time: its day in the site's time zone)."""
    if isinstance(day, datetime):
        day = timezone.localdate(day)
    return day_label_en(day) if in_english() else day_label(day)


def period_text(period: Period) -> str:
    """截至2020年底 / end of 2020."""
    if not in_english():
        return period.label
    return period_label_en(period.kind, period.start_on, period.end_on)


def indicator_title(indicator: Indicator) -> str:
    """The indicator's name, its English name on the English pages (when it has one)."""
    if in_english() and indicator.name_en:
        return indicator.name_en
    return indicator.name


def unit_text(symbol: str) -> str:
    """The unit as the page's language names it: a counting word (项, 个, 家) is
    "number" in English."""
    if not in_english():
        return symbol
    return {"%": "%", "％": "%", "批次": "batches", "万元": "10,000 yuan"}.get(
        symbol, "number"
    )


@dataclass(frozen=True)
class Source:
    """Where a figure was published: 发布机关, title, date and link."""

    publisher: str
    title: str
    published_on: date | None
    url: str

    @property
    def label(self) -> str:
        return source_text(self.publisher, self.title)


def source_of(observation: Observation) -> Source:
    """The source of ``observation`` as readers may see it (its article must have
    been read with it): the article while it is public (``source_article``), else
    the source written on the value."""
    article = observation.source_article
    if article is not None:
        published = article.published_at
        return Source(
            publisher=article.source,
            title=article.title,
            published_on=timezone.localdate(published) if published else None,
            url=article.get_absolute_url(),
        )
    return Source(
        publisher=observation.source_publisher,
        title=observation.source_title,
        published_on=observation.source_on,
        url=observation.source_url,
    )


def year_earlier_code(period: Period) -> str | None:
    """The code of the same period one year earlier; None for a custom period."""
    if period.kind == Period.Kind.CUSTOM:
        return None
    end = period.end_on
    if period.kind == Period.Kind.INSTANT:
        year = end.year - 1
        last = calendar.monthrange(year, end.month)[1]
        # 截至2月29日 a year on is 截至2月28日 (both the month's end).
        day = last if end.day >= last else end.day
        return f"@{date(year, end.month, day):%Y-%m-%d}"
    code = period.code or period.compute_code()
    return f"{int(code[:4]) - 1}{code[4:]}"


def change_text(current: Observation, previous: Observation) -> str:
    """同比 as a bulletin writes it: 增长3.6%, 下降1.2%, 提高0.5个百分点, 持平."""
    unit = current.indicator.unit.symbol
    if unit in PERCENT_UNITS:
        points = (current.value - previous.value).quantize(ONE_PLACE, ROUND_HALF_UP)
        if points == 0:
            return _("持平")
        number = format_number(abs(points), 1)
        if points > 0:
            return _("提高%(points)s个百分点") % {"points": number}
        return _("降低%(points)s个百分点") % {"points": number}
    if previous.value == 0:
        return ""
    rate = ((current.value - previous.value) / previous.value * 100).quantize(
        ONE_PLACE, ROUND_HALF_UP
    )
    if rate == 0:
        return _("持平")
    number = format_number(abs(rate), 1)
    if rate > 0:
        return _("增长%(rate)s%%") % {"rate": number}
    return _("下降%(rate)s%%") % {"rate": number}


@dataclass
class Row:
    """One figure of the table: the preferred value of a region and period."""

    observation: Observation
    source: Source
    change: str = ""
    previous: Observation | None = None

    @property
    def is_provisional(self) -> bool:
        return self.observation.status == Observation.Status.PROVISIONAL


@dataclass
class Series:
    indicator: Indicator
    rows: list[Row] = field(default_factory=list)

    @property
    def periods(self) -> list[Period]:
        seen: dict[int, Period] = {}
        for row in self.rows:
            seen.setdefault(row.observation.period_id, row.observation.period)
        return sorted(seen.values(), key=lambda p: (p.end_on, p.start_on or p.end_on))

    @property
    def regions(self) -> list:
        seen = {row.observation.region_id: row.observation.region for row in self.rows}
        return sorted(seen.values(), key=lambda r: r.code)

    @property
    def has_change(self) -> bool:
        return any(row.change for row in self.rows)

    @property
    def has_provisional(self) -> bool:
        return any(row.is_provisional for row in self.rows)

    @property
    def sources(self) -> list[Source]:
        """Each distinct source once, in the order of the figures."""
        return list(dict.fromkeys(row.source for row in self.rows))

    @property
    def publishers(self) -> list[str]:
        """发布机关: each publisher of the figures once."""
        return list(
            dict.fromkeys(
                source.publisher for source in self.sources if source.publisher
            )
        )

    def chart(self) -> dict:
        """The chart's data (``static/js/quality-charts.js``): one line per region."""
        periods = self.periods
        cell = {
            (row.observation.period_id, row.observation.region_id): row
            for row in self.rows
        }

        def values(region, read):
            return [
                read(cell[(p.pk, region.pk)]) if (p.pk, region.pk) in cell else None
                for p in periods
            ]

        return {
            "type": "line" if len(periods) > 1 else "bar",
            "unit": unit_text(self.indicator.unit.symbol),
            "categories": [period_text(p) for p in periods],
            "series": [
                {
                    "name": _(region.name),  # the demo's regions have catalogue entries
                    "data": values(region, lambda r: float(r.observation.value)),
                    "labels": values(region, lambda r: figure_text(r.observation)),
                    "changes": values(region, lambda r: r.change),
                    "sources": values(region, lambda r: r.source.label),
                }
                for region in self.regions
            ],
        }


def build_series(indicator: Indicator, observations: list[Observation]) -> Series:
    """The preferred figures of ``observations`` (all of ``indicator``, read with
    their period, region and article), oldest first, each with its 同比 and source."""
    preferred = [o for o in observations if o.is_preferred]
    preferred.sort(key=lambda o: (o.period.end_on, o.region.code, o.pk))
    by_cell = {(o.region_id, o.period.code): o for o in preferred}
    rows = []
    for observation in preferred:
        row = Row(observation=observation, source=source_of(observation))
        earlier = year_earlier_code(observation.period)
        previous = by_cell.get((observation.region_id, earlier)) if earlier else None
        if (
            previous is not None
            and observation.comparator == Observation.Comparator.EQ
            and previous.comparator == Observation.Comparator.EQ
        ):
            row.previous = previous
            row.change = change_text(observation, previous)
        rows.append(row)
    return Series(indicator=indicator, rows=rows)


def updated_on(observations: list[Observation]) -> date | None:
    """数据更新于: the day the newest of ``observations`` was entered."""
    if not observations:
        return None
    return timezone.localdate(max(o.created_at for o in observations))
