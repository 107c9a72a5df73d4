"""A 已修订 observation is never the preferred value of its cell.

The bureau marked it superseded; the public pages show only preferred values. The
rule holds in the database (a check constraint) and every write path refuses it with
one Chinese message, writing nothing: the admin's forms, inline and “设为首选值”,
``observation_create`` (the API has its own test), the import-export resource and
the bulk import. A migration repairs the rows written before the rule.
"""

from __future__ import annotations

import importlib
from datetime import date
from decimal import Decimal

import tablib
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import TestCase
from django.urls import reverse

from news.models import AuditLog
from quality.bulk_import import observations_import
from quality.models import Observation, Period
from quality.resources import ObservationResource
from quality.services import (
    observation_correct,
    observation_create,
    observation_set_preferred,
)
from tests.factories import UserFactory

from .constraints import checks_lifted
from .factories import IndicatorFactory, ObservationFactory, PeriodFactory
from .test_bulk_import import HEADER, PUB, ROWS, TITLE, csv_bytes, snapshot
from .test_bulk_import_ids import as_file, edited, exported

MESSAGE = "已修订的数值不能设为首选值"

REVISED = Observation.Status.REVISED


def everything():
    """What a refused write must leave as it was: observations, periods, audit."""
    return (
        snapshot(),
        Period.objects.count(),
        AuditLog.objects.count(),
    )


class RevisedCellMixin:
    """A cell with its preferred value and a second, 已修订 one."""

    @classmethod
    def setUpTestData(cls):
        cls.indicator = IndicatorFactory(code="standards_national")
        cls.current = ObservationFactory(
            indicator=cls.indicator, status=Observation.Status.CONFIRMED
        )
        cls.old = ObservationFactory(
            indicator=cls.indicator,
            region=cls.current.region,
            period=cls.current.period,
            value=600,
            raw_text="600项",
            source_title="旧统计",
            status=REVISED,
            is_preferred=False,
        )

    def preferred(self):
        return list(Observation.objects.preferred().values_list("pk", flat=True))


class DatabaseRuleTests(RevisedCellMixin, TestCase):
    def test_the_database_refuses_a_preferred_revised_value(self):
        before = everything()
        with self.assertRaises(IntegrityError), transaction.atomic():
            Observation.objects.filter(pk=self.current.pk).update(status=REVISED)
        with self.assertRaises(IntegrityError), transaction.atomic():
            Observation.objects.filter(pk=self.current.pk).update(is_preferred=False)
            Observation.objects.filter(pk=self.old.pk).update(is_preferred=True)
        self.assertEqual(everything(), before)

    def test_full_clean_gives_the_chinese_message(self):
        self.current.status = REVISED
        with self.assertRaises(ValidationError) as caught:
            self.current.full_clean()
        self.assertIn(MESSAGE, " ".join(caught.exception.messages))


