"""A government news site keeps the record of what it published: an article that
was ever on the site is withdrawn (撤下), not deleted. Only a superuser deletes one,
and the audit log then keeps its last published content."""

from datetime import timedelta
from io import StringIO
from unittest import mock

from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import models, transaction
from django.db.models import ProtectedError
from django.test import TestCase
from django.utils import timezone

from news.models import (
    Article,
    ArticleEvent,
    AuditLog,
    Byline,
    Channel,
    Person,
    PreviewLink,
    Revision,
)
from news.revisions import revision_create
from news.services import article_update, articles_delete
from news.workflow import article_publish, article_unpublish
from tests.api import token_for
from tests.factories import (
    ArticleFactory,
    BylineFactory,
    ChannelFactory,
    PersonFactory,
    UserFactory,
    staff_in_group,
)

S = Article.Status
REFUSED = "已经发布过，不能删除"
#: The model layer's refusal (a delete() of a script or shell).
KEPT = "已经发布过，不能直接删除"


def published_then_withdrawn_and_edited(publisher, editor) -> Article:
    """Published by 终审, withdrawn (撤稿) and edited since: back in 草稿."""
    article = ArticleFactory(
        status=S.REVIEW_3, title="发布过的标题", source="烟台日报", published_at=None
    )
    BylineFactory(article=article, person=PersonFactory(name="逄苗"))
    article_publish(article=article, by=publisher)
    article_unpublish(article=article, by=publisher, comment="撤稿")
    article_update(article=article, by=editor, values={"title": "撤下后改的标题"})
    article.refresh_from_db()
    assert article.status == S.DRAFT
    return article


class RecordCounts:
    def assertRefused(self, response, article):
        """Sent back to the article's page with the reason (not followed: the page
        itself may save a baseline revision of an article without one)."""
        self.assertRedirects(
            response,
            f"/admin/news/article/{article.pk}/change/",
            fetch_redirect_response=False,
        )
        said = " ".join(m.message for m in get_messages(response.wsgi_request))
        self.assertIn(REFUSED, said)
        self.assertIn("撤下", said)

    def counts(self) -> tuple[int, ...]:
        return (
            Article.objects.count(),
            Revision.objects.count(),
            ArticleEvent.objects.count(),
            Byline.objects.count(),
            PreviewLink.objects.count(),
            AuditLog.objects.count(),
        )


