#!/usr/bin/env python3
"""The fast path's answer in-process: CPU or machine instructions per cached article
page served by ``yantai.fastpath`` (issue #14's filled and editing runs are mostly
these answers), on SQLite or on PostgreSQL + Redis, for this tree or another.

Usage (from the project root):

    .venv/bin/python bench/fast_answer.py                         # SQLite, CPU time
    .venv/bin/python bench/fast_answer.py --instructions          # callgrind
    .venv/bin/python bench/fast_answer.py --tree /tmp/base --instructions
    .venv/bin/python bench/fast_answer.py \\
        --database-url postgres://yantai:yantai-ci@127.0.0.1:5432/yantai_bench \\
        --redis-url redis://127.0.0.1:6379/7 --instructions

The database is the bench's (``bench/data/bench-20000.sqlite3``, or the PostgreSQL
database ``bench/serving_under_edits.py --database-url`` made), only read. ``--n``
published articles, evenly spaced by id, are each served once through
``yantai.wsgi.application`` (Django renders and keeps the page), then served again
``--rounds`` times in a shuffled order, each answer checked to come from the fast
path (a page it does not serve, such as one whose 下线时间 is near, is left out;
more than 1 % left out is an error). ``--n 20000`` serves every article: the pages'
files and rows are then read from all over the disk cache, as in a served run. The
page cache is a directory of its own under the system's temporary directory per
tree (or the Redis database given). CPU time: the best round's mean (``time.process_time``: this
process only; the PostgreSQL and Redis servers' CPU is not counted). Instructions
(``--instructions``, needs valgrind): the same run under callgrind with 1 and with
``1 + rounds`` rounds, the difference divided by the answers, so that start-up and
the first pass cancel out; what the kernel does for the sockets is not counted.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SQLITE = ROOT / "bench" / "data" / "bench-20000.sqlite3"


def worker(options) -> None:
    tree = Path(options.tree).resolve()
    os.chdir(tree)
    sys.path.insert(0, str(tree))
    caches = Path(tempfile.gettempdir()) / "fast_answer" / tree.name
    env = {
        "DJANGO_SETTINGS_MODULE": "yantai.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-" + "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_MANIFEST_STATIC": "0",
        "ARTICLE_PAGE_CACHE_SECONDS": "3600",
        "PAGE_CACHE_DIR": str(caches / "pages"),
        "SHARED_CACHE_DIR": str(caches / "shared"),
    }
    if options.database_url:
        env["DATABASE_URL"] = options.database_url
    else:
        os.environ.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = str(options.db)
    if options.redis_url:
        env["REDIS_URL"] = options.redis_url
    else:
        os.environ.pop("REDIS_URL", None)
    os.environ.update(env)
    import django

    django.setup()
    from news.models import Article
    from yantai.fastpath import FastPathApplication
    from yantai.wsgi import application

    ids = list(Article.objects.published().order_by("id").values_list("id", flat=True))
    ids = ids[:: max(1, len(ids) // options.n)][: options.n]
    paths = [Article(pk=pk).get_absolute_url() for pk in ids]

    def environ(path: str) -> dict:
        return {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "HTTP_HOST": "127.0.0.1:8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_ACCEPT": "*/*",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
            "wsgi.version": (1, 0),
        }

    def start_response(status, headers, exc_info=None):
        if not status.startswith("200"):
            raise SystemExit(f"not 200: {status}")

    for path in paths:  # Django renders (or finds) and keeps each page
        b"".join(application(environ(path), start_response))
    # A page the fast path does not serve (one whose 下线时间 is near, say) is left
    # out; more than one in a hundred says the fast path is broken.
    served = [
        path
        for path in paths
        if FastPathApplication.try_serve(environ(path), start_response) is not None
    ]
    if len(paths) - len(served) > len(paths) // 100:
        raise SystemExit(
            f"not served by the fast path: {sorted(set(paths) - set(served))[:5]}"
        )
    paths = served
    random.Random(1).shuffle(paths)  # not in id order: the pages' files and rows too
    best = float("inf")
    for _ in range(options.rounds):
        started = time.process_time()
        for path in paths:
            b"".join(application(environ(path), start_response))
        best = min(best, (time.process_time() - started) / len(paths))
    print(f"CPU {best * 1e6:.0f} us an answer (best of {options.rounds} rounds)")


def instructions(options, rounds: int) -> int:
    command = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        __file__,
        "--worker",
        *worker_arguments(options, rounds),
    ]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stderr
    return int(re.search(r"Collected : (\d+)", out).group(1))


def worker_arguments(options, rounds: int) -> list[str]:
    arguments = ["--tree", str(options.tree), "--n", str(options.n)]
    arguments += ["--rounds", str(rounds), "--db", str(options.db)]
    if options.database_url:
        arguments += ["--database-url", options.database_url]
    if options.redis_url:
        arguments += ["--redis-url", options.redis_url]
    return arguments


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", default=str(ROOT), help="the project tree to run")
    parser.add_argument("--n", type=int, default=300, help="articles")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--db", type=Path, default=SQLITE)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--redis-url", default="")
    parser.add_argument("--instructions", action="store_true")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.worker or not options.instructions:
        worker(options)
        return
    instructions(options, 1)  # the caches filled, so that both runs find them so
    one = instructions(options, 1)
    more = instructions(options, 1 + options.rounds)
    answers = options.rounds * options.n
    print(f"{(more - one) / answers / 1000:.0f}k instructions an answer ({answers})")


if __name__ == "__main__":
    main()
