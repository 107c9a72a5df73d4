"""定时发布 of a revised draft over a live article (docs/architecture.md, "Times").

终审 approves the draft now for a later time: the live article stays on the site
exactly as it is, the draft is frozen (every writing path refuses it, saying to
取消定时 first), and ``publish_scheduled`` swaps it in once the time has come —
once, whoever runs it how often.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from io import StringIO
from unittest import skipUnless

from django.contrib.auth.models import Group
from django.core.cache import caches
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import TestCase, TransactionTestCase, override_settings
from django.utils import timezone
from mailer.models import Message
from rest_framework.test import APIClient

from news import search
from news.inbox import inbox_for
from news.models import Article, ArticleEvent, AuditLog, Revision, SensitiveWord
from news.parsing import parse_page_text
from news.revisions import revision_create
from news.services import article_import, article_update
from news.workflow import (
    WorkflowError,
    allowed_actions,
    article_approve,
    article_cancel_schedule,
    article_discard,
    article_publish,
    article_reject,
    article_submit,
    article_unpublish,
    publish_refusal,
    scheduled_drafts_publish,
)
from tests.api import token_for
from tests.factories import (
    ChannelFactory,
    TagFactory,
    UserFactory,
    ensure_editorial_groups,
    staff_in_group,
)
from tests.news.test_concurrency import change_form_data
from tests.news.test_draft_over_live import seed_text
from tests.news.test_workflow_mail import queued
from tests.threads import Worker

S = Article.Status
# The refusal's own words (the change page's note on the schedule says it too,
# in other words).
REFUSAL = "定时期间不能修改或操作修改稿：请先取消定时"


def later(**delta) -> timezone.datetime:
    return timezone.now().replace(microsecond=0) + timedelta(**delta)


def local_minute(at) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M")


@override_settings(ARTICLE_PAGE_CACHE_SECONDS=0)  # render every time: nothing hides
class ScheduledRevisionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.channel = ChannelFactory(name="质量强市", slug="质量强市")
        cls.editor = staff_in_group("editor", "编辑")
        cls.reviewer = staff_in_group("reviewer", "审核")
        cls.publisher = staff_in_group("publisher", "终审发布")
        for user in (cls.editor, cls.publisher):
            user.email = f"{user.username}@example.com"
            user.save()

    def setUp(self):
        with self.captureOnCommitCallbacks(execute=True):
            self.article = article_import(
                page=parse_page_text(seed_text()), channel=self.channel, publish=True
            ).article
        self.article.refresh_from_db()
        self.own_time = self.article.published_at
        self.old_title = self.article.title

    def approved_draft(self, **values) -> Article:
        """The live article with a revised draft through 初审 and 复审 (待终审)."""
        values = {"title": "更正后的标题", **values}
        article_update(article=self.article, by=self.editor, values=values)
        article_submit(article=self.article, by=self.editor)
        article_approve(article=self.article, by=self.reviewer)
        article_approve(article=self.article, by=self.reviewer)
        self.article.refresh_from_db()
        self.assertEqual(self.article.editorial_status, S.REVIEW_3)
        return self.article

    def schedule(self, at) -> Article:
        with self.captureOnCommitCallbacks(execute=True):
            return article_publish(article=self.article, by=self.publisher, at=at)

    def public(self) -> dict:
        self.client.logout()
        pk = self.article.pk
        urls = [
            f"/news/{pk}/",
            "/",
            self.channel.get_absolute_url(),
            "/search/?q=国家标准",
            "/feeds/rss/",
            f"/api/v1/articles/{pk}/",
            "/api/v1/articles/",
        ]
        return {url: self.client.get(url).content for url in urls}

    # --- scheduling ---------------------------------------------------------

    def test_scheduling_keeps_the_live_article_exactly_as_it_is(self):
        self.approved_draft()
        before = self.public()
        at = later(hours=2)
        self.schedule(at)
        self.assertEqual(before, self.public())
        page = self.client.get(f"/news/{self.article.pk}/").content.decode()
        self.assertIn(self.old_title, page)
        self.assertNotIn("更正后的标题", page)
        api = self.client.get(f"/api/v1/articles/{self.article.pk}/").json()
        self.assertEqual(api["title"], self.old_title)
        self.article.refresh_from_db()
        self.assertTrue(self.article.is_published)
        self.assertEqual(self.article.title, self.old_title)
        self.assertEqual(self.article.draft_go_live_at, at)
        self.assertEqual(self.article.draft_status, S.REVIEW_3)
        self.assertEqual(self.article.draft_revision.snapshot["title"], "更正后的标题")
        self.assertIsNone(self.article.revised_at)
        self.assertIn("修改稿定时发布", self.article.get_editorial_status_display())
        self.assertIn(local_minute(at), self.article.get_editorial_status_display())

    def test_timeline_audit_log_and_mail_say_scheduled_with_the_time(self):
        self.approved_draft()
        Message.objects.all().delete()  # the review steps' mails
        at = later(hours=2)
        self.schedule(at)
        event = self.article.events.order_by("-id").first()
        self.assertEqual(event.action, "schedule")
        self.assertEqual(event.by, self.publisher)
        self.assertIn(f"定时发布：{local_minute(at)}", event.comment)
        log = AuditLog.objects.filter(action=AuditLog.Action.SCHEDULE).get()
        self.assertIn(f"定时发布（{local_minute(at)}）", log.summary)
        self.assertEqual([m.to for m in queued()], [[self.editor.email]])
        self.assertIn(local_minute(at), queued()[0].body)

    def test_admin_shows_the_schedule_and_offers_only_cancel_and_unpublish(self):
        self.approved_draft()
        at = later(hours=2)
        self.schedule(at)
        self.client.force_login(self.publisher)
        page = self.client.get(f"/admin/news/article/{self.article.pk}/change/")
        self.assertContains(page, "修改稿定时发布")
        self.assertContains(page, f"于 {local_minute(at)}（北京时间）替换线上版本")
        self.assertContains(page, 'value="cancel_schedule"')
        self.assertNotContains(page, 'value="publish"')
        self.assertNotContains(page, 'value="discard"')
        listing = self.client.get("/admin/news/article/")
        self.assertContains(listing, f"修改稿定时发布（{local_minute(at)}）")

    def test_future_published_at_typed_into_the_draft_schedules_it(self):
        """The typed time is the schedule, not the article's new 发布时间."""
        at = later(days=1)
        self.approved_draft(published_at=at)
        with self.captureOnCommitCallbacks(execute=True):
            article_publish(article=self.article, by=self.publisher)
        self.article.refresh_from_db()
        self.assertTrue(self.article.is_published)
        self.assertEqual(self.article.title, self.old_title)
        self.assertEqual(self.article.draft_go_live_at, at)
        result = scheduled_drafts_publish(now=at + timedelta(seconds=30))
        self.assertEqual(len(result.published), 1)
        self.article.refresh_from_db()
        self.assertEqual(self.article.title, "更正后的标题")
        self.assertEqual(self.article.published_at, self.own_time)
        self.assertEqual(self.article.revised_at, at)

    # --- going live -----------------------------------------------------------

    def test_command_before_the_time_does_nothing(self):
        self.approved_draft()
        self.schedule(later(hours=2))
        self.article.refresh_from_db()
        version, before = self.article.version, self.public()
        counts = (Revision.objects.count(), ArticleEvent.objects.count())
        out = StringIO()
        call_command("publish_scheduled", stdout=out)
        self.assertEqual(out.getvalue(), "")
        self.article.refresh_from_db()
        self.assertEqual(self.article.version, version)
        self.assertTrue(self.article.has_scheduled_draft)
        self.assertEqual(
            counts, (Revision.objects.count(), ArticleEvent.objects.count())
        )
        self.assertEqual(before, self.public())

    def test_command_after_the_time_publishes_once(self):
        self.approved_draft()
        # later() drops the fraction of a second: at least 2 s ahead, not 1.
        at = later(seconds=3)
        self.schedule(at)
        self.assertEqual(self.article.draft_go_live_at, at)  # scheduled, not live
        Message.objects.all().delete()  # the mail of the scheduling
        time.sleep(max(0, (at - timezone.now()).total_seconds()) + 0.1)
        out = StringIO()
        with self.captureOnCommitCallbacks(execute=True):
            call_command("publish_scheduled", stdout=out)
        self.assertIn("已发布定时修改稿：更正后的标题", out.getvalue())
        self.article.refresh_from_db()
        version = self.article.version
        with self.captureOnCommitCallbacks(execute=True):
            call_command("publish_scheduled", stdout=out)  # again: nothing to do
        self.assertEqual(out.getvalue().count("已发布定时修改稿"), 1)
        self.article.refresh_from_db()
        self.assertEqual(self.article.version, version)
        self.assertEqual(self.article.title, "更正后的标题")
        self.assertFalse(self.article.has_draft)
        self.assertFalse(self.article.has_scheduled_draft)
        self.assertEqual(self.article.published_at, self.own_time)
        self.assertEqual(self.article.revised_at, at)
        self.assertEqual(self.article.responsible_editor, self.publisher)
        live = self.article.live_revision
        self.assertTrue(live.is_live)
        self.assertEqual(live.snapshot["title"], "更正后的标题")
        self.assertEqual(Revision.objects.filter(is_live=True).count(), 1)
        events = self.article.events.filter(
            action="publish", comment__contains="定时发布到时"
        )
        self.assertEqual(events.count(), 1)
        self.assertIsNone(events.get().by)  # 系统
        self.assertEqual(
            AuditLog.objects.filter(
                action=AuditLog.Action.PUBLISH, summary__contains="→"
            ).count(),
            2,  # the import's publication, and this one
        )
        page = self.client.get(f"/news/{self.article.pk}/")
        self.assertContains(page, "更正后的标题")
        self.assertContains(page, "更新时间")
        api = self.client.get(f"/api/v1/articles/{self.article.pk}/").json()
        self.assertEqual(api["title"], "更正后的标题")
        self.assertEqual(search.search("更正后的标题").count(), 1)
        # The submitter is told, once, that a new version went live.
        self.assertEqual([m.to for m in queued()], [[self.editor.email]])
        self.assertIn("已发布修订", queued()[0].subject)

    def test_cold_article_page_query_budget_unchanged_while_scheduled(self):
        self.approved_draft()
        self.schedule(later(hours=2))
        self.client.logout()
        for cache in caches.all():
            cache.clear()  # cold: the page and its fragments built again
        with self.assertNumQueries(4):
            response = self.client.get(f"/news/{self.article.pk}/")
        self.assertContains(response, self.old_title)

    def test_a_tag_deleted_while_scheduled_is_named_when_it_goes_live(self):
        doomed = TagFactory(name="将被删除")
        self.approved_draft(tags=[doomed])
        at = later(hours=2)
        self.schedule(at)
        doomed.delete()
        result = scheduled_drafts_publish(now=at + timedelta(seconds=30))
        self.assertEqual(len(result.published), 1)
        self.article.refresh_from_db()
        self.assertEqual(self.article.title, "更正后的标题")
        self.assertFalse(self.article.tags.filter(name="将被删除").exists())
        event = self.article.events.filter(action="publish").order_by("-id").first()
        self.assertIn("定时发布到时", event.comment)
        self.assertIn("发布前已被删除：", event.comment)
        self.assertIn("将被删除", event.comment)

    # --- calling it back ------------------------------------------------------

    def test_cancel_returns_the_draft_to_review_3_and_nothing_goes_live(self):
        self.approved_draft()
        self.schedule(later(hours=2))
        before = self.public()
        article_cancel_schedule(article=self.article, by=self.publisher)
        self.article.refresh_from_db()
        self.assertFalse(self.article.has_scheduled_draft)
        self.assertEqual(self.article.draft_status, S.REVIEW_3)
        self.assertEqual(self.article.draft_revision.snapshot["title"], "更正后的标题")
        self.assertEqual(self.article.editorial_status, S.REVIEW_3)
        self.assertIn("publish", allowed_actions(self.publisher, self.article))
        event = self.article.events.order_by("-id").first()
        self.assertEqual(event.action, "cancel_schedule")
        self.assertIn("取消定时发布", event.comment)
        self.assertTrue(
            AuditLog.objects.filter(action=AuditLog.Action.CANCEL_SCHEDULE).exists()
        )
        self.assertEqual(scheduled_drafts_publish(now=later(days=1)).published, [])
        self.assertEqual(before, self.public())
        # And the draft can be published (or edited) again as any other.
        article_publish(article=self.article, by=self.publisher)
        self.article.refresh_from_db()
        self.assertEqual(self.article.title, "更正后的标题")

    def test_unpublishing_the_live_article_cancels_the_schedule(self):
        self.approved_draft()
        self.schedule(later(hours=2))
        article_unpublish(article=self.article, by=self.publisher)
        self.article.refresh_from_db()
        self.assertEqual(self.article.status, S.UNPUBLISHED)
        self.assertFalse(self.article.has_scheduled_draft)
        self.assertEqual(self.article.draft_status, S.REVIEW_3)
        self.assertEqual(scheduled_drafts_publish(now=later(days=1)).published, [])
        self.article.refresh_from_db()
        self.assertEqual(self.article.status, S.UNPUBLISHED)
        self.assertEqual(self.article.title, self.old_title)

    def test_a_scheduled_draft_leaves_the_publishers_inbox_until_cancelled(self):
        """待我终审 lists work awaiting 终审; a scheduled draft is approved."""

        def waiting() -> list[int]:
            (box,) = [b for b in inbox_for(self.publisher) if b.key == "review3"]
            return [a.pk for a in box.articles]

        self.approved_draft()
        self.assertEqual(waiting(), [self.article.pk])
        self.schedule(later(hours=2))
        self.assertEqual(waiting(), [])
        article_cancel_schedule(article=self.article, by=self.publisher)
        self.assertEqual(waiting(), [self.article.pk])

    def test_cancel_without_a_schedule_is_refused_clearly(self):
        self.approved_draft()
        with self.assertRaisesMessage(WorkflowError, "没有定时发布的修改稿"):
            article_cancel_schedule(article=self.article, by=self.publisher)


