"""The Content-Security-Policy breaks nothing: public and admin pages in Chromium.

Every page is used as a reader or an editor would (figure card, 字号, 关怀版, QR, print,
charts and their tooltips, the body editor and its image picker, the importer, history
and comparison, the API docs) while the browser reports each
``securitypolicyviolation`` to the test (an init script of the context, so
popups report too). The test fails on any violation, on any console message about the
Content Security Policy, and on any page error.
"""

import os
from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from news.models import Article
from quality.figure_review import figure_proposal_confirm, figure_proposals_extract
from quality.models import FigureProposal
from tests.browser.editing import SETTLE, caret_at_end
from tests.browser.live import ChromiumTestCase, click_and_close
from tests.factories import ArticleFactory, TagFactory, UserFactory
from tests.quality.factories import IndicatorFactory, RegionFactory

# Playwright's sync API runs an event loop in this thread.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


# Each violation goes to the test at once (a binding to Python), so that those of a
# page the test has already left are counted too.
COLLECT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.reportCspViolation({
    directive: e.effectiveDirective, blocked: e.blockedURI, source: e.sourceFile,
    line: e.lineNumber, sample: e.sample, page: location.pathname,
  });
}, true);
"""


class ContentSecurityPolicyBrowserTests(ChromiumTestCase):
    def setUp(self):
        self.context = self.browser.new_context(locale="zh-CN")
        self.addCleanup(self.context.close)
        self.console = []
        self.errors = []
        self.violations = []
        self.context.expose_function(
            "reportCspViolation", lambda violation: self.violations.append(violation)
        )
        self.context.add_init_script(COLLECT_VIOLATIONS)
        self.context.on("console", self.on_console)
        self.context.on("page", self.watch)
        self.page = self.context.new_page()

    def on_console(self, message):
        if message.type in ("error", "warning"):
            self.console.append(message.text)

    def watch(self, page):
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def assert_no_violations(self):
        self.page.evaluate(SETTLE)  # the last reports have arrived
        self.assertEqual(self.violations, [])
        self.assertEqual(
            [m for m in self.console if "Content Security Policy" in m], []
        )
        self.assertEqual(self.errors, [])

    def login(self, user):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        self.context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": session.session_key,
                    "url": self.live_server_url,
                }
            ]
        )

    def test_public_pages(self):
        call_command("load_quality_demo", stdout=StringIO())
        article = ArticleFactory(
            body="<p>截至目前，烟台市共参与制修订604项国家标准。</p>",
            published_at=datetime(2021, 1, 7, 10, 36, tzinfo=ZoneInfo("Asia/Shanghai")),
        )
        figure_proposals_extract(article=article)
        figure_proposal_confirm(
            proposal=FigureProposal.objects.get(article=article),
            indicator=IndicatorFactory(code="csp_national", name="国家标准"),
            region=RegionFactory(),
            by=UserFactory(username="reviewer", is_staff=True),
        )
        page = self.page
        url = self.live_server_url

        page.goto(url + "/")
        expect(page.locator("a", has_text=article.title).first).to_be_visible()

        # The article page: figure card, 字号, 关怀版, QR, print.
        page.goto(url + article.get_absolute_url())
        page.locator(".figure-card-toggle").click()
        expect(page.locator(".figure-card")).to_be_visible()
        page.locator(".share figure.qr img").scroll_into_view_if_needed()
        page.wait_for_function(
            "() => document.querySelector('.share figure.qr img').naturalWidth > 0"
        )
        page.locator("a[data-fontsize=large]").click()
        page.wait_for_function(
            "() => document.documentElement.classList.contains('fs-large')"
        )
        page.locator("a.care-enter").click()  # 关怀版 hides the QR code
        page.wait_for_function(
            "() => document.documentElement.classList.contains('care')"
        )
        page.emulate_media(media="print")
        page.emulate_media(media="screen")
        # Served from the page cache the second time: still nothing blocked.
        page.reload()
        page.locator(".figure-card-toggle").click()
        expect(page.locator(".figure-card")).to_be_visible()

        # Charts, with a tooltip shown (ECharts writes it as HTML).
        for path in ("/quality/", "/quality/indicators/standards_national/"):
            page.goto(url + path)
            chart = page.locator("[data-chart]").first
            expect(chart).to_have_attribute("data-chart-ready", "true")
            chart.locator("svg path").last.hover(force=True)
            expect(chart).to_contain_text("：")  # the tooltip: "系列：数值"

        # Every other kind of public page.
        for path in (
            reverse("news:search") + "?q=质量",
            article.channel.get_absolute_url(),
            reverse("quality:honour-list"),
            reverse("quality:certification-list"),
            reverse("quality:standard-list"),
            reverse("quality:inspection-centre-list"),
            reverse("quality:measurement-standard-list"),
            reverse("quality:sampling-list"),
        ):
            page.goto(url + path)
        page.goto(url + "/no-such-page/")
        page.goto(url + "/search/?q=%00")  # the stand-alone 400 page
        page.goto(url + "/api/docs/")
        page.locator(".swagger-ui .opblock").first.wait_for()
        self.assert_no_violations()

    def test_admin_pages(self):
        from tests.news.test_body_images import library_image

        library_image(title="烟台港", caption="烟台港西港区", credit="唐克 摄")
        TagFactory(name="质量强市")
        admin = UserFactory(username="csp-root", is_staff=True, is_superuser=True)
        article = ArticleFactory(
            status=Article.Status.DRAFT, body="<h2>小标题</h2><p>正文第一段。</p>"
        )
        self.login(admin)
        page = self.page
        url = self.live_server_url

        page.goto(url + "/admin/")
        expect(page.locator("#user-tools")).to_contain_text("csp-root")

        # The change form: type in the editor, insert a library image with the picker.
        page.goto(f"{url}/admin/news/article/{article.pk}/change/")
        editor = page.locator(".ProseMirror[contenteditable=true]")
        editor.wait_for()
        caret_at_end(page, editor.locator("p").last)
        page.keyboard.press("Enter")
        page.keyboard.type("编辑补充：")
        page.keyboard.press("Control+b")
        page.keyboard.type("加粗")
        page.keyboard.press("Control+b")
        # The tags' autocomplete (select2) opens its dropdown and searches.
        page.locator(".field-tags .select2-selection").click()
        page.locator(".field-tags .select2-search__field").fill("质量")
        page.locator(".select2-results__option").first.wait_for()
        page.keyboard.press("Escape")
        page.locator(".prose-menubar [title='插图（带图片说明）']").click()
        dialog = page.locator("dialog[open]")
        dialog.wait_for()
        with page.expect_popup() as popup_info:
            dialog.get_by_role("button", name="浏览……").click()
        picker = popup_info.value
        picker.wait_for_load_state()
        click_and_close(picker, picker.get_by_role("button", name="插入此图"))
        dialog.get_by_role("button", name="插入").click()
        editor.locator("figure img").wait_for()
        with page.expect_navigation():
            page.locator("input[name=_continue]").click()
        self.assertEqual(page.locator(".errornote").count(), 0)
        self.assertIn("<strong>加粗</strong>", Article.objects.get(pk=article.pk).body)

        # The staff preview of the draft.
        page.goto(url + reverse("news:article-preview", args=[article.pk]))

        # History and the comparison of two versions.
        page.goto(f"{url}/admin/news/article/{article.pk}/history/")
        with page.expect_navigation():
            page.get_by_role("button", name="对比所选版本").click()
        expect(page.locator(".revision-diff")).to_be_visible()

        # The importer, with an error shown and then a draft made.
        page.goto(f"{url}/admin/news/article/import/")
        with page.expect_navigation():
            page.locator("input[type=submit]").click()
        expect(page.locator(".errornote")).to_be_visible()

        # The article list with its filters, and the image library.
        page.goto(f"{url}/admin/news/article/")
        page.goto(f"{url}/admin/news/image/add/")

        # Other admin pages we add or change.
        for path in (
            reverse("admin:news_article_add"),
            reverse("admin:quality_figureproposal_extract", args=[article.pk]),
            reverse("admin:quality_observation_changelist"),
            reverse("admin:quality_observation_add"),
            reverse("admin:password_change"),
        ):
            page.goto(url + path)

        # Quality data: CSV/XLSX import, and export with its "Select all" toggle.
        page.goto(f"{url}/admin/quality/observation/import/")
        expect(page.locator("input[type=file]")).to_be_attached()
        page.goto(f"{url}/admin/quality/observation/export/")
        fields = page.locator(".selectable-field-export-row input[type=checkbox]")
        expect(fields.first).to_be_checked()
        page.locator(".select-toggle").first.uncheck()
        expect(fields.first).not_to_be_checked()
        page.locator(".select-toggle").first.check()
        expect(fields.first).to_be_checked()
        self.assert_no_violations()
