#!/usr/bin/env python3
"""Article pages while the newsroom works (issue #14's benchmarks), by the protocol of
../shared/bench/README.md.

Usage (from the project root, after ./run test or ./run has made .venv):

    .venv/bin/python bench/serving_under_edits.py [--n 20000] [--seconds 30]
        [--connections 16] [--reuse-db] [--skip-warm]
        [--wagtail tags|siblings|previous] [--cpu]

Steps, all on one SQLite file ``bench/data/bench-N.sqlite3`` (made as
``article_bench.py`` makes it; ``--reuse-db`` keeps it, migrations are applied), or
with ``--database-url postgres://… --redis-url redis://…`` on PostgreSQL with the
page and shared caches in Redis (the deployment of docs/deployment.md):

1. **cold**: gunicorn (2 sync workers, ``DEBUG=False``) with the page cache empty
   and no page ever cached (``ARTICLE_PAGE_CACHE_SECONDS=0``): every request renders
   its page; the shared fragments (最新文章, channel menu) come from the cache.
2. ``warm_article_pages`` (two shards) fills the page cache for every article.
3. **filled**: random over every article, nobody editing.
4. **editing** (``--edit-seconds``, 75): the same, while an editor process saves a
   draft over a random live article every 5 s and 终审 publishes one revised article a
   minute, the first 15 s in (送审 → 初审 → 复审 → 终审 through ``news.workflow``,
   the admin's write path).
5. **ceiling**: the minimal Django view returning the same number of bytes,
   measured right after each of the three runs (our server idle or stopped), and
   each run's share taken of its own: this machine's speed moves within minutes
   (docs/benchmarks.md, 2026-12-06), and one ceiling measured after all three runs
   once stood at 5,054/s where the others of the hour were 3,300–3,900/s.
6. with ``--wagtail RELATED``: the Wagtail 8.0.1 peer serving its own import of the
   same N articles, with its own ceiling (``bench/wagtail_serving.py``; RELATED is
   its 相关文章: ``tags`` as ours, ``previous`` the cheapest), so that the cold
   figure is also compared with Wagtail's share measured in the same run.

Prints every RESULT line, the editor's counts, the workers' RSS after the editing
run, and each figure as a share of the ceiling (and for cold, against Wagtail's
share of its own ceiling: the README's, 190 of 6,850/s, and with ``--wagtail`` the
one measured in this run). With ``--cpu``, after each RESULT line a ``CPU`` line: the
machine's CPU a request during that run by process group, from ``/proc``
(``serving.cpu_split``): the gunicorn workers, the PostgreSQL and Redis servers,
wrk, every other process, and the cores' idle time; it shows, on one machine, what
each request costs the servers beside the app and how much time the two sync
workers leave the cores idle while they wait.
"""

from __future__ import annotations

import argparse
import subprocess
import urllib.request
from pathlib import Path

from article_bench import (
    DATA,
    PYTHON,
    ROOT,
    WAGTAIL,
    article_urls,
    bench_env,
    build_db,
    published_ids,
    reference_ceiling,
    warm_pages,
    wrk,
)
from serving import serve, stop
from wagtail_serving import RELATED
from wagtail_serving import measure as measure_peer

EDITOR = r"""
import json, random, sys, time
import django
django.setup()
from django.contrib.auth import get_user_model
from news import workflow
from news.models import Article
from news.services import article_update

seconds, save_every, publish_every = (float(x) for x in sys.argv[1:4])
User = get_user_model()
user = User.objects.filter(username="bench-editor").first()
if user is None:
    user = User.objects.create_superuser("bench-editor", "b@example.com", "bench-pw-1")
ids = list(Article.objects.published().values_list("id", flat=True))
rng = random.Random(2)
saves = publications = 0
start = time.monotonic()
next_publish = start + 15  # the first a quarter-minute in, then every minute
while time.monotonic() - start < seconds:
    article = Article.objects.get(pk=rng.choice(ids))
    article_update(article=article, by=user, values={"summary": f"{article.summary[:60]}（{saves}）"})
    saves += 1
    if time.monotonic() >= next_publish:
        article = Article.objects.get(pk=rng.choice(ids))
        # Stamped with the time: on a reused database the same seed picks the same
        # articles, and a summary that came out as the live one (runs of "修订 0："
        # cut at 60 characters) made no draft, so 送审 was refused.
        article_update(article=article, by=user, values={"summary": f"修订 {publications}（{time.time():.0f}）：{article.summary[-40:]}"})
        for step in (workflow.article_submit, workflow.article_approve, workflow.article_approve):
            article = step(article=Article.objects.get(pk=article.pk), by=user)
        workflow.article_publish(article=Article.objects.get(pk=article.pk), by=user)
        publications += 1
        next_publish += publish_every
    time.sleep(save_every)
print(json.dumps({"draft_saves": saves, "publications": publications}))
"""


