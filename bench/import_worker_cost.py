#!/usr/bin/env python3
"""What one page costs the bulk import's worker processes and the pool's result
thread, in this process: instructions under callgrind, or CPU time (issue #16).

Usage (from the project root):

    .venv/bin/python bench/import_worker_cost.py [--tree DIR] [--n 300]
        [--part worker|unpickle|parse|plain|wordcheck|words|full_clean|
                full_clean_nounique] [--callgrind]

Makes a fresh SQLite database as ``bench/import_bench.py`` does (with ``--tree``, by
that checkout's migrations and code: e.g. ``git archive COMMIT | tar -x -C DIR``,
``DIR/.venv`` → ``.venv``), reads the first N pages of the shared dataset
(``bench/data/pages-20000.zip``) and measures, over them:

- ``worker``: what a worker does for a chunk of pages, ``news.bulk._prepare_chunk``
  (read, parse, derive, cut the index words, the 错敏字 pre-check) and the pickling
  of its result;
- ``unpickle``: what the writing process's result thread does with those pickles;
- the parts of a page's preparation alone (``parse``: read and
  ``parse_page_text``; ``plain``: ``news.bulk._plain``; ``wordcheck``: the any-word
  pattern over the checked texts; ``words``: the index words; ``full_clean``, and
  ``full_clean_nounique`` without the unique checks).

The part runs once untimed (caches, the segmenter), then once measured. With
``--callgrind`` the script runs itself under ``valgrind --tool=callgrind`` with
instrumentation switched on for the measured pass only and prints instructions a
page, which other work on the machine does not change; without, CPU milliseconds a
page (``time.process_time``, best of three).
"""

from __future__ import annotations

import argparse
import os
import pickle
import re
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
PARTS = (
    "worker",
    "unpickle",
    "parse",
    "plain",
    "wordcheck",
    "words",
    "full_clean",
    "full_clean_nounique",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", type=Path, default=BENCH.parent)
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--part", choices=PARTS, default="worker")
    parser.add_argument("--callgrind", action="store_true")
    parser.add_argument("--measured", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    root = args.tree.resolve()
    sys.path.insert(0, str(BENCH))
    import import_bench

    db = import_bench.DATA / f"worker-cost-{os.getpid()}.sqlite3"
    env = import_bench.bench_env(db)
    env["PYTHONPATH"] = str(root)
    if not args.measured:
        import_bench.fresh_database(env, None, root=root)
    try:
        if args.callgrind and not args.measured:
            out = subprocess.run(
                [
                    "valgrind", "--tool=callgrind", "--instr-atstart=no",
                    "--callgrind-out-file=/dev/null", sys.executable, __file__,
                    "--tree", str(root), "--n", str(args.n), "--part", args.part,
                    "--measured",
                ],
                env={**env, "WORKER_COST_DB": str(db)},
                capture_output=True,
                text=True,
            )  # fmt: skip
            refs = re.search(r"I\s+refs:\s+([\d,]+)", out.stderr)
            if refs is None:
                raise SystemExit(out.stdout[-2000:] + out.stderr[-4000:])
            total = int(refs[1].replace(",", ""))
            print(
                f"{args.part}: {total / args.n / 1e6:.3f} M instructions a page "
                f"({args.n} pages, tree {root})"
            )
            return
        measure(args, root, env)
    finally:
        if not args.measured:
            for stale in db.parent.glob(db.name + "*"):
                stale.unlink()


def measure(args, root: Path, env: dict[str, str]) -> None:
    if args.measured:
        env = {**env, "SQLITE_PATH": os.environ["WORKER_COST_DB"]}
    os.environ.update(env)
    os.chdir(root)
    sys.path.insert(0, str(root))
    import django

    django.setup()
    from news import bulk, parsing, search
    from news.models import Article

    search.learn_names()
    words = bulk._active_words()
    sources = list(bulk.iter_sources([str(BENCH / "data" / "pages-20000.zip")]))
    sources = sources[: args.n]
    chunk = bulk.CHUNK_SIZE

    def worker():
        return [
            pickle.dumps(
                bulk._prepare_chunk((sources[i : i + chunk], True, [], 0, words)),
                protocol=pickle.HIGHEST_PROTOCOL,
            )
            for i in range(0, len(sources), chunk)
        ]

    pages = [parsing.parse_page_text(bulk._read(s)) for s in sources]
    items = [
        bulk.prepare_page(bulk.Prepared(s.name), p, index=True, words=words)
        for s, p in zip(sources, pages, strict=True)
    ]
    articles = []
    for page in pages:
        article = Article(
            title=page.title,
            subtitle=page.subtitle,
            source=page.source,
            source_url=page.source_url,
            published_at=page.published_at,
            body=bulk.page_html(page),
        )
        article.fill_derived_fields(body_text="\n".join(b.text for b in page.blocks))
        articles.append(article)
    blobs = worker()
    parts = {
        "worker": worker,
        "unpickle": lambda: [pickle.loads(blob) for blob in blobs],
        "parse": lambda: [parsing.parse_page_text(bulk._read(s)) for s in sources],
        "plain": lambda: [bulk._plain([b.text for b in p.blocks]) for p in pages],
        "wordcheck": lambda: [
            [bulk._words_pattern(words).search(t) for t in bulk._checked_texts(a)]
            for a in articles
        ],
        "words": lambda: [bulk._words(item, tag_names=[]) for item in items],
        "full_clean": lambda: [
            a.full_clean(
                exclude=[*bulk.UNCHECKED, "expires_at"], validate_constraints=False
            )
            for a in articles
        ],
        "full_clean_nounique": lambda: [
            a.full_clean(
                exclude=[*bulk.UNCHECKED, "expires_at"],
                validate_unique=False,
                validate_constraints=False,
            )
            for a in articles
        ],
    }
    part = parts[args.part]
    part()  # caches, the segmenter, the patterns
    if args.measured:
        control = ["callgrind_control", "-i"]
        subprocess.run(
            [*control, "on", str(os.getpid())], check=True, capture_output=True
        )
        part()
        subprocess.run(
            [*control, "off", str(os.getpid())], check=True, capture_output=True
        )
        return
    best = min(timed(part) for _ in range(3))
    print(
        f"{args.part}: {1000 * best / len(sources):.3f} ms CPU a page "
        f"({len(sources)} pages, tree {root}, load {os.getloadavg()[0]:.1f})"
    )


def timed(part) -> float:
    start = time.process_time()
    part()
    return time.process_time() - start


if __name__ == "__main__":
    main()