class FrozenDraftTests(TestCase):
    """While scheduled, every path that would change the draft refuses, saying to
    取消定时 first, and writes nothing."""

    @classmethod
    def setUpTestData(cls):
        cls.channel = ChannelFactory(name="质量强市", slug="质量强市")
        cls.other = ChannelFactory(name="标准化", slug="标准化")
        cls.editor = staff_in_group("editor", "编辑")
        cls.reviewer = staff_in_group("reviewer", "审核")
        cls.publisher = staff_in_group("publisher", "终审发布")

    def setUp(self):
        self.article = article_import(
            page=parse_page_text(seed_text()), channel=self.channel, publish=True
        ).article
        article_update(article=self.article, by=self.editor, values={"title": "新"})
        article_submit(article=self.article, by=self.editor)
        article_approve(article=self.article, by=self.reviewer)
        article_approve(article=self.article, by=self.reviewer)
        self.at = later(hours=2)
        article_publish(article=self.article, by=self.publisher, at=self.at)
        self.article.refresh_from_db()
        self.state = self.snapshot()

    def snapshot(self):
        row = Article.objects.get(pk=self.article.pk)
        return (
            row.version,
            row.draft_revision_id,
            row.draft_go_live_at,
            Revision.objects.count(),
            ArticleEvent.objects.count(),
            AuditLog.objects.count(),
        )

    def assertUnchanged(self):
        self.assertEqual(self.state, self.snapshot())

    def test_service_edit_refused(self):
        with self.assertRaisesMessage(WorkflowError, REFUSAL):
            article_update(
                article=self.article, by=self.publisher, values={"title": "再改"}
            )
        self.assertUnchanged()

    def test_saving_what_is_there_writes_nothing_and_is_not_refused(self):
        result = article_update(
            article=self.article, by=self.publisher, values={"title": "新"}
        )
        self.assertFalse(result.changed)
        self.assertUnchanged()

    def test_admin_change_form_refused_with_the_reason(self):
        self.client.force_login(self.publisher)
        data = change_form_data(self.client, self.article)
        data["title"] = "表单里再改"
        response = self.client.post(
            f"/admin/news/article/{self.article.pk}/change/", data
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "定时期间不能修改或操作修改稿")
        self.assertContains(response, REFUSAL)
        self.assertUnchanged()

    def test_bulk_move_to_channel_refused(self):
        self.client.force_login(self.publisher)
        response = self.client.post(
            "/admin/news/article/",
            {
                "action": "move_to_channel",
                "_selected_action": [self.article.pk],
                "channel": self.other.pk,
            },
            follow=True,
        )
        self.assertContains(response, REFUSAL)
        self.assertUnchanged()

    def test_bulk_publish_names_it_as_not_publishable(self):
        self.client.force_login(self.publisher)
        response = self.client.post(
            "/admin/news/article/",
            {"action": "publish_selected", "_selected_action": [self.article.pk]},
            follow=True,
        )
        self.assertContains(response, REFUSAL)
        self.assertIn(REFUSAL, publish_refusal(by=self.publisher, article=self.article))
        self.assertUnchanged()

    def test_api_patch_refused(self):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(self.publisher)}")
        url = f"/api/v1/drafts/{self.article.pk}/"
        draft = client.get(url)
        etag = draft["ETag"]
        self.assertEqual(draft.json()["status"], S.REVIEW_3)
        self.assertEqual(
            draft.json()["go_live_at"], timezone.localtime(self.at).isoformat()
        )
        response = client.patch(
            url, {"title": "接口再改"}, format="json", HTTP_IF_MATCH=etag
        )
        self.assertEqual(response.status_code, 400, response.content)
        self.assertIn(REFUSAL, response.content.decode())
        self.assertUnchanged()

    def test_import_of_changed_page_text_refused(self):
        out, err = StringIO(), StringIO()
        path = self.tmp_page(seed_text("检验检测中心"))
        with self.assertRaisesMessage(CommandError, "1 个未能导入"):
            self.import_page(path, out, err)
        self.assertIn(REFUSAL, out.getvalue() + err.getvalue())
        self.assertIn("拒绝 1 个", out.getvalue())
        self.assertUnchanged()

    def import_page(self, path, out, err):
        call_command(
            "import_article",
            str(path),
            "--channel",
            self.channel.slug,
            "--as",
            self.publisher.username,
            "-v",
            "2",
            stdout=out,
            stderr=err,
        )

    def tmp_page(self, text: str):
        import tempfile
        from pathlib import Path

        folder = Path(tempfile.mkdtemp())
        self.addCleanup(__import__("shutil").rmtree, folder)
        path = folder / "page.txt"
        path.write_text(text, encoding="utf-8")
        return path

    def test_restore_refused(self):
        old = revision_create(
            article=self.article,
            by=None,
            snapshot={**self.article.live_revision.snapshot, "title": "旧标题"},
        )
        self.state = self.snapshot()
        self.client.force_login(self.publisher)
        response = self.client.post(
            f"/admin/news/article/{self.article.pk}/revisions/{old.pk}/restore/",
            follow=True,
        )
        self.assertContains(response, REFUSAL)
        self.assertUnchanged()

    def test_workflow_steps_refused(self):
        for service, by, kwargs in (
            (article_publish, self.publisher, {}),
            (article_reject, self.publisher, {"comment": "再改改"}),
            (article_discard, self.publisher, {}),
            (article_submit, self.editor, {}),
        ):
            with (
                self.subTest(service=service.__name__),
                self.assertRaisesMessage(WorkflowError, REFUSAL),
            ):
                service(article=self.article, by=by, **kwargs)
        self.assertUnchanged()


