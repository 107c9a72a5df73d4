"""Admin: every model editable; CSV/XLSX import with dry-run preview and all-or-nothing."""

from datetime import date
from decimal import Decimal

import tablib
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from news.models import AuditLog
from quality import models as quality_models
from quality.models import (
    MeasurementStandard,
    Observation,
    Organisation,
    SamplingCampaign,
    Scheme,
    Standard,
)
from quality.resources import (
    MeasurementStandardResource,
    ObservationResource,
    OrganisationResource,
    SamplingCampaignResource,
    SchemeResource,
    StandardResource,
)
from tests.factories import UserFactory

from .factories import (
    IndicatorFactory,
    ObservationFactory,
    OrganisationFactory,
    PeriodFactory,
    RegionFactory,
    SchemeFactory,
)

# The models of issue 5 (figure proposals have their own admin and tests).
DATA_MODELS = [
    "Region",
    "Unit",
    "Topic",
    "Indicator",
    "Period",
    "Observation",
    "Organisation",
    "Scheme",
    "Award",
    "Standard",
    "StandardParticipation",
    "InspectionCentre",
    "MeasurementStandard",
    "SamplingCampaign",
]

HEADER = "indicator,region,period,value,comparator,lower,upper,raw_text,source_publisher,source_title,quote,is_preferred"
GOOD_ROWS = [
    "standards_national,370600,@2020-12-31,604,=,,,604项,烟台市市场监督管理局,质量工作统计,共参与制修订604项国家标准,1",
    "standards_national,370600,2019,600,>,600,700,六百余项,烟台市市场监督管理局,质量工作统计,参与制修订六百余项国家标准,1",
]
BAD_ROW = "standards_national,370600,2020H1,600,>,650,700,六百余项,烟台市市场监督管理局,质量工作统计,引文,1"


def csv_file(*rows, name="observations.csv"):
    return SimpleUploadedFile(name, ("\n".join([HEADER, *rows]) + "\n").encode("utf-8"))


class AdminPagesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = UserFactory(username="editor", is_staff=True, is_superuser=True)
        cls.observation = ObservationFactory()

    def setUp(self):
        self.client.force_login(self.user)

    def test_every_quality_model_is_registered(self):
        for name in DATA_MODELS:
            model = getattr(quality_models, name)
            with self.subTest(model=name):
                self.assertTrue(admin.site.is_registered(model))

    def test_changelists_add_forms_and_search_render(self):
        for name in DATA_MODELS:
            model = getattr(quality_models, name)
            info = (model._meta.app_label, model._meta.model_name)
            with self.subTest(model=name):
                response = self.client.get(
                    reverse("admin:{}_{}_changelist".format(*info)), {"q": "烟台"}
                )
                self.assertEqual(response.status_code, 200)
                response = self.client.get(reverse("admin:{}_{}_add".format(*info)))
                self.assertEqual(response.status_code, 200)

    def test_observations_inline_under_indicator(self):
        url = reverse(
            "admin:quality_indicator_change", args=[self.observation.indicator.pk]
        )
        response = self.client.get(url)
        self.assertContains(response, "observations-TOTAL_FORMS")
        self.assertContains(response, "604项")

    def test_observation_changelist_shows_chinese_value(self):
        response = self.client.get(reverse("admin:quality_observation_changelist"))
        self.assertContains(response, "604项")

    def test_admin_form_rejects_second_preferred_with_chinese_message(self):
        o = self.observation
        response = self.client.post(
            reverse("admin:quality_observation_add"),
            {
                "indicator": o.indicator.pk,
                "region": o.region.pk,
                "period": o.period.pk,
                "value": "605",
                "comparator": "=",
                "raw_text": "605项",
                "status": "provisional",
                "source_publisher": "甲",
                "source_title": "乙",
                "is_preferred": "on",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "同一指标、地区和期间已有首选值")
        self.assertEqual(Observation.objects.count(), 1)

    def test_organisation_form_rejects_bad_credit_code(self):
        response = self.client.post(
            reverse("admin:quality_organisation_add"),
            {
                "name": "测试公司",
                "credit_code": "91370600163097613A",
                "kind": "enterprise",
            },
        )
        self.assertContains(response, "最后一位应为 J")
        self.assertFalse(Organisation.objects.filter(name="测试公司").exists())

    def test_export_page_renders(self):
        response = self.client.get(reverse("admin:quality_observation_export"))
        self.assertEqual(response.status_code, 200)


class AdminImportTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = UserFactory(username="importer", is_staff=True, is_superuser=True)
        IndicatorFactory(code="standards_national")
        RegionFactory()

    def setUp(self):
        self.client.force_login(self.user)
        self.url = reverse("admin:quality_observation_import")

    def upload(self, file):
        return self.client.post(
            self.url, {"import_file": file, "format": "0", "resource": "0"}
        )

    def test_dry_run_preview_writes_nothing_then_confirm_imports(self):
        response = self.upload(csv_file(*GOOD_ROWS))
        self.assertEqual(response.status_code, 200)
        self.assertIn("confirm_form", response.context)
        self.assertContains(response, "六百余项")
        self.assertEqual(Observation.objects.count(), 0)
        confirm = response.context["confirm_form"].initial
        response = self.client.post(
            reverse("admin:quality_observation_process_import"), confirm
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Observation.objects.count(), 2)
        hedged = Observation.objects.get(raw_text="六百余项")
        self.assertEqual(
            (hedged.lower, hedged.upper, hedged.period.code),
            (Decimal(600), Decimal(700), "2019"),
        )

    def test_a_gbk_csv_previews_and_imports_as_its_utf8_copy(self):
        """Excel's "CSV (逗号分隔)" on a Chinese Windows is GBK: the preview and the
        confirmed import read it as they read UTF-8."""
        text = "\n".join([HEADER, *GOOD_ROWS]) + "\n"
        response = self.upload(SimpleUploadedFile("观测值.csv", text.encode("gbk")))
        form = response.context["form"]
        self.assertTrue("confirm_form" in response.context, form.errors)
        self.assertContains(response, "六百余项")
        self.assertEqual(Observation.objects.count(), 0)
        response = self.client.post(
            reverse("admin:quality_observation_process_import"),
            response.context["confirm_form"].initial,
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(
            sorted(Observation.objects.values_list("raw_text", flat=True)),
            sorted(
                row.split(",")[HEADER.split(",").index("raw_text")] for row in GOOD_ROWS
            ),
        )

    def test_bad_row_reports_its_error_and_nothing_is_importable(self):
        response = self.upload(csv_file(GOOD_ROWS[0], BAD_ROW))
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("confirm_form", response.context)
        result = response.context["result"]
        self.assertTrue(result.has_validation_errors())
        self.assertEqual([row.number for row in result.invalid_rows], [2])
        self.assertContains(response, "上下限与比较关系不符")
        self.assertEqual(Observation.objects.count(), 0)

    def test_unknown_codes_are_reported_per_field(self):
        response = self.upload(
            csv_file(
                GOOD_ROWS[0]
                .replace("370600", "999999")
                .replace("@2020-12-31", "2020年第五季度")
            )
        )
        self.assertContains(response, "没有行政区划代码“999999”")
        self.assertContains(response, "无法识别的期间代码")
        self.assertEqual(Observation.objects.count(), 0)


class ResourceRoundTripTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.indicator = IndicatorFactory(code="standards_national")
        cls.region = RegionFactory()
        ObservationFactory(indicator=cls.indicator, region=cls.region)
        ObservationFactory(
            indicator=cls.indicator,
            region=cls.region,
            value=600,
            comparator=">",
            lower=600,
            upper=700,
            raw_text="六百余项",
            is_preferred=False,
        )
        ObservationFactory(
            indicator=cls.indicator,
            region=cls.region,
            period=PeriodFactory(
                kind="half", start_on=date(2020, 1, 1), end_on=date(2020, 6, 30)
            ),
            value=97,
            comparator=">=",
            lower=97,
            raw_text="97%以上",
        )

    def rows(self):
        return sorted(
            Observation.objects.values_list(
                "indicator__code",
                "region__code",
                "period__code",
                "value",
                "comparator",
                "lower",
                "upper",
                "raw_text",
                "source_publisher",
                "quote",
                "is_preferred",
            )
        )

    def round_trip(self, fmt):
        before = self.rows()
        exported = ObservationResource().export()
        del exported["id"]
        data = exported.export(fmt)
        Observation.objects.all().delete()
        dataset = tablib.Dataset().load(data, format=fmt)
        result = ObservationResource().import_data(
            dataset, dry_run=False, rollback_on_validation_errors=True
        )
        self.assertFalse(result.has_errors() or result.has_validation_errors())
        self.assertEqual(self.rows(), before)

    def test_csv_round_trip(self):
        self.round_trip("csv")

    def test_xlsx_round_trip(self):
        self.round_trip("xlsx")

    def test_bad_row_imports_nothing(self):
        """A preferred row for a cell that already has one: the whole file is rolled back."""
        before = self.rows()
        dataset = tablib.Dataset(headers=HEADER.split(","))
        dataset.append(GOOD_ROWS[1].split(","))  # a new cell: fine on its own
        dataset.append(
            [
                "standards_national",
                "370600",
                "@2020-12-31",
                "605",
                "=",
                "",
                "",
                "605项",
                "甲",
                "乙",
                "引文",
                "1",
            ]
        )
        result = ObservationResource().import_data(
            dataset, dry_run=False, rollback_on_validation_errors=True
        )
        self.assertTrue(result.has_validation_errors())
        messages = " ".join(
            m
            for row in result.invalid_rows
            for ms in row.error_dict.values()
            for m in ms
        )
        self.assertIn("已有首选值", messages)
        self.assertEqual(self.rows(), before)


class RegistryImportTests(TestCase):
    def test_organisations_with_bad_credit_code_import_nothing(self):
        dataset = tablib.Dataset(
            headers=["name", "aliases", "credit_code", "kind", "region"]
        )
        dataset.append(
            ["华为技术有限公司", "华为", "914403001922038216", "enterprise", ""]
        )
        dataset.append(["错误代码公司", "", "91370600163097613A", "enterprise", ""])
        result = OrganisationResource().import_data(
            dataset, dry_run=False, rollback_on_validation_errors=True
        )
        self.assertTrue(result.has_validation_errors())
        self.assertIn("最后一位应为 J", str(result.invalid_rows[0].error_dict))
        self.assertEqual(Organisation.objects.count(), 0)

    def test_standards_import_checks_code_by_kind(self):
        dataset = tablib.Dataset(headers=["code", "title", "kind", "status"])
        dataset.append(["GB/T 19001-2016", "质量管理体系 要求", "national", "current"])
        dataset.append(["DB3706/T 12-2021", "烟台地方标准", "national", "current"])
        result = StandardResource().import_data(
            dataset, dry_run=False, rollback_on_validation_errors=True
        )
        self.assertTrue(result.has_validation_errors())
        self.assertEqual(Standard.objects.count(), 0)
        dataset[1] = ("DB3706/T 12-2021", "烟台地方标准", "local", "current")
        result = StandardResource().import_data(
            dataset, dry_run=False, rollback_on_validation_errors=True
        )
        self.assertFalse(result.has_validation_errors())
        self.assertEqual(Standard.objects.count(), 2)

    def test_standards_import_finds_a_code_written_with_a_printed_dash(self):
        """A row whose code has a printed dash (GB/T 19001—2016) updates the
        registered GB/T 19001-2016 instead of being refused as a duplicate, and a
        replaced_by so written names it too."""
        old = Standard.objects.create(
            code="GB/T 19001-2008", title="质量管理体系 要求", kind="national"
        )
        Standard.objects.create(code="GB/T 19001-2016", title="旧名称", kind="national")
        dataset = tablib.Dataset(
            headers=["code", "title", "kind", "status", "replaced_by"]
        )
        dataset.append(
            ["GB/T 19001—2016", "质量管理体系 要求", "national", "current", ""]
        )
        dataset.append(
            [
                "GB/T 19001‑2008",
                "质量管理体系 要求",
                "national",
                "withdrawn",
                "GB/T 19001—2016",
            ]
        )
        result = StandardResource().import_data(dataset, dry_run=False)
        self.assertFalse(result.has_validation_errors(), result.invalid_rows)
        self.assertFalse(result.has_errors())
        self.assertEqual(
            sorted(Standard.objects.values_list("code", "title", "status")),
            [
                ("GB/T 19001-2008", "质量管理体系 要求", "withdrawn"),
                ("GB/T 19001-2016", "质量管理体系 要求", "current"),
            ],
        )
        old.refresh_from_db()
        self.assertEqual(old.replaced_by.code, "GB/T 19001-2016")

    def test_standards_import_names_an_unknown_replaced_by_and_writes_nothing(self):
        Standard.objects.create(code="GB/T 19001-2016", title="旧名称", kind="national")
        dataset = tablib.Dataset(headers=["code", "title", "kind", "replaced_by"])
        dataset.append(["GB/T 19001—2016", "新名称", "national", "GB/T 1—2099"])
        result = StandardResource().import_data(dataset, dry_run=False)
        self.assertTrue(result.has_validation_errors())
        self.assertIn("没有标准“GB/T 1—2099”", str(result.invalid_rows[0].error_dict))
        self.assertEqual(
            list(Standard.objects.values_list("code", "title")),
            [("GB/T 19001-2016", "旧名称")],
        )

    def test_sampling_failed_above_sampled_imports_nothing(self):
        RegionFactory()
        dataset = tablib.Dataset(
            headers=[
                "name",
                "category",
                "level",
                "period",
                "region",
                "batches_sampled",
                "batches_failed",
            ]
        )
        dataset.append(
            ["食品抽检", "food", "municipal", "2020H1", "370600", "1700", "3"]
        )
        dataset.append(
            [
                "化妆品抽检",
                "health_cosmetics",
                "municipal",
                "2020H1",
                "370600",
                "10",
                "11",
            ]
        )
        result = SamplingCampaignResource().import_data(
            dataset, dry_run=False, rollback_on_validation_errors=True
        )
        self.assertTrue(result.has_validation_errors())
        self.assertIn(
            "不合格批次不能多于抽检批次", str(result.invalid_rows[0].error_dict)
        )
        self.assertEqual(SamplingCampaign.objects.count(), 0)


class MakePreferredActionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = UserFactory(username="chief", is_staff=True, is_superuser=True)
        cls.first = ObservationFactory()
        cls.second = ObservationFactory(
            indicator=cls.first.indicator,
            region=cls.first.region,
            period=cls.first.period,
            value=600,
            comparator=">",
            lower=600,
            upper=700,
            raw_text="六百余项",
            is_preferred=False,
        )

    def setUp(self):
        self.client.force_login(self.user)
        self.url = reverse("admin:quality_observation_changelist")

    def test_action_moves_the_flag(self):
        self.client.post(
            self.url, {"action": "make_preferred", "_selected_action": [self.second.pk]}
        )
        self.assertEqual(
            list(Observation.objects.preferred().values_list("pk", flat=True)),
            [self.second.pk],
        )

    def test_action_needs_the_change_permission(self):
        """Moving the flag changes two rows: viewing observations is not enough."""
        self.client.force_login(staff_with_perms("viewer", "view_observation"))
        response = self.client.post(
            self.url, {"action": "make_preferred", "_selected_action": [self.second.pk]}
        )
        self.assertEqual(response.status_code, 200)  # the list, with “no such action”
        self.assertNotContains(response, "make_preferred")
        self.assertEqual(
            list(Observation.objects.preferred().values_list("pk", flat=True)),
            [self.first.pk],
        )

    def test_two_in_one_cell_is_refused(self):
        response = self.client.post(
            self.url,
            {
                "action": "make_preferred",
                "_selected_action": [self.first.pk, self.second.pk],
            },
            follow=True,
        )
        self.assertContains(response, "请只勾选一个")
        self.assertEqual(
            list(Observation.objects.preferred().values_list("pk", flat=True)),
            [self.first.pk],
        )


class ObservationNeverRewrittenTests(TestCase):
    """A correction never overwrites: it adds an observation and moves the flag."""

    @classmethod
    def setUpTestData(cls):
        cls.user = UserFactory(username="corrector", is_staff=True, is_superuser=True)
        cls.observation = ObservationFactory()

    def setUp(self):
        self.client.force_login(self.user)
        self.correct_url = reverse(
            "admin:quality_observation_correct", args=[self.observation.pk]
        )

    def change_data(self, **overrides):
        o = self.observation
        data = {
            "indicator": o.indicator.pk,
            "region": o.region.pk,
            "period": o.period.pk,
            "value": "605",
            "comparator": "=",
            "raw_text": "605项",
            "status": "confirmed",
            "source_publisher": "别处",
            "source_title": "别的标题",
            "quote": "改写的引文",
            "note": "核对过",
            "is_preferred": "on",
        }
        data.update(overrides)
        return data

    def test_change_form_ignores_posted_value_and_source(self):
        response = self.client.post(
            reverse("admin:quality_observation_change", args=[self.observation.pk]),
            self.change_data(),
        )
        self.assertEqual(response.status_code, 302)
        self.observation.refresh_from_db()
        self.assertEqual(
            (
                self.observation.value,
                self.observation.raw_text,
                self.observation.source_publisher,
                self.observation.quote,
            ),
            (
                Decimal(604),
                "604项",
                "烟台市市场监督管理局",
                "共参与制修订604项国家标准",
            ),
        )
        # What is not the value itself stays editable.
        self.assertEqual(
            (self.observation.status, self.observation.note), ("confirmed", "核对过")
        )

    def test_change_page_shows_the_correct_button_and_disabled_value(self):
        response = self.client.get(
            reverse("admin:quality_observation_change", args=[self.observation.pk])
        )
        self.assertContains(response, self.correct_url)
        self.assertContains(response, "更正")
        self.assertIn("value", response.context["adminform"].form.fields)
        self.assertTrue(response.context["adminform"].form.fields["value"].disabled)
        self.assertFalse(response.context["adminform"].form.fields["status"].disabled)

    def test_inline_under_indicator_cannot_rewrite_saved_rows(self):
        o = self.observation
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
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-INITIAL_FORMS": "1",
            f"{prefix}-0-id": o.pk,
            f"{prefix}-0-indicator": o.indicator.pk,
            f"{prefix}-0-region": o.region.pk,
            f"{prefix}-0-period": o.period.pk,
            f"{prefix}-0-value": "999",
            f"{prefix}-0-comparator": "=",
            f"{prefix}-0-raw_text": "999项",
            f"{prefix}-0-status": "confirmed",
            f"{prefix}-0-source_publisher": "别处",
            f"{prefix}-0-source_title": "别的标题",
            f"{prefix}-0-is_preferred": "on",
        }
        response = self.client.post(
            reverse("admin:quality_indicator_change", args=[o.indicator.pk]), data
        )
        self.assertEqual(response.status_code, 302)
        o.refresh_from_db()
        self.assertEqual(
            (o.value, o.raw_text, o.source_publisher, o.status),
            (Decimal(604), "604项", "烟台市市场监督管理局", "confirmed"),
        )

    def test_correct_form_is_prefilled_from_the_observation(self):
        response = self.client.get(self.correct_url)
        self.assertEqual(response.status_code, 200)
        form = response.context["adminform"].form
        self.assertEqual(form.initial["raw_text"], "604项")
        self.assertEqual(form.initial["quote"], "共参与制修订604项国家标准")
        self.assertContains(response, "更正原因")

    def test_correct_adds_a_preferred_observation_and_keeps_the_old_one(self):
        response = self.client.post(
            self.correct_url,
            {
                "value": "600",
                "comparator": ">",
                "lower": "600",
                "upper": "700",
                "raw_text": "六百余项",
                "source_publisher": "烟台市市场监督管理局",
                "source_title": "2020年质量工作年报",
                "quote": "参与制修订国家标准六百余项",
                "note": "据年报更正",
            },
        )
        self.assertEqual(Observation.objects.count(), 2)
        new = Observation.objects.exclude(pk=self.observation.pk).get()
        self.assertRedirects(
            response, reverse("admin:quality_observation_change", args=[new.pk])
        )
        self.assertTrue(new.is_preferred)
        self.assertEqual(
            (new.value, new.lower, new.upper, new.raw_text, new.note),
            (Decimal(600), Decimal(600), Decimal(700), "六百余项", "据年报更正"),
        )
        self.assertEqual(
            (new.indicator, new.region, new.period),
            (
                self.observation.indicator,
                self.observation.region,
                self.observation.period,
            ),
        )
        old = Observation.objects.get(pk=self.observation.pk)
        self.assertFalse(old.is_preferred)
        self.assertEqual(old.status, Observation.Status.REVISED)
        self.assertEqual((old.value, old.raw_text), (Decimal(604), "604项"))
        # Who corrected what, and why: the audit log and the admin's history.
        entry = AuditLog.objects.get(object_id=str(new.pk))
        self.assertEqual((entry.user, entry.action), (self.user, AuditLog.Action.EDIT))
        self.assertIn(f"{old.pk} → {new.pk}", entry.summary)
        self.assertIn("据年报更正", entry.summary)
        self.assertTrue(LogEntry.objects.filter(object_id=str(new.pk)).exists())

    def test_correct_with_bad_bounds_shows_the_message_and_writes_nothing(self):
        response = self.client.post(
            self.correct_url,
            {
                "value": "650",
                "comparator": "~",
                "lower": "700",
                "upper": "600",
                "raw_text": "约650项",
                "source_publisher": "烟台市市场监督管理局",
                "source_title": "年报",
                "note": "据年报更正",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "下限不能大于数值，上限不能小于数值")
        self.assertEqual(Observation.objects.count(), 1)
        self.observation.refresh_from_db()
        self.assertTrue(self.observation.is_preferred)
        self.assertEqual(self.observation.status, Observation.Status.PROVISIONAL)

    def test_correct_needs_a_reason(self):
        response = self.client.post(
            self.correct_url,
            {
                "value": "605",
                "comparator": "=",
                "raw_text": "605项",
                "source_publisher": "甲",
                "source_title": "乙",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["adminform"].form.errors["note"])
        self.assertEqual(Observation.objects.count(), 1)

    def test_correct_needs_the_add_observation_permission(self):
        viewer = staff_with_perms("viewer", "view_observation", "change_observation")
        self.client.force_login(viewer)
        self.assertEqual(self.client.get(self.correct_url).status_code, 403)
        response = self.client.post(
            self.correct_url,
            {
                "value": "605",
                "comparator": "=",
                "raw_text": "605项",
                "source_publisher": "甲",
                "source_title": "乙",
                "note": "理由",
            },
        )
        self.assertEqual(response.status_code, 403)
        self.assertEqual(Observation.objects.count(), 1)
        change = self.client.get(
            reverse("admin:quality_observation_change", args=[self.observation.pk])
        )
        self.assertNotContains(change, self.correct_url)

    def test_correct_needs_the_change_observation_permission(self):
        # A correction changes the saved observation too (已修订, its preferred
        # flag moved): adding alone does not allow it.
        adder = staff_with_perms("adder", "view_observation", "add_observation")
        self.client.force_login(adder)
        self.assertEqual(self.client.get(self.correct_url).status_code, 403)
        response = self.client.post(
            self.correct_url,
            {
                "value": "605",
                "comparator": "=",
                "raw_text": "605项",
                "source_publisher": "甲",
                "source_title": "乙",
                "note": "理由",
            },
        )
        self.assertEqual(response.status_code, 403)
        self.assertEqual(Observation.objects.count(), 1)
        self.observation.refresh_from_db()
        self.assertTrue(self.observation.is_preferred)
        self.assertEqual(self.observation.status, Observation.Status.PROVISIONAL)
        change = self.client.get(
            reverse("admin:quality_observation_change", args=[self.observation.pk])
        )
        self.assertNotContains(change, self.correct_url)


def staff_with_perms(username, *codenames):
    user = UserFactory(username=username, is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="quality", codename__in=codenames
        )
    )
    return user


class ImportNeverRewritesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = UserFactory(username="importer2", is_staff=True, is_superuser=True)
        cls.observation = ObservationFactory(indicator=IndicatorFactory(code="x_std"))

    def exported(self):
        return ObservationResource().export()

    def test_a_row_that_rewrites_a_saved_value_is_refused_and_nothing_written(self):
        dataset = self.exported()
        row = list(dataset[0])
        row[dataset.headers.index("value")] = "605"
        row[dataset.headers.index("raw_text")] = "605项"
        dataset[0] = row
        new = dict.fromkeys(dataset.headers, "")
        new.update(
            {
                "indicator": "x_std",
                "region": "370600",
                "period": "2019",
                "value": "500",
                "comparator": "=",
                "raw_text": "500项",
                "status": "provisional",
                "source_publisher": "甲",
                "source_title": "乙",
                "is_preferred": "1",
            }
        )
        dataset.append([new[h] for h in dataset.headers])
        before = list(Observation.objects.values())
        result = ObservationResource().import_data(
            dataset, dry_run=False, rollback_on_validation_errors=True
        )
        self.assertTrue(result.has_validation_errors())
        self.assertEqual([row.number for row in result.invalid_rows], [1])
        message = " ".join(result.invalid_rows[0].non_field_specific_errors)
        self.assertIn("已有观测值", message)
        self.assertIn("不能改写", message)
        self.assertIn("数值", message)
        self.assertIn("更正", message)
        self.assertEqual(list(Observation.objects.values()), before)

    def test_admin_import_shows_the_refusal_and_offers_no_confirm(self):
        dataset = self.exported()
        row = list(dataset[0])
        row[dataset.headers.index("quote")] = "换了一句引文"
        dataset[0] = row
        self.client.force_login(self.user)
        response = self.client.post(
            reverse("admin:quality_observation_import"),
            {
                "import_file": SimpleUploadedFile(
                    "o.csv", dataset.export("csv").encode("utf-8")
                ),
                "format": "0",
                "resource": "0",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("confirm_form", response.context)
        self.assertContains(response, "不能改写")
        self.observation.refresh_from_db()
        self.assertEqual(self.observation.quote, "共参与制修订604项国家标准")

    def test_status_and_note_of_a_saved_row_may_still_be_imported(self):
        dataset = self.exported()
        row = list(dataset[0])
        row[dataset.headers.index("status")] = "confirmed"
        row[dataset.headers.index("note")] = "已核对"
        dataset[0] = row
        result = ObservationResource().import_data(
            dataset, dry_run=False, rollback_on_validation_errors=True
        )
        self.assertFalse(result.has_errors() or result.has_validation_errors())
        self.observation.refresh_from_db()
        self.assertEqual(
            (self.observation.status, self.observation.note), ("confirmed", "已核对")
        )


class SchemeAndMeasurementStandardImportExportTests(TestCase):
    """社会公用计量标准 and 认证/荣誉项目 import and export like the other registries."""

    @classmethod
    def setUpTestData(cls):
        cls.user = UserFactory(username="registrar", is_staff=True, is_superuser=True)
        region = RegionFactory()
        indicator = IndicatorFactory(code="honours_shandong_brand")
        SchemeFactory(
            name="山东名牌产品",
            issuer="山东省人民政府",
            description="省级名牌",
            indicator=indicator,
        )
        SchemeFactory(
            name="ISO 9001 质量管理体系认证",
            kind=Scheme.Kind.CERTIFICATION,
            level="national",
            issuer="中国质量认证中心",
            approval_number="CNCA-R-2002-001",
        )
        organisation = OrganisationFactory(name="烟台市计量测试所")
        MeasurementStandard.objects.create(
            name="精密压力表标准装置",
            certificate_number="[2015]鲁量标烟证字第001号",
            organisation=organisation,
            region=region,
            measuring_range="(-0.1~60)MPa",
            approved_on=date(2015, 3, 1),
            valid_to=date(2025, 2, 28),
        )
        MeasurementStandard.objects.create(name="出租汽车计价器检定装置")

    def setUp(self):
        self.client.force_login(self.user)

    def scheme_rows(self):
        return sorted(
            Scheme.objects.values_list(
                "name",
                "kind",
                "level",
                "issuer",
                "approval_number",
                "description",
                "indicator__code",
            )
        )

    def measurement_rows(self):
        return sorted(
            MeasurementStandard.objects.values_list(
                "name",
                "certificate_number",
                "level",
                "organisation__name",
                "region__code",
                "measuring_range",
                "approved_on",
                "valid_to",
            )
        )

    def round_trip(self, resource_class, model, rows, fmt, drop_id):
        before = rows()
        exported = resource_class().export()
        if drop_id:
            del exported["id"]
        data = exported.export(fmt)
        model.objects.all().delete()
        dataset = tablib.Dataset().load(data, format=fmt)
        result = resource_class().import_data(
            dataset, dry_run=False, rollback_on_validation_errors=True
        )
        self.assertFalse(result.has_errors() or result.has_validation_errors())
        self.assertEqual(rows(), before)

    def test_round_trips(self):
        for fmt in ("csv", "xlsx"):
            with self.subTest(model="Scheme", fmt=fmt):
                self.round_trip(
                    SchemeResource, Scheme, self.scheme_rows, fmt, drop_id=False
                )
            with self.subTest(model="MeasurementStandard", fmt=fmt):
                self.round_trip(
                    MeasurementStandardResource,
                    MeasurementStandard,
                    self.measurement_rows,
                    fmt,
                    drop_id=True,
                )

    def test_admin_pages_offer_import_and_export(self):
        for name in ("scheme", "measurementstandard"):
            with self.subTest(model=name):
                for view in ("import", "export"):
                    url = reverse(f"admin:quality_{name}_{view}")
                    self.assertEqual(self.client.get(url).status_code, 200)
                changelist = self.client.get(
                    reverse(f"admin:quality_{name}_changelist")
                )
                self.assertContains(changelist, reverse(f"admin:quality_{name}_import"))

    def test_bad_row_imports_nothing(self):
        dataset = tablib.Dataset(
            headers=["name", "level", "organisation", "region", "valid_to"]
        )
        dataset.append(["长度标准装置", "municipal", "烟台市计量测试所", "370600", ""])
        dataset.append(["温度标准装置", "municipal", "不存在的单位", "370600", ""])
        result = MeasurementStandardResource().import_data(
            dataset, dry_run=False, rollback_on_validation_errors=True
        )
        self.assertTrue(result.has_validation_errors())
        self.assertIn("没有单位“不存在的单位”", str(result.invalid_rows[0].error_dict))
        self.assertEqual(MeasurementStandard.objects.count(), 2)

        dataset = tablib.Dataset(headers=["name", "kind", "level"])
        dataset.append(["好品山东", "honour", "provincial"])
        dataset.append(["无类别项目", "prize", "provincial"])
        result = SchemeResource().import_data(
            dataset, dry_run=False, rollback_on_validation_errors=True
        )
        self.assertTrue(result.has_validation_errors())
        self.assertEqual(Scheme.objects.count(), 2)
