"""Deleting a library image: never one that an article uses, and its files with it.

An image an article uses — as the cover of any article (on the site, scheduled or
a draft), inside an article's body (a library ``<picture>`` or a pasted rendition
address), or in the cover or body of a pending draft over a live article — cannot be
deleted by any path: the admin lists the articles and deletes nothing, the service
and the ORM raise ``ProtectedError``. An unused image is deleted with its original
and renditions, once the deletion commits. Older revisions do not count: they are
history (restoring one whose images were deleted since is refused:
tests/news/test_restore_images.py).
"""

from __future__ import annotations

from datetime import timedelta

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import ProtectedError
from django.test import TestCase
from django.utils import timezone, translation

from news.images import image_create, images_delete
from news.models import Article, AuditLog, Image, Revision
from news.revisions import revision_create
from news.services import article_update
from tests.factories import ArticleFactory, UserFactory, delete_articles
from tests.news.test_images import encode, photo, upload

S = Article.Status


def new_image(title: str = "港口") -> Image:
    return image_create(
        file=upload("a.jpg", encode(photo((400, 300)), "JPEG")),
        title=title,
        alt_text=f"{title}的照片",
    )


def files_of(image: Image) -> list[str]:
    return [image.file.name, *(r["name"] for r in image.renditions)]


def stored(names: list[str]) -> list[bool]:
    return [default_storage.exists(name) for name in names]


def body_with(image: Image) -> str:
    """A body with ``image`` inserted from the picker, as the editor sends it."""
    return (
        f'<p>正文第一段。</p><img data-file="{image.pk}" '
        f'src="{image.file.url}" alt="港口">'
    )


class ImageDeleteTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.root = UserFactory(username="root", is_staff=True, is_superuser=True)

    def setUp(self):
        self.client.force_login(self.root)
        self.image = new_image()
        self.names = files_of(self.image)
        self.assertEqual(stored(self.names), [True] * len(self.names))

    def published(self, **fields) -> Article:
        fields.setdefault("published_at", timezone.now() - timedelta(hours=1))
        return ArticleFactory(status=S.PUBLISHED, **fields)

    def state(self):
        """What a refused deletion must leave as it was: rows and files."""
        return (
            list(Image.objects.order_by("pk").values_list("pk", "title")),
            list(
                Article.objects.order_by("pk").values_list(
                    "pk", "cover_id", "body", "version", "updated_at", "page_stamp"
                )
            ),
            list(Revision.objects.order_by("pk").values_list("pk", "snapshot")),
            AuditLog.objects.filter(action=AuditLog.Action.DELETE).count(),
            stored(self.names),
        )

    def assert_refused_in_admin(self, *articles: Article):
        """The single delete and the bulk action show the articles, delete nothing."""
        before = self.state()
        url = f"/admin/news/image/{self.image.pk}/delete/"
        for response in (
            self.client.get(url),
            self.client.post(url, {"post": "yes"}),
            self.client.post(
                "/admin/news/image/",
                {
                    "action": "delete_selected",
                    "_selected_action": [self.image.pk],
                    "post": "yes",
                },
            ),
        ):
            self.assertEqual(response.status_code, 200)
            self.assertContains(response, "正被以下文章使用，不能删除")
            self.assertContains(response, "没有删除任何图片。")
            for article in articles:
                self.assertContains(
                    response,
                    f'<a href="/admin/news/article/{article.pk}/change/">'
                    f"{article.title}</a>",
                    html=True,
                )
            self.assertNotContains(response, "将要求删除以下受保护的相关对象")
        self.assertEqual(self.state(), before)

    def assert_refused_by_service_and_orm(self, *articles: Article):
        """The service names the articles; the ORM's own deletions refuse too."""
        before = self.state()
        for delete in (
            lambda: images_delete(images=[self.image], by=self.root),
            lambda: Image.objects.get(pk=self.image.pk).delete(),
            lambda: Image.objects.filter(pk=self.image.pk).delete(),
        ):
            with (
                self.captureOnCommitCallbacks(execute=True),
                self.assertRaises(ProtectedError) as refused,
                transaction.atomic(),
            ):
                delete()
            self.assertEqual(self.state(), before)
        with self.assertRaises(ProtectedError) as refused:
            images_delete(images=[self.image], by=self.root)
        message = refused.exception.args[0]
        self.assertIn("图片“港口”正被以下文章使用，不能删除", message)
        self.assertIn("没有删除任何图片。", message)
        for article in articles:
            self.assertIn(f"“{article.title}”", message)
        self.assertEqual(
            {a.pk for a in refused.exception.protected_objects},
            {a.pk for a in articles},
        )
        self.assertEqual(self.state(), before)


