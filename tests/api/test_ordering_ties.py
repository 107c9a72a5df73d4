"""``?ordering=`` with ties: pages that do not overlap or skip, rows of equal keys
in id order (descending after a descending key).

The allow-listed ordering was used as sent: ``?ordering=-period__end_on`` ordered by
the period's end alone, and LIMIT/OFFSET pages over equal keys are in no defined
order (PostgreSQL may return a row on two pages and another on none; on SQLite
``?ordering=published_at`` gave ties newest id first). The id now breaks every tie,
in the direction of the last key."""

from datetime import date, timedelta

from django.utils import timezone

from quality.models import Region
from tests.api import ApiTestCase
from tests.factories import ArticleFactory
from tests.quality.factories import AwardFactory, IndicatorFactory, ObservationFactory


class OrderingTieTests(ApiTestCase):
    @classmethod
    def setUpTestData(cls):
        when = timezone.now() - timedelta(days=1)
        for _ in range(7):
            ArticleFactory(published_at=when, title="同一标题")
        indicator = IndicatorFactory()
        regions = [
            Region.objects.create(code=f"3706{n:02d}", name=f"区{n}", level="county")
            for n in range(1, 8)
        ]
        for region in regions:
            ObservationFactory(indicator=indicator, region=region)
        for _ in range(7):
            AwardFactory(year=2020, issued_on=date(2020, 1, 1))

    def pages(self, path, ordering):
        ids = []
        for page in (1, 2, 3):
            response = self.client.get(
                path, {"ordering": ordering, "page_size": 3, "page": page}
            )
            self.assertEqual(response.status_code, 200, response.content)
            ids += [row["id"] for row in response.json()["results"]]
        return ids

    def test_ties_follow_the_id_in_the_direction_of_the_last_key(self):
        for path, orderings in (
            ("/api/v1/articles/", ("published_at", "-published_at", "title")),
            ("/api/v1/observations/", ("period__end_on", "-period__end_on", "-value")),
            ("/api/v1/honours/", ("year", "-year", "-issued_on")),
        ):
            for ordering in orderings:
                with self.subTest(path=path, ordering=ordering):
                    ids = self.pages(path, ordering)
                    self.assertEqual(ids, sorted(ids, reverse=ordering.startswith("-")))
                    self.assertEqual(len(ids), 7)
