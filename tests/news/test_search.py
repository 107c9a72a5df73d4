"""Chinese full-text search: the same tests run on SQLite FTS5 and PostgreSQL."""

from contextlib import nullcontext
from datetime import date, timedelta
from io import StringIO
from unittest import mock

from django.core.cache import cache, caches
from django.core.management import call_command
from django.db import connection
from django.test import TestCase, TransactionTestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from news import search, signals
from news.models import Article, ArticleSearch, Person, Tag
from tests.factories import (
    ArticleFactory,
    BylineFactory,
    ChannelFactory,
    PersonFactory,
    TagFactory,
    UserFactory,
    delete_articles,
)
from tests.processes import run_in_another_process, shared_database_url


def titles(response) -> list[str]:
    return [a.title for a in response.context["results"]]


class SearchFixture:
    @classmethod
    def setUpTestData(cls):
        now = timezone.now()
        cls.channel = ChannelFactory(name="标准化", slug="标准化")
        cls.other_channel = ChannelFactory(name="品牌", slug="品牌")
        cls.standards = ArticleFactory(
            channel=cls.channel,
            title="烟台市参与制修订604项国家标准",
            summary="标准化工作成效显著。",
            body="<p>全市共有社会公用计量标准312项，3个国家级质检中心落户烟台。</p>",
            published_at=now - timedelta(days=3),
        )
        cls.brands = ArticleFactory(
            channel=cls.other_channel,
            title="新增山东名牌产品36个",
            summary="品牌建设持续推进。",
            body="<p>工业产品质量合格率超97%。</p>",
            published_at=now - timedelta(days=40),
        )
        BylineFactory(
            article=cls.brands, person=PersonFactory(name="孙洪安"), role="通讯员"
        )
        BylineFactory(article=cls.brands, person=PersonFactory(name="逄苗"))
        cls.body_only = ArticleFactory(
            channel=cls.other_channel,
            title="质量提升行动综述",
            summary="各县市区推进行业标准和地方标准的制定。",
            body="<p>今年新制定地方标准五项。</p>",
            published_at=now - timedelta(days=1),
        )
        cls.tagged = ArticleFactory(
            channel=cls.other_channel,
            title="企业质量管理培训举行",
            summary="培训面向中小企业。",
            body="<p>培训内容丰富。</p>",
            published_at=now - timedelta(days=2),
        )
        cls.tagged.tags.add(TagFactory(name="食品抽检"))
        cls.draft = ArticleFactory(
            title="草稿里的国家标准", status=Article.Status.DRAFT
        )
        cls.scheduled = ArticleFactory(
            title="定时发布的国家标准新闻", published_at=now + timedelta(days=1)
        )
        cls.expired = ArticleFactory(
            title="已下线的国家标准新闻",
            published_at=now - timedelta(days=5),
            expires_at=now - timedelta(days=4),
        )
        # Fixtures are written inside the test transaction, where on-commit indexing
        # never fires; index them the way the management command does.
        search.rebuild_index()

    def setUp(self):
        cache.clear()

    def search(self, q="", **params):
        response = self.client.get("/search/", {"q": q, **params})
        self.assertEqual(response.status_code, 200)
        return response