class InUseTests(ImageDeleteTestCase):
    def test_the_cover_of_a_published_article(self):
        article = self.published(title="烟台港吞吐量创新高", cover=self.image)
        self.assert_refused_in_admin(article)
        self.assert_refused_by_service_and_orm(article)
        article.refresh_from_db()
        self.assertEqual(article.cover_id, self.image.pk)

    def test_the_cover_of_a_scheduled_article_and_of_a_draft(self):
        scheduled = self.published(
            title="定时发布的文章",
            cover=self.image,
            published_at=timezone.now() + timedelta(days=1),
        )
        draft = ArticleFactory(status=S.DRAFT, title="还在写的稿子", cover=self.image)
        self.assert_refused_in_admin(scheduled, draft)
        self.assert_refused_by_service_and_orm(scheduled, draft)

    def test_the_refusal_in_english_lists_with_commas(self):
        # The places and the articles were joined with "、" in English too.
        first = self.published(
            title="Port", cover=self.image, body=body_with(self.image)
        )
        second = self.published(title="Harbour", cover=self.image)
        with translation.override("en"), self.assertRaises(ProtectedError) as refused:
            images_delete(images=[self.image], by=self.root)
        message = refused.exception.args[0]
        self.assertNotIn("、", message)
        self.assertNotIn("（", message)
        self.assertIn(
            f"“{first.title}” (Cover image, Body), “{second.title}” (Cover image)",
            message,
        )
        response = self.client.get(
            f"/admin/news/image/{self.image.pk}/delete/", HTTP_ACCEPT_LANGUAGE="en"
        )
        self.assertContains(response, "Cover image, Body")
        self.assertNotContains(response, "Cover image、Body")

    def test_inside_the_body_of_a_published_article(self):
        article = self.published(title="正文里有图", body=body_with(self.image))
        self.assertIn(f'data-file="{self.image.pk}"', article.body)
        self.assert_refused_in_admin(article)
        self.assert_refused_by_service_and_orm(article)

    def test_a_rendition_address_pasted_into_a_body(self):
        # The image's change page lists its renditions' addresses "正文插图时填入".
        url = default_storage.url(self.image.renditions[0]["name"])
        article = self.published(
            title="贴了图片地址", body=f'<p>正文</p><p><img src="{url}" alt="x"></p>'
        )
        self.assertNotIn("data-file", article.body)
        self.assert_refused_in_admin(article)
        self.assert_refused_by_service_and_orm(article)

    def test_in_the_pending_draft_over_a_live_article(self):
        editor = self.root
        for field in ("body", "cover"):
            with self.subTest(field=field):
                article = self.published(title=f"修改稿里的{field}")
                value = body_with(self.image) if field == "body" else self.image
                article_update(article=article, by=editor, values={field: value})
                article.refresh_from_db()
                self.assertTrue(article.has_draft)
                self.assertIsNone(article.cover_id)
                self.assertNotIn("data-file", article.body)
                self.assert_refused_in_admin(article)
                self.assert_refused_by_service_and_orm(article)
                delete_articles([article])

    def test_a_bulk_delete_with_one_image_in_use_deletes_none(self):
        unused = new_image("没人用的图")
        unused_names = files_of(unused)
        article = self.published(title="有封面的文章", cover=self.image)
        before = self.state()
        response = self.client.post(
            "/admin/news/image/",
            {
                "action": "delete_selected",
                "_selected_action": [self.image.pk, unused.pk],
                "post": "yes",
            },
        )
        self.assertContains(response, "正被以下文章使用，不能删除")
        self.assertContains(
            response,
            f'<a href="/admin/news/article/{article.pk}/change/">有封面的文章</a>',
            html=True,
        )
        self.assertEqual(self.state(), before)
        self.assertTrue(Image.objects.filter(pk=unused.pk).exists())
        self.assertEqual(stored(unused_names), [True] * len(unused_names))
        with self.assertRaises(ProtectedError):
            images_delete(images=Image.objects.all(), by=self.root)
        self.assertEqual(self.state(), before)
        self.assertEqual(stored(unused_names), [True] * len(unused_names))