class PublishedArticlesAreNotDeletedTests(RecordCounts, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.channel = ChannelFactory()
        cls.editor = staff_in_group("editor", "编辑")
        cls.publisher = staff_in_group("publisher", "终审发布")
        cls.root = UserFactory(username="root", is_staff=True, is_superuser=True)

    def setUp(self):
        self.client.force_login(self.publisher)

    def test_publisher_cannot_delete_a_live_article_in_the_admin(self):
        article = ArticleFactory(channel=self.channel)
        before = self.counts()
        response = self.client.post(
            f"/admin/news/article/{article.pk}/delete/", {"post": "yes"}
        )
        self.assertRefused(response, article)
        self.assertEqual(self.counts(), before)

    def test_the_delete_page_itself_says_so(self):
        article = ArticleFactory(channel=self.channel)
        before = self.counts()
        response = self.client.get(f"/admin/news/article/{article.pk}/delete/")
        self.assertRefused(response, article)
        self.assertEqual(self.counts(), before)

    def test_an_article_withdrawn_and_edited_since_is_still_kept(self):
        article = published_then_withdrawn_and_edited(self.publisher, self.editor)
        before = self.counts()
        response = self.client.post(
            f"/admin/news/article/{article.pk}/delete/", {"post": "yes"}
        )
        self.assertRefused(response, article)
        self.assertEqual(self.counts(), before)

    def test_bulk_delete_refuses_the_whole_selection(self):
        draft = ArticleFactory(channel=self.channel, status=S.DRAFT, title="草稿甲")
        live = ArticleFactory(channel=self.channel, title="线上乙")
        before = self.counts()
        for confirmed in ({}, {"post": "yes"}):
            response = self.client.post(
                "/admin/news/article/",
                {
                    "action": "delete_selected",
                    "_selected_action": [draft.pk, live.pk],
                    **confirmed,
                },
                follow=True,
            )
            self.assertContains(response, REFUSED)
            self.assertContains(response, "线上乙")
            self.assertEqual(self.counts(), before)

    def test_the_service_refuses_too(self):
        article = ArticleFactory(channel=self.channel)
        before = self.counts()
        with self.assertRaisesMessage(PermissionDenied, REFUSED):
            articles_delete(articles=[article], by=self.publisher)
        self.assertEqual(self.counts(), before)

    def test_an_editor_without_the_delete_permission_deletes_nothing(self):
        draft = ArticleFactory(channel=self.channel, status=S.DRAFT)
        before = self.counts()
        with self.assertRaisesMessage(PermissionDenied, "没有删除文章的权限"):
            articles_delete(articles=[draft], by=self.editor)
        self.assertEqual(self.counts(), before)

    def test_the_api_has_no_delete(self):
        article = ArticleFactory(channel=self.channel, status=S.DRAFT)
        before = self.counts()
        response = self.client.delete(
            f"/api/v1/drafts/{article.pk}/",
            HTTP_AUTHORIZATION=f"Token {token_for(self.publisher)}",
        )
        self.assertEqual(response.status_code, 405)
        self.assertEqual(self.counts(), before)

    def test_a_never_published_draft_is_deleted(self):
        draft = ArticleFactory(channel=self.channel, status=S.DRAFT, title="没发过")
        article_update(article=draft, by=self.editor, values={"subtitle": "副题"})
        self.client.post(f"/admin/news/article/{draft.pk}/delete/", {"post": "yes"})
        self.assertFalse(Article.objects.filter(pk=draft.pk).exists())
        entry = AuditLog.objects.get(action=AuditLog.Action.DELETE)
        self.assertEqual(entry.user, self.publisher)
        self.assertIsNone(entry.snapshot)

    def test_a_never_published_draft_is_deleted_in_bulk(self):
        drafts = ArticleFactory.create_batch(2, channel=self.channel, status=S.DRAFT)
        self.client.post(
            "/admin/news/article/",
            {
                "action": "delete_selected",
                "_selected_action": [a.pk for a in drafts],
                "post": "yes",
            },
        )
        self.assertFalse(Article.objects.exists())
        self.assertEqual(AuditLog.objects.filter(action="delete").count(), 2)


class SuperuserDeletionKeepsTheRecordTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = staff_in_group("editor", "编辑")
        cls.publisher = staff_in_group("publisher", "终审发布")
        cls.root = UserFactory(username="root", is_staff=True, is_superuser=True)

    def test_the_audit_log_keeps_the_last_published_content(self):
        article = published_then_withdrawn_and_edited(self.publisher, self.editor)
        published_at = article.live_revision.snapshot["published_at"]
        body = article.live_revision.snapshot["body"]
        self.client.force_login(self.root)
        self.client.post(f"/admin/news/article/{article.pk}/delete/", {"post": "yes"})
        self.assertFalse(Article.objects.filter(pk=article.pk).exists())
        entry = AuditLog.objects.get(action=AuditLog.Action.DELETE)
        self.assertEqual(entry.user, self.root)
        self.assertEqual(entry.object_id, str(article.pk))
        kept = entry.snapshot
        self.assertEqual(kept["deleted_by"], "root")
        self.assertTrue(kept["deleted_at"])
        published = kept["published"]
        self.assertEqual(published["title"], "发布过的标题")
        self.assertEqual(published["body"], body)
        self.assertEqual(published["source"], "烟台日报")
        self.assertEqual(published["published_at"], published_at)
        self.assertEqual([b["name"] for b in published["bylines"]], ["逄苗"])
        self.assertIn("发布过的标题", entry.summary)

    def test_a_superuser_bulk_delete_keeps_each_record(self):
        live = ArticleFactory.create_batch(2)
        self.client.force_login(self.root)
        self.client.post(
            "/admin/news/article/",
            {
                "action": "delete_selected",
                "_selected_action": [a.pk for a in live],
                "post": "yes",
            },
        )
        self.assertFalse(Article.objects.exists())
        kept = AuditLog.objects.filter(action="delete").order_by("object_id")
        self.assertEqual(
            [e.snapshot["published"]["title"] for e in kept], [a.title for a in live]
        )


class EveryDeletePathKeepsThePublishedTests(RecordCounts, TestCase):
    """The ORM's own deletions — of an instance, of a QuerySet, and a cascade
    through the deletion collector — refuse an article that was ever published,
    naming it: only ``articles_delete`` (a superuser, the snapshot kept) deletes
    one. Drafts that were never published are deleted freely."""

    @classmethod
    def setUpTestData(cls):
        cls.channel = ChannelFactory()
        cls.editor = staff_in_group("editor", "编辑")
        cls.publisher = staff_in_group("publisher", "终审发布")
        cls.root = UserFactory(username="root", is_staff=True, is_superuser=True)

    def assertKept(self, delete, article):
        """``delete`` raises ``ProtectedError`` naming ``article``; every row stays
        (the savepoint: the refusal rolls back the deletion's transaction)."""
        before = self.counts()
        with self.assertRaises(ProtectedError) as refused, transaction.atomic():
            delete()
        message = refused.exception.args[0]
        self.assertIn(f"文章“{article.title}”", message)
        self.assertIn(KEPT, message)
        self.assertIn("超级用户", message)
        self.assertIn("没有删除任何文章", message)
        self.assertEqual(
            [a.pk for a in refused.exception.protected_objects], [article.pk]
        )
        self.assertEqual(self.counts(), before)
        self.assertTrue(Article.objects.filter(pk=article.pk).exists())

    def test_an_instance_delete_is_refused(self):
        live = ArticleFactory(channel=self.channel, title="线上的文章")
        self.assertKept(live.delete, live)
        self.assertKept(lambda: Article.objects.get(pk=live.pk).delete(), live)

    def test_a_withdrawn_article_edited_since_is_refused_too(self):
        article = published_then_withdrawn_and_edited(self.publisher, self.editor)
        self.assertKept(article.delete, article)

    def test_a_queryset_delete_is_refused_and_deletes_none(self):
        draft = ArticleFactory(channel=self.channel, status=S.DRAFT, title="草稿甲")
        live = ArticleFactory(channel=self.channel, title="线上乙")
        self.assertKept(lambda: Article.objects.all().delete(), live)
        self.assertKept(
            lambda: Article.objects.filter(pk__in=[draft.pk, live.pk]).delete(), live
        )
        self.assertTrue(Article.objects.filter(pk=draft.pk).exists())

    def test_a_cascade_through_the_collector_is_refused(self):
        """No foreign key cascades to an article today (栏目 and 署名's 人员 are
        PROTECT, 责任编辑 SET_NULL); one that did would be refused all the same."""
        live = ArticleFactory(channel=self.channel, title="栏目里的文章")
        channel_fk = Article._meta.get_field("channel").remote_field
        with mock.patch.object(channel_fk, "on_delete", models.CASCADE):
            self.assertKept(Channel.objects.get(pk=self.channel.pk).delete, live)
        self.assertTrue(Channel.objects.filter(pk=self.channel.pk).exists())

    def test_deleting_a_channel_person_or_user_keeps_the_article(self):
        article = ArticleFactory(channel=self.channel, responsible_editor=self.editor)
        BylineFactory(article=article, person=PersonFactory(name="逄苗"))
        for delete in (
            lambda: Channel.objects.filter(pk=self.channel.pk).delete(),
            lambda: Person.objects.filter(name="逄苗").delete(),
        ):
            with self.assertRaises(ProtectedError), transaction.atomic():
                delete()
        self.editor.delete()
        article.refresh_from_db()
        self.assertIsNone(article.responsible_editor_id)
        self.assertEqual(Byline.objects.filter(article=article).count(), 1)

    def test_the_superuser_service_still_deletes_and_keeps_the_snapshot(self):
        live = ArticleFactory(channel=self.channel, title="超级用户删除的文章")
        self.assertEqual(
            articles_delete(articles=Article.objects.filter(pk=live.pk), by=self.root),
            1,
        )
        self.assertFalse(Article.objects.filter(pk=live.pk).exists())
        entry = AuditLog.objects.get(action=AuditLog.Action.DELETE)
        self.assertEqual(entry.snapshot["published"]["title"], "超级用户删除的文章")
        # The service's leave ends with it: the next plain delete() is refused.
        other = ArticleFactory(channel=self.channel, title="另一篇")
        self.assertKept(other.delete, other)

    def test_never_published_drafts_are_deleted_freely(self):
        one, two, three = ArticleFactory.create_batch(
            3, channel=self.channel, status=S.DRAFT, published_at=None
        )
        article_update(article=one, by=self.editor, values={"subtitle": "副题"})
        one.delete()
        Article.objects.filter(pk__in=[two.pk, three.pk]).delete()
        self.assertFalse(Article.objects.exists())


#: The refusal to delete an ever-published article's record of its publication.
RECORD_KEPT = "是发布记录的一部分，不能删除"


class ThePublicationRecordIsKeptTests(RecordCounts, TestCase):
    """The live revision and the timeline's publications (发布、定时发布、撤下) are
    what makes an article one that was ever published: deleting them first, then
    the article (back in 草稿) would get round the guard. They are refused on every
    path but a superuser's ``articles_delete`` of their article."""

    @classmethod
    def setUpTestData(cls):
        cls.editor = staff_in_group("editor", "编辑")
        cls.publisher = staff_in_group("publisher", "终审发布")
        cls.root = UserFactory(username="root", is_staff=True, is_superuser=True)

    def setUp(self):
        self.article = published_then_withdrawn_and_edited(self.publisher, self.editor)
        self.live = Revision.objects.get(article=self.article, is_live=True)
        self.published = ArticleEvent.objects.get(
            article=self.article, action="publish"
        )

    def assertRecordKept(self, delete):
        before = self.counts()
        with self.assertRaises(ProtectedError) as refused, transaction.atomic():
            delete()
        message = refused.exception.args[0]
        self.assertIn(f"文章“{self.article.title}”（编号 {self.article.pk}）", message)
        self.assertIn(RECORD_KEPT, message)
        self.assertIn("超级用户", message)
        self.assertIn("没有删除任何内容", message)
        self.assertEqual(self.counts(), before)
        self.assertTrue(Revision.objects.filter(pk=self.live.pk, is_live=True).exists())
        self.assertTrue(ArticleEvent.objects.filter(pk=self.published.pk).exists())
        return message

    def test_the_way_round_the_article_guard_is_closed(self):
        self.assertRecordKept(
            lambda: Revision.objects.filter(article=self.article, is_live=True).delete()
        )
        self.assertRecordKept(
            lambda: ArticleEvent.objects.filter(
                article=self.article, action__in=("publish", "unpublish")
            ).delete()
        )
        with self.assertRaisesMessage(ProtectedError, KEPT), transaction.atomic():
            self.article.delete()
        self.assertTrue(Article.objects.filter(pk=self.article.pk).exists())

    def test_an_instance_delete_is_refused(self):
        self.assertIn(
            f"的线上版本（第 {self.live.version} 版）",
            self.assertRecordKept(self.live.delete),
        )
        self.assertIn(
            "的流转记录中的“发布”", self.assertRecordKept(self.published.delete)
        )
        # Not by what the object in memory says: the row's.
        self.assertRecordKept(Revision(pk=self.live.pk).delete)
        self.assertRecordKept(ArticleEvent(pk=self.published.pk).delete)
        self.article.refresh_from_db()
        self.assertEqual(self.article.live_revision_id, self.live.pk)

    def test_a_queryset_delete_is_refused_and_deletes_none(self):
        self.assertRecordKept(lambda: Revision.objects.all().delete())
        self.assertRecordKept(lambda: self.article.events.all().delete())
        self.assertRecordKept(
            lambda: ArticleEvent.objects.filter(action="unpublish").delete()
        )

    def test_other_revisions_and_events_are_deleted_freely(self):
        """Neither an older revision nor a step of the review is the record of a
        publication."""
        others = Revision.objects.filter(article=self.article, is_live=False)
        self.assertTrue(others.exists())
        count = others.count()
        self.assertEqual(others.delete()[0], count)
        ArticleEvent.objects.create(
            article=self.article, action="submit", to_status=S.REVIEW_1
        )
        ArticleEvent.objects.filter(article=self.article, action="submit").delete()
        self.assertEqual(
            set(Revision.objects.values_list("pk", flat=True)), {self.live.pk}
        )

    def test_purge_revisions_still_purges_and_keeps_the_live_one(self):
        old = timezone.now() - timedelta(days=400)
        Revision.objects.update(created_at=old)
        for _ in range(3):
            revision_create(article=self.article, by=self.editor)
        Revision.objects.update(created_at=old)
        out = StringIO()
        call_command("purge_revisions", "--older-than-days=30", "--keep=1", stdout=out)
        self.assertIn("已删除", out.getvalue())
        self.article.refresh_from_db()
        kept = set(Revision.objects.values_list("pk", flat=True))
        self.assertIn(self.live.pk, kept)
        self.assertEqual(
            kept,
            {self.live.pk, self.article.draft_revision_id, max(kept)} - {None},
        )

    def test_the_superuser_service_deletes_the_article_with_its_record(self):
        self.assertEqual(articles_delete(articles=[self.article], by=self.root), 1)
        self.assertFalse(Article.objects.filter(pk=self.article.pk).exists())
        self.assertFalse(Revision.objects.filter(article_id=self.article.pk).exists())
        self.assertFalse(
            ArticleEvent.objects.filter(article_id=self.article.pk).exists()
        )
        entry = AuditLog.objects.get(action=AuditLog.Action.DELETE)
        self.assertEqual(entry.snapshot["published"]["title"], "发布过的标题")
        # Its leave ended with it: another article's live revision is kept.
        other = ArticleFactory(status=S.REVIEW_3, published_at=None)
        article_publish(article=other, by=self.publisher)
        with (
            self.assertRaisesMessage(ProtectedError, RECORD_KEPT),
            transaction.atomic(),
        ):
            Revision.objects.get(article=other, is_live=True).delete()