class SearchMatchingTests(SearchFixture, TestCase):
    def test_two_character_words_match_inside_longer_terms(self):
        for word, expected in [
            ("标准", {self.standards.title, self.body_only.title}),
            ("计量", {self.standards.title}),
            ("名牌", {self.brands.title}),
            ("质检", {self.standards.title}),
        ]:
            with self.subTest(word=word):
                self.assertEqual(set(titles(self.search(word))), expected)

    def test_longer_domain_terms_match(self):
        for term, expected in [
            ("国家标准", [self.standards.title]),
            ("社会公用计量标准", [self.standards.title]),
            ("质检中心", [self.standards.title]),
            ("合格率", [self.brands.title]),
            ("山东名牌", [self.brands.title]),
            ("地方标准", [self.body_only.title]),
        ]:
            with self.subTest(term=term):
                self.assertEqual(titles(self.search(term)), expected)

    def test_names_from_bylines_and_tag_names_match(self):
        self.assertEqual(titles(self.search("孙洪安")), [self.brands.title])
        self.assertEqual(titles(self.search("逄苗")), [self.brands.title])
        self.assertEqual(titles(self.search("食品抽检")), [self.tagged.title])

    def test_unrelated_words_match_nothing(self):
        for word in ["区块链", "元宇宙", "标准答案在哪里呢"]:
            with self.subTest(word=word):
                response = self.search(word)
                self.assertEqual(titles(response), [])
                self.assertContains(response, "没有找到与")
                self.assertContains(response, "换一个说法")

    def test_a_number_with_a_point_does_not_find_its_digits_joined(self):
        """3.5 is not 35: the query's pieces are joined into one word (for a name
        cut in single characters, 逄苗) only when nothing separates them."""
        with self.captureOnCommitCallbacks(execute=True):
            ArticleFactory(title="新增企业35家", summary="", body="<p>略</p>")
            ArticleFactory(title="增长3.5个百分点", summary="", body="<p>略</p>")
        self.assertEqual(titles(self.search("3.5")), ["增长3.5个百分点"])
        self.assertEqual(titles(self.search("35")), ["新增企业35家"])
        self.assertEqual(titles(self.search("逄苗")), [self.brands.title])

    def test_a_query_of_common_words_or_signs_only_says_so(self):
        """的 alone listed every article; ！！ showed the hint as if nothing was
        typed. Both now say the query holds nothing to search for."""
        for q in ["的", "的 了", "的了", "！！", "😀", "……"]:
            with self.subTest(q=q):
                response = self.search(q)
                self.assertEqual(titles(response), [])
                self.assertContains(response, "没有可以搜索的词")
                self.assertNotContains(response, "输入关键词搜索新闻")
                self.assertFalse(search.SearchQuery.parse(q))
        self.assertEqual(titles(self.search("名牌 的")), [self.brands.title])
        self.assertContains(self.search(""), "输入关键词搜索新闻")
        # The API's q as the page's: nothing, not every article.
        response = self.client.get("/api/v1/articles/", {"q": "的"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["count"], 0)

    def test_drafts_scheduled_and_expired_articles_never_found(self):
        found = titles(self.search("国家标准"))
        self.assertNotIn(self.draft.title, found)
        self.assertNotIn(self.scheduled.title, found)
        self.assertNotIn(self.expired.title, found)

    def test_scheduled_article_appears_once_due_without_reindexing(self):
        later = timezone.now() + timedelta(days=2)
        with mock.patch("django.utils.timezone.now", return_value=later):
            found = titles(self.search("国家标准"))
        self.assertIn(self.scheduled.title, found)

    def test_title_matches_rank_first(self):
        found = titles(self.search("标准"))
        self.assertEqual(found[0], self.standards.title)
        self.assertEqual(found[-1], self.body_only.title)

    def test_one_order_on_both_engines_title_matches_then_newest(self):
        """Articles with every query word in the title, then with some, then the
        rest; in each, the newest published first (not the newest written), the
        same order on SQLite and PostgreSQL (bm25 and ts_rank ordered them apart)."""
        now = timezone.now()
        channel = ChannelFactory(name="检定", slug="检定")

        def article(title, body, days):
            return ArticleFactory(
                channel=channel,
                title=title,
                summary="",
                body=f"<p>{body}</p>",
                published_at=now - timedelta(days=days, hours=1),
            )

        with self.captureOnCommitCallbacks(execute=True):
            long_body = article("计量检定工作会议", "检定" * 30 + "正文" * 200, 5)
            short = article("检定", "组织 宣贯 。", 3)
            repeated = article("开展器具检定和检定员培训", "检定检定", 4)
            plain = article("检定站揭牌", "这是正文。" * 5, 2)
            body_new = article("一篇正文提到", "检定", 1)
            body_old = article("又一篇正文提到", "检定" * 5, 6)
            late_old = article("检定规程宣贯", "略。", 9)  # written last, older
        order = [plain, short, repeated, long_body, late_old, body_new, body_old]
        found = titles(self.search("检定", channel="检定"))
        self.assertEqual(found, [a.title for a in order])
        # Every word in the title before some of them, whatever the dates.
        found = titles(self.search("检定 宣贯", channel="检定"))
        self.assertEqual(found, [late_old.title, short.title])

    def test_words_are_highlighted_and_everything_else_escaped(self):
        article = ArticleFactory(
            title="计量<b>检定</b>",
            summary='<script>alert("x")</script> 计量器具检定',
        )
        search.index_article(article.pk)
        html = self.search("检定").content.decode()
        self.assertIn("<mark>检定</mark>", html)
        self.assertNotIn("<script>alert", html)
        self.assertIn("&lt;script&gt;", html)
        self.assertNotIn("<b>", html)


class SearchFilterTests(SearchFixture, TestCase):
    def test_channel_filter(self):
        response = self.search("标准", channel="品牌")
        self.assertEqual(titles(response), [self.body_only.title])
        self.assertContains(response, '<option value="品牌" selected>')

    def test_date_range_filter(self):
        today = timezone.localdate()
        start = (today - timedelta(days=10)).isoformat()
        end = (today - timedelta(days=2)).isoformat()
        self.assertEqual(
            titles(self.search("标准", start=start, end=end)), [self.standards.title]
        )
        self.assertEqual(titles(self.search("名牌", start=start)), [])

    def test_bad_filters_are_ignored_not_errors(self):
        response = self.search("名牌", channel="不存在", start="2021-13-45", end="x")
        self.assertEqual(titles(response), [self.brands.title])

    def test_pagination_keeps_the_query(self):
        for n in range(23):
            ArticleFactory(title=f"计量检定第{n}期", channel=self.channel)
        search.rebuild_index()
        first = self.search("检定")
        self.assertEqual(len(titles(first)), 20)
        self.assertEqual(first.context["paginator"].count, 23)
        self.assertContains(first, "?q=%E6%A3%80%E5%AE%9A&amp;page=2")
        second = self.search("检定", page=2)
        self.assertEqual(len(titles(second)), 3)
        # A page that does not exist is not found, as on the channel and tag lists
        # (it used to show page 1 at that address).
        for page in ("99", "abc", "0"):
            with self.subTest(page=page):
                response = self.client.get("/search/", {"q": "检定", "page": page})
                self.assertEqual(response.status_code, 404)

    @override_settings(SEARCH_RANKED_CANDIDATES=10)
    def test_beyond_the_ranked_newest_matches_older_ones_follow_newest_first(self):
        """Only the newest matches are ranked; every match is still listed once."""
        made = [
            ArticleFactory(
                title=f"计量检定第{n}期" if n % 2 else f"第{n}期",
                body="<p>计量检定</p>",
                channel=self.channel,
            )
            for n in range(23)
        ]
        search.rebuild_index()
        first = titles(self.search("检定"))
        second = titles(self.search("检定", page=2))
        self.assertEqual(len(first) + len(second), 23)
        self.assertEqual(len(set(first + second)), 23)
        newest = [a.title for a in reversed(made)]
        ranked, rest = first[:10], first[10:] + second
        self.assertEqual(set(ranked), set(newest[:10]))
        self.assertTrue(all("检定" in t for t in ranked[:5]))  # title matches first
        self.assertEqual(rest, newest[10:])

    def test_query_budget(self):
        """Channel menu, new names (at most every 10 s), count (cached a minute),
        ranked ids, the page's articles, the next article due or expiring (once for
        the site): 6 at most, whatever the size."""
        # A process that knows every name but has not looked for new ones lately.
        known = search._Names(
            last_person_id=Person.objects.order_by("-pk").values_list("pk", flat=True)[
                0
            ],
            token=caches["shared"].get(search.NAMES_TOKEN_KEY),
        )
        self.enterContext(mock.patch.object(search, "_names", known))
        with self.assertNumQueries(6):
            self.search("标准")
        cache.clear()
        caches["shared"].delete("news:chrome:2")  # the menu, not the counts
        with self.assertNumQueries(3):  # menu, ranked ids, articles: count cached
            self.search("标准")
        with self.assertNumQueries(3):  # count, ranked ids, articles: menu cached
            self.search("计量")
        cache.clear()
        caches["shared"].delete("news:chrome:2")
        with self.assertNumQueries(1):  # the channel menu only
            self.search("")


class HostileQueryTests(SearchFixture, TestCase):
    HOSTILE = [
        "",
        "   ",
        '"',
        '""',
        "*",
        "标准*",
        "NEAR(",
        "NEAR(标准 计量, 2)",
        '标准" OR "',
        "title:标准",
        "标准 AND",
        "OR",
        "^标准",
        "(",
        ")",
        "-标准",
        "标准 & ! |",
        "'; DROP TABLE news_article; --",
        "1 UNION SELECT password FROM auth_user",
        "\\",
        "%",
        "标准" * 5000,
        "x" * 10_000,
    ]

    def test_hostile_queries_give_a_normal_page(self):
        for q in self.HOSTILE:
            with self.subTest(q=q[:30]):
                response = self.client.get("/search/", {"q": q})
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, '<form class="search-form"')
        self.assertEqual(Article.objects.count(), 7, "nothing was dropped")

    def test_a_nul_in_the_query_is_a_clear_400(self):
        # Refused before any query by yantai.middleware (PostgreSQL cannot hold NUL).
        response = self.client.get("/search/", {"q": "标准\x00"})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "空字符", status_code=400)

    def test_operator_words_are_searched_as_words(self):
        """``OR`` is a word like any other: 标准 OR 区块链 needs both, so finds nothing."""
        self.assertEqual(titles(self.search("NEAR(")), [])
        self.assertEqual(len(titles(self.search("标准"))), 2)
        self.assertEqual(titles(self.search("标准 OR 区块链")), [])
        self.assertEqual(titles(self.search('标准" OR "区块链')), [])

    def test_a_long_query_cut_inside_a_word_drops_that_piece(self):
        """Past 100 characters the query is cut; the cut's piece of a word (国 of
        国家标准) would be required and match nothing, so it is left out."""
        cut = search.SearchQuery.parse("计量 " * 33 + "国家标准")
        self.assertEqual(cut.groups, (("计量",),))
        whole = search.SearchQuery.parse("计量 " * 33 + "x")  # the cut at a word's end
        self.assertEqual(whole.groups, (("计量", "x"),))

    def test_query_is_reduced_to_quoted_tokens(self):
        query = search.SearchQuery.parse('国家标准" OR title:* NEAR(')
        self.assertEqual(query.fts5(), '(("国家标准" AND "or" AND "title" AND "near"))')
        self.assertNotIn("*", query.tsquery())
        self.assertFalse(search.SearchQuery.parse('"*()'))


