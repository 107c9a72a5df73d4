"""Audit log: every editorial action recorded; read-only and filterable in the admin."""

from pathlib import Path

from django.conf import settings
from django.test import TestCase

from news.models import Article, AuditLog
from news.parsing import parse_page_text
from news.revisions import revision_create
from news.services import article_import_page, audit_record
from news.workflow import (
    article_approve,
    article_publish,
    article_reject,
    article_submit,
    article_unpublish,
    revision_restore,
)
from tests.factories import ArticleFactory, ChannelFactory, UserFactory, staff_in_group

S = Article.Status
A = AuditLog.Action
SEED = (
    Path(settings.BASE_DIR) / "news" / "fixtures" / "pages" / "000_b5b21bbd38acca12.txt"
)


class AuditRecordTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = staff_in_group("editor", "编辑")
        cls.reviewer = staff_in_group("reviewer", "审核")
        cls.publisher = staff_in_group("publisher", "终审发布")

    def actions(self, article):
        return list(
            AuditLog.objects.filter(object_id=str(article.pk))
            .order_by("created_at", "id")
            .values_list("action", "user__username")
        )

    def test_every_transition_is_audited_with_who_and_what(self):
        article = ArticleFactory(status=S.DRAFT)
        article_submit(article=article, by=self.editor)
        article_reject(article=article, by=self.reviewer, comment="补充数据")
        article_submit(article=article, by=self.editor)
        article_approve(article=article, by=self.reviewer)
        article_approve(article=article, by=self.reviewer)
        article_publish(article=article, by=self.publisher)
        article_unpublish(article=article, by=self.publisher)
        self.assertEqual(
            self.actions(article),
            [
                (A.SUBMIT, "editor"),
                (A.REJECT, "reviewer"),
                (A.SUBMIT, "editor"),
                (A.APPROVE, "reviewer"),
                (A.APPROVE, "reviewer"),
                (A.PUBLISH, "publisher"),
                (A.UNPUBLISH, "publisher"),
            ],
        )
        reject = AuditLog.objects.get(action=A.REJECT)
        self.assertIn("补充数据", reject.summary)
        self.assertIn("待初审 → 草稿", reject.summary)
        self.assertEqual(reject.object_repr, article.title)

    def test_schedule_restore_and_import_are_audited(self):
        from datetime import timedelta

        from django.utils import timezone

        article = ArticleFactory(status=S.REVIEW_3, title="初稿标题")
        revision = revision_create(article=article, by=self.publisher)
        Article.objects.filter(pk=article.pk).update(title="终审时的标题")
        article_publish(
            article=article, by=self.publisher, at=timezone.now() + timedelta(days=1)
        )
        revision_restore(revision=revision, by=self.publisher)
        page = parse_page_text(SEED.read_text(encoding="utf-8"))
        imported, _ = article_import_page(
            page=page, channel=ChannelFactory(), by=self.editor
        )
        self.assertEqual([a for a, _ in self.actions(article)], [A.SCHEDULE, A.RESTORE])
        self.assertEqual(self.actions(imported), [(A.IMPORT, "editor")])

    def test_admin_create_edit_and_delete_are_audited(self):
        admin = UserFactory(username="root", is_staff=True, is_superuser=True)
        article = ArticleFactory(status=S.DRAFT)
        self.client.force_login(admin)
        self.client.post(f"/admin/news/article/{article.pk}/delete/", {"post": "yes"})
        self.assertFalse(Article.objects.filter(pk=article.pk).exists())
        entry = AuditLog.objects.get(action=A.DELETE)
        self.assertEqual(entry.user, admin)
        self.assertEqual(entry.object_repr, article.title)

    def test_bulk_delete_is_audited_per_article(self):
        admin = UserFactory(username="root", is_staff=True, is_superuser=True)
        articles = ArticleFactory.create_batch(2, status=S.DRAFT)
        self.client.force_login(admin)
        self.client.post(
            "/admin/news/article/",
            {
                "action": "delete_selected",
                "_selected_action": [a.pk for a in articles],
                "post": "yes",
            },
        )
        self.assertEqual(Article.objects.count(), 0)
        self.assertEqual(AuditLog.objects.filter(action=A.DELETE).count(), 2)

    def test_audit_record_for_other_objects(self):
        """The image upload calls this service for its own objects."""
        channel = ChannelFactory(name="图片栏目")
        entry = audit_record(
            user=self.editor, action=A.UPLOAD, obj=channel, summary="上传 a.jpg"
        )
        self.assertEqual(entry.object_type, "栏目")
        self.assertEqual(entry.object_id, str(channel.pk))
        self.assertEqual(entry.summary, "上传 a.jpg")


class AuditAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.admin = UserFactory(username="root", is_staff=True, is_superuser=True)
        cls.publisher = staff_in_group("publisher", "终审发布")
        cls.editor = staff_in_group("editor", "编辑")
        cls.article = ArticleFactory(status=S.DRAFT, title="审计对象")
        revision_create(article=cls.article, by=cls.admin)
        cls.entry = audit_record(
            user=cls.admin, action=A.EDIT, obj=cls.article, summary="修改：标题"
        )
        audit_record(user=cls.editor, action=A.SUBMIT, obj=cls.article)

    def test_list_is_filterable(self):
        self.client.force_login(self.publisher)
        response = self.client.get("/admin/news/auditlog/", {"action__exact": "edit"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(list(response.context["cl"].result_list), [self.entry])
        response = self.client.get(
            "/admin/news/auditlog/", {"user__id__exact": self.editor.pk}
        )
        self.assertEqual(
            [e.action for e in response.context["cl"].result_list], [A.SUBMIT]
        )

    def test_read_only_even_for_superusers(self):
        self.client.force_login(self.admin)
        self.assertEqual(self.client.get("/admin/news/auditlog/add/").status_code, 403)
        response = self.client.post(
            f"/admin/news/auditlog/{self.entry.pk}/change/", {"summary": "篡改"}
        )
        self.assertEqual(response.status_code, 403)
        response = self.client.post(
            f"/admin/news/auditlog/{self.entry.pk}/delete/", {"post": "yes"}
        )
        self.assertEqual(response.status_code, 403)
        self.entry.refresh_from_db()
        self.assertEqual(self.entry.summary, "修改：标题")

    def test_editors_cannot_read_the_log(self):
        self.client.force_login(self.editor)
        self.assertEqual(self.client.get("/admin/news/auditlog/").status_code, 403)
