"""Every registry row can cite its source as a figure does: publisher, title, date,
address and the quoted sentence. Shown in the admin (fieldset 来源), the API (read,
and write where the registry is writable), the public pages and the exports; an
address that is not http(s), or a quote that names no title or address, is refused
on every path with the row count unchanged."""

from datetime import date

import tablib
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import TestCase
from django.urls import reverse

from news.models import AuditLog
from quality.models import (
    Award,
    InspectionCentre,
    MeasurementStandard,
    Organisation,
    SamplingCampaign,
    Scheme,
    Standard,
)
from quality.resources import InspectionCentreResource, StandardResource
from tests.api import ApiTestCase, token_for, user_with_perms
from tests.factories import ArticleFactory, UserFactory

from .factories import (
    AwardFactory,
    InspectionCentreFactory,
    OrganisationFactory,
    SamplingCampaignFactory,
    SchemeFactory,
    StandardFactory,
)

BAD_URL = "来源网址须以 http:// 或 https:// 开头。"
UNCITED_QUOTE = "引文须注明出处：请同时填写文件标题或来源网址。"

SOURCE = {
    "source_publisher": "烟台市市场监督管理局",
    "source_title": "关于公布2020年度烟台市标准化项目的通知",
    "source_on": date(2020, 12, 20),
    "source_url": "https://www.yantai.gov.cn/notice/2020-12-20.html",
    "quote": "烟台市质检中心承担葡萄酒检验。",
}

REGISTRY_MODELS = (
    Organisation,
    Scheme,
    Award,
    Standard,
    InspectionCentre,
    MeasurementStandard,
    SamplingCampaign,
)


def rows():
    return {
        Organisation: OrganisationFactory.build(name="烟台来源测试有限公司"),
        Scheme: SchemeFactory.build(name="来源测试项目"),
        Award: AwardFactory(),
        Standard: StandardFactory.build(),
        InspectionCentre: InspectionCentreFactory.build(),
        MeasurementStandard: MeasurementStandard(name="来源测试计量标准"),
        SamplingCampaign: SamplingCampaignFactory.build(
            region=SamplingCampaignFactory().region,
            period=SamplingCampaignFactory().period,
        ),
    }


class SourceFieldTests(TestCase):
    def test_every_registry_has_the_observations_source_fields(self):
        for model in REGISTRY_MODELS:
            with self.subTest(model=model.__name__):
                for name, label in (
                    ("source_publisher", "发布机构"),
                    ("source_title", "文件标题"),
                    ("source_on", "发布日期"),
                    ("source_url", "来源网址"),
                    ("quote", "原文引文"),
                ):
                    field = model._meta.get_field(name)
                    self.assertEqual(str(field.verbose_name), label)
                    self.assertTrue(str(field.help_text))

    def test_a_row_with_a_full_source_or_none_is_valid(self):
        for model, row in rows().items():
            with self.subTest(model=model.__name__):
                row.full_clean(validate_unique=False)
                for name, value in SOURCE.items():
                    setattr(row, name, value)
                row.full_clean(validate_unique=False)

    def test_an_address_other_than_http_is_refused(self):
        for model, row in rows().items():
            for url in ("ftp://example.com/list.txt", "javascript:alert(1)"):
                with self.subTest(model=model.__name__, url=url):
                    row.source_title = SOURCE["source_title"]
                    row.source_url = url
                    with self.assertRaises(ValidationError) as caught:
                        row.full_clean(validate_unique=False)
                    self.assertIn(BAD_URL, caught.exception.message_dict["source_url"])

    def test_a_quote_without_title_or_address_is_refused(self):
        for model, row in rows().items():
            with self.subTest(model=model.__name__):
                row.source_publisher = SOURCE["source_publisher"]
                row.quote = SOURCE["quote"]
                with self.assertRaises(ValidationError) as caught:
                    row.full_clean(validate_unique=False)
                self.assertIn(UNCITED_QUOTE, caught.exception.message_dict["quote"])
                row.source_url = SOURCE["source_url"]  # an address is enough
                row.full_clean(validate_unique=False)

    def test_a_campaign_quoting_its_article_needs_no_external_source(self):
        article = ArticleFactory(body="<p>烟台市质检中心承担葡萄酒检验。</p>")
        campaign = SamplingCampaignFactory.build(
            region=SamplingCampaignFactory().region,
            period=SamplingCampaignFactory().period,
            article=article,
            quote=SOURCE["quote"],
        )
        campaign.full_clean(validate_unique=False)


