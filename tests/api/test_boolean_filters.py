"""A yes/no filter takes true or false; anything else is a 400 naming it.

django-filter's BooleanFilter reads any other value (``yes``, ``on``, ``ja``) as
"not given": ``?is_preferred=yes`` returned every observation, preferred or not,
with 200 — the one kind of malformed parameter the strict filters let through."""

from datetime import date

from tests.api import ApiTestCase
from tests.quality.factories import IndicatorFactory, ObservationFactory, PeriodFactory


class BooleanFilterTests(ApiTestCase):
    @classmethod
    def setUpTestData(cls):
        indicator = IndicatorFactory(code="ind", is_headline=True)
        IndicatorFactory(code="other", is_headline=False)
        ObservationFactory(indicator=indicator, is_preferred=True)
        ObservationFactory(
            indicator=indicator,
            is_preferred=False,
            period=PeriodFactory(end_on=date(2021, 12, 31)),
        )

    def count(self, path, **params):
        response = self.client.get(path, params)
        self.assertEqual(response.status_code, 200, response.content)
        return response.json()["count"]

    def test_true_and_false(self):
        for value, expected in (("true", 1), ("false", 1), ("True", 1), ("1", 1)):
            with self.subTest(value):
                self.assertEqual(
                    self.count("/api/v1/observations/", is_preferred=value), expected
                )
        self.assertEqual(self.count("/api/v1/indicators/", is_headline="false"), 1)

    def test_other_values_are_400_naming_the_parameter(self):
        for path, name in (
            ("/api/v1/observations/", "is_preferred"),
            ("/api/v1/indicators/", "is_headline"),
        ):
            for value in ("yes", "on", "2", "maybe", "null"):
                with self.subTest(path=path, value=value):
                    response = self.client.get(path, {name: value})
                    self.assertEqual(response.status_code, 400)
                    self.assertIn(name, response.json())
