"""Quality pages in Chromium at phone width: numbers and dates stay on one line,
the page never scrolls sideways, the chart|table tabs work by mouse, keyboard and
without JavaScript, and the PNG download is a PNG of the chart."""

import os
from io import StringIO
from pathlib import Path

from django.core.cache import caches
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.live import ChromiumTestCase

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

PHONE = {"width": 390, "height": 844}
SHOTS = Path(os.environ.get("BROWSER_SHOTS", "var/test-screenshots"))

# For each number, date or code cell: its text and how many lines it takes.
LINES_OF_CELLS = """
cells => cells.map(cell => {
  const range = document.createRange();
  range.selectNodeContents(cell);
  const tops = new Set(Array.from(range.getClientRects())
    .filter(r => r.width > 0).map(r => Math.round(r.top)));
  return [cell.textContent.trim(), tops.size];
})
"""


class QualityPhoneTests(ChromiumTestCase):
    def setUp(self):
        for alias in ("default", "shared"):
            caches[alias].clear()
        call_command("load_quality_demo", stdout=StringIO())
        self.context = self.browser.new_context(viewport=PHONE, accept_downloads=True)
        self.page = self.context.new_page()

    def tearDown(self):
        self.context.close()

    def shot(self, name):
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(
            path=str(SHOTS / f"quality-{name}-390.png"), full_page=True
        )

    def assert_cells_on_one_line(self, selector):
        cells = self.page.eval_on_selector_all(selector, LINES_OF_CELLS)
        self.assertTrue(cells, f"no cell matches {selector}")
        broken = [text for text, lines in cells if text and lines != 1]
        self.assertEqual(broken, [], "cells broken across lines at 390 px")
        width = self.page.evaluate("document.documentElement.scrollWidth")
        self.assertLessEqual(width, PHONE["width"], "the page scrolls sideways")

    def test_sampling_table_keeps_numbers_and_periods_whole(self):
        self.page.goto(f"{self.live_server_url}/quality/sampling/")
        self.assert_cells_on_one_line("table td.num, table td.date, table th.date")
        cells = self.page.eval_on_selector_all("td.num, td.date", LINES_OF_CELLS)
        self.assertIn(["1700", 1], cells)
        self.assertIn(["2020年上半年", 1], cells)
        self.shot("sampling")

    def test_indicator_tabs_table_and_png(self):
        self.page.goto(
            f"{self.live_server_url}/quality/indicators/shandong_brand_products/"
        )
        chart_tab = self.page.get_by_role("tab", name="图表")
        table_tab = self.page.get_by_role("tab", name="表格")
        expect(chart_tab).to_have_attribute("aria-selected", "true")
        expect(self.page.locator("[data-chart]")).to_have_attribute(
            "data-chart-ready", "true"
        )
        # Pointing at a period shows its figures with their sources.
        chart = self.page.locator("[data-chart]")
        box = chart.bounding_box()
        self.page.mouse.move(
            box["x"] + box["width"] * 0.3, box["y"] + box["height"] / 2
        )
        expect(chart).to_contain_text("来源：质检报刊社《山东烟台品牌建设又获新突破》")
        table = self.page.get_by_role("table")
        expect(table).to_be_hidden()
        self.shot("indicator-chart")
        chart_tab.focus()
        self.page.keyboard.press("ArrowRight")
        expect(table_tab).to_be_focused()
        expect(table_tab).to_have_attribute("aria-selected", "true")
        expect(table).to_be_visible()
        expect(table.get_by_role("row")).to_have_count(3)  # header, 2017, 2021
        self.assert_cells_on_one_line("table td.num, table th.date, td .date")
        self.shot("indicator-table")
        with self.page.expect_download() as download:
            self.page.get_by_role("button", name="PNG").click()
        path = download.value.path()
        self.assertEqual(
            download.value.suggested_filename, "shandong_brand_products.png"
        )
        data = Path(path).read_bytes()
        self.assertEqual(data[:8], b"\x89PNG\r\n\x1a\n")
        width = int.from_bytes(data[16:20], "big")
        self.assertEqual(width, 1600)  # the 800 px SVG at twice its size

    def test_without_javascript_the_table_is_the_page(self):
        context = self.browser.new_context(viewport=PHONE, java_script_enabled=False)
        page = context.new_page()
        try:
            page.goto(
                f"{self.live_server_url}/quality/indicators/shandong_brand_products/"
            )
            expect(page.get_by_role("table")).to_be_visible()
            expect(page.get_by_role("tab")).to_have_count(0)
            expect(page.get_by_role("button", name="图表")).to_be_hidden()
            expect(page.get_by_role("button", name="PNG")).to_be_hidden()
            expect(page.get_by_role("link", name="SVG")).to_be_visible()
        finally:
            context.close()
