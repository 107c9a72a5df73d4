"""The data pages that show an article — its source label, link or quoted sentence
(an indicator's page and its downloads, the whole dataset, the 抽检 list) — are
refreshed in nginx and purged from the CDN with the article's own pages when the
article is published, corrected or withdrawn; and an observation's own change
refreshes the pages that show it (quality/frontcache.py, news/frontcache.py).

The nginx and CDN sides are the recording stand-ins of tests/news/test_frontcache.py
(an HTTP server, and the cloud API called through 腾讯云's real SDK)."""

from __future__ import annotations

import io
import tempfile
from datetime import date
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings
from django.urls import reverse

from news import frontcache
from news.models import Article
from news.services import article_update
from news.workflow import article_publish_content, article_unpublish
from quality.models import Indicator, Observation, Period
from tests.api import token_for, user_with_perms
from tests.factories import ArticleFactory, ChannelFactory, UserFactory
from tests.news.test_frontcache import CloudAPI, Recorder, serving

from .factories import (
    IndicatorFactory,
    ObservationFactory,
    PeriodFactory,
    RegionFactory,
    SamplingCampaignFactory,
    SchemeFactory,
    TopicFactory,
    UnitFactory,
)

SITE = "https://quality.example.gov.cn"
QUOTE = "全市新增山东名牌产品181个"
# What saving and deleting an indicator costs without a front-end cache (measured
# before the old addresses were purged: reading them must not add to it).
SAVE_QUERIES = 2
DELETE_QUERIES = 6


def both_languages(*paths: str) -> set[str]:
    return {address for path in paths for address in (path, f"/en{path}")}


def indicator_pages(code: str) -> set[str]:
    base = f"/quality/indicators/{code}"
    return both_languages(
        f"{base}/", f"{base}.csv", f"{base}.json", f"{base}.xlsx", f"{base}.svg"
    )


def data_pages(paths) -> set[str]:
    return {p for p in paths if p.startswith(("/quality/", "/en/quality/"))}


class PurgeStandIns(TestCase):
    """nginx and 腾讯云 CDN stand-ins, named in the settings."""

    def setUp(self):
        self.log: list[tuple[str, str]] = []
        self.nginx, self.api = serving(self, Recorder(self.log), CloudAPI(self.log))
        overridden = override_settings(
            FRONTEND_CACHE_URLS=[self.nginx.url],
            FRONTEND_CACHE_CDN="tencent",
            FRONTEND_CACHE_CDN_ENDPOINT=self.api.url,
            FRONTEND_CACHE_CDN_KEY_ID="AKID-yantai",
            FRONTEND_CACHE_CDN_SECRET="s3cret",
            SITE_URL=SITE,
        )
        overridden.enable()
        self.addCleanup(overridden.disable)

    def purged(self) -> set[str]:
        """The data pages nginx refreshed, checked to be the ones the CDN purged."""
        frontcache.wait(60)
        cdn = {
            unquote(urlsplit(url).path)
            + (f"?{urlsplit(url).query}" if urlsplit(url).query else "")
            for _action, urls, _key in self.api.calls
            for url in urls
        }
        self.assertEqual(cdn, self.nginx.paths())
        return data_pages(self.nginx.paths())


