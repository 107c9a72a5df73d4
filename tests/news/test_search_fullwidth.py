"""Search folds full-width Latin letters, digits and signs (ＧＢ／Ｔ ３２１５０) and the
ideographic space to ASCII: in the index, the query, the highlighting, the title
words of 相关新闻 and the names taught to the segmenter; and migration 0021 cuts
again the index rows written before."""

import importlib

from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import SimpleTestCase, TestCase
from django.test.utils import CaptureQueriesContext

from news import search
from news.models import Article, ArticleSearch
from news.related import forget_heads, neighbours_and_related
from tests.factories import (
    ArticleFactory,
    BylineFactory,
    ChannelFactory,
    PersonFactory,
    TagFactory,
)

MIGRATION = "0021_search_fullwidth_words"
reindex_fullwidth = importlib.import_module(
    f"news.migrations.{MIGRATION}"
).reindex_fullwidth


def full_fold(text: str) -> str:
    """Every full-width ASCII form U+FF01–U+FF5E as ASCII, U+3000 as a space."""
    return "".join(
        chr(ord(c) - 0xFEE0)
        if "\uff01" <= c <= "\uff5e"
        else " "
        if c == "\u3000"
        else c
        for c in text
    )


def titles(response) -> list[str]:
    return [a.title for a in response.context["results"]]


class FoldTests(SimpleTestCase):
    def test_every_full_width_form_one_character_for_one(self):
        forms = "".join(map(chr, range(0xFF01, 0xFF5F))) + "\u3000"
        text = f"ＧＢ{forms}中文"
        self.assertEqual(search.fold(text), full_fold(text))
        self.assertEqual(search.fold("ＧＢ／Ｔ　３２１５０"), "GB/T 32150")
        self.assertEqual(len(search.fold(text)), len(text))

    def test_words_are_those_of_the_whole_fold(self):
        """Text without a full-width letter, digit or sign of a word is not
        translated (most Chinese text holds only ，（）：): the words are the same."""
        for c in [*map(chr, range(0xFF01, 0xFF5F)), "\u3000"]:
            text = f"质量{c}标准 a{c}b 1{c}2 中{c}"
            with self.subTest(c=c):
                self.assertEqual(search.tokens(text), search.tokens(full_fold(text)))
                query = search.SearchQuery.parse(text)
                folded = search.SearchQuery.parse(full_fold(text))
                self.assertEqual(query.groups, folded.groups)

    def test_tokens_and_query_words_of_full_width_text(self):
        expected = ["gb", "t", "32150", "2015"]
        self.assertEqual(search.tokens("ＧＢ／Ｔ ３２１５０－２０１５"), expected)
        self.assertEqual(search.tokens("GB/T 32150-2015"), expected)
        self.assertEqual(
            search.tokens("ＩＳＯ９００１认证"), ["iso", "9001", "iso9001", "认证"]
        )
        self.assertEqual(search.tokens("a＿b"), ["a_b"])
        self.assertEqual(
            search.SearchQuery.parse("ＧＢ／Ｔ　３２１５０").groups,
            search.SearchQuery.parse("gb/t 32150").groups,
        )

    def test_a_name_with_full_width_letters_is_taught_folded(self):
        search.learn_name("ＱＸ徐志远")
        self.assertIn("qx徐志远", search.tokens("记者QX徐志远报道"))
        self.assertIn("qx徐志远", search.tokens("记者ｑｘ徐志远报道"))

    def test_highlighting_marks_either_width(self):
        html = search.highlight(
            "执行ＧＢ／Ｔ ３２１５０标准", search.SearchQuery.parse("gb")
        )
        self.assertEqual(html, "执行<mark>ＧＢ</mark>／Ｔ ３２１５０标准")
        html = search.highlight(
            "执行GB/T 32150标准", search.SearchQuery.parse("ＧＢ／Ｔ ３２１５０")
        )
        self.assertIn("<mark>GB</mark>", html)
        self.assertIn("<mark>32150</mark>", html)
        # The excerpt starts around the first word found folded.
        html = search.highlight(
            "前" * 200 + "ＩＳＯ９００１", search.SearchQuery.parse("iso9001")
        )
        self.assertIn("<mark>ＩＳＯ９００１</mark>", html)


class FullWidthSearchTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.full = ArticleFactory(
            title="烟台企业主导制定ＧＢ／Ｔ ３２１５０－２０１５",
            body="<p>企业通过ＩＳＯ９００１质量管理体系认证。</p>",
        )
        cls.ascii = ArticleFactory(
            title="环境管理体系认证培训", body="<p>讲解ISO14001标准。</p>"
        )
        cls.tagged = ArticleFactory(title="认证机构名单公布")
        cls.tagged.tags.add(TagFactory(name="ＣＮＡＳ认可"))
        search.rebuild_index()

    def setUp(self):
        cache.clear()

    def search(self, q):
        response = self.client.get("/search/", {"q": q})
        self.assertEqual(response.status_code, 200)
        return response

    def test_full_width_text_is_found_by_ascii_and_full_width_queries(self):
        for q in [
            "GB/T 32150",
            "gb/t",
            "GB/T 32150-2015",
            "ＧＢ／Ｔ ３２１５０",
            "ISO9001",
        ]:
            with self.subTest(q=q):
                self.assertEqual(titles(self.search(q)), [self.full.title])

    def test_ascii_text_is_found_by_a_full_width_query(self):
        for q in ["ＩＳＯ１４００１", "ｉｓｏ１４００１"]:
            with self.subTest(q=q):
                self.assertEqual(titles(self.search(q)), [self.ascii.title])

    def test_a_full_width_tag_is_found_as_a_whole_word(self):
        row = ArticleSearch.objects.get(article_id=self.tagged.pk)
        self.assertIn("cnas认可", row.body.split())
        self.assertEqual(titles(self.search("CNAS认可")), [self.tagged.title])

    def test_the_results_page_marks_the_full_width_words(self):
        html = self.search("gb").content.decode()
        self.assertIn("<mark>ＧＢ</mark>", html)


class TitleWordsTests(TestCase):
    """相关新闻's title words read back out of the index are the folded title's, so
    a full-width title and an ASCII one share them."""

    @classmethod
    def setUpTestData(cls):
        channel = ChannelFactory()
        cls.full = ArticleFactory(
            channel=channel, title="ＧＢ／Ｔ ３２１５０宣贯会召开"
        )
        cls.ascii = ArticleFactory(title="GB/T 32150解读")
        search.rebuild_index()

    def setUp(self):
        cache.clear()
        forget_heads()
        self.addCleanup(forget_heads)

    def test_title_words_from_the_index_are_the_cut_of_the_folded_title(self):
        row = Article.objects.with_index_title().get(pk=self.full.pk)
        cut = search._segmenter().cut(full_fold(self.full.title).lower())
        self.assertEqual(
            search.title_words(row), [w for w in cut if w.strip() and w.isalnum()]
        )
        self.assertIn("gb", search.related_words(row))
        draft = Article(title=self.full.title)  # no index row: cut here, folded
        self.assertEqual(
            [w for w in search.title_words(draft) if w.isalnum()],
            search.title_words(row),
        )

    def test_related_by_the_folded_title_word(self):
        for token in (None, "token-1"):
            with self.subTest(token=token):
                row = (
                    Article.objects.with_index_title()
                    .prefetch_related("tags")
                    .get(pk=self.full.pk)
                )
                found = neighbours_and_related(row, token=token)
                self.assertEqual(found["related"], [self.ascii])


