"""Previews: staff previews of drafts and revisions, signed share links."""

from datetime import timedelta
from unittest import mock

from django.core.cache import cache
from django.test import TestCase
from django.utils import timezone

from news.models import Article, AuditLog, PreviewLink
from news.preview import preview_link_create, preview_link_url
from news.revisions import revision_create
from tests.factories import (
    ArticleFactory,
    BylineFactory,
    TagFactory,
    UserFactory,
    staff_in_group,
)

S = Article.Status


class StaffPreviewTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = staff_in_group("editor", "编辑")
        cls.nobody = staff_in_group("nobody", None)
        cls.article = ArticleFactory(status=S.DRAFT, title="尚未发布的草稿")

    def test_staff_sees_a_draft_with_the_public_template_and_noindex(self):
        self.client.force_login(self.editor)
        response = self.client.get(f"/news/{self.article.pk}/preview/")
        self.assertEqual(response.status_code, 200)
        self.assertTemplateUsed(response, "news/article_detail.html")
        self.assertContains(response, "尚未发布的草稿")
        self.assertContains(response, '<meta name="robots" content="noindex')
        self.assertEqual(response["X-Robots-Tag"], "noindex, nofollow")
        self.assertIn("no-store", response["Cache-Control"])
        # The public page still does not show it.
        self.assertEqual(
            self.client.get(self.article.get_absolute_url()).status_code, 404
        )

    def test_anonymous_is_sent_to_login(self):
        response = self.client.get(f"/news/{self.article.pk}/preview/")
        self.assertEqual(response.status_code, 302)
        self.assertIn("/admin/login/", response["Location"])

    def test_staff_without_article_permission_is_refused(self):
        self.client.force_login(self.nobody)
        response = self.client.get(f"/news/{self.article.pk}/preview/")
        self.assertEqual(response.status_code, 403)
        self.assertNotIn("尚未发布的草稿", response.content.decode())
        # A page of the site, in Chinese, with a way on: not Django's bare
        # English "403 Forbidden".
        self.assertContains(response, '<html lang="zh-Hans">', status_code=403)
        self.assertContains(response, "<h1>没有访问权限</h1>", status_code=403)
        self.assertContains(response, '<a href="/">返回首页</a>', status_code=403)
        response = self.client.get(f"/en/news/{self.article.pk}/preview/")
        self.assertContains(response, '<html lang="en">', status_code=403)
        self.assertContains(response, "<h1>Access denied</h1>", status_code=403)

    def test_revision_preview_shows_the_old_content(self):
        article = ArticleFactory(status=S.PUBLISHED, title="旧标题")
        article.tags.add(TagFactory(name="旧标签"))
        BylineFactory(article=article, person__name="旧记者")
        old = revision_create(article=article, by=self.editor)
        Article.objects.filter(pk=article.pk).update(title="新标题")
        article.tags.clear()
        self.client.force_login(self.editor)
        response = self.client.get(f"/news/{article.pk}/preview/revision/{old.pk}/")
        self.assertContains(response, "旧标题")
        self.assertContains(response, "旧标签")
        self.assertContains(response, "旧记者")
        self.assertContains(response, "第 1 版")
        self.assertNotContains(response, "新标题")

    def test_revision_of_another_article_is_404(self):
        other = revision_create(article=ArticleFactory(), by=self.editor)
        self.client.force_login(self.editor)
        response = self.client.get(
            f"/news/{self.article.pk}/preview/revision/{other.pk}/"
        )
        self.assertEqual(response.status_code, 404)


class ShareLinkTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = staff_in_group("editor", "编辑")
        cls.article = ArticleFactory(status=S.REVIEW_1, title="待审稿件")
        cls.other = ArticleFactory(status=S.DRAFT, title="另一篇草稿")

    def test_link_shows_only_that_article_without_login(self):
        link = preview_link_create(article=self.article, by=self.editor)
        response = self.client.get(preview_link_url(link))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "待审稿件")
        self.assertNotContains(response, "另一篇草稿")
        self.assertContains(response, '<meta name="robots" content="noindex')
        self.assertEqual(response["X-Robots-Tag"], "noindex, nofollow")

    def test_expired_link_is_refused(self):
        link = preview_link_create(
            article=self.article, by=self.editor, valid_for=timedelta(hours=1)
        )
        url = preview_link_url(link)
        later = timezone.now() + timedelta(hours=2)
        with mock.patch("django.utils.timezone.now", return_value=later):
            response = self.client.get(url)
        self.assertEqual(response.status_code, 404)
        self.assertContains(response, "预览链接已失效", status_code=404)
        self.assertNotContains(response, "待审稿件", status_code=404)
        self.assertEqual(response["X-Robots-Tag"], "noindex, nofollow")

    def test_revoked_link_is_refused(self):
        link = preview_link_create(article=self.article, by=self.editor)
        url = preview_link_url(link)
        self.client.force_login(self.editor)
        self.client.post(
            f"/admin/news/article/{self.article.pk}/share/", {"revoke": link.pk}
        )
        self.client.logout()
        link.refresh_from_db()
        self.assertTrue(link.is_revoked)
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_tampered_or_forged_link_is_refused(self):
        link = preview_link_create(article=self.article, by=self.editor)
        url = preview_link_url(link)
        self.assertEqual(self.client.get(url[:-3] + "abc/").status_code, 404)
        # The raw token without the signature is no key either.
        self.assertEqual(self.client.get(f"/preview/{link.token}/").status_code, 404)

    def test_admin_creates_a_link_and_audits_it(self):
        self.client.force_login(self.editor)
        response = self.client.post(
            f"/admin/news/article/{self.article.pk}/share/", {"days": "2"}, follow=True
        )
        link = PreviewLink.objects.get()
        self.assertContains(response, "已生成预览链接（2 天内有效）")
        self.assertAlmostEqual(
            link.expires_at,
            timezone.now() + timedelta(days=2),
            delta=timedelta(minutes=1),
        )
        self.assertTrue(
            AuditLog.objects.filter(
                action=AuditLog.Action.SHARE, object_id=str(self.article.pk)
            ).exists()
        )

    def test_share_needs_change_permission(self):
        viewer = staff_in_group("viewer", None)
        from django.contrib.auth.models import Permission

        viewer.user_permissions.add(Permission.objects.get(codename="view_article"))
        self.client.force_login(viewer)
        response = self.client.post(f"/admin/news/article/{self.article.pk}/share/")
        self.assertEqual(response.status_code, 403)
        self.assertFalse(PreviewLink.objects.exists())


class ShareLinkCreatorTests(TestCase):
    """A share link works only while its creator could make it now: an active
    staff account holding the change permission (``PreviewLink.is_valid``)."""

    def setUp(self):
        self.editor = staff_in_group("editor", "编辑")
        self.article = ArticleFactory(status=S.REVIEW_1, title="待审稿件")
        self.link = preview_link_create(article=self.article, by=self.editor)
        self.url = preview_link_url(self.link)

    def assert_refused(self):
        response = self.client.get(self.url)
        # As an expired or revoked link is answered.
        self.assertEqual(response.status_code, 404)
        self.assertContains(response, "预览链接已失效", status_code=404)
        self.assertContains(response, "创建链接的编辑已无权分享", status_code=404)
        self.assertNotContains(response, "待审稿件", status_code=404)
        self.assertEqual(response["X-Robots-Tag"], "noindex, nofollow")
        self.assertIn("no-store", response["Cache-Control"])

    def test_an_active_permitted_creators_link_works_in_one_query(self):
        from news.preview import preview_link_resolve

        signed = self.url.rstrip("/").rsplit("/", 1)[1]
        with self.assertNumQueries(1):
            self.assertEqual(preview_link_resolve(signed), self.link)
        response = self.client.get(self.url)
        self.assertContains(response, "待审稿件")

    def test_deactivating_the_creator_stops_the_link_at_once(self):
        self.editor.is_active = False
        self.editor.save()
        self.assert_refused()

    def test_losing_the_permission_stops_the_link(self):
        self.editor.groups.clear()
        self.assert_refused()

    def test_losing_admin_access_stops_the_link(self):
        self.editor.is_staff = False
        self.editor.save()
        self.assert_refused()

    def test_a_deleted_creators_link_stops(self):
        self.editor.delete()
        self.assert_refused()

    def test_a_permission_of_ones_own_or_a_superuser_keeps_it(self):
        from django.contrib.auth.models import Permission

        self.editor.groups.clear()
        self.editor.user_permissions.add(
            Permission.objects.get(codename="change_article")
        )
        self.assertEqual(self.client.get(self.url).status_code, 200)
        root = UserFactory(username="root", is_staff=True, is_superuser=True)
        link = preview_link_create(article=self.article, by=root)
        self.assertEqual(self.client.get(preview_link_url(link)).status_code, 200)

    def test_valid_agrees_with_is_valid(self):
        from django.contrib.auth.models import Permission

        others = {
            "inactive": UserFactory(username="a", is_staff=True, is_active=False),
            "not_staff": UserFactory(username="b"),
            "deleted": staff_in_group("f", "编辑"),
            "no_perm": staff_in_group("c", None),
            "own_perm": staff_in_group("d", None),
            "superuser": UserFactory(username="e", is_staff=True, is_superuser=True),
        }
        others["own_perm"].user_permissions.add(
            Permission.objects.get(codename="change_article")
        )
        for user in others.values():
            preview_link_create(article=self.article, by=user)
        PreviewLink.objects.filter(created_by=others["deleted"]).update(created_by=None)
        expired = preview_link_create(
            article=self.article, by=self.editor, valid_for=timedelta(hours=-1)
        )
        links = list(PreviewLink.objects.select_related("created_by"))
        valid = set(PreviewLink.objects.valid())
        self.assertEqual(valid, {link for link in links if link.is_valid})
        self.assertEqual(
            {link.created_by for link in valid},
            {self.editor, others["own_perm"], others["superuser"]},
        )
        self.assertNotIn(expired, valid)


