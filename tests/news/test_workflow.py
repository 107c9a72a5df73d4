"""三审 workflow: transitions, permissions, scheduling and every admin path."""

from datetime import timedelta
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase
from django.utils import timezone

from news.models import Article, ArticleEvent
from news.workflow import (
    article_approve,
    article_publish,
    article_reject,
    article_submit,
    article_unpublish,
)
from tests.factories import ArticleFactory, ChannelFactory, UserFactory, staff_in_group
from tests.news.test_bulk_publish import confirm_data

S = Article.Status
SEED = (
    Path(settings.BASE_DIR) / "news" / "fixtures" / "pages" / "000_b5b21bbd38acca12.txt"
)


def draft(**kwargs):
    return ArticleFactory(status=S.DRAFT, **kwargs)


class WorkflowServiceTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = staff_in_group("editor", "编辑")
        cls.reviewer = staff_in_group("reviewer", "审核")
        cls.publisher = staff_in_group("publisher", "终审发布")
        cls.admin = UserFactory(username="root", is_staff=True, is_superuser=True)

    def test_full_three_review_path_records_every_transition(self):
        """draft → 待初审 → 待复审 → 待终审 → published, each step an event."""
        article = draft()
        article_submit(article=article, by=self.editor)
        self.assertEqual(article.status, S.REVIEW_1)
        article_approve(article=article, by=self.reviewer, comment="初审通过")
        self.assertEqual(article.status, S.REVIEW_2)
        article_approve(article=article, by=self.reviewer)
        self.assertEqual(article.status, S.REVIEW_3)
        article_publish(article=article, by=self.publisher)
        article.refresh_from_db()
        self.assertEqual(article.status, S.PUBLISHED)
        self.assertEqual(article.responsible_editor, self.publisher)
        self.assertTrue(article.is_published)
        events = list(article.events.order_by("created_at", "id"))
        self.assertEqual(
            [(e.from_status, e.to_status, e.by) for e in events],
            [
                (S.DRAFT, S.REVIEW_1, self.editor),
                (S.REVIEW_1, S.REVIEW_2, self.reviewer),
                (S.REVIEW_2, S.REVIEW_3, self.reviewer),
                (S.REVIEW_3, S.PUBLISHED, self.publisher),
            ],
        )
        self.assertEqual(events[1].comment, "初审通过")

    def test_editor_cannot_approve_or_publish(self):
        article = ArticleFactory(status=S.REVIEW_3)
        for service in (article_approve, article_publish):
            with (
                self.subTest(service=service.__name__),
                self.assertRaisesMessage(PermissionDenied, "没有权限"),
            ):
                service(article=article, by=self.editor)
        article.refresh_from_db()
        self.assertEqual(article.status, S.REVIEW_3)
        self.assertFalse(ArticleEvent.objects.exists())

    def test_reviewer_cannot_publish_or_unpublish(self):
        review3 = ArticleFactory(status=S.REVIEW_3)
        live = ArticleFactory(status=S.PUBLISHED)
        with self.assertRaises(PermissionDenied):
            article_publish(article=review3, by=self.reviewer)
        with self.assertRaises(PermissionDenied):
            article_unpublish(article=live, by=self.reviewer)
        self.assertEqual(
            list(Article.objects.order_by("pk").values_list("status", flat=True)),
            [S.REVIEW_3, S.PUBLISHED],
        )

    def test_wrong_state_is_refused_with_the_current_state(self):
        article = draft()
        with self.assertRaisesMessage(ValidationError, "当前状态为“草稿”"):
            article_publish(article=article, by=self.publisher)
        with self.assertRaisesMessage(ValidationError, "当前状态为“草稿”"):
            article_approve(article=article, by=self.reviewer)
        article.refresh_from_db()
        self.assertEqual(article.status, S.DRAFT)
        self.assertFalse(article.events.exists())

    def test_reject_needs_a_comment(self):
        article = ArticleFactory(status=S.REVIEW_1)
        with self.assertRaisesMessage(ValidationError, "退回时必须填写退回意见"):
            article_reject(article=article, by=self.reviewer, comment="  ")
        article.refresh_from_db()
        self.assertEqual(article.status, S.REVIEW_1)
        self.assertFalse(article.events.exists())
        article_reject(article=article, by=self.reviewer, comment="数据需核实")
        self.assertEqual(article.status, S.DRAFT)
        self.assertEqual(article.events.get().comment, "数据需核实")

    def test_final_review_reject_needs_publish_permission(self):
        article = ArticleFactory(status=S.REVIEW_3)
        with self.assertRaises(PermissionDenied):
            article_reject(article=article, by=self.reviewer, comment="不行")
        article_reject(article=article, by=self.publisher, comment="标题再改")
        self.assertEqual(article.status, S.DRAFT)

    def test_unpublish_and_republish(self):
        article = ArticleFactory(status=S.PUBLISHED)
        article_unpublish(article=article, by=self.publisher, comment="撤稿")
        self.assertEqual(article.status, S.UNPUBLISHED)
        self.assertFalse(Article.objects.published().filter(pk=article.pk).exists())
        article_publish(article=article, by=self.publisher)
        self.assertEqual(article.status, S.PUBLISHED)

    def test_superuser_can_do_everything(self):
        article = draft()
        article_submit(article=article, by=self.admin)
        article_approve(article=article, by=self.admin)
        article_approve(article=article, by=self.admin)
        article_publish(article=article, by=self.admin)
        self.assertEqual(article.status, S.PUBLISHED)

    def test_anonymous_is_refused(self):
        from django.contrib.auth.models import AnonymousUser

        article = draft()
        with self.assertRaises(PermissionDenied):
            article_submit(article=article, by=AnonymousUser())
        article.refresh_from_db()
        self.assertEqual(article.status, S.DRAFT)