class SchedulePermissionTests(TestCase):
    """Scheduling and 取消定时 through the admin: 终审发布 only; every refusal
    says why and writes nothing."""

    @classmethod
    def setUpTestData(cls):
        cls.channel = ChannelFactory()
        cls.users = {
            "编辑": staff_in_group("editor", "编辑"),
            "审核": staff_in_group("reviewer", "审核"),
            "终审发布": staff_in_group("publisher", "终审发布"),
            "nobody": staff_in_group("nobody", None),
            "no staff status": UserFactory(username="outsider"),
        }
        outsider = cls.users["no staff status"]
        for group in Group.objects.all():
            outsider.groups.add(group)

    def setUp(self):
        self.article = article_import(
            page=parse_page_text(seed_text()), channel=self.channel, publish=True
        ).article
        editor, reviewer = self.users["编辑"], self.users["审核"]
        article_update(article=self.article, by=editor, values={"title": "新"})
        article_submit(article=self.article, by=editor)
        article_approve(article=self.article, by=reviewer)
        article_approve(article=self.article, by=reviewer)
        self.article.refresh_from_db()

    def post(self, role: str | None, action: str, **data):
        self.client.logout()
        if role is not None:
            self.client.force_login(self.users[role])
        return self.client.post(
            f"/admin/news/article/{self.article.pk}/transition/",
            {"action": action, "expected_version": self.article.version, **data},
            follow=True,
        )

    def row(self):
        row = Article.objects.get(pk=self.article.pk)
        return (row.version, row.draft_go_live_at, ArticleEvent.objects.count())

    def test_only_publishers_schedule(self):
        at = timezone.localtime(later(hours=3))
        stamp = at.strftime("%Y-%m-%dT%H:%M")
        for role in (None, "no staff status", "nobody", "编辑", "审核"):
            with self.subTest(role=role):
                before = self.row()
                response = self.post(role, "publish", publish_at=stamp)
                if role in (None, "no staff status"):
                    self.assertEqual(response.redirect_chain[0][1], 302)
                    self.assertIn("/login/", response.redirect_chain[0][0])
                else:
                    self.assertIn(
                        response.status_code, (200, 403), response.redirect_chain
                    )
                    if response.status_code == 200:
                        self.assertContains(response, "没有权限")
                self.assertEqual(before, self.row())
        response = self.post("终审发布", "publish", publish_at=stamp)
        self.assertContains(response, "修改稿定时发布")
        self.article.refresh_from_db()
        self.assertEqual(local_minute(self.article.draft_go_live_at), local_minute(at))

    def test_only_publishers_cancel(self):
        article_publish(
            article=self.article, by=self.users["终审发布"], at=later(hours=3)
        )
        self.article.refresh_from_db()
        for role in (None, "no staff status", "nobody", "编辑", "审核"):
            with self.subTest(role=role):
                before = self.row()
                response = self.post(role, "cancel_schedule")
                if role in (None, "no staff status"):
                    self.assertIn("/login/", response.redirect_chain[0][0])
                elif response.status_code == 200:
                    self.assertContains(response, "没有权限")
                else:
                    self.assertEqual(response.status_code, 403)
                self.assertEqual(before, self.row())
        response = self.post("终审发布", "cancel_schedule")
        self.assertContains(response, "已取消定时发布，修改稿回到待终审")
        self.article.refresh_from_db()
        self.assertFalse(self.article.has_scheduled_draft)
        self.assertEqual(self.article.editorial_status, S.REVIEW_3)