class DatabaseSourceRuleTests(TestCase):
    """The same two rules are the database's (migration quality 0013): a path that
    skips validation (``QuerySet.update()``, a script) is refused too, and the row
    stays as it was."""

    def saved_rows(self):
        for model, row in rows().items():
            if row.pk is None:
                if isinstance(row, SamplingCampaign):
                    row.region.save()
                    row.period.save()
                row.save()
            yield model, row

    def assert_refused(self, model, pk, **values):
        before = model.objects.filter(pk=pk).values(*SOURCE).get()
        with self.assertRaises(IntegrityError), transaction.atomic():
            model.objects.filter(pk=pk).update(**values)
        self.assertEqual(model.objects.filter(pk=pk).values(*SOURCE).get(), before)

    def test_update_cannot_store_an_address_other_than_http(self):
        for model, row in self.saved_rows():
            for url in ("ftp://example.com/list.txt", "javascript:alert(1)"):
                with self.subTest(model=model.__name__, url=url):
                    self.assert_refused(model, row.pk, source_url=url)
            with self.subTest(model=model.__name__, url="HTTPS://"):
                model.objects.filter(pk=row.pk).update(
                    source_url="HTTPS://WWW.YANTAI.GOV.CN/"  # as the validator: any case
                )

    def test_update_cannot_store_an_uncited_quote(self):
        for model, row in self.saved_rows():
            with self.subTest(model=model.__name__):
                self.assert_refused(
                    model, row.pk, quote=SOURCE["quote"], source_title="", source_url=""
                )
                model.objects.filter(pk=row.pk).update(
                    quote=SOURCE["quote"], source_url=SOURCE["source_url"]
                )

    def test_a_campaigns_article_cites_its_quote_in_the_database_too(self):
        campaign = SamplingCampaignFactory(article=ArticleFactory())
        SamplingCampaign.objects.filter(pk=campaign.pk).update(quote=SOURCE["quote"])
        self.assertEqual(
            SamplingCampaign.objects.get(pk=campaign.pk).quote, SOURCE["quote"]
        )

    def test_validation_names_the_field_once(self):
        """full_clean's field message stands alone: the constraint, on the same
        field, is not checked again."""
        row = rows()[InspectionCentre]
        row.quote = SOURCE["quote"]
        row.source_url = "ftp://example.com/"
        with self.assertRaises(ValidationError) as caught:
            row.full_clean(validate_unique=False)
        errors = caught.exception.message_dict
        self.assertEqual(errors["source_url"], [BAD_URL])
        self.assertNotIn("__all__", errors)


