"""The data pages, downloads and registry lists name a value's source article only
while readers may see it: not a draft, a withdrawn, scheduled or expired one."""

from decimal import Decimal

from django.test import TestCase
from django.urls import reverse

from news.models import Article
from quality.services import observation_create
from tests.factories import ArticleFactory

from .factories import IndicatorFactory, RegionFactory


class UnpublishedSourceArticleTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.indicator = IndicatorFactory(code="leak", is_public=True)
        cls.article = ArticleFactory(
            title="尚未发布的秘密稿件",
            source="烟台日报",
            status=Article.Status.PUBLISHED,
            body="<p>全市完成标准制修订600项。</p>",
        )
        observation_create(
            indicator=cls.indicator,
            region=RegionFactory(),
            period="2021",
            value=Decimal("600"),
            raw_text="600项",
            quote="600项",
            article=cls.article,
        )
        # The article is then withdrawn (or was scheduled / expired).
        Article.objects.filter(pk=cls.article.pk).update(
            status=Article.Status.UNPUBLISHED
        )

    def test_api_hides_it(self):
        response = self.client.get("/api/v1/observations/?indicator=leak")
        self.assertEqual(response.json()["results"][0]["article"], None)

    def test_public_pages_and_downloads_hide_it(self):
        urls = [
            reverse("quality:indicator-detail", args=["leak"]),
            reverse("quality:indicator-csv", args=["leak"]),
            reverse("quality:indicator-json", args=["leak"]),
            reverse("quality:dataset-csv"),
        ]
        for url in urls:
            with self.subTest(url=url):
                response = self.client.get(url)
                body = (
                    b"".join(response.streaming_content)
                    if response.streaming
                    else response.content
                ).decode("utf-8-sig")
                self.assertNotIn("尚未发布的秘密稿件", body)
                self.assertNotIn(f"/news/{self.article.pk}/", body)


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
