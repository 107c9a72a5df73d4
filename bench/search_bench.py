#!/usr/bin/env python3
"""Search latency over the shared dataset, on a throwaway SQLite database.

Usage (from the project root):

    .venv/bin/python bench/search_bench.py [--n 20000] [--rounds 5]

Makes the shared dataset if missing (make_dataset.py --n N --seed 1 into bench/data/,
which git ignores), migrates a fresh SQLite file under bench/data/, loads the articles
with bulk inserts, builds the index with the same code as ``rebuild_search_index``, then
runs a fixed list of queries ``--rounds`` times each and prints p50/p95/max for

- ``engine``: what the search view asks the database (count + ranked page of ids +
  the page's articles), and
- ``page``: the whole ``/search/?q=`` response through Django's test client (template
  rendering and highlighting included),

each ``first`` (nothing cached: a search nobody asked lately) and ``again`` (the count
cached by the same search a moment before).

Target: page p95 < 50 ms at N = 20,000.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("BENCH_SHARED", ROOT.parent / "shared" / "bench"))
DATA = ROOT / "bench" / "data"

QUERIES = [
    "标准",
    "计量",
    "名牌",
    "国家标准",
    "山东名牌",
    "质检中心",
    "合格率",
    "社会公用计量标准",
    "孙洪安",
    "逄苗",
    "叶聪滨",  # names of the synthetic dataset's reporters
    "冯华",
    "食品抽检",
    "质量提升",
    "烟台市 标准化",
    "检验检测 认证",
    "莱州市",
    "区块链",
    '"NEAR(*',
    "标准" * 100,
]


def dataset(n: int) -> Path:
    path = DATA / f"dataset-{n}.jsonl"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, str(SHARED / "make_dataset.py"), "--n", str(n)]
            + ["--seed", "1", "--out", str(path)],
            check=True,
        )
    return path


def setup_django(db: Path) -> None:
    os.environ.pop("DATABASE_URL", None)
    os.environ["SQLITE_PATH"] = str(db)
    os.environ["DJANGO_SETTINGS_MODULE"] = "yantai.settings"
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1")
    os.environ["DJANGO_MANIFEST_STATIC"] = "0"
    # DEBUG off needs a key: a throwaway one for the benchmark's own database.
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-" + "x" * 50)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def load(path: Path) -> int:
    from django.db import transaction
    from django.utils.html import escape

    from news.models import Article, Byline, Channel, Person, Tag

    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    with transaction.atomic():
        channels = {
            name: Channel.objects.create(name=name, slug=name, order=i)
            for i, name in enumerate(sorted({r["channel"] for r in rows}))
        }
        tags = {
            name: Tag.objects.create(name=name, slug=name)
            for name in sorted({t for r in rows for t in r["tags"]})
        }
        people = {
            name: Person.objects.create(name=name, slug=name)
            for name in sorted(
                {p for r in rows for p in r["reporters"] + r["correspondents"]}
            )
        }
        articles = []
        for r in rows:
            body = "".join(
                f"<h2>{escape(b['text'])}</h2>"
                if b["type"] == "heading"
                else f"<p>{escape(b['text'])}</p>"
                for b in r["body"]
            )
            articles.append(
                Article(
                    title=r["title"],
                    slug=str(len(articles)),
                    summary=r["summary"],
                    body=body,
                    body_text="\n".join(b["text"] for b in r["body"]),
                    source=r["source"],
                    channel=channels[r["channel"]],
                    status=Article.Status.PUBLISHED,
                    published_at=datetime.fromisoformat(r["published_at"]),
                )
            )
        Article.objects.bulk_create(articles, batch_size=500)
        links, bylines = [], []
        for article, r in zip(articles, rows, strict=True):
            links += [
                Article.tags.through(article_id=article.pk, tag_id=tags[t].pk)
                for t in r["tags"]
            ]
            credits = [(p, "记者") for p in r["reporters"]]
            credits += [(p, "通讯员") for p in r["correspondents"]]
            bylines += [
                Byline(article=article, person=people[p], role=role, order=i)
                for i, (p, role) in enumerate(dict.fromkeys(credits))
            ]
        Article.tags.through.objects.bulk_create(links, batch_size=2000)
        Byline.objects.bulk_create(bylines, batch_size=2000, ignore_conflicts=True)
    return len(articles)


def percentiles(samples: list[float]) -> str:
    samples = sorted(samples)
    p95 = samples[min(len(samples) - 1, int(round(0.95 * (len(samples) - 1))))]
    return (
        f"p50={statistics.median(samples):.1f}ms p95={p95:.1f}ms "
        f"max={samples[-1]:.1f}ms n={len(samples)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--db",
        type=Path,
        help="time an existing, indexed database (e.g. the one article_bench.py "
        "built) instead of loading and indexing a new one",
    )
    args = parser.parse_args()

    if args.db:
        setup_django(args.db)
        from django.test import Client

        from news import search

        return measure(search, Client(), args.rounds)
    data = dataset(args.n)
    db = DATA / f"search-bench-{args.n}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    setup_django(db)

    from django.core.management import call_command
    from django.test import Client

    from news import search

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    count = load(data)
    print(f"loaded {count} articles in {time.perf_counter() - started:.1f}s")
    started = time.perf_counter()
    indexed = search.rebuild_index()
    print(f"indexed {indexed} articles in {time.perf_counter() - started:.1f}s")

    measure(search, Client(), args.rounds)


def measure(search, client, rounds: int) -> None:
    """Each query twice a round: first (nothing cached: the index token
    is renewed, which forgets the cached counts) and again (asked a moment ago)."""
    series: dict[str, list[float]] = {
        f"{what} {when}": []
        for what in ("engine", "page")
        for when in ("first", "again")
    }
    hits = {}
    for q in QUERIES:  # warm-up: segmenter dictionary, templates
        client.get("/search/", {"q": q})
    for _ in range(rounds):
        for q in QUERIES:
            for when in ("first", "again"):
                if when == "first":
                    search.index_changed()
                started = time.perf_counter()
                results = search.search(q)
                total = results.count()
                list(results[0:20])
                series[f"engine {when}"].append((time.perf_counter() - started) * 1000)
                hits[q] = total
            for when in ("first", "again"):
                if when == "first":
                    search.index_changed()
                started = time.perf_counter()
                response = client.get("/search/", {"q": q})
                series[f"page {when}"].append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (q, response.status_code)
    for q, total in hits.items():
        print(f"  {q[:20]!r}: {total} hits")
    for name, samples in series.items():
        print(f"RESULT {name:12} {percentiles(samples)}")


if __name__ == "__main__":
    main()
