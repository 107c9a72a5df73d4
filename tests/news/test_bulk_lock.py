"""Two article imports at the same time (``news.bulk``), on the real database, in two
threads: every page becomes one article. On PostgreSQL the second import's batch
waits for the first one's commit (``yantai.locks``) and then finds the articles as
imported before; on SQLite's in-memory test database (shared cache) the second
writer is refused at once ("database table is locked", ``yantai.locks.is_busy``)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.test import TransactionTestCase

from news.bulk import CREATED, UNCHANGED, import_sources
from news.models import Article
from tests.factories import ChannelFactory
from tests.threads import Worker
from yantai.locks import is_busy

PAGES = [
    str(p)
    for p in sorted(
        (Path(settings.BASE_DIR) / "tests" / "news" / "pages").glob("*.txt")
    )
]
POSTGRES = connection.vendor == "postgresql"


class TwoArticleImportsAtOnceTests(TransactionTestCase):
    def test_second_import_waits_for_the_first_and_creates_nothing_twice(self):
        channel = ChannelFactory(name="烟台新闻")
        held, release = threading.Event(), threading.Event()

        def first():
            with transaction.atomic():
                totals = import_sources(PAGES, channel=channel)
                held.set()
                release.wait(30)
            return totals

        one = Worker(first)
        one.start()
        self.assertTrue(held.wait(60))
        two = Worker(lambda: import_sources(PAGES, channel=channel))
        two.start()
        time.sleep(1.5)
        if POSTGRES:
            self.assertTrue(two.is_alive(), "the second import did not wait")
        release.set()
        one.join(60)
        two.join(60)
        self.assertIsNone(one.error)
        created = one.result.counts[CREATED]
        self.assertEqual(created, len(PAGES))
        if POSTGRES or two.error is None:
            self.assertIsNone(two.error)
            self.assertEqual(two.result.counts[CREATED], 0)
            self.assertEqual(two.result.counts[UNCHANGED], len(PAGES))
        else:
            self.assertTrue(is_busy(two.error), two.error)
        self.assertEqual(Article.objects.count(), len(PAGES))
        self.assertEqual(
            Article.objects.values("import_key").distinct().count(), len(PAGES)
        )
