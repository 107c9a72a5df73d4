#!/usr/bin/env python3
"""The whole-dataset downloads (/quality/data.csv and .xlsx) at N observations.

Usage (from the project root):

    .venv/bin/python bench/dataset_download.py [--observations 100000]

Builds (once) a SQLite database under bench/data/ with N observations of 100 public
indicators, then serves each download once through its view and reads the whole
response, as a client would: the time, the size, and (in a second, traced run) the
peak memory Python allocated meanwhile (tracemalloc), which must not grow with N —
the rows are streamed, never held.
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import api_bench  # noqa: E402


def build(n: int) -> None:
    from datetime import date, timedelta
    from decimal import Decimal

    from django.core.management import call_command

    from quality.models import Indicator, Observation, Period, Region, Topic, Unit

    call_command("migrate", verbosity=0)
    if Observation.objects.exists():
        return
    region = Region.objects.create(code="370600", name="烟台市", level="city")
    unit = Unit.objects.create(symbol="项", name="项")
    topic = Topic.objects.create(name="标准化", slug="standardisation")
    indicators = [
        Indicator.objects.create(
            code=f"bench_{k}", name=f"指标{k}", topic=topic, unit=unit, scope="全市"
        )
        for k in range(100)
    ]
    periods = [
        Period.objects.create(kind="instant", end_on=date(1900, 1, 1) + timedelta(d))
        for d in range(n // len(indicators))
    ]
    Observation.objects.bulk_create(
        (
            Observation(
                indicator=indicator,
                region=region,
                period=period,
                period_end_on=period.end_on,
                value=Decimal(k),
                raw_text=f"{k}项",
                source_publisher="烟台市统计局",
                source_title="统计公报",
                source_url="https://example.org/bulletin.html",
                is_preferred=True,
            )
            for k, (period, indicator) in enumerate(
                (p, i) for p in periods for i in indicators
            )
        ),
        batch_size=5000,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--observations", type=int, default=100_000)
    options = parser.parse_args()
    db = api_bench.DATA / f"dataset-{options.observations}.sqlite3"
    db.parent.mkdir(parents=True, exist_ok=True)
    api_bench.setup_django(api_bench.bench_env(db))
    build(options.observations)

    from django.test import RequestFactory

    from quality import views
    from quality.models import Observation

    print(f"{Observation.objects.count()} observations")
    request = RequestFactory().get("/quality/data.csv")
    for name, view in (("csv", views.dataset_csv), ("xlsx", views.dataset_xlsx)):
        start = time.perf_counter()
        size = sum(len(chunk) for chunk in view(request).streaming_content)
        seconds = time.perf_counter() - start
        tracemalloc.start()
        for _chunk in view(request).streaming_content:
            pass
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(
            f"{name}: {size / 1e6:.1f} MB in {seconds:.1f} s; "
            f"peak Python allocation {peak / 1e6:.1f} MB"
        )


if __name__ == "__main__":
    main()
