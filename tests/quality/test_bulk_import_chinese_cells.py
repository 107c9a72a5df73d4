"""Numbers, periods and files as a Chinese statistics office writes them, read by
the bulk import of observations (quality.bulk_import): what is unambiguous is read
as its plain form; the rest is a row error naming the row, the column and what to
write instead, and nothing is written. Through the service, the admin upload and
the import_observations command."""

from __future__ import annotations

import io
import tempfile
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import TestCase
from django.urls import reverse
from openpyxl import Workbook

from news.models import AuditLog
from quality.bulk_import import observations_import
from quality.models import Observation, Period
from tests.factories import UserFactory

from .factories import IndicatorFactory, PeriodFactory, RegionFactory, UnitFactory
from .test_bulk_import import HEADER, ROWS, csv_bytes, xlsx_bytes

ROW = ROWS[0]  # standards_national, 370600, @2020-12-31, 604, "=" …
VALUE = HEADER.index("value")
PERIOD = HEADER.index("period")


def with_value(value, indicator="standards_national", comparator="="):
    return [indicator, *ROW[1:VALUE], value, comparator, *ROW[VALUE + 2 :]]


def with_period(period):
    return [*ROW[:PERIOD], period, *ROW[PERIOD + 1 :]]


def state():
    return (
        list(Observation.objects.order_by("id").values_list("id", "value")),
        Period.objects.count(),
        AuditLog.objects.count(),
    )


class ChineseCellsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        IndicatorFactory(code="standards_national")  # unit 项
        IndicatorFactory(code="pass_rate", unit=UnitFactory(symbol="%"))
        IndicatorFactory(code="output", unit=UnitFactory(symbol="万元"))
        RegionFactory()
        PeriodFactory()

    def imported(self, rows, header=HEADER, name="obs.csv", file=None):
        file = file or csv_bytes(rows, header=header)
        return observations_import(file, name=name)

    def assert_values(self, cells: dict):
        """Each cell (value, indicator) imports as the expected value."""
        for (text, indicator), expected in cells.items():
            Observation.objects.all().delete()
            with self.subTest(text=text, indicator=indicator):
                result = self.imported([with_value(text, indicator)])
                self.assertTrue(result.ok, result.errors)
                self.assertEqual(Observation.objects.get().value, expected)

    def assert_refused(self, rows, row, column, text, **kwargs):
        before = state()
        result = self.imported(rows, **kwargs)
        found = [(e.row, e.column, e.message) for e in result.errors]
        self.assertTrue(
            any(r == row and c == column and text in m for r, c, m in found), found
        )
        self.assertEqual(state(), before)
        return found

    def test_fullwidth_comma_grouping_and_fullwidth_minus(self):
        self.assert_values(
            {
                ("1，700", "standards_national"): Decimal(1700),
                ("1，７００．5", "standards_national"): Decimal("1700.5"),
                ("－5", "standards_national"): Decimal(-5),
                ("−1,700", "standards_national"): Decimal(-1700),
                # Thousands grouped by a space, a no-break or a thin space.
                ("1 700", "standards_national"): Decimal(1700),
                ("1\u00a0700", "standards_national"): Decimal(1700),
                ("12\u2009345.5", "standards_national"): Decimal("12345.5"),
            }
        )
        # Not grouped by thousands: still no number.
        self.assert_refused(
            [with_value("17，00")], 2, "value", "“17，00”不是数字：请填阿拉伯数字"
        )

    def test_percent_on_a_percent_indicator_only(self):
        self.assert_values(
            {
                ("97%", "pass_rate"): Decimal(97),
                ("97.5％", "pass_rate"): Decimal("97.5"),
                ("９７％", "pass_rate"): Decimal(97),
            }
        )
        Observation.objects.all().delete()
        self.assert_refused(
            [with_value("97%")], 2, "value", "“97%”是百分数，但该指标的单位是“项”"
        )

    def test_chinese_numerals_when_unambiguous(self):
        self.assert_values(
            {
                ("一千七百", "standards_national"): Decimal(1700),
                ("1.7万", "standards_national"): Decimal(17000),
                ("两万", "standards_national"): Decimal(20000),
                ("三点五", "pass_rate"): Decimal("3.5"),
            }
        )
        Observation.objects.all().delete()
        # 1.7万 of an indicator counted in 万元: 1.7 or 17,000?
        self.assert_refused(
            [with_value("1.7万", "output")], 2, "value", "单位已是“万元”"
        )

    def test_hedged_numbers_point_to_the_comparator_column(self):
        for text in ("约1700", ">97%", "超过97%", "1700余", "97%以上", "近一千"):
            with self.subTest(text=text):
                self.assert_refused(
                    [with_value(text, "pass_rate")],
                    2,
                    "value",
                    "数值列只填数字",
                )

    def test_no_data_marks(self):
        """ "—", "－", "/" mean no data: an empty bound or date, but a row without
        its value is refused, saying so."""
        for mark in ("—", "－", "/", "-", "——"):
            Observation.objects.all().delete()
            row = [*ROW[:VALUE], "1800", ">", mark, mark, *ROW[VALUE + 4 :], mark]
            with self.subTest(mark=mark):
                result = self.imported([row], header=[*HEADER, "source_on"])
                self.assertTrue(result.ok, result.errors)
                saved = Observation.objects.get()
                self.assertEqual(
                    (saved.lower, saved.upper, saved.source_on), (None,) * 3
                )
                found = self.assert_refused([with_value(mark)], 2, "value", "无数据")
                self.assertNotIn("十进制", str(found))

    def test_an_empty_value_is_required_not_a_bad_number(self):
        found = self.assert_refused([with_value("")], 2, "value", "此列必填")
        self.assertNotIn("十进制", str(found))

    def test_periods_written_in_chinese(self):
        for text, code in (
            ("2021年", "2021"),
            ("2021年度", "2021"),
            ("二〇二一年", "2021"),
            ("二零二一年度", "2021"),
            ("2021年12月", "2021-12"),
            ("2021年3月份", "2021-03"),
            ("2021-3", "2021-03"),
            ("2021年第一季度", "2021Q1"),
            ("2021年四季度", "2021Q4"),
            ("2021年上半年", "2021H1"),
            ("2021年下半年", "2021H2"),
        ):
            Observation.objects.all().delete()
            with self.subTest(text=text):
                result = self.imported([with_period(text)])
                self.assertTrue(result.ok, result.errors)
                self.assertEqual(Observation.objects.get().period.code, code)
        for text in ("2021年13月", "2021年第五季度", "廿一年"):
            with self.subTest(text=text):
                self.assert_refused([with_period(text)], 2, "period", "无法识别")

    def test_an_excel_date_in_the_period_column_is_refused_saying_why(self):
        # Excel turns a typed 2021-12 into 2021-12-01: a month, or that day?
        rows = [with_period(datetime(2021, 12, 1))]
        self.assert_refused(
            rows, 2, "period", "设为“文本”格式", file=xlsx_bytes(rows), name="o.xlsx"
        )

    def test_a_serial_number_in_a_date_column_is_refused_saying_why(self):
        header = [*HEADER, "source_on"]
        rows = [[*ROW, 44256]]
        self.assert_refused(
            rows,
            2,
            "source_on",
            "数字 44256",
            header=header,
            file=xlsx_bytes(rows, header),
            name="o.xlsx",
        )


