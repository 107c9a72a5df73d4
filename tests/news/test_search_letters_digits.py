"""Letters and digits run together (GB/T32150, ISO9001, CNAS2024) are found as
they are written apart (GB/T 32150, ISO 9001), and the other way round; migration
0023 cuts again the index rows written before."""

import importlib

from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TestCase

from news import search
from news.models import Article, ArticleSearch
from tests.factories import ArticleFactory, TagFactory

MIGRATION = "0023_search_letter_digit_words"


def titles(response) -> list[str]:
    return [a.title for a in response.context["results"]]


class LettersAndDigitsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.joined = ArticleFactory(
            title="新版GB/T32150-2015发布", summary="", body="<p>略。</p>"
        )
        cls.apart = ArticleFactory(
            title="落实GB/T 19001标准", summary="", body="<p>略。</p>"
        )
        cls.iso_joined = ArticleFactory(
            title="企业通过ISO9001认证", summary="", body="<p>略。</p>"
        )
        cls.iso_apart = ArticleFactory(
            title="ISO 14001体系推广", summary="", body="<p>略。</p>"
        )
        cls.four_g = ArticleFactory(
            title="4G网络覆盖5个县", summary="", body="<p>略。</p>"
        )
        search.rebuild_index()

    def setUp(self):
        cache.clear()

    def search(self, q):
        response = self.client.get("/search/", {"q": q})
        self.assertEqual(response.status_code, 200)
        return titles(response)

    def test_written_together_or_apart_either_finds_it(self):
        for q, expected in [
            ("GB/T 32150", [self.joined.title]),
            ("GB/T32150", [self.joined.title]),
            ("32150", [self.joined.title]),
            ("GB/T 32150-2015", [self.joined.title]),
            ("GB/T19001", [self.apart.title]),
            ("19001", [self.apart.title]),
            ("ISO 9001", [self.iso_joined.title]),
            ("ISO9001", [self.iso_joined.title]),
            ("9001", [self.iso_joined.title]),
            ("ISO14001", [self.iso_apart.title]),
            ("ＩＳＯ１４００１", [self.iso_apart.title]),
            ("4G", [self.four_g.title]),
            ("5G", []),  # its parts, but not next to each other
        ]:
            with self.subTest(q=q):
                self.assertEqual(self.search(q), expected)

    def test_the_title_words_of_related_news_are_still_the_cut(self):
        row = Article.objects.with_index_title().get(pk=self.iso_joined.pk)
        cut = search._segmenter().cut(self.iso_joined.title.lower())
        self.assertEqual(search.title_words(row), [w for w in cut if w.isalnum()])

    def test_tokens(self):
        self.assertEqual(
            search.tokens("ISO9001认证"), ["iso", "9001", "iso9001", "认证"]
        )
        self.assertEqual(search.tokens("a_b2")[-1], "a_b2")  # "_": one word
        self.assertEqual(
            search.SearchQuery.parse("ISO9001认证").groups,
            (("iso 9001", "认证"),),
        )


class ReindexMigrationTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        executor = MigrationExecutor(connection)
        cls.historical = executor.loader.project_state(("news", MIGRATION)).apps
        cls.reindex = importlib.import_module(
            f"news.migrations.{MIGRATION}"
        ).reindex_letter_digit

    def test_the_rows_with_old_words_are_cut_again(self):
        joined = ArticleFactory(title="企业通过ISO9001认证", body="<p>会议。</p>")
        tagged = ArticleFactory(title="名单公布", body="<p>会议。</p>")
        tagged.tags.add(TagFactory(name="ＣＮＡＳ２０２４"))
        plain = ArticleFactory(title="计量检定", body="<p>会议。</p>")
        search.rebuild_index()
        old = {
            joined.pk: ("企业 通过 iso9001 认证", "会议"),
            tagged.pk: ("名单 公布", "会议 cnas2024 cnas2024"),
            plain.pk: ("计量 检定", "旧词"),  # no letter beside a digit: kept
        }
        for pk, (title, body) in old.items():
            ArticleSearch.objects.filter(article_id=pk).update(title=title, body=body)
        token = search.index_token()
        with self.captureOnCommitCallbacks(execute=True):
            self.reindex(self.historical, connection.alias)
        self.assertNotEqual(search.index_token(), token)
        self.assertEqual(ArticleSearch.objects.get(article_id=plain.pk).body, "旧词")
        for pk in (joined.pk, tagged.pk):
            row = ArticleSearch.objects.get(article_id=pk)
            article = Article.objects.prefetch_related("tags", "bylines__person").get(
                pk=pk
            )
            self.assertEqual((row.title, row.body), search._document(article))
        cache.clear()
        found = titles(self.client.get("/search/", {"q": "ISO 9001"}))
        self.assertEqual(found, [joined.title])

    def test_an_empty_database(self):
        with self.captureOnCommitCallbacks() as callbacks, self.assertNumQueries(2):
            self.reindex(self.historical, connection.alias)
        self.assertEqual(callbacks, [])
