"""An empty filter value (``?status=``) is no filter, as documented.

The browsable API's filter form (django-filter's) submits every field, the empty
ones too: ``?indicator=&status=confirmed&…``. A 400 for an empty value would break
that form and every HTML form built the same way, so empty means "any" — the
convention of HTML forms and django-filter — and the schema and README say so.
Pagination and ordering parameters have no "any": empty is a 400 for them.
"""

from quality.models import Observation
from tests.api import ApiTestCase
from tests.quality.factories import ObservationFactory

OBSERVATIONS = "/api/v1/observations/"


class EmptyFilterTests(ApiTestCase):
    @classmethod
    def setUpTestData(cls):
        ObservationFactory(status=Observation.Status.CONFIRMED)
        ObservationFactory(status=Observation.Status.PROVISIONAL)

    def test_empty_value_is_no_filter(self):
        for query in ("status=", "indicator=", "period_from=", "is_preferred="):
            with self.subTest(query):
                response = self.client.get(f"{OBSERVATIONS}?{query}")
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response.json()["count"], 2)

    def test_the_browsable_filter_form_works(self):
        # What the form's "提交" sends: every field, most of them empty.
        response = self.client.get(
            f"{OBSERVATIONS}?indicator=&region=&period_from=&period_to=&article="
            "&comparator=&status=confirmed&is_preferred=&id__in="
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["count"], 1)

    def test_empty_paging_or_ordering_is_400(self):
        for name in ("page", "page_size", "limit", "offset", "ordering"):
            with self.subTest(name):
                response = self.client.get(f"{OBSERVATIONS}?{name}=")
                self.assertEqual(response.status_code, 400)
                self.assertIn(name, response.json())

    def test_the_schema_says_so(self):
        schema = self.client.get("/api/schema/", {"format": "json"}).json()
        self.assertIn("留空的筛选参数", schema["info"]["description"])
