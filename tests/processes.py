"""Run code in another Python process, as another worker of the same site would."""

import os
import subprocess
import sys
import unittest

from django.conf import settings


def run_in_another_process(script: str) -> None:
    """Run ``script`` in a new Python process with the test settings.

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
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"},
        timeout=60,
    )
