"""相关新闻 by shared title words, with the words read from the search index: the
article page ranks them without loading the segmenter's dictionary (about 32 MB of
every process that renders pages)."""

import random
import re
from datetime import timedelta

from django.core.cache import cache
from django.db import connection
from django.test import SimpleTestCase, TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from news import related as related_module
from news import search
from news.models import Article
from news.related import (
    forget_heads,
    neighbours_and_related,
    related_ids_from_heads,
)
from tests.factories import ArticleFactory, ChannelFactory, PersonFactory

WORD = re.compile(r"\w+")  # the words 相关新闻 ranks by: no spaces, no punctuation

TITLES = [
    "烟台新增山东名牌产品36个",
    "中华人民共和国国家标准化管理委员会批准发布604项国家标准",
    "质量共建共享成效显著 将实施质量强市创建作为重大工程之一",
    "全国质量标杆1个 全面质量监管有效强化",
    "ＹＭＧ全媒体：烟台市市场监管局ISO 9001认证培训，２０２１年",
    "局长孙洪安说：计量检定覆盖全市",
    "“好品山东”品牌 —— 烟台苹果、张裕葡萄酒",
    "",
]


class TitleWordsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        PersonFactory(name="孙洪安")  # a name the index is cut with
        cls.articles = [ArticleFactory(title=title) for title in TITLES]
        cls.with_kicker = ArticleFactory(
            title="计量检定覆盖全市", kicker="苹果产业大会"
        )
        search.rebuild_index()

    def test_the_index_gives_the_words_the_segmenter_cuts(self):
        for article in self.articles:
            with self.subTest(article.title):
                row = Article.objects.with_index_title().get(pk=article.pk)
                self.assertIsNotNone(row.index_title)
                cut = search._segmenter().cut(search.fold(article.title).lower())
                self.assertEqual(
                    search.title_words(row), [w for w in cut if WORD.fullmatch(w)]
                )

    def test_the_kickers_words_are_not_title_words(self):
        row = Article.objects.with_index_title().get(pk=self.with_kicker.pk)
        self.assertIn("苹果", row.index_title.split())  # indexed with the title
        self.assertNotIn("苹果", search.title_words(row))
        self.assertIn("计量", search.title_words(row))

    def test_without_an_index_row_the_title_is_cut(self):
        draft = ArticleFactory(title="计量检定覆盖全市", status=Article.Status.DRAFT)
        row = Article.objects.with_index_title().get(pk=draft.pk)
        self.assertIsNone(row.index_title)
        self.assertEqual(search.title_words(row), ["计量", "检定", "覆盖", "全市"])


class PageLoadsNoSegmenterTests(TestCase):
    """A process that only renders article pages never builds the segmenter."""

    @classmethod
    def setUpTestData(cls):
        now = timezone.now()
        channel = ChannelFactory()
        cls.article = ArticleFactory(
            channel=channel, title="烟台新增山东名牌产品36个", published_at=now
        )
        cls.similar = ArticleFactory(
            title="山东名牌评选结果公布", published_at=now - timedelta(days=3)
        )
        ArticleFactory(title="区块链大会开幕")
        search.rebuild_index()

    def setUp(self):
        cache.clear()
        # A fresh process's state; afterwards the same again, for the tests after
        # this one (their segmenter learns the names anew).
        self.forget_segmenter()
        self.addCleanup(self.forget_segmenter)

    @staticmethod
    def forget_segmenter():
        search._segmenter.cache_clear()
        search._names.words.clear()
        search._names.last_person_id = 0
        search._names.checked_at = float("-inf")

    def test_related_by_title_words_without_the_segmenter(self):
        response = self.client.get(self.article.get_absolute_url())
        self.assertEqual(response.context["related"], [self.similar])
        self.assertEqual(search._segmenter.cache_info().currsize, 0)


class RankedByTitleWordsTests(TestCase):
    """The ten candidates 相关新闻 keeps of the newest articles sharing a title word:
    the longer words shared first, then the higher id; the body never counts. The
    same rule on both engines: PostgreSQL had ranked by ``ts_rank`` over title and
    body, so an article repeating a shared word in its body came first. (The page
    then shows the kept ones newest first: ``news.related``.)"""

    @classmethod
    def setUpTestData(cls):
        cls.long_word = ArticleFactory(title="名牌产品目录发布")
        cls.wordy_body = ArticleFactory(
            title="评选工作启动", body="<p>" + "评选结果公布评选。" * 40 + "</p>"
        )
        cls.newer_short = ArticleFactory(title="评选通知")
        ArticleFactory(title="区块链大会开幕")
        cls.article = ArticleFactory(title="名牌产品评选结果公布")
        search.rebuild_index()

    def test_longer_shared_words_first_then_the_higher_id_never_the_body(self):
        article = Article.objects.with_index_title().get(pk=self.article.pk)
        sql, params = search.related_ids_query(article)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            ranked = [row[0] for row in cursor.fetchall()]
        self.assertEqual(
            ranked, [self.long_word.pk, self.newer_short.pk, self.wordy_body.pk]
        )