class SearchIndexUpdateTests(TestCase):
    """The index follows publish, unpublish, edit, schedule, tags, bylines, delete."""

    def setUp(self):
        cache.clear()

    def found(self, q):
        return titles(self.client.get("/search/", {"q": q}))

    def test_publish_edit_unpublish_and_delete(self):
        with self.captureOnCommitCallbacks(execute=True):
            article = ArticleFactory(
                title="计量检定站揭牌", status=Article.Status.DRAFT
            )
        self.assertEqual(self.found("检定"), [])
        with self.captureOnCommitCallbacks(execute=True):
            article.status = Article.Status.PUBLISHED
            article.save()
        self.assertEqual(self.found("检定"), ["计量检定站揭牌"])
        with self.captureOnCommitCallbacks(execute=True):
            article.title = "质检中心揭牌"
            article.save()
        self.assertEqual(self.found("检定"), [])
        self.assertEqual(self.found("质检中心"), ["质检中心揭牌"])
        with self.captureOnCommitCallbacks(execute=True):
            article.status = Article.Status.UNPUBLISHED
            article.save()
        self.assertEqual(self.found("质检中心"), [])
        self.assertFalse(ArticleSearch.objects.filter(article=article).exists())
        with self.captureOnCommitCallbacks(execute=True):
            article.status = Article.Status.PUBLISHED
            article.save()
        delete_articles([article])
        self.assertFalse(ArticleSearch.objects.exists())
        self.assertEqual(self.found("质检中心"), [])

    def test_rescheduling_is_respected(self):
        with self.captureOnCommitCallbacks(execute=True):
            article = ArticleFactory(title="地方标准发布")
        self.assertEqual(self.found("地方标准"), ["地方标准发布"])
        with self.captureOnCommitCallbacks(execute=True):
            article.published_at = timezone.now() + timedelta(hours=3)
            article.save()
        self.assertEqual(self.found("地方标准"), [])

    def test_tags_and_bylines_are_indexed_when_they_change(self):
        with self.captureOnCommitCallbacks(execute=True):
            article = ArticleFactory(title="培训会举行")
        tag = TagFactory(name="食品抽检")
        with self.captureOnCommitCallbacks(execute=True):
            article.tags.add(tag)
        self.assertEqual(self.found("食品抽检"), ["培训会举行"])
        with self.captureOnCommitCallbacks(execute=True):
            article.tags.remove(tag)
        self.assertEqual(self.found("食品抽检"), [])
        with self.captureOnCommitCallbacks(execute=True):
            byline = BylineFactory(article=article, person=PersonFactory(name="孙洪安"))
        self.assertEqual(self.found("孙洪安"), ["培训会举行"])
        with self.captureOnCommitCallbacks(execute=True):
            byline.delete()
        self.assertEqual(self.found("孙洪安"), [])

    def test_a_rolled_back_write_never_reaches_the_index(self):
        article = ArticleFactory(title="计量检定站揭牌")  # no commit: never indexed
        self.assertEqual(self.found("检定"), [])
        self.assertFalse(ArticleSearch.objects.filter(article=article).exists())


