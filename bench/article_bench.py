#!/usr/bin/env python3
"""Article-page and channel-list throughput, by the protocol of ../shared/bench/README.md.

Usage (from the project root, after ./run test or ./run has made .venv):

    .venv/bin/python bench/article_bench.py [--n 20000] [--seconds 20] [--connections 16]

Steps: make the shared dataset (make_dataset.py --n N --seed 1) if missing; import it into
a fresh SQLite file under bench/data/ (timed); start gunicorn (2 sync workers,
DEBUG=False, 127.0.0.1) on the project and on a minimal Django view that returns a byte
string of the article page's size (the reference ceiling); run wrk with the shared
wrk_random_urls.lua against random article URLs over all N articles, then channel-list
URLs; print every RESULT line and the ratios. Needs Debian's wrk.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import serving
from serving import serve, stop

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("BENCH_SHARED", ROOT.parent / "shared" / "bench"))
DATA = ROOT / "bench" / "data"
PYTHON = sys.executable
WAGTAIL = {"article_rps": 190, "channel_rps": 81, "ceiling_rps": 6850, "import_s": 84}


def dataset(n: int) -> Path:
    path = DATA / f"dataset-{n}.jsonl"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                sys.executable,
                str(SHARED / "make_dataset.py"),
                "--n",
                str(n),
                "--seed",
                "1",
                "--out",
                str(path),
            ],
            check=True,
        )
    return path


def bench_env(db: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        SQLITE_PATH=str(db),
        DJANGO_SETTINGS_MODULE="yantai.settings",
        DJANGO_DEBUG="0",
        # DEBUG off needs a key: a throwaway one for the benchmark's own database.
        DJANGO_SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY") or "bench-" + "x" * 50,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_MANIFEST_STATIC="0",
        PYTHONPATH=str(ROOT),
    )
    return env


IMPORT = r"""
import json, sys, time
import django
django.setup()
from django.db import transaction
from django.utils.dateparse import parse_datetime
from news.models import Article, Byline, Channel, Person, Tag
from news.services import page_body_html
from news.parsing import Block

class Page:  # the shape page_body_html reads
    def __init__(self, blocks): self.blocks = blocks

start = time.perf_counter()
channels, tags, people = {}, {}, {}
def get(cache, model, name):
    if name not in cache:
        cache[name], _ = model.objects.get_or_create(name=name)
    return cache[name]
with open(sys.argv[1], encoding="utf-8") as f:
    rows = [json.loads(line) for line in f]
BATCH = 500
for i in range(0, len(rows), BATCH):
    with transaction.atomic():
        for row in rows[i:i + BATCH]:
            article = Article(
                title=row["title"], summary=row["summary"], source=row["source"],
                body=page_body_html(Page([Block(b["type"], b["text"]) for b in row["body"]])),
                published_at=parse_datetime(row["published_at"]),
                channel=get(channels, Channel, row["channel"]),
                status=Article.Status.PUBLISHED,
            )
            article.save()
            article.tags.set([get(tags, Tag, t) for t in row["tags"]])
            credits = [("记者", n) for n in row["reporters"]] + [("通讯员", n) for n in row["correspondents"]]
            Byline.objects.bulk_create(
                Byline(article=article, person=get(people, Person, n), role=r, order=o)
                for o, (r, n) in enumerate(dict.fromkeys(credits))
            )
print(json.dumps({"imported": len(rows), "seconds": round(time.perf_counter() - start, 1)}))
"""

REFERENCE_APP = r"""
import os
from django.conf import settings
settings.configure(DEBUG=False, ALLOWED_HOSTS=["*"], ROOT_URLCONF=__name__, SECRET_KEY="bench",
                   MIDDLEWARE=[])
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import path
BODY = b"x" * int(os.environ["REF_BYTES"])
def page(request, *args, **kwargs):
    return HttpResponse(BODY, content_type="text/html; charset=utf-8")
