"""The data card of a figure marked in an article opens and closes with the keyboard."""

import os
from datetime import datetime
from zoneinfo import ZoneInfo

from quality.figure_review import figure_proposal_confirm, figure_proposals_extract
from quality.models import FigureProposal
from tests.browser.live import ChromiumTestCase
from tests.factories import ArticleFactory, UserFactory
from tests.quality.factories import IndicatorFactory, RegionFactory

# Playwright's sync API runs an event loop in this thread.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


class FigureCardBrowserTests(ChromiumTestCase):
    def setUp(self):
        self.article = ArticleFactory(
            body="<p>截至目前，烟台市共参与制修订604项国家标准。</p>",
            published_at=datetime(2021, 1, 7, 10, 36, tzinfo=ZoneInfo("Asia/Shanghai")),
        )
        figure_proposals_extract(article=self.article)
        self.indicator = IndicatorFactory(code="standards_national", name="国家标准")
        figure_proposal_confirm(
            proposal=FigureProposal.objects.get(article=self.article),
            indicator=self.indicator,
            region=RegionFactory(),
            by=UserFactory(username="reviewer", is_staff=True),
        )
        self.page = self.browser.new_page()
        self.addCleanup(self.page.close)

    def test_card_opens_and_closes_with_the_keyboard(self):
        page = self.page
        page.goto(self.live_server_url + self.article.get_absolute_url())
        link = page.locator("a.figure")
        self.assertEqual(link.inner_text(), "604项")
        self.assertEqual(link.get_attribute("href"), self.indicator.get_absolute_url())
        card = page.locator(".figure-card")
        toggle = page.locator(".figure-card-toggle")
        self.assertFalse(card.is_visible())

        link.focus()
        page.keyboard.press("Tab")  # from the number to its card button
        self.assertEqual(
            page.evaluate("document.activeElement.className"), "figure-card-toggle"
        )
        page.keyboard.press("Enter")
        card.wait_for(state="visible")
        self.assertEqual(toggle.get_attribute("aria-expanded"), "true")
        self.assertIn("604项", card.inner_text())
        self.assertIn("截至2021年1月7日", card.inner_text())

        page.keyboard.press("Escape")
        card.wait_for(state="hidden")
        self.assertEqual(toggle.get_attribute("aria-expanded"), "false")
        self.assertEqual(
            page.evaluate("document.activeElement.className"), "figure-card-toggle"
        )

        page.keyboard.press("Space")
        card.wait_for(state="visible")
