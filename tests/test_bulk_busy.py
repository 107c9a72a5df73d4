"""A bulk import while another one holds the database past the wait (issue #16).

Real transactions in two threads, on the real database: PostgreSQL's advisory lock,
and on SQLite a database file (``tests.sqlite_file``), whose writers wait at
``BEGIN IMMEDIATE`` for the busy timeout as in production. The first import writes
its rows and keeps its transaction open; the second — ``import_article``,
``import_observations`` or the admin's 批量导入 — waits ``BULK_IMPORT_WAIT_SECONDS``
(``BULK_IMPORT_ADMIN_WAIT_SECONDS`` in the admin), shortened here by the setting,
then stops with a Chinese message: exit status 1 for a command, the page with the
message in the admin, nothing written. The first then commits, unharmed.
"""

from __future__ import annotations

import tempfile
import threading
import time
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import TransactionTestCase, override_settings
from django.urls import reverse
from django.utils import translation

from news import pagecache
from news.bulk import CREATED, UNCHANGED, import_sources
from news.management.commands.import_article import DEFAULT_CHANNEL
from news.models import Article, AuditLog, Channel, Revision
from quality.bulk_import import observations_import
from quality.models import Observation, Period
from tests.factories import ArticleFactory, ChannelFactory, UserFactory
from tests.quality.factories import IndicatorFactory, PeriodFactory, RegionFactory
from tests.quality.test_bulk_import import ROWS, csv_bytes
from tests.sqlite_file import on_a_file
from tests.threads import Worker
from yantai.locks import busy_message

PAGES = [
    str(p)
    for p in sorted(
        (Path(settings.BASE_DIR) / "tests" / "news" / "pages").glob("*.txt")
    )
]
WAIT = 1
SQLITE = connection.vendor == "sqlite"


def holding(work):
    """A worker that does ``work`` in a transaction and keeps it open until
    released: (worker, released event). ``held`` is set once the work is done."""
    held, release = threading.Event(), threading.Event()

    def run():
        with transaction.atomic():
            result = work()
            held.set()
            release.wait(60)
        return result

    worker = Worker(run)
    worker.start()
    assert held.wait(60), "the first import did not finish its writes"
    return worker, release


def article_state() -> tuple:
    return (
        Article.objects.count(),
        Revision.objects.count(),
        AuditLog.objects.count(),
    )


def observation_state() -> tuple:
    return (
        Observation.objects.count(),
        Period.objects.count(),
        AuditLog.objects.count(),
    )


