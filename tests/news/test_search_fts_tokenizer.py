"""SQLite: the FTS5 table of migration 0014 (``ascii`` tokenizer) against the one of
0003 (``unicode61``) over the same rows: the same index and the same ranked results.

The old table is made here beside the new one, over the same ``news_article_search``
rows; every query runs through the search's own SQL (``SearchResults._engine_sql``)
against each.
"""

from datetime import timedelta
from pathlib import Path
from unittest import skipUnless

from django.db import connection
from django.test import TestCase
from django.utils import timezone

from news import search
from news.parsing import parse_page_text
from news.search import SearchQuery, SearchResults
from news.services import page_body_html
from tests.factories import ArticleFactory, BylineFactory, PersonFactory, TagFactory

PAGES = Path(__file__).parent / "pages"
OLD = "old_unicode61_fts"

# Texts beside the sample pages: English, digits, mixed, 全角, names, underscores.
TEXTS = [
    ("ISO9001质量管理体系认证", "企业通过ISO 9001:2015认证，GB/T 19001-2016同步实施。"),
    (
        "５Ｇ基站抽检合格率９８．５％",
        "全市５Ｇ基站和ＷｉＦｉ设备抽检，合格率９８．５％。",
    ),
    (
        "iPhone 15 and COVID-19 tests",
        "Yantai Market Supervision checked 1,200 iPhone units.",
    ),
    ("第3届质量月x_y活动", "活动代码quality_month_2021，参加单位120家，用时3.5小时。"),
    ("局长孙洪安说质量强市", "局长孙洪安说，质量强市要靠标准化和计量。逄苗参加会议。"),
    (
        "烟台市市场监督管理局发布国家标准",
        "烟台市参与制修订604项国家标准，行业标准36项。",
    ),
    ("Ⅻ届大会与①号文件", "第Ⅻ届大会，①号文件，²次方，〇号线。"),
]
QUERIES = [
    "质量",
    "国家标准",
    "标准",
    "计量 标准",
    "孙洪安",
    "逄苗",
    "ISO9001",
    "iso 9001",
    "GB/T 19001",
    "19001",
    "５Ｇ",
    "5g",
    "９８．５％",
    "98.5",
    "wifi",
    "ＷｉＦｉ",
    "iPhone",
    "covid-19",
    "x_y",
    "quality_month_2021",
    "的",
    "质量的提升",
    "烟台市市场监督管理局",
    "市场监管",
    "Ⅻ",
    "①",
    "〇号线",
    "省长质量奖",
    "记者",
    "不存在的词语",
]


@skipUnless(connection.vendor == "sqlite", "FTS5 is SQLite's")
class AsciiTokenizerTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        now = timezone.now()
        cls.ids = []
        for n, path in enumerate(sorted(PAGES.glob("*.txt"))):
            page = parse_page_text(path.read_bytes())
            article = ArticleFactory(
                title=page.title,
                subtitle=page.subtitle,
                body=page_body_html(page),
                published_at=now - timedelta(hours=n + 1),
            )
            for credit in page.credits:
                BylineFactory(article=article, person=PersonFactory(name=credit.name))
            cls.ids.append(article.pk)
        for n, (title, body) in enumerate(TEXTS):
            article = ArticleFactory(
                title=title,
                body=f"<p>{body}</p>",
                published_at=now - timedelta(minutes=n + 1),
            )
            article.tags.add(TagFactory(name=f"标签{n}"))
            cls.ids.append(article.pk)
        search.rebuild_index()
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE VIRTUAL TABLE {OLD} USING fts5(title, body,"
                " content='news_article_search', content_rowid='article_id',"
                " tokenize='unicode61')"
            )
            cursor.execute(f"INSERT INTO {OLD}({OLD}) VALUES ('rebuild')")

    def rows(self, sql: str) -> list:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()

    def test_the_new_table_is_tokenised_by_ascii(self):
        (sql,) = self.rows(
            "SELECT sql FROM sqlite_master WHERE name = 'news_article_fts'"
        )[0]
        self.assertIn("tokenize='ascii'", sql)

    def test_the_index_merges_its_segments_sixteen_at_a_time(self):
        """Migration 0019: the bulk import's index writes merge less often."""
        self.assertEqual(
            self.rows("SELECT v FROM news_article_fts_config WHERE k = 'automerge'"),
            [(16,)],
        )

    def test_both_tables_hold_the_same_tokens_at_the_same_places(self):
        for name in ("news_article_fts", OLD):
            self.rows(
                f"CREATE VIRTUAL TABLE temp.{name}_v USING fts5vocab"
                f"(main, {name}, instance)"
            )
        new = self.rows("SELECT * FROM news_article_fts_v ORDER BY 1, 2, 3, 4")
        old = self.rows(f"SELECT * FROM {OLD}_v ORDER BY 1, 2, 3, 4")
        self.assertGreater(len(new), 2000)
        self.assertEqual(new, old)
        # Each row's token counts (bm25's document lengths) too.
        self.assertEqual(
            self.rows("SELECT * FROM news_article_fts_docsize ORDER BY id"),
            self.rows(f"SELECT * FROM {OLD}_docsize ORDER BY id"),
        )

    def ranked(self, table: str, raw: str) -> tuple[int, list[int]]:
        results = SearchResults(SearchQuery.parse(raw))
        out = []
        for select, order in (("COUNT(rowid)", False), ("rowid", True)):
            sql, params = results._engine_sql(select, order=order)
            with connection.cursor() as cursor:
                cursor.execute(sql.replace("news_article_fts", table), params)
                out.append([row[0] for row in cursor.fetchall()])
        return out[0][0], out[1]

    def test_every_query_ranks_the_same_articles_in_the_same_order(self):
        queries = list(QUERIES)
        # And every word of every title, alone and with the next one.
        for (title,) in self.rows("SELECT title FROM news_article_search"):
            words = title.split()
            queries += words + [
                " ".join(p) for p in zip(words, words[1:], strict=False)
            ]
        found = 0
        for raw in dict.fromkeys(queries):
            if not SearchQuery.parse(raw):
                continue  # common words only: nothing is searched (test_search.py)
            with self.subTest(query=raw):
                new = self.ranked("news_article_fts", raw)
                self.assertEqual(new, self.ranked(OLD, raw))
                found += bool(new[0])
        self.assertGreater(found, 100)

    def test_diacritics_are_kept_as_postgresql_keeps_them(self):
        # The one difference: unicode61 folded Latin diacritics (é → e), ascii does
        # not, nor does PostgreSQL's simple configuration. The segmenter already cuts
        # an accented letter out of its word (café → caf / é), so it shows only in a
        # query for the bare letter.
        article = ArticleFactory(title="Café Résumé", body="<p>咖啡</p>")
        search.index_article(article.pk)
        self.rows(f"INSERT INTO {OLD}({OLD}) VALUES ('rebuild')")
        for raw in ("café", "Café Résumé", "résumé"):
            with self.subTest(query=raw):
                self.assertEqual(self.ranked("news_article_fts", raw)[1], [article.pk])
                self.assertEqual(self.ranked(OLD, raw)[1], [article.pk])
        self.assertEqual(self.ranked("news_article_fts", "caf e")[1], [])
        self.assertEqual(self.ranked(OLD, "caf e")[1], [article.pk])
        self.assertEqual([a.pk for a in search.search("Café")[:5]], [article.pk])
