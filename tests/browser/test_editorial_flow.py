"""三审 in a real browser: an editor writes and submits, a reviewer approves twice, a
publisher publishes, and the article is live at its public URL."""

import os

from django.contrib.auth.models import Group
from playwright.sync_api import expect

from news.models import Article
from tests.browser.live import ChromiumTestCase
from tests.factories import ChannelFactory, UserFactory, ensure_editorial_groups

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the
# test are still synchronous.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


class EditorialFlowBrowserTests(ChromiumTestCase):
    def setUp(self):
        ensure_editorial_groups()
        self.channel = ChannelFactory(name="质量强市", slug="质量强市")
        self.users = {}
        for username, group in [
            ("editor", "编辑"),
            ("reviewer", "审核"),
            ("publisher", "终审发布"),
        ]:
            user = UserFactory(username=username, is_staff=True)
            if username == "publisher":  # 责任编辑 prints a name, never a login
                user.last_name, user.first_name = "张", "三"
                user.save(update_fields=["last_name", "first_name"])
            user.groups.add(Group.objects.get(name=group))
            self.users[username] = user

    def session_as(self, username):
        """A fresh browser session logged in through the admin login form."""
        context = self.browser.new_context(locale="zh-CN")
        page = context.new_page()
        user = self.users[username]  # the admin greets by the short name
        self.log_in(page, username, greeting=user.get_short_name() or username)
        return context, page

    def click_transition(self, page, label):
        page.get_by_role("button", name=label).click()
        expect(page.locator(".messagelist .success")).to_contain_text("已转为")

    def test_write_submit_review_twice_publish_and_read(self):
        # 编辑 writes the article and submits it.
        context, page = self.session_as("editor")
        page.goto(f"{self.live_server_url}/admin/news/article/add/")
        page.fill("#id_title", "烟台新增3个国家级质检中心")
        page.select_option("#id_channel", label="质量强市")
        editor = page.locator(".ProseMirror[contenteditable=true]")
        if editor.count():
            editor.click()
            page.keyboard.type("烟台市质量强市建设再上新台阶。")
        else:
            page.fill("#id_body", "<p>烟台市质量强市建设再上新台阶。</p>")
        page.click("input[name=_continue]")
        expect(page.locator(".workflow-status")).to_have_text("草稿")
        article = Article.objects.get(title="烟台新增3个国家级质检中心")
        self.assertIn("再上新台阶", article.body)
        self.assertEqual(page.get_by_role("button", name="终审发布").count(), 0)
        self.click_transition(page, "提交送审")
        expect(page.locator(".workflow-status")).to_have_text("待初审")
        context.close()

        # 审核 approves at 初审 and at 复审.
        context, page = self.session_as("reviewer")
        page.goto(f"{self.live_server_url}/admin/news/article/{article.pk}/change/")
        self.click_transition(page, "审核通过")
        expect(page.locator(".workflow-status")).to_have_text("待复审")
        self.click_transition(page, "审核通过")
        expect(page.locator(".workflow-status")).to_have_text("待终审")
        self.assertEqual(page.get_by_role("button", name="终审发布").count(), 0)
        context.close()

        # Not on the site yet.
        context, page = self.session_as("publisher")
        response = page.goto(f"{self.live_server_url}/news/{article.pk}/")
        self.assertEqual(response.status, 404)

        # 终审 publishes; the timeline shows every step.
        page.goto(f"{self.live_server_url}/admin/news/article/{article.pk}/change/")
        self.click_transition(page, "终审发布")
        expect(page.locator(".workflow-status")).to_have_text("已发布")
        timeline = page.locator("#timeline")
        for text in ("editor", "reviewer", "张三", "待初审", "待复审", "待终审"):
            expect(timeline).to_contain_text(text)
        context.close()

        # Live at its public URL for an anonymous reader, with 责任编辑.
        context = self.browser.new_context()
        page = context.new_page()
        response = page.goto(f"{self.live_server_url}/news/{article.pk}/")
        self.assertEqual(response.status, 200)
        expect(page.locator("h1")).to_have_text("烟台新增3个国家级质检中心")
        expect(page.locator(".body")).to_contain_text("再上新台阶")
        expect(page.locator(".responsible-editor")).to_have_text("责任编辑：张三")
        context.close()
        article.refresh_from_db()
        self.assertEqual(article.status, Article.Status.PUBLISHED)
        self.assertEqual(article.responsible_editor, self.users["publisher"])
