"""Revisions: a snapshot per save, readable diffs, restore, purge."""

from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase
from django.utils import timezone

from news.models import Article, Revision
from news.revisions import revision_create, revision_diff
from news.workflow import article_publish, article_submit, revision_restore
from tests.factories import (
    ArticleFactory,
    BylineFactory,
    ChannelFactory,
    TagFactory,
    UserFactory,
    staff_in_group,
)

S = Article.Status


class SnapshotTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = staff_in_group("editor", "编辑")

    def test_snapshot_holds_fields_body_bylines_and_tags(self):
        article = ArticleFactory(status=S.DRAFT, subtitle="副题")
        article.tags.add(TagFactory(name="标准化"))
        BylineFactory(article=article, person__name="逄苗", prefix="YMG全媒体")
        revision = revision_create(article=article, by=self.editor)
        data = revision.snapshot
        self.assertEqual(data["title"], article.title)
        self.assertEqual(data["subtitle"], "副题")
        self.assertIn("<h2>小标题</h2>", data["body"])
        self.assertEqual(data["tags"], ["标准化"])
        self.assertEqual(data["bylines"][0]["name"], "逄苗")
        self.assertEqual(data["bylines"][0]["prefix"], "YMG全媒体")
        self.assertEqual(data["channel_name"], article.channel.name)
        self.assertEqual(revision.created_by, self.editor)

    def test_every_service_transition_adds_a_revision(self):
        article = ArticleFactory(status=S.DRAFT)
        article_submit(article=article, by=self.editor)
        self.assertEqual(article.revisions.count(), 1)
        self.assertEqual(article.revisions.get().version, article.version)


class RevisionViewTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.channel = ChannelFactory()
        cls.editor = staff_in_group("editor", "编辑")
        cls.article = ArticleFactory(
            channel=cls.channel,
            status=S.DRAFT,
            title="烟台质量强市",
            body="<p>共参与制修订604项国家标准。</p>",
        )
        cls.v1 = revision_create(article=cls.article, by=cls.editor, summary="初稿")
        Article.objects.filter(pk=cls.article.pk).update(
            title="烟台质量强市建设",
            body="<p>共参与制修订612项国家标准和行业标准。</p>",
            version=2,
        )
        cls.article.refresh_from_db()
        cls.v2 = revision_create(article=cls.article, by=cls.editor, summary="改数字")

    def setUp(self):
        self.client.force_login(self.editor)

    def test_diff_marks_insertions_and_deletions(self):
        diffs = {d.name: d for d in revision_diff(old=self.v1, new=self.v2)}
        self.assertEqual(set(diffs), {"title", "body"})
        self.assertEqual(str(diffs["title"].html), "烟台质量强市<ins>建设</ins>")
        body = str(diffs["body"].html)
        self.assertIn("<del>04</del><ins>12</ins>", body)
        self.assertIn("<ins>和行业标准</ins>", body)

    def test_diff_escapes_html_in_content(self):
        old = Revision(snapshot={"title": "<b>a</b>"})
        new = Revision(snapshot={"title": "<b>ab</b>"})
        html = str(revision_diff(old=old, new=new)[0].html)
        self.assertNotIn("<b>", html)
        self.assertIn("&lt;b&gt;", html)

    def test_history_lists_revisions(self):
        response = self.client.get(f"/admin/news/article/{self.article.pk}/history/")
        self.assertContains(response, "初稿")
        self.assertContains(response, "改数字")
        self.assertContains(response, "恢复为新草稿")

    def test_diff_view(self):
        response = self.client.get(
            f"/admin/news/article/{self.article.pk}/diff/",
            {"a": self.v2.pk, "b": self.v1.pk},
        )
        self.assertContains(response, "第 1 版")
        self.assertContains(response, "<ins>建设</ins>", html=False)
        self.assertContains(response, "正文")

    def test_diff_with_a_revision_of_another_article_is_404(self):
        other = revision_create(article=ArticleFactory(), by=self.editor)
        response = self.client.get(
            f"/admin/news/article/{self.article.pk}/diff/",
            {"a": self.v1.pk, "b": other.pk},
        )
        self.assertEqual(response.status_code, 404)
        response = self.client.get(
            f"/admin/news/article/{self.article.pk}/diff/", {"a": "x", "b": "1"}
        )
        self.assertEqual(response.status_code, 404)

    def test_restore_creates_a_new_draft_revision(self):
        response = self.client.post(
            f"/admin/news/article/{self.article.pk}/revisions/{self.v1.pk}/restore/",
            follow=True,
        )
        self.assertContains(response, "已恢复第 1 版")
        self.article.refresh_from_db()
        self.assertEqual(self.article.title, "烟台质量强市")
        self.assertIn("604项", self.article.body)
        self.assertEqual(self.article.status, S.DRAFT)
        # History kept: the two old revisions untouched, one new on top.
        self.assertEqual(self.article.revisions.count(), 3)
        self.v2.refresh_from_db()
        self.assertEqual(self.v2.snapshot["title"], "烟台质量强市建设")
        newest = self.article.revisions.first()
        self.assertEqual(newest.summary, "恢复第 1 版")
        self.assertEqual(newest.version, self.article.version)

    def test_restore_needs_post(self):
        url = f"/admin/news/article/{self.article.pk}/revisions/{self.v1.pk}/restore/"
        self.assertEqual(self.client.get(url).status_code, 405)
        self.article.refresh_from_db()
        self.assertEqual(self.article.title, "烟台质量强市建设")

    def test_restore_on_a_live_article_makes_a_draft_and_leaves_it_online(self):
        live = ArticleFactory(channel=self.channel, status=S.PUBLISHED, title="在线")
        old = revision_create(article=live, by=self.editor)
        Article.objects.filter(pk=live.pk).update(title="在线新标题")
        revision_restore(revision=old, by=self.editor)
        live.refresh_from_db()
        self.assertEqual(live.title, "在线新标题")  # the live version
        self.assertEqual(live.status, S.PUBLISHED)
        self.assertTrue(live.is_published)
        self.assertEqual(live.draft_status, S.DRAFT)
        self.assertEqual(live.draft_revision.snapshot["title"], "在线")
        self.assertEqual(live.revisions.count(), 2)

    def test_restore_restores_tags_and_bylines(self):
        article = ArticleFactory(channel=self.channel, status=S.DRAFT)
        article.tags.add(TagFactory(name="计量"))
        BylineFactory(article=article, person__name="唐克")
        old = revision_create(article=article, by=self.editor)
        article.tags.clear()
        article.bylines.all().delete()
        revision_restore(revision=old, by=self.editor)
        self.assertEqual([t.name for t in article.tags.all()], ["计量"])
        self.assertEqual([b.person.name for b in article.bylines.all()], ["唐克"])


