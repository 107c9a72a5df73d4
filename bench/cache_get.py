"""Read time of one cached article page (~60 KB) from the ``pages`` cache.

Whatever the environment configures: the file cache by default, Redis with REDIS_URL.

    DJANGO_DEBUG=1 PAGE_CACHE_DIR=/tmp/bench-pages .venv/bin/python bench/cache_get.py
    DJANGO_DEBUG=1 REDIS_URL=redis://127.0.0.1:6379/0 REDIS_KEY_PREFIX=bench \\
        .venv/bin/python bench/cache_get.py

Writes 200 entries, reads them five times over, prints the median time of one read,
and clears the cache it used (with REDIS_KEY_PREFIX, only that prefix's keys).
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yantai.settings")

import django  # noqa: E402

django.setup()

from django.core.cache import caches  # noqa: E402

PAGE = ("<p>" + "烟台市质量提升" * 20 + "</p>\n") * 140
ENTRIES, ROUNDS = 200, 5

cache = caches["pages"]
for i in range(ENTRIES):
    cache.set(f"bench:page:{i}", PAGE)
per_read = []
for _ in range(ROUNDS):
    start = time.perf_counter()
    for i in range(ENTRIES):
        assert cache.get(f"bench:page:{i}") is not None
    per_read.append((time.perf_counter() - start) / ENTRIES * 1e6)
cache.clear()
print(
    f"{type(cache).__name__}: {len(PAGE.encode())} bytes, "
    f"median read {statistics.median(per_read):.0f} µs"
)
