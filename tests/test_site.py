import os
import subprocess
import sys
import tempfile
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper
from django.test import SimpleTestCase, TestCase


class HealthzTests(TestCase):
    def test_ok_after_a_database_round_trip(self):
        response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"status": "ok"})

    def test_503_when_the_database_is_unreachable(self):
        """A real connection to a database file that cannot be opened."""
        unreachable = DatabaseWrapper(
            {
                **connection.settings_dict,
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": "/nonexistent-dir/db.sqlite3",
                "OPTIONS": {},
            },
            alias="unreachable",
        )
        with mock.patch("yantai.views.connection", unreachable):
            response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.json()["status"], "error")


WRITER = """
import os, sys
import django
django.setup()
from django.db import transaction
from news.models import Channel, Tag
for n in range(int(sys.argv[2])):
    with transaction.atomic():
        # read then write in one transaction: the pattern that fails with
        # "database is locked" under SQLite's default DEFERRED transactions
        Channel.objects.count()
        Tag.objects.create(name=f"w{sys.argv[1]}-{n}", slug=f"w{sys.argv[1]}-{n}")
"""


class SQLiteConcurrentWritersTests(SimpleTestCase):
    """8 processes writing at once to the embedded database lose no write."""

    def test_no_write_is_lost(self):
        workdir = Path(tempfile.mkdtemp(prefix="yantai-sqlite-"))
        env = {
            **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
            "SQLITE_PATH": str(workdir / "db.sqlite3"),
            "DJANGO_SETTINGS_MODULE": "yantai.settings",
            "PYTHONPATH": str(settings.BASE_DIR),
        }
        manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
        subprocess.run([*manage, "migrate", "-v", "0"], env=env, check=True)
        writers = [
            subprocess.Popen(
                [sys.executable, "-c", WRITER, str(i), "40"],
                env=env,
                stderr=subprocess.PIPE,
                text=True,
            )
            for i in range(8)
        ]
        errors = [w.communicate()[1] for w in writers]
        self.assertEqual([w.returncode for w in writers], [0] * 8, "\n".join(errors))
        count = (
            subprocess.run(
                [
                    *manage,
                    "shell",
                    "-c",
                    "from news.models import Tag; print(Tag.objects.count())",
                ],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        self.assertEqual(count, "320")


class WsgiTests(SimpleTestCase):
    def test_the_loaded_site_is_frozen_out_of_the_garbage_collectors_sight(self):
        """yantai.wsgi loads every view and calls gc.freeze(): full collections no
        longer walk the ~100,000 objects of the loaded site in the middle of a
        request."""
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "yantai.settings",
            "PYTHONPATH": str(settings.BASE_DIR),
        }
        code = (
            "import gc, sys; import yantai.wsgi; "
            "print(gc.get_freeze_count(), 'quality.api' in sys.modules)"
        )
        out = subprocess.run(
            [sys.executable, "-c", code],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
        self.assertGreater(int(out[0]), 50_000)
        self.assertEqual(out[1], "True")  # the views were loaded before freezing
