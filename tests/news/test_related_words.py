"""相关新闻 by shared title words, with the words read from the search index: the
article page ranks them without loading the segmenter's dictionary (about 32 MB of
every process that renders pages)."""

import re
from datetime import timedelta

from django.core.cache import cache
from django.db import connection
from django.test import TestCase
from django.utils import timezone

from news import search
from news.models import Article
from tests.factories import ArticleFactory, ChannelFactory, PersonFactory
from yantai.text import to_halfwidth

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
                cut = search._segmenter().cut(to_halfwidth(article.title).lower())
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
