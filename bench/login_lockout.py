"""What a wrong admin login costs before and after django-axes locks the guesser out.

    .venv/bin/python bench/login_lockout.py [ATTEMPTS]

Runs the production settings (yantai.settings: PBKDF2 password hashing, the real
AXES_* values) on a throw-away SQLite database, posts ATTEMPTS (default 40) wrong
passwords for one account to /admin/login/ through Django's test client, and prints
each phase's status codes and the median server time and process CPU time of one
attempt. Before the lock every attempt hashes a password; once locked, AxesStandalone-
Backend refuses before any hashing.
"""

import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["SQLITE_PATH"] = str(Path(tempfile.mkdtemp()) / "bench.sqlite3")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-" + "x" * 50)
os.environ.setdefault("SHARED_CACHE_DIR", tempfile.mkdtemp())
os.environ.setdefault("DJANGO_MANIFEST_STATIC", "0")  # no collectstatic here
os.environ["DJANGO_SETTINGS_MODULE"] = "yantai.settings"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402


def main(attempts: int) -> None:
    call_command("migrate", verbosity=0)
    get_user_model().objects.create_user(
        "editor", password="right-horse-7", is_staff=True
    )
    client = Client()
    phases: dict[str, list[tuple[int, float, float]]] = {"before": [], "locked": []}
    for _ in range(attempts):
        wall, cpu = time.perf_counter(), time.process_time()
        response = client.post(
            "/admin/login/", {"username": "editor", "password": "wrong"}
        )
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        phase = "locked" if response.status_code == 429 else "before"
        phases[phase].append((response.status_code, wall * 1000, cpu * 1000))
    print(
        f"AXES_FAILURE_LIMIT={settings.AXES_FAILURE_LIMIT}, "
        f"hasher={settings.PASSWORD_HASHERS[0].rsplit('.', 1)[-1]}"
    )
    for phase, rows in phases.items():
        if not rows:
            continue
        codes = dict(Counter(code for code, _, _ in rows))
        wall = statistics.median(w for _, w, _ in rows)
        cpu = statistics.median(c for _, _, c in rows)
        print(
            f"{phase}: {len(rows)} attempts, status {codes}, "
            f"median {wall:.1f} ms wall, {cpu:.1f} ms CPU"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 40)
