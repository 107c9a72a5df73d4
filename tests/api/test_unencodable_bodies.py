"""A JSON body spelling a lone surrogate (``"\\ud800"``), in a choice value or a key:
a 400 in Chinese, not a 500 (the error message repeated the value, which DRF's
JSON renderer cannot write), and nothing written."""

import json

from news.models import Article
from quality.models import Observation, Period
from tests.api import ApiTestCase, token_for, user_with_perms
from tests.quality.factories import IndicatorFactory, RegionFactory

OBSERVATION = {
    "indicator": "national_standards",
    "region": "370600",
    "period": "2020",
    "value": "604",
    "raw_text": "604项",
    "source_publisher": "烟台市市场监督管理局",
    "source_title": "烟台市质量发展统计",
}


class LoneSurrogateInBodyTests(ApiTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.staff = user_with_perms(
            "staff",
            "quality.add_observation",
            "quality.view_observation",
        )
        IndicatorFactory(code="national_standards")
        RegionFactory()

    def post_raw(self, path: str, body: dict):
        self.auth(token_for(self.staff))
        # json.dumps escapes the surrogate as \ud800, as a careless client sends it.
        return self.client.generic(
            "POST", path, json.dumps(body), content_type="application/json"
        )

    def assert_refused(self, response):
        self.assertEqual(response.status_code, 400)
        self.assertIn("无法处理的字符", response.json()["detail"])
        self.assertEqual(Observation.objects.count(), 0)
        self.assertEqual(Period.objects.count(), 0)
        self.assertFalse(Article.objects.exists())

    def test_in_a_choice_value(self):
        for field in ("comparator", "status"):
            with self.subTest(field=field):
                self.assert_refused(
                    self.post_raw(
                        "/api/v1/observations/", {**OBSERVATION, field: "\ud800"}
                    )
                )

    def test_in_a_key_or_deep_inside(self):
        for body in (
            {**OBSERVATION, "\ud800": 1},
            {**OBSERVATION, "note": {"parts": ["正文", "\udfff"]}},
        ):
            with self.subTest(body=ascii(body)):
                self.assert_refused(self.post_raw("/api/v1/observations/", body))

    def test_ordinary_chinese_and_emoji_pass(self):
        response = self.post_raw(
            "/api/v1/observations/", {**OBSERVATION, "raw_text": "604项 😀"}
        )
        self.assertEqual(response.status_code, 201, response.content)
