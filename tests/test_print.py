"""The print stylesheet (static/css/print.css): a printed page is its content, with
no menu, form or other page furniture to press buttons on."""

import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.test import TestCase
from django.utils import timezone

from news import search
from tests.factories import ArticleFactory, ChannelFactory
from tests.quality.factories import StandardFactory

PRINT_CSS = Path(settings.BASE_DIR) / "static" / "css" / "print.css"


def hidden_classes() -> set[str]:
    """The classes print.css hides whole (``.name`` in a ``display: none`` rule)."""
    css = re.sub(r"/\*.*?\*/", "", PRINT_CSS.read_text(), flags=re.S)
    hidden = set()
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        if re.search(r"display:\s*none", body):
            for selector in selectors.split(","):
                selector = selector.strip()
                if re.fullmatch(r"\.[\w-]+", selector):
                    hidden.add(selector[1:])
    return hidden


class _Furniture(HTMLParser):
    """Each <nav> and <form> of <body> with no ancestor-or-self in ``hidden``."""

    VOID = {"br", "img", "input", "link", "meta", "hr", "source", "wbr", "col"}

    def __init__(self, hidden):
        super().__init__()
        self.hidden = hidden
        self.stack: list[bool] = []
        self.shown: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        attrs = dict(attrs)
        classes = set((attrs.get("class") or "").split())
        hides = bool(classes & self.hidden)
        if tag in ("nav", "form") and not hides and not any(self.stack):
            self.shown.append(f"<{tag} class={attrs.get('class')!r}>")
        self.stack.append(hides)

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()


class PrintTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        channel = ChannelFactory(name="计量", slug="jiliang")
        published = timezone.now() - timedelta(days=1)
        cls.articles = [
            ArticleFactory(
                channel=channel, published_at=published - timedelta(minutes=n)
            )
            for n in range(25)
        ]
        StandardFactory()
        search.rebuild_index()
        cls.month = timezone.localtime(published).strftime("/news/%Y/%m/")

    def setUp(self):
        for alias in ("default", "shared"):
            caches[alias].clear()

    def test_printed_pages_carry_no_menu_or_form(self):
        hidden = hidden_classes()
        for url in (
            "/",
            "/?page=2",
            "/news/channel/jiliang/",
            self.articles[1].get_absolute_url(),
            "/news/archive/",
            self.month,
            "/search/?q=烟台",
            "/quality/",
            "/quality/standards/",
        ):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                parser = _Furniture(hidden)
                parser.feed(response.content.decode())
                self.assertEqual(parser.shown, [])
