"""Bulk import of observations (quality.bulk_import): the rules of observation_create,
every row error with its row, column and Chinese message, and nothing written when
any row fails; the import_observations command and its permissions."""

from __future__ import annotations

import io
import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from unittest import mock

from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook

from news.models import AuditLog
from quality import bulk_import
from quality.bulk_import import observations_import
from quality.models import Observation, Period
from quality.services import observation_create
from tests.factories import UserFactory
from tests.quality.test_derived_figures import (
    confirmed_article,
    figure_writes,
    stored_marks,
)
from yantai.csvsafe import unguard_cell

from .factories import (
    IndicatorFactory,
    ObservationFactory,
    PeriodFactory,
    RegionFactory,
)

HEADER = [
    "indicator",
    "region",
    "period",
    "value",
    "comparator",
    "lower",
    "upper",
    "raw_text",
    "source_publisher",
    "source_title",
    "quote",
    "is_preferred",
]
PUB, TITLE = "烟台市市场监督管理局", "质量工作统计"
ROWS = [
    [
        "standards_national",
        "370600",
        "@2020-12-31",
        "604",
        "=",
        "",
        "",
        "604项",
        PUB,
        TITLE,
        "共604项",
        "",
    ],
    [
        "standards_national",
        "370600",
        "2019",
        "600",
        ">",
        "600",
        "700",
        "六百余项",
        PUB,
        TITLE,
        "六百余项",
        "1",
    ],
    # The same cell again, preferred: the flag moves to it.
    [
        "standards_national",
        "370600",
        "2019",
        "610",
        "=",
        "",
        "",
        "610项",
        PUB,
        "另一份统计",
        "",
        "true",
    ],
    # The same cell, no flag given: the cell has a preferred value, so not preferred.
    [
        "standards_national",
        "370600",
        "2019",
        "605",
        "~",
        "",
        "",
        "约605项",
        PUB,
        "第三份",
        "",
        "",
    ],
    [
        "standards_national",
        "370600",
        "2021Q3",
        "12.5",
        "=",
        "",
        "",
        "12.5项",
        PUB,
        TITLE,
        "'=引文",
        "0",
    ],
]
COMPARED = (
    "indicator_id",
    "region_id",
    "period_id",
    "period_end_on",
    "value",
    "comparator",
    "lower",
    "upper",
    "raw_text",
    "article_id",
    "source_publisher",
    "source_title",
    "source_on",
    "source_url",
    "quote",
    "note",
    "status",
    "is_preferred",
)


def csv_bytes(rows, header=HEADER, bom=False, encoding="utf-8") -> io.BytesIO:
    out = io.StringIO()
    import csv

    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    data = out.getvalue().encode("utf-8-sig" if bom else encoding)
    return io.BytesIO(data)


def xlsx_bytes(rows, header=HEADER) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def xlsx_bomb(workbook: io.BytesIO, megabytes: int) -> bytes:
    """``workbook`` with one more member: ``megabytes`` MB of spaces, deflated."""
    import zipfile

    out = io.BytesIO(workbook.getvalue())
    with (
        zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("docProps/custom.xml", "w", force_zip64=True) as member,
    ):
        chunk = b" " * (1024 * 1024)
        for _ in range(megabytes):
            member.write(chunk)
    return out.getvalue()


