"""The data pages nginx and the CDNs keep, refreshed and purged with the news pages
(``news.frontcache``: the same requests, the same thread, the same calls of
``news.cdn.BATCH``) when what they show changes.

- An article published, corrected or withdrawn: the data pages that show it — its
  source label, its link, the sentence quoted from it (``Observation.source_article``,
  ``public_quote``; a sampling campaign's article) — are each public indicator's
  page, CSV, JSON, XLSX and SVG that has a value citing it, the whole dataset's CSV
  and XLSX with them, and the page of the 抽检 list each campaign citing it is on
  (``article_pages``, registered with ``news.frontcache.add_article_pages``).
- An observation added, changed or deleted (admin, API, services): its indicator's
  pages, the dataset, the data home (its cards and charts) and every page of the
  registry lists whose coverage reports the indicator (``observations_changed``).

Worked out after the commit, from the rows committed, and only when a front-end
cache is named (``news.frontcache.enabled``): otherwise nothing is queried. Every
address in every language (``/quality/…`` and ``/en/quality/…``). Left to
``s-maxage``: filtered lists (``?category=…``), and the annual reports, which print
the body stored when the version was generated.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from news import frontcache

from .models import Indicator, SamplingCampaign, Scheme

# The pages of one indicator, and of the whole dataset (quality/urls.py).
INDICATOR_PAGES = (
    "indicator-detail",
    "indicator-csv",
    "indicator-json",
    "indicator-xlsx",
    "indicator-svg",
)
DATASET_PAGES = ("dataset-csv", "dataset-xlsx")

# A page: (URL name in ``quality``, its arguments, its page number in a list).
Page = tuple[str, tuple, int]


def _paths(pages: list[Page]) -> list[str]:
    """The addresses of ``pages`` in every language (page 2 on: ``?page=N``)."""
    paths = []
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for name, args, number in pages:
                path = reverse(f"quality:{name}", args=args)
                paths.append(path if number <= 1 else f"{path}?page={number}")
    return paths


def _indicator_pages(codes: Iterable[str]) -> list[Page]:
    return [(name, (code,), 1) for code in codes for name in INDICATOR_PAGES]


def article_pages(article_ids: list[int]) -> list[str]:
    """The data pages that show these articles (two queries)."""
    codes = list(
        Indicator.objects.public()
        .filter(observations__article_id__in=article_ids)
        .order_by("code")
        .values_list("code", flat=True)
        .distinct()
    )
    pages = _indicator_pages(codes)
    if codes:
        pages += [(name, (), 1) for name in DATASET_PAGES]
    return _paths(pages + _sampling_pages(set(article_ids)))


def _sampling_pages(article_ids: set[int]) -> list[Page]:
    """The pages of the 抽检 list (unfiltered) that show a campaign citing one of
    ``article_ids``: its place in the list's one order."""
    from .views import SamplingCampaignListView

    per_page = SamplingCampaignListView.paginate_by
    cited = SamplingCampaign.objects.in_registry_order().values_list(
        "article_id", flat=True
    )
    numbers = sorted(
        {
            place // per_page + 1
            for place, article_id in enumerate(cited)
            if article_id in article_ids
        }
    )
    return [("sampling-list", (), number) for number in numbers]


def observations_changed(indicator_ids: Iterable[int]) -> None:
    """Refresh, when the current transaction commits, the pages that show the
    observations of these indicators."""
    if not frontcache.enabled():
        return
    connection = transaction.get_connection()
    connection.__dict__.setdefault("quality_frontcache_indicators", set()).update(
        indicator_ids
    )
    frontcache.refresh_on_commit(later=_changed_indicator_paths)


def _changed_indicator_paths() -> list[str]:
    pending = transaction.get_connection().__dict__.get(
        "quality_frontcache_indicators", set()
    )
    indicator_ids = set(pending)
    pending.clear()
    return indicator_paths(indicator_ids)


def indicator_paths(indicator_ids: Iterable[int]) -> list[str]:
    """The pages that show observations of these indicators: their own, the
    dataset's, the data home and the registry lists reporting them (every page: the
    coverage is on each)."""
    codes = list(
        Indicator.objects.public()
        .filter(pk__in=list(indicator_ids))
        .order_by("code")
        .values_list("code", flat=True)
    )
    if not codes:
        return []
    pages = _indicator_pages(codes)
    pages += [(name, (), 1) for name in (*DATASET_PAGES, "dashboard")]
    return _paths(pages + _registry_pages(set(codes)))


def _registry_pages(codes: set[str]) -> list[Page]:
    from .views import (
        CENTRE_INDICATORS,
        REGISTRIES,
        STANDARD_COVERAGE,
        RegistryListView,
    )

    reporting = {
        "standards": {code for _l, _w, code in STANDARD_COVERAGE.values()},
        "inspection-centres": set(CENTRE_INDICATORS.values()),
        "measurement-standards": {"measurement_standards"},
    }
    names = {name for name, reported in reporting.items() if reported & codes}
    kinds = set(
        Scheme.objects.filter(indicator__code__in=codes).values_list("kind", flat=True)
    )
    if Scheme.Kind.HONOUR in kinds:
        names.add("honours")
    if Scheme.Kind.CERTIFICATION in kinds:
        names.add("certifications")
    pages = []
    for name, url_name, _label, entries in REGISTRIES:
        if name in names:
            count = entries().count()
            last = max(1, math.ceil(count / RegistryListView.paginate_by))
            url_name = url_name.removeprefix("quality:")
            pages += [(url_name, (), number) for number in range(1, last + 1)]
    return pages
