"""The data pages nginx and the CDNs keep, refreshed and purged with the news pages
(``news.frontcache``: the same requests, the same thread, the same calls of
``news.cdn.BATCH``) when what they show changes.

- An article published, corrected or withdrawn: the data pages that show it — its
  source label, its link, the sentence quoted from it (``Observation.source_article``,
  ``public_quote``; a sampling campaign's article) — are each public indicator's
  page, CSV, JSON, XLSX and SVG that has a value citing it, the whole dataset's CSV
  and XLSX with them, and the page of the 抽检 list each campaign citing it is on
  (``article_pages``, registered with ``news.frontcache.add_article_pages``).
- An observation added, changed or deleted (admin, API, services, import-export;
  the bulk import, which writes without save signals, names every indicator it
  wrote): its indicator's pages (both indicators' when it moved), the dataset, the data home (its cards and charts)
  and every page of the registry lists whose coverage reports the indicator
  (``observations_changed``).
- A rename (``labels_changed``): an indicator saved (its pages, even when hidden:
  their 404 replaces them), a region, period, unit or topic saved (the pages of the
  public indicators with a value in it, measured in it, filed under it).
- An indicator's code changed or the indicator deleted (``codes_gone``): the pages
  at its old addresses (their 404 replaces them), the dataset's, the data home and
  the registry lists that reported that code. The old code is read before the save
  (``quality.signals``), the deleted one from the instance.

All that one transaction changed is sent in one batch after its commit.

Worked out after the commit, from the rows committed, and only when a front-end
cache is named (``news.frontcache.enabled``): otherwise nothing is queried. Every
address in every language (``/quality/…`` and ``/en/quality/…``). Left to
``s-maxage``: filtered lists (``?category=…``, searches), and the annual reports, which print the body stored when the version was
generated.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import translation

from news import frontcache

from .models import Indicator, Observation, SamplingCampaign, Scheme

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
    observations of these indicators (an observation saved or deleted, a bulk
    import: all of a transaction's indicators in one batch)."""
    _pending_changes(indicators=indicator_ids)


def labels_changed(
    *,
    indicators: Iterable[int] = (),
    regions: Iterable[int] = (),
    periods: Iterable[int] = (),
    units: Iterable[int] = (),
    topics: Iterable[int] = (),
) -> None:
    """Refresh, at commit, the pages that print these indicators, regions, periods,
    units or topics (a rename): the indicators' own, those with a value in the
    regions or periods, those measured in the units or filed under the topics. An
    indicator's own pages even when it is hidden (they are 404 from now on)."""
    _pending_changes(
        indicators=indicators,
        shown=indicators,
        regions=regions,
        periods=periods,
        units=units,
        topics=topics,
    )


def codes_gone(codes: Iterable[str]) -> None:
    """Refresh, at commit, the pages at these codes' addresses (an indicator's old
    code after a change, a deleted indicator's): now 404."""
    _pending_changes(gone=codes)


_KINDS = ("indicators", "shown", "regions", "periods", "units", "topics", "gone")


def _pending_changes(**ids: Iterable[int]) -> None:
    """What the current transaction changed, kept on its connection until it
    commits (``news.frontcache.refresh_on_commit`` sends one batch); nothing is kept
    without a front-end cache."""
    if not frontcache.enabled():
        return
    connection = transaction.get_connection()
    pending = connection.__dict__.setdefault(
        "quality_frontcache", {kind: set() for kind in _KINDS}
    )
    for kind, values in ids.items():
        pending[kind].update(values)
    frontcache.refresh_on_commit(later=_changed_indicator_paths)


def _changed_indicator_paths() -> list[str]:
    pending = transaction.get_connection().__dict__.pop("quality_frontcache", None)
    if not pending:
        return []
    shown = Q(pk__in=pending["shown"])
    changed = Q(pk__in=pending["indicators"])
    if pending["regions"] or pending["periods"]:
        changed |= Q(
            pk__in=Observation.objects.filter(
                Q(region_id__in=pending["regions"])
                | Q(period_id__in=pending["periods"])
            ).values("indicator_id")
        )
    changed |= Q(unit_id__in=pending["units"]) | Q(topic_id__in=pending["topics"])
    return _indicator_paths((changed & Q(is_public=True)) | shown, pending["gone"])


def indicator_paths(indicator_ids: Iterable[int]) -> list[str]:
    """The pages that show observations of these indicators: their own, the
    dataset's, the data home and the registry lists reporting them (every page: the
    coverage is on each)."""
    return _indicator_paths(Q(is_public=True, pk__in=list(indicator_ids)))


def _indicator_paths(indicators: Q, gone: Iterable[str] = ()) -> list[str]:
    """The pages of ``indicators`` and of the codes ``gone`` (no longer any
    indicator's, or another's now: their addresses are refreshed all the same)."""
    codes = list(
        Indicator.objects.filter(indicators)
        .order_by("code")
        .values_list("code", flat=True)
    )
    codes += sorted(set(gone) - set(codes))
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