class AdminSourceTests(TestCase):
    url = reverse("admin:quality_inspectioncentre_add")

    def setUp(self):
        self.client.force_login(UserFactory(is_staff=True, is_superuser=True))

    def form(self, **changes):
        data = {
            "name": "国家葡萄酒质量检验检测中心",
            "level": "national",
            "domain": "葡萄酒",
            "cma_number": "",
            "cnas_number": "",
            "region": "",
            "organisation": "",
            "source_publisher": "",
            "source_title": "",
            "source_on": "",
            "source_url": "",
            "quote": "",
        }
        data.update(changes)
        return data

    def test_the_form_groups_the_source_under_its_fieldset(self):
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        fieldsets = {
            str(name): options["fields"]
            for name, options in response.context["adminform"].fieldsets
        }
        self.assertEqual(
            fieldsets["来源"],
            ("source_publisher", "source_title", "source_on", "source_url", "quote"),
        )

    def test_add_with_a_source(self):
        response = self.client.post(
            self.url, self.form(**{**SOURCE, "source_on": "2020-12-20"})
        )
        self.assertEqual(response.status_code, 302)
        centre = InspectionCentre.objects.get()
        for name, value in SOURCE.items():
            self.assertEqual(getattr(centre, name), value)

    def test_add_without_a_source(self):
        response = self.client.post(self.url, self.form())
        self.assertEqual(response.status_code, 302)
        self.assertEqual(InspectionCentre.objects.get().source_url, "")

    def test_bad_address_and_uncited_quote_are_refused_beside_the_field(self):
        for changes, field, message in (
            ({"source_url": "ftp://example.com/a"}, "source_url", BAD_URL),
            ({"quote": SOURCE["quote"]}, "quote", UNCITED_QUOTE),
        ):
            with self.subTest(field=field):
                response = self.client.post(self.url, self.form(**changes))
                self.assertEqual(response.status_code, 200)
                errors = response.context["adminform"].form.errors
                self.assertIn(message, errors[field])
                self.assertFalse(InspectionCentre.objects.exists())


class ApiSourceReadTests(ApiTestCase):
    def test_each_registry_endpoint_shows_the_source(self):
        source = {**SOURCE, "quote": SOURCE["quote"]}
        OrganisationFactory(**source)
        SchemeFactory(**source)
        AwardFactory(**source)
        StandardFactory(**source)
        InspectionCentreFactory(**source)
        MeasurementStandard.objects.create(name="长度计量标准", **source)
        SamplingCampaignFactory(**source)
        for url in (
            "/api/v1/organisations/",
            "/api/v1/honour-schemes/",
            "/api/v1/honours/",
            "/api/v1/standards/",
            "/api/v1/inspection-centres/",
            "/api/v1/measurement-standards/",
            "/api/v1/sampling-campaigns/",
        ):
            with self.subTest(url=url):
                response = self.client.get(url, HTTP_ACCEPT="application/json")
                self.assertEqual(response.status_code, 200)
                row = response.json()["results"][0]
                self.assertEqual(row["source_publisher"], SOURCE["source_publisher"])
                self.assertEqual(row["source_title"], SOURCE["source_title"])
                self.assertEqual(row["source_on"], "2020-12-20")
                self.assertEqual(row["source_url"], SOURCE["source_url"])
                self.assertEqual(row["quote"], SOURCE["quote"])

    def test_the_schema_describes_the_source(self):
        response = self.client.get("/api/schema/", {"format": "json"})
        self.assertEqual(response.status_code, 200)
        schemas = response.json()["components"]["schemas"]
        for name in ("Standard", "InspectionCentre", "Organisation"):
            with self.subTest(name=name):
                properties = schemas[name]["properties"]
                for field in (
                    "source_publisher",
                    "source_title",
                    "source_on",
                    "source_url",
                    "quote",
                ):
                    self.assertTrue(properties[field]["description"])
                # An empty address is allowed: not declared a URI.
                self.assertNotIn("format", properties["source_url"])
        writes = {
            name: schema
            for name, schema in schemas.items()
            if name.startswith(("StandardWrite", "HonourWrite"))
        }
        self.assertTrue(writes)
        for name, schema in writes.items():
            with self.subTest(name=name):
                self.assertIn("source_url", schema["properties"])