def worker_rss(master: int) -> list[int]:
    """VmRSS in MiB of the gunicorn master's children."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    sizes = []
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]) // 1024)
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--edit-seconds",
        type=int,
        default=75,
        help="length of the editing run (publications at 15 s, 75 s, …)",
    )
    parser.add_argument("--port", type=int, default=8851)
    parser.add_argument("--reuse-db", action="store_true")
    parser.add_argument(
        "--skip-warm", action="store_true", help="keep the page cache of a last run"
    )
    parser.add_argument(
        "--database-url",
        help="run on this PostgreSQL database (recreated unless --reuse-db finds it "
        "imported) instead of the SQLite file",
    )
    parser.add_argument(
        "--redis-url", help="pages and shared caches in this Redis (emptied first)"
    )
    parser.add_argument(
        "--wagtail",
        choices=RELATED,
        help="also serve the Wagtail peer (bench/wagtail_serving.py) with this "
        "related list and compare the cold share with its share in this run",
    )
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="also print the machine's CPU a request of each run by process group "
        "(gunicorn, postgres, redis, wrk, other, idle; from /proc)",
    )
    options = parser.parse_args()
    cpu = options.cpu

    DATA.mkdir(parents=True, exist_ok=True)
    db = DATA / f"bench-{options.n}.sqlite3"
    pages = DATA / "edits-pages"
    shared = DATA / "edits-shared"
    env = {
        **bench_env(db),
        "PAGE_CACHE_DIR": str(pages),
        "SHARED_CACHE_DIR": str(shared),
        "EDITORIAL_SEPARATION_OF_DUTIES": "0",
        "GUNICORN_CMD_ARGS": f"--control-socket {DATA / 'edits.ctl'}",
    }
    if options.database_url:
        env["DATABASE_URL"] = options.database_url
    if options.redis_url:
        env["REDIS_URL"] = options.redis_url
        import redis

        redis.Redis.from_url(options.redis_url).flushdb()
    build_db(db, env, options.n, reuse=options.reuse_db)
    ids = published_ids(env)
    urls = article_urls(ids)
    port, seconds, conns = options.port, options.seconds, options.connections
    results = {}
    ceilings = {}

    def ceiling_after(label: str) -> None:
        print(
            f"== ceiling after {label}: minimal Django view, same page size", flush=True
        )
        ceilings[label] = reference_ceiling(
            env, len(page), port + 1, urls, seconds, conns, cpu=cpu
        )

    cold_env = {**env, "ARTICLE_PAGE_CACHE_SECONDS": "0"}
    site = serve(["yantai.wsgi:application"], cold_env, port)
    try:
        page = urllib.request.urlopen(f"http://127.0.0.1:{port}/news/{ids[0]}/").read()
        wrk(port, urls, 3, conns)
        print("== cold: no page cached, fragments cached", flush=True)
        results["cold"] = wrk(port, urls, seconds, conns, cpu=cpu)
    finally:
        stop(site)
    ceiling_after("cold")

    warm_env = {**env, "ARTICLE_PAGE_CACHE_SECONDS": "3600"}
    if not options.skip_warm:
        took = warm_pages(warm_env, f"127.0.0.1:{port}")
        print(f"WARM {len(ids)} pages in {took:.0f} s")
    site = serve(["yantai.wsgi:application"], warm_env, port)
    try:
        wrk(port, urls, 3, conns)
        print("== filled: page cache filled, nobody editing", flush=True)
        results["filled"] = wrk(port, urls, seconds, conns, cpu=cpu)
        ceiling_after("filled")  # our workers idle meanwhile
        print(
            "== editing: a draft saved every 5 s, one article published a minute",
            flush=True,
        )
        editor = subprocess.Popen(
            [PYTHON, "-c", EDITOR, str(options.edit_seconds), "5", "60"],
            env=warm_env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        results["editing"] = wrk(port, urls, options.edit_seconds, conns, cpu=cpu)
        edits = editor.communicate(timeout=120)[0].strip().splitlines()[-1]
        if editor.returncode:
            raise RuntimeError("the editor process failed")
        print("EDITOR", edits)
        print("RSS MiB", worker_rss(site.pid))
    finally:
        stop(site)
    ceiling_after("editing")

    peer = None
    if options.wagtail:
        peer = measure_peer(
            options.n, seconds, conns, port + 20, related=options.wagtail
        )
        print(
            f"RESULT peer=wagtail-8.0.1 related={options.wagtail} "
            f"article_rps={peer['article_rps']:.1f} "
            f"ceiling_rps={peer['ceiling_rps']:.1f} share={peer['share']:.2%}",
            flush=True,
        )

    wagtail = WAGTAIL["article_rps"] / WAGTAIL["ceiling_rps"]
    for label, result in results.items():
        ceiling = ceilings[label]
        share = result["rps"] / ceiling["rps"]
        line = (
            f"{label}: {result['rps']:.0f}/s = {share:.1%} of the ceiling after it "
            f"({ceiling['rps']:.0f}/s), p99 {result['p99_ms']:.0f} ms, "
            f"non-2xx {result['non2xx']:.0f}"
        )
        if label == "cold":
            line += f"; {share / wagtail:.1f}× Wagtail's share ({wagtail:.1%})"
            if peer is not None:
                line += (
                    f", {share / peer['share']:.1f}× its share in this run "
                    f"({options.wagtail}: {peer['share']:.2%})"
                )
        print(line)
    print(f"page size {len(page)} bytes")


if __name__ == "__main__":
    main()