class ServiceTests(RevisedCellMixin, TestCase):
    def create(self, **changes):
        fields = {
            "indicator": self.indicator,
            "region": self.current.region,
            "period": "2019",
            "value": Decimal("590"),
            "raw_text": "590项",
            "source_publisher": PUB,
            "source_title": TITLE,
        }
        return observation_create(**{**fields, **changes})

    def test_create_revised_and_preferred_is_refused_naming_the_field(self):
        before = everything()
        for period in (
            "2019",
            self.current.period,
        ):  # a new cell (and Period), a full one
            with self.subTest(period=str(period)):
                with self.assertRaises(ValidationError) as caught:
                    self.create(period=period, status=REVISED, is_preferred=True)
                self.assertIn(
                    MESSAGE, " ".join(caught.exception.message_dict["is_preferred"])
                )
                self.assertEqual(everything(), before)

    def test_create_revised_without_a_flag_is_never_preferred(self):
        """Even in an empty cell, where a value without a flag would become preferred."""
        empty_cell = self.create(status=REVISED)
        self.assertFalse(empty_cell.is_preferred)
        self.assertFalse(
            Observation.objects.filter(period__code="2019", is_preferred=True).exists()
        )
        # The cell's first value that is not 已修订 becomes preferred as before.
        self.assertTrue(self.create(raw_text="五百九十项").is_preferred)

    def test_set_preferred_refuses_a_revised_value(self):
        before = everything()
        with self.assertRaises(ValidationError) as caught:
            observation_set_preferred(observation=self.old)
        self.assertIn(MESSAGE, " ".join(caught.exception.messages))
        self.assertEqual(everything(), before)
        self.assertEqual(self.preferred(), [self.current.pk])

    def test_set_preferred_reads_the_status_as_saved(self):
        """A stale copy that still says 确认 does not get a 已修订 row preferred."""
        stale = Observation.objects.get(pk=self.old.pk)
        stale.status = Observation.Status.CONFIRMED
        before = everything()
        with self.assertRaises(ValidationError):
            observation_set_preferred(observation=stale)
        self.assertEqual(everything(), before)

    def test_undoing_a_correction_is_a_new_correction(self):
        """The way back to the old value: correct the current one again."""
        corrected = observation_correct(
            observation=self.current,
            reason="更正有误，恢复为600项",
            value=Decimal("600"),
            raw_text="600项",
        )
        self.current.refresh_from_db()
        self.assertEqual(self.preferred(), [corrected.pk])
        self.assertEqual(self.current.status, REVISED)
        self.assertEqual(Observation.objects.filter(status=REVISED).count(), 2)


class AdminTests(RevisedCellMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.user = UserFactory(username="editor", is_staff=True, is_superuser=True)

    def setUp(self):
        self.client.force_login(self.user)

    def change(self, observation, **changes):
        data = {
            "status": observation.status,
            "note": observation.note,
            "is_preferred": "on" if observation.is_preferred else "",
        }
        data.update(changes)
        return self.client.post(
            reverse("admin:quality_observation_change", args=[observation.pk]),
            {k: v for k, v in data.items() if v != ""},
        )

    def test_change_form_refuses_to_mark_the_preferred_value_revised(self):
        """Its cell gets a new value by 更正, not by a status change."""
        before = everything()
        response = self.change(self.current, status="revised")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, MESSAGE)
        self.assertEqual(everything(), before)

    def test_change_form_refuses_to_prefer_a_revised_value(self):
        before = everything()
        response = self.change(self.old, is_preferred="on")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, MESSAGE)
        self.assertEqual(everything(), before)

    def test_add_form_refuses_a_revised_preferred_value(self):
        before = everything()
        response = self.client.post(
            reverse("admin:quality_observation_add"),
            {
                "indicator": self.indicator.pk,
                "region": self.current.region.pk,
                "period": PeriodFactory(end_on=date(2019, 12, 31)).pk,
                "value": "590",
                "comparator": "=",
                "raw_text": "590项",
                "status": "revised",
                "source_publisher": PUB,
                "source_title": TITLE,
                "is_preferred": "on",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, MESSAGE)
        self.assertEqual(snapshot(), before[0])

    def test_inline_refuses_both_ways(self):
        o = self.current
        prefix = "observations"
        data = {
            "code": o.indicator.code,
            "name": o.indicator.name,
            "topic": o.indicator.topic.pk,
            "unit": o.indicator.unit.pk,
            "nature": "stock",
            "decimals": "0",
            "higher_is_better": "on",
            "is_public": "on",
            "order": "0",
            f"{prefix}-TOTAL_FORMS": "2",
            f"{prefix}-INITIAL_FORMS": "2",
        }
        for i, row in enumerate((self.current, self.old)):
            data.update(
                {
                    f"{prefix}-{i}-id": row.pk,
                    f"{prefix}-{i}-indicator": o.indicator.pk,
                    f"{prefix}-{i}-status": row.status,
                }
            )
            if row.is_preferred:
                data[f"{prefix}-{i}-is_preferred"] = "on"
        url = reverse("admin:quality_indicator_change", args=[o.indicator.pk])
        before = everything()
        for changes in (
            {f"{prefix}-0-status": "revised"},
            # The flag moved to the 已修订 value.
            {f"{prefix}-0-is_preferred": "", f"{prefix}-1-is_preferred": "on"},
        ):
            with self.subTest(changes=changes):
                posted = {**data, **changes}
                response = self.client.post(
                    url, {k: v for k, v in posted.items() if v != ""}
                )
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, MESSAGE)
                self.assertEqual(everything(), before)

    def test_make_preferred_is_all_or_nothing(self):
        """One 已修订 value in the selection: no flag moves, and the message says why.
        (The action goes through the selection by id: the fine one first.)"""
        other = ObservationFactory(
            indicator=self.indicator,
            region=self.current.region,
            period=PeriodFactory(end_on=date(2019, 12, 31)),
        )
        fine = ObservationFactory(
            indicator=self.indicator,
            region=self.current.region,
            period=other.period,
            value=590,
            raw_text="590项",
            is_preferred=False,
        )
        revised = ObservationFactory(
            indicator=self.indicator,
            region=self.current.region,
            period=PeriodFactory(end_on=date(2018, 12, 31)),
            status=REVISED,
            is_preferred=False,
        )
        before = everything()
        response = self.client.post(
            reverse("admin:quality_observation_changelist"),
            {"action": "make_preferred", "_selected_action": [fine.pk, revised.pk]},
            follow=True,
        )
        self.assertContains(response, MESSAGE)
        self.assertContains(response, "未设置任何首选值")
        self.assertEqual(everything(), before)
        self.assertEqual(sorted(self.preferred()), sorted([self.current.pk, other.pk]))


