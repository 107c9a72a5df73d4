"""``manage.py``'s exit: the heap frozen for the interpreter's last pass, the
database connections closed first (``manage.end_without_collection``).

Each case is a real ``manage.py`` process with an environment built from scratch.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from django.test import SimpleTestCase

from tests.test_deploy_settings import ROOT, clean_env, python


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


WRITE = (
    "from django.db import connection\n"
    "with connection.cursor() as c:\n"
    "    c.execute('CREATE TABLE t (x)')\n"
    "    c.execute('INSERT INTO t VALUES (1)')\n"
    "import gc; print('frozen before exit:', gc.get_freeze_count())\n"
)


class ExitTests(SimpleTestCase):
    def test_sqlite_connection_is_closed_before_the_heap_is_frozen(self):
        env = clean_env(DJANGO_SECRET_KEY="exit-test-key", DATABASE_URL="")
        db = Path(env["SQLITE_PATH"])
        result = manage("shell", "-c", WRITE, env=env)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("frozen before exit: 0", result.stdout)
        # The last connection to a database in WAL mode checkpoints and removes
        # the log when it is closed; a process ending with it open leaves it.
        self.assertTrue(db.exists())
        self.assertFalse(Path(f"{db}-wal").exists())
        self.assertEqual(result.stderr, "")
        import sqlite3

        with sqlite3.connect(db) as check:
            self.assertEqual(check.execute("SELECT x FROM t").fetchall(), [(1,)])

    def test_the_hook_closes_then_freezes(self):
        code = (
            "import gc, manage, django\n"
            "django.setup()\n"
            "from django.db import connection\n"
            "connection.ensure_connection()\n"
            "manage.end_without_collection()\n"
            "print(connection.connection is None, gc.get_freeze_count() > 1000)\n"
        )
        result = python(code, clean_env(DJANGO_SECRET_KEY="exit-test-key"))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.split(), ["True", "True"])

    def test_broken_settings_still_exit_with_their_own_error_only(self):
        env = clean_env(DJANGO_SECRET_KEY="exit-test-key", DATABASE_URL="nosuch://x")
        result = manage("check", env=env)  # the settings refuse the database URL
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("UnknownSchemeError", result.stderr)
        self.assertNotIn("atexit", result.stderr)
