"""上一篇/下一篇 and 相关新闻 by tags (news/related.py): the rules their cheaper SQL
keeps."""

import random
import time
from datetime import timedelta

from django.db import connection
from django.db.models.signals import post_init
from django.test import SimpleTestCase, TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from news.models import Article
from news.related import (
    TAG_CANDIDATES,
    _Head,
    _ranked,
    forget_heads,
    neighbours_and_related,
)
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

    def test_a_head_is_read_down_the_tag_article_index(self):
        """Each head an index range of ``news_article_tags (tag_id, article_id)``
        read in its order (no sort), each article's columns from
        ``article_related_idx``."""
        if connection.vendor != "sqlite":
            self.skipTest("SQLite's plan")
        article = ArticleFactory()
        article.tags.set([TagFactory(), TagFactory()])
        with CaptureQueriesContext(connection) as queries:
            neighbours_and_related(article)
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + queries.captured_queries[-1]["sql"])
            plan = cursor.fetchall()
        heads = {row[0] for row in plan if row[-1].startswith("CO-ROUTINE h")}
        steps = [row[-1] for row in plan if row[1] in heads]
        self.assertEqual(len(heads), 2, plan)
        self.assertEqual(len(steps), 4, plan)
        for step in steps:
            self.assertNotIn("TEMP B-TREE", step)
            if step.startswith("SEARCH t "):
                self.assertIn("COVERING INDEX news_article_tags_tag_article", step)
            else:
                self.assertIn("COVERING INDEX article_related_idx", step)


class HeadsKeptTests(TestCase):
    """With the public token, a process reads each tag's head once: until the token
    changes (a publication, withdrawal, rename) or an article becomes due or
    expires."""

    def setUp(self):
        forget_heads()
        self.addCleanup(forget_heads)
        self.now = timezone.now()
        self.tags = [TagFactory(), TagFactory(), TagFactory()]
        self.first = self.tagged(days=1)
        self.second = self.tagged(days=2)
        self.sharing = [
            self.tagged(days=3 + n, tags=self.tags[n : n + 2]) for n in range(2)
        ]

    def tagged(self, *, days=0, seconds=0, tags=None, **fields):
        article = ArticleFactory(
            published_at=self.now - timedelta(days=days) + timedelta(seconds=seconds),
            **fields,
        )
        article.tags.set(self.tags if tags is None else tags)
        return article

    def lists(self, article, token):
        article = Article.objects.prefetch_related("tags").get(pk=article.pk)
        with CaptureQueriesContext(connection) as queries:
            found = neighbours_and_related(article, token=token)
        self.assertEqual(len(queries.captured_queries), 1)
        return found, queries.captured_queries[0]["sql"]

    def test_the_heads_read_once_are_used_by_the_next_page(self):
        found, sql = self.lists(self.first, "token-1")
        self.assertIn("news_article_tags", sql)
        self.assertEqual(found["related"], [self.second, *self.sharing])
        found, sql = self.lists(self.second, "token-1")
        self.assertNotIn("news_article_tags", sql)
        self.assertEqual(found["related"], [self.first, *self.sharing])
        # The same as read without them.
        forget_heads()
        self.assertEqual(neighbours_and_related(self.second), found)

    def test_a_new_token_reads_them_again(self):
        self.lists(self.first, "token-1")
        new = self.tagged(seconds=-60)
        found, _sql = self.lists(self.second, "token-1")
        self.assertNotIn(new, found["related"])  # published without a new token
        found, sql = self.lists(self.second, "token-2")
        self.assertIn("news_article_tags", sql)
        self.assertEqual(found["related"][:2], [new, self.first])

    def test_a_scheduled_article_joins_when_it_becomes_due(self):
        """No token marks it: the heads are kept only until the site's next change
        by the clock, read in the same statement."""
        due = self.tagged(seconds=1.5)
        found, _sql = self.lists(self.second, "token-1")
        self.assertNotIn(due, found["related"])
        time.sleep(max(0, (due.published_at - timezone.now()).total_seconds()) + 0.1)
        found, sql = self.lists(self.second, "token-1")
        self.assertIn("news_article_tags", sql)
        self.assertEqual(found["related"][0], due)

    def test_an_article_reaching_its_takedown_time_leaves(self):
        leaving = self.tagged(seconds=-30, expires_at=self.now + timedelta(seconds=1.5))
        found, _sql = self.lists(self.second, "token-1")
        self.assertEqual(found["related"][0], leaving)
        time.sleep(max(0, (leaving.expires_at - timezone.now()).total_seconds()) + 0.1)
        found, _sql = self.lists(self.second, "token-1")
        self.assertNotIn(leaving, found["related"])

    def test_the_page_reads_the_token_once_for_its_heads_and_fragments(self):
        """Served: the second page's statement reads no head, and the page makes
        its two queries (the row with its tags and bylines, then the lists)."""
        self.client.get(self.first.get_absolute_url())
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(self.second.get_absolute_url())
        self.assertEqual(len(queries.captured_queries), 2)
        self.assertNotIn("news_article_tags", queries.captured_queries[-1]["sql"])
        self.assertContains(response, self.sharing[0].title)


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

    def test_hidden_articles_take_no_place_in_a_tags_head(self):
        """A tag's head holds its newest *public* articles: with the 19 highest of
        25 articles sharing one tag hidden, the 5 newest of the 6 others are shown
        (counted among every article of a tag, drafts included, as before, a
        newsroom's drafts pushed the public ones out)."""
        now = timezone.now()
        tag = TagFactory()
        article = ArticleFactory(published_at=now - timedelta(days=2))
        article.tags.set([tag, TagFactory(), TagFactory()])
        sharing = []
        for hour in range(25):  # ids in the order of creation
            shared = ArticleFactory(published_at=now - timedelta(hours=30 - hour))
            shared.tags.add(tag)
            sharing.append(shared)
        Article.objects.filter(pk__in=[a.pk for a in sharing[-19:]]).update(
            status=Article.Status.DRAFT
        )
        found = neighbours_and_related(article, limit=5)
        self.assertEqual(found["related"], sharing[1:6][::-1])

    def test_an_older_article_sharing_two_tags_comes_first(self):
        """Ranked by tags shared before time: the oldest article, sharing two tags,
        comes first; then the newest public ones sharing one."""
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
        self.assertEqual(found["related"], [both, *sharing[3:7][::-1]])

    def test_ties_follow_the_publication_time_then_the_id(self):
        """Among the articles sharing as many tags: the later published first, and
        at the same moment the higher id (the SQL's ``ORDER BY`` before)."""
        now = timezone.now()
        tag = TagFactory()
        article = ArticleFactory(published_at=now - timedelta(days=1))
        article.tags.set([tag, TagFactory(), TagFactory()])
        moment = now - timedelta(hours=5)
        made = []
        for at in (moment, moment - timedelta(hours=1), moment, moment):
            shared = ArticleFactory(published_at=at)
            shared.tags.add(tag)
            made.append(shared)
        newest = ArticleFactory(published_at=now - timedelta(hours=1))
        newest.tags.add(tag)  # the highest id, and the latest
        found = neighbours_and_related(article)["related"]
        self.assertEqual(found, [newest, made[3], made[2], made[0], made[1]])

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


