"""What writing the figure proposals of many articles costs the writing process:
the admin's one-article service, article by article, against the batch service of
``extract_figures --all`` (docs/benchmarks.md, "The figures of the whole archive").

Usage (from the project root, after ``bench/import_bench.py --n 20000`` has left
``bench/data/import-20000.sqlite3``):

    .venv/bin/python bench/figure_proposals_write.py [--articles 400] [--rounds 2]

Copies that database to ``/tmp/figure_proposals_write/`` (the original is never
written), extracts the figures of its first N published articles once (not timed),
then, alternately, deletes every proposal and writes them again inside one
``figure_marks_batch()`` (as the command's batches are): ``one`` with
``figure_proposals_extract`` for each article, ``many`` with
``figure_proposals_extract_many`` for all. Prints the CPU and wall seconds of each.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = Path("/tmp/figure_proposals_write")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    source = ROOT / "bench" / "data" / "import-20000.sqlite3"
    if not source.exists():
        raise SystemExit(f"{source} is missing: run bench/import_bench.py first")
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    shutil.copyfile(source, WORK / "db.sqlite3")
    os.environ.pop("DATABASE_URL", None)
    os.environ.update(
        SQLITE_PATH=str(WORK / "db.sqlite3"),
        SHARED_CACHE_DIR=str(WORK / "shared"),
        PAGE_CACHE_DIR=str(WORK / "pages"),
        DJANGO_SETTINGS_MODULE="yantai.settings",
        DJANGO_SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY") or "bench-" + "x" * 50,
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.utils import timezone

    from news.models import Article
    from quality.extraction import extract_figures
    from quality.figure_links import figure_marks_batch
    from quality.figure_review import (
        figure_proposals_extract,
        figure_proposals_extract_many,
    )
    from quality.models import FigureProposal

    rows = list(
        Article.objects.published()
        .order_by("pk")
        .values_list("pk", "body_text", "published_at")[: args.articles]
    )
    found = {pk: extract_figures(t, timezone.localdate(at)) for pk, t, at in rows}
    for _round in range(args.rounds):
        for way in ("one", "many"):
            FigureProposal.objects.all().delete()
            cpu, wall = time.process_time(), time.perf_counter()
            with figure_marks_batch():
                if way == "many":
                    made = figure_proposals_extract_many(
                        [(pk, text, found[pk]) for pk, text, _at in rows]
                    )
                else:
                    made = sum(
                        len(figure_proposals_extract(article=a, figures=found[a.pk]))
                        for a in Article.objects.filter(pk__in=found).order_by("pk")
                    )
            print(
                f"RESULT way={way} articles={len(rows)} proposals={made}"
                f" cpu_s={time.process_time() - cpu:.2f}"
                f" wall_s={time.perf_counter() - wall:.2f}",
                flush=True,
            )
    shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