class ArticleChangePurgesDataPagesTests(PurgeStandIns):
    @classmethod
    def setUpTestData(cls):
        cls.editor = UserFactory(is_staff=True, is_superuser=True)
        channel = ChannelFactory(name="质量强市", slug="质量强市")
        cls.article = ArticleFactory(
            title="烟台新增山东名牌产品181个",
            channel=channel,
            body=f"<p>{QUOTE}。</p>",
        )
        region = RegionFactory()
        cited = {"article": cls.article, "quote": QUOTE}
        cited |= {"source_publisher": "", "source_title": ""}
        # Two public indicators show the article: one by its preferred value, one
        # by another wording (listed with its source, never charted).
        ObservationFactory(
            indicator=IndicatorFactory(code="brands"), region=region, **cited
        )
        ObservationFactory(
            indicator=IndicatorFactory(code="brands_other"),
            region=region,
            is_preferred=False,
            **cited,
        )
        # A hidden indicator's pages are 404 whatever the article does.
        ObservationFactory(
            indicator=IndicatorFactory(code="hidden", is_public=False),
            region=region,
            **cited,
        )
        # An unrelated indicator, from an external source.
        ObservationFactory(indicator=IndicatorFactory(code="unrelated"), region=region)
        # The 抽检 list, 50 a page, newest period first: the campaign citing the
        # article is the 51st, on page 2.
        later = PeriodFactory(
            code="2024",
            kind=Period.Kind.YEAR,
            end_on=date(2024, 12, 31),
            start_on=date(2024, 1, 1),
        )
        for _n in range(50):
            SamplingCampaignFactory(period=later)
        SamplingCampaignFactory(article=cls.article, quote=QUOTE)

    def expected(self) -> set[str]:
        return (
            indicator_pages("brands")
            | indicator_pages("brands_other")
            | both_languages(
                "/quality/data.csv", "/quality/data.xlsx", "/quality/sampling/?page=2"
            )
        )

    def test_a_withdrawal_purges_the_data_pages_citing_the_article(self):
        with self.assertNoLogs("news.frontcache", "WARNING"):
            with self.captureOnCommitCallbacks(execute=True):
                article_unpublish(article=self.article, by=self.editor)
            self.assertEqual(self.purged(), self.expected())
        # With the article's own page, in the same calls of the batch size.
        self.assertIn(f"/news/{self.article.pk}/", self.nginx.paths())
        self.assertEqual(len(self.api.calls), 1)

    def test_a_publication_and_a_correction_purge_them_too(self):
        Article.objects.filter(pk=self.article.pk).update(
            status=Article.Status.REVIEW_3
        )
        self.article.refresh_from_db()
        with self.captureOnCommitCallbacks(execute=True):
            article_publish_content(article=self.article, by=self.editor)
        self.assertEqual(self.purged(), self.expected())
        self.nginx.requests.clear()
        self.api.calls.clear()
        # A correction: a draft over the live article, published.
        article_update(
            article=self.article,
            by=self.editor,
            values={"title": "烟台新增山东名牌产品181个（更正）"},
        )
        with self.captureOnCommitCallbacks(execute=True):
            article_publish_content(
                article=self.article, by=self.editor, reviewed=False
            )
        self.assertEqual(self.purged(), self.expected())

    def test_an_article_no_value_cites_purges_no_data_page(self):
        other = ArticleFactory(channel=self.article.channel)
        with self.captureOnCommitCallbacks(execute=True):
            article_unpublish(article=other, by=self.editor)
        self.assertEqual(self.purged(), set())
        self.assertIn(f"/news/{other.pk}/", self.nginx.paths())


