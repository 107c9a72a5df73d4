"""Writes of the "提取数据" review: propose an article's figures, confirm, reject.

The extractor (``quality.extraction``) only reads text. These services turn what it
finds into :class:`FigureProposal` rows and, once staff confirm one, into an
:class:`Observation` whose source is the article and whose quote is the sentence.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from news.bulk import RowInsert
from news.models import Article

from .extraction import Figure, extract_figures
from .figure_links import figure_marks_batch
from .models import FigureProposal, Indicator, Observation, Period, Region
from .services import observation_create, period_get_or_create

PREFER_NEW = "new"
PREFER_EXISTING = "existing"


class FigureConflict(Exception):
    """The cell already holds a different value; staff must choose the preferred one."""

    def __init__(self, existing: list[Observation]):
        self.existing = existing
        super().__init__(_("同一指标、地区和期间已有不同的数值，请选择首选值。"))


def article_published_on(article: Article) -> date:
    """The date that 目前, 去年上半年 … in the article are read against."""
    return timezone.localdate(article.published_at or timezone.now())


def indicator_suggest(
    subject: str, unit: str, indicators: list[Indicator]
) -> Indicator | None:
    """The indicator whose name best matches ``subject`` (same unit preferred).

    An exact name wins; then a name the subject contains or that contains the
    subject, the longest such name first ("工业产品质量合格率" before "合格率").
    """
    if not subject:
        return None
    candidates = [
        i
        for i in indicators
        if i.name == subject or i.name in subject or subject in i.name
    ]
    if not candidates:
        return None

    def rank(indicator: Indicator) -> tuple:
        return (
            indicator.name == subject,
            indicator.unit.symbol == unit,
            len(indicator.name),
        )

    return max(candidates, key=rank)


def _raw_text(text: str, figure: Figure) -> str:
    return text[figure.start : figure.end][:100]


@transaction.atomic
def figure_proposals_extract(
    *, article: Article, figures: list[Figure] | None = None
) -> list[FigureProposal]:
    """Propose the figures of ``article`` not proposed before; return the new ones.

    A figure already proposed (same quote, value and unit), whatever was decided about
    it, is not proposed again: rejected figures stay rejected. ``figures``: what
    ``extract_figures`` finds in the article's ``body_text``, when the caller has it
    already. ``figure_proposals_extract_many`` writes many articles' at once, and
    ``extract_figures --all`` the same in worker processes: all three make their
    proposals with ``checked_proposals``.
    """
    text = article.body_text
    if figures is None:
        figures = extract_figures(text, article_published_on(article))
    created = []
    for proposal in _new_proposals([(article.pk, text, figures)]):
        proposal.article = article
        try:
            # Two reviewers opening the page at once: the second insert loses the
            # race on the unique constraint and simply skips the figure.
            with transaction.atomic():
                proposal.full_clean()
                proposal.save()
        except IntegrityError:
            continue
        created.append(proposal)
    return created


def figure_proposals_extract_many(found: list[tuple[int, str, list[Figure]]]) -> int:
    """``figure_proposals_extract`` for many articles at once, given as (id, body
    text, figures found in it); return how many proposals were created.

    What the one-article service writes, in a few statements a batch (it made ~6
    queries a figure, most of them ``full_clean``'s checks of the two constraints,
    ~10 s for 200 articles of the shared dataset): the proposals already there read
    in one query; each new one's fields checked in Python; its constraints hold by
    construction (a figure not proposed before; 待审核, which needs no observation);
    all inserted at once (``RowInsert``). It sends no ``post_save``: the receiver
    rewrites figure marks, which show confirmed proposals only, so none change. If
    someone proposed some of the same figures meanwhile (the admin's 提取数据), the
    unique constraint refuses the batch and each figure is inserted on its own,
    skipping those, as the one-article service does.
    """
    return insert_proposal_rows(PROPOSAL_ROWS.values_of(_new_proposals(found)))


def _new_proposals(found: list[tuple[int, str, list[Figure]]]) -> list[FigureProposal]:
    """The unsaved proposals of ``found``'s figures not proposed before, checked."""
    known = proposed_keys([pk for pk, _text, _figures in found])
    indicators = list(Indicator.objects.select_related("unit"))
    return [
        proposal
        for pk, text, figures in found
        for proposal in checked_proposals(pk, text, figures, known, indicators)
    ]


def proposed_keys(article_ids: list[int]) -> set[tuple]:
    """(article id, quote, value, unit) of the proposals these articles have."""
    return set(
        FigureProposal.objects.filter(article_id__in=article_ids).values_list(
            "article_id", "quote", "value", "unit"
        )
    )


def checked_proposals(
    pk: int,
    text: str,
    figures: list[Figure],
    known: set[tuple],
    indicators: list[Indicator],
) -> list[FigureProposal]:
    """The unsaved proposals of article ``pk``'s ``figures`` (found in its body
    ``text``) not in ``known`` (``proposed_keys``; those made are added), their
    fields checked. No database: ``extract_figures --all`` makes them in its worker
    processes, ``indicators`` loaded before."""
    new = []
    for figure in figures:
        key = (pk, figure.quote, figure.value, figure.unit)
        if key in known:
            continue
        known.add(key)
        proposal = FigureProposal(
            article_id=pk,
            quote=figure.quote,
            start=figure.start,
            end=figure.end,
            raw_text=_raw_text(text, figure),
            value=figure.value,
            comparator=figure.comparator,
            lower=figure.lower,
            upper=figure.upper,
            unit=figure.unit[:20],
            subject=figure.subject[:200],
            period_start=figure.period_start,
            period_end=figure.period_end,
            indicator=indicator_suggest(figure.subject, figure.unit, indicators),
        )
        # Not the foreign keys, which ForeignKey.validate looks up a query each:
        # the article was just read, the indicator is one of those loaded.
        proposal.clean_fields(exclude=_KEYS_GIVEN)
        new.append(proposal)
    return new


_KEYS_GIVEN = ("article", "indicator", "observation", "decided_by")

# The proposals' rows as RowInsert writes them (every column but the id).
PROPOSAL_ROWS = RowInsert(FigureProposal)


def insert_proposal_rows(rows: list[list]) -> int:
    """Insert checked proposals given as ``PROPOSAL_ROWS`` rows at once, or, if the
    unique constraint refuses the batch (the same figure proposed meanwhile), one
    by one, skipping those; how many went in.

    At once by ``RowInsert``, as ``bulk_create`` would without its preparation of
    each value through the model's fields. The whole batch of 400 articles' 11,596
    proposals (bench/figure_proposals_write.py): 1.84-1.87 s of CPU with
    ``bulk_create``, 1.10-1.12 s so."""
    if not rows:
        return 0
    try:
        with transaction.atomic():
            PROPOSAL_ROWS.insert(rows)
        return len(rows)
    except IntegrityError:
        pass
    created = 0
    for row in rows:
        try:
            with transaction.atomic():
                FigureProposal(
                    **dict(zip(PROPOSAL_ROWS.columns, row, strict=True))
                ).save()
        except IntegrityError:
            continue
        created += 1
    return created


_SENTENCE_ENDS = "。！？!?；;\n"


def proposal_sentence(text: str, proposal: FigureProposal) -> str:
    """The whole sentence of ``text`` (the article's body text) holding the figure.

    The proposal's own quote is the clause the extractor read (it is what the
    article page marks); the source of an observation is the sentence, which names
    what the figure counts. Falls back to the clause if the text has changed.
    """
    start, end = proposal.start, proposal.end
    if text[start:end] != proposal.quote:
        start = text.find(proposal.quote)
        if start < 0:
            return proposal.quote
        end = start + len(proposal.quote)
    begin = max(text.rfind(mark, 0, start) for mark in _SENTENCE_ENDS) + 1
    stops = [i for mark in _SENTENCE_ENDS if (i := text.find(mark, end)) >= 0]
    stop = min(stops) if stops else len(text)
    if stop < len(text) and text[stop] != "\n":
        stop += 1  # keep the full stop
    return text[begin:stop].strip()


def proposal_period(proposal: FigureProposal) -> Period:
    """The Period of the figure: an instant, or the year/half/quarter/month it spans."""
    if proposal.period_start is None:
        return period_get_or_create(
            kind=Period.Kind.INSTANT, end_on=proposal.period_end
        )
    for kind in (
        Period.Kind.YEAR,
        Period.Kind.HALF,
        Period.Kind.QUARTER,
        Period.Kind.MONTH,
    ):
        probe = Period(
            kind=kind, start_on=proposal.period_start, end_on=proposal.period_end
        )
        _, start_on, end_on = Period.bounds_from_code(probe.compute_code())
        if (start_on, end_on) == (proposal.period_start, proposal.period_end):
            return period_get_or_create(kind=kind, start_on=start_on, end_on=end_on)
    return period_get_or_create(
        kind=Period.Kind.CUSTOM,
        start_on=proposal.period_start,
        end_on=proposal.period_end,
    )


def _disagrees(observation: Observation, proposal: FigureProposal) -> bool:
    return (observation.value, observation.comparator) != (
        proposal.value,
        proposal.comparator,
    )


@figure_marks_batch()
def figure_proposal_confirm(
    *,
    proposal: FigureProposal,
    indicator: Indicator | None,
    region: Region | None,
    by,
    prefer: str | None = None,
) -> Observation:
    """Confirm ``proposal`` as an observation of ``indicator`` for ``region``.

    The observation's source is the article and its quote the proposal's sentence.
    When the cell (indicator × region × period) already holds a different value,
    nothing is written and :class:`FigureConflict` lists the existing observations,
    unless ``prefer`` says which value becomes the preferred one (``"new"`` or
    ``"existing"``). A value equal to the cell's is added beside it, not preferred.
    """
    proposal = FigureProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != FigureProposal.Status.PROPOSED:
        raise ValidationError(_("这条数据已经审核过了。"))
    if indicator is None:
        raise ValidationError(_("请先为这条数据选择指标。"))
    if region is None:
        raise ValidationError(_("请选择地区。"))
    if indicator.unit.symbol != proposal.unit:
        raise ValidationError(
            _("单位不符：指标“%(indicator)s”的单位是“%(expected)s”，原文是“%(unit)s”。")
            % {
                "indicator": indicator.name,
                "expected": indicator.unit.symbol,
                "unit": proposal.unit,
            }
        )
    if prefer not in (None, PREFER_NEW, PREFER_EXISTING):
        raise ValidationError(_("请选择首选值。"))
    period = proposal_period(proposal)
    existing = list(
        Observation.objects.filter(indicator=indicator, region=region, period=period)
        .exclude(status=Observation.Status.REVISED)
        .select_related("indicator__unit", "period", "region", "article")
        .order_by("-is_preferred", "id")
    )
    conflicting = [o for o in existing if _disagrees(o, proposal)]
    if conflicting and prefer is None:
        raise FigureConflict(existing)
    is_preferred = {PREFER_NEW: True, PREFER_EXISTING: False}.get(prefer)
    if not conflicting:
        is_preferred = None  # agrees with the cell: preferred only if the cell is empty
    observation = observation_create(
        indicator=indicator,
        region=region,
        period=period,
        value=proposal.value,
        comparator=proposal.comparator,
        lower=proposal.lower,
        upper=proposal.upper,
        raw_text=proposal.raw_text,
        article=proposal.article,
        quote=proposal_sentence(proposal.article.body_text, proposal),
        status=Observation.Status.CONFIRMED,
        is_preferred=is_preferred,
    )
    proposal.indicator = indicator
    proposal.observation = observation
    proposal.status = FigureProposal.Status.CONFIRMED
    proposal.decided_by = by
    proposal.decided_at = timezone.now()
    proposal.full_clean()
    proposal.save()
    return observation


@transaction.atomic
def figure_proposal_reject(*, proposal: FigureProposal, by) -> FigureProposal:
    """Reject ``proposal``; it is remembered and not proposed again."""
    proposal = FigureProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != FigureProposal.Status.PROPOSED:
        raise ValidationError(_("这条数据已经审核过了。"))
    proposal.status = FigureProposal.Status.REJECTED
    proposal.decided_by = by
    proposal.decided_at = timezone.now()
    proposal.full_clean()
    proposal.save()
    return proposal


@figure_marks_batch()
def figure_proposals_link_observations(*, article: Article) -> list[FigureProposal]:
    """Confirm the proposals of ``article`` that observations already record.

    Observations entered with the article as source (the seed data, an import) were
    never proposed, so the article page would not mark them. Each such observation
    is matched to the proposal of the same value and unit whose clause lies in the
    observation's quote; the proposal is confirmed against it, and no observation
    is written. Observations already linked, and proposals already decided, are
    left alone: running it again changes nothing.
    """
    figure_proposals_extract(article=article)
    proposals = list(
        FigureProposal.objects.filter(
            article=article, status=FigureProposal.Status.PROPOSED
        ).order_by("start", "id")
    )
    observations = (
        Observation.objects.filter(article=article)
        .exclude(figure_proposals__status=FigureProposal.Status.CONFIRMED)
        .select_related("indicator__unit")
        .order_by("id")
    )
    linked = []
    for observation in observations:
        proposal = next(
            (
                p
                for p in proposals
                if p.value == observation.value
                and p.unit == observation.indicator.unit.symbol
                and p.quote in observation.quote
            ),
            None,
        )
        if proposal is None:
            continue
        proposals.remove(proposal)
        proposal.indicator = observation.indicator
        proposal.observation = observation
        proposal.status = FigureProposal.Status.CONFIRMED
        proposal.decided_at = timezone.now()
        proposal.full_clean()
        proposal.save()
        linked.append(proposal)
    return linked
