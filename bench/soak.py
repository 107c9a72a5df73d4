#!/usr/bin/env python3
"""Soak: mixed load for minutes on one gunicorn started like ./run (issue #13 §4).

Usage (from the project root):

    .venv/bin/python bench/soak.py [--minutes 10] [--n 2000] [--reuse-db]
        [--save-every 3] [--port 8831]

Steps:

1. A fresh SQLite file ``bench/data/soak-N.sqlite3`` (git-ignored; kept with
   ``--reuse-db``): ``migrate``, the first N articles of the shared dataset
   (``../shared/bench/make_dataset.py --n N --seed 1``, imported as
   ``article_bench.py`` does), the search index, one superuser with an API token.
2. gunicorn with ./run's options (2 sync workers, its own control socket under
   ``bench/data/``, ``DEBUG=False``) via ``bench/serving.py``; the server's stderr
   (gunicorn's error log and Django's log, level WARNING) goes to
   ``bench/data/soak-server.log``. No access log (as the other benches).
3. For ``--minutes``, at once: three wrk processes (``bench/wrk_percentiles.lua``,
   random URL from the kind's list) on public article pages (4 connections), search
   (2) and the API article list (2); and an editor who, every ``--save-every``
   seconds, reads a published article's working copy through the API
   (``GET /api/v1/drafts/ID/``, its ETag) and saves it (``PATCH`` with ``If-Match``,
   a new summary: a draft over the live article, as an editor's save in the admin).
   The API throttles are raised so that they count but do not answer 429.
4. Worker RSS (``/proc/PID/status`` VmRSS of gunicorn's children) before the first
   request, after every minute and at the end, with the machine's load average.

Prints, per kind, requests, non-2xx, socket errors, p50/p99 (wrk's latency
histogram; the editor's from its own timings), "database is locked" lines in the
server log, the RSS samples, and a final ``SOAK`` line.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import serving
from article_bench import IMPORT, dataset
from serving import serve, stop

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
LUA = ROOT / "bench" / "wrk_percentiles.lua"
PYTHON = sys.executable
LOAD = {"article": 4, "search": 2, "api": 2}  # wrk connections per kind
SEARCH_WORDS = ["质量", "标准", "烟台", "食品抽检", "检验检测", "品牌", "企业", "计量"]

SETUP = r"""
import json
import django
django.setup()
from django.contrib.auth import get_user_model
from api.services import api_token_create
from news.models import Article
User = get_user_model()
user = User.objects.filter(username="soak-editor").first()
if user is None:
    user = User.objects.create_superuser("soak-editor", "soak@example.com", "soak-editor-pw")