class UnusedTests(ImageDeleteTestCase):
    def test_admin_delete_removes_the_row_and_its_files_after_commit(self):
        # Another image, used, is not this one's business (and ids 1 and 12 …).
        other = new_image("别的图")
        self.published(title="别的文章", cover=other, body=body_with(other))
        url = f"/admin/news/image/{self.image.pk}/delete/"
        page = self.client.get(url)
        self.assertContains(page, "确定")
        with self.captureOnCommitCallbacks(execute=True) as callbacks:
            response = self.client.post(url, {"post": "yes"})
        self.assertEqual(response.status_code, 302)
        self.assertTrue(callbacks)
        self.assertFalse(Image.objects.filter(pk=self.image.pk).exists())
        self.assertEqual(stored(self.names), [False] * len(self.names))
        log = AuditLog.objects.get(action=AuditLog.Action.DELETE)
        self.assertEqual((log.user, log.object_repr), (self.root, "港口"))
        self.assertEqual(stored(files_of(other)), [True] * len(files_of(other)))

    def test_the_bulk_action_deletes_unused_images_and_their_files(self):
        second = new_image("第二张")
        names = self.names + files_of(second)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                "/admin/news/image/",
                {
                    "action": "delete_selected",
                    "_selected_action": [self.image.pk, second.pk],
                    "post": "yes",
                },
            )
        self.assertEqual(response.status_code, 302)
        self.assertFalse(Image.objects.exists())
        self.assertEqual(stored(names), [False] * len(names))

    def test_a_rolled_back_delete_leaves_the_files_a_committed_one_not(self):
        pk = self.image.pk
        with self.captureOnCommitCallbacks(execute=True) as callbacks:
            try:
                with transaction.atomic():
                    Image.objects.get(pk=pk).delete()
                    raise RuntimeError("rolled back")
            except RuntimeError:
                pass
        self.assertEqual(callbacks, [])
        self.assertTrue(Image.objects.filter(pk=pk).exists())
        self.assertEqual(stored(self.names), [True] * len(self.names))
        with self.captureOnCommitCallbacks(execute=True):
            with transaction.atomic():
                Image.objects.get(pk=pk).delete()
            # Not before the commit (here: the test's outer transaction's).
            self.assertEqual(stored(self.names), [True] * len(self.names))
        self.assertEqual(stored(self.names), [False] * len(self.names))

    def test_an_image_only_an_older_revision_used_can_be_deleted(self):
        article = ArticleFactory(status=S.DRAFT, cover=self.image, title="换了封面")
        revision_create(article=article, by=self.root)
        Article.objects.filter(pk=article.pk).update(cover=None)
        with self.captureOnCommitCallbacks(execute=True):
            images_delete(images=[self.image], by=self.root)
        self.assertFalse(Image.objects.filter(pk=self.image.pk).exists())
        self.assertEqual(stored(self.names), [False] * len(self.names))
