"""The reading pages in Chromium: 字号, 关怀版, print, QR, prev/next, phones."""

import os
from datetime import timedelta
from io import StringIO

from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from news.models import Article
from tests.browser.live import ChromiumTestCase
from tests.factories import ArticleFactory

# Playwright's sync API runs an event loop in this thread.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


# The current 字号 link's background (site.css).
CURRENT = "rgb(11, 76, 140)"
# Record the classes of <html> when <body> is inserted and at the first animation
# frame (just before the first paint), the root font size then, and any CSP violation.
RECORD_FIRST_FRAME = """
window.__firstFrame = null;
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(e.effectiveDirective + " " + e.blockedURI);
});
let atBody = null;
new MutationObserver((changes, observer) => {
  if (document.body) {
    atBody = document.documentElement.className;
    observer.disconnect();
  }
}).observe(document, {childList: true, subtree: true});
requestAnimationFrame(() => {
  const root = document.documentElement;
  window.__firstFrame = {
    atBody: atBody, frame: root.className,
    size: parseFloat(getComputedStyle(root).fontSize),
  };
});
"""


def root_font_px(page) -> float:
    return page.evaluate(
        "parseFloat(getComputedStyle(document.documentElement).fontSize)"
    )


def link_background(page, size: str) -> str:
    return page.evaluate(
        f"getComputedStyle(document.querySelector('a[data-fontsize={size}]'))"
        ".backgroundColor"
    )


class ReadingTestCase(ChromiumTestCase):
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


class ReadingToolsTests(ReadingTestCase):
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
        """The link sets the cookie and comes back; /reading.css applies it."""
        context = self.browser.new_context(java_script_enabled=False)
        page = context.new_page()
        path = self.article.get_absolute_url()
        page.goto(self.url(path))
        medium = root_font_px(page)
        self.assertEqual(link_background(page, "medium"), CURRENT)
        page.click("a[data-fontsize=large]")
        page.wait_for_load_state()  # /reading.css applied (it blocks load)
        self.assertEqual(page.url, self.url(path))
        self.assertGreater(root_font_px(page), medium)
        self.assertIsNone(page.get_attribute("html", "class"))  # no script ran
        self.assertEqual(link_background(page, "large"), CURRENT)
        self.assertNotEqual(link_background(page, "medium"), CURRENT)
        page.goto(self.url("/"))
        self.assertGreater(root_font_px(page), medium)
        context.close()

    def test_care_mode_works_without_javascript(self):
        context = self.browser.new_context(java_script_enabled=False)
        page = context.new_page()
        path = self.article.get_absolute_url()
        page.goto(self.url(path))
        before = root_font_px(page)
        self.assertFalse(page.is_visible(".care-leave"))
        page.click(".care-enter")
        page.wait_for_load_state()  # /reading.css applied (it blocks load)
        self.assertEqual(page.url, self.url(path))
        self.assertGreater(root_font_px(page), before)
        self.assertFalse(page.is_visible(".share figure.qr"))
        self.assertFalse(page.is_visible(".care-enter"))
        page.click(".care-leave")
        page.wait_for_load_state()  # /reading.css applied (it blocks load)
        self.assertEqual(root_font_px(page), before)
        self.assertTrue(page.is_visible(".share figure.qr"))
        context.close()

    def test_the_choice_is_applied_before_the_first_paint(self):
        """With JavaScript the stored choice is a class on <html> before <body>
        exists and in the first frame, under the Content-Security-Policy."""
        self.context.add_init_script(RECORD_FIRST_FRAME)
        messages = []
        self.page.on("console", lambda m: messages.append(m.text))
        path = self.article.get_absolute_url()
        self.page.goto(self.url(path))
        self.page.wait_for_function("() => window.__firstFrame !== null")
        plain = self.page.evaluate("window.__firstFrame")
        self.context.add_cookies(
            [
                {"name": "fontsize", "value": "large", "url": self.live_server_url},
                {"name": "care", "value": "1", "url": self.live_server_url},
            ]
        )
        self.page.goto(self.url(path))
        self.page.wait_for_function("() => window.__firstFrame !== null")
        seen = self.page.evaluate("window.__firstFrame")
        self.assertEqual(plain["atBody"].split(), ["fs-medium"])
        self.assertEqual(seen["atBody"].split(), ["fs-large", "care"])
        self.assertEqual(seen["frame"].split(), ["fs-large", "care"])
        self.assertGreater(seen["size"], plain["size"])
        self.assertEqual(seen["size"], root_font_px(self.page))
        self.assertEqual(
            self.page.get_attribute("a[data-fontsize=large]", "aria-current"), "true"
        )
        self.assertEqual(self.page.evaluate("window.__violations"), [])
        self.assertEqual([m for m in messages if "Content Security" in m], [])

    def test_care_mode_is_larger_higher_contrast_and_remembered(self):
        self.page.goto(self.url(self.article.get_absolute_url()))
        before = self.root_font_px()
        self.page.click(".care-enter")
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
        self.assertFalse(self.page.is_visible(".care-enter"))
        self.assertTrue(self.page.is_visible(".care-leave"))
        self.assertEqual(self.page.text_content(".care-leave").strip(), "退出关怀版")

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

    def test_channel_menu_marks_the_current_channel(self):
        """The menu is one cached fragment for every page: reading.js marks the
        link to the page being read aria-current="page" (none elsewhere)."""
        channel = self.article.channel.get_absolute_url()
        current = ".channels a[aria-current=page]"
        for path, expected in [
            (channel, channel),
            (channel + "?page=1", channel),
            ("/quality/", "/quality/"),
            ("/", None),
            (self.article.get_absolute_url(), None),
        ]:
            with self.subTest(path=path):
                self.page.goto(self.url(path))
                self.page.wait_for_load_state()
                hrefs = self.page.eval_on_selector_all(
                    current, "links => links.map(a => a.getAttribute('href'))"
                )
                self.assertEqual(hrefs, [expected] if expected else [])

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
