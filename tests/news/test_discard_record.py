"""放弃修改稿 is a step in the article's history like the others: it records a
revision and moves the version, so a change form opened before it cannot bring the
discarded draft back unseen."""

from django.test import TestCase

from news.models import Article, ArticleEvent, AuditLog, Revision
from news.services import article_update
from news.workflow import article_discard
from tests.factories import ArticleFactory, ChannelFactory, staff_in_group
from tests.news.test_concurrency import change_form_data

S = Article.Status


class DiscardIsRecordedTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.channel = ChannelFactory()
        cls.editor = staff_in_group("editor", "编辑")
        cls.editor2 = staff_in_group("editor2", "编辑")
        cls.publisher = staff_in_group("publisher", "终审发布")

    def setUp(self):
        self.article = ArticleFactory(channel=self.channel, title="线上标题")
        article_update(
            article=self.article, by=self.editor, values={"title": "不要的标题"}
        )

    def test_discard_records_a_revision_of_the_live_content(self):
        before = self.article.version
        article_discard(article=self.article, by=self.publisher)
        self.article.refresh_from_db()
        self.assertEqual(self.article.version, before + 1)
        latest = self.article.revisions.order_by("-version", "-id").first()
        self.assertEqual(latest.version, self.article.version)
        self.assertEqual(latest.snapshot["title"], "线上标题")
        self.assertEqual(latest.created_by, self.publisher)
        self.assertIn("放弃修改稿", latest.summary)
        self.assertTrue(
            ArticleEvent.objects.filter(article=self.article, action="discard").exists()
        )

    def test_a_form_opened_before_the_discard_is_refused(self):
        self.client.force_login(self.editor2)
        data = change_form_data(self.client, self.article)
        self.assertEqual(data["title"], "不要的标题")
        article_discard(article=self.article, by=self.publisher)
        self.article.refresh_from_db()
        version = self.article.version
        revisions = Revision.objects.count()
        audits = AuditLog.objects.count()
        data["subtitle"] = "顺手加的副题"
        response = self.client.post(
            f"/admin/news/article/{self.article.pk}/change/", data
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "保存被拒绝")
        self.assertContains(response, "标题")
        self.article.refresh_from_db()
        self.assertFalse(self.article.has_draft, "the discarded draft came back")
        self.assertEqual(self.article.title, "线上标题")
        self.assertEqual(self.article.version, version)
        self.assertEqual(Revision.objects.count(), revisions)
        self.assertEqual(AuditLog.objects.count(), audits)

    def test_the_form_opened_again_saves(self):
        article_discard(article=self.article, by=self.publisher)
        self.client.force_login(self.editor2)
        data = change_form_data(self.client, self.article)
        self.assertEqual(data["title"], "线上标题")
        data["subtitle"] = "新的副题"
        self.client.post(f"/admin/news/article/{self.article.pk}/change/", data)
        self.article.refresh_from_db()
        self.assertTrue(self.article.has_draft)
        self.assertEqual(self.article.draft_revision.snapshot["subtitle"], "新的副题")
        self.assertEqual(self.article.draft_revision.snapshot["title"], "线上标题")
