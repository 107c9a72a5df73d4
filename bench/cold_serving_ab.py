"""The cold article page served by gunicorn, this tree against another commit, in
alternating runs (issue #14's cold benchmark, A/B); with ``--filled``, the filled one.

Usage (from the project root, after ./run test or ./run has made .venv, and
``bench/serving_under_edits.py`` has made the 20,000-article database):

    .venv/bin/python bench/cold_serving_ab.py --against <commit> [--rounds 3] [--seconds 20]
    .venv/bin/python bench/cold_serving_ab.py --against <commit> --filled

``--filled``: ``bench/serving_under_edits.py``'s filled run instead — every page
kept (``warm_article_pages`` fills a page cache for each tree at the start, with
that tree: a tree may keep pages another cannot read), and the ceiling measured
after each round.

``bench/serving_under_edits.py``'s cold run — gunicorn with 2 sync workers, no page
cached (``ARTICLE_PAGE_CACHE_SECONDS=0``), wrk -t2 -c16 at random over every
published article — for each tree in turn, each with caches of its own, then the
same-run ceiling (the minimal Django view returning as many bytes). A single cold
run moves by up to a fifth between runs an hour apart on this machine; alternating
the trees within minutes is what lets a change of a few per cent show.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import urllib.request

from article_bench import (
    DATA,
    ROOT,
    article_urls,
    bench_env,
    published_ids,
    reference_ceiling,
    warm_pages,
    wrk,
)
from cold_page import checkout
from serving import serve, stop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", required=True, help="the commit to compare with")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--port", type=int, default=8871)
    parser.add_argument(
        "--filled", action="store_true", help="the filled run: every page kept"
    )
    options = parser.parse_args()

    db = DATA / f"bench-{options.n}.sqlite3"
    if not db.exists():
        sys.exit(f"{db} is missing: run bench/serving_under_edits.py first")
    trees = {"old": checkout(options.against), "new": ROOT}
    env = {
        **bench_env(db),
        "ARTICLE_PAGE_CACHE_SECONDS": "3600" if options.filled else "0",
    }
    ids = published_ids(env)
    urls = article_urls(ids)
    tree_envs = {name: {**env, "PYTHONPATH": str(tree)} for name, tree in trees.items()}
    if options.filled:
        for name, tree in trees.items():
            kept = DATA / f"filled-ab-{name}"
            shutil.rmtree(kept, ignore_errors=True)
            tree_envs[name] |= {
                "PAGE_CACHE_DIR": str(kept / "pages"),
                "SHARED_CACHE_DIR": str(kept / "shared"),
            }
            took = warm_pages(tree_envs[name], f"127.0.0.1:{options.port}", tree)
            print(f"WARM {name} {len(ids)} pages in {took:.0f} s", flush=True)
    found: dict[str, list[float]] = {"old": [], "new": []}
    ceilings: list[float] = []
    size = 0
    for round_ in range(options.rounds):
        order = ["old", "new"] if round_ % 2 == 0 else ["new", "old"]
        for name in order:
            tree = trees[name]
            tree_env = tree_envs[name]
            if not options.filled:
                caches = DATA / f"cold-ab-{name}"
                shutil.rmtree(caches, ignore_errors=True)
                tree_env |= {
                    "PAGE_CACHE_DIR": str(caches / "pages"),
                    "SHARED_CACHE_DIR": str(caches / "shared"),
                }
            site = serve(["yantai.wsgi:application"], tree_env, options.port, cwd=tree)
            try:
                page = urllib.request.urlopen(
                    f"http://127.0.0.1:{options.port}/news/{ids[0]}/"
                ).read()
                size = len(page)
                wrk(options.port, urls, 3, options.connections)  # warm-up
                result = wrk(options.port, urls, options.seconds, options.connections)
            finally:
                stop(site)
            found[name].append(result["rps"])
            print(f"round {round_ + 1} {name}: {result['rps']:.0f}/s", flush=True)
        if options.filled or round_ == options.rounds - 1:
            ceiling = reference_ceiling(
                env, size, options.port + 1, urls, options.seconds, options.connections
            )
            ceilings.append(ceiling["rps"])
            print(f"round {round_ + 1} ceiling: {ceiling['rps']:.0f}/s", flush=True)
    for name, runs in found.items():
        shares = ", ".join(
            f"{rps / ceilings[min(k, len(ceilings) - 1)]:.1%}"
            for k, rps in enumerate(runs)
        )
        print(
            f"RESULT {name}: {', '.join(f'{rps:.0f}' for rps in runs)}/s "
            f"(mean {statistics.fmean(runs):.0f}/s; of the ceiling {shares})"
        )
    print(
        f"RESULT ceiling {', '.join(f'{c:.0f}' for c in ceilings)}/s; new/old "
        f"{statistics.fmean(found['new']) / statistics.fmean(found['old']):.3f}"
    )


if __name__ == "__main__":
    main()