class ResourceImportTests(RevisedCellMixin, TestCase):
    """The admin's import-export (and ``manage.py import``): a row that breaks the
    rule is reported with its number and the whole file imports nothing."""

    def import_rows(self, changes, new_rows=()):
        """The export (rows in the observations' order: current, then old), some
        cells changed (by observation id), new rows after it."""
        dataset = ObservationResource().export()
        out = tablib.Dataset(headers=dataset.headers)
        for row in dataset.dict:
            row.update(changes.get(int(row["id"]), {}))
            out.append([row[h] for h in dataset.headers])
        for new in new_rows:
            out.append([new.get(h, "") for h in dataset.headers])
        return ObservationResource().import_data(
            out, dry_run=False, rollback_on_validation_errors=True
        )

    def assert_refused(self, result, *numbers):
        self.assertTrue(result.has_validation_errors())
        self.assertEqual([row.number for row in result.invalid_rows], list(numbers))
        for row in result.invalid_rows:
            messages = " ".join(m for ms in row.error_dict.values() for m in ms)
            self.assertIn(MESSAGE, messages)

    def test_a_row_marking_the_preferred_value_revised_is_refused(self):
        before = everything()
        result = self.import_rows(
            {self.current.pk: {"status": "revised", "note": "已核对"}}
        )
        self.assert_refused(result, 1)
        self.assertEqual(everything(), before)

    def test_a_row_preferring_a_revised_value_is_refused(self):
        before = everything()
        new = {
            "indicator": "standards_national",
            "region": "370600",
            "period": "2019",
            "value": "590",
            "comparator": "=",
            "raw_text": "590项",
            "status": "confirmed",
            "source_publisher": PUB,
            "source_title": TITLE,
            "is_preferred": "1",
        }
        result = self.import_rows(
            {
                self.current.pk: {"is_preferred": "0"},
                self.old.pk: {"is_preferred": "1"},
            },
            new_rows=[new, {**new, "period": "2018", "status": "revised"}],
        )
        # The saved 已修订 row and the new one; the new 2019 row is fine.
        self.assert_refused(result, 2, 4)
        self.assertEqual(everything(), before)


