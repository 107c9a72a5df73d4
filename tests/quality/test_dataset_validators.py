"""The whole-dataset CSV (/quality/data.csv) carries an ETag and Last-Modified of the
data's state (quality.views.dataset_validators): a client holding the current file
gets 304 without a row being read, and any change of a row it holds — an
observation edited, a cited article withdrawn — gives a new ETag, under which the
old one gets the file again."""

from __future__ import annotations

import io

from django.test import TestCase
from django.urls import reverse

from news.workflow import article_unpublish
from quality.bulk_import import observations_import
from quality.models import Observation
from tests.factories import ArticleFactory, UserFactory

from .factories import IndicatorFactory, ObservationFactory, RegionFactory

QUOTE = "全市新增山东名牌产品181个"
CSV = "/quality/data.csv"


class DatasetCsvValidatorTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = UserFactory(is_staff=True, is_superuser=True)
        cls.article = ArticleFactory(
            title="烟台新增山东名牌产品181个", body=f"<p>{QUOTE}。</p>"
        )
        indicator = IndicatorFactory(code="brands")
        cls.cited = ObservationFactory(
            indicator=indicator,
            region=RegionFactory(),
            article=cls.article,
            quote=QUOTE,
            source_publisher="",
            source_title="",
        )
        cls.other = ObservationFactory(indicator=IndicatorFactory(code="other"))

    def download(self, path=CSV, **headers):
        response = self.client.get(path, headers=headers)
        if response.status_code == 200:
            response.body = b"".join(response.streaming_content).decode("utf-8-sig")
        return response

    def test_the_csv_has_an_etag_and_last_modified_and_304_for_them(self):
        first = self.download()
        self.assertEqual(first.status_code, 200)
        self.assertIn(QUOTE, first.body)
        etag, modified = first["ETag"], first["Last-Modified"]
        self.assertTrue(etag.startswith('"'))
        # The validator's one query (the cited articles public now), then next_change()
        # for the page's lifetime, read from the cache: no row of the file is read.
        with self.assertNumQueries(1):
            again = self.client.get(CSV, headers={"if-none-match": etag})
        self.assertEqual(again.status_code, 304)
        self.assertEqual(again.content, b"")
        self.assertEqual(again["ETag"], etag)
        self.assertIn("public", again["Cache-Control"])
        since = self.client.get(CSV, headers={"if-modified-since": modified})
        self.assertEqual(since.status_code, 304)
        # Same state, same validators.
        self.assertEqual(self.download()["ETag"], etag)

    def test_an_edited_observation_gives_a_new_etag(self):
        etag = self.download()["ETag"]
        with self.captureOnCommitCallbacks(execute=True):
            self.other.status = "confirmed"
            self.other.save(update_fields=["status"])
        fresh = self.download(**{"if-none-match": etag})
        self.assertEqual(fresh.status_code, 200)
        self.assertNotEqual(fresh["ETag"], etag)
        self.assertIn("confirmed", fresh.body)

    def test_a_withdrawn_cited_article_gives_a_new_etag(self):
        held = self.download()
        with self.captureOnCommitCallbacks(execute=True):
            article_unpublish(article=self.article, by=self.editor)
        fresh = self.download(
            **{
                "if-none-match": held["ETag"],
                "if-modified-since": held["Last-Modified"],
            }
        )
        self.assertEqual(fresh.status_code, 200)
        self.assertNotEqual(fresh["ETag"], held["ETag"])
        self.assertNotIn(QUOTE, fresh.body)

    def test_each_language_has_its_own_etag(self):
        chinese = self.download()["ETag"]
        english = self.download(reverse("quality:dataset-csv").replace("/", "/en/", 1))
        self.assertEqual(english.status_code, 200)
        self.assertNotEqual(english["ETag"], chinese)


XLSX = "/quality/data.xlsx"


