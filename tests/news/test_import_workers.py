"""The bulk import's worker processes yield the processor to the writer on SQLite,
whose writer is the import's serial path, and not on PostgreSQL, where the workers
are the slower side (news.bulk._worker_start)."""

import multiprocessing
import os

from django.db import connection
from django.test import SimpleTestCase

from news import bulk


def _niceness_after_start(queue) -> None:
    bulk._worker_start([], False, [])
    queue.put(os.nice(0))


class WorkerNicenessTests(SimpleTestCase):
    def test_a_worker_runs_at_the_engines_niceness(self):
        context = multiprocessing.get_context("fork")
        queue = context.Queue()
        process = context.Process(target=_niceness_after_start, args=(queue,))
        process.start()
        niceness = queue.get(timeout=30)
        process.join(30)
        mine = os.nice(0)
        if connection.vendor == "sqlite":
            expected = min(19, mine + bulk.WORKER_NICENESS_SQLITE)
        else:
            expected = mine
        self.assertEqual(niceness, expected)