_token, secret = api_token_create(user=user, name="soak")
ids = list(Article.objects.published().order_by("id").values_list("id", flat=True))
print(json.dumps({"token": secret, "ids": ids}))
"""


def soak_env(db: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        SQLITE_PATH=str(db),
        DJANGO_SETTINGS_MODULE="yantai.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY", "soak-" + "x" * 50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_MANIFEST_STATIC="0",
        API_THROTTLE_ANON="100000/s",
        API_THROTTLE_USER="100000/s",
        PAGE_CACHE_DIR=str(DATA / "soak-pages"),
        SHARED_CACHE_DIR=str(DATA / "soak-shared"),
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
        # ./run's gunicorn options that bench/serving.py does not set.
        GUNICORN_CMD_ARGS=f"--control-socket {DATA / f'soak-{port}.ctl'}",
    )
    return env


def build(db: Path, env: dict[str, str], n: int) -> None:
    for stale in DATA.glob(f"{db.name}*"):
        stale.unlink()
    started = time.perf_counter()
    for command in (["migrate", "-v", "0"], ["createcachetable"]):
        subprocess.run([PYTHON, "manage.py", *command], env=env, cwd=ROOT, check=True)
    subprocess.run(
        [PYTHON, "-c", IMPORT, str(dataset(n))], env=env, cwd=ROOT, check=True
    )
    subprocess.run(
        [PYTHON, "manage.py", "rebuild_search_index", "-v", "0"],
        env=env,
        cwd=ROOT,
        check=True,
    )
    print(f"BUILD {n} articles in {time.perf_counter() - started:.0f} s", flush=True)


def worker_rss(master: int) -> list[int]:
    """Resident set size (MiB) of each gunicorn worker (the master's children)."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    sizes = []
    for pid in children:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except FileNotFoundError:
            continue
        kib = next(
            int(x.split()[1]) for x in status.splitlines() if x.startswith("VmRSS")
        )
        sizes.append(round(kib / 1024))
    return sorted(sizes)


class Editor(threading.Thread):
    """Saves a published article's draft through the API every ``every`` seconds."""

    def __init__(
        self, port: int, token: str, ids: list[int], every: float, until: float
    ):
        super().__init__(daemon=True)
        self.base = f"http://127.0.0.1:{port}/api/v1/drafts/"
        self.headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
        self.ids = ids[:20]
        self.every = every
        self.until = until
        self.latencies: list[float] = []  # ms per save (GET + PATCH)
        self.failures: list[str] = []

    def call(self, method: str, url: str, body: dict | None = None, **headers):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            url,
            data=data,
            method=method,
            headers={**self.headers, **headers}
            | ({"Content-Type": "application/json"} if data else {}),
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            return response

    def run(self) -> None:
        saves = 0
        while time.monotonic() < self.until:
            pk = self.ids[saves % len(self.ids)]
            saves += 1
            started = time.perf_counter()
            try:
                etag = self.call("GET", f"{self.base}{pk}/").headers["ETag"]
                self.call(
                    "PATCH",
                    f"{self.base}{pk}/",
                    {"summary": f"浸泡测试第 {saves} 次保存：编辑修改摘要。"},
                    **{"If-Match": etag},
                )
                self.latencies.append((time.perf_counter() - started) * 1000)
            except (urllib.error.URLError, OSError) as error:
                self.failures.append(f"{pk}: {error}")
            time.sleep(max(0.0, self.every - (time.perf_counter() - started)))


def percentile(values: list[float], q: float) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--save-every", type=float, default=3.0)
    parser.add_argument("--port", type=int, default=8831)
    parser.add_argument("--reuse-db", action="store_true")
    options = parser.parse_args()

    DATA.mkdir(parents=True, exist_ok=True)
    db = DATA / f"soak-{options.n}.sqlite3"
    env = soak_env(db, options.port)
    if not (options.reuse_db and db.exists()):
        build(db, env, options.n)
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        env=env,
        cwd=ROOT,
        check=True,
    )
    setup = subprocess.run(
        [PYTHON, "-c", SETUP],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    facts = json.loads(setup.stdout.strip().splitlines()[-1])
    ids = facts["ids"]

    rng = random.Random(1)
    urls = {
        "article": [f"/news/{i}/" for i in ids],
        "search": [
            f"/search/?q={urllib.parse.quote(w)}&page={rng.randint(1, 3)}"
            for w in SEARCH_WORDS
            for _ in range(10)
        ],
        "api": [f"/api/v1/articles/?page={rng.randint(1, 20)}" for _ in range(100)],
    }
    lists = {}
    for kind, paths in urls.items():
        lists[kind] = DATA / f"soak-urls-{kind}.txt"
        lists[kind].write_text("".join(f"{p}\n" for p in paths))

    seconds = round(options.minutes * 60)
    log = DATA / "soak-server.log"
    # The server's stderr (gunicorn's error log, Django's log) into the log file:
    # serving.serve lets the child inherit this process's stderr.
    saved_stderr = os.dup(2)
    with open(log, "w") as log_file:
        os.dup2(log_file.fileno(), 2)
        try:
            site = serve(["yantai.wsgi:application"], env, options.port)
        finally:
            os.dup2(saved_stderr, 2)
            os.close(saved_stderr)
    try:
        # RSS before any request, then every minute (the first minute warms the
        # workers up: templates, segmenter dictionary, caches), and at the end.
        rss = {"boot": worker_rss(site.pid)}
        load_average = {"boot": os.getloadavg()[0]}
        started = time.monotonic()
        until = started + seconds
        editor = Editor(options.port, facts["token"], ids, options.save_every, until)
        results: dict[str, dict] = {}

        def load(kind: str) -> None:
            results[kind] = serving.wrk(
                options.port,
                lists[kind],
                seconds,
                LOAD[kind],
                script=LUA,
                timeout="10s",
            )

        threads = [threading.Thread(target=load, args=(k,)) for k in LOAD]
        for thread in [*threads, editor]:
            thread.start()
        for minute in range(1, seconds // 60 + 1):
            time.sleep(max(0.0, started + 60 * minute - 1 - time.monotonic()))
            rss[f"{minute}min"] = worker_rss(site.pid)
            load_average[f"{minute}min"] = os.getloadavg()[0]
        for thread in [*threads, editor]:
            thread.join()
        rss["end"] = worker_rss(site.pid)
    finally:
        stop(site)

    text = log.read_text(errors="replace")
    locked = text.count("database is locked")
    failures = 0
    for kind in LOAD:
        r = results[kind]
        failures += int(r["non2xx"] + r["sockerr"])
        print(
            f"{kind:8} requests={int(r['requests'])} rps={r['rps']:.1f} "
            f"non2xx={int(r['non2xx'])} sockerr={int(r['sockerr'])} "
            f"p50_ms={r['p50_ms']:.1f} p99_ms={r['p99_ms']:.1f} max_ms={r['max_ms']:.1f}"
        )
    saves = editor.latencies
    failures += len(editor.failures)
    print(
        f"{'save':8} requests={len(saves)} failed={len(editor.failures)} "
        f"p50_ms={percentile(saves, 50):.1f} p99_ms={percentile(saves, 99):.1f} "
        f"max_ms={max(saves, default=float('nan')):.1f}"
    )
    for failure in editor.failures[:5]:
        print("  save failed:", failure)
    print(
        f"server log: {log} ({len(text.splitlines())} lines), database is locked: {locked}"
    )
    print("worker RSS MiB:", " ".join(f"{k}={v}" for k, v in rss.items()))
    print(
        "load average (1 min):",
        " ".join(f"{k}={v:.1f}" for k, v in load_average.items()),
    )
    warm = rss.get("1min", rss["boot"])
    print(
        f"SOAK minutes={options.minutes:g} n={options.n} failures={failures} "
        f"locked={locked} rss_after_1min={sum(warm)} rss_end={sum(rss['end'])}"
    )


if __name__ == "__main__":
    main()
