"""The demo never invents a figure: every value it loads is printed in a sentence of a
source kept in this repository (the seed page, or a published text it cites under
``quality/fixtures/sources/``), and every registry row says where it comes from.

The check reads the files themselves, not the demo's own constants, so a figure, a
year or a wording (“以上”, “余”, “超”) that no source prints fails here.
"""

import re
from decimal import Decimal
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.test import TestCase

from news.models import Article, Byline, Image, Tag
from quality.models import (
    Award,
    InspectionCentre,
    MeasurementStandard,
    Observation,
    Organisation,
    SamplingCampaign,
    Scheme,
    Standard,
)
from yantai.text import parse_chinese_number

#: Every registry (quality.models.registries): each row cites its source.
REGISTRY_MODELS = (
    Organisation,
    Scheme,
    Award,
    Standard,
    InspectionCentre,
    MeasurementStandard,
    SamplingCampaign,
)
SEED_FILE = (
    Path(settings.BASE_DIR) / "news" / "fixtures" / "pages" / "000_b5b21bbd38acca12.txt"
)
SOURCES = Path(settings.BASE_DIR) / "quality" / "fixtures" / "sources"
URL_LINE = re.compile(r"^网址：(\S+)$", re.M)
NUMERAL = re.compile(r"[\d.,]+|[〇零一二两三四五六七八九十百千万亿]+")


def seed_text() -> str:
    return SEED_FILE.read_text(encoding="utf-8")