class RankedShortcutTests(SimpleTestCase):
    """``_ranked`` counts only what can be shown (the heads' intersections, the
    newest of the rest): the same first ``limit`` as counting and sorting every
    candidate, on random heads with picks and title-word matches."""

    def test_the_same_as_ranking_every_candidate(self):
        rng = random.Random(7)
        start = timezone.now() - timedelta(days=400)
        for case in range(300):
            with self.subTest(case):
                pool = {
                    pk: (
                        pk,
                        "t",
                        "published",
                        start + timedelta(hours=rng.randrange(500)),
                        None,
                    )
                    for pk in range(1, rng.randrange(5, 120))
                }
                rows: dict = {}
                heads = [
                    _Head(
                        rng.sample(
                            list(pool.values()), rng.randrange(1, min(40, len(pool)))
                        ),
                        rows,
                    )
                    for _ in range(rng.randrange(1, 6))
                ]
                chosen = {
                    pk: (rng.random() < 0.5, rng.random() < 0.5, pool[pk])
                    for pk in rng.sample(list(pool), rng.randrange(0, 4))
                }
                own, limit = rng.choice(list(pool)), rng.randrange(1, 8)
                chosen.pop(own, None)
                self.assertEqual(
                    _ranked(own, heads, chosen, limit),
                    every_candidate_ranked(own, heads, chosen, limit),
                )


def every_candidate_ranked(own, heads, chosen, limit):
    """相关新闻's rule applied to every candidate: (pick, tags shared, title word,
    published_at, id), highest first."""
    candidates = {}
    for head in heads:
        for row in head.rows.values():
            candidates[row[0]] = [0, 0, 0, row]
    for pk, (pick, words, row) in chosen.items():
        candidates[pk] = [pick, 0, words, row]
    for pk, entry in candidates.items():
        entry[1] = sum(any(r[0] == pk for r in h.rows.values()) for h in heads)
    candidates.pop(own, None)
    order = sorted(
        candidates.values(),
        key=lambda e: (e[0], e[1], e[2], e[3][3], e[3][0]),
        reverse=True,
    )
    return [entry[3] for entry in order[:limit]]


class RowInstancesTests(TestCase):
    """The neighbours and related articles are made without ``Model.__init__``: the
    same instances as ``Article.from_db`` makes of the same columns."""

    def setUp(self):
        now = timezone.now()
        channel, tag = ChannelFactory(), TagFactory()
        self.older = ArticleFactory(channel=channel, published_at=now - timedelta(2))
        self.article = ArticleFactory(channel=channel, published_at=now - timedelta(1))
        for article in (self.older, self.article):
            article.tags.add(tag)

    def test_as_from_db_makes_them(self):
        found = neighbours_and_related(self.article)
        for made in (found["previous"], found["related"][0]):
            expected = Article.from_db(
                "default",
                ["id", "title", "status", "published_at", "expires_at"],
                [getattr(self.older, f) for f in ("id", "title", "status")]
                + [self.older.published_at, self.older.expires_at],
            )
            self.assertEqual(made, self.older)
            self.assertEqual(made.get_deferred_fields(), expected.get_deferred_fields())
            values = {k: v for k, v in made.__dict__.items() if k != "_state"}
            self.assertEqual(
                values, {k: v for k, v in expected.__dict__.items() if k != "_state"}
            )
            self.assertFalse(made._state.adding)
            self.assertEqual(made._state.db, "default")
            with self.assertNumQueries(1):  # a deferred field, read on demand
                self.assertEqual(made.summary, self.older.summary)

    def test_djangos_own_when_something_listens_to_post_init(self):
        seen = []

        def receiver(sender, instance, **kwargs):
            seen.append(instance)

        post_init.connect(receiver, sender=Article)
        self.addCleanup(post_init.disconnect, receiver, sender=Article)
        found = neighbours_and_related(self.article)
        self.assertIn(found["previous"], seen)
