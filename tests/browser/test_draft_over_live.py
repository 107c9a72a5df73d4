"""Draft over live in a real browser: a published article is revised in the admin,
goes through 三审 with two different reviewers while readers keep seeing the live
version, and the revision replaces it only when 终审 publishes it."""

import os
import re
import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from django.test import override_settings
from playwright.sync_api import expect

from news import workflow
from news.models import Article
from tests.browser.editing import select_contents
from tests.browser.live import ChromiumTestCase
from tests.browser.test_editorial_flow import (
    ensure_editorial_groups,
)
from tests.factories import ArticleFactory, ChannelFactory, staff_in_group

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the
# test are still synchronous.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

SCREENSHOT_DIR = Path(
    os.environ.get("BROWSER_SCREENSHOT_DIR")
    or Path(tempfile.gettempdir()) / "yantai-draft-over-live"
)

OLD_TITLE = "烟台新增3个国家级质检中心"
NEW_TITLE = "烟台新增4个国家级质检中心"
OLD_PARAGRAPH = "全市国家级质检中心达到12个。"
NEW_PARAGRAPH = "全市国家级质检中心达到13个，居全省前列。"
BODY = f"<h2>检验检测</h2><p>烟台市质量强市建设再上新台阶。</p><p>{OLD_PARAGRAPH}</p>"
PUBLISHED_AT = datetime(2021, 7, 20, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


# The live server runs in a thread of this process, so the override made by the class
# decorator (applied in setUpClass, before the server thread starts) is what the
# server's views read too: reviewer1's duty note below is rendered by the server.
@override_settings(EDITORIAL_SEPARATION_OF_DUTIES=True)
class DraftOverLiveBrowserTests(ChromiumTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)

    def setUp(self):
        ensure_editorial_groups()
        self.channel = ChannelFactory(name="质量强市", slug="质量强市")
        self.users = {
            username: staff_in_group(username, group)
            for username, group in [
                ("editor", "编辑"),
                ("reviewer1", "审核"),
                ("reviewer2", "审核"),
                ("publisher", "终审发布"),
            ]
        }
        self.errors = []

    def live_article(self, status):
        return ArticleFactory(
            title=OLD_TITLE,
            summary="烟台市质量强市建设再上新台阶。",
            body=BODY,
            channel=self.channel,
            status=status,
            published_at=PUBLISHED_AT,
        )

    # --- helpers ------------------------------------------------------------------

    @property
    def change_url(self):
        return f"{self.live_server_url}/admin/news/article/{self.article.pk}/change/"

    def session_as(self, username):
        """A fresh browser session logged in through the admin login form."""
        context = self.browser.new_context(
            locale="zh-CN", viewport={"width": 1280, "height": 900}
        )
        page = context.new_page()
        page.on("pageerror", lambda e: self.errors.append(f"{username}: {e}"))
        self.log_in(page, username, greeting=username)
        page.goto(self.change_url)
        return context, page

    def click_transition(self, page, label, status):
        with page.expect_navigation():
            page.get_by_role("button", name=label, exact=True).click()
        expect(page.locator(".messagelist .success")).to_contain_text("已转为")
        expect(page.locator(".workflow-status")).to_have_text(status)

    def public_page(self):
        """What an anonymous reader gets at /news/<id>/ (a new browser each time)."""
        context = self.browser.new_context(locale="zh-CN")
        page = context.new_page()
        response = page.goto(f"{self.live_server_url}/news/{self.article.pk}/")
        self.assertEqual(response.status, 200)
        article = page.locator("article.article")
        seen = {
            "title": page.locator("h1#article-title").inner_html(),
            "body": article.locator(".body").inner_html(),
            "text": article.inner_text(),
            "published": article.locator(".meta time").first.get_attribute("datetime"),
            "published_text": article.locator(".meta time").first.inner_text(),
            "revised": article.locator(".meta .revised").count(),
            "revised_text": " ".join(
                article.locator(".meta .revised").all_inner_texts()
            ),
        }
        # The view counter is the one part of the article that changes per visit.
        seen["text"] = re.sub(r"浏览次数：\s*\d+", "浏览次数：N", seen["text"])
        context.close()
        return seen

    def assert_public_unchanged(self, before, step):
        now = self.public_page()
        for key in ("title", "body", "text", "published", "revised"):
            self.assertEqual(now[key], before[key], f"after {step}: {key} changed")

    def screenshot(self, page, name):
        path = SCREENSHOT_DIR / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    # --- tests --------------------------------------------------------------------

    def test_revise_review_by_two_people_and_publish_over_live(self):
        """The article went live through 终审 (as the demo loader and the importer's
        --publish do), so it has a live revision."""
        self.article = self.live_article(Article.Status.DRAFT)
        workflow.article_publish_content(article=self.article, by=None)
        self.assertIsNotNone(self.article.live_revision_id)
        self.walk(screenshots=True)

    def test_revise_a_row_published_without_a_live_revision(self):
        """A row published before revisions were kept (or by a script): the admin
        makes it a baseline revision on first opening, but none marked live."""
        self.article = self.live_article(Article.Status.PUBLISHED)
        self.assertIsNone(self.article.live_revision_id)
        # The row is the live version while a draft exists: 更新时间 is still set.
        self.walk(screenshots=False)

    def walk(self, *, screenshots):
        if not screenshots:
            self.screenshot = lambda page, name: None
        live = self.public_page()
        self.assertEqual(live["title"], OLD_TITLE)
        self.assertIn(OLD_PARAGRAPH, live["body"])
        self.assertEqual(live["revised"], 0)
        self.assertIn("2021-07-20 09:30", live["published_text"])

        # 编辑 changes the title and a body paragraph of the live article.
        context, page = self.session_as("editor")
        expect(page.locator(".workflow-status")).to_have_text("已发布")
        expect(page.locator(".live-and-draft")).to_contain_text("没有未发布的修改")
        page.fill("#id_title", NEW_TITLE)
        editor = page.locator(".ProseMirror[contenteditable=true]")
        editor.wait_for()
        paragraph = editor.locator("p", has_text=OLD_PARAGRAPH)
        select_contents(page, paragraph)
        page.keyboard.type(NEW_PARAGRAPH)
        expect(editor).to_contain_text(NEW_PARAGRAPH)
        expect(editor).not_to_contain_text(OLD_PARAGRAPH)
        with page.expect_navigation():
            page.locator("input[name=_continue]").click()
        self.assertEqual(page.locator(".errornote").count(), 0)
        expect(page.locator(".messagelist .info")).to_contain_text("线上版本不变")
        expect(page.locator(".workflow-status")).to_have_text(
            "已发布 · 有未送审的修改稿"
        )
        draft = page.locator(".live-and-draft")
        expect(draft.locator(".draft-version")).to_contain_text("草稿（未发布的修改）")
        expect(draft.locator(".live-version")).to_contain_text("线上版本")
        compare = draft.locator("table.draft-compare")
        expect(compare.locator("th[scope=row]", has_text="标题")).to_have_count(1)
        expect(compare.locator("th[scope=row]", has_text="正文")).to_have_count(1)
        expect(compare.locator("del").first).to_be_visible()
        expect(compare.locator("ins").first).to_be_visible()
        # Chinese is compared character by character: 12个 → 1<del>2</del><ins>3</ins>个.
        expect(compare.locator("ins", has_text="居全省前列")).to_have_count(1)
        # The form shows the draft, not the live row.
        expect(page.locator("#id_title")).to_have_value(NEW_TITLE)
        self.screenshot(page, "1-editor-draft-saved")
        if screenshots:
            page.locator("#workflow").screenshot(
                path=str(SCREENSHOT_DIR / "1-editor-workflow-box.png")
            )
        row = Article.objects.get(pk=self.article.pk)
        self.assertEqual(row.title, OLD_TITLE)
        self.assertIn(OLD_PARAGRAPH, row.body)
        self.assertTrue(row.has_draft)
        self.assert_public_unchanged(live, "the editor's save")

        # 编辑 sends the draft to review.
        self.click_transition(page, "提交送审", "已发布 · 修改稿待初审")
        context.close()
        self.assert_public_unchanged(live, "提交送审")

        # reviewer1 approves at 初审 and is then not offered 复审.
        context, page = self.session_as("reviewer1")
        expect(page.locator(".draft-compare")).to_contain_text(NEW_TITLE[:4])
        self.click_transition(page, "审核通过", "已发布 · 修改稿待复审")
        self.assert_public_unchanged(live, "初审")
        page.goto(self.change_url)
        expect(page.locator(".workflow-status")).to_have_text("已发布 · 修改稿待复审")
        expect(page.get_by_role("button", name="审核通过", exact=True)).to_have_count(0)
        expect(page.get_by_role("button", name="退回修改", exact=True)).to_have_count(1)
        expect(page.locator(".duty-note")).to_contain_text("初审和复审须由不同的人完成")
        self.screenshot(page, "2-reviewer1-no-second-approval")
        # Nor does the server take it when the button is forged into the form.
        page.evaluate(
            """() => {
              const b = document.createElement("button");
              b.type = "submit"; b.name = "action"; b.value = "approve";
              b.textContent = "伪造的审核通过";
              document.querySelector(".workflow-form .submit-row").append(b);
            }"""
        )
        with page.expect_navigation():
            page.get_by_role("button", name="伪造的审核通过").click()
        expect(page.locator(".messagelist .error")).to_contain_text(
            "初审和复审须由不同的人完成"
        )
        expect(page.locator(".workflow-status")).to_have_text("已发布 · 修改稿待复审")
        context.close()
        self.assert_public_unchanged(live, "reviewer1's second try")

        # reviewer2 approves at 复审.
        context, page = self.session_as("reviewer2")
        expect(page.locator(".duty-note")).to_have_count(0)
        self.click_transition(page, "审核通过", "已发布 · 修改稿待终审")
        expect(page.get_by_role("button", name="终审发布", exact=True)).to_have_count(0)
        context.close()
        self.assert_public_unchanged(live, "复审")

        # 终审 publishes the draft over the live version.
        context, page = self.session_as("publisher")
        expect(
            page.locator(".draft-compare ins", has_text="居全省前列")
        ).to_be_visible()
        self.screenshot(page, "3-publisher-before-publish")
        self.click_transition(page, "终审发布", "已发布")
        expect(page.locator(".live-and-draft")).to_contain_text("没有未发布的修改")
        live_line = page.locator(".live-version").inner_text()
        timeline = page.locator("#timeline")
        for name in ("editor", "reviewer1", "reviewer2", "publisher"):
            expect(timeline).to_contain_text(name)
        self.screenshot(page, "4-publisher-published")
        context.close()

        now = self.public_page()
        self.assertEqual(now["title"], NEW_TITLE)
        self.assertIn(NEW_PARAGRAPH, now["body"])
        self.assertNotIn(OLD_PARAGRAPH, now["body"])
        self.assertIn("烟台市质量强市建设再上新台阶。", now["body"])
        self.assertEqual(now["published"], live["published"])
        self.assertEqual(now["published_text"], live["published_text"])
        row = Article.objects.get(pk=self.article.pk)
        self.assertEqual(row.published_at, PUBLISHED_AT)
        self.assertFalse(row.has_draft)
        self.assertEqual(self.errors, [])

        # 更新时间: on the public page and on the admin's 线上版本 line.
        self.assertEqual(now["revised"], 1, "the public page shows no 更新时间")
        self.assertIn("更新时间", now["revised_text"])
        self.assertIn("更新时间", live_line)
        self.assertIsNotNone(row.revised_at)