class BulkImportTests(RevisedCellMixin, TestCase):
    def run_import(self, file, **kwargs):
        return observations_import(file, name="obs.csv", **kwargs)

    def assert_refused(self, result, row, column, before):
        found = [(e.row, e.column, e.message) for e in result.errors]
        self.assertTrue(
            any(r == row and c == column and MESSAGE in m for r, c, m in found), found
        )
        self.assertEqual(result.created, 0)
        self.assertEqual(everything(), before)

    def new_row(self, period, status, flag):
        return [*ROWS[0][:2], period, *ROWS[0][3:-1], flag] + [status]

    def test_a_new_revised_row_marked_preferred_is_refused(self):
        before = everything()
        rows = [
            self.new_row("2019", "confirmed", ""),
            self.new_row("2018", "revised", "1"),
        ]
        result = self.run_import(csv_bytes(rows, header=[*HEADER, "status"]))
        self.assert_refused(result, 3, "status/is_preferred", before)

    def test_a_new_revised_row_without_a_flag_is_not_preferred(self):
        """Even in an empty cell (2019), where a row without a flag would be."""
        rows = [self.new_row("2019", "revised", "")]
        result = self.run_import(csv_bytes(rows, header=[*HEADER, "status"]))
        self.assertTrue(result.ok, result.errors)
        made = Observation.objects.get(period__code="2019")
        self.assertEqual((made.status, made.is_preferred), (REVISED, False))

    def test_a_row_marking_a_saved_preferred_value_revised_is_refused(self):
        """Whether the row keeps the flag the export wrote or leaves it empty."""
        before = everything()
        for flag, column in (("1", "status/is_preferred"), ("", "status")):
            with self.subTest(flag=flag):
                file = edited(
                    exported(),
                    {self.current.pk: {"status": "revised", "is_preferred": flag}},
                )
                result = self.run_import(as_file(file))
                number = [int(r["id"]) for r in file.dict].index(self.current.pk) + 2
                self.assert_refused(result, number, column, before)

    def test_a_row_preferring_a_saved_revised_value_is_refused(self):
        before = everything()
        for status, column in (
            ("", "is_preferred"),
            ("revised", "status/is_preferred"),
        ):
            with self.subTest(status=status):
                file = edited(
                    exported(),
                    {self.old.pk: {"is_preferred": "1", "status": status}},
                )
                result = self.run_import(as_file(file))
                number = [int(r["id"]) for r in file.dict].index(self.old.pk) + 2
                self.assert_refused(result, number, column, before)

    def test_a_correction_by_file_new_value_first_then_the_old_one_revised(self):
        """The new value takes the flag in an earlier row: the old one may then be
        marked 已修订 (rows apply in file order, as the flags do)."""
        dataset = exported()
        new = dict(dataset.dict[0])
        new.update(
            id="", value="610", raw_text="610项", source_title="年报", is_preferred="1"
        )
        file = tablib.Dataset(headers=dataset.headers)
        file.append(list(new.values()))
        # Its flag cell left empty: the flag stays where the file moved it.
        changes = {self.current.pk: {"status": "revised", "is_preferred": ""}}
        for row in edited(dataset, changes).dict:
            file.append(list(row.values()))
        result = self.run_import(as_file(file))
        self.assertTrue(result.ok, result.errors)
        self.current.refresh_from_db()
        self.assertEqual(
            (self.current.status, self.current.is_preferred), (REVISED, False)
        )
        self.assertEqual(
            self.preferred(), [Observation.objects.get(raw_text="610项").pk]
        )

    def test_flags_and_statuses_are_written_in_an_order_the_database_accepts(self):
        """A row takes a value out of 已修订 and prefers it (status is editable): its
        status is written before its flag, in every batch size."""
        for batch_size in (1, 2000):
            with self.subTest(batch_size=batch_size):
                file = edited(
                    exported(),
                    {
                        self.old.pk: {"status": "confirmed", "is_preferred": "1"},
                    },
                )
                result = self.run_import(as_file(file), batch_size=batch_size)
                self.assertTrue(result.ok, result.errors)
                self.assertEqual(self.preferred(), [self.old.pk])
                Observation.objects.filter(pk=self.old.pk).update(is_preferred=False)
                Observation.objects.filter(pk=self.old.pk).update(status=REVISED)
                Observation.objects.filter(pk=self.current.pk).update(is_preferred=True)