class ArticleImportBusyTests(TransactionTestCase):
    def setUp(self):
        self.channel = ChannelFactory(name="烟台新闻", slug="yantai")
        self.enterContext(on_a_file())
        # The commands speak the site's language (another test may leave English on).
        self.enterContext(translation.override(settings.LANGUAGE_CODE))

    def first_import(self):
        return holding(lambda: import_sources(PAGES, channel=self.channel))

    @override_settings(BULK_IMPORT_WAIT_SECONDS=WAIT)
    def test_the_first_import_ever_makes_its_channel_or_stops_with_the_message(self):
        """Without --channel the command makes the default channel (a write) before
        the import's own lock: it too waits the import's wait, then stops with the
        message (exit status 1), not SQLite's "database is locked"."""
        self.channel.name = "烟台要闻"  # the default channel's name is free
        self.channel.save()

        def import_without_channel():
            call_command(
                "import_article",
                *PAGES,
                "--jobs=1",
                "--no-progress",
                stdout=StringIO(),
                stderr=StringIO(),
            )

        first, release = self.first_import()
        try:
            with self.assertRaises(CommandError) as raised:
                import_without_channel()
            made = Channel.objects.filter(slug=DEFAULT_CHANNEL["slug"]).exists()
        finally:
            release.set()
        first.outcome()
        self.assertEqual(raised.exception.returncode, 1)
        self.assertIn("另一个批量导入", str(raised.exception))
        self.assertNotIn("database", str(raised.exception))
        if SQLITE:  # the channel's write waited for the lock; PostgreSQL's did not
            self.assertEqual(str(raised.exception), busy_message())
            self.assertFalse(made)
        # Free again: the channel is made and the pages come in (the first import's
        # articles are the same pages: unchanged).
        import_without_channel()
        self.assertTrue(Channel.objects.filter(slug=DEFAULT_CHANNEL["slug"]).exists())

    @override_settings(BULK_IMPORT_WAIT_SECONDS=WAIT)
    def test_command_stops_with_a_chinese_message_and_exit_status_1(self):
        before = article_state()
        first, release = self.first_import()
        out, err = StringIO(), StringIO()
        started = time.monotonic()
        try:
            with self.assertRaises(CommandError) as raised:
                call_command(
                    "import_article",
                    *PAGES,
                    "--channel=yantai",
                    "--jobs=1",
                    "--no-progress",
                    stdout=out,
                    stderr=err,
                )
            waited = time.monotonic() - started
            # Seen from outside while the first import is still open: nothing new.
            self.assertEqual(article_state(), before)
        finally:
            release.set()
        totals = first.outcome()
        self.assertEqual(raised.exception.returncode, 1)
        message = str(raised.exception)
        self.assertIn("另一个批量导入占用数据库超过 1 秒，导入在此停止", message)
        self.assertNotIn("database", message)
        self.assertGreaterEqual(waited, WAIT)
        self.assertLess(waited, WAIT + 10)
        # The one summary line, saying nothing was written.
        self.assertIn("读取 0 个：新建 0 篇", out.getvalue())
        # The first import is unharmed: every page once, its audit entry.
        self.assertEqual(totals.counts[CREATED], len(PAGES))
        self.assertEqual(Article.objects.count(), len(PAGES))
        self.assertEqual(
            AuditLog.objects.filter(action=AuditLog.Action.IMPORT).count(), 1
        )
        if connection.vendor == "sqlite":  # the connection's own wait is back
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA busy_timeout")
                self.assertEqual(cursor.fetchone()[0], 20_000)
        # Run again once the first is done: the rest comes in, nothing twice,
        # and nothing at all is written for the unchanged files.
        written = article_state()
        call_command(
            "import_article",
            *PAGES,
            "--channel=yantai",
            "--jobs=1",
            "--no-progress",
            stdout=out,
        )
        self.assertIn(f"内容未变 {len(PAGES)} 篇", out.getvalue())
        self.assertEqual(article_state(), written)

    def test_a_shorter_hold_is_waited_for(self):
        """Within the wait the second import goes on after the first commits and
        finds its articles (SQLite: waiting at BEGIN on the file, not refused)."""
        first, release = self.first_import()
        threading.Timer(1.0, release.set).start()
        started = time.monotonic()
        second = import_sources(PAGES, channel=self.channel)
        waited = time.monotonic() - started
        self.assertEqual(first.outcome().counts[CREATED], len(PAGES))
        self.assertFalse(second.busy)
        self.assertGreaterEqual(waited, 0.9)
        self.assertEqual(second.counts[UNCHANGED], len(PAGES))
        self.assertEqual(Article.objects.count(), len(PAGES))