def titled_workbook(rows, header=HEADER) -> io.BytesIO:
    """A statistical table as offices lay it out: a merged title row and a blank
    row above the header."""
    book = Workbook()
    sheet = book.active
    sheet.append(["2021年烟台市质量工作统计表"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet.append([])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def unicode_text(rows, header=HEADER) -> bytes:
    """Excel's "Unicode 文本": UTF-16 with its byte-order mark, TAB-separated."""
    lines = ["\t".join(str(c) for c in row) for row in [header, *rows]]
    return "\r\n".join(lines).encode("utf-16")


class LayoutTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        IndicatorFactory(code="standards_national")
        RegionFactory()
        PeriodFactory()

    def test_header_below_a_title_row(self):
        rows = [ROW, ["nope", *ROW[1:]]]
        result = observations_import(titled_workbook(rows), name="表.xlsx")
        # Row numbers as the spreadsheet shows them: the header is row 3.
        self.assertEqual([(e.row, e.column) for e in result.errors], [(5, "indicator")])
        self.assertEqual(Observation.objects.count(), 0)
        result = observations_import(titled_workbook([ROW]), name="表.xlsx")
        self.assertTrue(result.ok, result.errors)
        self.assertEqual(Observation.objects.count(), 1)

    def test_no_header_in_the_first_rows(self):
        book = Workbook()
        for n in range(12):
            book.active.append([f"说明 {n}"])
        out = io.BytesIO()
        book.save(out)
        out.seek(0)
        result = observations_import(out, name="x.xlsx")
        self.assertEqual(
            [(e.row, e.message[:12]) for e in result.errors],
            [(0, "前 10 行里没有列名行")],
        )
        # Fewer rows, none a header: not "the file is empty".
        data = io.BytesIO("2021年统计表\r\n说明,,\r\n".encode())
        result = observations_import(data, name="x.csv")
        self.assertEqual(
            [(e.row, e.message[:11]) for e in result.errors],
            [(0, "前 2 行里没有列名行")],
        )
        self.assertEqual(Observation.objects.count(), 0)

    def test_excel_unicode_text_is_tab_separated(self):
        result = observations_import(io.BytesIO(unicode_text([ROW])), name="obs.csv")
        self.assertTrue(result.ok, result.errors)
        self.assertEqual(Observation.objects.get().raw_text, ROW[7])

    def test_a_file_in_no_accepted_encoding_names_all_three(self):
        """UTF-16 is read, so the refusal names it with UTF-8 and GBK."""
        data = io.BytesIO(
            "indicator,value\nstandards_national,café\n".encode("latin-1")
        )
        result = observations_import(data, name="obs.csv")
        self.assertEqual(
            [e.message for e in result.errors],
            [
                "CSV 文件须是 UTF-8（可带 BOM）、GBK 或 UTF-16（Excel 的“Unicode 文本”）"
                "编码的中文文本。"
            ],
        )
        self.assertEqual(Observation.objects.count(), 0)


class RealPathTests(TestCase):
    """The admin's upload and the command read the same files."""

    @classmethod
    def setUpTestData(cls):
        IndicatorFactory(code="standards_national")
        IndicatorFactory(code="pass_rate", unit=UnitFactory(symbol="%"))
        RegionFactory()
        cls.root = UserFactory(username="root", is_staff=True, is_superuser=True)

    def test_admin_upload(self):
        self.client.force_login(self.root)
        url = reverse("admin:quality_observation_bulk_import")
        rows = [with_value("1，700"), with_value("97％", "pass_rate")]
        upload = SimpleUploadedFile("统计表.xlsx", titled_workbook(rows).getvalue())
        response = self.client.post(url, {"file": upload})
        self.assertRedirects(response, reverse("admin:quality_observation_changelist"))
        self.assertEqual(
            sorted(Observation.objects.values_list("value", flat=True)),
            [Decimal(97), Decimal(1700)],
        )
        Observation.objects.all().delete()
        data = csv_bytes([with_value("约1700")], encoding="gbk").getvalue()
        response = self.client.post(url, {"file": SimpleUploadedFile("o.csv", data)})
        self.assertContains(response, "数值列只填数字")
        self.assertEqual(Observation.objects.count(), 0)

    def test_the_upload_page_names_the_encodings_it_reads(self):
        self.client.force_login(self.root)
        response = self.client.get(reverse("admin:quality_observation_bulk_import"))
        self.assertContains(response, "CSV（UTF-8、GBK 或 UTF-16 编码）")

    def test_command(self):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "unicode.csv"
            path.write_bytes(unicode_text([with_value("一千七百")]))
            out = io.StringIO()
            call_command("import_observations", str(path), "--no-progress", stdout=out)
            self.assertIn("新增 1 条", out.getvalue())
            self.assertEqual(Observation.objects.get().value, Decimal(1700))
            path.write_bytes(unicode_text([with_period("2021年第五季度")]))
            err = io.StringIO()
            with self.assertRaises(CommandError):
                call_command(
                    "import_observations", str(path), stdout=io.StringIO(), stderr=err
                )
            self.assertIn("第 2 行（period）", err.getvalue())
            self.assertEqual(Observation.objects.count(), 1)
