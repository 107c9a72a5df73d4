"""Run code in another Python process, as another worker of the same site would."""

import os
import shutil
import subprocess
import sys
import time
import unittest
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.redis_server import on_ci


def run_in_another_process(script: str, **env: str) -> None:
    """Run ``script`` in a new Python process with the test settings (and ``env``:
    ``DATABASE_URL=shared_database_url()`` for the test database).

    The ``shared`` cache on disk or in Redis is the one this process uses
    (tests/settings.py exports its directory, or the run's Redis key prefix), so the
    child acts as another worker of the same site.
    """
    if settings.CACHES["shared"]["BACKEND"].endswith("DatabaseCache"):
        raise unittest.SkipTest("the child process cannot see the test database")
    subprocess.run(
        [sys.executable, "-c", script],
        check=True,
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", **env},
        timeout=60,
    )


def shared_database_url() -> str:
    """The test database as ``DATABASE_URL`` for another process (a TransactionTestCase's
    rows are committed there); skips the test where no other process can open it."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        if connection.is_in_memory_db():
            raise unittest.SkipTest("the in-memory test database is per process")
        return f"sqlite:///{db['NAME']}"
    return (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}"
        f"/{db['NAME']}"
    )


def server_binary(name: str, package: str) -> str:
    """The path of the server program ``name`` (on PATH or in /usr/sbin); skips the
    test without it, except on CI, where it fails (``.ci/run`` installs ``package``)."""
    found = shutil.which(name) or (
        f"/usr/sbin/{name}" if Path(f"/usr/sbin/{name}").exists() else None
    )
    if not found:
        message = f"needs {name} (apt-get install {package}); .ci/run installs it"
        if on_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return found


def wait_until_answering(
    url: str, process: subprocess.Popen, name: str, seconds: float
) -> None:
    """Wait until ``url`` answers over HTTP (with any status): a server ``process``
    just started. Fails if it exits first (with its error output, if piped) or
    takes longer than ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=5).read()
            return
        except urllib.error.HTTPError:
            return  # an answer
        except OSError:
            if process.poll() is not None:
                output = process.stderr.read().decode() if process.stderr else ""
                raise AssertionError(f"{name} exited: {output}") from None
            assert time.monotonic() < deadline, f"{name} did not start"
            time.sleep(0.1)
