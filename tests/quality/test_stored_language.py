"""Quality's stored texts are Chinese whatever the writer's language.

As ``tests/news/test_stored_language.py`` for news: 操作日志 entries, observation
notes and reports written by an editor in an English admin, an API client sending
``Accept-Language: en`` or a command under ``override("en")`` are stored in
``LANGUAGE_CODE`` (``yantai.text.stored_language``); only the response is English.
"""

from django.contrib.messages import get_messages
from django.test import TestCase
from django.urls import reverse
from django.utils import translation

from news.models import AuditLog
from quality.bulk_import import observations_import
from quality.models import Observation
from tests.factories import UserFactory

from .factories import (
    IndicatorFactory,
    ObservationFactory,
    PeriodFactory,
    RegionFactory,
)
from .test_bulk_import import ROWS, csv_bytes

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


class EnglishCorrectionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = UserFactory(username="corrector", is_staff=True, is_superuser=True)
        cls.observation = ObservationFactory()

    def test_a_correction_in_english_is_audited_in_chinese(self):
        self.client.force_login(self.user)
        response = self.client.post(
            reverse("admin:quality_observation_correct", args=[self.observation.pk]),
            {
                "value": "605",
                "comparator": "=",
                "raw_text": "605项",
                "source_publisher": "烟台市市场监督管理局",
                "source_title": "2020年质量工作年报",
                "note": "据年报更正",
            },
            follow=True,
            **EN,
        )
        self.assertEqual(response.status_code, 200)
        new = Observation.objects.exclude(pk=self.observation.pk).get()
        self.assertTrue(
            any(m.startswith("Corrected: ") for m in texts(response)), texts(response)
        )
        entry = AuditLog.objects.get(object_id=str(new.pk))
        self.assertEqual(
            (entry.object_type, entry.summary),
            (
                "观测值",
                f"更正观测值（编号 {self.observation.pk} → {new.pk}）：据年报更正",
            ),
        )


class EnglishImportTests(TestCase):
    def test_an_import_in_english_is_audited_in_chinese(self):
        IndicatorFactory(code="standards_national")
        RegionFactory()
        PeriodFactory()
        user = UserFactory(username="loader")
        with translation.override("en"):
            result = observations_import(csv_bytes(ROWS), name="季度数据.csv", by=user)
        self.assertTrue(result.ok, result.errors)
        entry = AuditLog.objects.get(action=AuditLog.Action.IMPORT)
        self.assertEqual(
            (entry.object_type, entry.summary),
            (
                "观测值",
                "批量导入观测值：文件“季度数据.csv”，5 行，新增 5 条，更新 0 条，"
                "未变 0 条，新建统计期间 2 个。",
            ),
        )
