"""Bulk import of a file exported from the admin (rows with an ``id``): the file
comes back unchanged; a row with an id updates that observation's status, note or
preferred flag, never its value or source; rows without id are created; importing
the same file again changes nothing and says so."""

from __future__ import annotations

import io
import tempfile
from datetime import date
from pathlib import Path

from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from tablib import Dataset

from news.models import AuditLog
from quality.bulk_import import observations_import
from quality.models import Observation, Period
from quality.resources import ObservationResource
from tests.factories import ArticleFactory, UserFactory
from tests.quality.test_derived_figures import (
    confirmed_article,
    figure_writes,
    stored_marks,
)
from yantai.csvsafe import safe_dataset

from .factories import (
    IndicatorFactory,
    ObservationFactory,
    PeriodFactory,
    RegionFactory,
)
from .test_bulk_import import PUB, TITLE, snapshot


def exported() -> Dataset:
    """What the admin's export writes (every column, ``id`` first, guarded), in
    the order of the observations' ids."""
    dataset = safe_dataset(ObservationResource().export())
    rows = sorted(dataset.dict, key=lambda row: int(row["id"]))
    out = Dataset(headers=dataset.headers)
    for row in rows:
        out.append(list(row.values()))
    return out


def as_file(dataset: Dataset, kind: str = "csv") -> io.BytesIO:
    data = dataset.export(kind)
    return io.BytesIO(data.encode("utf-8") if isinstance(data, str) else data)


def edited(dataset: Dataset, changes: dict[int, dict]) -> Dataset:
    """``dataset`` with the cells of some rows (by observation id) changed."""
    out = Dataset(headers=dataset.headers)
    for row in dataset.dict:
        out.append([*{**row, **changes.get(int(row["id"]), {})}.values()])
    return out


def audit_entries() -> int:
    return AuditLog.objects.filter(action=AuditLog.Action.IMPORT).count()


class ImportWithIdsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.indicator = IndicatorFactory(code="standards_national")
        cls.region = RegionFactory()
        cls.period = PeriodFactory()
        cls.article = ArticleFactory()
        cls.a = ObservationFactory(
            indicator=cls.indicator,
            region=cls.region,
            period=cls.period,
            note="初稿",
            quote="=不是公式",
        )
        cls.b = ObservationFactory(
            indicator=cls.indicator,
            region=cls.region,
            period=cls.period,
            value=600,
            comparator=">",
            lower=600,
            upper=700,
            raw_text="六百余项",
            is_preferred=False,
            article=cls.article,
            source_publisher="",
            source_title="",
            quote="六百余项",
        )
        cls.c = ObservationFactory(
            indicator=cls.indicator,
            region=cls.region,
            period=PeriodFactory(
                kind=Period.Kind.YEAR,
                start_on=date(2019, 1, 1),
                end_on=date(2019, 12, 31),
            ),
            status=Observation.Status.CONFIRMED,
        )

    def run_import(self, file, name="obs.csv", **kwargs):
        return observations_import(file, name=name, **kwargs)

    def assert_error(self, result, row, column, text):
        found = [(e.row, e.column, e.message) for e in result.errors]
        self.assertTrue(
            any(r == row and c == column and text in m for r, c, m in found), found
        )

    def assert_nothing_written(self, before, periods, audits=0):
        self.assertEqual(snapshot(), before)
        self.assertEqual(Period.objects.count(), periods)
        self.assertEqual(audit_entries(), audits)

    def test_export_round_trips_unchanged_csv_and_xlsx(self):
        before, periods = snapshot(), Period.objects.count()
        for kind in ("csv", "xlsx"):
            with self.subTest(kind=kind):
                result = self.run_import(as_file(exported(), kind), name=f"obs.{kind}")
                self.assertTrue(result.ok, result.errors)
                self.assertEqual(
                    (result.read, result.created, result.updated, result.unchanged),
                    (3, 0, 0, 3),
                )
                self.assertFalse(result.changed)
                # Nothing written, not even an audit entry.
                self.assert_nothing_written(before, periods)

    def test_rows_with_an_id_update_status_note_and_flag_once_audited(self):
        file = edited(
            exported(),
            {
                self.a.pk: {"note": "已核对", "is_preferred": "0"},
                self.b.pk: {"is_preferred": "1", "status": "confirmed"},
            },
        )
        user = UserFactory(username="root", is_superuser=True)
        result = self.run_import(as_file(file), by=user)
        self.assertTrue(result.ok, result.errors)
        self.assertEqual((result.created, result.updated, result.unchanged), (0, 2, 1))
        self.a.refresh_from_db()
        self.b.refresh_from_db()
        self.assertEqual((self.a.note, self.a.is_preferred), ("已核对", False))
        self.assertEqual((self.b.status, self.b.is_preferred), ("confirmed", True))
        entry = AuditLog.objects.get(action=AuditLog.Action.IMPORT)
        self.assertEqual(entry.user, user)
        self.assertIn("新增 0 条，更新 2 条，未变 1 条", entry.summary)
        # The same file again: nothing changes and the result says so.
        after = snapshot()
        result = self.run_import(as_file(file), by=user)
        self.assertEqual((result.created, result.updated, result.unchanged), (0, 0, 3))
        self.assertFalse(result.changed)
        self.assert_nothing_written(after, Period.objects.count(), audits=1)

    def test_empty_status_and_flag_and_no_note_column_keep_what_is_saved(self):
        dataset = edited(
            exported(),
            {
                o.pk: {"status": "", "is_preferred": ""}
                for o in (self.a, self.b, self.c)
            },
        )
        del dataset["note"]
        before = snapshot()
        result = self.run_import(as_file(dataset))
        self.assertTrue(result.ok, result.errors)
        self.assertEqual((result.updated, result.unchanged), (0, 3))
        self.assertEqual(snapshot(), before)

    def test_rows_without_id_are_created_and_a_second_import_changes_nothing(self):
        dataset = exported()
        new = dict(dataset.dict[0])
        new.update(
            id="",
            value="610",
            raw_text="610项",
            source_title=TITLE,
            source_publisher=PUB,
            is_preferred="1",
            period="2021",
            note="",
        )
        dataset.append(list(new.values()))
        result = self.run_import(as_file(dataset))
        self.assertTrue(result.ok, result.errors)
        self.assertEqual((result.created, result.updated, result.unchanged), (1, 0, 3))
        self.assertEqual(result.periods_created, 1)
        self.assertEqual(audit_entries(), 1)
        after, periods = snapshot(), Period.objects.count()
        # The row without id is now the saved observation it created.
        result = self.run_import(as_file(dataset))
        self.assertTrue(result.ok, result.errors)
        self.assertEqual((result.created, result.updated, result.unchanged), (0, 0, 4))
        self.assert_nothing_written(after, periods, audits=1)

    def test_flag_moved_and_moved_back_by_the_file_is_unchanged(self):
        """Two rows of a cell marked preferred, in batches of one: the flag goes to
        the first and back to the second; the end state is the saved one."""
        dataset = edited(exported(), {self.b.pk: {"is_preferred": "1"}, self.a.pk: {}})
        rows = sorted(dataset.dict, key=lambda r: int(r["id"]) != self.b.pk)
        ordered = Dataset(headers=dataset.headers)
        for row in rows:
            ordered.append(list(row.values()))
        before = snapshot()
        result = self.run_import(as_file(ordered), batch_size=1)
        self.assertTrue(result.ok, result.errors)
        self.assertEqual((result.updated, result.unchanged), (0, 3))
        self.assert_nothing_written(before, Period.objects.count())

    def test_bad_ids_each_reported_and_nothing_written(self):
        before, periods = snapshot(), Period.objects.count()
        dataset = exported()
        rows = list(dataset.dict)
        bad = Dataset(headers=dataset.headers)
        good_new = {
            **rows[0],
            "id": "",
            "value": "700",
            "raw_text": "700项",
            "period": "2022",
            "is_preferred": "",
        }
        for row in [
            {**rows[0], "note": "会写入，但整份文件回滚"},  # row 2: a good update
            good_new,  # row 3: a good new row (its period would be created)
            {**rows[1], "id": "999"},  # row 4: no such observation
            {**rows[2], "id": str(self.a.pk), "note": "x"},  # row 5: another cell's
            {**rows[1], "raw_text": "六百多项", "quote": "六百多项"},  # row 6
            {**rows[0]},  # row 7: the same id as row 2
            {**rows[1], "id": "abc"},  # row 8
            {**rows[2], "id": ""},  # row 9: row 3's saved observation (c) …
            {**rows[2]},  # row 10: … and again, by its id
        ]:
            bad.append(list(row.values()))
        result = self.run_import(as_file(bad))
        self.assertFalse(result.ok)
        self.assert_error(result, 4, "id", "没有编号为 999 的观测值。")
        self.assert_error(
            result,
            5,
            "id",
            f"编号 {self.a.pk} 的观测值属于另一个指标、地区或期间，与本行不符",
        )
        self.assert_error(
            result,
            6,
            "raw_text/quote",
            f"已有观测值（编号 {self.b.pk}）不能改写（原文写法、原文引文），"
            "请在后台用“更正”新增一条。",
        )
        self.assert_error(
            result, 7, "id", f"与第 2 行是同一条观测值（编号 {self.a.pk}）。"
        )
        self.assert_error(
            result, 8, "id", "id 应是已有观测值的编号（正整数），或留空。"
        )
        self.assert_error(
            result, 10, "id", f"与第 9 行是同一条观测值（编号 {self.c.pk}）。"
        )
        self.assertEqual(result.error_count, 6)
        self.assertEqual(
            (result.created, result.updated, result.periods_created), (0, 0, 0)
        )
        self.assert_nothing_written(before, periods)

    def test_changing_a_saved_observation_needs_the_change_permission(self):
        adder = UserFactory(username="adder")
        adder.user_permissions.add(Permission.objects.get(codename="add_observation"))
        changer = UserFactory(username="changer")
        changer.user_permissions.add(
            Permission.objects.get(codename="add_observation"),
            Permission.objects.get(codename="change_observation"),
        )
        before = snapshot()
        unchanged = self.run_import(as_file(exported()), by=adder)
        self.assertTrue(unchanged.ok, unchanged.errors)  # changes nothing: allowed
        file = edited(exported(), {self.c.pk: {"note": "改了"}})
        result = self.run_import(as_file(file), by=adder)
        self.assert_error(
            result,
            4,
            "id",
            f"您没有“修改观测值”权限，不能修改已有的观测值（编号 {self.c.pk}）。",
        )
        self.assert_nothing_written(before, Period.objects.count())
        result = self.run_import(as_file(file), by=changer)
        self.assertTrue(result.ok, result.errors)
        self.c.refresh_from_db()
        self.assertEqual(self.c.note, "改了")

    def test_public_downloads_are_refused_with_one_message(self):
        """The site's downloads (no id, the source as a name, the region as its
        name) are not an import file: one error, not one a cell."""
        before, periods = snapshot(), Period.objects.count()
        for url, name in [
            (reverse("quality:indicator-csv", args=[self.indicator.code]), "i.csv"),
            (reverse("quality:dataset-xlsx"), "data.xlsx"),
        ]:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                content = b"".join(getattr(response, "streaming_content", [])) or (
                    response.content
                )
                result = self.run_import(io.BytesIO(content), name=name)
                self.assertEqual([(e.row, e.column) for e in result.errors], [(1, "")])
                self.assertIn("这是网站公开下载的数据文件", result.errors[0].message)
        self.assert_nothing_written(before, periods)

    def test_dry_run_counts_and_writes_nothing(self):
        file = edited(exported(), {self.c.pk: {"status": "provisional"}})
        before = snapshot()
        result = self.run_import(as_file(file), dry_run=True)
        self.assertTrue(result.ok, result.errors)
        self.assertEqual((result.updated, result.unchanged), (1, 2))
        self.assert_nothing_written(before, Period.objects.count())


class CommandAndAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        indicator = IndicatorFactory(code="standards_national")
        region = RegionFactory()
        period = PeriodFactory()
        cls.a = ObservationFactory(indicator=indicator, region=region, period=period)
        cls.b = ObservationFactory(
            indicator=indicator,
            region=region,
            period=period,
            value=605,
            raw_text="605项",
            is_preferred=False,
        )
        cls.root = UserFactory(username="root", is_staff=True, is_superuser=True)

    def write(self, dataset: Dataset) -> str:
        # In a directory of this test's own, gone after it.
        folder = tempfile.TemporaryDirectory(prefix="obs-")
        self.addCleanup(folder.cleanup)
        path = str(Path(folder.name) / f"{self._testMethodName}.csv")
        with open(path, "wb") as f:
            f.write(as_file(dataset).getvalue())
        return path

    def call(self, path) -> str:
        out = io.StringIO()
        call_command("import_observations", path, stdout=out, stderr=io.StringIO())
        return out.getvalue()

    def test_command_says_what_changed_and_then_that_nothing_did(self):
        path = self.write(edited(exported(), {self.b.pk: {"is_preferred": "1"}}))
        out = self.call(path)
        self.assertIn("新增 0 条，更新 2 条，未变 0 条", out)
        self.assertEqual(out.count("\n"), 1)
        out = self.call(path)
        self.assertIn("与已有数据相同，未写入任何数据", out)
        self.assertIn("未变 2 条", out)

    def test_command_error_on_an_unknown_id_exit_1(self):
        path = self.write(edited(exported(), {self.a.pk: {"id": "999"}}))
        err = io.StringIO()
        before = snapshot()
        with self.assertRaises(CommandError) as caught:
            call_command("import_observations", path, stdout=io.StringIO(), stderr=err)
        self.assertEqual(caught.exception.returncode, 1)
        self.assertIn("第 2 行（id）：没有编号为 999 的观测值。", err.getvalue())
        self.assertEqual(snapshot(), before)

    def test_admin_upload_of_the_export(self):
        self.client.force_login(self.root)
        url = reverse("admin:quality_observation_bulk_import")
        changelist = reverse("admin:quality_observation_changelist")
        data = as_file(edited(exported(), {self.a.pk: {"note": "核对"}})).getvalue()
        response = self.client.post(
            url, {"file": SimpleUploadedFile("obs.csv", data)}, follow=True
        )
        self.assertRedirects(response, changelist)
        self.assertContains(response, "新增 0 条、更新 1 条、未变 1 条")
        response = self.client.post(
            url, {"file": SimpleUploadedFile("obs.csv", data)}, follow=True
        )
        self.assertRedirects(response, changelist)
        self.assertContains(response, "与已有数据相同，没有写入任何数据")
        self.assertEqual(audit_entries(), 1)


