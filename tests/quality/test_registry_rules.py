"""Registry rules checked on every write path: date order, references that loop."""

import importlib
from contextlib import contextmanager
from datetime import date
from types import SimpleNamespace

from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import TestCase
from django.urls import reverse

from quality.models import MeasurementStandard, Standard
from tests.factories import UserFactory

from .factories import StandardFactory


class StandardReplacementTests(TestCase):
    def test_standard_cannot_replace_itself(self):
        standard = StandardFactory()
        standard.replaced_by = standard
        with self.assertRaises(ValidationError) as caught:
            standard.full_clean()
        self.assertIn("replaced_by", caught.exception.message_dict)

    def test_replacements_cannot_loop(self):
        old, new = StandardFactory(), StandardFactory()
        old.replaced_by = new
        old.save()
        new.replaced_by = old
        with self.assertRaises(ValidationError) as caught:
            new.full_clean()
        self.assertIn("replaced_by", caught.exception.message_dict)

    def test_admin_refuses_a_self_replacement_beside_the_field(self):
        standard = StandardFactory()
        self.client.force_login(UserFactory(is_staff=True, is_superuser=True))
        response = self.client.post(
            reverse("admin:quality_standard_change", args=[standard.pk]),
            {
                "code": standard.code,
                "title": standard.title,
                "kind": standard.kind,
                "status": Standard.Status.WITHDRAWN,
                "issued_on": "",
                "effective_on": "",
                "replaced_by": standard.pk,
                "participations-TOTAL_FORMS": "0",
                "participations-INITIAL_FORMS": "0",
                "participations-MIN_NUM_FORMS": "0",
                "participations-MAX_NUM_FORMS": "1000",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("replaced_by", response.context["adminform"].form.errors)
        standard.refresh_from_db()
        self.assertIsNone(standard.replaced_by_id)


class MeasurementStandardDateTests(TestCase):
    def test_assessed_after_expiry_is_refused(self):
        standard = MeasurementStandard(
            name="电能表检定装置",
            approved_on=date(2021, 5, 1),
            valid_to=date(2020, 5, 1),
        )
        with self.assertRaises(ValidationError) as caught:
            standard.full_clean()
        self.assertIn("有效期至不能早于考核日期", str(caught.exception))


class LapsedAwardStatusTests(TestCase):
    """A certificate recorded 有效 whose validity has ended is shown as 过期 — on the
    page, in the API and by its status filter alike."""

    @classmethod
    def setUpTestData(cls):
        from .factories import AwardFactory

        cls.lapsed = AwardFactory(
            subject="过期的葡萄酒",
            valid_from=date(2015, 1, 1),
            valid_to=date(2018, 12, 31),
        )
        cls.current = AwardFactory(subject="有效的苹果", valid_to=date(2999, 12, 31))

    def test_page_shows_lapsed_as_expired(self):
        response = self.client.get("/quality/honours/")
        rows = {
            award.subject: award.current_status_label
            for award in response.context["object_list"]
        }
        self.assertEqual(rows, {"过期的葡萄酒": "过期", "有效的苹果": "有效"})
        html = response.content.decode()
        row = html[html.index("过期的葡萄酒") :].split("</tr>", 1)[0]
        self.assertIn("过期", row)
        self.assertNotIn("有效", row.replace("有效期", ""))

    def test_api_status_and_filter_agree_with_the_page(self):
        from django.core.cache import cache

        cache.clear()
        results = self.client.get("/api/v1/honours/").json()["results"]
        self.assertEqual(
            {r["subject"]: r["status"] for r in results},
            {"过期的葡萄酒": "expired", "有效的苹果": "active"},
        )
        for status, subjects in (
            ("active", ["有效的苹果"]),
            ("expired", ["过期的葡萄酒"]),
        ):
            response = self.client.get("/api/v1/honours/", {"status": status})
            self.assertEqual(
                [r["subject"] for r in response.json()["results"]], subjects, status
            )


# --- the migration's handling of rows written before the rules -------------------


def migration_0010():
    return importlib.import_module(
        "quality.migrations.0010_registry_date_order_and_replacement"
    )


CHECKS = (
    ("quality_standard", "standard_not_replaced_by_itself"),
    ("quality_measurementstandard", "measurement_standard_approved_before_valid_to"),
)


@contextmanager
def checks_lifted():
    """Rows as they could be written before the rule: the check lifted for the block
    (SQLite: ignored; PostgreSQL: dropped inside the test's transaction, which the
    test's rollback brings back)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA ignore_check_constraints = ON")
            try:
                yield
            finally:
                cursor.execute("PRAGMA ignore_check_constraints = OFF")
        else:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table, constraint in CHECKS:
                cursor.execute(
                    f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {constraint}"
                )
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            yield


class RepairMigrationTests(TestCase):
    def repair(self):
        # What RunPython passes: only its connection is read.
        migration_0010().repair(django_apps, SimpleNamespace(connection=connection))

    def test_a_self_replacement_is_emptied_and_nothing_else_changes(self):
        looped, other, new = StandardFactory(), StandardFactory(), StandardFactory()
        Standard.objects.filter(pk=other.pk).update(replaced_by=new)
        with checks_lifted():
            Standard.objects.filter(pk=looped.pk).update(replaced_by=looped)
            self.repair()
        looped.refresh_from_db()
        other.refresh_from_db()
        self.assertIsNone(looped.replaced_by_id)
        self.assertEqual(other.replaced_by_id, new.pk)

    def test_dates_out_of_order_stop_the_migration_and_name_the_row(self):
        standard = MeasurementStandard.objects.create(
            name="电能表检定装置",
            certificate_number="[2019]鲁量标烟证字第0001号",
            approved_on=date(2019, 5, 1),
            valid_to=date(2023, 5, 1),
        )
        looped = StandardFactory()
        with checks_lifted():
            MeasurementStandard.objects.filter(pk=standard.pk).update(
                valid_to=date(2018, 5, 1)
            )
            Standard.objects.filter(pk=looped.pk).update(replaced_by=looped)
            with self.assertRaises(RuntimeError) as caught:
                self.repair()
        message = str(caught.exception)
        self.assertIn("考核日期晚于有效期至", message)
        self.assertIn(f"id {standard.pk} 电能表检定装置", message)
        self.assertIn("有效期至 2018-05-01", message)
        # Nothing written before it stopped.
        looped.refresh_from_db()
        self.assertEqual(looped.replaced_by_id, looped.pk)
