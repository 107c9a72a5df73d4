"""Registry rules checked on every write path: date order, references that loop."""

import importlib
from datetime import date
from types import SimpleNamespace

import tablib
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import TestCase
from django.urls import reverse

from quality.models import Award, MeasurementStandard, Standard
from quality.resources import AwardResource
from tests.factories import UserFactory

from .constraints import checks_lifted
from .factories import AwardFactory, StandardFactory

RENEWAL_LOOP = "证书不能续期自己，续期关系也不能绕回本证书。"


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


class AwardRenewalLoopTests(TestCase):
    """续期自 never leads back to the certificate: A renews B renews A (or longer)
    would make each the other's predecessor. Refused beside the field on every
    path that validates."""

    def setUp(self):
        self.a, self.b, self.c = AwardFactory(), AwardFactory(), AwardFactory()
        # c renews b renews a: a chain, no loop.
        Award.objects.filter(pk=self.b.pk).update(renews=self.a)
        Award.objects.filter(pk=self.c.pk).update(renews=self.b)

    def renewals(self):
        return dict(Award.objects.values_list("pk", "renews_id"))

    def test_model_refuses_a_loop_of_two_and_of_three(self):
        before = self.renewals()
        for award, renews in ((self.a, self.b), (self.a, self.c)):
            with self.subTest(renews=renews.pk):
                award.refresh_from_db()
                award.renews = renews
                with self.assertRaises(ValidationError) as caught:
                    award.full_clean()
                self.assertEqual(
                    caught.exception.message_dict["renews"], [RENEWAL_LOOP]
                )
        self.assertEqual(self.renewals(), before)

    def test_a_chain_is_accepted(self):
        d = AwardFactory(renews=self.c)
        d.full_clean()

    def test_admin_refuses_a_loop_beside_the_field(self):
        before = self.renewals()
        self.client.force_login(UserFactory(is_staff=True, is_superuser=True))
        a = self.a
        response = self.client.post(
            reverse("admin:quality_award_change", args=[a.pk]),
            {
                "scheme": a.scheme_id,
                "organisation": a.organisation_id,
                "subject": a.subject,
                "number": "",
                "year": a.year,
                "issued_on": "",
                "valid_from": "",
                "valid_to": "",
                "status": Award.Status.ACTIVE,
                "renews": self.c.pk,
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.context["adminform"].form.errors["renews"], [RENEWAL_LOOP]
        )
        self.assertEqual(self.renewals(), before)

    def test_import_refuses_a_loop_made_within_the_file_and_writes_nothing(self):
        """Row 1 (d renews e) is valid alone; row 2 (e renews d) closes a loop
        with it: the row is named with the message, and the file writes nothing."""
        d, e = AwardFactory(), AwardFactory()
        before = self.renewals()
        dataset = tablib.Dataset(
            headers=["id", "scheme", "organisation", "subject", "year", "renews"]
        )
        for award, renews in ((d, e), (e, d)):
            dataset.append(
                [
                    award.pk,
                    award.scheme.name,
                    award.organisation.name,
                    award.subject,
                    award.year,
                    renews.pk,
                ]
            )
        result = AwardResource().import_data(dataset, dry_run=False)
        self.assertTrue(result.has_validation_errors())
        self.assertEqual([row.number for row in result.invalid_rows], [2])
        self.assertEqual(result.invalid_rows[0].error_dict["renews"], [RENEWAL_LOOP])
        self.assertEqual(self.renewals(), before)


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


class RepairMigrationTests(TestCase):
    def repair(self):
        # What RunPython passes: only its connection is read.
        migration_0010().repair(django_apps, SimpleNamespace(connection=connection))

    def test_a_self_replacement_is_emptied_and_nothing_else_changes(self):
        looped, other, new = StandardFactory(), StandardFactory(), StandardFactory()
        Standard.objects.filter(pk=other.pk).update(replaced_by=new)
        with checks_lifted(*CHECKS):
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
        with checks_lifted(*CHECKS):
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
