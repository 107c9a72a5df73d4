#!/usr/bin/env python3
"""A 100-row observation page as model instances against plain rows, interleaved.

Usage (from the project root, after ``bench/api_bench.py`` has built its database):

    .venv/bin/python bench/api_rows_ab.py [--rounds 300] [--db bench/data/api-1000000.sqlite3]

The shared machine's speed drifts by tens of per cent within minutes, so two
separate runs cannot compare a change of this size. This script times, in one
process and alternately, what a list page does with its rows:

- ``instances``: the rows as ``Observation`` model instances with their indicator,
  region, period and article set in the related-object cache (the list before
  commit 4f81199);
- ``rows``: ``values_list`` into ``quality.references.ObservationRow`` (the list now);

each followed by ``ObservationSerializer`` and DRF's JSON renderer. It checks that
both give the same bytes and prints the median of each and their ratio.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import api_bench  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument(
        "--db", type=Path, default=api_bench.DATA / "api-1000000.sqlite3"
    )
    options = parser.parse_args()
    api_bench.setup_django(api_bench.bench_env(options.db))
    gc.freeze()  # as yantai/wsgi.py does

    from rest_framework.renderers import JSONRenderer

    from quality import references
    from quality.models import Indicator, Observation
    from quality.serializers import ObservationSerializer

    # The longest preferred series of the first public indicator with one.
    indicator = Indicator.objects.public().filter(code__startswith="bench_").first()
    region_id = (
        Observation.objects.filter(indicator=indicator, is_preferred=True)
        .values_list("region_id", flat=True)
        .first()
    )
    page = Observation.objects.filter(
        indicator=indicator, region_id=region_id, is_preferred=True
    ).order_by("period_end_on", "id")[:100]

    def render(rows) -> bytes:
        return JSONRenderer().render(ObservationSerializer(rows, many=True).data)

    def instances() -> bytes:
        rows = list(page.all())  # a new query each time, like a request
        tables = references._tables
        ids = {o.article_id for o in rows if o.article_id}
        articles = references._source_articles(ids) if ids else {}
        for o in rows:
            cache = o._state.fields_cache
            cache["indicator"] = tables.indicators[o.indicator_id]
            cache["region"] = tables.regions[o.region_id]
            cache["period"] = tables.periods[o.period_id]
            if o.article_id:
                cache["article"] = articles[o.article_id]
        return render(rows)

    def rows() -> bytes:
        values = list(page.values_list(*references.ObservationRow.FIELDS))
        return render(references.observation_rows(values))

    first = rows()  # loads the reference tables
    assert instances() == first, "the two paths give different bytes"
    print(f"{len(list(page.all()))} rows, {len(first):,} bytes")
    times: dict[str, list[float]] = {"instances": [], "rows": []}
    for _ in range(options.rounds):
        for name, path in (("instances", instances), ("rows", rows)):
            started = time.perf_counter()
            path()
            times[name].append((time.perf_counter() - started) * 1000)
    a, b = (statistics.median(times[k]) for k in ("instances", "rows"))
    print(f"RESULT instances={a:.2f}ms rows={b:.2f}ms ratio={b / a:.2f}")


if __name__ == "__main__":
    main()
