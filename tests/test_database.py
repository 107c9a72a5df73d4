"""The query planner's statistics: kept by the SQLite backend, refreshed after bulk
writes (``yantai.sqlite.base``, ``yantai.database``); the hot statements' cursor and
the fast path's ``row_exists``."""

import sqlite3
import tempfile
import unittest
from pathlib import Path

from django.db import DatabaseError, connection, transaction
from django.test import TestCase, TransactionTestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from news import search
from news.models import Article
from tests.factories import ArticleFactory, ChannelFactory
from yantai.database import hot_cursor, refresh_statistics, row_exists, send_row
from yantai.sqlite.base import DatabaseWrapper


@unittest.skipUnless(connection.vendor == "sqlite", "the SQLite backend")
class OptimizeOnCloseTests(TestCase):
    def test_a_used_unanalysed_index_is_analysed_when_the_connection_closes(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "db.sqlite3"
            db = DatabaseWrapper(
                {**connection.settings_dict, "NAME": str(path)}, alias="optimize"
            )
            with db.cursor() as cursor:
                cursor.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, b INTEGER)")
                cursor.execute("CREATE INDEX t_b ON t (b)")
                cursor.executemany(
                    "INSERT INTO t (b) VALUES (%s)", [(i % 7,) for i in range(500)]
                )
                cursor.execute("SELECT id FROM t WHERE b = %s", [3])
                cursor.fetchall()
            with sqlite3.connect(path) as raw:
                names = [r[0] for r in raw.execute("SELECT name FROM sqlite_master")]
            self.assertNotIn("sqlite_stat1", names)  # nothing analysed yet
            db.close()
            with sqlite3.connect(path) as raw:
                stats = raw.execute(
                    "SELECT tbl, idx, stat FROM sqlite_stat1"
                ).fetchall()
            self.assertEqual(stats, [("t", "t_b", "500 72")])


class RefreshAfterRebuildTests(TestCase):
    def test_rebuilding_the_search_index_refreshes_the_statistics(self):
        for n in range(12):
            ArticleFactory(title=f"国家标准宣贯第{n}场")
        search.rebuild_index()
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute(
                    "SELECT stat FROM sqlite_stat1 WHERE idx = 'article_pub_idx'"
                )
            else:
                cursor.execute(
                    "SELECT count(*) FROM pg_stats WHERE tablename = 'news_article'"
                )
            (row,) = cursor.fetchall()
        if connection.vendor == "sqlite":
            # 12 rows, all with the same status: what tells the planner that
            # ``status = 'published'`` does not narrow anything.
            self.assertEqual(row[0].split()[:2], ["12", "12"])
        else:
            self.assertGreater(row[0], 0)

    @unittest.skipUnless(connection.vendor == "sqlite", "SQLite's planner")
    def test_with_statistics_results_are_fetched_by_id(self):
        """The search page's articles (``news.search.articles_for``) are fetched by
        id once statistics are kept. (Without them SQLite read every published
        article's index entry to find them, until the covering index of migration
        0017 began with the id; the statistics themselves: the test above.)"""
        channel = ChannelFactory()
        now = timezone.now()
        Article.objects.bulk_create(
            Article(
                title=f"第{n}篇",
                slug=str(n),
                channel=channel,
                status=Article.Status.PUBLISHED,
                published_at=now,
            )
            for n in range(2000)
        )
        ids = list(Article.objects.values_list("pk", flat=True)[:20])
        queryset = Article.objects.published().filter(pk__in=ids)
        refresh_statistics()
        self.assertIn("news_article USING INTEGER PRIMARY KEY", queryset.explain())


class HotCursorTests(TestCase):
    """``hot_cursor``: the rows of Django's own cursor, counted as its queries are,
    and on PostgreSQL a prepared statement once it has run a few times."""

    SQL = "SELECT id, title, published_at FROM news_article WHERE id = %s"

    def rows(self, cursor, pk):
        cursor.execute(self.SQL, [pk])
        return cursor.fetchall()

    def test_same_rows_as_django_cursor_and_counted(self):
        article = ArticleFactory(title="烟台市质量强市工作推进会召开")
        with connection.cursor() as cursor:
            expected = self.rows(cursor, article.pk)
        with CaptureQueriesContext(connection) as queries, hot_cursor() as cursor:
            found = self.rows(cursor, article.pk)
        self.assertEqual(found, expected)
        if connection.vendor == "postgresql":  # read as Django reads it: aware
            self.assertEqual(found[0][2], article.published_at)
            self.assertEqual(found[0][2].utcoffset(), expected[0][2].utcoffset())
        self.assertEqual(len(queries), 1)
        # Logged as Django logs its own: the statement with its values.
        self.assertEqual(
            queries[0]["sql"],
            self.SQL.replace("%s", str(article.pk)),
        )

    @unittest.skipUnless(connection.vendor == "postgresql", "prepared statements")
    def test_postgresql_prepares_the_hot_statement_and_no_other(self):
        article = ArticleFactory()
        threshold = connection.settings_dict["OPTIONS"]["prepare_threshold"]
        self.assertEqual(threshold, 2)
        for _ in range(threshold + 1):
            with hot_cursor() as cursor:
                self.rows(cursor, article.pk)
            with connection.cursor() as cursor:  # Django's: bound on the client
                cursor.execute(self.SQL.replace("title", "slug"), [article.pk])
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            prepared = [row[0] for row in cursor.fetchall()]
        self.assertEqual(len(prepared), 1, prepared)
        self.assertIn("SELECT id, title, published_at", prepared[0])


