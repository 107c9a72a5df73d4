"""The 数据 block of the news home page (news never imports quality: the home
template loads this library)."""

from __future__ import annotations

from django import template

from news import pagecache
from quality.models import Observation
from quality.views import HOME_REGION

register = template.Library()

HOME_FIGURES = 4
# A new or corrected value reaches the home page within this time (or at the next
# publication, which replaces the public token); no event of quality's marks it.
HOME_FIGURES_SECONDS = 300


def headline_figures() -> list[Observation]:
    """The latest preferred value for the city of each public headline indicator
    (``Indicator.is_headline``), in the data page's order, in one query."""
    rows = (
        Observation.objects.preferred()
        .filter(
            indicator__is_public=True,
            indicator__is_headline=True,
            region__code=HOME_REGION,
        )
        .select_related("indicator__unit", "indicator__topic", "period", "region")
        .order_by("period_end_on", "id")
    )
    latest: dict[int, Observation] = {}
    for observation in rows:
        latest[observation.indicator_id] = observation  # oldest first: last wins
    ordered = sorted(
        latest.values(),
        key=lambda o: (o.indicator.topic.order, o.indicator.order, o.indicator.code),
    )
    return ordered[:HOME_FIGURES]


@register.inclusion_tag("news/includes/home_figures.html")
def home_figures():
    """Up to four headline figures, linking to their indicator pages and /quality/."""
    figures = pagecache.shared_current(
        "quality:home-figures", headline_figures, HOME_FIGURES_SECONDS
    )
    return {"figures": figures}


@register.simple_tag
def registry_menu() -> list[dict]:
    """The registries that hold entries, as the data pages' menu lists them (for
    网站地图): one query."""
    from django.urls import reverse

    from quality.views import REGISTRIES, registries_with_entries

    filled = registries_with_entries()
    return [
        {"url": reverse(url), "label": label}
        for name, url, label, _entries in REGISTRIES
        if name in filled
    ]
