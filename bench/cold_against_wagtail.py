#!/usr/bin/env python3
"""Our cold article page against Wagtail's, each as a share of its own ceiling, in
alternating rounds (issue #14: cold ≥ 5× Wagtail's share of its own same-run
ceiling).

Usage (from the project root, after ``bench/serving_under_edits.py`` has made our
20,000-article database; the peer's is made if missing, as
``bench/wagtail_serving.py`` makes it):

    .venv/bin/python bench/cold_against_wagtail.py [--rounds 4] [--seconds 20]
        [--related previous|tags|siblings]
        [--database-url postgres://… --redis-url redis://…]   # ours on PostgreSQL + Redis

Each round serves, one after the other, with gunicorn as the protocol sets it up
(2 sync workers, ``DEBUG=False``; wrk -t2 -c16 at random over every article, 3 s
of warm-up, then ``--seconds``):

1. our cold page: no page cached (``ARTICLE_PAGE_CACHE_SECONDS=0``), the shared
   fragments cached, as ``bench/serving_under_edits.py``'s cold run;
2. the minimal Django view answering as many bytes as our page: our ceiling;
3. the Wagtail 8.0.1 peer's article page (``bench/wagtail_serving.py``; its
   cheapest, ``previous``, unless ``--related`` says otherwise), SQLite, no cache;
4. the minimal Django view answering as many bytes as its page: its ceiling;

ours first in odd rounds, Wagtail's first in even ones. Each round gives both shares
and their ratio. Why rounds of a few minutes, not one run of each: on this machine
the speed of memory-heavy work moves by up to 2× within the hour while a tight loop
(and the small minimal view) hardly moves — the in-process cold page took 2.8 ms of
CPU at 21:01 UTC and 5.9 ms at 21:10 (docs/benchmarks.md, 2026-12-06) — so a share
measured minutes before its ceiling, or a peer measured in another window, moves
with the machine, not with the code. Both servers read their database through
first (``serving.read_into_page_cache``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from article_bench import (  # noqa: E402
    DATA,
    article_urls,
    bench_env,
    published_ids,
    reference_ceiling,
    wrk,
)
from serving import serve, stop  # noqa: E402
from wagtail_import import BENCH  # noqa: E402
from wagtail_serving import RELATED, peer_gunicorn, peer_site  # noqa: E402


def served(
    app: list[str], env: dict, port: int, urls: Path, seconds: int, conns: int, **server
) -> tuple[float, int]:
    """req/s of ``app`` over ``urls`` after a 3 s warm-up, and its page's size."""
    site = serve(app, env, port, **server)
    try:
        first = urls.read_text().split("\n", 1)[0]
        page = urllib.request.urlopen(f"http://127.0.0.1:{port}{first}").read()
        wrk(port, urls, 3, conns)
        return wrk(port, urls, seconds, conns)["rps"], len(page)
    finally:
        stop(site)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--port", type=int, default=8881)
    parser.add_argument("--related", choices=RELATED, default="previous")
    parser.add_argument("--database-url", help="ours on this PostgreSQL database")
    parser.add_argument("--redis-url", help="ours with its caches in this Redis")
    options = parser.parse_args()

    db = DATA / f"bench-{options.n}.sqlite3"
    if not options.database_url and not db.exists():
        sys.exit(f"{db} is missing: run bench/serving_under_edits.py first")
    ours_env = {
        **bench_env(db),
        "ARTICLE_PAGE_CACHE_SECONDS": "0",
        "PAGE_CACHE_DIR": str(DATA / "against-wagtail-pages"),
        "SHARED_CACHE_DIR": str(DATA / "against-wagtail-shared"),
    }
    if options.database_url:
        ours_env["DATABASE_URL"] = options.database_url
    if options.redis_url:
        ours_env["REDIS_URL"] = options.redis_url
    ours_urls = article_urls(published_ids(ours_env))
    theirs_env, theirs_urls = peer_site(options.n, options.related)

    port, seconds, conns = options.port, options.seconds, options.connections

    def ours() -> float:
        print("== ours, cold", flush=True)
        rps, size = served(
            ["yantai.wsgi:application"], ours_env, port, ours_urls, seconds, conns
        )
        print("== our ceiling", flush=True)
        ceiling = reference_ceiling(ours_env, size, port + 1, ours_urls, seconds, conns)
        return rps / ceiling["rps"]

    def theirs() -> float:
        print(f"== Wagtail 8.0.1 ({options.related})", flush=True)
        rps, size = served(
            ["wagtail_peer.wsgi:application"],
            theirs_env,
            port,
            theirs_urls,
            seconds,
            conns,
            gunicorn=str(peer_gunicorn()),
            cwd=BENCH,
            probe=theirs_urls.read_text().split("\n", 1)[0],
        )
        print("== its ceiling", flush=True)
        ceiling = reference_ceiling(
            ours_env, size, port + 1, theirs_urls, seconds, conns
        )
        return rps / ceiling["rps"]

    ratios = []
    for round_ in range(1, options.rounds + 1):
        if round_ % 2:
            mine, peer_share = ours(), theirs()
        else:
            peer_share, mine = theirs(), ours()
        ratios.append(mine / peer_share)
        print(
            f"ROUND {round_} ours={mine:.2%} wagtail={peer_share:.2%}"
            f" ratio={ratios[-1]:.2f}",
            flush=True,
        )
    engine = "PostgreSQL" if options.database_url else "SQLite"
    print(
        f"RESULT engine={engine} related={options.related} rounds={len(ratios)}"
        f" ratio_median={statistics.median(ratios):.2f} ratio_min={min(ratios):.2f}"
        f" ratio_max={max(ratios):.2f}"
    )


if __name__ == "__main__":
    main()