# --- the migration that repairs rows written before the rule -----------------------


def repair_migration():
    return importlib.import_module(
        "quality.migrations.0009_observation_revised_never_preferred"
    )


def rule_lifted():
    """Rows as they could be written before the rule."""
    return checks_lifted(("quality_observation", "observation_revised_never_preferred"))


class RepairMigrationTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.indicator = IndicatorFactory(code="standards_national")

    def cell(self, year, *values):
        """Observations of one cell: (value, comparator, status, preferred) each."""
        period = PeriodFactory(
            kind=Period.Kind.YEAR, start_on=date(year, 1, 1), end_on=date(year, 12, 31)
        )
        made = []
        for n, (value, comparator, status, _preferred) in enumerate(values):
            made.append(
                ObservationFactory(
                    indicator=self.indicator,
                    period=period,
                    value=value,
                    comparator=comparator,
                    lower=value if comparator == ">" else None,
                    raw_text=f"{value}项（{n}）",
                    source_title=f"来源{n}",
                    status=status,
                    is_preferred=False,
                )
            )
        with rule_lifted():
            for observation, (*_, preferred) in zip(made, values, strict=True):
                if preferred:
                    Observation.objects.filter(pk=observation.pk).update(
                        is_preferred=True
                    )
        return made

    def repair(self):
        with rule_lifted():
            repair_migration().unprefer_revised(apps, None)

    def flags(self, observations):
        return [Observation.objects.get(pk=o.pk).is_preferred for o in observations]

    def test_the_repair_runs_before_the_constraint(self):
        migration = repair_migration()
        kinds = [type(op).__name__ for op in migration.Migration.operations]
        self.assertEqual(kinds, ["RunPython", "AddConstraint"])
        self.assertIs(
            migration.Migration.operations[0].code, migration.unprefer_revised
        )

    def test_the_same_figure_from_another_source_takes_the_flag(self):
        """The public still sees 604: the newest confirmed wording of it."""
        revised, provisional, confirmed, newer_provisional, other = self.cell(
            2018,
            (604, "=", REVISED, True),
            (604, "=", "provisional", False),
            (604, "=", "confirmed", False),
            (604, "=", "provisional", False),
            (610, "=", "confirmed", False),
        )
        self.repair()
        self.assertEqual(
            self.flags([revised, provisional, confirmed, newer_provisional, other]),
            [False, False, True, False, False],
        )
        revised.refresh_from_db()
        self.assertIn(f"编号 {confirmed.pk}", revised.note)

    def test_without_the_same_figure_the_cell_is_left_without_one(self):
        """A different number is never promoted: the newer value may be the very
        correction an editor turned away from. The row's note says what happened."""
        revised, correction, hedged = self.cell(
            2019,
            (604, "=", REVISED, True),
            (606, "=", "confirmed", False),
            (604, ">", "confirmed", False),
        )
        alone = self.cell(2020, (700, "=", REVISED, True))[0]
        fine = self.cell(
            2021, (800, "=", "confirmed", True), (790, "=", REVISED, False)
        )
        self.repair()
        self.assertEqual(self.flags([revised, correction, hedged, alone]), [False] * 4)
        self.assertEqual(self.flags(fine), [True, False])
        for observation in (revised, alone):
            observation.refresh_from_db()
            self.assertEqual(observation.status, REVISED)
            self.assertIn("取消首选", observation.note)
        self.assertFalse(
            Observation.objects.filter(status=REVISED, is_preferred=True).exists()
        )
        # Nothing else was touched.
        self.assertEqual(Observation.objects.get(pk=fine[1].pk).note, "")

    def test_nothing_to_repair_changes_nothing(self):
        self.cell(2021, (800, "=", "confirmed", True), (790, "=", REVISED, False))
        before = snapshot()
        self.repair()
        self.assertEqual(snapshot(), before)
