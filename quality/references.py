"""Indicators, regions and periods by id, kept by each process for the API's lists.

An observation list at 1,000,000 rows spends most of its time in Python, and joining
four small tables into every row (and making four objects of each row) was a third
of it. The list reads the observations alone and takes their indicator (with unit),
region and period from here; the source article, when there is one, comes in one
extra query. The tables are read again when the ``observations`` generation of
api.pagination changes (any save or delete of an observation, indicator, region or
period, quality.signals) or when a row names an id this process does not know.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection

from api.counts import count_generation
from news.models import Article

from . import columns
from .models import Indicator, Observation, Period, Region


@dataclass
class _Tables:
    generation: str | None = None
    indicators: dict[int, Indicator] = field(default_factory=dict)
    regions: dict[int, Region] = field(default_factory=dict)
    periods: dict[int, Period] = field(default_factory=dict)

    def knows(self, observation: ObservationRow) -> bool:
        return (
            observation.indicator_id in self.indicators
            and observation.region_id in self.regions
            and observation.period_id in self.periods
        )


_tables = _Tables()


def _load(generation: str | None) -> _Tables:
    return _Tables(
        generation=generation,
        indicators=Indicator.objects.select_related("unit").in_bulk(),
        regions=Region.objects.in_bulk(),
        periods=Period.objects.in_bulk(),
    )


def _source_articles(ids: set[int]) -> dict[int, Article]:
    """The articles ``ids`` with the fields ``Article.is_published`` reads.

    Raw SQL through ``Manager.raw`` (converters and deferred fields as usual):
    compiling the ORM's ``in_bulk`` query took 0.45 ms of a page of 20 rows, this
    0.16.
    """
    table = connection.ops.quote_name(Article._meta.db_table)
    marks = ", ".join(["%s"] * len(ids))
    rows = Article.objects.raw(
        f"SELECT id, status, published_at, expires_at FROM {table} "  # noqa: S608
        f"WHERE id IN ({marks})",
        list(ids),
    )
    return {article.pk: article for article in rows}


class ObservationRow:
    """One observation of a list page: its columns (``FIELDS``, read with
    ``values_list``) and its indicator (with unit), region, period and source article,
    attached from this module's tables: what ``ObservationSerializer`` reads, without
    a model instance a row (Django's model init and related descriptors were a fifth
    of a 100-row page).
    """

    FIELDS = columns.ROW_FIELDS
    display = Observation.display  # the model's own text: 600余项, 97%以上 …
    # The quote only while the source article is public, as the model decides.
    source_article = Observation.source_article
    public_quote = Observation.public_quote

    @property
    def pk(self) -> int:
        return self.id


def observation_rows(values: list[tuple]) -> list[ObservationRow]:
    """Rows of ``ObservationRow.FIELDS`` values, with their related objects attached."""
    rows = []
    for row_values in values:
        row = ObservationRow()
        row.__dict__.update(zip(ObservationRow.FIELDS, row_values, strict=True))
        rows.append(row)
    observation_references_attach(rows)
    return rows


def observation_references_attach(observations: list[ObservationRow]) -> None:
    """Give each row its indicator, region, period and article (or None)."""
    global _tables
    if not observations:
        return
    generation = count_generation("observations")
    if _tables.generation != generation or not all(map(_tables.knows, observations)):
        _tables = _load(generation)
    article_ids = {o.article_id for o in observations if o.article_id}
    articles = _source_articles(article_ids) if article_ids else {}
    indicators, regions, periods = _tables.indicators, _tables.regions, _tables.periods
    for observation in observations:
        observation.indicator = indicators[observation.indicator_id]
        observation.region = regions[observation.region_id]
        observation.period = periods[observation.period_id]
        observation.article = articles.get(observation.article_id)
