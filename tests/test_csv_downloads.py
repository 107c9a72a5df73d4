"""Every CSV/XLSX download and export guards spreadsheet formulas the same way.

A title, name or note ``=HYPERLINK("http://x","y")`` must reach the spreadsheet as
text (a leading ``'``), while a negative figure such as ``-3.5`` stays a number.
The endpoints: the indicator CSV (/quality/indicators/<code>.csv), the API's CSV
renderer (news and quality endpoints) and the admin's CSV/XLSX export.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl
from django.core.cache import cache
from django.core.management import call_command
from django.test import SimpleTestCase, TestCase
from django.urls import reverse

from quality.models import Observation, Organisation
from quality.resources import ObservationResource
from tests.factories import ArticleFactory, UserFactory
from tests.quality.factories import (
    IndicatorFactory,
    ObservationFactory,
    OrganisationFactory,
)
from yantai.csvsafe import safe_cell, unguard_cell

FORMULA = '=HYPERLINK("http://x","y")'
GUARDED = "'" + FORMULA


def parse_csv(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


class SafeCellTests(SimpleTestCase):
    """The one guard: OWASP's trigger characters, full-width forms, numbers kept."""

    def test_formula_triggers_are_quoted(self):
        for value in (
            FORMULA,
            "+1+cmd|' /C calc'!A0",
            "-2+3",
            "@SUM(A1:A2)",
            "\t=1+1",
            "\r=1+1",
            "＝HYPERLINK(1)",
            "＋1",
            "－1+1",
            "＠SUM(1)",
        ):
            with self.subTest(value=value):
                self.assertEqual(safe_cell(value), "'" + value)

    def test_numbers_stay_numbers(self):
        for value in (
            "-3.5",
            "+2",
            "-0.0001",
            "1e-3",
            "-1E5",
            "97",
            -3.5,
            Decimal("-3.5"),
            7,
        ):
            with self.subTest(value=value):
                self.assertEqual(safe_cell(value), value)

    def test_plain_text_and_lone_signs_unchanged(self):
        for value in ("烟台", "a=b", "", "=", "-", None, True):
            with self.subTest(value=value):
                self.assertEqual(safe_cell(value), value)

    def test_unguard_reverses_guard(self):
        for value in (FORMULA, "-2+3", "＠x", "烟台", "-3.5", "'plain", "="):
            with self.subTest(value=value):
                self.assertEqual(unguard_cell(safe_cell(value)), value)


class IndicatorCsvTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.indicator = IndicatorFactory(code="csv_guard", name=FORMULA)
        ObservationFactory(
            indicator=cls.indicator,
            value=Decimal("-3.5"),
            raw_text="@SUM(A1)",
            quote="-1+1",
            note=FORMULA,
            source_title="＝HYPERLINK(1)",
        )

    def setUp(self):
        cache.clear()

    def test_formulas_neutralised_numbers_unchanged(self):
        response = self.client.get(
            reverse("quality:indicator-csv", kwargs={"code": "csv_guard"})
        )
        self.assertEqual(response.status_code, 200)
        (row,) = parse_csv(response)
        self.assertEqual(row["indicator_name"], GUARDED)
        self.assertNotIn("note", row)  # a staff note is not public
        self.assertEqual(row["raw_text"], "'@SUM(A1)")
        self.assertEqual(row["quote"], "'-1+1")
        self.assertEqual(row["value"], "-3.5")
        self.assertEqual(row["comparator"], "=")
        # Nothing in the file starts a cell with a bare formula.
        text = response.content.decode("utf-8-sig")
        self.assertNotIn(",=HYPERLINK", text)
        self.assertNotIn('"=HYPERLINK', text)


class ApiCsvTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        ArticleFactory(title=FORMULA, summary="-1+1")
        indicator = IndicatorFactory(code="api_guard", name=FORMULA)
        ObservationFactory(
            indicator=indicator, value=Decimal("-3.5"), quote=FORMULA, raw_text="-3.5"
        )

    def setUp(self):
        cache.clear()

    def test_article_list(self):
        response = self.client.get("/api/v1/articles/?format=csv")
        self.assertEqual(response.status_code, 200)
        (row,) = parse_csv(response)
        self.assertEqual(row["title"], GUARDED)
        self.assertEqual(row["summary"], "'-1+1")

    def test_observation_list(self):
        response = self.client.get("/api/v1/observations/?format=csv")
        self.assertEqual(response.status_code, 200)
        (row,) = parse_csv(response)
        self.assertEqual(row["value"], "-3.5000")  # a decimal string: a number cell
        self.assertEqual(row["raw_text"], "-3.5")
        self.assertEqual(row["quote"], GUARDED)
        self.assertFalse([v for v in row.values() if v.startswith("=") and v != "="])

    def test_header_cells_are_guarded_too(self):
        # An unknown query parameter is named in the error body, whose keys become
        # the CSV's header: a crafted link must not hand out a live formula.
        response = self.client.get("/api/v1/articles/", {"format": "csv", FORMULA: "1"})
        self.assertEqual(response.status_code, 400)
        header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        # The name is echoed cut to 20 characters (yantai.text.echoed), guarded.
        self.assertTrue(any(cell.startswith(GUARDED[:12]) for cell in header), header)
        self.assertFalse(any(cell.startswith(("=", "+", "-", "@")) for cell in header))


class AdminExportTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = UserFactory(username="exporter", is_staff=True, is_superuser=True)
        cls.observation = ObservationFactory(
            indicator=IndicatorFactory(code="admin_guard"),
            value=Decimal("-3.5"),
            note=FORMULA,
            raw_text="-3.5",
        )
        OrganisationFactory(name=FORMULA)

    def setUp(self):
        self.client.force_login(self.user)

    def export(self, model: str, fmt: int, resource_name: str, fields):
        data = {"format": str(fmt), "resource": "0"}
        for field in fields:
            data[f"{resource_name}_{field}"] = "on"
        response = self.client.post(reverse(f"admin:quality_{model}_export"), data)
        self.assertEqual(response.status_code, 200, response.content[:500])
        return response

    def test_observation_csv(self):
        fields = ObservationResource().get_export_order()
        response = self.export("observation", 0, "observationresource", fields)
        (row,) = parse_csv(response)
        self.assertEqual(row["note"], GUARDED)
        self.assertEqual(row["value"], "-3.5000")
        self.assertEqual(row["raw_text"], "-3.5")

    def test_observation_xlsx_has_no_formula_cell(self):
        fields = ObservationResource().get_export_order()
        response = self.export("observation", 1, "observationresource", fields)
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        sheet = book.active
        headers = [c.value for c in sheet[1]]
        cells = dict(zip(headers, sheet[2], strict=True))
        self.assertEqual(cells["note"].value, GUARDED)
        self.assertNotEqual(cells["note"].data_type, "f")
        self.assertFalse(any(c.data_type == "f" for row in sheet for c in row))

    def test_organisation_csv(self):
        from quality.resources import OrganisationResource

        fields = OrganisationResource().get_export_order()
        response = self.export("organisation", 0, "organisationresource", fields)
        names = [row["name"] for row in parse_csv(response)]
        self.assertEqual(names, [GUARDED])

    def test_manage_py_export_is_guarded_too(self):
        """import-export's own command, with its plain CSV format."""
        out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")  # it writes bytes
        call_command(
            "export", "CSV", "quality.resources.ObservationResource", stdout=out
        )
        text = out.buffer.getvalue().decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text)))
        self.assertEqual([row["note"] for row in rows], [GUARDED])
        self.assertEqual([row["value"] for row in rows], ["-3.5000"])

    def test_exported_file_imports_back_unchanged(self):
        """The guard's quote is taken off again on import: re-importing an export
        changes nothing (and is not refused as a rewrite of a saved value)."""
        fields = ObservationResource().get_export_order()
        response = self.export("observation", 0, "observationresource", fields)
        before = list(Observation.objects.values())
        dataset = ObservationResource().export()  # the same rows, as tablib data
        from quality.admin import SafeCSV

        text = SafeCSV().export_data(dataset)
        self.assertEqual(
            text.lstrip("\ufeff").splitlines()[1:],
            response.content.decode("utf-8-sig").splitlines()[1:],
        )
        result = ObservationResource().import_data(
            SafeCSV().create_dataset(text),
            dry_run=False,
            rollback_on_validation_errors=True,
        )
        self.assertFalse(result.has_errors() or result.has_validation_errors())
        self.assertEqual(list(Observation.objects.values()), before)
        self.assertEqual(Organisation.objects.get().name, FORMULA)