@skipUnless(connection.vendor == "postgresql", "row locks: PostgreSQL")
class TwoServersAtOnceTests(TransactionTestCase):
    """Two ``publish_scheduled`` runs at the same moment (two app servers' timers):
    the second skips the row the first holds, without waiting; the draft goes
    live once."""

    def test_second_run_skips_the_row_the_first_is_publishing(self):
        ensure_editorial_groups()  # flushed by the TransactionTestCases before
        channel = ChannelFactory()
        editor = staff_in_group("editor", "编辑")
        reviewer = staff_in_group("reviewer", "审核")
        publisher = staff_in_group("publisher", "终审发布")
        article = article_import(
            page=parse_page_text(seed_text()), channel=channel, publish=True
        ).article
        article_update(article=article, by=editor, values={"title": "更正后的标题"})
        article_submit(article=article, by=editor)
        article_approve(article=article, by=reviewer)
        article_approve(article=article, by=reviewer)
        article_publish(article=article, by=publisher, at=later(hours=1))
        due = later(hours=2)
        held, release = threading.Event(), threading.Event()

        def first():
            with transaction.atomic():  # the row stays locked until release
                result = scheduled_drafts_publish(now=due)
                held.set()
                release.wait(30)
            return result

        one = Worker(first)
        one.start()
        self.assertTrue(held.wait(60))
        two = Worker(lambda: scheduled_drafts_publish(now=due))
        two.start()
        two.join(10)
        self.assertFalse(two.is_alive(), "the second run waited for the lock")
        self.assertEqual(two.outcome().published, [])
        release.set()
        self.assertEqual(len(one.outcome().published), 1)
        self.assertEqual(scheduled_drafts_publish(now=due).published, [])
        article.refresh_from_db()
        self.assertEqual(article.title, "更正后的标题")
        self.assertFalse(article.has_scheduled_draft)
        self.assertEqual(
            article.events.filter(comment__contains="定时发布到时").count(), 1
        )
        self.assertEqual(article.revisions.filter(is_live=True).count(), 1)


