#!/usr/bin/env python3
"""Import and publish N articles of the shared dataset into Wagtail 8.0.1 (issue #16's peer).

Usage (from the project root; any Python 3.11, it needs only the standard library,
and with ``--database-url`` psycopg, as .venv has it):

    .venv/bin/python bench/wagtail_import.py [--n 20000] [--db PATH] [--index-after]
        [--database-url postgres://USER:PASSWORD@HOST:PORT/NAME]

The same-run peer of bench/import_bench.py (which runs it with ``--wagtail``). Steps:

1. make the peer's own venv, bench/.wagtail-venv, if missing (``python3 -m venv`` and
   ``pip install wagtail==8.0.1 Django==5.2.19``); the project's .venv is never touched;
2. a fresh SQLite database (default bench/data/wagtail-N.sqlite3) for the minimal
   Wagtail project bench/wagtail_peer: migrate, a superuser, one ChannelPage per
   dataset channel under the home page (with ``--database-url``, that PostgreSQL
   database instead, dropped and created again: the peer's venv then gets psycopg at
   our requirements.txt pin);
3. in a new process, under ``/usr/bin/time -v`` as ours is timed: read the first N lines
   of the shared dataset (bench/data/dataset-20000.jsonl; dataset-N.jsonl, its prefix,
   when that is missing: the rows our import reads) and create each article as Wagtail's own API does —
   ``channel.add_child(instance=page)``, ``page.save_revision(user=…)``,
   ``revision.publish(user=…)``: the treebeard tree, a revision, a publication and its
   log entry per article, the search index and the reference index kept by Wagtail's
   signals (django-tasks' default immediate backend runs them in-process). One
   ``transaction.atomic()`` per 250 articles: fewer commits than the admin's one per
   article, generous to the peer. Wagtail imports in one process (no parallelism).
   With ``--index-after``, the search backend's AUTO_UPDATE is off during the import
   and ``manage.py update_index`` runs at its end (Wagtail's documented way for bulk
   work; inside the timed process): the database backend on SQLite recomputes its
   BM25 title norms over the whole index table on every index write, three a
   published article, so the signal path's cost grows with the number of pages;
4. in another process: count the live ArticlePages and search for 质量 through
   Wagtail's search backend.

Prints one RESULT line (wall seconds of step 3, its user+system CPU and peak RSS).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from article_bench import (  # noqa: E402
    DATA,
    ROOT,
    dataset,
    recreate_postgres_database,
)
from import_bench import (  # noqa: E402
    CHANNELS,
    cpu_seconds,
    load_average,
    peak_rss_mb,
)

BENCH = Path(__file__).resolve().parent
VENV = BENCH / ".wagtail-venv"
PEER_PYTHON = VENV / "bin" / "python"
PINS = ("wagtail==8.0.1", "Django==5.2.19")
BATCH = 250


def peer_venv() -> Path:
    """The peer's venv with the pinned Wagtail and Django, made on first use."""
    if not PEER_PYTHON.exists():
        subprocess.run(["python3", "-m", "venv", str(VENV)], check=True)
        subprocess.run(
            [str(PEER_PYTHON), "-m", "pip", "install", "-q", *PINS], check=True
        )
    return PEER_PYTHON


