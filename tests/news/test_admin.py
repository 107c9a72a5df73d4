from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Permission
from django.test import TestCase

from news.models import Article
from tests.factories import (
    ArticleFactory,
    BylineFactory,
    ChannelFactory,
    UserFactory,
    staff_in_group,
)

SEED = (
    Path(settings.BASE_DIR) / "news" / "fixtures" / "pages" / "000_b5b21bbd38acca12.txt"
)


class AdminSmokeTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.admin = UserFactory(username="root", is_staff=True, is_superuser=True)
        cls.article = ArticleFactory()
        BylineFactory(article=cls.article)

    def setUp(self):
        self.client.force_login(self.admin)

    def test_every_news_admin_page_opens(self):
        for model in ["channel", "tag", "person", "image", "article"]:
            for suffix in ["", "add/"]:
                url = f"/admin/news/{model}/{suffix}"
                with self.subTest(url=url):
                    self.assertEqual(self.client.get(url).status_code, 200)
        response = self.client.get(f"/admin/news/article/{self.article.pk}/change/")
        self.assertContains(response, "署名")
        self.assertContains(response, "北京时间")

    def test_article_changelist_filters_search_and_import_link(self):
        response = self.client.get(
            "/admin/news/article/", {"q": self.article.title[:4]}
        )
        self.assertContains(response, self.article.title)
        self.assertContains(response, "从网页文本导入")
        for param in [
            "status__exact=published",
            f"channel__id__exact={self.article.channel_id}",
        ]:
            self.assertEqual(
                self.client.get(f"/admin/news/article/?{param}").status_code, 200
            )

    def test_autocomplete_for_people_and_tags(self):
        for model in ["person", "tag"]:
            response = self.client.get(
                "/admin/autocomplete/",
                {
                    "app_label": "news",
                    "model_name": "article",
                    "field_name": "tags" if model == "tag" else "related_articles",
                    "term": "",
                },
            )
            self.assertEqual(response.status_code, 200)


class PageTextImportAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.channel = ChannelFactory(name="质量强市", slug="质量强市")
        cls.editor = UserFactory(username="editor", is_staff=True)
        cls.editor.user_permissions.add(
            *Permission.objects.filter(
                codename__in=["add_article", "change_article", "view_article"]
            )
        )
        cls.viewer = UserFactory(username="viewer", is_staff=True)
        cls.viewer.user_permissions.add(Permission.objects.get(codename="view_article"))

    def test_pasted_text_becomes_a_draft_to_review(self):
        self.client.force_login(self.editor)
        response = self.client.post(
            "/admin/news/article/import/",
            {"text": SEED.read_text(encoding="utf-8"), "channel": self.channel.pk},
        )
        article = Article.objects.get()
        self.assertRedirects(response, f"/admin/news/article/{article.pk}/change/")
        self.assertEqual(article.status, Article.Status.DRAFT)
        self.assertEqual(article.bylines.count(), 2)
        self.assertIn("<h2>3个国家级质检中心落户烟台</h2>", article.body)

    def test_unparseable_text_shows_the_problem_and_writes_nothing(self):
        self.client.force_login(self.editor)
        response = self.client.post(
            "/admin/news/article/import/",
            {
                "text": "标题\n烟台日报 2021-02-30 10:36\n正文。",
                "channel": self.channel.pk,
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "第 2 行")
        self.assertEqual(Article.objects.count(), 0)

    def test_import_needs_add_permission(self):
        self.client.force_login(self.viewer)
        response = self.client.post(
            "/admin/news/article/import/",
            {"text": SEED.read_text(encoding="utf-8"), "channel": self.channel.pk},
        )
        self.assertEqual(response.status_code, 403)
        self.assertEqual(Article.objects.count(), 0)

    def test_anonymous_is_sent_to_login(self):
        response = self.client.get("/admin/news/article/import/")
        self.assertEqual(response.status_code, 302)
        self.assertIn("/admin/login/", response["Location"])


class ReadOnlyBodyTests(TestCase):
    """Who may only read an article sees its body rendered, as the preview does."""

    BODY = "<h2>质检中心落户烟台</h2><p>共参与制修订604项国家标准。</p>"

    @classmethod
    def setUpTestData(cls):
        cls.under_review = ArticleFactory(status=Article.Status.REVIEW_1, body=cls.BODY)
        cls.editor = staff_in_group("editor", "编辑")
        cls.viewer = UserFactory(username="viewer", is_staff=True)
        cls.viewer.user_permissions.add(Permission.objects.get(codename="view_article"))

    def assert_body_rendered(self, response):
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, '<div class="readonly-body">')
        self.assertContains(response, "<h2>质检中心落户烟台</h2>", html=False)
        self.assertContains(response, "<p>共参与制修订604项国家标准。</p>", html=False)
        self.assertNotContains(response, "&lt;p&gt;")
        self.assertNotContains(response, "&lt;h2&gt;")
        self.assertNotContains(response, 'name="body"')

    def test_editor_reads_an_article_under_review_rendered(self):
        """An 编辑 cannot change work under review: its body is shown, not its HTML."""
        self.client.force_login(self.editor)
        url = f"/admin/news/article/{self.under_review.pk}/change/"
        self.assert_body_rendered(self.client.get(url))

    def test_view_only_staff_read_the_body_rendered(self):
        self.client.force_login(self.viewer)
        url = f"/admin/news/article/{self.under_review.pk}/change/"
        self.assert_body_rendered(self.client.get(url))

    def test_who_may_change_gets_the_editor(self):
        reviewer = staff_in_group("reviewer", "审核")
        self.client.force_login(reviewer)
        response = self.client.get(
            f"/admin/news/article/{self.under_review.pk}/change/"
        )
        self.assertContains(response, 'name="body"')
        self.assertNotContains(response, '<div class="readonly-body">')