class PreviewHasNothingToShareTests(TestCase):
    """A preview is not public: no share block, view beacon or 上一篇/下一篇."""

    @classmethod
    def setUpTestData(cls):
        cls.editor = staff_in_group("editor", "编辑")
        cls.article = ArticleFactory(status=S.REVIEW_1, title="待审稿件")
        cls.published = ArticleFactory(status=S.PUBLISHED, title="已发布的文章")

    def setUp(self):
        cache.clear()

    def assert_nothing_to_share(self, response, article):
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, article.title)
        for text in (
            "本文网址",
            "复制链接",
            "copy-link",
            "微信扫一扫",
            f"/news/{article.pk}/qr.svg",
            "data-view-url",
            "上一篇",
            "下一篇",
        ):
            self.assertNotContains(response, text)

    def test_staff_preview_has_no_share_block(self):
        self.client.force_login(self.editor)
        for article in (self.article, self.published):
            with self.subTest(article=article.title):
                response = self.client.get(f"/news/{article.pk}/preview/")
                self.assert_nothing_to_share(response, article)

    def test_revision_preview_has_no_share_block(self):
        revision = revision_create(article=self.article, by=self.editor)
        self.client.force_login(self.editor)
        response = self.client.get(
            f"/news/{self.article.pk}/preview/revision/{revision.pk}/"
        )
        self.assert_nothing_to_share(response, self.article)

    def test_share_link_preview_has_no_share_block(self):
        link = preview_link_create(article=self.article, by=self.editor)
        response = self.client.get(preview_link_url(link))
        self.assert_nothing_to_share(response, self.article)

    def test_the_public_page_keeps_its_share_block(self):
        response = self.client.get(self.published.get_absolute_url())
        self.assertContains(response, "本文网址")
        self.assertContains(response, "复制链接")
        self.assertContains(response, f"/news/{self.published.pk}/qr.svg")
        self.assertContains(response, "data-view-url")
        self.assertContains(response, "上一篇")

    def test_no_qr_code_for_an_article_under_review(self):
        response = self.client.get(f"/news/{self.article.pk}/qr.svg")
        self.assertEqual(response.status_code, 404)

    def test_no_qr_code_once_withdrawn_even_if_drawn_before(self):
        url = f"/news/{self.published.pk}/qr.svg"
        self.assertEqual(self.client.get(url).status_code, 200)
        Article.objects.filter(pk=self.published.pk).update(status=S.UNPUBLISHED)
        self.assertEqual(self.client.get(url).status_code, 404)
        Article.objects.filter(pk=self.published.pk).update(
            status=S.PUBLISHED, expires_at=timezone.now() - timedelta(minutes=1)
        )
        self.assertEqual(self.client.get(url).status_code, 404)
