"""An indicator's chart as a self-contained SVG file, drawn on the server.

Why here and not ECharts' own export: the file is the same for every reader and
without JavaScript, it carries what a figure needs when it travels alone (title,
unit, 统计口径, sources, 数据更新于), and a test can read its numbers back. The page's
PNG download is this SVG rasterised by the browser (static/js/quality-charts.js), so
the two files show one picture.
"""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from django.utils.translation import gettext as _

from .series import Series, figure_text, indicator_title, period_text, unit_text

WIDTH = 800
HEIGHT = 480
LEFT, RIGHT, TOP = 64, 24, 76
PLOT_BOTTOM = HEIGHT - 120
COLOURS = ("#b3261e", "#1f5fa8", "#2e7d32", "#8a5a00", "#6a1b9a", "#00695c")
FONT = (
    "'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',sans-serif"
)


def nice_ceiling(value: float) -> float:
    """The round number at or above ``value`` the axis ends at (1, 2, 2.5, 5 × 10ⁿ)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power  # pragma: no cover - the loop ends at 10


def _tick_label(value: float) -> str:
    text = f"{Decimal(str(value)).normalize():f}"
    return text


def _text(x, y, content, size=12, anchor="start", fill="#222", weight="normal"):
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'fill="{fill}" font-weight="{weight}">{escape(content)}</text>'
    )


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render(series: Series, updated: date | None, site: str) -> str:
    """The SVG document of ``series`` (its preferred figures, oldest first)."""
    indicator = series.indicator
    periods = series.periods
    regions = series.regions
    cell = {(r.observation.period_id, r.observation.region_id): r for r in series.rows}
    values = [float(r.observation.value) for r in series.rows]
    top_value = nice_ceiling(max(values, default=0))
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = PLOT_BOTTOM - TOP
    slot = plot_width / max(len(periods), 1)

    def x_of(index: int) -> float:
        return LEFT + slot * (index + 0.5)

    def y_of(value: float) -> float:
        return PLOT_BOTTOM - plot_height * (value / top_value)

    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family={quoteattr(FONT)} '
        f'role="img" aria-labelledby="title">',
        f'<title id="title">{escape(indicator_title(indicator))}</title>',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        _text(LEFT, 32, indicator_title(indicator), size=20, weight="bold"),
        _text(
            LEFT,
            56,
            _("单位：%(unit)s") % {"unit": unit_text(indicator.unit.symbol)},
            size=13,
            fill="#555",
        ),
    ]
    # The value axis: five steps from 0 to the round ceiling.
    for step in range(6):
        value = top_value * step / 5
        y = y_of(value)
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
            f'stroke="{"#999" if step == 0 else "#e5e5e5"}" stroke-width="1"/>'
        )
        parts.append(
            _text(LEFT - 8, y + 4, _tick_label(value), anchor="end", fill="#555")
        )
    every = max(1, math.ceil(len(periods) / 8))
    for index, period in enumerate(periods):
        if index % every == 0 or index == len(periods) - 1:
            parts.append(
                _text(
                    x_of(index), PLOT_BOTTOM + 20, period_text(period), anchor="middle"
                )
            )
    bars = len(periods) == 1
    for n, region in enumerate(regions):
        colour = COLOURS[n % len(COLOURS)]
        points = [
            (index, cell[(period.pk, region.pk)])
            for index, period in enumerate(periods)
            if (period.pk, region.pk) in cell
        ]
        if bars:
            width = min(80.0, slot / (len(regions) + 1))
            for index, row in points:
                x = x_of(index) - width * len(regions) / 2 + width * n
                y = y_of(float(row.observation.value))
                parts.append(
                    f'<rect class="point" x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" '
                    f'height="{PLOT_BOTTOM - y:.1f}" fill="{colour}" '
                    f'data-value="{row.observation.value.normalize():f}"/>'
                )
                parts.append(
                    _text(
                        x + width / 2,
                        y - 6,
                        figure_text(row.observation),
                        anchor="middle",
                    )
                )
            continue
        # Consecutive periods are joined; a missing period breaks the line.
        path, previous = [], None
        for index, row in points:
            command = "L" if previous == index - 1 else "M"
            path.append(
                f"{command}{x_of(index):.1f},{y_of(float(row.observation.value)):.1f}"
            )
            previous = index
        parts.append(
            f'<path d="{" ".join(path)}" fill="none" stroke="{colour}" '
            f'stroke-width="2.5"/>'
        )
        for index, row in points:
            x, y = x_of(index), y_of(float(row.observation.value))
            parts.append(
                f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="4" '
                f'fill="{colour}" data-value="{row.observation.value.normalize():f}"/>'
            )
            parts.append(
                _text(x, y - 10, figure_text(row.observation), anchor="middle")
            )
    if len(regions) > 1:
        x = LEFT
        for n, region in enumerate(regions):
            colour = COLOURS[n % len(COLOURS)]
            parts.append(
                f'<rect x="{x}" y="{PLOT_BOTTOM + 32}" width="12" height="12" '
                f'fill="{colour}"/>'
            )
            parts.append(_text(x + 16, PLOT_BOTTOM + 43, _(region.name)))
            x += 32 + 14 * len(region.name)
    notes = []
    sources = "；".join(s.label for s in series.sources)
    notes.append(_("资料来源：%(sources)s") % {"sources": sources})
    if indicator.scope:
        notes.append(_("统计口径：%(scope)s") % {"scope": indicator.scope})
    tail = site
    if updated:
        tail = _("数据更新于%(date)s · %(site)s") % {
            "date": updated.isoformat(),
            "site": site,
        }
    notes.append(tail)
    y = HEIGHT - 18 * len(notes) - 6
    for note in notes:
        y += 18
        parts.append(_text(LEFT, y, _shorten(note, 60), size=12, fill="#555"))
    parts.append("</svg>")
    return "\n".join(parts)