class WordHeadsTests(TestCase):
    """With the public token, a process reads each title word's head (its newest
    index rows) once, until the search index changes (``search.index_token``), and
    ranks the title-word candidates from the heads: the same ten ids as the
    statement's own ranking, checked for visibility in the statement."""

    @classmethod
    def setUpTestData(cls):
        now = timezone.now()
        rng = random.Random(11)
        vocabulary = ["名牌", "产品", "标准", "计量", "检测", "认证", "质量", "品牌"]
        cls.articles = [
            ArticleFactory(
                title="".join(rng.sample(vocabulary, rng.randrange(2, 5))),
                published_at=now - timedelta(hours=n),
            )
            for n in range(40)
        ]
        search.rebuild_index()

    def setUp(self):
        cache.clear()
        forget_heads()
        self.addCleanup(forget_heads)

    def lists(self, article, token="token-1"):
        article = (
            Article.objects.with_index_title()
            .prefetch_related("tags")
            .get(pk=article.pk)
        )
        with CaptureQueriesContext(connection) as queries:
            found = neighbours_and_related(article, token=token)
        self.assertEqual(len(queries.captured_queries), 1)
        return found, queries.captured_queries[0]["sql"]

    def test_the_same_ids_as_the_statements_ranking(self):
        for article in self.articles:
            with self.subTest(article.title):
                row = Article.objects.with_index_title().get(pk=article.pk)
                words = search.related_words(row)
                sql, params = search.related_ids_query(row, words=words)
                with connection.cursor() as cursor:
                    cursor.execute(sql, params)
                    expected = [pk for (pk,) in cursor.fetchall()]
                    heads, titles = {}, {}
                    for word in words:
                        cursor.execute(*search.word_head_query(word))
                        head = sorted(cursor.fetchall(), reverse=True)
                        self.assertLessEqual(len(head), search.WORD_HEAD_SIZE)
                        heads[word] = tuple(pk for pk, _title in head)
                        titles.update((pk, f" {title} ") for pk, title in head)
                self.assertTrue(expected)
                self.assertEqual(
                    related_ids_from_heads(row.pk, words, heads, titles),
                    expected,
                )

    def test_the_heads_read_once_are_used_by_the_next_page(self):
        first, second = self.articles[0], self.articles[1]
        found, sql = self.lists(first)
        self.assertIn(search.ArticleSearch._meta.db_table, sql)
        self.assertTrue(found["related"])
        # Every word of the second title read with the first page's? Then no head
        # is read; either way a third reading of both reads none.
        self.lists(second)
        for article in (first, second):
            with self.subTest(article.title):
                found, sql = self.lists(article)
                self.assertNotIn(search.ArticleSearch._meta.db_table, sql)
                forget_heads()
                self.assertEqual(neighbours_and_related(self.row(article)), found)
                self.lists(first)
                self.lists(second)

    def row(self, article):
        return (
            Article.objects.with_index_title()
            .prefetch_related("tags")
            .get(pk=article.pk)
        )

    def test_a_change_of_the_index_reads_them_again(self):
        article = self.articles[5]
        self.lists(article)
        newest = ArticleFactory(
            title=article.title + "发布", published_at=timezone.now()
        )
        # Published without the index knowing (no index row yet): not among them.
        found, sql = self.lists(article)
        self.assertNotIn(search.ArticleSearch._meta.db_table, sql)
        self.assertNotIn(newest, found["related"])
        search.index_article(newest.pk)  # its row, then a new index token
        found, sql = self.lists(article)
        self.assertIn(search.ArticleSearch._meta.db_table, sql)
        self.assertEqual(found["related"][0], newest)

    def test_a_hidden_candidate_is_left_out_by_the_statement(self):
        article = self.articles[3]
        found, _sql = self.lists(article)
        hidden = found["related"][0]
        # Withdrawn without a word to the index (an update, no signal): still in
        # its heads, and still left out.
        Article.objects.filter(pk=hidden.pk).update(status=Article.Status.UNPUBLISHED)
        found, sql = self.lists(article)
        self.assertNotIn(search.ArticleSearch._meta.db_table, sql)
        self.assertNotIn(hidden, found["related"])
        forget_heads()
        self.assertEqual(neighbours_and_related(self.row(article)), found)

    def test_without_a_token_every_head_is_ranked_in_the_statement(self):
        article = self.articles[7]
        found, sql = self.lists(article, token=None)
        self.assertIn(search.ArticleSearch._meta.db_table, sql)
        self.assertIsNone(related_module._kept_words)
        with_heads, _sql = self.lists(article)
        self.assertEqual(with_heads, found)


class FromHeadsShortcutTests(SimpleTestCase):
    """``related_ids_from_heads`` against the statement's rule written out: the
    newest ``RELATED_CANDIDATES`` titles holding any word, the article's own left
    out, scored by the lengths of the words they hold, then the higher id."""

    def test_the_same_as_the_rule_over_every_title(self):
        rng = random.Random(3)
        vocabulary = ["名牌", "产品", "标准化", "计量", "检测机构", "认证", "质量"]
        for case in range(300):
            with self.subTest(case):
                titles = {
                    pk: " ".join(rng.sample(vocabulary, rng.randrange(1, 4)))
                    for pk in rng.sample(range(1, 1000), rng.randrange(1, 300))
                }
                words = rng.sample(vocabulary, rng.randrange(1, 5))
                own = rng.choice(list(titles))

                def holds(pk, word, titles=titles):
                    return f" {word} " in f" {titles[pk]} "

                heads = {
                    w: tuple(
                        sorted((pk for pk in titles if holds(pk, w)), reverse=True)[
                            : search.WORD_HEAD_SIZE
                        ]
                    )
                    for w in words
                }
                newest = sorted(
                    (
                        pk
                        for pk in titles
                        if pk != own and any(holds(pk, w) for w in words)
                    ),
                    reverse=True,
                )[: search.RELATED_CANDIDATES]
                expected = sorted(
                    newest,
                    key=lambda pk: (sum(len(w) for w in words if holds(pk, w)), pk),
                    reverse=True,
                )[:10]
                spaced = {pk: f" {title} " for pk, title in titles.items()}
                self.assertEqual(
                    related_ids_from_heads(own, words, heads, spaced),
                    expected,
                )
