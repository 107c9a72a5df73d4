"""A registry lists its rows in one order everywhere: the public page, the API
(and so its CSV), the admin's list and export, and ``manage.py export``. A
journalist comparing the page with the API sees the same rows in the same order."""

from datetime import date

from django.test import TestCase
from django.urls import reverse

from quality.models import MeasurementStandard, SamplingCampaign
from quality.models.registries import Level
from quality.resources import (
    AwardResource,
    MeasurementStandardResource,
    SamplingCampaignResource,
)
from tests.factories import UserFactory

from .factories import (
    AwardFactory,
    OrganisationFactory,
    PeriodFactory,
    RegionFactory,
    SamplingCampaignFactory,
    SchemeFactory,
)


class RegistryOrderTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.admin = UserFactory(is_staff=True, is_superuser=True)
        region = RegionFactory()
        # Honours: created so that neither id nor year alone gives the page's order.
        b = SchemeFactory(name="山东省服务名牌")
        a = SchemeFactory(name="山东名牌产品")
        for scheme, year, organisation in (
            (b, 2020, "甲公司"),
            (a, 2019, "乙公司"),
            (a, 2020, "丙公司"),
            (b, 2020, "丁公司"),
        ):
            AwardFactory(
                scheme=scheme,
                year=year,
                organisation=OrganisationFactory(name=organisation),
            )
        # Measurement standards: names against levels.
        for name, level in (
            ("甲计量标准", Level.PROVINCIAL),
            ("乙计量标准", Level.MUNICIPAL),
            ("丙计量标准", Level.MUNICIPAL),
        ):
            MeasurementStandard.objects.create(name=name, level=level, region=region)
        # Sampling: one period, categories against ids.
        period = PeriodFactory(
            kind="half", start_on=date(2020, 1, 1), end_on=date(2020, 6, 30)
        )
        for name, category in (
            ("工业产品抽查", SamplingCampaign.Category.INDUSTRIAL),
            ("食品抽检", SamplingCampaign.Category.FOOD),
            ("成品油抽检", SamplingCampaign.Category.GOODS),
        ):
            SamplingCampaignFactory(
                name=name, category=category, period=period, region=region
            )

    def page_ids(self, url) -> list[int]:
        return [row.pk for row in self.client.get(url).context["page_obj"]]

    def api_ids(self, url) -> list[int]:
        return [row["id"] for row in self.client.get(url).json()["results"]]

    def admin_ids(self, name) -> list[int]:
        self.client.force_login(self.admin)
        response = self.client.get(reverse(f"admin:quality_{name}_changelist"))
        self.client.logout()
        return [row.pk for row in response.context["cl"].result_list]

    def export_ids(self, resource) -> list[int]:
        return [int(i) for i in resource.export()["id"]]

    def test_each_registry_in_one_order(self):
        for page, api, admin_name, resource in (
            ("/quality/honours/", "/api/v1/honours/", "award", AwardResource()),
            (
                "/quality/measurement-standards/",
                "/api/v1/measurement-standards/",
                "measurementstandard",
                MeasurementStandardResource(),
            ),
            (
                "/quality/sampling/",
                "/api/v1/sampling-campaigns/",
                "samplingcampaign",
                SamplingCampaignResource(),
            ),
        ):
            with self.subTest(page):
                order = self.page_ids(page)
                self.assertEqual(len(order), len(set(order)))
                self.assertEqual(self.api_ids(api), order, "API")
                self.assertEqual(self.admin_ids(admin_name), order, "admin")
                self.assertEqual(self.export_ids(resource), order, "export")
