"""上一篇/下一篇 and 相关新闻 by tags (news/related.py): the rules their cheaper SQL
keeps."""

from datetime import timedelta

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from news.models import Article
from news.related import TAG_CANDIDATES, neighbours_and_related
from tests.factories import ArticleFactory, ChannelFactory, TagFactory


class NeighboursTests(TestCase):
    def test_articles_published_at_the_same_moment_follow_their_ids(self):
        channel = ChannelFactory()
        moment = timezone.now() - timedelta(days=5)
        before = ArticleFactory(channel=channel, published_at=moment - timedelta(1))
        same = [ArticleFactory(channel=channel, published_at=moment) for _ in range(3)]
        after = ArticleFactory(channel=channel, published_at=moment + timedelta(1))
        order = [before, *same, after]
        for i, article in enumerate(order):
            with self.subTest(i):
                found = neighbours_and_related(article)
                self.assertEqual(found["previous"], order[i - 1] if i else None)
                self.assertEqual(found["next"], order[i + 1] if i < 4 else None)

    def test_the_next_one_skips_drafts_and_withdrawn_articles(self):
        channel = ChannelFactory()
        now = timezone.now()
        article = ArticleFactory(channel=channel, published_at=now - timedelta(3))
        ArticleFactory(
            channel=channel,
            published_at=now - timedelta(2),
            status=Article.Status.UNPUBLISHED,
        )
        ArticleFactory(channel=channel, status=Article.Status.DRAFT)
        newer = ArticleFactory(channel=channel, published_at=now - timedelta(1))
        self.assertEqual(neighbours_and_related(article)["next"], newer)

    def test_the_previous_one_is_found_without_reading_the_newer_ones(self):
        """上一篇 is one step down the channel's index from the article: the steps
        SQLite takes do not grow with the channel's newer articles (with two upper
        bounds on the time, now and the article's, it walked down from now)."""
        if connection.vendor != "sqlite":
            self.skipTest("SQLite's steps")
        channel = ChannelFactory()
        now = timezone.now()
        previous = ArticleFactory(channel=channel, published_at=now - timedelta(30))
        article = ArticleFactory(channel=channel, published_at=now - timedelta(29))

        def steps() -> int:
            counted = [0]

            def count():
                counted[0] += 1

            connection.ensure_connection()
            connection.connection.set_progress_handler(count, 1)
            try:
                found = neighbours_and_related(article)
            finally:
                connection.connection.set_progress_handler(None, 1)
            self.assertEqual(found["previous"], previous)
            return counted[0]

        alone = steps()
        for day in range(200):
            ArticleFactory(channel=channel, published_at=now - timedelta(28 - day / 10))
        self.assertLess(steps() - alone, 100)


class SharedTagsTests(TestCase):
    def test_ranked_by_tags_shared_among_the_newest_of_each_tag(self):
        """An article sharing two tags comes before those sharing one; an older one
        past the newest ``TAG_CANDIDATES`` of a tag counts only its other tags."""
        now = timezone.now()
        common, rare, other = TagFactory(), TagFactory(), TagFactory()
        article = ArticleFactory(published_at=now)
        article.tags.set([common, rare, other])
        old = ArticleFactory(published_at=now - timedelta(days=30))
        old.tags.set([common, rare])  # two shared tags, but old
        newest = []
        for n in range(TAG_CANDIDATES):
            a = ArticleFactory(published_at=now - timedelta(hours=n + 1))
            newest.append(a)
        through = Article.tags.through
        through.objects.bulk_create(
            through(article_id=a.pk, tag_id=common.pk) for a in newest
        )
        both = newest[-1]
        both.tags.add(other)  # the oldest of the newest: two shared tags
        related = neighbours_and_related(article)["related"]
        self.assertEqual(related[0], both)  # common + other
        # ``old`` shares common (not among its newest 100) and rare: one tag
        # counted, so it ranks with those sharing one, by publication.
        self.assertNotIn(old, related)
        self.assertEqual(len(related), 5)

    def test_the_statement_uses_the_tag_article_index(self):
        if connection.vendor != "sqlite":
            self.skipTest("SQLite's plan")
        with connection.cursor() as cursor:
            cursor.execute(
                "EXPLAIN QUERY PLAN SELECT article_id FROM news_article_tags"
                " WHERE tag_id = 1 AND article_id <> 2 ORDER BY article_id DESC"
                " LIMIT 100"
            )
            plan = " ".join(str(row) for row in cursor.fetchall())
        self.assertIn("news_article_tags_tag_article", plan)
        self.assertNotIn("TEMP B-TREE", plan)


