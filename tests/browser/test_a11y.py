"""axe-core in Chromium: no serious or critical violations, normal and 关怀版."""

import os
from io import StringIO

from axe_playwright_python.sync_playwright import Axe
from django.core.cache import cache
from django.core.management import call_command
from playwright.sync_api import sync_playwright

from news.models import Article
from tests.browser.live import BrowserTestCase

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


class AccessibilityTests(BrowserTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.playwright = sync_playwright().start()
        cls.browser = cls.playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
        )
        cls.axe = Axe()

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()
        cls.playwright.stop()
        super().tearDownClass()

    def setUp(self):
        cache.clear()
        call_command("load_demo", stdout=StringIO())
        self.article = Article.objects.get()

    def test_no_serious_or_critical_violations(self):
        paths = [
            "/",
            self.article.channel.get_absolute_url(),
            self.article.get_absolute_url(),
            "/search/?q=国家标准",
            "/search/?q=区块链",
            "/no-such-page/",
        ]
        for care in ("0", "1"):
            for width in (375, 1280):
                context = self.browser.new_context(
                    viewport={"width": width, "height": 900}, locale="zh-CN"
                )
                context.add_cookies(
                    [{"name": "care", "value": care, "url": self.live_server_url}]
                )
                page = context.new_page()
                for path in paths:
                    with self.subTest(path=path, care=care, width=width):
                        page.goto(f"{self.live_server_url}{path}")
                        results = self.axe.run(page)
                        bad = [
                            (
                                v["id"],
                                v["impact"],
                                [n["target"] for n in v["nodes"]][:3],
                            )
                            for v in results.response["violations"]
                            if v["impact"] in {"serious", "critical"}
                        ]
                        self.assertEqual(bad, [])
                context.close()

    def test_the_checker_itself_reports_violations(self):
        """Guards the test above against an axe that silently checks nothing."""
        page = self.browser.new_page()
        page.set_content('<html><body><img src="x.png"><a href="/"></a></body></html>')
        ids = {v["id"] for v in self.axe.run(page).response["violations"]}
        self.assertIn("image-alt", ids)
        self.assertIn("link-name", ids)
        page.close()

    def test_skip_link_and_focus_are_visible(self):
        page = self.browser.new_page(locale="zh-CN")
        page.goto(f"{self.live_server_url}{self.article.get_absolute_url()}")
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => { const a = document.activeElement;
                 const r = a.getBoundingClientRect(); const s = getComputedStyle(a);
                 return {text: a.textContent, left: r.left, outline: s.outlineStyle}; }"""
        )
        self.assertEqual(focused["text"], "跳到正文")
        self.assertGreaterEqual(focused["left"], 0)
        self.assertNotEqual(focused["outline"], "none")
        page.close()
