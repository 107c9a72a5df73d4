"""axe-core in Chromium: no serious or critical violations on every public page type,
at a 390 px phone and a 1366 px desktop, normal and 关怀版; a screenshot of each page
type at both sizes goes to ``var/test-screenshots/`` (git-ignored; the path is
printed) so that they can be looked at."""

import os
import re
import sys
from datetime import timedelta
from io import StringIO
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.core.cache import cache, caches
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from news.models import Article, Byline, SiteSettings
from quality.models import Indicator
from tests.browser.live import ChromiumTestCase
from tests.factories import ArticleFactory, PersonFactory, TagFactory
from tests.news.test_body_images import library_image

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

WIDTHS = (390, 1366)
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "test-screenshots"
REGISTRY_LISTS = [
    "/quality/honours/",
    "/quality/certifications/",
    "/quality/standards/",
    "/quality/inspection-centres/",
    "/quality/measurement-standards/",
    "/quality/sampling/",
]


def serious(results) -> list:
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


class PublicPages:
    """Every public page type with content; test_reflow.py checks the same set."""

    def setUp(self):
        cache.clear()
        caches["shared"].clear()
        caches["pages"].clear()
        call_command("load_demo", stdout=StringIO())
        self.article = Article.objects.order_by("pk").first()
        # Every page type with content: a tag, a person, covers for the 焦点图 and
        # the lists' thumbnails, a featured 头条, and the footer's 站点设置.
        self.tag = TagFactory(name="质量强市")
        self.person = PersonFactory(name="孙洪安")
        image = library_image(title="烟台港", alt_text="烟台港集装箱码头")
        now = timezone.now()
        for n in range(4):
            other = ArticleFactory(
                channel=self.article.channel,
                title=f"烟台市质量提升工作第{n + 1}篇报道",
                published_at=now - timedelta(minutes=n + 1),
                is_featured=n == 0,
            )
            Article.objects.filter(pk=other.pk).update(cover=image)
            other.tags.add(self.tag)
            Byline.objects.create(article=other, person=self.person, role="reporter")
        Article.objects.filter(pk=self.article.pk).update(cover=image)
        self.article.tags.add(self.tag)
        SiteSettings.objects.create(
            host_organisation="品质烟台演示站点",
            contact_email="demo@example.com",
        )
        cache.clear()
        caches["shared"].clear()

    def page_types(self) -> dict[str, str]:
        today = timezone.localdate()
        indicator = Indicator.objects.public().order_by("pk").first()
        pages = {
            "home": "/",
            "channel": self.article.channel.get_absolute_url(),
            "tag": self.tag.get_absolute_url(),
            "person": self.person.get_absolute_url(),
            "search": "/search/?q=国家标准",
            "search-empty": "/search/?q=区块链",
            "archive": "/news/archive/",
            "archive-month": f"/news/{today:%Y/%m}/",
            "site-map": "/sitemap/",
            "article": self.article.get_absolute_url(),
            "quality": "/quality/",
            "quality-reports": "/quality/reports/",
            "not-found": "/no-such-page/",
            "en-home": "/en/",
        }
        if indicator is not None:
            pages["indicator"] = indicator.get_absolute_url()
        for url in REGISTRY_LISTS:
            pages["registry-" + url.strip("/").split("/")[-1]] = url
        return pages


class AccessibilityTests(PublicPages, ChromiumTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.axe = Axe()

    def test_no_serious_or_critical_violations_and_screenshots(self):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for care in ("0", "1"):
            for width in WIDTHS:
                context = self.browser.new_context(
                    viewport={"width": width, "height": 900}, locale="zh-CN"
                )
                context.add_cookies(
                    [{"name": "care", "value": care, "url": self.live_server_url}]
                )
                page = context.new_page()
                for name, path in self.page_types().items():
                    with self.subTest(page=name, care=care, width=width):
                        response = page.goto(f"{self.live_server_url}{path}")
                        self.assertIn(response.status, (200, 404), path)
                        if care == "0":
                            shot = SCREENSHOTS / f"{name}-{width}.png"
                            page.screenshot(path=str(shot), full_page=True)
                        self.assertEqual(serious(self.axe.run(page)), [], path)
                context.close()
        print(f"\nScreenshots: {SCREENSHOTS}", file=sys.stderr)

    def test_the_home_page_has_no_empty_third_on_a_desktop(self):
        """The right-hand column holds the 数据 block and 阅读排行-or-links, and no
        page scrolls sideways on a phone."""
        page = self.browser.new_page(viewport={"width": 1366, "height": 900})
        page.goto(f"{self.live_server_url}/")
        aside = page.locator(".home-aside").bounding_box()
        main = page.locator(".home-main").bounding_box()
        self.assertGreater(aside["x"], main["x"] + main["width"] - 1)
        self.assertGreater(aside["height"], 200)
        page.close()
        phone = self.browser.new_page(viewport={"width": 390, "height": 800})
        for path in ["/", "/news/archive/", "/sitemap/", self.tag.get_absolute_url()]:
            with self.subTest(path=path):
                phone.goto(f"{self.live_server_url}{path}")
                overflow = phone.evaluate(
                    "document.documentElement.scrollWidth - window.innerWidth"
                )
                self.assertLessEqual(overflow, 0)
        phone.close()

    def test_carousel_without_javascript_and_with_its_pause_button(self):
        context = self.browser.new_context(
            viewport={"width": 1366, "height": 900}, java_script_enabled=False
        )
        page = context.new_page()
        page.goto(f"{self.live_server_url}/")
        slides = page.locator(".focus-slide a")
        self.assertGreaterEqual(slides.count(), 2)
        self.assertTrue(page.locator(".focus-pause").is_hidden())
        # The numbered links reach a slide without JavaScript.
        page.locator(".focus-dots a").nth(1).click()
        self.assertTrue(re.search(r"#focus-2$", page.url))
        context.close()
        page = self.browser.new_page(viewport={"width": 1366, "height": 900})
        page.goto(f"{self.live_server_url}/")
        button = page.locator(".focus-pause")
        self.assertTrue(button.is_visible())
        self.assertEqual(button.text_content(), "暂停轮播")
        button.click()
        self.assertEqual(button.text_content(), "播放轮播")
        self.assertEqual(button.get_attribute("aria-pressed"), "true")
        page.locator(".focus-dots a").nth(2).click()
        expect(page.locator(".focus-dots a").nth(2)).to_have_attribute(
            "aria-current", "true"
        )
        page.close()

    def test_annual_report_page(self):
        """/quality/reports/<year>/ (issue #17) and its list: axe-clean at both
        widths, and printable (print media hides the menus, keeps every chapter)."""
        from tempfile import TemporaryDirectory

        from django.test import override_settings

        from quality.models import Report
        from quality.reports import report_generate

        with TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
            report_generate(report=Report.objects.get(year=2020), formats=("html",))
            for width in WIDTHS:
                page = self.browser.new_page(
                    viewport={"width": width, "height": 900}, locale="zh-CN"
                )
                for path in ("/quality/reports/2020/", "/quality/reports/"):
                    with self.subTest(path=path, width=width):
                        response = page.goto(f"{self.live_server_url}{path}")
                        self.assertEqual(response.status, 200, path)
                        self.assertEqual(serious(self.axe.run(page)), [], path)
                page.emulate_media(media="print")
                page.goto(f"{self.live_server_url}/quality/reports/2020/")
                expect(page.locator(".quality-nav")).to_be_hidden()
                expect(page.locator(".report-chapter h2")).to_have_count(7)
                page.close()

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
