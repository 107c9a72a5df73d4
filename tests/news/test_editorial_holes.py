"""A published article changes only when 终审 publishes: paths that did not hold
to it (found by an audit of every writing path), and the editors' work they lost."""

from datetime import timedelta

from django.test import TestCase
from django.utils import timezone

from news.models import Article
from news.services import article_update
from news.workflow import (
    article_approve,
    article_publish,
    article_submit,
)
from tests.factories import ArticleFactory, ChannelFactory, staff_in_group

S = Article.Status


class DraftOverLiveSchedulingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.channel = ChannelFactory()
        cls.editor = staff_in_group("editor", "编辑")
        cls.reviewer = staff_in_group("reviewer", "审核")
        cls.reviewer2 = staff_in_group("reviewer2", "审核")
        cls.publisher = staff_in_group("publisher", "终审发布")

    def test_draft_with_future_published_at_cannot_take_a_live_article_off(self):
        """A future 发布时间 typed into a draft over a live article schedules the
        draft, as ``at=`` does: it must not take the live article off the site
        until then."""
        article = ArticleFactory(channel=self.channel)
        self.assertTrue(article.is_published)
        at = timezone.now().replace(microsecond=0) + timedelta(days=1)
        article_update(article=article, by=self.editor, values={"published_at": at})
        article_submit(article=article, by=self.editor)
        article_approve(article=article, by=self.reviewer)
        article_approve(article=article, by=self.reviewer2)
        article_publish(article=article, by=self.publisher)
        article.refresh_from_db()
        self.assertTrue(article.is_published, "live article vanished from the site")
        self.assertEqual(article.draft_go_live_at, at)


class PurgeKeepsTheDraftTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.channel = ChannelFactory()
        cls.editor = staff_in_group("editor", "编辑")
        cls.publisher = staff_in_group("publisher", "终审发布")

    def test_purge_never_deletes_the_working_draft(self):
        """revisions_purge keeps 'the live revision and the latest revision'; the
        draft over an article is not always the latest (撤下 records a newer one)."""
        from news.models import Revision
        from news.revisions import revision_create, revisions_purge
        from news.workflow import article_unpublish

        article = ArticleFactory(channel=self.channel)
        revision_create(article=article, by=None, is_live=True)
        article_update(article=article, by=self.editor, values={"title": "修改稿标题"})
        article_unpublish(article=article, by=self.publisher)
        article.refresh_from_db()
        draft_id = article.draft_revision_id
        self.assertIsNotNone(draft_id)
        Revision.objects.update(created_at=timezone.now() - timedelta(days=400))
        revisions_purge(older_than_days=30, keep=1)
        article.refresh_from_db()
        self.assertEqual(
            article.draft_revision_id, draft_id, "the editors' draft was purged"
        )


class AdminVersionCheckTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.channel = ChannelFactory()
        cls.editor = staff_in_group("editor", "编辑")
        cls.editor2 = staff_in_group("editor2", "编辑")

    def test_change_form_without_version_does_not_overwrite_silently(self):
        """The API answers 428 without If-Match; the change form must not skip its
        conflict check when the version field is left out of the POST."""
        from tests.news.test_concurrency import change_form_data

        article = ArticleFactory(channel=self.channel, status=S.DRAFT)
        self.client.force_login(self.editor)
        data = change_form_data(self.client, article)
        article_update(
            article=article, by=self.editor2, values={"title": "别人改的标题"}
        )
        del data["expected_version"]
        data["summary"] = "我改的摘要"
        response = self.client.post(f"/admin/news/article/{article.pk}/change/", data)
        self.assertContains(response, "页面缺少版本信息")
        article.refresh_from_db()
        self.assertEqual(
            article.title, "别人改的标题", "the other editor's title was overwritten"
        )
        self.assertNotEqual(article.summary, "我改的摘要")


class ImportPublishLeavesDraftsTests(TestCase):
    """Re-running ``import_article --publish`` over an unchanged archive must not
    publish the editors' unreviewed draft over a live article."""

    @classmethod
    def setUpTestData(cls):
        from django.conf import settings

        cls.seed = next(
            (settings.BASE_DIR / "news" / "fixtures" / "pages").glob("*.txt")
        )
        cls.channel = ChannelFactory(name="烟台新闻", slug="烟台新闻")
        cls.editor = staff_in_group("editor", "编辑")
        cls.publisher = staff_in_group("publisher", "终审发布")

    def test_reimport_with_publish_does_not_publish_a_pending_draft(self):
        from io import StringIO

        from django.core.management import call_command

        args = ["import_article", "--publish", "--as", "publisher", str(self.seed)]
        call_command(*args, stdout=StringIO(), stderr=StringIO())
        article = Article.objects.get()
        live_summary = article.summary
        article_update(
            article=article, by=self.editor, values={"summary": "编辑未送审的摘要"}
        )
        out = StringIO()
        call_command(*args, stdout=StringIO(), stderr=out)
        article.refresh_from_db()
        self.assertEqual(article.summary, live_summary, "unreviewed draft went live")
        self.assertIn("有编辑未审的修改稿，未发布", out.getvalue())
        self.assertIsNotNone(article.draft_revision_id)  # the editor's work is kept