def xls_bytes(rows, header=HEADER) -> io.BytesIO:
    """An Excel 97–2003 workbook as Excel writes one: numbers as numbers, a date
    as a date cell."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("观测值")
    day = xlwt.easyxf(num_format_str="yyyy/m/d")
    for r, row in enumerate([header, *rows]):
        for c, value in enumerate(row):
            if isinstance(value, date):
                sheet.write(r, c, value, day)
            else:
                sheet.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def snapshot():
    return list(Observation.objects.order_by("id").values_list(*COMPARED, "id"))


class BulkImportTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.indicator = IndicatorFactory(code="standards_national")
        cls.region = RegionFactory()
        PeriodFactory()  # @2020-12-31 exists; 2019 and 2021Q3 are created

    def run_import(self, rows, **kwargs):
        file = kwargs.pop("file", None) or csv_bytes(rows)
        return observations_import(file, name=kwargs.pop("name", "obs.csv"), **kwargs)

    def assert_error(self, result, row, column, text):
        found = [(e.row, e.column, e.message) for e in result.errors]
        self.assertTrue(
            any(r == row and c == column and text in m for r, c, m in found), found
        )

    def assert_nothing_written(self, before, periods_before):
        self.assertEqual(snapshot(), before)
        self.assertEqual(Period.objects.count(), periods_before)
        self.assertFalse(
            AuditLog.objects.filter(action=AuditLog.Action.IMPORT).exists()
        )

    def test_same_rows_as_observation_create(self):
        result = self.run_import(ROWS)
        self.assertTrue(result.ok, result.errors)
        self.assertEqual((result.read, result.created), (5, 5))
        bulk = [row[:-1] for row in snapshot()]
        # The same rows through observation_create, one by one, in a fresh state.
        Observation.objects.all().delete()
        for row in ROWS:
            # The file's cells as the export wrote them: the formula guard undone.
            kwargs = dict(zip(HEADER, map(unguard_cell, row), strict=True))
            flag = kwargs.pop("is_preferred")
            observation_create(
                indicator=self.indicator,
                region=self.region,
                period=kwargs.pop("period"),
                value=Decimal(kwargs.pop("value")),
                lower=Decimal(kwargs.pop("lower")) if kwargs["lower"] else None,
                upper=Decimal(kwargs.pop("upper")) if kwargs["upper"] else None,
                is_preferred={"": None, "1": True, "true": True, "0": False}[flag],
                **{
                    k: v
                    for k, v in kwargs.items()
                    if k not in ("indicator", "region", "lower", "upper")
                },
            )
        one_by_one = [row[:-1] for row in snapshot()]
        self.assertEqual(bulk, one_by_one)
        preferred = Observation.objects.filter(period__code="2019", is_preferred=True)
        self.assertEqual([o.raw_text for o in preferred], ["610项"])
        # The formula guard is undone, as in the export's round trip.
        self.assertTrue(Observation.objects.filter(quote="=引文").exists())

    def test_audit_entry_names_the_file_and_counts(self):
        user = UserFactory(username="loader")
        result = self.run_import(ROWS, by=user, name="季度数据.csv")
        self.assertTrue(result.ok, result.errors)
        entry = AuditLog.objects.get(action=AuditLog.Action.IMPORT)
        self.assertEqual((entry.user, entry.object_repr), (user, "季度数据.csv"))
        self.assertIn("新增 5 条", entry.summary)

    def test_preferred_flag_moves_from_a_saved_observation(self):
        saved = ObservationFactory(indicator=self.indicator, region=self.region)
        row = list(ROWS[0])
        row[3], row[7], row[-1], row[9] = "700", "700项", "1", "新统计"
        result = self.run_import([row])
        self.assertTrue(result.ok, result.errors)
        saved.refresh_from_db()
        self.assertFalse(saved.is_preferred)
        self.assertTrue(Observation.objects.get(raw_text="700项").is_preferred)

    def test_moving_the_flag_from_a_saved_observation_needs_change_permission(self):
        """A new row marked preferred takes the flag off the saved one: a change of
        a saved observation, refused without ``change_observation``."""
        saved = ObservationFactory(indicator=self.indicator, region=self.region)
        adder = UserFactory(username="adder")
        adder.user_permissions.add(Permission.objects.get(codename="add_observation"))
        row = list(ROWS[0])
        row[3], row[7], row[-1], row[9] = "700", "700项", "1", "新统计"
        before, periods = snapshot(), Period.objects.count()
        result = self.run_import([row], by=adder)
        self.assert_error(
            result,
            2,
            "is_preferred",
            f"您没有“修改观测值”权限，不能取消已有观测值（编号 {saved.pk}）的首选标记。",
        )
        self.assert_nothing_written(before, periods)
        row[-1] = ""  # beside it, not preferred: adding only
        result = self.run_import([row], by=adder)
        self.assertTrue(result.ok, result.errors)
        saved.refresh_from_db()
        self.assertTrue(saved.is_preferred)

    def test_bad_rows_each_reported_and_nothing_written(self):
        ObservationFactory(indicator=self.indicator, region=self.region)  # 604项
        before, periods = snapshot(), Period.objects.count()
        bad = [
            ROWS[1],  # row 2: good (its period 2019 would be created)
            ["nope", *ROWS[0][1:]],  # row 3
            [ROWS[0][0], ROWS[0][1], "2020年第五季度", *ROWS[0][3:]],  # row 4
            [*ROWS[0][:3], "六百项", *ROWS[0][4:]],  # row 5
            ROWS[1],  # row 6: duplicate of row 2
            # row 7: the saved observation again (the factory's values), but with
            # another 首选值 rule word: the row is that observation, and its flag
            # cell is checked
            [
                "standards_national",
                "370600",
                "@2020-12-31",
                "604.0",
                "=",
                "",
                "",
                "604项",
                PUB,
                "烟台市质量发展统计",
                "共参与制修订604项国家标准",
                "也许",
            ],
            [*ROWS[0][:4], ">", "650", "700", *ROWS[0][7:]],  # row 8
            [*ROWS[0][:8], "", "", "", ""],  # row 9: no source
        ]
        result = self.run_import(bad)
        self.assertFalse(result.ok)
        self.assert_error(result, 3, "indicator", "没有指标代码“nope”")
        self.assert_error(result, 4, "period", "无法识别的期间代码“2020年第五季度”")
        self.assert_error(result, 5, "value", "不是数字")
        self.assert_error(result, 6, "", "与第 2 行重复")
        self.assert_error(result, 7, "is_preferred", "首选值填 1 或 0")
        self.assert_error(result, 8, "lower/upper", "下限不能大于数值")
        self.assert_error(result, 9, "article", "来源只能二选一")
        self.assertEqual(result.error_count, 7)
        self.assertEqual(result.created, 0)
        self.assert_nothing_written(before, periods)

    def test_a_huge_unknown_code_is_not_echoed_whole(self):
        before, periods = snapshot(), Period.objects.count()
        code = "x" * 100_000
        result = self.run_import([[code, *ROWS[0][1:]], ROWS[1]])
        self.assertFalse(result.ok)
        messages = [e.message for e in result.errors]
        self.assertEqual(messages, [f"没有指标代码“{'x' * 20}…”。"])
        self.assert_nothing_written(before, periods)

    def test_duplicate_across_batches_names_the_earlier_row(self):
        rows = [ROWS[0], ROWS[1], ROWS[3], ROWS[0]]
        result = self.run_import(rows, batch_size=2)
        self.assert_error(result, 5, "", "与第 2 行重复")
        self.assertEqual(Observation.objects.count(), 0)

    def test_missing_required_and_unknown_columns(self):
        header = [h for h in HEADER if h != "raw_text"] + ["说明"]
        rows = [
            [c for h, c in zip(HEADER, ROWS[0], strict=True) if h != "raw_text"] + [""]
        ]
        result = self.run_import(rows, file=csv_bytes(rows, header=header))
        self.assert_error(result, 1, "raw_text", "缺少必填列“raw_text”")
        self.assert_error(result, 1, "说明", "未知的列“说明”")
        self.assertEqual(Observation.objects.count(), 0)

    def test_formula_cell_is_validated_as_its_text(self):
        # A guarded formula in a number column is text, not a number: refused.
        row = [*ROWS[0][:3], "'=1+1", *ROWS[0][4:]]
        result = self.run_import([row])
        self.assert_error(result, 2, "value", "不是数字")
        self.assertEqual(Observation.objects.count(), 0)

    def test_empty_required_cell_and_bad_choices(self):
        row = [
            ROWS[0][0],
            "",
            *ROWS[0][2:4],
            "≈",
            *ROWS[0][5:7],
            "",
            *ROWS[0][8:11],
            "也许",
        ]
        result = self.run_import([row])
        self.assert_error(result, 2, "region", "此列必填")
        self.assert_error(result, 2, "comparator", "不是有效选项")
        self.assert_error(result, 2, "raw_text", "不能为空")
        self.assert_error(result, 2, "is_preferred", "首选值填 1 或 0")
        self.assertEqual(Observation.objects.count(), 0)

    def test_a_row_with_an_unknown_id_is_refused(self):
        result = self.run_import(
            [["5", *ROWS[0]]], file=csv_bytes([["5", *ROWS[0]]], header=["id", *HEADER])
        )
        self.assert_error(result, 2, "id", "没有编号为 5 的观测值。")
        self.assertEqual(Observation.objects.count(), 0)

    def test_xlsx_with_typed_cells_and_csv_with_bom(self):
        rows = [
            [
                "standards_national",
                370600,
                "@2020-12-31",
                604,
                "=",
                None,
                None,
                "604项",
                PUB,
                TITLE,
                None,
                True,
            ],
            [
                "standards_national",
                370600,
                2019,
                12.5,
                "~",
                None,
                None,
                "约12.5项",
                PUB,
                TITLE,
                None,
                None,
            ],
        ]
        result = self.run_import(rows, file=xlsx_bytes(rows), name="obs.xlsx")
        self.assertTrue(result.ok, result.errors)
        values = sorted(Observation.objects.values_list("value", flat=True))
        self.assertEqual(values, [Decimal("12.5"), Decimal(604)])
        result = self.run_import(
            [ROWS[4]], file=csv_bytes([ROWS[4]], bom=True), name="bom.csv"
        )
        self.assertTrue(result.ok, result.errors)

    def test_xls_as_excel_97_to_2003_saves_it(self):
        """An .xls (older Excel, WPS) gives the rows its CSV copy gives: a region
        code typed as a number, a value as a number, a date cell; its errors carry
        their row numbers; a file that is no workbook is refused, nothing written."""
        header = [*HEADER, "source_on"]
        text_rows = [[*row, "2021-03-01"] for row in ROWS]
        result = self.run_import(text_rows, file=csv_bytes(text_rows, header=header))
        self.assertTrue(result.ok, result.errors)
        expected = [row[:-1] for row in snapshot()]
        Observation.objects.all().delete()
        typed = [
            [
                float(cell) if name in ("region", "value") else cell
                for name, cell in zip(HEADER, row, strict=True)
            ]
            + [date(2021, 3, 1)]
            for row in ROWS
        ]
        result = self.run_import([], file=xls_bytes(typed, header), name="obs.xls")
        self.assertTrue(result.ok, result.errors)
        self.assertEqual([row[:-1] for row in snapshot()], expected)
        Observation.objects.all().delete()
        bad = [typed[0], ["standards_national", 999999, *typed[0][2:]]]
        result = self.run_import([], file=xls_bytes(bad, header), name="obs.xls")
        self.assert_error(result, 3, "region", "没有行政区划代码“999999”")
        self.assertEqual(Observation.objects.count(), 0)
        result = self.run_import([], file=io.BytesIO(b"not a workbook"), name="x.xls")
        self.assert_error(result, 0, "", "无法读取该 XLS 文件")
        # Read whole (no stream): one over the limit is refused before reading.
        data = xls_bytes(typed, header)
        size = len(data.getvalue())
        with mock.patch.object(bulk_import, "XLS_MAX_BYTES", size - 1):
            result = self.run_import([], file=data, name="obs.xls")
        self.assert_error(result, 0, "", "另存为 CSV 或 XLSX 再导入")
        self.assertEqual(Observation.objects.count(), 0)
        with mock.patch.object(bulk_import, "XLS_MAX_BYTES", size):
            result = self.run_import([], file=xls_bytes(typed, header), name="obs.xls")
        self.assertTrue(result.ok, result.errors)

    def test_xlsx_errors_have_row_numbers(self):
        rows = [ROWS[0], ["standards_national", "999999", *ROWS[0][2:]]]
        result = self.run_import(rows, file=xlsx_bytes(rows), name="obs.xlsx")
        self.assert_error(result, 3, "region", "没有行政区划代码“999999”")
        self.assertEqual(Observation.objects.count(), 0)

    def test_gbk_csv(self):
        """A CSV saved by Excel on a Chinese Windows (GBK), or as UTF-16 with its
        byte-order mark, gives the same rows as its UTF-8 copy."""
        result = self.run_import(ROWS, file=csv_bytes(ROWS, encoding="utf-8"))
        self.assertTrue(result.ok, result.errors)
        from_utf8 = [row[:-1] for row in snapshot()]
        self.assertIn(
            PUB, [row[COMPARED.index("source_publisher")] for row in from_utf8]
        )
        Observation.objects.all().delete()
        for encoding in ("gbk", "utf-16"):
            Observation.objects.all().delete()
            with self.subTest(encoding=encoding):
                result = self.run_import(ROWS, file=csv_bytes(ROWS, encoding=encoding))
                self.assertTrue(result.ok, result.errors)
                self.assertEqual(result.created, 5)
                self.assertEqual([row[:-1] for row in snapshot()], from_utf8)

    def test_cells_as_a_spreadsheet_saves_them(self):
        """Numbers with thousands commas or full-width digits and dates as Excel
        writes them on a Chinese system give the values their plain forms give;
        what is still no number or date is a row error, nothing written."""
        header = [*HEADER, "source_on"]
        plain = [ROWS[0][:3] + ["1700"] + ROWS[0][4:] + ["2021-03-01"]]
        result = self.run_import(plain, file=csv_bytes(plain, header=header))
        self.assertTrue(result.ok, result.errors)
        expected = [row[:-1] for row in snapshot()]
        self.assertEqual(expected[0][COMPARED.index("value")], Decimal(1700))
        for value, day in (
            ("1,700", "2021/3/1"),
            ("１７００", "2021年3月1日"),
            (" 1,700.0 ", "2021.03.01"),
        ):
            Observation.objects.all().delete()
            rows = [ROWS[0][:3] + [value] + ROWS[0][4:] + [day]]
            with self.subTest(value=value, day=day):
                result = self.run_import(rows, file=csv_bytes(rows, header=header))
                self.assertTrue(result.ok, result.errors)
                self.assertEqual([row[:-1] for row in snapshot()], expected)
        Observation.objects.all().delete()
        rows = [
            ROWS[0][:3] + ["1,7000"] + ROWS[0][4:] + ["2021/2/30"],
            ROWS[1][:3] + ["1700"] + ROWS[1][4:] + ["2021年13月1日"],
        ]
        before = (snapshot(), Period.objects.count(), AuditLog.objects.count())
        result = self.run_import(rows, file=csv_bytes(rows, header=header))
        self.assert_error(result, 2, "value", "不是数字")
        self.assert_error(result, 2, "source_on", "2021/2/30")
        self.assert_error(result, 3, "source_on", "2021年13月1日")
        self.assertEqual(
            (snapshot(), Period.objects.count(), AuditLog.objects.count()), before
        )

    def test_headers_by_their_chinese_or_english_labels(self):
        """A header of staff's own, by the fields' labels ("指标", "Indicator"),
        reads as the column names do; one column twice is a header error."""
        result = self.run_import(ROWS)
        self.assertTrue(result.ok, result.errors)
        expected = [row[:-1] for row in snapshot()]
        labels = {
            "zh": ["指标", "地区", "期间", "数值", "比较关系", "下限", "上限",
                   "原文写法", "发布机构", "文件标题", "原文引文", "首选值"],
            "en": ["Indicator", "region", "PERIOD", "Value", "Comparison",
                   "Lower bound", "Upper bound", "As printed", "Publisher",
                   "Document title", "Quotation", "Preferred value"],
        }  # fmt: skip
        for language, header in labels.items():
            Observation.objects.all().delete()
            with self.subTest(language=language):
                result = self.run_import(ROWS, file=csv_bytes(ROWS, header=header))
                self.assertTrue(result.ok, result.errors)
                self.assertEqual([row[:-1] for row in snapshot()], expected)
        header = [*HEADER[:3], "数值", *HEADER[3:]]
        rows = [[*row[:3], "605", *row[3:]] for row in ROWS]
        before = (snapshot(), Period.objects.count(), AuditLog.objects.count())
        result = self.run_import(rows, file=csv_bytes(rows, header=header))
        self.assert_error(result, 1, "value", "列“value”出现了不止一次")
        self.assertEqual(
            (snapshot(), Period.objects.count(), AuditLog.objects.count()), before
        )

    def test_unreadable_files(self):
        result = self.run_import([], file=io.BytesIO(b"not a zip"), name="x.xlsx")
        self.assert_error(result, 0, "", "无法读取该 XLSX 文件")
        # Neither UTF-8 nor Chinese text in GBK (Latin-1; Big5, which reads as rare
        # characters in GBK): refused, whatever rows there would be.
        for data in (
            csv_bytes(ROWS, encoding="utf-8").getvalue()
            + "Grüße,Müller\n".encode("latin-1"),
            csv_bytes([], encoding="big5").getvalue() + "臺灣標準檢驗局".encode("big5"),
        ):
            before, periods = snapshot(), Period.objects.count()
            result = self.run_import([], file=io.BytesIO(data), name="x.csv")
            self.assert_error(result, 0, "", "UTF-8（可带 BOM）、GBK 或 UTF-16")
            self.assertEqual(result.created, 0)
            self.assert_nothing_written(before, periods)
        result = self.run_import([], file=io.BytesIO(b""), name="x.txt")
        self.assert_error(result, 0, "", ".csv、.xlsx 或 .xls")

    def test_dry_run_writes_nothing(self):
        before, periods = snapshot(), Period.objects.count()
        result = self.run_import(ROWS, dry_run=True)
        self.assertTrue(result.ok)
        self.assertEqual((result.created, result.periods_created), (5, 2))
        self.assert_nothing_written(before, periods)

    def test_error_list_is_capped_with_a_count(self):
        rows = [["nope", *ROWS[0][1:]]] * 250
        result = self.run_import(rows)
        self.assertEqual((len(result.errors), result.more_errors), (200, 50))


class CommandTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        IndicatorFactory(code="standards_national")
        RegionFactory()

    def setUp(self):
        # The files of each test in a directory of its own, gone after it.
        folder = tempfile.TemporaryDirectory(prefix="obs-")
        self.addCleanup(folder.cleanup)
        self.folder = Path(folder.name)

    def write(self, rows, name="obs.csv"):
        path = str(self.folder / f"{self._testMethodName}-{name}")
        with open(path, "wb") as f:
            f.write(csv_bytes(rows).getvalue())
        return path

    def call(self, *args):
        out, err = io.StringIO(), io.StringIO()
        call_command("import_observations", *args, stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()

    def test_imports_and_prints_one_summary_line(self):
        out, _err = self.call(self.write(ROWS), "--no-progress")
        self.assertEqual(out.strip().count("\n"), 0)
        self.assertIn("新增 5 条", out)
        self.assertEqual(Observation.objects.count(), 5)

    def test_errors_listed_and_exit_status_1(self):
        path = self.write([ROWS[0], ["nope", *ROWS[0][1:]]])
        err = io.StringIO()
        with self.assertRaises(CommandError) as caught:
            call_command("import_observations", path, stdout=io.StringIO(), stderr=err)
        self.assertEqual(caught.exception.returncode, 1)
        self.assertIn("第 3 行（indicator）：没有指标代码“nope”", err.getvalue())
        self.assertEqual(Observation.objects.count(), 0)

    def test_dry_run(self):
        out, _err = self.call(self.write(ROWS), "--dry-run")
        self.assertIn("试运行", out)
        self.assertEqual(Observation.objects.count(), 0)

    def test_permission_matrix(self):
        path = self.write(ROWS[:1])
        UserFactory(username="reader")
        adder = UserFactory(username="adder")
        adder.user_permissions.add(Permission.objects.get(codename="add_observation"))
        UserFactory(username="root", is_superuser=True)
        UserFactory(username="gone", is_active=False, is_superuser=True)
        for username, allowed in [
            ("reader", False),
            ("gone", False),
            ("nobody", False),
            ("adder", True),
            ("root", True),
        ]:
            Observation.objects.all().delete()
            with self.subTest(user=username):
                if allowed:
                    self.call(path, "--as", username)
                    self.assertEqual(Observation.objects.count(), 1)
                else:
                    with self.assertRaises(CommandError):
                        self.call(path, "--as", username)
                    self.assertEqual(Observation.objects.count(), 0)

    def test_missing_file(self):
        with self.assertRaisesMessage(CommandError, "无法打开文件"):
            self.call(str(self.folder / "does-not-exist.csv"))


class AdminBulkImportTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        IndicatorFactory(code="standards_national")
        RegionFactory()
        cls.root = UserFactory(username="root", is_staff=True, is_superuser=True)

    def setUp(self):
        self.url = reverse("admin:quality_observation_bulk_import")

    def upload(self, rows, name="obs.csv", **data):
        file = SimpleUploadedFile(name, csv_bytes(rows).getvalue())
        return self.client.post(self.url, {"file": file, **data})

    def test_changelist_offers_the_bulk_import(self):
        self.client.force_login(self.root)
        response = self.client.get(reverse("admin:quality_observation_changelist"))
        self.assertContains(response, self.url)
        self.assertContains(response, "批量导入")

    def test_good_file_is_imported_and_audited(self):
        self.client.force_login(self.root)
        response = self.upload(ROWS)
        self.assertRedirects(response, reverse("admin:quality_observation_changelist"))
        self.assertEqual(Observation.objects.count(), 5)
        entry = AuditLog.objects.get(action=AuditLog.Action.IMPORT)
        self.assertEqual((entry.user, entry.object_repr), (self.root, "obs.csv"))

    def test_gbk_upload(self):
        """The CSV Excel saves on a Chinese Windows (GBK), uploaded to disk by
        Django (over FILE_UPLOAD_MAX_MEMORY_SIZE) or kept in memory, is imported."""
        self.client.force_login(self.root)
        data = csv_bytes(ROWS, encoding="gbk").getvalue()
        for limit in (len(data) - 1, len(data) + 1):
            Observation.objects.all().delete()
            with self.subTest(on_disk=limit < len(data)):
                with self.settings(FILE_UPLOAD_MAX_MEMORY_SIZE=limit):
                    response = self.client.post(
                        self.url, {"file": SimpleUploadedFile("观测值.csv", data)}
                    )
                self.assertRedirects(
                    response, reverse("admin:quality_observation_changelist")
                )
                self.assertEqual(
                    set(Observation.objects.values_list("source_publisher", flat=True)),
                    {PUB},
                )

    def test_bad_rows_shown_in_a_table_and_nothing_written(self):
        self.client.force_login(self.root)
        response = self.upload([ROWS[0], ["nope", *ROWS[0][1:]], ROWS[0]])
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "发现 2 个错误，未写入任何数据。")
        self.assertContains(response, 'id="bulk-import-errors"')
        self.assertContains(
            response,
            "<td>3</td><td>indicator</td><td>没有指标代码“nope”。</td>",
            html=True,
        )
        self.assertContains(response, "与第 2 行重复")
        self.assertEqual(Observation.objects.count(), 0)
        self.assertEqual(Period.objects.count(), 0)

    def test_dry_run_and_wrong_file_type(self):
        self.client.force_login(self.root)
        response = self.upload(ROWS, dry_run="on")
        self.assertContains(response, "校验通过：读取 5 行，可新增 5 条观测值")
        self.assertEqual(Observation.objects.count(), 0)
        response = self.upload(ROWS, name="obs.txt")
        self.assertContains(response, "只能导入 .csv、.xlsx 或 .xls 文件。")

    @override_settings(BULK_IMPORT_UPLOAD_MAX_MB=1)
    def test_a_file_over_the_upload_limit_is_refused_with_its_size(self):
        self.client.force_login(self.root)
        rows = [ROWS[0]] * 20_000  # ~1.6 MB of CSV
        response = self.upload(rows)
        self.assertEqual(response.status_code, 200)
        size = len(csv_bytes(rows).getvalue()) / 1024 / 1024
        self.assertGreater(size, 1)
        self.assertContains(
            response,
            f"文件有 {size:.1f} MB，超过了批量导入允许的 1 MB，未写入任何数据。",
        )
        self.assertEqual(Observation.objects.count(), 0)
        self.assertEqual(Period.objects.count(), 0)
        self.assertFalse(
            AuditLog.objects.filter(action=AuditLog.Action.IMPORT).exists()
        )
        # Under the limit the same form imports.
        self.assertRedirects(
            self.upload(ROWS), reverse("admin:quality_observation_changelist")
        )

    def test_a_zip_bomb_workbook_is_refused_unread(self):
        # 0.5 MB of upload that unpacks to 520 MB: the default limit (500 MB, five
        # times the upload limit) refuses it before openpyxl inflates any of it.
        self.client.force_login(self.root)
        upload = SimpleUploadedFile("obs.xlsx", xlsx_bomb(xlsx_bytes(ROWS), 520))
        self.assertLess(upload.size, 2 * 1024 * 1024)
        response = self.client.post(self.url, {"file": upload})
        self.assertEqual(response.status_code, 200)
        self.assertContains(
            response,
            "文件解压后有 520.0 MB，超过了批量导入允许的 500 MB，未写入任何数据。",
        )
        self.assertEqual(Observation.objects.count(), 0)

    @override_settings(BULK_IMPORT_UPLOAD_MAX_MB=1)
    def test_the_unpacked_limit_follows_the_upload_limit(self):
        self.client.force_login(self.root)
        bomb = SimpleUploadedFile("obs.xlsx", xlsx_bomb(xlsx_bytes(ROWS), 6))
        self.assertContains(
            self.client.post(self.url, {"file": bomb}),
            "超过了批量导入允许的 5 MB",
        )
        self.assertEqual(Observation.objects.count(), 0)
        ordinary = SimpleUploadedFile("obs.xlsx", xlsx_bytes(ROWS).getvalue())
        self.assertRedirects(
            self.client.post(self.url, {"file": ordinary}),
            reverse("admin:quality_observation_changelist"),
        )

    def test_permission_matrix(self):
        viewer = UserFactory(username="viewer", is_staff=True)
        viewer.user_permissions.add(Permission.objects.get(codename="view_observation"))
        adder = UserFactory(username="adder", is_staff=True)
        adder.user_permissions.add(
            Permission.objects.get(codename="view_observation"),
            Permission.objects.get(codename="add_observation"),
        )
        response = self.client.get(self.url)  # anonymous: to the login page
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("admin:login"), response["Location"])
        for user, status in [(viewer, 403), (adder, 200), (self.root, 200)]:
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(self.url).status_code, status)
                response = self.upload(ROWS[:1])
                self.assertEqual(response.status_code, 403 if status == 403 else 302)
                Observation.objects.all().delete()
        self.client.force_login(viewer)
        response = self.client.get(reverse("admin:quality_observation_changelist"))
        self.assertNotContains(response, self.url)


class FigureMarksOnceTests(TestCase):
    """The articles showing an imported indicator get their marks rewritten once
    per import, in its transaction; a failed or dry-run import rewrites none."""

    @classmethod
    def setUpTestData(cls):
        cls.region = RegionFactory()
        staff = UserFactory(username="reviewer", is_staff=True)
        cls.indicator = IndicatorFactory(code="standards_national", name="国家标准")
        cls.articles = [
            confirmed_article(cls.indicator, cls.region, staff) for _ in range(2)
        ]

    def rows(self, years):
        return [
            [
                "standards_national",
                "370600",
                str(y),
                str(500 + y % 100),
                "=",
                "",
                "",
                f"{500 + y % 100}项",
                PUB,
                TITLE,
                "",
                "1",
            ]
            for y in years
        ]

    def test_twenty_rows_two_articles_two_rewrites(self):
        with CaptureQueriesContext(connection) as queries:
            result = observations_import(
                csv_bytes(self.rows(range(2000, 2020))), name="obs.csv"
            )
        self.assertTrue(result.ok, result.errors)
        self.assertEqual(figure_writes(queries.captured_queries), 2)
        for article in self.articles:
            trend = stored_marks(article)[0]["trend"]
            self.assertEqual(
                [p["number"] for p in trend],
                ["516.0000", "517.0000", "518.0000", "519.0000", "604.0000"],
            )

    def test_failed_and_dry_run_imports_rewrite_nothing(self):
        before = [stored_marks(a) for a in self.articles]
        bad = [*self.rows(range(2000, 2005)), ["nope", *self.rows([2006])[0][1:]]]
        for rows, dry_run in [(bad, False), (self.rows(range(2000, 2005)), True)]:
            with CaptureQueriesContext(connection) as queries:
                observations_import(csv_bytes(rows), name="obs.csv", dry_run=dry_run)
            self.assertEqual(figure_writes(queries.captured_queries), 0)
        self.assertEqual([stored_marks(a) for a in self.articles], before)