def start_with_a_fresh_segmenter(test) -> None:
    """A segmenter that has learnt no name yet, as in a freshly started process."""
    cache.clear()
    names = mock.patch.object(search, "_names", search._Names())
    names.start()
    test.addCleanup(names.stop)
    search._segmenter.cache_clear()
    test.addCleanup(search._segmenter.cache_clear)


class NamesInBodyTextTests(TestCase):
    """A person's name is a word wherever it stands, not only in the byline."""

    BODY = "<p>市市场监管局局长孙洪安说，全市新增国家标准12项。</p>"

    def setUp(self):
        start_with_a_fresh_segmenter(self)

    def found(self, q):
        return titles(self.client.get("/search/", {"q": q}))

    def test_the_segmenter_alone_glues_the_name_to_the_next_word(self):
        self.assertNotIn("孙洪安", search.tokens("局长孙洪安说"))

    def test_a_name_mentioned_only_in_the_body_is_found(self):
        PersonFactory(name="孙洪安")
        with self.captureOnCommitCallbacks(execute=True):
            ArticleFactory(title="全市标准化工作会议召开", body=self.BODY)
        self.assertIn("孙洪安", search.tokens("局长孙洪安说"))
        self.assertEqual(self.found("孙洪安"), ["全市标准化工作会议召开"])
        self.assertEqual(self.found("孙洪安 国家标准"), ["全市标准化工作会议召开"])

    def test_a_process_that_did_not_index_it_cuts_the_query_the_same_way(self):
        PersonFactory(name="孙洪安")
        with self.captureOnCommitCallbacks(execute=True):
            ArticleFactory(title="全市标准化工作会议召开", body=self.BODY)
        # Another worker: its segmenter has learnt no name.
        search._names = search._Names()
        search._segmenter.cache_clear()
        self.assertEqual(self.found("局长孙洪安说"), ["全市标准化工作会议召开"])

    def test_rebuilding_learns_the_names_too(self):
        ArticleFactory(title="全市标准化工作会议召开", body=self.BODY)
        PersonFactory(name="孙洪安")
        search.rebuild_index()
        self.assertEqual(self.found("孙洪安"), ["全市标准化工作会议召开"])

    def test_articles_indexed_before_the_person_was_added_are_reindexed(self):
        with self.captureOnCommitCallbacks(execute=True):
            ArticleFactory(title="全市标准化工作会议召开", body=self.BODY)
        self.assertEqual(self.found("孙洪安"), [])
        with self.captureOnCommitCallbacks(execute=True):
            PersonFactory(name="孙洪安")
        self.assertEqual(self.found("孙洪安"), ["全市标准化工作会议召开"])

    def test_people_created_together_are_looked_for_in_one_pass(self):
        """``signals.mentions_indexed_together`` (the bulk import's batches): the
        articles mentioning any of several new people found by one scan of the
        articles, not one a name, and re-indexed."""
        with self.captureOnCommitCallbacks(execute=True):
            ArticleFactory(title="全市标准化工作会议召开", body=self.BODY)
            ArticleFactory(
                title="质量强市推进会", body="<p>副局长逄苗苗介绍了情况。</p>"
            )
            ArticleFactory(title="无关的一篇", body="<p>今天召开了会议。</p>")
        self.assertEqual(self.found("孙洪安"), [])

        def words(title: str) -> list[str]:
            article = Article.objects.get(title=title)
            return ArticleSearch.objects.get(article_id=article.pk).body.split()

        self.assertNotIn("逄苗苗", words("质量强市推进会"))  # 逄 / 苗苗

        def scans(together: bool) -> int:
            block = signals.mentions_indexed_together if together else nullcontext
            with (
                CaptureQueriesContext(connection) as queries,
                self.captureOnCommitCallbacks(execute=True),
                block(),
            ):
                PersonFactory(name="孙洪安")
                PersonFactory(name="逄苗苗")
            return sum(
                q["sql"].startswith('SELECT "news_article"."id" AS "pk" FROM')
                and '"body_text"' in q["sql"]
                for q in queries
            )

        self.assertEqual(scans(together=True), 1)
        self.assertEqual(self.found("孙洪安"), ["全市标准化工作会议召开"])
        self.assertIn("逄苗苗", words("质量强市推进会"))
        Person.objects.all().delete()
        self.assertEqual(scans(together=False), 2)  # one a name, without it

    def test_names_that_are_not_words_are_left_out(self):
        for name in ["孙", "Sun Hong'an", ""]:
            with self.subTest(name=name):
                self.assertFalse(search.learn_name(name))