class ObservationChangePurgesDataPagesTests(PurgeStandIns):
    @classmethod
    def setUpTestData(cls):
        cls.indicator = IndicatorFactory(code="brands")
        SchemeFactory(indicator=cls.indicator)  # the honours list reports it
        RegionFactory()
        IndicatorFactory(code="unrelated")
        cls.observation = ObservationFactory(indicator=cls.indicator)

    def expected(self) -> set[str]:
        return indicator_pages("brands") | both_languages(
            "/quality/",
            "/quality/data.csv",
            "/quality/data.xlsx",
            "/quality/honours/",
        )

    def test_one_added_through_the_api_purges_its_pages(self):
        staff = user_with_perms(
            "data", "quality.add_observation", "quality.view_observation"
        )
        self.client.defaults["HTTP_AUTHORIZATION"] = f"Token {token_for(staff)}"
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                "/api/v1/observations/",
                {
                    "indicator": "brands",
                    "region": "370600",
                    "period": "2021",
                    "value": "181",
                    "raw_text": "181个",
                    "source_publisher": "烟台市市场监督管理局",
                    "source_title": "烟台市质量发展统计",
                },
                content_type="application/json",
            )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(self.purged(), self.expected())

    def test_one_deleted_in_the_admin_purges_its_pages(self):
        self.client.force_login(UserFactory(is_staff=True, is_superuser=True))
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                reverse("admin:quality_observation_delete", args=[self.observation.pk]),
                {"post": "yes"},
            )
        self.assertEqual(response.status_code, 302)
        self.assertFalse(Observation.objects.filter(pk=self.observation.pk).exists())
        self.assertEqual(self.purged(), self.expected())

    def test_one_moved_to_another_indicator_purges_both_indicators_pages(self):
        # The admin's form lets a value's indicator be changed: the pages of the
        # one it left show it until refreshed, as those of the one it joined lack it.
        moved = Observation.objects.get(pk=self.observation.pk)
        with self.captureOnCommitCallbacks(execute=True):
            moved.indicator = Indicator.objects.get(code="unrelated")
            moved.save()
        self.assertEqual(self.purged(), self.expected() | indicator_pages("unrelated"))

    def test_nothing_is_sent_without_a_front_end_cache(self):
        with (
            override_settings(FRONTEND_CACHE_URLS=[], FRONTEND_CACHE_CDN=""),
            self.captureOnCommitCallbacks(execute=True),
        ):
            self.observation.note = "改备注"
            self.observation.save(update_fields=["note"])
        frontcache.wait(60)
        self.assertEqual(self.nginx.requests, [])
        self.assertEqual(self.api.calls, [])


IMPORT_HEADER = (
    "indicator,region,period,value,raw_text,source_publisher,source_title,is_preferred"
)
# Two indicators' rows; a third indicator ("unrelated") has a value the file leaves.
IMPORT_ROWS = (
    "brands,370600,2021,181,181个,烟台市市场监督管理局,质量发展统计,1",
    "brands,370600,2022,190,190个,烟台市市场监督管理局,质量发展统计,1",
    "awards,370600,2022,12,12项,烟台市市场监督管理局,质量发展统计,1",
)
BAD_IMPORT_ROW = "nope,370600,2022,1,1个,烟台市市场监督管理局,质量发展统计,1"


def import_file(*rows: str) -> bytes:
    return ("\n".join([IMPORT_HEADER, *rows]) + "\n").encode("utf-8")


