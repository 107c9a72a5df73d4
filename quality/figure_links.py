"""Links from article text to the data: which numbers to mark and how.

When staff confirm a figure, the article page marks its number and links it to the
indicator, with a small card showing the indicator's latest preferred value and
trend. The page renders without a database query of its own for this: the marks of
each article are derived data stored with the article (``news.models.ArticleFigures``,
read with it by ``Article.objects.for_detail_row()``), rewritten through
``news.extensions.figure_marks_store`` in the transaction of the proposal,
observation or indicator change that causes them (the receivers in
``quality.signals``). Inside :func:`figure_marks_batch` each affected article is
rewritten once, at the end of the block, still inside its transaction: an import of
N observations refreshes each article once, not N times.

``mark_figures`` works on the article's sanitised HTML: it changes text nodes only,
outside links and headings, and escapes everything it writes, so no input reaches
the page unescaped. A figure the text gives twice (a heading and its paragraph, a
summary and the detail) is one figure: its first marked occurrence carries the card
button, later ones only the link. :func:`article_figures` lists each figure once for
the page's 本文数据 box.
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import transaction
from django.utils.html import escape, format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import override

from news.extensions import figure_marks_store
from news.models import Article

from .formatting import format_value
from .models import FigureProposal, Observation
from .validators import quote_in_text

TREND_POINTS = 5
# A tag, with quoted attribute values that may contain ">".
_TAG_RE = re.compile(r"""<(?:[^>"']|"[^"]*"|'[^']*')*>""")
_TAG_NAME_RE = re.compile(r"<\s*(/?)\s*([a-zA-Z0-9]+)")
# Text in these is never marked: a heading is read as a title, not as a data point.
_UNMARKED = {"h1", "h2", "h3", "h4", "h5", "h6"}


def article_figure_marks(article_id: int) -> list[dict]:
    """The marks of the confirmed, public figures of one article, from the database:
    those whose sentence its live text still holds (a new version published without
    it drops the mark, from the page's 本文数据 box and the API's ``figures`` too;
    a version that has it again brings it back). Language-neutral, in whatever
    language they are computed: Chinese addresses and the data's own texts."""
    text = (
        Article.objects.filter(pk=article_id)
        .values_list("body_text", flat=True)
        .first()
    ) or ""
    proposals = [
        proposal
        for proposal in FigureProposal.objects.confirmed()
        .filter(article_id=article_id, indicator__is_public=True)
        .select_related("indicator__unit", "observation__region", "observation__period")
        .order_by("start", "id")
        if quote_in_text(proposal.quote, text)
    ]
    cells = {(p.indicator_id, p.observation.region_id) for p in proposals}
    series: dict[tuple[int, int], list[Observation]] = {cell: [] for cell in cells}
    if cells:
        rows = (
            Observation.objects.preferred()
            .filter(indicator_id__in={c[0] for c in cells})
            .select_related("indicator__unit", "period")
            # As the indicator page and the dashboard order a series (series.py,
            # views.preferred_series): the card's latest value is theirs.
            .order_by("period__end_on", "id")
        )
        for row in rows:
            if (row.indicator_id, row.region_id) in series:
                series[(row.indicator_id, row.region_id)].append(row)
    marks = []
    for proposal in proposals:
        points = series[(proposal.indicator_id, proposal.observation.region_id)]
        trend = [
            {"period": o.period.label, "value": o.display, "number": str(o.value)}
            for o in points[-TREND_POINTS:]
        ]
        # The Chinese page's address, whatever language the write runs in (an
        # English admin or API request, a command under override): each page puts
        # its own language's in when it renders the marks (``quality_tags``).
        with override(settings.LANGUAGE_CODE):
            url = proposal.indicator.get_absolute_url()
        marks.append(
            {
                "quote": proposal.quote,
                "number": proposal.raw_text,
                "url": url,
                "indicator": proposal.indicator.name,
                "indicator_code": proposal.indicator.code,
                "region": proposal.observation.region.name,
                "value": str(proposal.value),
                # As the article writes it, hedge included (约1700批次, 超97%).
                "display": format_value(
                    proposal.value, proposal.comparator, proposal.unit
                ),
                "period": proposal.observation.period.label,
                "trend": trend,
                "direction": _direction(points, proposal.indicator.higher_is_better),
            }
        )
    return marks


def _direction(points: list[Observation], higher_is_better: bool) -> str:
    if len(points) < 2 or points[-1].value == points[-2].value:
        return "flat" if len(points) >= 2 else ""
    return "up" if points[-1].value > points[-2].value else "down"


def article_figures_refresh(article_id: int) -> bool:
    """Rewrite the stored marks of one article; True when they changed."""
    return figure_marks_store(
        article_id=article_id, marks=article_figure_marks(article_id)
    )


def indicator_article_ids(indicator_ids) -> set[int]:
    """The articles with a confirmed figure of one of the indicators."""
    return set(
        FigureProposal.objects.confirmed()
        .filter(indicator_id__in=list(indicator_ids))
        .values_list("article_id", flat=True)
        .distinct()
    )


class _Pending(threading.local):
    def __init__(self):
        self.depth = 0
        self.articles: set[int] = set()
        self.indicators: set[int] = set()


_pending = _Pending()


@contextmanager
def figure_marks_batch() -> Iterator[None]:
    """One transaction whose changes rewrite each affected article's marks once.

    Inside the block the receivers of ``quality.signals`` only note which articles
    and indicators changed; leaving it without an error rewrites the marks of each
    article once, before the transaction commits. Blocks nest: the outermost one
    rewrites. An error rolls everything back, marks included.
    """
    with transaction.atomic():
        _pending.depth += 1
        completed = False
        try:
            yield
            completed = True
        finally:
            _pending.depth -= 1
            if _pending.depth == 0:
                if completed:
                    figure_marks_flush()
                else:  # rolled back: nothing to rewrite
                    _pending.articles.clear()
                    _pending.indicators.clear()


def figure_marks_flush() -> None:
    """Rewrite the marks of the articles noted so far in this batch."""
    articles, indicators = _pending.articles, _pending.indicators
    _pending.articles, _pending.indicators = set(), set()
    if indicators:
        articles |= indicator_article_ids(indicators)
    for article_id in sorted(articles):
        article_figures_refresh(article_id)


def figures_changed(
    *, article_ids: tuple[int, ...] = (), indicator_ids: tuple[int, ...] = ()
) -> None:
    """Note that the marks of these articles (or of every article with a confirmed
    figure of these indicators) may have changed: rewritten now, or at the end of
    the enclosing :func:`figure_marks_batch`."""
    _pending.articles.update(a for a in article_ids if a is not None)
    _pending.indicators.update(i for i in indicator_ids if i is not None)
    if _pending.depth == 0:
        figure_marks_flush()


def figure_key(mark: dict) -> tuple:
    """What makes two marks the same figure: indicator, region, period and value.

    Marks written before they carried a period compare without it.
    """
    return (
        mark["indicator_code"],
        mark["region"],
        mark.get("period", ""),
        mark["value"],
    )


def article_figures(marks: list[dict]) -> list[dict]:
    """Each figure of the article once, in text order (the page's 本文数据 box)."""
    figures, seen = [], set()
    for mark in marks:
        key = figure_key(mark)
        if key not in seen:
            seen.add(key)
            figures.append(mark)
    return figures


def mark_figures(body_html: str, marks: list[dict], *, id_prefix: str = "fig") -> str:
    """Return ``body_html`` with the number of each mark wrapped in a link.

    Each mark is placed once, at the first text node holding its whole quote; text
    inside an existing link or a heading is left alone. The first placed mark of a
    figure carries the card button and card; a later mark of the same figure only
    the link. Every character written is escaped.
    """
    pending = list(enumerate(marks))
    carded: set[tuple] = set()
    out = []
    link_depth = heading_depth = 0
    position = 0
    for match in _TAG_RE.finditer(body_html):
        text = body_html[position : match.start()]
        plain = link_depth or heading_depth
        out.append(text if plain else _mark_text(text, pending, carded, id_prefix))
        tag = match.group(0)
        name = _TAG_NAME_RE.match(tag)
        if name and not tag.rstrip(">").rstrip().endswith("/"):
            closing, tag_name = bool(name.group(1)), name.group(2).lower()
            step = -1 if closing else 1
            if tag_name == "a":
                link_depth = max(0, link_depth + step)
            elif tag_name in _UNMARKED:
                heading_depth = max(0, heading_depth + step)
        out.append(tag)
        position = match.end()
    tail = body_html[position:]
    plain = link_depth or heading_depth
    out.append(tail if plain else _mark_text(tail, pending, carded, id_prefix))
    return "".join(out)


def _mark_text(
    raw: str, pending: list[tuple[int, dict]], carded: set[tuple], id_prefix: str
) -> str:
    if not raw or not pending:
        return raw
    text = html.unescape(raw)
    spans = []  # (start, end, index, mark), non-overlapping
    for entry in list(pending):
        index, mark = entry
        quote_at = text.find(mark["quote"])
        offset = mark["quote"].find(mark["number"]) if mark["number"] else -1
        if quote_at < 0 or offset < 0:
            continue
        start = quote_at + offset
        end = start + len(mark["number"])
        if any(s < end and start < e for s, e, _, _ in spans):
            continue
        spans.append((start, end, index, mark))
        pending.remove(entry)
    if not spans:
        return raw
    spans.sort()
    parts, cursor = [], 0
    for start, end, index, mark in spans:
        parts.append(escape(text[cursor:start]))
        key = figure_key(mark)
        parts.append(
            figure_markup(
                text[start:end],
                mark,
                f"{id_prefix}-{index}",
                with_card=key not in carded,
            )
        )
        carded.add(key)
        cursor = end
    parts.append(escape(text[cursor:]))
    return "".join(parts)


def figure_markup(
    number: str, mark: dict, card_id: str, *, with_card: bool = True
) -> str:
    """The marked number: a link to the indicator and a disclosure with its card
    (``with_card``), or the link alone for a figure already carded on the page."""
    if not with_card:
        return format_html(
            '<a class="figure" href="{url}" data-indicator="{code}"'
            ' data-value="{value}">{number}</a>',
            url=mark["url"],
            code=mark["indicator_code"],
            value=mark["value"],
            number=number,
        )
    trend = mark["trend"]
    latest = trend[-1] if trend else None
    arrow = {"up": "↑", "down": "↓", "flat": "→"}.get(mark["direction"], "")
    points = format_html_join(
        "",
        '<span class="figure-card-point"><span class="period">{}</span> {}</span>',
        ((point["period"], point["value"]) for point in trend),
    )
    latest_html = (
        format_html(
            '<span class="figure-card-latest">{}<strong>{}</strong>（{}，{}）</span>',
            _("最新："),
            latest["value"],
            latest["period"],
            mark["region"],
        )
        if latest
        else ""
    )
    return format_html(
        '<span class="figure-ref">'
        '<a class="figure" href="{url}" data-indicator="{code}" data-value="{value}"'
        ' data-card="{card_id}">{number}</a>'
        '<button type="button" class="figure-card-toggle" aria-expanded="false"'
        ' aria-controls="{card_id}" title="{label}"><span aria-hidden="true">ⓘ</span>'
        '<span class="visually-hidden">{label}</span></button>'
        '<span class="figure-card" id="{card_id}" role="note" hidden>'
        '<a class="figure-card-title" href="{url}">{indicator}</a>'
        "{latest}"
        '<span class="figure-card-trend" data-direction="{direction}">{trend_label}'
        '{points}<span class="arrow" aria-hidden="true">{arrow}</span></span>'
        "</span></span>",
        url=mark["url"],
        code=mark["indicator_code"],
        value=mark["value"],
        card_id=card_id,
        number=number,
        label=_("数据卡片：%(name)s") % {"name": mark["indicator"]},
        indicator=mark["indicator"],
        latest=latest_html,
        direction=mark["direction"],
        trend_label=_("走势："),
        points=points,
        arrow=arrow,
    )
