"""定时发布 of a revised draft in a real browser: 终审 types a Beijing time into the
change page's 定时发布 box, the draft is frozen while readers keep the live version,
取消定时 returns it to 待终审, and once scheduled again it goes live at its time
through ``scheduled_drafts_publish`` (what ``manage.py publish_scheduled`` runs every
minute, here given the moment instead of waiting for it)."""

import os
from datetime import timedelta

from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import expect

from news import workflow
from news.models import Article
from news.services import article_update
from tests.browser.live import ChromiumTestCase
from tests.browser.test_editorial_flow import ensure_editorial_groups
from tests.factories import ArticleFactory, ChannelFactory, staff_in_group

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

OLD_TITLE = "烟台新增3个国家级质检中心"
NEW_TITLE = "烟台新增4个国家级质检中心"
REFUSAL = "请先取消定时"


@override_settings(EDITORIAL_SEPARATION_OF_DUTIES=True, ARTICLE_PAGE_CACHE_SECONDS=0)
class ScheduledDraftBrowserTests(ChromiumTestCase):
    def setUp(self):
        ensure_editorial_groups()
        editor = staff_in_group("editor", "编辑")
        reviewers = [staff_in_group(f"reviewer{n}", "审核") for n in (1, 2)]
        staff_in_group("publisher", "终审发布")
        self.article = ArticleFactory(
            title=OLD_TITLE,
            body="<p>全市国家级质检中心达到12个。</p>",
            channel=ChannelFactory(name="质量强市", slug="质量强市"),
            status=Article.Status.DRAFT,
        )
        workflow.article_publish_content(article=self.article, by=None)
        article_update(article=self.article, by=editor, values={"title": NEW_TITLE})
        workflow.article_submit(article=self.article, by=editor)
        for reviewer in reviewers:
            workflow.article_approve(article=self.article, by=reviewer)
        self.article.refresh_from_db()
        self.assertEqual(self.article.editorial_status, Article.Status.REVIEW_3)
        self.errors = []

    def publisher_page(self):
        context = self.browser.new_context(
            locale="zh-CN", viewport={"width": 1280, "height": 900}
        )
        self.addCleanup(context.close)
        page = context.new_page()
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.log_in(page, "publisher", greeting="publisher")
        page.goto(
            f"{self.live_server_url}/admin/news/article/{self.article.pk}/change/"
        )
        return page

    def public_title(self) -> str:
        context = self.browser.new_context(locale="zh-CN")
        try:
            page = context.new_page()
            response = page.goto(f"{self.live_server_url}/news/{self.article.pk}/")
            self.assertEqual(response.status, 200)
            return page.locator("h1#article-title").inner_text()
        finally:
            context.close()

    def schedule(self, page, at) -> None:
        """Type ``at`` (Beijing time, to the minute) and press 终审发布."""
        local = timezone.localtime(at)
        page.fill("#workflow-publish-at", local.strftime("%Y-%m-%dT%H:%M"))
        with page.expect_navigation():
            page.get_by_role("button", name="终审发布", exact=True).click()
        minute = local.strftime("%Y-%m-%d %H:%M")
        expect(page.locator(".messagelist .success")).to_be_visible()
        expect(page.locator(".draft-scheduled")).to_contain_text(minute)
        expect(page.locator(".workflow-status")).to_contain_text(minute[5:])

    def test_schedule_refuse_edits_cancel_and_go_live_at_the_time(self):
        page = self.publisher_page()
        expect(page.locator(".workflow-status")).to_have_text("已发布 · 修改稿待终审")
        at = (timezone.now() + timedelta(hours=2)).replace(second=0, microsecond=0)
        self.schedule(page, at)
        row = Article.objects.get(pk=self.article.pk)
        self.assertEqual(row.draft_go_live_at, at)
        self.assertEqual(row.title, OLD_TITLE)  # the live row is untouched
        self.assertEqual(self.public_title(), OLD_TITLE)
        # Only 取消定时 and 撤下 are offered for the work now.
        buttons = page.locator(".workflow-form .submit-row button")
        expect(buttons).to_have_text(["撤下", "取消定时"])

        # The frozen draft cannot be edited from its form: the reason is shown and
        # nothing is written.
        version = row.version
        page.fill("#id_title", "定时期间改的标题")
        with page.expect_navigation():
            page.locator("input[name=_continue]").click()
        expect(page.locator("#content")).to_contain_text(REFUSAL)
        row = Article.objects.get(pk=self.article.pk)
        self.assertEqual(row.version, version)
        self.assertEqual(row.draft_revision.snapshot["title"], NEW_TITLE)

        # 取消定时: back to 待终审, nothing goes live at the old time.
        page.goto(
            f"{self.live_server_url}/admin/news/article/{self.article.pk}/change/"
        )
        with page.expect_navigation():
            page.get_by_role("button", name="取消定时", exact=True).click()
        expect(page.locator(".messagelist .success")).to_contain_text("已取消定时发布")
        expect(page.locator(".workflow-status")).to_have_text("已发布 · 修改稿待终审")
        expect(page.locator(".draft-scheduled")).to_have_count(0)
        self.assertIsNone(Article.objects.get(pk=self.article.pk).draft_go_live_at)
        passed = workflow.scheduled_drafts_publish(now=at + timedelta(minutes=1))
        self.assertEqual(passed.published, [])
        self.assertEqual(self.public_title(), OLD_TITLE)

        # Scheduled again; readers get the revision once its time has come.
        at = at + timedelta(hours=1)
        self.schedule(page, at)
        early = workflow.scheduled_drafts_publish(now=at - timedelta(minutes=1))
        self.assertEqual(early.published, [])
        self.assertEqual(self.public_title(), OLD_TITLE)
        due = workflow.scheduled_drafts_publish(now=at + timedelta(seconds=30))
        self.assertEqual([a.pk for a in due.published], [self.article.pk])
        self.assertEqual(self.public_title(), NEW_TITLE)
        page.reload()
        expect(page.locator(".workflow-status")).to_have_text("已发布")
        expect(page.locator(".live-and-draft")).to_contain_text("没有未发布的修改")
        self.assertEqual(self.errors, [])