class BulkWritesPurgeDataPagesTests(PurgeStandIns):
    """The imports write observations without their save signals (bulk_import) or
    one row at a time (import-export): each refreshes every page of the indicators
    it wrote, in one batch at commit, and nothing when it writes nothing."""

    @classmethod
    def setUpTestData(cls):
        cls.root = UserFactory(username="root", is_staff=True, is_superuser=True)
        cls.region = RegionFactory()
        cls.brands = IndicatorFactory(code="brands")
        cls.awards = IndicatorFactory(code="awards")
        ObservationFactory(indicator=IndicatorFactory(code="unrelated"))

    def setUp(self):
        super().setUp()
        folder = tempfile.TemporaryDirectory(prefix="purge-")
        self.addCleanup(folder.cleanup)
        self.folder = Path(folder.name)

    def expected(self) -> set[str]:
        return (
            indicator_pages("brands")
            | indicator_pages("awards")
            | both_languages("/quality/", "/quality/data.csv", "/quality/data.xlsx")
        )

    def assertRefreshedOnce(self, expected: set[str]) -> None:
        self.assertEqual(self.purged(), expected)
        # Each address once, in one call of the CDN's API: one batch a transaction.
        self.assertEqual(len(self.nginx.requests), len(self.nginx.paths()))
        self.assertEqual(len(self.api.calls), 1)

    def command(self, *rows: str, options=()):
        path = self.folder / "observations.csv"
        path.write_bytes(import_file(*rows))
        call_command(
            "import_observations",
            str(path),
            "--no-progress",
            *options,
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )

    def test_import_observations_purges_the_pages_of_what_it_wrote(self):
        with self.captureOnCommitCallbacks(execute=True):
            self.command(*IMPORT_ROWS)
        self.assertEqual(Observation.objects.count(), 4)
        self.assertRefreshedOnce(self.expected())

    def test_a_file_changing_a_saved_value_purges_only_its_indicator(self):
        saved = ObservationFactory(indicator=self.awards, region=self.region)
        path = self.folder / "saved.csv"
        row = [
            saved.pk,
            "awards",
            saved.region.code,
            saved.period.code,
            saved.value,
            saved.raw_text,
            saved.source_publisher,
            saved.source_title,
            saved.quote,
            "confirmed",
            "核实过",
        ]
        path.write_bytes(
            (
                "id,indicator,region,period,value,raw_text,source_publisher,"
                f"source_title,quote,status,note\n{','.join(map(str, row))}\n"
            ).encode()
        )
        with self.captureOnCommitCallbacks(execute=True):
            call_command(
                "import_observations",
                str(path),
                "--no-progress",
                stdout=io.StringIO(),
                stderr=io.StringIO(),
            )
        saved.refresh_from_db()
        self.assertEqual(saved.note, "核实过")
        self.assertRefreshedOnce(
            indicator_pages("awards")
            | both_languages("/quality/", "/quality/data.csv", "/quality/data.xlsx")
        )

    def test_the_admins_bulk_upload_purges_them(self):
        self.client.force_login(self.root)
        upload = SimpleUploadedFile("observations.csv", import_file(*IMPORT_ROWS))
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                reverse("admin:quality_observation_bulk_import"), {"file": upload}
            )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Observation.objects.count(), 4)
        self.assertRefreshedOnce(self.expected())

    def test_a_dry_run_purges_nothing(self):
        with self.captureOnCommitCallbacks(execute=True):
            self.command(*IMPORT_ROWS, options=["--dry-run"])
        self.client.force_login(self.root)
        upload = SimpleUploadedFile("observations.csv", import_file(*IMPORT_ROWS))
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(
                reverse("admin:quality_observation_bulk_import"),
                {"file": upload, "dry_run": "on"},
            )
        self.assertEqual(Observation.objects.count(), 1)
        self.assertEqual(self.purged(), set())
        self.assertEqual(self.api.calls, [])

    def test_a_failed_import_purges_nothing(self):
        with (
            self.captureOnCommitCallbacks(execute=True),
            self.assertRaises(CommandError),
        ):
            self.command(*IMPORT_ROWS, BAD_IMPORT_ROW)
        self.assertEqual(Observation.objects.count(), 1)
        self.assertEqual(self.purged(), set())
        self.assertEqual(self.api.calls, [])
        # Nor does what it would have written ride on the next commit.
        later = IndicatorFactory(code="later")
        with self.captureOnCommitCallbacks(execute=True):
            ObservationFactory(indicator=later, region=self.region)
        self.assertEqual(
            self.purged(),
            indicator_pages("later")
            | both_languages("/quality/", "/quality/data.csv", "/quality/data.xlsx"),
        )

    def test_the_import_export_import_purges_them_at_confirmation(self):
        self.client.force_login(self.root)
        with self.captureOnCommitCallbacks(execute=True):
            preview = self.client.post(
                reverse("admin:quality_observation_import"),
                {
                    "import_file": SimpleUploadedFile(
                        "observations.csv", import_file(*IMPORT_ROWS)
                    ),
                    "format": "0",
                    "resource": "0",
                },
            )
        self.assertEqual(preview.status_code, 200)
        self.assertEqual(self.purged(), set())  # the preview writes nothing
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(
                reverse("admin:quality_observation_process_import"),
                preview.context["confirm_form"].initial,
            )
        self.assertEqual(Observation.objects.count(), 4)
        self.assertRefreshedOnce(self.expected())


