"""The article page in Chromium (issue #15, §2): the data cards on a 320 px phone,
【打印】【分享】【关闭】, copying the link, and what prints."""

import os
from io import StringIO

from django.core.cache import cache, caches
from django.core.management import call_command

from news.models import Article
from tests.browser.live import ChromiumTestCase, click_and_close

# Playwright's sync API runs an event loop in this thread.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


# The page's width as the browser lays it out, and the open card's box.
LAYOUT = """() => {
  const card = document.querySelector('.figure-card:not([hidden])');
  const box = card.getBoundingClientRect();
  return {scroll: document.documentElement.scrollWidth,
          viewport: document.documentElement.clientWidth,
          left: box.left, right: box.right,
          indent: getComputedStyle(card).textIndent,
          childIndent: getComputedStyle(card.firstElementChild).textIndent};
}"""


class ArticlePageBrowserTests(ChromiumTestCase):
    def setUp(self):
        cache.clear()
        caches["pages"].clear()
        # The seed article: 18 marked figures, some near the right edge of a phone.
        call_command("load_demo", stdout=StringIO())
        self.article = Article.objects.get()
        self.context = self.new_context()
        self.page = self.context.new_page()

    def new_context(self, **options):
        options.setdefault("viewport", {"width": 390, "height": 800})
        context = self.browser.new_context(locale="zh-CN", **options)
        self.addCleanup(context.close)
        return context

    def url(self, path: str = "") -> str:
        return self.live_server_url + (path or self.article.get_absolute_url())

    def test_every_data_card_fits_a_320_px_screen(self):
        """With any card open the page does not scroll sideways, and the card keeps
        none of the paragraph's 2em indent."""
        page = self.new_context(viewport={"width": 320, "height": 640}).new_page()
        page.goto(self.url())
        toggles = page.locator(".figure-card-toggle")
        self.assertGreater(toggles.count(), 10)
        for index in range(toggles.count()):
            toggle = toggles.nth(index)
            toggle.scroll_into_view_if_needed()
            toggle.click()
            layout = page.evaluate(LAYOUT)
            with self.subTest(card=index):
                self.assertEqual(layout["viewport"], 320)
                self.assertLessEqual(layout["scroll"], 320)
                self.assertGreaterEqual(layout["left"], 0)
                self.assertLessEqual(layout["right"], 320)
                self.assertEqual(layout["indent"], "0px")
                self.assertEqual(layout["childIndent"], "0px")
            toggle.click()  # closed again

    def test_copy_link_copies_the_address_and_says_so(self):
        context = self.new_context(permissions=["clipboard-read", "clipboard-write"])
        page = context.new_page()
        page.goto(self.url())
        page.click(".tool-share")
        self.assertTrue(page.url.endswith("#share"))
        button = page.locator(".share .copy-link")
        self.assertTrue(button.is_visible())
        button.click()
        status = page.locator(".share .copy-status")
        status.filter(has_text="链接已复制").wait_for()
        self.assertTrue(status.is_visible())
        self.assertEqual(
            page.evaluate("() => navigator.clipboard.readText()"), self.url()
        )

    def test_copy_link_without_the_clipboard_api_selects_and_copies(self):
        """An http page has no navigator.clipboard: the address is selected and
        copied with the selection, and the reader is told."""
        self.context.add_init_script(
            "Object.defineProperty(navigator, 'clipboard', {value: undefined});"
        )
        self.page.goto(self.url())
        self.page.click(".share .copy-link")
        status = self.page.locator(".share .copy-status")
        status.filter(has_text="链接已复制").wait_for()
        self.assertEqual(
            self.page.evaluate("() => window.getSelection().toString()"), self.url()
        )

    def test_print_button_prints(self):
        self.context.add_init_script(
            "window.__printed = 0; window.print = () => { window.__printed += 1; };"
        )
        self.page.goto(self.url())
        self.page.click(".article-tools .tool-print")
        self.assertEqual(self.page.evaluate("() => window.__printed"), 1)

    def test_close_shows_only_where_the_window_may_be_closed(self):
        # Reached by a link from another page: closing is not allowed, no button.
        self.page.goto(self.url("/"))
        self.page.goto(self.url())
        self.assertFalse(self.page.is_visible(".tool-close"))
        self.assertTrue(self.page.is_visible(".tool-print"))
        # Opened by another page (a 新窗口 link): 【关闭】 closes it.
        with self.page.expect_popup() as opened:
            self.page.evaluate(f"() => window.open({self.url()!r})")
        popup = opened.value
        popup.wait_for_load_state()
        self.assertTrue(popup.is_visible(".tool-close"))
        click_and_close(popup, popup.locator(".tool-close"))
        self.assertTrue(popup.is_closed())

    def test_without_javascript_share_shows_the_address_and_print_close_hide(self):
        page = self.new_context(java_script_enabled=False).new_page()
        page.goto(self.url())
        self.assertFalse(page.is_visible(".tool-print"))
        self.assertFalse(page.is_visible(".tool-close"))
        self.assertFalse(page.is_visible(".share .copy-link"))
        page.click(".tool-share")
        self.assertTrue(page.url.endswith("#share"))
        self.assertEqual(page.text_content(".share .url"), self.url())
        self.assertTrue(page.is_visible(".share figure.qr img"))

    def test_print_hides_toolbar_and_cards_and_prints_the_data_box(self):
        page = self.page
        page.goto(self.url())
        page.locator(".figure-card-toggle").first.click()
        page.emulate_media(media="print")
        display = page.evaluate(
            """() => ['.article-tools', '.figure-card-toggle', '.figure-card',
                      '.share .copy-link', '.article-data']
                 .map(s => getComputedStyle(document.querySelector(s)).display)"""
        )
        self.assertEqual(display[:4], ["none"] * 4)
        self.assertEqual(display[4], "block")
        self.assertTrue(page.is_visible(".article-data"))
        self.assertIn("604项", page.text_content(".article-data"))
        self.assertTrue(page.is_visible(".share-url"))
        pdf = page.pdf()  # the print layout renders
        self.assertGreater(len(pdf), 10_000)
