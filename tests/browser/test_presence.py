"""正在编辑 in real browsers: two editors open the same article, each sees the other;
when one leaves, the other's notice goes at its next beat, not minutes later."""

from unittest import mock

from django.contrib.auth.models import Group
from playwright.sync_api import expect

from news.models import Article
from tests.browser.live import ChromiumTestCase
from tests.browser.test_editorial_flow import (
    ensure_editorial_groups,
)
from tests.factories import ArticleFactory, UserFactory


class EditingPresenceBrowserTests(ChromiumTestCase):
    def setUp(self):
        ensure_editorial_groups()
        for username, last, first in [("wang", "王", "小明"), ("li", "李", "华")]:
            user = UserFactory(
                username=username, is_staff=True, last_name=last, first_name=first
            )
            user.groups.add(Group.objects.get(name="编辑"))
        self.article = ArticleFactory(status=Article.Status.DRAFT)
        # A beat a second (data-beat-seconds) instead of every 20 s; the live server
        # runs in this process and reads the setting at each request.
        beat = mock.patch("news.admin_presence.BEAT_SECONDS", 1)
        beat.start()
        self.addCleanup(beat.stop)

    def open_as(self, username):
        """A fresh browser session, logged in, on the article's change page."""
        context = self.browser.new_context(locale="zh-CN")
        self.addCleanup(context.close)
        page = context.new_page()
        self.log_in(page, username)
        page.goto(
            f"{self.live_server_url}/admin/news/article/{self.article.pk}/change/"
        )
        expect(page.locator("#editing-presence")).to_have_attribute(
            "data-beat-seconds", "1"
        )
        return page

    def test_each_sees_the_other_until_one_leaves(self):
        wang = self.open_as("wang")
        li = self.open_as("li")
        expect(li.locator(".editing-notice")).to_have_text(
            "王小明 正在编辑此文章。同时保存会被拒绝，请先与对方沟通。"
        )
        # Wang's page had no notice; his next beat brings one in.
        expect(wang.locator(".editing-notice")).to_have_text(
            "李华 正在编辑此文章。同时保存会被拒绝，请先与对方沟通。"
        )

        wang.goto(f"{self.live_server_url}/admin/")
        # Far sooner than the 45 s a beat counts for: the goodbye did it.
        expect(li.locator(".editing-notice")).to_have_count(0, timeout=5000)
        expect(li.locator("#editing-presence .messagelist")).to_have_count(0)