class ReindexMigrationTests(TestCase):
    """Migration 0021 cuts again the rows of the articles whose words the fold
    changes, and only those, then replaces the index token."""

    @classmethod
    def setUpTestData(cls):
        executor = MigrationExecutor(connection)
        cls.historical = executor.loader.project_state(("news", MIGRATION)).apps

    def old_rows(self):
        """Articles indexed before the fold, their rows as they were written."""
        self.full = ArticleFactory(
            title="ＧＢ／Ｔ ３２１５０宣贯会", body="<p>会议。</p>"
        )
        self.ascii = ArticleFactory(title="GB/T 32150解读", body="<p>会议。</p>")
        self.tagged = ArticleFactory(title="名单公布", body="<p>会议。</p>")
        self.tagged.tags.add(TagFactory(name="ＣＮＡＳ２０２４"))
        self.signed = ArticleFactory(title="检验报告", body="<p>会议。</p>")
        BylineFactory(article=self.signed, person=PersonFactory(name="ＫＥ８"))
        self.draft = ArticleFactory(
            title="ＧＢ草稿", status=Article.Status.DRAFT, body="<p>会议。</p>"
        )
        search.rebuild_index()
        # The words the code before the fold wrote (the summary's left out).
        old = {
            self.full.pk: ("ｇ ｂ ｔ 32150 宣贯会", "会议"),
            self.ascii.pk: ("gb t 32150 解读", "旧词"),  # nothing full-width: kept
            self.tagged.pk: ("名单 公布", "会议 ｃ ｎ ａ ｓ 2024 ｃｎａｓ２０２４"),
            self.signed.pk: ("检验 报告", "会议 ｋ ｅ 8 ｋｅ８"),
        }
        for pk, (title, body) in old.items():
            ArticleSearch.objects.filter(article_id=pk).update(title=title, body=body)
        self.assertEqual(titles(self.search("GB/T")), [self.ascii.title])

    def search(self, q):
        cache.clear()
        response = self.client.get("/search/", {"q": q})
        self.assertEqual(response.status_code, 200)
        return response

    def test_the_rows_with_old_words_are_cut_again(self):
        self.old_rows()
        token = search.index_token()
        with self.captureOnCommitCallbacks(execute=True):
            reindex_fullwidth(self.historical, connection.alias)
        self.assertNotEqual(search.index_token(), token)
        self.assertEqual(
            set(titles(self.search("GB/T"))), {self.full.title, self.ascii.title}
        )
        self.assertEqual(titles(self.search("CNAS2024")), [self.tagged.title])
        self.assertEqual(titles(self.search("KE8")), [self.signed.title])
        self.assertEqual(
            ArticleSearch.objects.get(article_id=self.ascii.pk).body, "旧词"
        )
        self.assertFalse(ArticleSearch.objects.filter(article_id=self.draft.pk))
        for pk in (self.full.pk, self.tagged.pk, self.signed.pk):
            row = ArticleSearch.objects.get(article_id=pk)
            article = Article.objects.prefetch_related("tags", "bylines__person").get(
                pk=pk
            )
            self.assertEqual((row.title, row.body), search._document(article))

    def test_kept_title_word_heads_are_read_again(self):
        self.old_rows()
        cache.clear()
        forget_heads()
        self.addCleanup(forget_heads)

        def related():
            row = (
                Article.objects.with_index_title()
                .prefetch_related("tags")
                .get(pk=self.ascii.pk)
            )
            with CaptureQueriesContext(connection) as queries:
                found = neighbours_and_related(row, token="token-1")
            reads_heads = ArticleSearch._meta.db_table in queries[0]["sql"]
            return found["related"], reads_heads

        self.assertEqual(related(), ([], True))
        self.assertEqual(related(), ([], False))  # the heads kept
        with self.captureOnCommitCallbacks(execute=True):
            reindex_fullwidth(self.historical, connection.alias)
        self.assertEqual(related(), ([self.full], True))

    def test_an_index_without_full_width_words_is_left_alone(self):
        ArticleFactory(title="计量检定", body="<p>质量，标准（试行）：全文。</p>")
        search.rebuild_index()
        token = search.index_token()
        with (
            self.captureOnCommitCallbacks() as callbacks,
            CaptureQueriesContext(connection) as queries,
        ):
            reindex_fullwidth(self.historical, connection.alias)
        self.assertEqual(len(queries.captured_queries), 2)  # the two look-ups
        self.assertEqual(callbacks, [])
        self.assertEqual(search.index_token(), token)

    def test_an_empty_database(self):
        with self.captureOnCommitCallbacks() as callbacks, self.assertNumQueries(2):
            reindex_fullwidth(self.historical, connection.alias)
        self.assertEqual(callbacks, [])
