"""An observation import writes every row or none, on each path that runs it: the
admin's confirmation (which runs the file again after the preview) and
``manage.py import``. A row that fails leaves neither the rows before it nor a
Period they named."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import TestCase, override_settings
from django.urls import reverse

from quality.models import Observation, Period
from tests.factories import UserFactory

from .factories import IndicatorFactory, ObservationFactory, RegionFactory
from .test_admin import HEADER, csv_file
from .test_bulk_import import xlsx_bomb, xlsx_bytes

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Valid, and names a period the database does not have yet (2031).
NEW_PERIOD_ROW = (
    "standards_national,370600,2031,604,=,,,604项,烟台市市场监督管理局,"
    "质量工作统计,共参与制修订604项国家标准,1"
)
# Valid alone; preferred in the cell (standards_national, 370600, @2020-12-31),
# which fails once another observation there is preferred.
PREFERRED_ROW = "standards_national,370600,@2020-12-31,605,=,,,605项,甲,乙,引文,1"


def stored():
    return (
        sorted(Observation.objects.values_list("id", "period__code", "value")),
        sorted(Period.objects.values_list("code", flat=True)),
    )


class ImportAllOrNothingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        RegionFactory()
        cls.indicator = IndicatorFactory(code="standards_national")
        cls.user = UserFactory(username="imp", is_staff=True, is_superuser=True)

    def test_a_row_failing_at_confirmation_writes_nothing_and_says_which(self):
        self.client.force_login(self.user)
        preview = self.client.post(
            reverse("admin:quality_observation_import"),
            {
                "import_file": csv_file(NEW_PERIOD_ROW, PREFERRED_ROW),
                "format": "0",
                "resource": "0",
            },
        )
        confirm = preview.context["confirm_form"].initial  # the preview was clean
        # Meanwhile another editor marks a value of row 2's cell preferred.
        ObservationFactory(indicator=self.indicator, is_preferred=True)
        before = stored()

        response = self.client.post(
            reverse("admin:quality_observation_process_import"), confirm
        )

        self.assertEqual(stored(), before)
        self.assertRedirects(
            response,
            reverse("admin:quality_observation_import"),
            fetch_redirect_response=False,
        )
        [message] = [str(m) for m in get_messages(response.wsgi_request)]
        self.assertIn("导入未完成，没有写入任何数据", message)
        self.assertIn("第 2 行", message)
        self.assertNotIn("第 1 行", message)

    def test_manage_py_import_with_a_failing_row_writes_nothing(self):
        ObservationFactory(indicator=self.indicator, is_preferred=True)
        before = stored()
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "observations.csv"
            path.write_text("\n".join([HEADER, NEW_PERIOD_ROW, PREFERRED_ROW]) + "\n")
            call_command(
                "import",
                "quality.resources.ObservationResource",
                str(path),
                format="CSV",
                interactive=False,
                stdout=io.StringIO(),
                stderr=io.StringIO(),
            )
        self.assertEqual(stored(), before)

    def test_a_clean_file_is_written_at_confirmation(self):
        self.client.force_login(self.user)
        preview = self.client.post(
            reverse("admin:quality_observation_import"),
            {"import_file": csv_file(NEW_PERIOD_ROW), "format": "0", "resource": "0"},
        )
        self.client.post(
            reverse("admin:quality_observation_process_import"),
            preview.context["confirm_form"].initial,
        )
        self.assertTrue(Observation.objects.filter(period__code="2031").exists())


class ImportExportSizeLimitTests(TestCase):
    """import-export's import page has the bulk import's size limit too."""

    @classmethod
    def setUpTestData(cls):
        cls.user = UserFactory(username="importer", is_staff=True, is_superuser=True)
        IndicatorFactory(code="standards_national")
        RegionFactory()

    @override_settings(BULK_IMPORT_UPLOAD_MAX_MB=1)
    def test_a_file_over_the_limit_is_refused_unread(self):
        self.client.force_login(self.user)
        # One row whose quote is 1.5 MB: over the limit, cheap to read.
        upload = csv_file(NEW_PERIOD_ROW.replace(",共参与", "," + "共" * 500_000))
        self.assertGreater(upload.size, 1024 * 1024)
        response = self.client.post(
            reverse("admin:quality_observation_import"),
            {"import_file": upload, "format": "0", "resource": "0"},
        )
        self.assertContains(response, "超过了批量导入允许的 1 MB")
        self.assertEqual(Observation.objects.count(), 0)
        self.assertFalse(Period.objects.filter(code="2031").exists())

    def test_a_zip_bomb_workbook_is_refused_unread(self):
        self.client.force_login(self.user)
        upload = SimpleUploadedFile(
            "obs.xlsx", xlsx_bomb(xlsx_bytes([]), 520), content_type=XLSX_TYPE
        )
        response = self.client.post(
            reverse("admin:quality_observation_import"),
            {"import_file": upload, "format": "1", "resource": "0"},
        )
        self.assertContains(response, "超过了批量导入允许的 500 MB")
        self.assertEqual(Observation.objects.count(), 0)