class RenameInAnotherProcessTests(TransactionTestCase):
    """A person renamed on another worker or app server: this process learns the new
    name at its next look (the names token in the shared cache), and finds the
    articles that worker re-indexed under it."""

    BODY = NamesInBodyTextTests.BODY

    def setUp(self):
        start_with_a_fresh_segmenter(self)

    def test_a_rename_elsewhere_is_learnt_here(self):
        person = PersonFactory(name="孙洪按")  # a typo, put right below
        ArticleFactory(title="全市标准化工作会议召开", body=self.BODY)
        search.learn_names()  # this process knows every name there is now
        self.assertNotIn("孙洪安", search.tokens("局长孙洪安说"))
        run_in_another_process(
            "import django; django.setup()\n"
            "from news.models import Person\n"
            f"person = Person.objects.get(pk={person.pk})\n"
            "person.name = '孙洪安'\n"
            "person.save()\n",
            DATABASE_URL=shared_database_url(),
        )
        search.learn_names()  # as before an index write, or a search 10 s on
        self.assertIn("孙洪安", search.tokens("局长孙洪安说"))
        found = titles(self.client.get("/search/", {"q": "孙洪安"}))
        self.assertEqual(found, ["全市标准化工作会议召开"])


class DeletedTagTests(TestCase):
    """Deleting a tag takes it off its articles' pages at once (docs/architecture.md,
    "What makes what stale"); search follows at the same moment. Django removes the
    tag's links without ``m2m_changed``, so the articles are re-indexed for it."""

    def setUp(self):
        self.tag = TagFactory(name="蓝色经济区")
        with self.captureOnCommitCallbacks(execute=True):
            self.article = ArticleFactory(title="烟台港集装箱吞吐量创新高")
            self.article.tags.add(self.tag)
        self.assertEqual(self.found(), [self.article.title])
        self.root = UserFactory(username="root", is_staff=True, is_superuser=True)

    def found(self) -> list[str]:
        return titles(self.client.get("/search/", {"q": "蓝色经济区"}))

    def assert_gone_everywhere(self, before: Article):
        self.client.logout()
        self.assertNotContains(self.client.get(f"/news/{before.pk}/"), "蓝色经济区")
        self.assertEqual(self.found(), [])
        # The article itself is as it was: on the site, its row not written.
        after = Article.objects.get(pk=before.pk)
        self.assertEqual(after.status, Article.Status.PUBLISHED)
        self.assertEqual(
            (after.version, after.updated_at), (before.version, before.updated_at)
        )

    def test_the_admins_delete(self):
        self.client.force_login(self.root)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                f"/admin/news/tag/{self.tag.pk}/delete/", {"post": "yes"}
            )
        self.assertEqual(response.status_code, 302)
        self.assert_gone_everywhere(self.article)

    def test_the_admins_bulk_delete(self):
        self.client.force_login(self.root)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                "/admin/news/tag/",
                {
                    "action": "delete_selected",
                    "_selected_action": [self.tag.pk],
                    "post": "yes",
                },
            )
        self.assertEqual(response.status_code, 302)
        self.assert_gone_everywhere(self.article)

    def test_a_scripts_delete(self):
        with self.captureOnCommitCallbacks(execute=True):
            Tag.objects.filter(pk=self.tag.pk).delete()
        self.assert_gone_everywhere(self.article)