def source_files() -> dict[str, str]:
    """The text of each published source kept in the repository, by its address."""
    texts = {}
    for path in sorted(SOURCES.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        texts[URL_LINE.search(text).group(1)] = text
    return texts


def printed_number(raw_text: str) -> Decimal:
    """The numeral a raw text starts with or holds (“604项”, “六百余项”, “超97%”)."""
    return parse_chinese_number(NUMERAL.search(raw_text).group())


class DemoProvenanceTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("load_demo", stdout=StringIO())
        cls.seed = seed_text()
        cls.sources = source_files()

    def source_of(self, observation: Observation) -> str:
        if observation.article_id:
            return self.seed
        self.assertIn(
            observation.source_url,
            self.sources,
            "an external figure cites a text kept in quality/fixtures/sources/",
        )
        return self.sources[observation.source_url]

    def test_every_observation_is_printed_in_its_source_sentence(self):
        observations = Observation.objects.select_related("indicator")
        self.assertTrue(observations.exists())
        for observation in observations:
            with self.subTest(
                indicator=observation.indicator.code, raw=observation.raw_text
            ):
                self.assertTrue(observation.quote, "every figure shows its sentence")
                self.assertIn(observation.quote, self.source_of(observation))
                self.assertIn(observation.raw_text, observation.quote)
                number = printed_number(observation.raw_text)
                # An exact figure is the number printed; a hedged one (“六百余”,
                # “以上”, “超”) has the printed number as its lower bound.
                self.assertIn(number, (observation.value, observation.lower))

    def test_external_figures_cite_publisher_title_date_and_address(self):
        for observation in Observation.objects.filter(article__isnull=True):
            with self.subTest(raw=observation.raw_text):
                self.assertTrue(observation.source_publisher)
                self.assertTrue(observation.source_title)
                self.assertIsNotNone(observation.source_on)
                text = self.source_of(observation)
                self.assertIn(observation.source_publisher, text)
                self.assertIn(observation.source_title, text)

    def test_the_api_shows_each_figures_sentence_and_source(self):
        response = self.client.get(
            "/api/v1/observations/?page_size=100", HTTP_ACCEPT="application/json"
        )
        self.assertEqual(response.status_code, 200)
        rows = response.json()["results"]
        self.assertEqual(len(rows), Observation.objects.count())
        for row in rows:
            with self.subTest(raw=row["raw_text"]):
                self.assertIn(row["raw_text"], row["quote"])
                self.assertTrue(row["article"] or row["source_url"])

    def test_sampling_campaigns_quote_the_seed_article(self):
        for campaign in SamplingCampaign.objects.all():
            with self.subTest(name=campaign.name):
                self.assertIsNotNone(campaign.article_id)
                self.assertIn(campaign.quote, self.seed)
                self.assertIn(f"{campaign.batches_sampled}批次", campaign.quote)
                if campaign.programme_count is not None:
                    self.assertIn(f"{campaign.programme_count}个", campaign.quote)

    def test_every_scheme_cites_the_sentence_it_comes_from(self):
        """Its source fields name the source and quote it (the API shows them); its
        name and issuer are the ones the quoted sentence prints."""
        texts = [self.seed, *self.sources.values()]
        schemes = Scheme.objects.all()
        self.assertTrue(schemes.exists())
        for scheme in schemes:
            with self.subTest(scheme=scheme.name):
                self.assertTrue(scheme.source_publisher)
                self.assertTrue(scheme.source_title)
                self.assertIsNotNone(scheme.source_on)
                self.assertTrue(any(scheme.quote in text for text in texts))
                self.assertIn(scheme.name, scheme.quote)
                if scheme.issuer:
                    self.assertIn(scheme.issuer, scheme.quote)
                if scheme.source_url:
                    text = self.sources[scheme.source_url]
                    self.assertIn(scheme.source_publisher, text)
                    self.assertIn(scheme.source_title, text)
                    self.assertIn(scheme.quote, text)
                else:  # the seed article, which prints its own title
                    self.assertIn(scheme.source_title, self.seed)
                    self.assertIn(scheme.quote, self.seed)
        response = self.client.get(
            "/api/v1/honour-schemes/", HTTP_ACCEPT="application/json"
        )
        self.assertEqual(response.status_code, 200)
        for row in response.json()["results"]:
            with self.subTest(api=row["name"]):
                self.assertIn(row["name"], row["quote"])
                self.assertTrue(row["source_title"])

    def test_every_registry_row_cites_its_source(self):
        """Each registry row the demo loads names where it was read (a published
        article of the site, or a title or address) and quotes a sentence of that
        source kept in the repository."""
        texts = [self.seed, *self.sources.values()]
        loaded = 0
        for model in REGISTRY_MODELS:
            for row in model.objects.all():
                loaded += 1
                with self.subTest(model=model.__name__, row=str(row)):
                    cites = getattr(row, "article_id", None) or (
                        row.source_title or row.source_url
                    )
                    self.assertTrue(cites, "the row names its source")
                    self.assertTrue(row.quote, "the row quotes its source")
                    self.assertTrue(any(row.quote in text for text in texts))
                    if row.source_url:
                        self.assertIn(row.source_url, self.sources)
        self.assertTrue(loaded)

    def test_no_registry_row_that_no_source_names(self):
        """No source kept here names an organisation (the seed article gives only
        short names: 万华、张裕、鲁花、南山、龙大), an award, a standard, a centre or
        a measurement standard in full: the demo loads none of them rather than
        rows nothing cites."""
        for model in (
            Organisation,
            Award,
            Standard,
            InspectionCentre,
            MeasurementStandard,
        ):
            with self.subTest(model=model.__name__):
                self.assertFalse(model.objects.exists())

    def test_people_tags_and_cover_come_from_the_article(self):
        article = Article.objects.get()
        for byline in Byline.objects.select_related("person"):
            self.assertIn(
                f"{byline.role} {byline.person.name}".strip(),
                self.seed.replace(byline.prefix, ""),
            )
        for tag in Tag.objects.all():
            self.assertIn(tag.name, self.seed)
        cover = Image.objects.get()
        self.assertEqual(article.cover, cover)
        for text in (cover.alt_text, cover.caption, cover.title):
            for figure in re.findall(r"\d+项", text):
                with self.subTest(figure=figure):
                    self.assertIn(figure, self.seed)