class AdminSaveRevisionTests(TestCase):
    def test_admin_save_creates_a_revision_naming_changed_fields(self):
        admin = UserFactory(username="root", is_staff=True, is_superuser=True)
        article = ArticleFactory(status=S.DRAFT)
        self.client.force_login(admin)
        response = self.client.get(f"/admin/news/article/{article.pk}/change/")
        data = {
            k: v
            for k, v in response.context["adminform"].form.initial.items()
            if v is not None and not isinstance(v, list | tuple)
        }
        local = timezone.localtime(article.published_at)
        data.update(
            title="新标题",
            expected_version=article.version,  # the form's hidden field
            channel=article.channel_id,
            published_at_0=local.strftime("%Y-%m-%d"),
            published_at_1=local.strftime("%H:%M:%S"),
            **{
                "bylines-TOTAL_FORMS": "0",
                "bylines-INITIAL_FORMS": "0",
                "bylines-MIN_NUM_FORMS": "0",
                "bylines-MAX_NUM_FORMS": "1000",
            },
        )
        data.pop("published_at", None)
        data.pop("expires_at", None)
        response = self.client.post(f"/admin/news/article/{article.pk}/change/", data)
        self.assertEqual(response.status_code, 302)
        revision = article.revisions.get(version=2)
        self.assertIn("标题", revision.summary)
        self.assertEqual(revision.snapshot["title"], "新标题")
        self.assertEqual(revision.version, 2)


class PurgeRevisionsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.publisher = staff_in_group("publisher", "终审发布")

    def make(self, article, days_ago, **kwargs):
        revision = revision_create(article=article, by=None, **kwargs)
        Revision.objects.filter(pk=revision.pk).update(
            created_at=timezone.now() - timedelta(days=days_ago)
        )
        return revision

    def test_purge_keeps_live_and_latest(self):
        article = ArticleFactory(status=S.REVIEW_3)
        live = self.make(article, 400, is_live=True)
        old = [self.make(article, 300 - i) for i in range(3)]
        latest = self.make(article, 200)
        out = StringIO()
        call_command("purge_revisions", "--older-than-days=90", "--keep=0", stdout=out)
        self.assertIn("已删除 3 个历史版本", out.getvalue())
        remaining = set(article.revisions.values_list("pk", flat=True))
        self.assertEqual(remaining, {live.pk, latest.pk})
        self.assertFalse(Revision.objects.filter(pk__in=[r.pk for r in old]).exists())

    def test_purge_respects_keep_and_age(self):
        article = ArticleFactory(status=S.DRAFT)
        recent = [self.make(article, 1) for _ in range(3)]
        old = [self.make(article, 100 + i) for i in range(3)]
        call_command(
            "purge_revisions", "--older-than-days=30", "--keep=4", stdout=StringIO()
        )
        remaining = set(article.revisions.values_list("pk", flat=True))
        # The 3 recent are young; the newest old one is kept by --keep=4.
        self.assertEqual(remaining, {*(r.pk for r in recent), old[0].pk})

    def test_publish_marks_the_live_revision(self):
        article = ArticleFactory(status=S.REVIEW_3)
        article_publish(article=article, by=self.publisher)
        self.assertEqual(article.revisions.filter(is_live=True).count(), 1)

    def test_negative_arguments_are_refused(self):
        article = ArticleFactory()
        self.make(article, 100)
        with self.assertRaisesMessage(CommandError, "不能为负数"):
            call_command("purge_revisions", "--older-than-days=-1", stdout=StringIO())
        self.assertEqual(Revision.objects.count(), 1)


class RestoreDeletedRelationsTests(TestCase):
    def test_restore_refuses_a_cover_deleted_since(self):
        """Not dropped silently: the work would lose its cover unseen (more in
        tests/news/test_restore_images.py)."""
        from django.core.exceptions import ValidationError

        from news.models import Image
        from tests.factories import png_file

        editor = staff_in_group("editor", "编辑")
        cover = Image.objects.create(file=png_file(), title="封面", alt_text="封面图")
        article = ArticleFactory(status=S.DRAFT, cover=cover, title="有封面")
        old = revision_create(article=article, by=editor)
        # The article moved on; only its older revision names the image, which
        # does not keep it (an image an article uses cannot be deleted).
        Article.objects.filter(pk=article.pk).update(title="改了", cover=None)
        cover.delete()
        with self.assertRaisesMessage(ValidationError, "封面图"):
            revision_restore(revision=old, by=editor)
        article.refresh_from_db()
        self.assertEqual(article.title, "改了")
        self.assertIsNone(article.cover_id)