class ObservationImportBusyTests(TransactionTestCase):
    def setUp(self):
        IndicatorFactory(code="standards_national")
        RegionFactory()
        PeriodFactory()
        self.enterContext(on_a_file())
        self.enterContext(translation.override(settings.LANGUAGE_CODE))

    def first_import(self):
        return holding(lambda: observations_import(csv_bytes(ROWS), name="one.csv"))

    @override_settings(BULK_IMPORT_WAIT_SECONDS=WAIT)
    def test_command_stops_with_a_chinese_message_and_exit_status_1(self):
        before = observation_state()
        first, release = self.first_import()
        folder = self.enterContext(tempfile.TemporaryDirectory())
        path = Path(folder) / "two.csv"
        path.write_bytes(csv_bytes(ROWS).getvalue())
        out, err = StringIO(), StringIO()
        started = time.monotonic()
        try:
            with self.assertRaises(CommandError) as raised:
                call_command(
                    "import_observations",
                    str(path),
                    "--no-progress",
                    stdout=out,
                    stderr=err,
                )
            waited = time.monotonic() - started
            self.assertEqual(observation_state(), before)
        finally:
            release.set()
        result = first.outcome()
        self.assertEqual(raised.exception.returncode, 1)
        self.assertEqual(err.getvalue().strip(), busy_message())
        self.assertIn("未写入任何数据", out.getvalue())
        self.assertGreaterEqual(waited, WAIT)
        self.assertLess(waited, WAIT + 10)
        self.assertTrue(result.ok, result.errors)
        self.assertEqual(Observation.objects.count(), len(ROWS))
        self.assertEqual(
            AuditLog.objects.filter(action=AuditLog.Action.IMPORT).count(), 1
        )

    @override_settings(BULK_IMPORT_ADMIN_WAIT_SECONDS=WAIT)
    def test_admin_upload_shows_the_message_and_writes_nothing(self):
        root = UserFactory(username="root", is_staff=True, is_superuser=True)
        self.client.force_login(root)
        before = observation_state()
        first, release = self.first_import()
        started = time.monotonic()
        try:
            response = self.client.post(
                reverse("admin:quality_observation_bulk_import"),
                {"file": SimpleUploadedFile("two.csv", csv_bytes(ROWS).getvalue())},
            )
            waited = time.monotonic() - started
            self.assertEqual(observation_state(), before)
        finally:
            release.set()
        result = first.outcome()
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, busy_message())
        self.assertContains(response, "未写入任何数据")
        self.assertNotContains(response, "database is locked")
        self.assertGreaterEqual(waited, WAIT)
        self.assertLess(waited, WAIT + 10)
        self.assertTrue(result.ok, result.errors)
        self.assertEqual(Observation.objects.count(), len(ROWS))


class PagesDuringAnImportTests(TransactionTestCase):
    def test_a_new_connection_serves_a_page_while_an_import_holds_the_database(self):
        """A worker's new connection (every DB_CONN_MAX_AGE seconds) reads the site
        chrome with a JSON subquery; Django's first JSON query of a connection asks
        whether JSON works inside a transaction — on SQLite an IMMEDIATE one, which
        waited for the import (20 s) and then failed. Now it answers at once."""
        ChannelFactory(name="烟台新闻", slug="yantai")
        self.enterContext(on_a_file())
        first, release = holding(
            lambda: import_sources(PAGES[:2], channel=ChannelFactory(slug="other"))
        )
        try:
            started = time.monotonic()
            # The chrome as a page computes it when it is not cached (the import
            # above has just cached it), on a new connection of its own.
            page = Worker(lambda: [c.slug for c in pagecache._site_chrome()[0]])
            page.start()
            slugs = page.outcome(timeout=30)
            seconds = time.monotonic() - started
        finally:
            release.set()
        first.outcome()
        self.assertEqual(slugs, ["yantai"])  # the import's channel is uncommitted
        self.assertLess(seconds, 5)

    def test_a_view_beacon_during_an_import_answers_at_once_uncounted(self):
        """A reader's view beacon (a one-row write) waits a second for the import,
        not the busy timeout holding a worker, and answers 204 uncounted (SQLite);
        PostgreSQL counts it at once."""
        article = ArticleFactory()
        self.enterContext(on_a_file())
        first, release = holding(
            lambda: import_sources(PAGES[:2], channel=ChannelFactory(slug="other"))
        )
        try:
            started = time.monotonic()
            response = self.client.post(
                reverse("news:article-view", args=[article.pk]),
                HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0",
            )
            seconds = time.monotonic() - started
        finally:
            release.set()
        first.outcome()
        self.assertEqual(response.status_code, 204)
        self.assertLess(seconds, 5)
        article.refresh_from_db()
        self.assertEqual(article.view_count, 0 if SQLITE else 1)
