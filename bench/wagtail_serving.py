#!/usr/bin/env python3
"""Wagtail 8.0.1 serving the shared dataset's articles (issue #14's same-run peer), by the
protocol of ../shared/bench/README.md.

Usage (from the project root, after ./run test or ./run has made .venv):

    .venv/bin/python bench/wagtail_serving.py [--n 20000] [--seconds 20]
        [--connections 16] [--port 8831] [--related tags|siblings|previous]
        [--database-url postgres://USER:PASSWORD@HOST:PORT/NAME]

Steps:

1. the peer's database, bench/data/wagtail-N.sqlite3, as bench/wagtail_import.py
   leaves it (made with ``--index-after`` if missing: about 36 ms an article), its
   migrations applied; with ``--database-url``, the PostgreSQL database that
   ``bench/wagtail_import.py --database-url`` filled instead (not made here: ~65 ms an
   article);
2. gunicorn from the peer's venv (bench/.wagtail-venv; installed there at our
   requirements.txt pin if missing), 2 sync workers, ``DEBUG=False``, on
   ``wagtail_peer.wsgi``: Wagtail's page serving with the peer's article template
   (title, meta line, body, tags, 5 related, 5 latest, breadcrumbs), SQLite (or the
   PostgreSQL database of ``--database-url``), no cache. ``--related tags`` (the
   default) lists the newest articles sharing a tag, as ours does; ``siblings`` the
   newest of the same channel (``sibling_of``: the slowest here, SQLite sorts the
   channel on every page); ``previous`` the five before it in the channel's tree
   order (one index range: the cheapest, the most generous peer);
3. wrk -t2 -cC random over the URLs of every live ArticlePage (3 s warm-up, then
   ``--seconds``);
4. the minimal Django view (bench/data/reference_app.py) answering as many bytes as
   one article page, under the same gunicorn settings (our venv's gunicorn, as our
   own benchmarks run it): the ceiling;
5. Wagtail's share of that ceiling (the README's reference: about 2.7 %).
"""

from __future__ import annotations

import argparse
import os
import sys
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from article_bench import DATA, dataset, reference_ceiling, wrk  # noqa: E402
from import_bench import load_average  # noqa: E402
from serving import serve, stop  # noqa: E402
from wagtail_import import BENCH, VENV, peer, peer_env, peer_install  # noqa: E402
from wagtail_import import run as import_peer  # noqa: E402

GUNICORN = VENV / "bin" / "gunicorn"
# The peer's 相关文章 (bench/wagtail_peer/peer/models.py, PEER_RELATED).
RELATED = ("tags", "siblings", "previous")

URLS = r"""
import django
django.setup()
from wagtail_peer.peer.models import ArticlePage
for page in ArticlePage.objects.live().order_by("pk"):
    print(page.url)  # already percent-encoded (iri_to_uri)
"""


def peer_gunicorn() -> Path:
    """gunicorn in the peer's venv, at the version our requirements.txt pins."""
    peer_install("gunicorn", r"^gunicorn==\S+")
    return GUNICORN


def peer_site(n: int, related: str, url: str | None = None) -> tuple[dict, Path]:
    """The peer's environment serving its N articles with the 相关文章 ``related``,
    and a file of its live articles' URLs (step 1 below): its SQLite database made
    if missing, its migrations applied."""
    db = DATA / f"wagtail-{n}.sqlite3"
    if not url and not db.exists():
        made = import_peer(n, db, dataset(n), "after")
        print("IMPORT " + " ".join(f"{k}={v}" for k, v in made.items()), flush=True)
    env = peer_env(db, url) | {"PEER_RELATED": related}
    peer(env, "-m", "django", "migrate", "-v", "0")  # a database of an older peer
    listing = peer(env, "-c", URLS)
    if not listing.strip():
        raise SystemExit(
            "the peer's database has no live article: run bench/wagtail_import.py"
            f" --n {n} --index-after --database-url … first"
        )
    urls = DATA / f"wagtail-urls-{'pg-' if url else ''}{n}.txt"
    urls.write_text(listing)
    return env, urls


def measure(
    n: int,
    seconds: int,
    connections: int,
    port: int,
    related: str = "tags",
    url: str | None = None,
) -> dict:
    """Serve the peer's N articles and its same-run ceiling (steps 1–5 above), from
    its SQLite file or the PostgreSQL database *url*: ``{"article_rps", "p99_ms",
    "non2xx", "page_bytes", "ceiling_rps", "share", "load"}``."""
    env, urls = peer_site(n, related, url)
    first = urls.read_text().split("\n", 1)[0]

    load = load_average()
    site = serve(
        ["wagtail_peer.wsgi:application"],
        env,
        port,
        gunicorn=str(peer_gunicorn()),
        cwd=BENCH,
        probe=first,
    )
    try:
        # Raises unless the first article page answers 200.
        page = urllib.request.urlopen(f"http://127.0.0.1:{port}{first}").read()
        wrk(port, urls, 3, connections)  # warm-up
        print(
            f"== Wagtail 8.0.1 ({related}): article pages, random over all", flush=True
        )
        article = wrk(port, urls, seconds, connections)
    finally:
        stop(site)
    print("== ceiling: minimal Django view, same page size", flush=True)
    ceiling = reference_ceiling(
        dict(os.environ), len(page), port + 1, urls, seconds, connections
    )
    return {
        "article_rps": article["rps"],
        "p99_ms": article["p99_ms"],
        "non2xx": article["non2xx"],
        "page_bytes": len(page),
        "ceiling_rps": ceiling["rps"],
        "share": article["rps"] / ceiling["rps"],
        "load": f"{load}-{load_average()}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--port", type=int, default=8831)
    parser.add_argument("--related", choices=RELATED, default="tags")
    parser.add_argument(
        "--database-url",
        help="serve the peer from this PostgreSQL database (bench/wagtail_import.py"
        " --database-url fills it)",
    )
    options = parser.parse_args()
    got = measure(
        options.n,
        options.seconds,
        options.connections,
        options.port,
        options.related,
        options.database_url,
    )
    print(
        f"RESULT peer=wagtail-8.0.1 n={options.n} related={options.related} "
        f"engine={'postgresql' if options.database_url else 'sqlite'} "
        f"page_bytes={got['page_bytes']} article_rps={got['article_rps']:.1f} "
        f"p99_ms={got['p99_ms']:.1f} non2xx={got['non2xx']:.0f} "
        f"ceiling_rps={got['ceiling_rps']:.1f} share={got['share']:.2%} "
        f"load={got['load']}",
        flush=True,
    )


if __name__ == "__main__":
    main()