class BulkPublishSchedulesTests(TestCase):
    """终审发布所选文章 of a draft over a live article with a future 发布时间:
    the confirmation page says it will be scheduled, and confirming schedules it."""

    @classmethod
    def setUpTestData(cls):
        cls.channel = ChannelFactory()
        cls.editor = staff_in_group("editor", "编辑")
        cls.reviewer = staff_in_group("reviewer", "审核")
        cls.publisher = staff_in_group("publisher", "终审发布")

    def test_confirmation_names_the_time_and_confirming_schedules(self):
        article = article_import(
            page=parse_page_text(seed_text()), channel=self.channel, publish=True
        ).article
        at = later(days=1)
        article_update(
            article=article,
            by=self.editor,
            values={"title": "更正后的标题", "published_at": at},
        )
        article_submit(article=article, by=self.editor)
        article_approve(article=article, by=self.reviewer)
        article_approve(article=article, by=self.reviewer)
        article.refresh_from_db()
        self.client.force_login(self.publisher)
        page = self.client.post(
            "/admin/news/article/",
            {"action": "publish_selected", "_selected_action": [article.pk]},
        )
        self.assertContains(page, f"定时于 {local_minute(at)} 替换线上版本")
        done = self.client.post(
            "/admin/news/article/",
            {
                "action": "publish_selected",
                "_selected_action": [article.pk],
                f"version_{article.pk}": article.version,
                "post": "yes",
            },
            follow=True,
        )
        self.assertContains(done, f"已定时于 {local_minute(at)} 发布")
        article.refresh_from_db()
        self.assertTrue(article.is_published)
        self.assertNotEqual(article.title, "更正后的标题")
        self.assertEqual(article.draft_go_live_at, at)


