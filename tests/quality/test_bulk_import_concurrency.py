"""Two bulk imports of observations at the same time, on the real database, in two
threads (two connections): they never interleave into duplicates. On PostgreSQL the
second waits for the first's commit (``yantai.locks``: an advisory lock) and then
finds its rows, or is refused with a Chinese message when it waited too long. On
SQLite the transactions are IMMEDIATE: a second writer cannot start until the first
commits; the test database is in memory (shared cache), where the second is refused
at once rather than waiting, with the same message."""

from __future__ import annotations

import threading
import time

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import TransactionTestCase
from django.urls import reverse

from news.models import AuditLog
from quality.bulk_import import LOCK, observations_import
from quality.models import Observation, Period
from tests.factories import UserFactory
from tests.threads import Worker
from yantai.locks import bulk_write_lock, busy_message

from .factories import IndicatorFactory, PeriodFactory, RegionFactory
from .test_bulk_import import ROWS, csv_bytes

POSTGRES = connection.vendor == "postgresql"


def keys() -> list[tuple]:
    return list(
        Observation.objects.order_by("id").values_list(
            "indicator_id",
            "region_id",
            "period_id",
            "value",
            "raw_text",
            "source_title",
        )
    )


class TwoImportsAtOnceTests(TransactionTestCase):
    def setUp(self):
        IndicatorFactory(code="standards_national")
        RegionFactory()
        PeriodFactory()

    def importing(self, **kwargs):
        return lambda: observations_import(csv_bytes(ROWS), name="obs.csv", **kwargs)

    def assert_each_row_once(self):
        saved = keys()
        self.assertEqual(len(saved), len(ROWS))
        self.assertEqual(len(set(saved)), len(saved))
        cells = list(
            Observation.objects.filter(is_preferred=True).values_list(
                "indicator_id", "region_id", "period_id"
            )
        )
        self.assertEqual(len(cells), len(set(cells)))

    def test_an_import_while_another_is_uncommitted(self):
        """The first import has written its rows but not committed: the second
        waits for its commit, then finds every row saved (PostgreSQL), or is
        refused at once (SQLite); never a second copy."""
        held, release = threading.Event(), threading.Event()

        def first():
            with transaction.atomic():
                result = observations_import(csv_bytes(ROWS), name="obs.csv")
                held.set()
                release.wait(30)
            return result

        one = Worker(first)
        one.start()
        self.assertTrue(held.wait(30))
        two = Worker(self.importing())
        started = time.monotonic()
        two.start()
        time.sleep(1.5)
        if POSTGRES:
            self.assertTrue(two.is_alive(), "the second import did not wait")
        release.set()
        first_result = one.outcome()
        second = two.outcome()
        waited = time.monotonic() - started
        self.assertTrue(first_result.ok, first_result.errors)
        self.assertEqual(first_result.created, len(ROWS))
        if POSTGRES:
            self.assertGreaterEqual(waited, 1.5)
            self.assertTrue(second.ok, second.errors)
            self.assertEqual((second.created, second.unchanged), (0, len(ROWS)))
        elif second.ok:  # the first had committed before the second began
            self.assertEqual(second.created, 0)
        else:
            self.assertEqual([e.message for e in second.errors], [busy_message()])
        self.assert_each_row_once()
        self.assertEqual(
            AuditLog.objects.filter(action=AuditLog.Action.IMPORT).count(), 1
        )

    def test_refused_after_the_wait_with_a_chinese_message(self):
        """PostgreSQL: the lock held past ``lock_timeout`` → refused, nothing written."""
        held, release = threading.Event(), threading.Event()

        def holder():
            with transaction.atomic():
                bulk_write_lock(LOCK)
                held.set()
                release.wait(30)

        one = Worker(holder)
        one.start()
        self.assertTrue(held.wait(30))
        periods = Period.objects.count()
        started = time.monotonic()
        try:
            result = observations_import(
                csv_bytes(ROWS), name="obs.csv", lock_timeout=1
            )
        finally:
            waited = time.monotonic() - started
            release.set()
            one.outcome()
        self.assertFalse(result.ok)
        self.assertEqual(
            [(e.row, e.message) for e in result.errors], [(0, busy_message())]
        )
        self.assertEqual(
            busy_message(),
            "另一个批量导入正在写入数据库，本次导入未写入任何数据；请等它完成后再试。",
        )
        self.assertEqual((result.created, result.updated), (0, 0))
        if POSTGRES:
            self.assertGreaterEqual(waited, 1.0)
        self.assertEqual(Observation.objects.count(), 0)
        self.assertEqual(Period.objects.count(), periods)
        self.assertFalse(
            AuditLog.objects.filter(action=AuditLog.Action.IMPORT).exists()
        )

    def test_admin_upload_while_another_import_writes(self):
        """The 批量导入 page shows the busy message (PostgreSQL: after its shorter
        wait, inside the app server's timeout); nothing is written."""
        root = UserFactory(username="root", is_staff=True, is_superuser=True)
        self.client.force_login(root)
        held, release = threading.Event(), threading.Event()

        def holder():
            with transaction.atomic():
                bulk_write_lock(LOCK)
                held.set()
                release.wait(60)

        one = Worker(holder)
        one.start()
        self.assertTrue(held.wait(30))
        try:
            response = self.client.post(
                reverse("admin:quality_observation_bulk_import"),
                {"file": SimpleUploadedFile("obs.csv", csv_bytes(ROWS).getvalue())},
            )
        finally:
            release.set()
            one.outcome()
        self.assertContains(response, "发现 1 个错误，未写入任何数据。")
        self.assertContains(response, busy_message())
        self.assertEqual(Observation.objects.count(), 0)

    def test_two_imports_of_one_file_started_together(self):
        barrier = threading.Barrier(2)

        def start():
            barrier.wait(10)
            return observations_import(csv_bytes(ROWS), name="obs.csv")

        workers = [Worker(start), Worker(start)]
        for worker in workers:
            worker.start()
        results = sorted(
            (w.outcome() for w in workers), key=lambda r: r.created, reverse=True
        )
        first, second = results
        self.assertTrue(first.ok, first.errors)
        self.assertEqual(first.created, len(ROWS))
        if second.ok:
            self.assertEqual((second.created, second.unchanged), (0, len(ROWS)))
        else:
            self.assertFalse(POSTGRES, second.errors)
            self.assertEqual([e.message for e in second.errors], [busy_message()])
        self.assert_each_row_once()
