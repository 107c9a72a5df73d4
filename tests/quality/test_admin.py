"""Admin: every model editable; CSV/XLSX import with dry-run preview and all-or-nothing."""

from datetime import date
from decimal import Decimal

import tablib
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from quality import models as quality_models
from quality.models import Observation, Organisation, SamplingCampaign, Standard
from quality.resources import (
    ObservationResource,
    OrganisationResource,
    SamplingCampaignResource,
    StandardResource,
)
from tests.factories import UserFactory

from .factories import (
    IndicatorFactory,
    ObservationFactory,
    PeriodFactory,
    RegionFactory,
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
                .replace("@2020-12-31", "2020年")
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
