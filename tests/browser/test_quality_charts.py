"""Quality data pages in Chromium: ECharts draws from the vendored file, no CDN."""

import os
from io import StringIO

from django.core.cache import cache
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.live import ChromiumTestCase

# Playwright's sync API runs an event loop in this thread.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


class QualityChartTests(ChromiumTestCase):
    def setUp(self):
        cache.clear()
        call_command("load_quality_demo", stdout=StringIO())
        self.page = self.browser.new_page()
        self.outside = []
        self.page.on(
            "request",
            lambda request: (
                self.outside.append(request.url)
                if not request.url.startswith(self.live_server_url)
                and not request.url.startswith("data:")
                else None
            ),
        )

    def tearDown(self):
        self.page.close()

    def test_dashboard_charts_draw_beside_their_tables(self):
        self.page.goto(f"{self.live_server_url}/quality/")
        chart = self.page.locator("[data-chart]").first
        expect(chart).to_have_attribute("data-chart-ready", "true")
        expect(chart.locator("svg")).to_have_count(1)
        expect(
            self.page.get_by_role("table", name="标准化", exact=True)
        ).to_be_visible()
        expect(self.page.locator(".card-value", has_text="604项")).to_be_visible()
        self.assertEqual(self.outside, [])

    def test_indicator_page_chart_and_sources(self):
        self.page.goto(f"{self.live_server_url}/quality/indicators/standards_national/")
        chart = self.page.locator("[data-chart]")
        expect(chart).to_have_attribute("data-chart-ready", "true")
        expect(chart.locator("svg text", has_text="604项").first).to_be_attached()
        # The headline's rounder wording is listed with its source, folded away.
        self.page.get_by_text("同一数据的其他表述").click()
        expect(self.page.get_by_text("截至2021年1月7日，600余项")).to_be_visible()
        self.assertEqual(self.outside, [])
