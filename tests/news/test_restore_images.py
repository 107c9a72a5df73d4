"""Restoring a revision whose images were deleted since is refused.

An image only an older revision uses may be deleted (tests/news/test_image_delete.py);
restoring that revision would give a draft (or a row) whose cover or body points at
an image that is gone. The restore is refused, naming the cover and each body image
(by the id and the alt text the revision recorded), and writes nothing. Comparing
and previewing such a revision still work.
"""

from __future__ import annotations

from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.test import TestCase

from news.images import images_delete
from news.models import Article, ArticleEvent, AuditLog, Image, Revision
from news.revisions import revision_create
from news.services import article_update
from news.workflow import revision_restore
from tests.factories import ArticleFactory, ChannelFactory, UserFactory, staff_in_group
from tests.news.test_image_delete import body_with, new_image

S = Article.Status


def state() -> tuple:
    """Everything a restore writes."""
    return (
        list(
            Article.objects.order_by("pk").values_list(
                "pk",
                "status",
                "draft_status",
                "version",
                "cover_id",
                "body",
                "draft_revision_id",
                "updated_at",
            )
        ),
        list(Revision.objects.order_by("pk").values_list("pk", "snapshot")),
        ArticleEvent.objects.count(),
        AuditLog.objects.count(),
    )


class RestoreWithDeletedImagesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.channel = ChannelFactory()
        cls.editor = staff_in_group("editor", "编辑")
        cls.root = UserFactory(username="root", is_staff=True, is_superuser=True)

    def old_revision(self, article: Article, **values) -> Revision:
        """A revision of ``article`` with ``values``, replaced by a later one
        without them (so the images it used are used by nothing else)."""
        article_update(article=article, by=self.editor, values=values)
        old = article.revisions.order_by("-version", "-id").first()
        article_update(
            article=article,
            by=self.editor,
            values={"cover": None, "body": "<p>换过的正文。</p>"},
        )
        return old

    def test_a_deleted_cover_refuses_the_restore(self):
        image = new_image("港口")
        article = ArticleFactory(channel=self.channel, status=S.DRAFT)
        old = self.old_revision(article, cover=image)
        pk = image.pk
        images_delete(images=[image], by=self.root)
        before = state()
        with self.assertRaises(ValidationError) as refused:
            revision_restore(revision=old, by=self.editor)
        message = " ".join(refused.exception.messages)
        self.assertIn("封面图", message)
        self.assertIn(f"编号 {pk}", message)
        self.assertIn("无法恢复", message)
        self.assertEqual(state(), before)

    def test_a_deleted_body_image_refuses_the_restore(self):
        kept = new_image("灯塔")
        gone = new_image("港口")
        article = ArticleFactory(channel=self.channel, status=S.DRAFT)
        old = self.old_revision(
            article, body=body_with(gone) + body_with(kept).replace("港口", "灯塔")
        )
        self.assertIn(f'data-file="{gone.pk}"', old.snapshot["body"])
        pk = gone.pk
        images_delete(images=[gone], by=self.root)
        before = state()
        with self.assertRaises(ValidationError) as refused:
            revision_restore(revision=old, by=self.editor)
        message = " ".join(refused.exception.messages)
        self.assertIn("正文", message)
        self.assertIn(f"编号 {pk}", message)
        self.assertIn("“港口”", message)  # the alt text the revision recorded
        self.assertNotIn(f"编号 {kept.pk}", message)
        self.assertEqual(state(), before)

    def test_a_live_article_keeps_its_live_version_and_gets_no_draft(self):
        image = new_image("港口")
        article = ArticleFactory(channel=self.channel, status=S.PUBLISHED)
        Article.objects.filter(pk=article.pk).update(cover=image)
        article.refresh_from_db()
        old = revision_create(article=article, by=self.editor)
        Article.objects.filter(pk=article.pk).update(cover=None)
        images_delete(images=[image], by=self.root)
        before = state()
        with self.assertRaises(ValidationError):
            revision_restore(revision=old, by=self.editor)
        self.assertEqual(state(), before)
        self.assertIsNone(Article.objects.get(pk=article.pk).draft_revision_id)

    def test_the_admin_says_what_is_missing_and_writes_nothing(self):
        image = new_image("港口")
        article = ArticleFactory(channel=self.channel, status=S.DRAFT)
        old = self.old_revision(article, cover=image, body=body_with(image))
        pk = image.pk
        images_delete(images=[image], by=self.root)
        before = state()
        self.client.force_login(self.editor)
        response = self.client.post(
            f"/admin/news/article/{article.pk}/revisions/{old.pk}/restore/"
        )
        self.assertEqual(response.status_code, 302)
        said = [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]
        self.assertEqual([level for level, _ in said], ["error"], said)
        self.assertIn("封面图", said[0][1])
        self.assertIn(f"编号 {pk}", said[0][1])
        self.assertEqual(state(), before)

    def test_images_still_there_are_restored(self):
        image = new_image("港口")
        article = ArticleFactory(channel=self.channel, status=S.DRAFT)
        old = self.old_revision(article, cover=image, body=body_with(image))
        revision_restore(revision=old, by=self.editor)
        article.refresh_from_db()
        self.assertEqual(article.cover_id, image.pk)
        self.assertIn(f'data-file="{image.pk}"', article.body)

    def test_comparing_and_previewing_such_a_revision_work(self):
        image = new_image("港口")
        article = ArticleFactory(channel=self.channel, status=S.DRAFT)
        old = self.old_revision(article, cover=image, body=body_with(image))
        latest = article.revisions.order_by("-version", "-id").first()
        pk = image.pk
        images_delete(images=[image], by=self.root)
        self.assertFalse(Image.objects.filter(pk=pk).exists())
        self.client.force_login(self.editor)
        diff = self.client.get(
            f"/admin/news/article/{article.pk}/diff/", {"a": old.pk, "b": latest.pk}
        )
        self.assertContains(diff, f"已删除的图片（编号 {pk}）")
        preview = self.client.get(
            f"/news/{article.pk}/preview/revision/{old.pk}/", follow=True
        )
        self.assertEqual(preview.status_code, 200)
        history = self.client.get(f"/admin/news/article/{article.pk}/history/")
        self.assertEqual(history.status_code, 200)