def peer_env(db: Path, url: str | None = None) -> dict[str, str]:
    """The peer's environment: its SQLite file *db*, or the PostgreSQL database
    *url* when one is given."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        WAGTAIL_PEER_DB=str(db),
        DJANGO_SETTINGS_MODULE="wagtail_peer.settings",
        PYTHONPATH=str(BENCH),
    )
    env.pop("WAGTAIL_PEER_DATABASE_URL", None)
    if url:
        peer_install("psycopg", r"^psycopg\[binary\]==\S+")
        env["WAGTAIL_PEER_DATABASE_URL"] = url
    return env


def peer_install(module: str, pin_pattern: str) -> None:
    """*module* in the peer's venv, installed at the version our requirements.txt
    pins (the line matching *pin_pattern*) if it is missing."""
    found = subprocess.run(
        [str(peer_venv()), "-c", f"import {module}"], stderr=subprocess.DEVNULL
    )
    if found.returncode:
        pin = re.search(pin_pattern, (ROOT / "requirements.txt").read_text(), re.M)[0]
        subprocess.run(
            [str(PEER_PYTHON), "-m", "pip", "install", "-q", pin], check=True
        )


def peer(env: dict[str, str], *args: str) -> str:
    """Run the peer's Python with *args* and return its standard output."""
    done = subprocess.run(
        [str(PEER_PYTHON), *args], env=env, cwd=BENCH, capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(done.stdout[-2000:] + done.stderr[-4000:])
    return done.stdout


SETUP = r"""
import sys
import django
django.setup()
from django.contrib.auth import get_user_model
from wagtail.models import Site
from wagtail_peer.peer.models import ChannelPage
get_user_model().objects.create_superuser("bench", "", "bench-password")
home = Site.objects.get(is_default_site=True).root_page.specific
home.title = home.draft_title = "首页"  # not "Welcome to your new Wagtail site!"
home.save_revision().publish()
for name in sys.argv[1:]:
    home.add_child(instance=ChannelPage(title=name, slug=name))
"""

IMPORT = r"""
import json
import sys
import time
from itertools import islice

import django
django.setup()
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.dateparse import parse_datetime
from django.utils.text import slugify
from wagtail_peer.peer.models import ArticlePage, ChannelPage

path, n, batch, index = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
user = get_user_model().objects.get(username="bench")
channels = {channel.title: channel for channel in ChannelPage.objects.all()}
slugs = set()


def unique_slug(title):
    # What the editor's slug field makes of a title (allow_unicode, as
    # WAGTAIL_ALLOW_UNICODE_SLUGS defaults to), kept unique among the articles.
    base = slugify(title, allow_unicode=True)[:240] or "article"
    slug, number = base, 1
    while slug in slugs:
        number += 1
        slug = f"{base}-{number}"
    slugs.add(slug)
    return slug


def publish(row):
    page = ArticlePage(
        title=row["title"],
        slug=unique_slug(row["title"]),
        summary=row["summary"],
        body=[(block["type"], block["text"]) for block in row["body"]],
        published_at=parse_datetime(row["published_at"]),
        source=row["source"],
        reporters=" ".join(row["reporters"]),
        correspondents=" ".join(row["correspondents"]),
        live=False,
    )
    page.tags.add(*row["tags"])
    channels[row["channel"]].add_child(instance=page)
    revision = page.save_revision(user=user)
    revision.publish(user=user)


started, done = time.perf_counter(), 0
with open(path, encoding="utf-8") as lines:
    rows = (json.loads(line) for line in islice(lines, n))
    while chunk := list(islice(rows, batch)):
        with transaction.atomic():
            for row in chunk:
                publish(row)
        done += len(chunk)
        if done % 1000 == 0 or done == n:
            print(f"wagtail: {done} articles, {time.perf_counter() - started:.1f} s, "
                  f"{time.process_time():.1f} cpu_s", file=sys.stderr, flush=True)
if index == "after":
    from django.core.management import call_command

    call_command("update_index", verbosity=0)
    print(f"wagtail: update_index, {time.perf_counter() - started:.1f} s, "
          f"{time.process_time():.1f} cpu_s", file=sys.stderr, flush=True)
"""

CHECK = r"""
import json
import time
import django
django.setup()
import wagtail
from wagtail_peer.peer.models import ArticlePage
live = ArticlePage.objects.live()
started = time.perf_counter()
# FTS5's unicode61 tokenizer keeps a run of Chinese characters as one token: search()
# finds a word only where it is a whole run. (autocomplete(), a prefix match, finds
# more, but its count took 2.3 s at 2,000 pages and minutes at 20,000.)
hits = live.search("质量").count()
print(json.dumps({
    "version": wagtail.__version__,
    "published": live.count(),
    "search_质量": hits,
    "search_ms": round((time.perf_counter() - started) * 1000),
}))
"""


def run(
    n: int, db: Path, data: Path, index: str = "signals", url: str | None = None
) -> dict:
    """One fresh Wagtail import of the first *n* rows of *data* into *db* (or the
    PostgreSQL database *url*); *index* "signals" (Wagtail's default) or "after"
    (update_index at the end)."""
    peer_venv()
    env = peer_env(db, url)
    db.parent.mkdir(parents=True, exist_ok=True)
    for stale in db.parent.glob(db.name + "*"):
        stale.unlink()
    if url:
        recreate_postgres_database(url)
    peer(env, "-m", "django", "migrate", "-v", "0")
    peer(env, "-c", SETUP, *CHANNELS)
    load = load_average()
    times = db.with_name(db.name + ".time")
    started = time.perf_counter()
    # Its progress lines (every 1,000 articles) go to our standard error.
    subprocess.run(
        ["/usr/bin/time", "-v", "-o", str(times), str(PEER_PYTHON), "-c", IMPORT,
         str(data), str(n), str(BATCH), index],
        env=env | {"WAGTAIL_PEER_SEARCH_AUTO_UPDATE": "0" if index == "after" else "1"},
        cwd=BENCH, check=True,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    load = f"{load}-{load_average()}"
    report = times.read_text()
    check = json.loads(peer(env, "-c", CHECK).splitlines()[-1])
    return {
        "peer": f"wagtail-{check.pop('version')}",
        "engine": "postgresql" if url else "sqlite",
        "n": n,
        "index": index,
        "seconds": round(seconds, 1),
        "cpu_s": cpu_seconds(report),
        "load": load,
        "peak_rss_mb": peak_rss_mb(report),
        **check,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--db", type=Path, help="SQLite file (default: bench/data/)")
    parser.add_argument(
        "--data",
        type=Path,
        help="JSON lines to read the first N of (default: the shared dataset)",
    )
    parser.add_argument(
        "--index-after",
        action="store_true",
        help="search index by update_index after the import, not by signals",
    )
    parser.add_argument(
        "--database-url",
        help="import into this PostgreSQL database (dropped and created) instead",
    )
    args = parser.parse_args()
    shared = DATA / "dataset-20000.jsonl"
    data = args.data or (shared if shared.exists() and args.n <= 20000 else None)
    data = data or dataset(args.n)
    engine = "pg-" if args.database_url else ""
    # With --database-url the file only names the /usr/bin/time report beside it.
    db = args.db or DATA / f"wagtail-{engine}{args.n}.sqlite3"
    index = "after" if args.index_after else "signals"
    result = run(args.n, db.resolve(), data.resolve(), index, args.database_url)
    print("RESULT " + " ".join(f"{k}={v}" for k, v in result.items()), flush=True)


if __name__ == "__main__":
    main()
