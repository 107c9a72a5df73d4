"""The API's observation create: a 已修订 value is never preferred (400 naming the
field, nothing written; without a flag it is simply not preferred)."""

from news.models import AuditLog
from quality.models import Observation, Period
from tests.api import ApiTestCase, token_for, user_with_perms
from tests.quality.factories import IndicatorFactory, RegionFactory


class RevisedObservationWriteTests(ApiTestCase):
    @classmethod
    def setUpTestData(cls):
        IndicatorFactory(code="standards_national")
        RegionFactory()
        cls.staff = user_with_perms(
            "data", "quality.add_observation", "quality.view_observation"
        )

    def post(self, **changes):
        self.auth(token_for(self.staff))
        data = {
            "indicator": "standards_national",
            "region": "370600",
            "period": "@2020-12-31",
            "value": "604",
            "raw_text": "604项",
            "source_publisher": "烟台市市场监督管理局",
            "source_title": "烟台市质量发展统计",
            "status": "revised",
        }
        data.update(changes)
        return self.client.post("/api/v1/observations/", data, format="json")

    def test_revised_and_preferred_is_400_naming_the_field(self):
        response = self.post(is_preferred=True)
        self.assertEqual(response.status_code, 400, response.content)
        self.assertIn(
            "已修订的数值不能设为首选值", " ".join(response.json()["is_preferred"])
        )
        # Nothing written: no observation, not the Period its code named, no audit.
        self.assertFalse(Observation.objects.exists())
        self.assertFalse(Period.objects.exists())
        self.assertFalse(AuditLog.objects.exists())

    def test_revised_without_a_flag_is_not_preferred_even_in_an_empty_cell(self):
        for flag in ({}, {"is_preferred": None}):
            with self.subTest(flag=flag):
                response = self.post(**flag)
                self.assertEqual(response.status_code, 201, response.content)
                self.assertIs(response.json()["is_preferred"], False)
                Observation.objects.all().delete()
        self.assertFalse(Observation.objects.filter(is_preferred=True).exists())
