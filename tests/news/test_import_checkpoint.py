"""SQLite: an import of more than one batch leaves the write-ahead log's checkpoints
to a thread of its own (``news.bulk.Checkpointer``) and, when it ends, has every
page in the database file, the log emptied and the connection checkpointing by
itself again. Only on a database file in WAL mode; none on PostgreSQL."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from unittest import mock, skipUnless

from django.conf import settings
from django.db import connection
from django.test import TransactionTestCase

from news import bulk
from news.bulk import CREATED, import_sources
from news.models import Article
from news.search import search
from tests.factories import ChannelFactory
from tests.sqlite_file import on_a_file

PAGES = [
    str(p)
    for p in sorted(
        (Path(settings.BASE_DIR) / "tests" / "news" / "pages").glob("*.txt")
    )
]


def pragma(name: str):
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA {name}")
        return cursor.fetchone()


class CheckpointerTests(TransactionTestCase):
    def test_none_on_postgresql_or_a_database_in_memory(self):
        # The SQLite test database lives in memory; PostgreSQL has no such log.
        self.assertIsNone(bulk.Checkpointer.start())

    @skipUnless(connection.vendor == "sqlite", "SQLite's write-ahead log")
    def test_import_of_several_batches_ends_with_the_log_copied(self):
        channel = ChannelFactory(name="烟台新闻")
        self.enterContext(on_a_file())
        self.assertEqual(pragma("journal_mode")[0].lower(), "wal")
        every = pragma("wal_autocheckpoint")[0]
        self.assertGreater(every, 0)
        outcomes = []
        totals = import_sources(
            PAGES,
            channel=channel,
            publish=True,
            batch_size=2,  # seven batches, each its own commit
            on_outcome=outcomes.append,
        )
        self.assertEqual(totals.counts[CREATED], len(PAGES))
        self.assertEqual({o.status for o in outcomes}, {CREATED})
        # Back to checkpointing by itself, with the same threshold.
        self.assertEqual(pragma("wal_autocheckpoint")[0], every)
        # The last checkpoint copied every page and truncated the log: nobody else
        # was reading it.
        log = f"{connection.settings_dict['NAME']}-wal"
        self.assertEqual(os.path.getsize(log), 0)
        self.assertEqual(Article.objects.published().count(), len(PAGES))
        title = Article.objects.order_by("pk").first().title
        self.assertGreater(search(title).count(), 0)

    @skipUnless(connection.vendor == "sqlite", "SQLite's write-ahead log")
    def test_writer_lets_the_copy_catch_up_once_the_log_is_long(self):
        # The log is copied a batch behind the writer; it starts again only when a
        # batch begins with every committed page copied. Once the log has reached
        # LOG_LIMIT, each batch waits for that (any log is long enough here).
        channel = ChannelFactory(name="烟台新闻")
        self.enterContext(on_a_file())
        self.enterContext(mock.patch.object(bulk.Checkpointer, "LOG_LIMIT", 1))
        seen = []  # each batch: (the log known to be long before, all copied after)
        wait_if_long = bulk.Checkpointer.wait_if_long

        def observed(checkpointer):
            with checkpointer._state:
                long = checkpointer._pages >= checkpointer._limit
            wait_if_long(checkpointer)
            with checkpointer._state:
                seen.append((long, checkpointer._copied >= checkpointer._committed))

        self.enterContext(
            mock.patch.object(bulk.Checkpointer, "wait_if_long", observed)
        )
        totals = import_sources(
            PAGES,
            channel=channel,
            publish=True,
            batch_size=1,  # a commit a page
        )
        self.assertEqual(totals.counts[CREATED], len(PAGES))
        self.assertEqual(len(seen), len(PAGES))
        # A batch starts before the checkpoint of the one before has reported (the
        # first ones, and often the one after a wait); every batch that started
        # after a report had the log wholly copied.
        waited = [copied for long, copied in seen if long]
        self.assertGreaterEqual(len(waited), 3)
        self.assertTrue(all(waited))
        self.assertEqual(Article.objects.published().count(), len(PAGES))

    @skipUnless(connection.vendor == "sqlite", "SQLite's write-ahead log")
    def test_a_reader_that_keeps_the_log_costs_a_few_waits_not_one_a_batch(self):
        # A reader still in its transaction (a long report, a backup) keeps the log
        # from starting again, however long the writer waits: after a wait that did
        # not start it again, the next comes only once the log has doubled.
        channel = ChannelFactory(name="烟台新闻")
        self.enterContext(on_a_file())
        self.enterContext(mock.patch.object(bulk.Checkpointer, "LOG_LIMIT", 1))
        reader = sqlite3.connect(connection.settings_dict["NAME"])
        self.addCleanup(reader.close)
        waits = []
        wait_if_long = bulk.Checkpointer.wait_if_long

        def observed(checkpointer):
            with checkpointer._state:
                if checkpointer._pages >= checkpointer._limit:
                    waits.append(checkpointer._pages)
            wait_if_long(checkpointer)

        self.enterContext(
            mock.patch.object(bulk.Checkpointer, "wait_if_long", observed)
        )

        def first_batch_committed(outcome):
            if not reader.in_transaction:  # from here to the end of the import
                reader.execute("BEGIN")
                reader.execute("SELECT count(*) FROM news_article").fetchone()

        totals = import_sources(
            PAGES,
            channel=channel,
            publish=True,
            batch_size=1,
            on_outcome=first_batch_committed,
        )
        self.assertEqual(totals.counts[CREATED], len(PAGES))
        # The log grew by ~35 pages a batch here, and once the reader held it, each
        # wait came only when it had doubled: a few waits (10-11 without that).
        self.assertGreaterEqual(len(waits), 1)
        self.assertLessEqual(len(waits), 6)
        reader.rollback()
        self.assertEqual(Article.objects.published().count(), len(PAGES))
