"""The home page's blocks, 阅读排行 and 往期回顾's month counts on a large database.

    cp bench/data/bench-20000.sqlite3 /tmp/portal-20000.sqlite3
    DATABASE_URL=sqlite:////tmp/portal-20000.sqlite3 DJANGO_DEBUG=1 \\
        .venv/bin/python manage.py migrate -v 0
    DATABASE_URL=sqlite:////tmp/portal-20000.sqlite3 DJANGO_DEBUG=1 \\
        .venv/bin/python bench/portal_bench.py

Run on a copy (it writes readings into ``ArticleDailyViews``): 2,000 articles read on
each of the last 7 days (14,000 rows), then each read timed 7 times after one
warm-up, uncached (the functions the shared cache would keep), median and minimum.
"""

import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yantai.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from news.models import Article, ArticleDailyViews, Channel  # noqa: E402
from news.views import _archive_months, _home_blocks  # noqa: E402


def timed(label: str, fn, n: int = 7) -> None:
    fn()
    runs = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - start) * 1000)
    print(f"{label}: median {statistics.median(runs):.1f} ms, min {min(runs):.1f} ms")


def main() -> None:
    published = Article.objects.published()
    print(f"published articles: {published.count()}, database: {connection.vendor}")
    today = timezone.localdate()
    ids = list(published.values_list("pk", flat=True)[:2000])
    ArticleDailyViews.objects.all().delete()
    ArticleDailyViews.objects.bulk_create(
        ArticleDailyViews(
            article_id=i, day=today - timedelta(days=d), count=(i * 7 + d) % 97 + 1
        )
        for i in ids
        for d in range(7)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    channels = list(Channel.objects.all())
    timed(
        "home blocks (头条, 要闻, 焦点图, channels, 阅读排行)",
        lambda: _home_blocks(channels),
    )
    timed(
        "阅读排行 alone",
        lambda: published.for_listing().most_read(
            since=today - timedelta(days=6), limit=8
        ),
    )
    timed("往期回顾 month counts", _archive_months)


if __name__ == "__main__":
    main()
