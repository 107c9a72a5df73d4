"""A query in traditional characters finds what its simplified form finds: the same
results in the same order, the same words marked, on the search page (with or
without a channel) and through the API's ``q``; a simplified query finds what it
found before. The content and its index stay simplified: the query is converted
(``yantai.text.to_simplified``, OpenCC's hk2s). Run on SQLite and PostgreSQL."""

import re
from datetime import timedelta

from django.core.cache import cache
from django.test import TestCase
from django.utils import timezone

from news import search
from tests.factories import ArticleFactory, BylineFactory, ChannelFactory, PersonFactory

# (traditional, its simplified form): the reader's words, OpenCC's phrase-level
# conversion for the ambiguous ones (乾燥 干燥 but 乾隆; 頭髮 头发; 後來 后来).
PAIRS = [
    ("質量", "质量"),
    ("標準化", "标准化"),
    ("煙臺", "烟台"),
    ("檢驗檢測", "检验检测"),
    ("國家標準", "国家标准"),
    ("乾燥劑", "干燥剂"),
    ("乾隆", "乾隆"),
    ("頭髮", "头发"),
    ("後來", "后来"),
    ("發展", "发展"),
    ("裡面", "里面"),
    ("衞生", "卫生"),  # Hong Kong's form of 衛
    ("孫洪安", "孙洪安"),  # a byline's name
    ("質量 标准化", "质量 标准化"),  # both scripts in one query
    ("檢驗检测", "检验检测"),  # both in one word
    ("質量标准", "质量标准"),  # 質量 / 标准 as typed, one word simplified
    ("煙台", "烟台"),  # 台 is both
    ("ＧＢ／Ｔ 質量", "gb/t 质量"),  # full-width letters too
]


def titles(response) -> list[str]:
    return [a.title for a in response.context["results"]]


def result_list(response) -> str:
    """The page's list of results: titles and snippets with their marks."""
    match = re.search(
        r'<ol class="article-list search-results".*?</ol>',
        response.content.decode(),
        re.S,
    )
    return match.group() if match else ""


class TraditionalQueryTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        now = timezone.now()
        cls.channel = ChannelFactory(name="质量强市", slug="质量强市")
        other = ChannelFactory(name="食品安全", slug="食品安全")

        def article(title, text, days, channel=cls.channel):
            return ArticleFactory(
                channel=channel,
                title=title,
                summary="",
                body=f"<p>{text}</p>",
                published_at=now - timedelta(days=days),
            )

        cls.standards = article(
            "烟台市参与制修订国家标准",
            "标准化工作成效显著，全市产品质量稳步提升，执行质量标准200余项。",
            3,
        )
        cls.testing = article(
            "检验检测机构质量提升",
            "孙洪安介绍，烟台检验检测机构后来又新增12家，发展势头良好。",
            2,
        )
        cls.drying = article(
            "干燥剂质量抽检结果公布",
            "抽检干燥剂20批次，GB/T 标准执行情况良好。里面有3批次不合格。",
            1,
            other,
        )
        cls.history = article("乾隆年间的烟台老字号", "皇后的故事与质量无关。", 5)
        cls.hair = article("理发店卫生监督检查", "头发护理产品质量抽检。", 4, other)
        cls.dioxin = article("二噁英检测能力通过认可", "烟台检测机构。", 6, other)
        BylineFactory(article=cls.testing, person=PersonFactory(name="孙洪安"))
        search.rebuild_index()

    def setUp(self):
        cache.clear()

    def search(self, q, **params):
        response = self.client.get("/search/", {"q": q, **params})
        self.assertEqual(response.status_code, 200)
        return response

    def test_a_traditional_query_finds_what_its_simplified_form_finds(self):
        """Same articles, same order, the same words marked in titles and snippets."""
        for traditional, simplified in PAIRS:
            with self.subTest(q=traditional):
                expected = self.search(simplified)
                found = self.search(traditional)
                self.assertNotEqual(titles(expected), [], simplified)
                self.assertEqual(titles(found), titles(expected))
                self.assertEqual(
                    found.context["paginator"].count,
                    expected.context["paginator"].count,
                )
                self.assertIn("<mark>", result_list(expected))
                self.assertEqual(result_list(found), result_list(expected))

    def test_ambiguous_characters_follow_the_phrase(self):
        self.assertEqual(titles(self.search("乾燥劑")), [self.drying.title])
        self.assertEqual(titles(self.search("乾隆")), [self.history.title])
        self.assertEqual(titles(self.search("頭髮")), [self.hair.title])
        self.assertEqual(titles(self.search("後來")), [self.testing.title])
        self.assertEqual(titles(self.search("皇后")), [self.history.title])

    def test_the_search_box_shows_the_query_as_typed(self):
        response = self.search("檢驗檢測")
        self.assertContains(response, 'value="檢驗檢測"')
        self.assertContains(response, "与“檢驗檢測”有关的文章")

    def test_the_channel_filter(self):
        for traditional, simplified in [("質量", "质量"), ("檢測", "检测")]:
            for channel in ("质量强市", "食品安全"):
                with self.subTest(q=traditional, channel=channel):
                    expected = self.search(simplified, channel=channel)
                    found = self.search(traditional, channel=channel)
                    self.assertNotEqual(titles(expected), [])
                    self.assertEqual(titles(found), titles(expected))
                    self.assertEqual(result_list(found), result_list(expected))

    def test_stop_words_in_traditional_say_so(self):
        """與 is 与, a stop word: alone nothing to search for; among other words
        dropped, as 与 is."""
        for q in ["與", "的 與", "與的"]:
            with self.subTest(q=q):
                response = self.search(q)
                self.assertContains(response, "没有可以搜索的词")
                self.assertFalse(search.SearchQuery.parse(q))
        self.assertEqual(
            titles(self.search("質量 與 標準化")), titles(self.search("质量 与 标准化"))
        )
        response = self.client.get("/api/v1/articles/", {"q": "與"})
        self.assertEqual(response.json()["count"], 0)

    def test_a_page_beyond_the_end_is_not_found(self):
        for q in ("質量", "质量"):
            with self.subTest(q=q):
                response = self.client.get("/search/", {"q": q, "page": "99"})
                self.assertEqual(response.status_code, 404)

    def test_the_api_q(self):
        def ids(q):
            response = self.client.get("/api/v1/articles/", {"q": q})
            self.assertEqual(response.status_code, 200, response.content)
            return [a["id"] for a in response.json()["results"]]

        for traditional, simplified in PAIRS:
            with self.subTest(q=traditional):
                expected = ids(simplified)
                self.assertNotEqual(expected, [])
                self.assertEqual(ids(traditional), expected)


class SimplifiedQueryTests(TestCase):
    """Queries already simplified find what they found before the conversion, with
    the same words marked, including words with a character OpenCC takes for a
    traditional one: 二噁英 (dioxin; OpenCC's t2s and hk2s make it 二𫫇英) and 显著
    (its tw2s makes it 显着)."""

    @classmethod
    def setUpTestData(cls):
        cls.dioxin = ArticleFactory(
            title="二噁英检测能力通过认可", summary="", body="<p>烟台检测机构。</p>"
        )
        cls.notable = ArticleFactory(
            title="标准化工作成效显著", summary="", body="<p>质量稳步提升。</p>"
        )
        cls.history = ArticleFactory(
            title="乾隆年间的老字号", summary="", body="<p>蒜薹和干燥剂。</p>"
        )
        search.rebuild_index()

    def setUp(self):
        cache.clear()

    def test_results_and_marks_as_before(self):
        # What each query found and marked before the conversion.
        for q, article, marked in [
            ("二噁英", self.dioxin, "<mark>二噁英</mark>检测能力通过认可"),
            ("显著", self.notable, "标准化工作成效<mark>显著</mark>"),
            ("乾隆", self.history, "<mark>乾隆</mark>年间的老字号"),
            ("蒜薹", self.history, "<mark>蒜薹</mark>和干燥剂。"),
        ]:
            with self.subTest(q=q):
                response = self.client.get("/search/", {"q": q})
                self.assertEqual(titles(response), [article.title])
                self.assertIn(marked, result_list(response))

    def test_the_simplified_query_is_searched_as_typed(self):
        for q in [*search.DOMAIN_WORDS, "显著", "乾隆", "干燥剂", "头发", "后来"]:
            with self.subTest(q=q):
                self.assertEqual(
                    search.SearchQuery.parse(q).groups[0],
                    tuple(search._segmenter().cut(q)),
                )