class RebuildCommandTests(TestCase):
    def test_rebuild_indexes_published_articles(self):
        for n in range(3):
            ArticleFactory(title=f"国家标准宣贯第{n}场")
        ArticleFactory(title="国家标准草稿", status=Article.Status.DRAFT)
        out = StringIO()
        call_command("rebuild_search_index", "--batch-size", "2", stdout=out)
        self.assertIn("已收录 3 篇文章，用时", out.getvalue())
        self.assertEqual(ArticleSearch.objects.count(), 3)
        response = self.client.get("/search/", {"q": "宣贯"})
        self.assertEqual(response.context["paginator"].count, 3)

    def test_rebuild_drops_stale_rows(self):
        article = ArticleFactory(title="国家标准宣贯")
        search.rebuild_index()
        Article.objects.filter(pk=article.pk).update(status=Article.Status.DRAFT)
        call_command("rebuild_search_index", verbosity=0, stdout=StringIO())
        self.assertFalse(ArticleSearch.objects.exists())


class EngineTests(TestCase):
    def test_engine_follows_the_database(self):
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute(
                    "SELECT count(*) FROM sqlite_master WHERE name = 'news_article_fts'"
                )
            else:
                cursor.execute(
                    "SELECT count(*) FROM pg_indexes"
                    " WHERE indexname = 'news_article_search_document_gin'"
                )
            self.assertEqual(cursor.fetchone()[0], 1)

    def test_tokens_are_the_words_of_each_piece(self):
        # tokens() makes the segmenter's joining characters spaces and keeps the
        # pieces that are words: the words of each piece's \\w+ runs, in order.
        def by_piece(text):
            return search._tokens_by_piece(search.fold(text).lower())

        texts = [
            "合格率超过97%，比2020年提高3.5个百分点，C++与C#、R&D",
            "2021-12-05发布，ＧＢ／Ｔ　19001—2016《质量管理体系》",
            "snake_case 与 a_b、3.5%",
        ]
        # Every character of the Basic Multilingual Plane between Chinese, digits.
        texts += [
            f"中{c}文 1{c}2"
            for c in map(chr, range(0x10000))
            if not 0xD800 <= ord(c) < 0xE000
        ]
        for text in texts:
            self.assertEqual(search.tokens(text), by_piece(text), text)
        self.assertEqual(search.tokens("合格率97%"), ["合格", "合格率", "97"])
        # A word of the dictionary with a hyphen: its parts once, not also the
        # part search mode finds in it again (e-mail: mail, e, mail).
        self.assertEqual(
            search.tokens("e-mail与wi-fi"), ["e", "mail", "与", "wi", "fi"]
        )
        self.assertEqual(
            set(by_piece("e-mail与wi-fi")), {"e", "mail", "与", "wi", "fi"}
        )

    def test_segmenter_emits_short_words_inside_domain_terms(self):
        words = search.tokens("社会公用计量标准和山东名牌")
        for word in ["社会公用计量标准", "计量", "标准", "山东名牌", "名牌"]:
            self.assertIn(word, words)


class CountCacheTests(SearchFixture, TestCase):
    """A search's count is cached, and forgotten when the content changes."""

    def test_a_new_article_is_counted_at_once(self):
        before = search.search("标准").count()
        with self.captureOnCommitCallbacks(execute=True):
            ArticleFactory(title="又一篇标准化新闻", body="<p>国家标准新动态。</p>")
        self.assertEqual(search.search("标准").count(), before + 1)

    def test_filters_are_part_of_the_key(self):
        everything = search.search("标准").count()
        none = search.search(
            "标准", search.SearchFilters(date_to=date(1990, 1, 1))
        ).count()
        self.assertEqual(none, 0)
        self.assertGreater(everything, 0)