class SchedulingTests(TestCase):
    """定时发布 with no cron: visibility is decided at query time."""

    @classmethod
    def setUpTestData(cls):
        cls.publisher = staff_in_group("publisher", "终审发布")

    def test_scheduled_article_appears_at_its_time(self):
        now = timezone.now()
        article = ArticleFactory(status=S.REVIEW_3)
        article_publish(article=article, by=self.publisher, at=now + timedelta(hours=2))
        self.assertEqual(article.events.get().action, "schedule")
        self.assertIn("定时发布", article.events.get().comment)

        def visible(at):
            with mock.patch("django.utils.timezone.now", return_value=at):
                in_queryset = Article.objects.published().filter(pk=article.pk).exists()
                self.assertEqual(in_queryset, article.is_published)
                return in_queryset

        self.assertFalse(visible(now))
        self.assertFalse(visible(now + timedelta(hours=2) - timedelta(seconds=1)))
        self.assertTrue(visible(now + timedelta(hours=2)))
        self.assertTrue(visible(now + timedelta(days=30)))

    def test_expiry_hides_it_again(self):
        now = timezone.now()
        article = ArticleFactory(
            status=S.PUBLISHED,
            published_at=now - timedelta(days=1),
            expires_at=now + timedelta(hours=1),
        )
        self.assertTrue(Article.objects.published().filter(pk=article.pk).exists())
        with mock.patch(
            "django.utils.timezone.now", return_value=now + timedelta(hours=1)
        ):
            self.assertFalse(Article.objects.published().filter(pk=article.pk).exists())

    def test_future_published_at_from_the_form_is_kept_as_schedule(self):
        later = timezone.now() + timedelta(days=1)
        article = ArticleFactory(status=S.REVIEW_3, published_at=later)
        article_publish(article=article, by=self.publisher)
        article.refresh_from_db()
        self.assertEqual(article.published_at, later)
        self.assertFalse(article.is_published)

    def test_scheduled_article_page_is_404_until_due(self):
        article = ArticleFactory(
            status=S.PUBLISHED, published_at=timezone.now() + timedelta(hours=1)
        )
        self.assertEqual(self.client.get(article.get_absolute_url()).status_code, 404)


