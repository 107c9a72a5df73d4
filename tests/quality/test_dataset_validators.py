"""The whole-dataset CSV (/quality/data.csv) carries an ETag and Last-Modified of the
data's state (quality.views.dataset_validators): a client holding the current file
gets 304 without a row being read, and any change of a row it holds — an
observation edited, a cited article withdrawn — gives a new ETag, under which the
old one gets the file again."""

from __future__ import annotations

from django.test import TestCase
from django.urls import reverse

from news.workflow import article_unpublish
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
