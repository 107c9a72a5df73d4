"""Migration quality 0011: 续期自 and 被替代为 loops saved before the models refused
them (``leads_back``) are broken, one link a loop, and each emptied link is kept in
the 操作日志 and printed. The function runs on the historical models of the
migration executor, as ``migrate`` runs it."""

import contextlib
import importlib
import io
from datetime import date
from types import SimpleNamespace

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TestCase

from news.models import AuditLog
from quality.models import Award, Standard
from quality.models.registries import leads_back

from .factories import AwardFactory, OrganisationFactory, StandardFactory

MIGRATION = "0011_break_renewal_and_replacement_loops"


def migration():
    return importlib.import_module(f"quality.migrations.{MIGRATION}")


class LoopRepairMigrationTests(TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        executor = MigrationExecutor(connection)
        cls.historical = executor.loader.project_state(("quality", MIGRATION)).apps

    def repair(self) -> str:
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            # What RunPython passes: only its connection is read.
            migration().break_loops(
                self.historical, SimpleNamespace(connection=connection)
            )
        return printed.getvalue()

    def links(self, model, field):
        return dict(model.objects.values_list("pk", f"{field}_id"))

    def loop(self, model, field, rows):
        """Link ``rows`` in a loop, as an old version saved them (no check)."""
        for row, nxt in zip(rows, rows[1:] + rows[:1], strict=True):
            model.objects.filter(pk=row.pk).update(**{field: nxt})

    def test_award_loops_lose_the_link_of_their_oldest_certificate(self):
        """Undated, the first entered (lowest id) renews a later one: its 续期自 is
        emptied. Dated, the earliest 颁发日期 (else 有效期起) is the oldest."""
        a, b = AwardFactory(subject="甲"), AwardFactory(subject="乙")
        c = AwardFactory(subject="丙", issued_on=date(2021, 3, 1))
        d = AwardFactory(subject="丁", valid_from=date(2015, 3, 1))
        e = AwardFactory(subject="戊", issued_on=date(2018, 3, 1))
        chain = AwardFactory(subject="链", renews=None)
        self.loop(Award, "renews", [a, b])
        self.loop(Award, "renews", [c, d, e])  # 丙 renews 丁 renews 戊 renews 丙
        Award.objects.filter(pk=chain.pk).update(renews=a)  # into a loop: kept
        before = self.links(Award, "renews")
        printed = self.repair()
        after = self.links(Award, "renews")
        changed = {pk for pk in before if before[pk] != after[pk]}
        self.assertEqual(changed, {a.pk, d.pk})
        self.assertIsNone(after[a.pk])
        self.assertIsNone(after[d.pk])
        for award in Award.objects.all():
            self.assertFalse(leads_back(award, "renews"), award.pk)
        entries = AuditLog.objects.order_by("object_id")
        self.assertEqual(
            sorted((e.object_type, e.object_id) for e in entries),
            sorted([("证书/荣誉", str(a.pk)), ("证书/荣誉", str(d.pk))]),
        )
        entry = AuditLog.objects.get(object_id=str(d.pk))
        self.assertEqual(entry.action, AuditLog.Action.EDIT)
        self.assertIsNone(entry.user)
        self.assertIn("续期自", entry.summary)
        self.assertIn(f"原为编号 {e.pk}", entry.summary)
        self.assertIn(f"{c.pk} → {d.pk} → {e.pk} → {c.pk}", entry.summary)
        self.assertIn("丁", entry.object_repr)
        self.assertEqual(entry.snapshot["field"], "renews")
        self.assertEqual(entry.snapshot["was"], e.pk)
        self.assertEqual(entry.snapshot["loop"], [c.pk, d.pk, e.pk])
        self.assertIn(f"award {a.pk}: renews {b.pk} emptied", printed)
        self.assertIn(f"award {d.pk}: renews {e.pk} emptied", printed)

    def test_standard_loops_lose_the_link_of_their_newest_standard(self):
        """A standard is replaced by a newer one: in a loop the newest (latest 发布
        日期, else 实施日期; undated, the last entered) has the false 被替代为."""
        a, b, c = StandardFactory(), StandardFactory(), StandardFactory()
        old = StandardFactory(issued_on=date(2008, 1, 1))
        new = StandardFactory(effective_on=date(2016, 1, 1))
        mid = StandardFactory(issued_on=date(2012, 1, 1))
        self.loop(Standard, "replaced_by", [a, b, c])
        self.loop(Standard, "replaced_by", [new, old, mid])
        before = self.links(Standard, "replaced_by")
        printed = self.repair()
        after = self.links(Standard, "replaced_by")
        changed = {pk for pk in before if before[pk] != after[pk]}
        self.assertEqual(changed, {c.pk, new.pk})
        for standard in Standard.objects.all():
            self.assertFalse(leads_back(standard, "replaced_by"), standard.pk)
        entry = AuditLog.objects.get(object_id=str(new.pk))
        self.assertEqual(entry.object_type, "标准")
        self.assertIn(new.code, entry.object_repr)
        self.assertIn("被替代为", entry.summary)
        self.assertIn(f"原为编号 {old.pk}", entry.summary)
        self.assertIn(f"standard {c.pk}: replaced_by {a.pk} emptied", printed)

    def test_without_loops_nothing_is_written_and_a_second_run_does_nothing(self):
        org = OrganisationFactory()
        first, second = AwardFactory(organisation=org), AwardFactory(organisation=org)
        Award.objects.filter(pk=second.pk).update(renews=first)
        older, newer = StandardFactory(), StandardFactory()
        Standard.objects.filter(pk=older.pk).update(replaced_by=newer)
        before = (self.links(Award, "renews"), self.links(Standard, "replaced_by"))
        self.assertEqual(self.repair(), "")
        self.assertEqual(
            (self.links(Award, "renews"), self.links(Standard, "replaced_by")), before
        )
        self.assertFalse(AuditLog.objects.exists())
        self.loop(Award, "renews", [first, second])
        self.repair()
        self.assertEqual(AuditLog.objects.count(), 1)
        self.assertEqual(self.repair(), "")
        self.assertEqual(AuditLog.objects.count(), 1)
