"""Outages (issue #13 §1): /healthz fails when the database cannot be written or the
shared cache cannot be reached; the API answers a JSON 503 while the database is down.

The failures are real: a real connection to a SQLite file that cannot be written or
opened, or to a PostgreSQL server that refuses writes or does not listen; a cache
directory that cannot be created, a cache table that does not exist.
"""

import os
import shutil
import socket
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection, connections
from django.db.migrations.recorder import MigrationRecorder
from django.db.utils import load_backend
from django.test import TestCase, override_settings
from mailer.models import Message

from tests.factories import ArticleFactory

ENGINE = connection.settings_dict["ENGINE"]
ON_POSTGRES = connection.vendor == "postgresql"


@contextmanager
def default_database(**settings_dict):
    """Serve requests from a real connection made with ``settings_dict`` (a copy of
    the test database's settings with these changes) instead of the test database."""
    saved = connections["default"]
    merged = {**saved.settings_dict, **settings_dict}
    wrapper = load_backend(merged["ENGINE"]).DatabaseWrapper(merged, alias="default")
    connections._connections.default = wrapper
    try:
        yield wrapper
    finally:
        try:
            wrapper.close()
        finally:
            connections._connections.default = saved


def sqlite_settings(path: Path) -> dict:
    return {
        "ENGINE": "yantai.sqlite",
        "NAME": str(path),
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 1},
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
        "TEST": {},
    }


@contextmanager
def read_only_file(path: Path):
    """Make ``path`` unwritable, also for root (who ignores the mode bits)."""
    path.chmod(0o444)
    immutable = os.geteuid() == 0 and shutil.which("chattr")
    if immutable:
        subprocess.run(["chattr", "+i", str(path)], check=True)
    try:
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        path.chmod(0o644)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def unreachable_database():
    """``default_database`` of a server that does not listen (PostgreSQL) or a file
    that cannot be opened (SQLite)."""
    if ON_POSTGRES:
        unreachable = {"HOST": "127.0.0.1", "PORT": closed_port()}
    else:
        unreachable = sqlite_settings(Path("/nonexistent-dir/db.sqlite3"))
    return default_database(**{**unreachable, "CONN_MAX_AGE": 0})


class HealthzTests(TestCase):
    def test_ok(self):
        response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"status": "ok"})

    def test_the_write_probe_leaves_nothing_behind(self):
        recorder = MigrationRecorder(connection)
        before = recorder.migration_qs.count()
        self.assertEqual(self.client.get("/healthz").status_code, 200)
        self.assertEqual(recorder.migration_qs.count(), before)
        self.assertFalse(recorder.migration_qs.filter(app="healthz").exists())

    def test_503_when_the_sqlite_file_is_read_only(self):
        workdir = Path(tempfile.mkdtemp(prefix="yantai-healthz-"))
        self.addCleanup(shutil.rmtree, workdir, ignore_errors=True)
        path = workdir / "db.sqlite3"
        # A real database file with the table the probe writes to (and the mail
        # queue's, which it reads), then read-only.
        with default_database(**sqlite_settings(path)) as db:
            MigrationRecorder(db).ensure_schema()
            with db.schema_editor() as editor:
                editor.create_model(Message)
            with db.cursor() as cursor:
                cursor.execute("PRAGMA journal_mode=WAL")
        with default_database(**sqlite_settings(path)):
            self.assertEqual(self.client.get("/healthz").status_code, 200)
        with read_only_file(path), default_database(**sqlite_settings(path)):
            response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.json(), {"status": "error", "database": "read-only"})

    if ON_POSTGRES:  # the embedded database's case is the read-only file above

        def test_503_when_postgresql_refuses_writes(self):
            """A session whose transactions are read-only, as on a standby."""
            options = {
                **connection.settings_dict.get("OPTIONS", {}),
                "options": "-c default_transaction_read_only=on",
            }
            with default_database(OPTIONS=options, CONN_MAX_AGE=0):
                response = self.client.get("/healthz")
            self.assertEqual(response.status_code, 503)
            self.assertEqual(response.json()["database"], "read-only")

    def test_503_when_the_database_is_unreachable(self):
        with unreachable_database():
            response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.json()["database"], "unreachable")

    def test_503_when_the_shared_cache_directory_cannot_be_made(self):
        blocker = Path(tempfile.mkstemp(prefix="yantai-not-a-dir-")[1])
        self.addCleanup(blocker.unlink)
        shared = {
            "BACKEND": "yantai.caching.FileBasedCache",
            "LOCATION": str(blocker / "shared"),  # under a file: no directory, ever
        }
        with override_settings(CACHES={**settings.CACHES, "shared": shared}):
            response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 503)
        self.assertEqual(
            response.json(), {"status": "error", "shared_cache": "unreachable"}
        )

    def test_503_when_the_shared_cache_table_does_not_exist(self):
        shared = {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "no_such_cache_table",
        }
        with override_settings(CACHES={**settings.CACHES, "shared": shared}):
            response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.json()["shared_cache"], "unreachable")


class ApiOutageTests(TestCase):
    """While the database is down the API answers JSON 503, not the HTML 500 page."""

    @classmethod
    def setUpTestData(cls):
        ArticleFactory()

    def unreachable(self):
        if ON_POSTGRES:
            return default_database(
                HOST="127.0.0.1", PORT=closed_port(), CONN_MAX_AGE=0
            )
        return default_database(**sqlite_settings(Path("/nonexistent-dir/db.sqlite3")))

    def test_api_answers_json_503(self):
        self.client.raise_request_exception = False
        self.assertEqual(self.client.get("/api/v1/articles/").status_code, 200)
        for url in ["/api/v1/articles/", "/api/v1/channels/", "/api/v1/indicators/"]:
            with self.subTest(url=url), self.unreachable():
                response = self.client.get(url)
                self.assertEqual(response.status_code, 503)
                self.assertEqual(response["Content-Type"], "application/json")
                self.assertEqual(response["Retry-After"], "30")
                self.assertEqual(
                    response.json(), {"detail": "数据库暂时无法访问，请稍后再试。"}
                )

    def test_the_site_still_answers_after_the_outage(self):
        with self.unreachable():
            self.client.raise_request_exception = False
            self.client.get("/api/v1/articles/")
        self.assertEqual(self.client.get("/api/v1/articles/").status_code, 200)
