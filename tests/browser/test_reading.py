"""The reading pages in Chromium: 字号, 关怀版, print, QR, prev/next, phones."""

import os
from datetime import timedelta
from io import StringIO

from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import sync_playwright

from news.models import Article
from tests.factories import ArticleFactory

# Playwright's sync API runs an event loop in this thread.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


class BrowserTestCase(StaticLiveServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.playwright = sync_playwright().start()
        cls.browser = cls.playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
        )

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()
        cls.playwright.stop()
        super().tearDownClass()

    def setUp(self):
        cache.clear()
        call_command("load_demo", stdout=StringIO())
        self.article = Article.objects.get()
        self.context = self.browser.new_context(
            viewport={"width": 375, "height": 740}, locale="zh-CN"
        )
        self.page = self.context.new_page()

    def tearDown(self):
        self.context.close()

    def url(self, path: str) -> str:
        return f"{self.live_server_url}{path}"


class ReadingToolsTests(BrowserTestCase):
    def root_font_px(self) -> float:
        return self.page.evaluate(
            "parseFloat(getComputedStyle(document.documentElement).fontSize)"
        )

    def test_font_size_changes_at_once_and_persists_across_pages(self):
        self.page.goto(self.url(self.article.get_absolute_url()))
        medium = self.root_font_px()
        self.page.click("a[data-fontsize=large]")
        self.assertGreater(self.root_font_px(), medium)
        self.assertEqual(self.page.url, self.url(self.article.get_absolute_url()))
        self.page.goto(self.url("/"))
        self.assertGreater(self.root_font_px(), medium)
        self.assertEqual(
            self.page.get_attribute("a[data-fontsize=large]", "aria-current"), "true"
        )
        self.page.click("a[data-fontsize=small]")
        self.assertLess(self.root_font_px(), medium)

    def test_font_size_links_work_without_javascript(self):
        context = self.browser.new_context(java_script_enabled=False)
        page = context.new_page()
        page.goto(self.url(self.article.get_absolute_url()))
        page.click("a[data-fontsize=large]")
        self.assertEqual(page.url, self.url(self.article.get_absolute_url()))
        self.assertIn("fs-large", page.get_attribute("html", "class"))
        page.goto(self.url("/"))
        self.assertIn("fs-large", page.get_attribute("html", "class"))
        context.close()

    def test_care_mode_is_larger_higher_contrast_and_remembered(self):
        self.page.goto(self.url(self.article.get_absolute_url()))
        before = self.root_font_px()
        self.page.click(".care-link")
        self.assertIn("care", self.page.get_attribute("html", "class"))
        self.assertGreater(self.root_font_px(), before)
        self.page.goto(self.url(self.article.get_absolute_url()))
        style = self.page.evaluate(
            """() => {
              const p = document.querySelector('.article .body p');
              const s = getComputedStyle(p);
              return {lh: parseFloat(s.lineHeight) / parseFloat(s.fontSize),
                      color: s.color,
                      qr: getComputedStyle(document.querySelector('.share figure.qr')).display};
            }"""
        )
        self.assertGreaterEqual(style["lh"], 1.5)
        self.assertEqual(style["color"], "rgb(0, 0, 0)")
        self.assertEqual(style["qr"], "none")
        self.assertEqual(self.page.text_content(".care-link").strip(), "退出关怀版")

    def test_print_stylesheet_hides_navigation_and_prints_the_address(self):
        self.page.goto(self.url(self.article.get_absolute_url()))
        self.page.emulate_media(media="print")
        hidden = self.page.evaluate(
            """() => ['.site-header', '.site-footer', '.article-aside', '.breadcrumbs']
                 .map(s => getComputedStyle(document.querySelector(s)).display)"""
        )
        self.assertEqual(hidden, ["none"] * 4)
        self.assertTrue(self.page.is_visible(".share-url"))
        self.assertIn(
            self.url(self.article.get_absolute_url()),
            self.page.text_content(".share-url"),
        )
        self.assertIn("来源：烟台日报", self.page.text_content(".article .meta"))
        self.page.emulate_media(media="screen")
        self.assertTrue(self.page.is_visible(".site-header"))

    def test_qr_code_is_an_image_that_loads(self):
        self.page.goto(self.url(self.article.get_absolute_url()))
        qr = self.page.locator(".share figure.qr img")
        qr.scroll_into_view_if_needed()
        # A function, not an expression: Playwright polls an expression with eval(),
        # which the page's Content-Security-Policy forbids.
        self.page.wait_for_function(
            "() => document.querySelector('.share figure.qr img').naturalWidth > 0"
        )
        self.assertTrue(qr.get_attribute("alt"))

    def test_view_beacon_counts_a_real_browser_visit(self):
        context = self.browser.new_context(
            user_agent="Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 "
            "(KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36"
        )
        page = context.new_page()
        with page.expect_response(lambda r: r.url.endswith("/view")) as beacon:
            page.goto(self.url(self.article.get_absolute_url()))
        self.assertEqual(beacon.value.status, 204)
        self.article.refresh_from_db()
        self.assertEqual(self.article.view_count, 1)
        context.close()

    def test_previous_and_next_navigation(self):
        older = ArticleFactory(
            channel=self.article.channel,
            title="更早的一篇",
            published_at=self.article.published_at - timedelta(days=1),
        )
        newer = ArticleFactory(
            channel=self.article.channel,
            title="更新的一篇",
            published_at=min(
                self.article.published_at + timedelta(days=1), timezone.now()
            ),
        )
        self.page.goto(self.url(self.article.get_absolute_url()))
        self.page.click("a[rel=prev]")
        self.assertEqual(self.page.url, self.url(older.get_absolute_url()))
        self.page.click("a[rel=next]")
        self.assertEqual(self.page.url, self.url(self.article.get_absolute_url()))
        self.page.click("a[rel=next]")
        self.assertEqual(self.page.url, self.url(newer.get_absolute_url()))

    def test_no_horizontal_scrolling_at_375px(self):
        for path in [
            "/",
            self.article.get_absolute_url(),
            self.article.channel.get_absolute_url(),
            "/search/?q=国家标准",
            "/no-such-page/",
        ]:
            for care in ("0", "1"):
                with self.subTest(path=path, care=care):
                    self.context.add_cookies(
                        [{"name": "care", "value": care, "url": self.live_server_url}]
                    )
                    self.page.goto(self.url(path))
                    width = self.page.evaluate("document.scrollingElement.scrollWidth")
                    self.assertLessEqual(width, 375)