class AdminWorkflowTests(TestCase):
    """The admin cannot be used to skip the workflow."""

    @classmethod
    def setUpTestData(cls):
        cls.channel = ChannelFactory()
        cls.editor = staff_in_group("editor", "编辑")
        cls.reviewer = staff_in_group("reviewer", "审核")
        cls.publisher = staff_in_group("publisher", "终审发布")

    def form_data(self, article, **overrides):
        data = {
            "kicker": "",
            "title": article.title,
            "subtitle": "",
            "summary": article.summary,
            "body": article.body,
            "source": article.source,
            "source_url": "",
            "channel": article.channel_id,
            "published_at_0": timezone.localtime(article.published_at).strftime(
                "%Y-%m-%d"
            ),
            "published_at_1": timezone.localtime(article.published_at).strftime(
                "%H:%M:%S"
            ),
            "expires_at_0": "",
            "expires_at_1": "",
            "slug": article.slug,
            "expected_version": article.version,
            "bylines-TOTAL_FORMS": "0",
            "bylines-INITIAL_FORMS": "0",
            "bylines-MIN_NUM_FORMS": "0",
            "bylines-MAX_NUM_FORMS": "1000",
        }
        data.update(overrides)
        return data

    def test_crafted_post_with_status_published_does_not_publish(self):
        article = draft(channel=self.channel)
        self.client.force_login(self.editor)
        url = f"/admin/news/article/{article.pk}/change/"
        response = self.client.post(
            url,
            self.form_data(
                article,
                title="改过的标题",
                status="published",
                responsible_editor=self.editor.pk,
                version=99,
            ),
        )
        self.assertEqual(response.status_code, 302, getattr(response, "context", None))
        article.refresh_from_db()
        self.assertEqual(article.title, "改过的标题")
        self.assertEqual(article.status, S.DRAFT)
        self.assertIsNone(article.responsible_editor)
        self.assertFalse(Article.objects.published().exists())

    def test_status_is_read_only_in_the_change_form(self):
        article = draft(channel=self.channel)
        self.client.force_login(self.editor)
        response = self.client.get(f"/admin/news/article/{article.pk}/change/")
        self.assertNotContains(response, 'name="status"')
        self.assertNotContains(response, 'name="responsible_editor"')
        self.assertContains(response, 'value="submit"')
        self.assertNotContains(response, 'value="publish"')

    def test_add_form_always_creates_a_draft(self):
        self.client.force_login(self.editor)
        article = Article(
            title="新稿件", channel=self.channel, published_at=timezone.now()
        )
        data = self.form_data(article, status="published", slug="")
        del data["expected_version"]
        response = self.client.post("/admin/news/article/add/", data)
        self.assertEqual(response.status_code, 302)
        created = Article.objects.get(title="新稿件")
        self.assertEqual(created.status, S.DRAFT)
        self.assertEqual(created.revisions.count(), 1)

    def test_editors_change_of_a_published_article_is_a_draft(self):
        article = ArticleFactory(channel=self.channel, status=S.PUBLISHED)
        title = article.title
        self.client.force_login(self.editor)
        response = self.client.post(
            f"/admin/news/article/{article.pk}/change/",
            self.form_data(article, title="偷偷改"),
            follow=True,
        )
        self.assertContains(response, "线上版本不变")
        article.refresh_from_db()
        self.assertEqual(article.title, title)
        self.assertTrue(article.is_published)
        self.assertEqual(article.draft_status, S.DRAFT)
        self.assertEqual(article.draft_revision.snapshot["title"], "偷偷改")
        # The form shows the draft, with both versions named.
        page = self.client.get(f"/admin/news/article/{article.pk}/change/")
        self.assertContains(page, 'value="偷偷改"')
        self.assertContains(page, "草稿（未发布的修改）")
        self.assertContains(page, "线上版本")

    def test_transition_buttons_call_the_services(self):
        article = draft(channel=self.channel)
        url = f"/admin/news/article/{article.pk}/transition/"
        self.client.force_login(self.editor)
        self.client.post(url, {"action": "submit"})
        self.client.force_login(self.reviewer)
        self.client.post(url, {"action": "approve"})
        self.client.post(url, {"action": "approve"})
        self.client.force_login(self.publisher)
        response = self.client.post(url, {"action": "publish"}, follow=True)
        article.refresh_from_db()
        self.assertEqual(article.status, S.PUBLISHED)
        self.assertContains(response, "已转为“已发布”")
        # Timeline on the change page.
        self.assertContains(response, "流转记录")
        self.assertContains(response, "待复审")
        self.assertContains(response, "reviewer")

    def test_editor_posting_publish_to_transition_url_is_refused(self):
        article = ArticleFactory(channel=self.channel, status=S.REVIEW_3)
        self.client.force_login(self.editor)
        response = self.client.post(
            f"/admin/news/article/{article.pk}/transition/",
            {"action": "publish"},
            follow=True,
        )
        self.assertContains(response, "没有权限")
        article.refresh_from_db()
        self.assertEqual(article.status, S.REVIEW_3)

    def test_reject_button_without_comment_shows_message_and_changes_nothing(self):
        article = ArticleFactory(channel=self.channel, status=S.REVIEW_1)
        self.client.force_login(self.reviewer)
        response = self.client.post(
            f"/admin/news/article/{article.pk}/transition/",
            {"action": "reject", "comment": ""},
            follow=True,
        )
        self.assertContains(response, "退回时必须填写退回意见")
        article.refresh_from_db()
        self.assertEqual(article.status, S.REVIEW_1)
        self.assertFalse(article.events.exists())

    def test_bad_schedule_time_is_refused(self):
        article = ArticleFactory(channel=self.channel, status=S.REVIEW_3)
        self.client.force_login(self.publisher)
        response = self.client.post(
            f"/admin/news/article/{article.pk}/transition/",
            {"action": "publish", "publish_at": "明天"},
            follow=True,
        )
        self.assertContains(response, "输入一个有效的日期")
        article.refresh_from_db()
        self.assertEqual(article.status, S.REVIEW_3)

    def test_public_page_shows_the_responsible_editor(self):
        publisher = UserFactory(
            username="zhang", first_name="三", last_name="张", is_superuser=True
        )
        article = ArticleFactory(channel=self.channel, status=S.REVIEW_3)
        article_publish(article=article, by=publisher)
        response = self.client.get(article.get_absolute_url())
        self.assertContains(response, "责任编辑：")


class BulkActionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.channel = ChannelFactory()
        cls.other = ChannelFactory()
        cls.editor = staff_in_group("editor", "编辑")
        cls.publisher = staff_in_group("publisher", "终审发布")

    def act(self, action, articles, **extra):
        return self.client.post(
            "/admin/news/article/",
            {
                "action": action,
                "_selected_action": [a.pk for a in articles],
                **extra,
            },
            follow=True,
        )

    def test_bulk_publish_reports_per_article(self):
        ready = ArticleFactory(channel=self.channel, status=S.REVIEW_3, title="可发布")
        early = ArticleFactory(channel=self.channel, status=S.DRAFT, title="还是草稿")
        self.client.force_login(self.publisher)
        # A confirmation page first (tests/news/test_bulk_publish.py): it names
        # what cannot be published; confirming publishes the rest.
        page = self.act("publish_selected", [ready, early])
        self.assertContains(page, "还是草稿")
        response = self.client.post(
            "/admin/news/article/", confirm_data(page), follow=True
        )
        texts = [str(m) for m in get_messages(response.wsgi_request)]
        self.assertIn("“可发布”已发布。", texts)
        ready.refresh_from_db()
        early.refresh_from_db()
        self.assertEqual((ready.status, early.status), (S.PUBLISHED, S.DRAFT))

    def test_editor_has_no_publish_action(self):
        article = ArticleFactory(channel=self.channel, status=S.REVIEW_3)
        self.client.force_login(self.editor)
        changelist = self.client.get("/admin/news/article/")
        self.assertContains(changelist, "submit_selected")
        self.assertNotContains(changelist, "publish_selected")
        response = self.act("publish_selected", [article])
        self.assertContains(response, "未选择动作")
        article.refresh_from_db()
        self.assertEqual(article.status, S.REVIEW_3)

    def test_bulk_submit(self):
        a, b = draft(channel=self.channel), draft(channel=self.channel)
        self.client.force_login(self.editor)
        self.act("submit_selected", [a, b])
        self.assertEqual(
            set(Article.objects.values_list("status", flat=True)), {S.REVIEW_1}
        )

    def test_move_to_channel_respects_edit_rules(self):
        mine = draft(channel=self.channel, title="草稿")
        live = ArticleFactory(channel=self.channel, status=S.PUBLISHED, title="已发")
        self.client.force_login(self.editor)
        response = self.act("move_to_channel", [mine, live], channel=self.other.pk)
        texts = [str(m) for m in get_messages(response.wsgi_request)]
        mine.refresh_from_db()
        live.refresh_from_db()
        self.assertEqual(mine.channel, self.other)
        # A live article moves in its draft; readers keep seeing it where it was.
        self.assertEqual(live.channel, self.channel)
        self.assertEqual(live.draft_revision.snapshot["channel"], self.other.pk)
        self.assertTrue(any("“已发”已移动" in t for t in texts), texts)
        self.assertEqual(mine.revisions.count(), 1)

    def test_move_without_channel_is_refused(self):
        mine = draft(channel=self.channel)
        self.client.force_login(self.editor)
        response = self.act("move_to_channel", [mine])
        self.assertContains(response, "请先在“目标栏目”中选择")
        mine.refresh_from_db()
        self.assertEqual(mine.channel, self.channel)


class ImportDraftOnlyTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.channel = ChannelFactory(name="质量强市", slug="质量强市")
        cls.editor = staff_in_group("editor", "编辑")

    def test_admin_reimport_of_a_published_article_makes_a_draft(self):
        from news.parsing import parse_page_text
        from news.services import article_import_page

        page = parse_page_text(SEED.read_text(encoding="utf-8"))
        article, _ = article_import_page(page=page, channel=self.channel, publish=True)
        self.assertEqual(article.status, S.PUBLISHED)
        head, body = (
            SEED.read_text(encoding="utf-8").split("\n", 2)[:2],
            (SEED.read_text(encoding="utf-8").split("\n", 2)[2]),
        )
        changed = "\n".join([*head, body.replace("质检中心", "检验检测中心", 1)])
        self.client.force_login(self.editor)
        response = self.client.post(
            "/admin/news/article/import/",
            {"text": changed, "channel": self.channel.pk},
            follow=True,
        )
        self.assertContains(response, "已生成待审草稿，线上版本不变")
        article.refresh_from_db()
        self.assertEqual(article.status, S.PUBLISHED)
        self.assertTrue(article.is_published)
        self.assertNotIn("检验检测中心", article.body)
        self.assertIn("检验检测中心", article.draft_revision.snapshot["body"])
        self.assertEqual(article.draft_status, S.DRAFT)
        self.assertEqual(article.events.order_by("-id").first().by, self.editor)
        # The same text again: nothing is written.
        revisions = article.revisions.count()
        response = self.client.post(
            "/admin/news/article/import/",
            {"text": changed, "channel": self.channel.pk},
            follow=True,
        )
        self.assertContains(response, "内容未变")
        self.assertEqual(article.revisions.count(), revisions)