class FigureMarksOnceWithIdsTests(TestCase):
    """Moving the preferred flag by id rewrites each affected article once."""

    @classmethod
    def setUpTestData(cls):
        cls.region = RegionFactory()
        staff = UserFactory(username="reviewer", is_staff=True)
        cls.indicator = IndicatorFactory(code="standards_national", name="国家标准")
        cls.articles = [
            confirmed_article(cls.indicator, cls.region, staff) for _ in range(2)
        ]

    def test_flag_moved_by_id_two_articles_two_rewrites(self):
        saved = Observation.objects.get(is_preferred=True)
        other = Observation.objects.create(
            indicator=saved.indicator,
            region=saved.region,
            period=saved.period,
            value=999,
            raw_text="999项",
            source_publisher=PUB,
            source_title=TITLE,
            is_preferred=False,
        )
        before = [stored_marks(a) for a in self.articles]
        file = edited(exported(), {other.pk: {"is_preferred": "1"}})
        with CaptureQueriesContext(connection) as queries:
            result = observations_import(as_file(file), name="obs.csv")
        self.assertTrue(result.ok, result.errors)
        self.assertEqual(result.updated, 2)
        self.assertEqual(figure_writes(queries.captured_queries), 2)
        self.assertNotEqual([stored_marks(a) for a in self.articles], before)
        with CaptureQueriesContext(connection) as queries:
            result = observations_import(as_file(file), name="obs.csv")
        self.assertEqual((result.updated, result.unchanged), (0, 3))
        self.assertEqual(figure_writes(queries.captured_queries), 0)