class WordcheckAtSchedulingTests(TestCase):
    """The 错敏字 check is done when 终审 schedules, not again at the time."""

    @classmethod
    def setUpTestData(cls):
        cls.channel = ChannelFactory()
        cls.editor = staff_in_group("editor", "编辑")
        cls.reviewer = staff_in_group("reviewer", "审核")
        cls.publisher = staff_in_group("publisher", "终审发布")

    def setUp(self):
        self.article = article_import(
            page=parse_page_text(seed_text()), channel=self.channel, publish=True
        ).article
        article_update(
            article=self.article, by=self.editor, values={"title": "更正：宣传部门"}
        )
        article_submit(article=self.article, by=self.editor)
        article_approve(article=self.article, by=self.reviewer)
        article_approve(article=self.article, by=self.reviewer)
        self.article.refresh_from_db()

    def test_finding_refuses_scheduling_and_an_override_is_recorded(self):
        SensitiveWord.objects.create(wrong="宣传部门", correct="宣传部")
        version = self.article.version
        with self.assertRaisesMessage(WorkflowError, "错敏字检查发现 1 处问题"):
            article_publish(article=self.article, by=self.publisher, at=later(hours=1))
        self.article.refresh_from_db()
        self.assertEqual(self.article.version, version)
        self.assertFalse(self.article.has_scheduled_draft)
        article_publish(
            article=self.article,
            by=self.publisher,
            at=later(hours=1),
            override_reason="机构全称如此",
        )
        event = self.article.events.order_by("-id").first()
        self.assertEqual(event.action, "schedule")
        self.assertIn("错敏字强制发布理由：机构全称如此", event.comment)

    def test_a_word_added_after_scheduling_does_not_stop_it(self):
        at = later(hours=1)
        article_publish(article=self.article, by=self.publisher, at=at)
        SensitiveWord.objects.create(wrong="宣传部门", correct="宣传部")
        result = scheduled_drafts_publish(now=at)
        self.assertEqual(len(result.published), 1)
        self.article.refresh_from_db()
        self.assertEqual(self.article.title, "更正：宣传部门")