class XlsxValidatorTests(TestCase):
    """The workbooks carry validators of the data's state too (openpyxl stamps each
    one with the second it was written, so a hash of the body would change every
    second): a client holding the current file gets 304, with the Cache-Control a
    200 gets, before a row is read or the workbook built."""

    @classmethod
    def setUpTestData(cls):
        region = RegionFactory()
        cls.brands = IndicatorFactory(code="brands")
        cls.observation = ObservationFactory(indicator=cls.brands, region=region)
        cls.other = ObservationFactory(indicator=IndicatorFactory(code="other"))

    def held(self, path):
        first = self.client.get(path)
        self.assertEqual(first.status_code, 200)
        body = b"".join(first.streaming_content)
        self.assertTrue(body.startswith(b"PK"))  # a workbook
        self.assertTrue(first["ETag"].startswith('"'))
        self.assertIn("Last-Modified", first)
        return first

    def assertNotModified(self, path, first, queries):
        with self.assertNumQueries(queries):
            again = self.client.get(path, headers={"if-none-match": first["ETag"]})
        self.assertEqual(again.status_code, 304)
        self.assertEqual(again.content, b"")
        self.assertEqual(again["ETag"], first["ETag"])
        self.assertEqual(again["Last-Modified"], first["Last-Modified"])
        self.assertEqual(again["Cache-Control"], first["Cache-Control"])
        self.assertIn("public", again["Cache-Control"])
        self.assertEqual(again.get("Vary"), first.get("Vary"))
        since = self.client.get(
            path, headers={"if-modified-since": first["Last-Modified"]}
        )
        self.assertEqual(since.status_code, 304)
        self.assertEqual(since["Cache-Control"], first["Cache-Control"])

    def test_the_dataset_xlsx_has_validators_and_304_unbuilt(self):
        first = self.held(XLSX)
        # The validator's one query (the cited articles public now): no row, no
        # indicator read, no workbook.
        self.assertNotModified(XLSX, first, 1)
        self.assertEqual(self.held(XLSX)["ETag"], first["ETag"])
        # A logged-in reader's 304 is private, as its 200 is.
        self.client.force_login(UserFactory())
        private = self.client.get(XLSX)
        again = self.client.get(XLSX, headers={"if-none-match": private["ETag"]})
        self.assertEqual(again.status_code, 304)
        self.assertEqual(again["Cache-Control"], private["Cache-Control"])
        self.assertIn("private", again["Cache-Control"])

    def test_an_edited_observation_gives_the_dataset_xlsx_a_new_etag(self):
        etag = self.held(XLSX)["ETag"]
        with self.captureOnCommitCallbacks(execute=True):
            self.other.note = "改过"
            self.other.save(update_fields=["note"])
        fresh = self.client.get(XLSX, headers={"if-none-match": etag})
        self.assertEqual(fresh.status_code, 200)
        self.assertNotEqual(fresh["ETag"], etag)

    def test_an_indicators_xlsx_has_validators_of_its_own_data(self):
        path = reverse("quality:indicator-xlsx", args=["brands"])
        first = self.held(path)
        # The indicator, the articles its values cite: no value read, no workbook.
        self.assertNotModified(path, first, 2)
        # Another indicator's value edited: still current.
        with self.captureOnCommitCallbacks(execute=True):
            self.other.note = "改过"
            self.other.save(update_fields=["note"])
        self.assertNotModified(path, first, 2)
        # Its own edited: a new ETag, and the file.
        with self.captureOnCommitCallbacks(execute=True):
            self.observation.note = "改过"
            self.observation.save(update_fields=["note"])
        fresh = self.client.get(path, headers={"if-none-match": first["ETag"]})
        self.assertEqual(fresh.status_code, 200)
        self.assertNotEqual(fresh["ETag"], first["ETag"])
        # A region renamed changes what every file prints.
        with self.captureOnCommitCallbacks(execute=True):
            self.observation.region.name = "烟台"
            self.observation.region.save()
        renamed = self.client.get(path, headers={"if-none-match": fresh["ETag"]})
        self.assertEqual(renamed.status_code, 200)

    def test_a_value_moved_to_another_indicator_changes_both_files(self):
        # The admin's form and the import-export may change a value's indicator:
        # the file it left loses a row, as the one it joined gains one.
        brands = reverse("quality:indicator-xlsx", args=["brands"])
        other = reverse("quality:indicator-xlsx", args=["other"])
        held = {path: self.held(path) for path in (brands, other)}
        moved = Observation.objects.get(pk=self.observation.pk)
        with self.captureOnCommitCallbacks(execute=True):
            moved.indicator = self.other.indicator
            moved.is_preferred = False  # "other" has its preferred value
            moved.save()
        for path in (brands, other):
            with self.subTest(path=path):
                fresh = self.client.get(
                    path, headers={"if-none-match": held[path]["ETag"]}
                )
                self.assertEqual(fresh.status_code, 200)
                self.assertNotEqual(fresh["ETag"], held[path]["ETag"])

    def test_a_hidden_indicators_xlsx_is_404_whatever_the_etag(self):
        path = reverse("quality:indicator-xlsx", args=["brands"])
        etag = self.held(path)["ETag"]
        with self.captureOnCommitCallbacks(execute=True):
            self.brands.is_public = False
            self.brands.save()
        self.assertEqual(
            self.client.get(path, headers={"if-none-match": etag}).status_code, 404
        )

    def test_a_bulk_import_gives_the_xlsx_of_what_it_wrote_a_new_etag(self):
        brands = reverse("quality:indicator-xlsx", args=["brands"])
        other = reverse("quality:indicator-xlsx", args=["other"])
        held = {path: self.held(path) for path in (brands, other)}
        file = io.BytesIO(
            "indicator,region,period,value,raw_text,source_publisher,source_title\n"
            "brands,370600,2031,181,181个,烟台市市场监督管理局,质量发展统计\n".encode()
        )
        with self.captureOnCommitCallbacks(execute=True):
            result = observations_import(file, name="brands.csv")
        self.assertEqual(result.created, 1)
        fresh = self.client.get(brands, headers={"if-none-match": held[brands]["ETag"]})
        self.assertEqual(fresh.status_code, 200)
        self.assertNotEqual(fresh["ETag"], held[brands]["ETag"])
        self.assertNotModified(other, held[other], 2)