def deallocate_everything(test, article) -> None:
    """What psycopg does to a connection's prepared statements after a ROLLBACK:
    ``DEALLOCATE ALL``, the project's own statements included (a statement of
    Django's prepared first, then a transaction rolled back)."""
    for _ in range(3):  # psycopg prepares Django's hot statements too
        with hot_cursor() as cursor:
            cursor.execute("SELECT id FROM news_article WHERE id = %s", [article.pk])
    with test.assertRaises(ZeroDivisionError), transaction.atomic():
        Article.objects.filter(pk=article.pk).update(title="回滚")
        raise ZeroDivisionError
    with connection.cursor() as cursor:  # psycopg's DEALLOCATE ALL goes first
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        test.assertEqual(cursor.fetchone(), (0,))


class RowExistsTests(TransactionTestCase):
    """``row_exists``, the fast path's check, outside a transaction as a served
    request runs it: on the driver's connection (PostgreSQL: a statement prepared
    once), the same answers as a cursor, logged when queries are."""

    SQL = "SELECT 1 FROM news_article WHERE id = %s AND title = %s"

    def test_the_same_answers_as_a_cursor_and_logged_when_queries_are(self):
        article = ArticleFactory(title="烟台市质量强市工作推进会召开")
        asked = [(article.pk, article.title), (article.pk, "别的标题"), (0, "")]
        for params in asked:
            with connection.cursor() as cursor:
                cursor.execute(self.SQL, params)
                expected = cursor.fetchone() is not None
            for _ in range(3):
                self.assertEqual(row_exists(self.SQL, params), expected, params)
        self.assertEqual([row_exists(self.SQL, p) for p in asked], [True, False, False])
        with CaptureQueriesContext(connection) as queries:
            self.assertTrue(row_exists(self.SQL, asked[0]))
        self.assertEqual(len(queries), 1)

    def test_an_error_is_raised_and_marks_the_connection(self):
        connection.errors_occurred = False
        with self.assertRaises(DatabaseError):
            row_exists("SELECT 1 FROM no_such_table WHERE id = %s", [1])
        self.assertTrue(connection.errors_occurred)
        connection.close_if_unusable_or_obsolete()  # as at the next request's start
        self.assertTrue(row_exists(self.SQL, [ArticleFactory().pk, "标题"]) is False)

    @unittest.skipUnless(connection.vendor == "postgresql", "prepared statements")
    def test_prepared_again_after_psycopg_deallocates_every_statement(self):
        article = ArticleFactory(title="标题")
        self.assertTrue(row_exists(self.SQL, [article.pk, "标题"]))
        # psycopg prepares Django's hot statements too, and after a ROLLBACK it
        # deallocates every prepared statement of the connection, ours included.
        deallocate_everything(self, article)
        self.assertTrue(row_exists(self.SQL, [article.pk, "标题"]))
        self.assertFalse(row_exists(self.SQL, [article.pk, "回滚"]))
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            prepared = [row[0] for row in cursor.fetchall()]
        self.assertEqual(len(prepared), 1, prepared)
        self.assertIn("title = $2", prepared[0])


@unittest.skipUnless(connection.vendor == "postgresql", "sent without waiting: libpq")
class SendRowTests(TransactionTestCase):
    """``send_row``: the fast path's check sent while its MGET is on the way, read
    after; the same rows as a cursor, the connection ready for Django after it."""

    SQL = "SELECT id, title FROM news_article WHERE id = %s AND title = %s"

    def test_the_first_row_as_text_or_none_and_the_connection_ready_after(self):
        article = ArticleFactory(title="烟台市质量强市工作推进会召开")
        sent = send_row(self.SQL, [article.pk, article.title])
        self.assertEqual(
            sent.read(), (str(article.pk).encode(), article.title.encode())
        )
        self.assertIsNone(send_row(self.SQL, [article.pk, "别的标题"]).read())
        # Nothing left unread: the ORM's next statement runs.
        self.assertEqual(Article.objects.get(pk=article.pk).title, article.title)
        # Not sent where a statement could not be left waiting or must be logged.
        with transaction.atomic():
            self.assertIsNone(send_row(self.SQL, [article.pk, article.title]))
        with CaptureQueriesContext(connection):
            self.assertIsNone(send_row(self.SQL, [article.pk, article.title]))

    def test_an_error_is_raised_as_django_s_and_leaves_the_connection_ready(self):
        sent = send_row("SELECT 1 / (id - id) FROM news_article WHERE id = %s", [0])
        self.assertIsNone(sent.read())  # no row: nothing divided
        article = ArticleFactory()
        sent = send_row(
            "SELECT 1 / (id - id) FROM news_article WHERE id = %s", [article.pk]
        )
        connection.errors_occurred = False
        with self.assertRaises(DatabaseError):
            sent.read()
        self.assertTrue(connection.errors_occurred)
        self.assertEqual(Article.objects.filter(pk=article.pk).count(), 1)

    def test_prepared_again_after_psycopg_deallocates_every_statement(self):
        article = ArticleFactory(title="标题")
        self.assertIsNotNone(send_row(self.SQL, [article.pk, "标题"]).read())
        deallocate_everything(self, article)
        # The name sent is gone: that read fails, the next send prepares it again.
        with self.assertRaises(DatabaseError):
            send_row(self.SQL, [article.pk, "标题"]).read()
        connection.close_if_unusable_or_obsolete()  # as at the next request's start
        self.assertIsNotNone(send_row(self.SQL, [article.pk, "标题"]).read())
        self.assertIsNone(send_row(self.SQL, [article.pk, "回滚"]).read())
