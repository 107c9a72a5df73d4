"""The data pages in /sitemap.xml: the dashboard, each public indicator, the
registries that hold entries (an empty one is out of the public menu too).

Registered as the ``data`` section in ``yantai/urls.py``. Two queries per request,
whatever the number of indicators.
"""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse
from django.utils.functional import cached_property

from .models import Indicator
from .views import REGISTRIES, registries_with_entries


@dataclass(frozen=True)
class DataPage:
    url: str
    lastmod: datetime | None = None
    priority: float = 0.5


class DataSitemap(Sitemap):
    changefreq = "weekly"

    @cached_property
    def pages(self) -> list[DataPage]:
        # Computed once per request: the index asks for the items twice (latest
        # lastmod, page count), a section page once.
        indicators = list(
            Indicator.objects.public()
            .annotate(last=Max("observations__created_at"))
            .order_by("topic__order", "order", "code")
            .only("code")
        )
        # Observations keep their entry time only (a correction through
        # ``observation_correct`` is a new row): the newest one dates the indicator
        # page. Indicators and the registries keep no time at all: no lastmod.
        latest = max((i.last for i in indicators if i.last), default=None)
        filled = registries_with_entries()
        return [
            DataPage(reverse("quality:dashboard"), latest, 0.7),
            *(DataPage(i.get_absolute_url(), i.last, 0.6) for i in indicators),
            *(
                DataPage(reverse(url))
                for name, url, _label, _entries in REGISTRIES
                if name in filled
            ),
        ]

    def items(self) -> list[DataPage]:
        return self.pages

    def location(self, item: DataPage) -> str:
        return item.url

    def lastmod(self, item: DataPage) -> datetime | None:
        return item.lastmod

    def priority(self, item: DataPage) -> float:
        return item.priority