class ApiSourceWriteTests(ApiTestCase):
    url = "/api/v1/standards/"

    @classmethod
    def setUpTestData(cls):
        cls.staff = user_with_perms(
            "staff", "quality.add_standard", "quality.view_standard"
        )
        cls.reader = user_with_perms("reader", "quality.view_standard")

    def payload(self, **changes):
        data = {
            "code": "GB/T 12345-2020",
            "title": "葡萄酒",
            "kind": "national",
            **SOURCE,
            "source_on": "2020-12-20",
        }
        data.update(changes)
        return data

    def post(self, **changes):
        return self.client.post(self.url, self.payload(**changes), format="json")

    def test_permissions_then_the_source_is_written(self):
        self.assertEqual(self.post().status_code, 401)
        self.auth(token_for(self.reader))
        self.assertEqual(self.post().status_code, 403)
        self.assertFalse(Standard.objects.exists())
        self.auth(token_for(self.staff))
        response = self.post()
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response.json()["source_url"], SOURCE["source_url"])
        standard = Standard.objects.get()
        for name, value in SOURCE.items():
            self.assertEqual(getattr(standard, name), value)

    def test_bad_address_and_uncited_quote_are_400(self):
        self.auth(token_for(self.staff))
        for changes, field, message in (
            ({"source_url": "ftp://example.com/a"}, "source_url", BAD_URL),
            ({"source_url": "", "source_title": ""}, "quote", UNCITED_QUOTE),
        ):
            with self.subTest(field=field):
                response = self.post(**changes)
                self.assertEqual(response.status_code, 400, response.content)
                self.assertIn(message, " ".join(response.json()[field]))
        self.assertFalse(Standard.objects.exists())
        self.assertFalse(AuditLog.objects.exists())

    def test_an_honour_is_written_with_its_source(self):
        staff = user_with_perms("honours", "quality.add_award", "quality.view_award")
        self.auth(token_for(staff))
        response = self.client.post(
            "/api/v1/honours/",
            {
                "scheme": SchemeFactory().pk,
                "organisation": OrganisationFactory().pk,
                **SOURCE,
                "source_on": "2020-12-20",
            },
            format="json",
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(Award.objects.get().source_title, SOURCE["source_title"])


class PublicPageSourceTests(TestCase):
    def test_each_page_links_the_source_and_shows_nothing_when_empty(self):
        scheme = SchemeFactory()
        certification = SchemeFactory(
            name="ISO 9001", kind=Scheme.Kind.CERTIFICATION, level="national"
        )
        cited = {**SOURCE, "source_title": "有来源的条目"}
        pages = {
            "/quality/honours/": (lambda **kw: AwardFactory(scheme=scheme, **kw),),
            "/quality/certifications/": (
                lambda **kw: AwardFactory(scheme=certification, **kw),
            ),
            "/quality/standards/": (StandardFactory,),
            "/quality/inspection-centres/": (InspectionCentreFactory,),
            "/quality/measurement-standards/": (
                lambda **kw: MeasurementStandard.objects.create(
                    name=f"计量标准{MeasurementStandard.objects.count()}", **kw
                ),
            ),
            "/quality/sampling/": (SamplingCampaignFactory,),
        }
        for url, (make,) in pages.items():
            with self.subTest(url=url):
                make()
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                self.assertNotContains(response, SOURCE["source_url"])
                make(**cited)
                response = self.client.get(url)
                self.assertContains(
                    response,
                    f'<a href="{SOURCE["source_url"]}"',
                    count=1,
                )
                self.assertContains(response, "烟台市市场监督管理局《有来源的条目》")


class ExportImportSourceTests(TestCase):
    def test_exports_carry_the_source_columns(self):
        StandardFactory(**SOURCE)
        data = StandardResource().export()
        for name in ("source_publisher", "source_title", "source_url", "quote"):
            self.assertIn(name, data.headers)
        row = dict(zip(data.headers, data[0], strict=True))
        self.assertEqual(row["source_url"], SOURCE["source_url"])

    def test_an_import_with_a_bad_address_writes_nothing(self):
        dataset = tablib.Dataset(
            headers=["name", "level", "source_title", "source_url"]
        )
        dataset.append(["新中心", "national", "通知", "ftp://example.com/a"])
        result = InspectionCentreResource().import_data(dataset, dry_run=False)
        self.assertTrue(result.has_validation_errors())
        self.assertFalse(InspectionCentre.objects.exists())
