#!/usr/bin/env python3
"""上一篇/下一篇 and 相关新闻 of the article page in-process (issue #14 §4).

Usage (from the project root):

    .venv/bin/python bench/related_lists.py              # ms per page, 300 articles
    .venv/bin/python bench/related_lists.py --against 89e4320
    .venv/bin/python bench/related_lists.py --title-words  # SQLite: bm25 vs shared words

Runs on the migrated copy of ``bench/data/bench-20000.sqlite3`` that
``bench/cold_page.py`` makes under ``/tmp/cold_page/`` (made here if missing; the
original is never written). ``--against REV`` also times ``news/related.py`` and
``news/search.py`` of commit ``REV`` (loaded beside the current ones, on the same
database, in alternating rounds). ``--title-words`` times the SQLite statement that
finds articles sharing title words, ranked by bm25 (as before a367ffd) and by the
length of the shared words (now), and how many of the top 5 the two share.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import cold_page  # noqa: E402 - the database copy it makes


def load_old(rev: str):
    """``news/related.py`` of ``rev``, using ``news/search.py`` of ``rev``."""
    folder = Path("/tmp/related_lists") / rev
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("related", "search"):
        source = subprocess.run(
            ["git", "show", f"{rev}:news/{name}.py"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        source = source.replace(
            "from . import search", "from news import _old_search as search"
        )
        source = source.replace("from .", "from news.")
        (folder / f"{name}.py").write_text(source)
    modules = {}
    for name in ("search", "related"):
        spec = importlib.util.spec_from_file_location(
            f"news._old_{name}", folder / f"{name}.py"
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules[f"news._old_{name}"] = module
        spec.loader.exec_module(module)
        modules[name] = module
    return modules["related"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--against")
    parser.add_argument("--title-words", action="store_true")
    args = parser.parse_args()

    db = cold_page.database(cold_page.SOURCE_DB)
    os.environ.update(cold_page.env_for(ROOT, db, cold_page.WORK / "caches-related"))
    import django

    django.setup()
    from news import related
    from news.models import Article, detail_prefetch, detail_row

    ids = list(Article.objects.published().values_list("pk", flat=True))
    articles = []
    for pk in random.Random(2).sample(ids, args.n):
        article = detail_row(pk)
        if article is not None:
            detail_prefetch(article)
            articles.append(article)
    if args.title_words:
        return title_words(articles)
    trees = {"new": related.neighbours_and_related}
    if args.against:
        trees["old"] = load_old(args.against).neighbours_and_related
    times: dict[str, list[float]] = {name: [] for name in trees}
    for _ in range(args.rounds):
        for name, function in trees.items():
            start = time.perf_counter()
            for article in articles:
                function(article)
            times[name].append((time.perf_counter() - start) / len(articles) * 1000)
    for name, values in times.items():
        print(
            f"RESULT {name}: {min(values):.2f} ms/page best round, "
            f"{statistics.median(values):.2f} median, {len(articles)} articles"
        )
    print("load average", " ".join(f"{x:.2f}" for x in os.getloadavg()))


def title_words(articles) -> None:
    from django.db import connection

    from news import search

    bm25 = (
        "SELECT id FROM (SELECT rowid AS id, bm25(news_article_fts, 10.0, 1.0) AS score"
        " FROM news_article_fts WHERE news_article_fts MATCH %s AND rowid <> %s"
        " ORDER BY rowid DESC LIMIT %s) recent ORDER BY score, id DESC LIMIT %s"
    )
    times: dict[str, list[float]] = {"bm25": [], "shared words": []}
    overlap = []
    with connection.cursor() as cursor:
        for article in articles:
            query = search.related_ids_query(article)
            if query is None:
                continue
            sql, params = query
            match, pk, candidates, limit = params[0], params[1], params[2], params[-1]
            found = {}
            for name, (statement, values) in {
                "bm25": (bm25, [match, pk, candidates, limit]),
                "shared words": (sql, params),
            }.items():
                start = time.perf_counter()
                cursor.execute(statement, values)
                found[name] = [row[0] for row in cursor.fetchall()]
                times[name].append(time.perf_counter() - start)
            overlap.append(len(set(found["bm25"][:5]) & set(found["shared words"][:5])))
    for name, values in times.items():
        print(
            f"RESULT {name}: {statistics.mean(values) * 1000:.2f} ms mean, "
            f"{statistics.median(values) * 1000:.2f} median, {len(values)} articles"
        )
    print(f"RESULT top 5 in common: {statistics.mean(overlap):.1f} of 5")
    print("load average", " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