class RankAndVisibilityTests(TestCase):
    """The statement keeps the ``limit`` public candidates in their rank: a hidden one
    (draft, expired, scheduled) makes room for the next; a candidate found both as a
    pick and by a tag is one article, ranked as a pick with its tags counted."""

    def test_hidden_candidates_make_room_and_a_pick_counts_once(self):
        now = timezone.now()
        tag = TagFactory()
        article = ArticleFactory(published_at=now - timedelta(days=1))
        # Three tags: no title-word candidates, whose titles here all look alike.
        article.tags.set([tag, TagFactory(), TagFactory()])

        def sharing(**fields):
            shared = ArticleFactory(**fields)
            shared.tags.add(tag)
            return shared

        picked_old = ArticleFactory(published_at=now - timedelta(days=10))
        both = sharing(published_at=now - timedelta(hours=2))
        picked_draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
        article.related_articles.set([picked_old, both, picked_draft])
        sharing(
            published_at=now - timedelta(hours=1),
            expires_at=now - timedelta(minutes=30),
        )
        sharing(published_at=now + timedelta(hours=1))  # scheduled
        sharing(status=Article.Status.DRAFT, published_at=None)
        sharing(
            status=Article.Status.UNPUBLISHED, published_at=now - timedelta(hours=1)
        )
        first = sharing(published_at=now - timedelta(hours=3))
        second = sharing(
            published_at=now - timedelta(hours=4), expires_at=now + timedelta(days=3)
        )
        third = sharing(published_at=now - timedelta(hours=5))
        sharing(
            published_at=now - timedelta(hours=6), expires_at=now + timedelta(days=2)
        )  # sixth: not shown, so its 下线时间 is not the page's

        found = neighbours_and_related(article)
        self.assertEqual(found["related"], [both, picked_old, first, second, third])
        self.assertEqual(found["until"], second.expires_at)
        self.assertEqual(found["related"][1].title, picked_old.title)
        self.assertEqual(found["related"][3].expires_at, second.expires_at)

    def test_only_the_first_four_times_limit_by_tags_are_candidates(self):
        """Ranked by tags before visibility (as the page always did): with the 19
        highest of 25 articles sharing one tag hidden, the 20th alone is shown."""
        now = timezone.now()
        tag = TagFactory()
        article = ArticleFactory(published_at=now - timedelta(days=2))
        article.tags.set([tag, TagFactory(), TagFactory()])
        sharing = []
        for hour in range(25):  # ids in the order of creation
            shared = ArticleFactory(published_at=now - timedelta(hours=30 - hour))
            shared.tags.add(tag)
            sharing.append(shared)
        kept = 5 * 4
        Article.objects.filter(pk__in=[a.pk for a in sharing[-(kept - 1) :]]).update(
            status=Article.Status.DRAFT
        )
        found = neighbours_and_related(article, limit=5)
        self.assertEqual(found["related"], [sharing[-kept]])

    def test_an_older_article_sharing_two_tags_comes_first(self):
        """The same, with the oldest article sharing two tags: it is ranked first
        (and so takes one of the 20 places) although its id is the lowest."""
        now = timezone.now()
        tag, second = TagFactory(), TagFactory()
        article = ArticleFactory(published_at=now - timedelta(days=2))
        article.tags.set([tag, second, TagFactory()])
        both = ArticleFactory(published_at=now - timedelta(days=10))
        both.tags.set([tag, second])
        sharing = []
        for hour in range(25):
            shared = ArticleFactory(published_at=now - timedelta(hours=30 - hour))
            shared.tags.add(tag)
            sharing.append(shared)
        Article.objects.filter(pk__in=[a.pk for a in sharing[-18:]]).update(
            status=Article.Status.DRAFT
        )
        found = neighbours_and_related(article, limit=5)
        self.assertEqual(found["related"], [both, sharing[-19]])

    def test_sqlite_reads_the_candidates_from_the_index_not_their_rows(self):
        if connection.vendor != "sqlite":
            self.skipTest("SQLite's plan")
        article = ArticleFactory()
        article.tags.set([TagFactory()])
        with CaptureQueriesContext(connection) as queries:
            neighbours_and_related(article)
        statement = queries.captured_queries[-1]["sql"]
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + statement)
            plan = [row[-1] for row in cursor.fetchall()]
        lookups = [step for step in plan if step.startswith("SEARCH a")]
        self.assertGreaterEqual(len(lookups), 2, plan)  # neighbours, candidates
        for step in lookups:
            self.assertIn("COVERING INDEX article_related_idx", step)
