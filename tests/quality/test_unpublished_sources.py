"""The data pages, downloads, API and registry lists name a value's source article,
and print the sentence quoted from it, only while readers may see the article: not a
draft, a withdrawn, scheduled or expired one."""

import io
from decimal import Decimal

from django.test import TestCase
from django.urls import reverse
from openpyxl import load_workbook

from news.models import Article
from quality.models import Observation
from quality.services import observation_create
from tests.factories import ArticleFactory, UserFactory

from .factories import IndicatorFactory, RegionFactory

# A sentence of the article, quoted by the observation that cites it.
SECRET_QUOTE = "全市尚未公布的抽检共发现不合格产品600项"


def response_text(response) -> str:
    """What a page or download says, as text (an XLSX's every cell)."""
    body = (
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    if body.startswith(b"PK"):
        workbook = load_workbook(io.BytesIO(body))
        return "\n".join(
            str(value)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
    return body.decode("utf-8-sig")


class UnpublishedSourceArticleTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.indicator = IndicatorFactory(code="leak", is_public=True)
        cls.article = ArticleFactory(
            title="尚未发布的秘密稿件",
            source="烟台日报",
            status=Article.Status.PUBLISHED,
            body=f"<p>{SECRET_QUOTE}。</p>",
        )
        cls.observation = observation_create(
            indicator=cls.indicator,
            region=RegionFactory(),
            period="2021",
            value=Decimal("600"),
            raw_text="600项",
            quote=SECRET_QUOTE,
            article=cls.article,
        )
        # The article is then withdrawn (or was scheduled / expired).
        Article.objects.filter(pk=cls.article.pk).update(
            status=Article.Status.UNPUBLISHED
        )

    def test_api_hides_it(self):
        response = self.client.get("/api/v1/observations/?indicator=leak")
        self.assertEqual(response.json()["results"][0]["article"], None)

    def test_api_hides_its_quote(self):
        listed = self.client.get("/api/v1/observations/?indicator=leak").json()
        self.assertEqual(listed["results"][0]["quote"], "")
        detail = self.client.get(f"/api/v1/observations/{self.observation.pk}/")
        self.assertEqual(detail.json()["quote"], "")
        for url in [
            "/api/v1/observations/?indicator=leak&format=csv",
            f"/api/v1/observations/{self.observation.pk}/?format=csv",
        ]:
            with self.subTest(url=url):
                self.assertNotIn(SECRET_QUOTE, response_text(self.client.get(url)))

    def test_public_pages_and_downloads_hide_it(self):
        urls = [
            reverse("quality:indicator-detail", args=["leak"]),
            reverse("quality:indicator-csv", args=["leak"]),
            reverse("quality:indicator-json", args=["leak"]),
            reverse("quality:indicator-xlsx", args=["leak"]),
            reverse("quality:dataset-csv"),
            reverse("quality:dataset-xlsx"),
        ]
        for url in urls:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                body = response_text(response)
                self.assertIn("600", body)
                self.assertNotIn("尚未发布的秘密稿件", body)
                self.assertNotIn(f"/news/{self.article.pk}/", body)
                self.assertNotIn(SECRET_QUOTE, body)

    def test_the_quote_shows_again_once_the_article_is_public(self):
        Article.objects.filter(pk=self.article.pk).update(
            status=Article.Status.PUBLISHED
        )
        api = self.client.get(f"/api/v1/observations/{self.observation.pk}/").json()
        self.assertEqual(api["quote"], SECRET_QUOTE)
        for url in [
            reverse("quality:indicator-detail", args=["leak"]),
            reverse("quality:indicator-csv", args=["leak"]),
            reverse("quality:dataset-csv"),
            reverse("quality:dataset-xlsx"),
        ]:
            with self.subTest(url=url):
                self.assertIn(SECRET_QUOTE, response_text(self.client.get(url)))

    def test_staff_still_see_the_quote_in_the_admin(self):
        self.client.force_login(
            UserFactory(username="chief", is_staff=True, is_superuser=True)
        )
        response = self.client.get(
            reverse("admin:quality_observation_change", args=[self.observation.pk])
        )
        self.assertContains(response, SECRET_QUOTE)

    def test_a_quote_of_an_external_source_is_shown(self):
        observation = Observation.objects.get(pk=self.observation.pk)
        observation.pk = None
        observation.article = None
        observation.source_publisher = "烟台市市场监督管理局"
        observation.source_title = "统计公报"
        observation.quote = "外部来源的原句"
        observation.is_preferred = False
        observation.save()
        api = self.client.get(f"/api/v1/observations/{observation.pk}/").json()
        self.assertEqual(api["quote"], "外部来源的原句")
        csv = response_text(self.client.get(reverse("quality:dataset-csv")))
        self.assertIn("外部来源的原句", csv)


class SamplingListSourceArticleTests(TestCase):
    def test_sampling_list_hides_an_unpublished_source_article(self):
        from .factories import SamplingCampaignFactory

        article = ArticleFactory(title="抽检未发布稿件", status=Article.Status.DRAFT)
        SamplingCampaignFactory(article=article)
        # The API already hides it (serializers.SamplingCampaignSerializer).
        api = self.client.get("/api/v1/sampling-campaigns/").json()
        self.assertIsNone(api["results"][0]["article"])
        response = self.client.get(reverse("quality:sampling-list"))
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "抽检未发布稿件")

    def test_sampling_api_hides_the_quote_of_an_unpublished_article(self):
        from .factories import SamplingCampaignFactory

        draft = ArticleFactory(
            status=Article.Status.DRAFT, body=f"<p>{SECRET_QUOTE}</p>"
        )
        SamplingCampaignFactory(name="草稿抽检", article=draft, quote=SECRET_QUOTE)
        SamplingCampaignFactory(
            name="公开抽检",
            article=None,
            quote="外部来源的原句",
            source_title="外部来源",  # a quote names where it was read
        )
        rows = self.client.get("/api/v1/sampling-campaigns/").json()["results"]
        quotes = {row["name"]: row["quote"] for row in rows}
        self.assertEqual(quotes, {"草稿抽检": "", "公开抽检": "外部来源的原句"})
        csv = self.client.get("/api/v1/sampling-campaigns/?format=csv")
        self.assertNotIn(SECRET_QUOTE, response_text(csv))
        draft.status = Article.Status.PUBLISHED
        draft.save()
        rows = self.client.get("/api/v1/sampling-campaigns/").json()["results"]
        self.assertIn(SECRET_QUOTE, [row["quote"] for row in rows])


class PublishedSourceArticleTests(TestCase):
    def test_a_public_source_article_is_named_and_linked(self):
        indicator = IndicatorFactory(code="shown", is_public=True)
        article = ArticleFactory(
            title="已发布的来源稿件",
            source="烟台日报",
            body="<p>全市完成标准制修订600项。</p>",
        )
        observation_create(
            indicator=indicator,
            region=RegionFactory(),
            period="2021",
            value=Decimal("600"),
            raw_text="600项",
            quote="600项",
            article=article,
        )
        page = self.client.get(reverse("quality:indicator-detail", args=["shown"]))
        self.assertContains(page, "烟台日报《已发布的来源稿件》")
        self.assertContains(page, f'href="/news/{article.pk}/"')