urlpatterns = [path("<path:rest>", page), path("", page)]
application = get_wsgi_application()
"""


def build_db(db: Path, env: dict[str, str], n: int, *, reuse: bool) -> None:
    """Migrate ``db`` and, unless ``reuse`` finds it imported already, import the first
    ``n`` articles of the shared dataset and index them for search. A marker file
    beside the database records a finished import, so every bench reusing the file
    (``--reuse-db``) finds the same articles, indexed."""
    url = env.get("DATABASE_URL")
    if url:  # PostgreSQL: ``db`` only names the marker; the database is recreated
        marker = DATA / f"{urlsplit(url).path.lstrip('/')}-{n}.pg-imported"
        if not (reuse and marker.exists()):
            marker.unlink(missing_ok=True)
            recreate_postgres_database(url)
    else:
        marker = Path(str(db) + ".imported")
        if not (reuse and marker.exists()):
            for stale in DATA.glob(f"{db.name}*"):
                stale.unlink()
    manage = [PYTHON, "manage.py"]
    for command in (
        ["migrate", "-v", "0"],
        ["createcachetable"],
        ["collectstatic", "--noinput", "-v", "0"],
    ):
        subprocess.run([*manage, *command], env=env, cwd=ROOT, check=True)
    if marker.exists():
        return
    out = subprocess.run(
        [PYTHON, "-c", IMPORT, str(dataset(n))],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    print("IMPORT", out.strip().splitlines()[-1], flush=True)
    subprocess.run(
        [*manage, "rebuild_search_index", "-v", "0"], env=env, cwd=ROOT, check=True
    )
    marker.write_text("1")


def recreate_postgres_database(url: str) -> None:
    """Drop and create the database of ``url`` (its role may create databases)."""
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def published_ids(env: dict[str, str]) -> list[int]:
    """The ids of the published articles of the bench's database."""
    out = subprocess.run(
        [
            PYTHON,
            "manage.py",
            "shell",
            "-c",
            "import json; from news.models import Article; "
            "print(json.dumps(list(Article.objects.published()"
            ".values_list('id', flat=True))))",
        ],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def article_urls(ids, name: str = "urls-articles.txt") -> Path:
    """The file of the article pages' addresses (one a line, for wrk's random
    requests) of the articles ``ids``, written under DATA."""
    urls = DATA / name
    urls.write_text("".join(f"/news/{i}/\n" for i in ids))
    return urls


def warm_pages(env: dict[str, str], host: str, cwd: Path = ROOT) -> float:
    """Fill the page cache for every published article with ``warm_article_pages``
    in two processes (one a core), with the tree ``cwd``; the seconds it took."""
    started = time.perf_counter()
    shards = [
        subprocess.Popen(
            [PYTHON, "manage.py", "warm_article_pages", "--host", host, "--shard", k],
            env=env,
            cwd=cwd,
            stdout=subprocess.DEVNULL,
        )
        for k in ("0/2", "1/2")
    ]
    if any(shard.wait() for shard in shards):
        raise RuntimeError("warm_article_pages failed")
    return time.perf_counter() - started


def wrk(
    port: int,
    urls: Path,
    seconds: int,
    connections: int,
    headers=(),
    *,
    cpu: bool = False,
) -> dict:
    return serving.wrk(
        port,
        urls,
        seconds,
        connections,
        script=SHARED / "wrk_random_urls.lua",
        echo=True,
        headers=headers,
        cpu=cpu,
    )


def reference_ceiling(
    env: dict[str, str],
    page_bytes: int,
    port: int,
    urls: Path,
    seconds: int,
    connections: int,
    *,
    cpu: bool = False,
) -> dict:
    """wrk against the reference app (a minimal Django view answering ``page_bytes``
    bytes on every path) under the same gunicorn settings: the protocol's ceiling.
    ``cpu``: with the CPU a request by process group (``serving.cpu_split``)."""
    (DATA / "reference_app.py").write_text(REFERENCE_APP)
    ref = serve(
        ["--chdir", str(DATA), "reference_app:application"],
        {**env, "REF_BYTES": str(page_bytes)},
        port,
        read_database=False,  # it reads none: the caller's env may name one
    )
    try:
        return wrk(port, urls, seconds, connections, cpu=cpu)
    finally:
        stop(ref)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--port", type=int, default=8811)
    parser.add_argument(
        "--reuse-db", action="store_true", help="skip the import if the DB exists"
    )
    options = parser.parse_args()

    DATA.mkdir(parents=True, exist_ok=True)
    db = DATA / f"bench-{options.n}.sqlite3"
    env = bench_env(db)
    if not (options.reuse_db and db.exists()):
        for stale in DATA.glob(f"bench-{options.n}.sqlite3*"):
            stale.unlink()
        subprocess.run(
            [PYTHON, "manage.py", "migrate", "-v", "0"], env=env, cwd=ROOT, check=True
        )
        subprocess.run(
            [PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            env=env,
            cwd=ROOT,
            check=True,
        )
        result = subprocess.run(
            [PYTHON, "-c", IMPORT, str(dataset(options.n))],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        print("IMPORT", result.stdout.strip().splitlines()[-1])

    ids = (
        subprocess.run(
            [
                PYTHON,
                "manage.py",
                "shell",
                "-c",
                "from news.models import Article, Channel; import json; "
                "print(json.dumps([list(Article.objects.published().values_list('id', flat=True)), "
                "list(Channel.objects.values_list('slug', flat=True))]))",
            ],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    article_ids, channel_slugs = json.loads(ids)
    page_urls = article_urls(article_ids)
    rng = random.Random(1)
    channel_urls = DATA / "urls-channels.txt"
    channel_urls.write_text(
        "".join(
            f"/news/channel/{urllib.parse.quote(s)}/?page={rng.randint(1, 50)}\n"
            for s in channel_slugs
            for _ in range(20)
        )
    )

    pages = DATA / "pages"
    cold_env = {**env, "ARTICLE_PAGE_CACHE_SECONDS": "0", "PAGE_CACHE_DIR": str(pages)}
    site = serve(["yantai.wsgi:application"], cold_env, options.port)
    try:
        page = urllib.request.urlopen(
            f"http://127.0.0.1:{options.port}/news/{article_ids[0]}/"
        ).read()
        wrk(options.port, page_urls, 3, options.connections)  # warm-up
        print("== article pages, no page cache (every page rendered)")
        cold = wrk(options.port, page_urls, options.seconds, options.connections)
        print("== channel lists")
        channel = wrk(options.port, channel_urls, options.seconds, options.connections)
    finally:
        stop(site)

    # The page cache filled beforehand (manage.py warm_article_pages, two processes),
    # as after publishing: every article page is then one query and a file read.
    warm_env = {
        **env,
        "ARTICLE_PAGE_CACHE_SECONDS": "3600",
        "PAGE_CACHE_DIR": str(pages),
    }
    took = warm_pages(warm_env, f"127.0.0.1:{options.port}")
    print(f"WARM {len(article_ids)} pages in {took:.0f} s")
    site = serve(["yantai.wsgi:application"], warm_env, options.port)
    try:
        wrk(options.port, page_urls, 3, options.connections)  # warm-up
        print("== article pages, page cache filled")
        warm = wrk(options.port, page_urls, options.seconds, options.connections)
    finally:
        stop(site)
    print("== reference ceiling (minimal Django view, same page size)")
    ceiling = reference_ceiling(
        env,
        len(page),
        options.port + 1,
        page_urls,
        options.seconds,
        options.connections,
    )

    theirs = WAGTAIL["article_rps"] / WAGTAIL["ceiling_rps"]
    for label, result in (("article page, cold", cold), ("article page, warm", warm)):
        ours = result["rps"] / ceiling["rps"]
        print(
            f"{label}: {result['rps']:.0f}/s = {ours:.1%} of the ceiling "
            f"({ceiling['rps']:.0f}/s); Wagtail reference {theirs:.1%} "
            f"→ {ours / theirs:.1f}× Wagtail"
        )
    ours_c = channel["rps"] / ceiling["rps"]
    theirs_c = WAGTAIL["channel_rps"] / WAGTAIL["ceiling_rps"]
    print(
        f"channel list: {channel['rps']:.0f}/s = {ours_c:.1%} of the ceiling; "
        f"Wagtail reference {theirs_c:.1%} → {ours_c / theirs_c:.1f}× Wagtail"
    )
    print(f"page size {len(page)} bytes")


if __name__ == "__main__":
    import urllib.parse  # noqa: F401  (used for channel URLs)

    main()
