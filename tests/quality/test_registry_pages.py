"""The registry pages as a screen reader and an English reader meet them: each
table named on itself with its headers scoped, the Chinese data of /en/ pages
marked lang="zh-Hans", and the data menu naming each page as its heading does."""

import re
from html.parser import HTMLParser

from django.conf import settings
from django.core.cache import caches
from django.test import TestCase
from django.utils import translation

from quality.models import MeasurementStandard, Scheme
from tests.news.test_language_of_parts import unmarked_chinese

from .factories import (
    AwardFactory,
    InspectionCentreFactory,
    OrganisationFactory,
    SamplingCampaignFactory,
    SchemeFactory,
    StandardFactory,
)

REGISTRY_URLS = (
    "/quality/honours/",
    "/quality/certifications/",
    "/quality/standards/",
    "/quality/inspection-centres/",
    "/quality/measurement-standards/",
    "/quality/sampling/",
)


class _Tables(HTMLParser):
    """Each <table>: its attributes, caption text and its <th> attributes; the
    ids of the page's elements with their text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: list[dict] = []
        self.texts: dict[str, list[str]] = {}
        self.open_ids: list[tuple[str, str]] = []
        self.in_caption = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.tables.append({"attrs": attrs, "caption": "", "th": []})
        elif tag == "caption":
            self.in_caption = True
        elif tag == "th" and self.tables:
            self.tables[-1]["th"].append(attrs)
        if "id" in attrs:
            self.texts[attrs["id"]] = []
            self.open_ids.append((tag, attrs["id"]))

    def handle_endtag(self, tag):
        if tag == "caption":
            self.in_caption = False
        if self.open_ids and self.open_ids[-1][0] == tag:
            self.open_ids.pop()

    def handle_data(self, data):
        if self.in_caption:
            self.tables[-1]["caption"] += data
        for _tag, element_id in self.open_ids:
            self.texts[element_id].append(data)


def fill_every_registry():
    AwardFactory(organisation=OrganisationFactory(name="烟台张裕葡萄酿酒股份有限公司"))
    AwardFactory(
        scheme=SchemeFactory(name="质量管理体系认证", kind=Scheme.Kind.CERTIFICATION)
    )
    StandardFactory(title="葡萄酒")
    InspectionCentreFactory(name="国家葡萄酒及果酒质量检验检测中心")
    MeasurementStandard.objects.create(name="电能表检定装置", level="municipal")
    SamplingCampaignFactory(name="2020年上半年食品安全抽检", programme_count=5)


class RegistryPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        fill_every_registry()

    def setUp(self):
        for alias in ("default", "shared"):
            caches[alias].clear()
        self.addCleanup(translation.activate, settings.LANGUAGE_CODE)

    def get(self, url):
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        return response.content.decode()

    def test_each_table_is_named_on_itself_and_its_headers_scoped(self):
        for prefix in ("", "/en"):
            for name in REGISTRY_URLS:
                url = prefix + name
                with self.subTest(url=url):
                    parser = _Tables()
                    parser.feed(self.get(url))
                    (table,) = [
                        t
                        for t in parser.tables
                        if "registry" in t["attrs"].get("class", "")
                    ]
                    labelledby = table["attrs"].get("aria-labelledby")
                    name = table["caption"].strip() or "".join(
                        parser.texts.get(labelledby, [])
                    )
                    self.assertTrue(name.strip(), "the table has no name of its own")
                    self.assertTrue(table["th"])
                    for th in table["th"]:
                        self.assertIn(th.get("scope"), ("col", "row"), th)

    def test_english_pages_mark_the_chinese_data(self):
        """Company names, scheme names (山东名牌产品, the coverage labels), titles
        and regions are Chinese data: lang="zh-Hans", read in a Chinese voice."""
        for name in REGISTRY_URLS:
            url = "/en" + name
            with self.subTest(url=url):
                html = self.get(url)
                main = html.split("<main", 1)[1].split("</main>", 1)[0]
                self.assertEqual(unmarked_chinese("<body><main" + main), [])
        sampling = self.get("/en/quality/sampling/")
        self.assertIn("</span> (5 special campaigns)</th>", sampling)

    def test_menu_labels_are_the_pages_headings(self):
        """Each entry of the data menu reads as the heading of the page it opens
        (the menu may shorten it: 计量标准 for 社会公用计量标准)."""
        for prefix in ("", "/en"):
            for name in REGISTRY_URLS:
                url = prefix + name
                with self.subTest(url=url):
                    html = self.get(url)
                    heading = re.search(
                        r'<h1 class="page-title"[^>]*>(.*?)</h1>', html, re.S
                    )[1].strip()
                    label = re.search(
                        r'<a href="[^"]+" aria-current="page">(.*?)</a>', html
                    )[1].strip()
                    self.assertTrue(
                        heading.lower().endswith(label.lower()), (label, heading)
                    )

    def test_english_headings_of_lists_are_plural(self):
        """A list of standards is "Standards": the page's heading and its menu
        entry, not the singular name of one record (the model's "Standard")."""
        html = self.get("/en/quality/standards/")
        nav = re.search(r'<nav class="quality-nav".*?</nav>', html, re.S)[0]
        self.assertEqual(
            re.findall(r'<a href="[^"]+"[^>]*>(.*?)</a>', nav),
            [
                "Data home",
                "Honours and brands",
                "Certificates",
                "Standards",
                "Quality inspection centres",
                "Measurement standards",
                "Sampling inspection",
            ],
        )
        self.assertIn('id="registry-title">Standards</h1>', html)