class RenamesPurgeDataPagesTests(PurgeStandIns):
    """An indicator, region, period, unit or topic renamed changes what the pages
    of the indicators printing it say: those are refreshed (an indicator's own
    pages even when it was just hidden: they are 404 now)."""

    @classmethod
    def setUpTestData(cls):
        cls.unit = UnitFactory(symbol="个")
        cls.topic = TopicFactory(slug="brands", name="品牌")
        cls.brands = IndicatorFactory(code="brands", unit=cls.unit, topic=cls.topic)
        cls.other_region = RegionFactory(code="370602", name="芝罘区")
        cls.period = PeriodFactory(
            kind=Period.Kind.YEAR,
            start_on=date(2021, 1, 1),
            end_on=date(2021, 12, 31),
        )
        ObservationFactory(indicator=cls.brands, period=cls.period)
        # Another indicator, in another region and period, another unit and topic.
        cls.awards = IndicatorFactory(code="awards")
        ObservationFactory(indicator=cls.awards, region=cls.other_region)
        IndicatorFactory(code="empty")  # no value anywhere

    def pages_of(self, *codes: str) -> set[str]:
        pages = both_languages("/quality/", "/quality/data.csv", "/quality/data.xlsx")
        for code in codes:
            pages |= indicator_pages(code)
        return pages

    def renamed(self, instance, **values) -> set[str]:
        self.nginx.requests.clear()
        self.api.calls.clear()
        with self.captureOnCommitCallbacks(execute=True):
            for name, value in values.items():
                setattr(instance, name, value)
            instance.save()
        return self.purged()

    def test_an_indicator_renamed_or_hidden_purges_its_pages(self):
        self.assertEqual(
            self.renamed(self.brands, name="山东名牌产品数"), self.pages_of("brands")
        )
        self.assertEqual(
            self.renamed(self.brands, is_public=False), self.pages_of("brands")
        )

    def test_a_region_renamed_purges_the_indicators_with_values_in_it(self):
        self.assertEqual(
            self.renamed(self.other_region, name="芝罘"), self.pages_of("awards")
        )

    def test_a_period_changed_purges_the_indicators_with_values_in_it(self):
        self.assertEqual(
            self.renamed(self.period, end_on=date(2021, 12, 30)),
            self.pages_of("brands"),
        )

    def test_a_unit_or_topic_renamed_purges_their_indicators(self):
        self.assertEqual(self.renamed(self.unit, name="家"), self.pages_of("brands"))
        self.assertEqual(self.renamed(self.topic, name="名牌"), self.pages_of("brands"))

    def test_a_region_with_no_value_purges_nothing(self):
        self.assertEqual(
            self.renamed(RegionFactory(code="370611"), name="福山区"), set()
        )


class OldAddressesPurgedTests(PurgeStandIns):
    """An indicator's addresses carry its code: a new code, or its deletion, leaves
    the old addresses in nginx and the CDN unless they are refreshed too (their 404
    replaces the copies)."""

    @classmethod
    def setUpTestData(cls):
        cls.brands = IndicatorFactory(code="brands")
        ObservationFactory(indicator=cls.brands)
        cls.empty = IndicatorFactory(code="empty")  # no value: it can be deleted
        IndicatorFactory(code="unrelated")

    def common(self) -> set[str]:
        return both_languages("/quality/", "/quality/data.csv", "/quality/data.xlsx")

    def test_a_code_change_purges_the_old_and_the_new_addresses(self):
        with self.captureOnCommitCallbacks(execute=True):
            self.brands.code = "brands_sd"
            self.brands.save()
        self.assertEqual(
            self.purged(),
            indicator_pages("brands") | indicator_pages("brands_sd") | self.common(),
        )

    def test_a_deleted_indicator_purges_its_addresses(self):
        with self.captureOnCommitCallbacks(execute=True):
            self.empty.delete()
        self.assertEqual(self.purged(), indicator_pages("empty") | self.common())

    def test_no_query_is_added_without_a_front_end_cache(self):
        with override_settings(FRONTEND_CACHE_URLS=[], FRONTEND_CACHE_CDN=""):
            self.brands.name = "山东名牌产品数"
            with self.assertNumQueries(SAVE_QUERIES):
                self.brands.save()
            with self.assertNumQueries(DELETE_QUERIES):
                self.empty.delete()
