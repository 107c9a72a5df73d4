#!/usr/bin/env python3
"""Import 100,000 observations from one CSV with ``import_observations`` (issue #16).

Usage (from the project root):

    .venv/bin/python bench/observations_import_bench.py [--n 100000] [--runs 2]
        [--postgres postgres://yantai:…@127.0.0.1:5432/yantai_observations_bench]

Each run: a fresh database (SQLite file, or the PostgreSQL database named by
--postgres, dropped and created) with the quality demo data (``load_quality_demo``);
then a CSV of N rows is written under bench/data/ from the demo's real indicator and
region codes. The rows are SYNTHETIC BENCHMARK INPUT, labelled so in every row's
source (发布机构 “基准测试（合成数据）”), never demo data: values are arbitrary.
Periods are months, quarters and years from 1990 on (new periods are created by the
import), every fourth row carries bounds and a hedged comparator, one in ten names
``is_preferred`` explicitly. Then

    /usr/bin/time -v manage.py import_observations --as bench FILE

gives the wall time and peak RSS; a new process checks the rows are there and that
each cell has at most one preferred value; then the same file is imported again
(timed the same way: every row is a saved observation, nothing is written); then a
file of the same rows with their ids and a new note each (the admin export's columns)
is imported (N updates by id). Prints one RESULT line a run.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from article_bench import DATA, ROOT, bench_env  # noqa: E402
from import_bench import fresh_database, manage, timed  # noqa: E402

sys.path.insert(0, str(ROOT))
from quality.columns import WRITE_FIELDS  # noqa: E402

CODES = r"""
import json
from quality.models import Indicator, Region
print(json.dumps({
    "indicators": list(Indicator.objects.order_by("code").values_list("code", flat=True)),
    "regions": list(Region.objects.order_by("code").values_list("code", flat=True)),
}))
"""

# The benchmark's rows as the admin's export writes them (every column, ``id``
# first), each with a new note: a file of N updates by id. Written from the
# database with the export's columns (quality.columns.EXCHANGE_FIELDS).
UPDATES = r"""
import csv, sys
from quality.columns import EXCHANGE_FIELDS
from quality.models import Observation
rows = (
    Observation.objects.filter(source_publisher="基准测试（合成数据）")
    .order_by("id")
    .values_list(
        "id", "indicator__code", "region__code", "period__code", "value",
        "comparator", "lower", "upper", "raw_text", "status", "is_preferred",
        "source_publisher", "source_title", "quote",
    )
)
with open(PATH, "w", encoding="utf-8", newline="") as f:
    out = csv.writer(f)
    out.writerow(EXCHANGE_FIELDS)
    for (pk, ind, reg, per, value, comp, lower, upper, raw, status, pref, pub,
         title, quote) in rows.iterator(chunk_size=5000):
        row = dict(
            id=pk, indicator=ind, region=reg, period=per, value=value,
            comparator=comp, lower=lower if lower is not None else "",
            upper=upper if upper is not None else "", raw_text=raw, status=status,
            is_preferred=int(pref), source_publisher=pub, source_title=title,
            quote=quote, note="benchmark input, checked (update by id)",
        )
        out.writerow([row.get(name, "") for name in EXCHANGE_FIELDS])
"""

CHECK = r"""
import json
from django.db.models import Count
from quality.models import Observation
bench = Observation.objects.filter(source_publisher="基准测试（合成数据）")
print(json.dumps({
    "imported": bench.count(),
    "cells_with_two_preferred": Observation.objects.filter(is_preferred=True)
        .values("indicator", "region", "period").annotate(n=Count("id"))
        .filter(n__gt=1).count(),
}))
"""


def periods():
    """Period codes, months first (1990-01 …), then quarters, then years."""
    for year in range(1990, 2100):
        for month in range(1, 13):
            yield f"{year}-{month:02d}"
    for year in range(1990, 2100):
        for quarter in range(1, 5):
            yield f"{year}Q{quarter}"
    yield from (str(year) for year in range(1990, 2100))


def write_csv(path: Path, n: int, indicators: list[str], regions: list[str]) -> None:
    """N distinct rows: every indicator × region for one period, then the next."""
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(WRITE_FIELDS)
        count = 0
        for period in periods():
            for indicator in indicators:
                for region in regions:
                    if count == n:
                        return
                    value = 100 + count % 997
                    hedged = count % 4 == 0
                    row = {
                        "indicator": indicator,
                        "region": region,
                        "period": period,
                        "value": f"{value}.5" if count % 3 == 0 else str(value),
                        "comparator": ">" if hedged else "=",
                        "lower": (f"{value}.5" if count % 3 == 0 else str(value))
                        if hedged
                        else "",
                        "upper": str(value + 100) if hedged else "",
                        "raw_text": f"{value}余" if hedged else str(value),
                        "status": "confirmed" if count % 2 else "provisional",
                        "is_preferred": "1" if count % 10 == 0 else "",
                        "source_publisher": "基准测试（合成数据）",
                        "source_title": f"observations_import_bench 合成输入 #{count}",
                        "quote": "",
                        "note": "benchmark input, not real data",
                    }
                    writer.writerow([row.get(name, "") for name in WRITE_FIELDS])
                    count += 1
    raise SystemExit(f"only {count} rows could be generated")


def run_once(env, n: int, postgres: str | None) -> dict:
    fresh_database(env, postgres)
    manage(env, "load_quality_demo", "-v", "0")
    codes = json.loads(manage(env, "shell", "-c", CODES, capture=True).splitlines()[-1])
    path = DATA / f"observations-{n}.csv"
    DATA.mkdir(parents=True, exist_ok=True)
    write_csv(path, n, codes["indicators"], codes["regions"])
    seconds, rss_mb, done = timed(
        env, "import_observations", "--as", "bench", "--no-progress", str(path)
    )
    check = json.loads(manage(env, "shell", "-c", CHECK, capture=True).splitlines()[-1])
    # The same file again: every row is now a saved observation, nothing changes.
    again_seconds, again_rss_mb, again = timed(
        env, "import_observations", "--as", "bench", "--no-progress", str(path)
    )
    # Every row again by its id, each with a new note: N updates.
    updates = DATA / f"observations-{n}-updates.csv"
    manage(env, "shell", "-c", f"PATH = {str(updates)!r}\n" + UPDATES)
    update_seconds, update_rss_mb, updated = timed(
        env, "import_observations", "--as", "bench", "--no-progress", str(updates)
    )
    return {
        "database": "postgresql" if postgres else "sqlite",
        "rows": n,
        "seconds": round(seconds, 1),
        "peak_rss_mb": rss_mb,
        "indicators": len(codes["indicators"]),
        "regions": len(codes["regions"]),
        "summary": done.stdout.strip().splitlines()[-1],
        **check,
        "again_seconds": round(again_seconds, 1),
        "again_peak_rss_mb": again_rss_mb,
        "again_summary": again.stdout.strip().splitlines()[-1],
        "updates_seconds": round(update_seconds, 1),
        "updates_peak_rss_mb": update_rss_mb,
        "updates_summary": updated.stdout.strip().splitlines()[-1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--postgres", metavar="URL")
    args = parser.parse_args()
    env = bench_env(DATA / "observations-bench.sqlite3")
    if args.postgres:
        env["DATABASE_URL"] = args.postgres
    for _run in range(args.runs):
        print(
            "RESULT",
            json.dumps(run_once(env, args.n, args.postgres), ensure_ascii=False),
        )


if __name__ == "__main__":
    main()
