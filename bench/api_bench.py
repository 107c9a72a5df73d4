#!/usr/bin/env python3
"""API list latency at N observations, by the protocol of ../shared/bench/README.md.

Usage (from the project root):

    .venv/bin/python bench/api_bench.py [--n 1000000] [--seconds 15] [--connections 2]
        [--reuse-db] [--db PATH] [--requests 40] [--groups obs_default,indicators]
        [--no-wrk | --no-inprocess] [--port 8821]

Steps:

1. Build (skipped with ``--reuse-db`` when the file exists) a fresh SQLite file,
   ``bench/data/api-N.sqlite3`` by default (git-ignored): ``manage.py migrate`` with
   ``DATABASE_URL`` pointing at it, the demo quality data (``quality.demo.load``: the
   Yantai regions, units, topics, 18 indicators), 182 more synthetic indicators (200 in
   all, 5 of them not public), 30 published articles (all by ``bulk_create``: no
   signals), then observations by ``executemany`` (see ``build``) until there are N:
   every (indicator, region) series has a frequency (monthly series also publish
   quarters and years, quarterly series years), 12-13 regions per indicator, years
   from 2025 backwards until N is reached (about 30 years at N = 1,000,000), 1-3
   sources per cell, at most one of them preferred, comparators and bounds consistent
   with the model's check constraints, 8 % of rows citing an article; 200 random rows
   then pass ``full_clean()``. Prints how long it took.
2. In-process, without gunicorn: Django's test client over ``--requests`` random URLs
   per group (fewer when a group has taken 20 s and has 5 samples), timing every SQL
   statement with an execute wrapper: p50/p95 of the whole request and of its SQL,
   the number of queries, and EXPLAIN QUERY PLAN of the slowest statement of every
   group whose p95 is over the 20 ms target.
3. gunicorn (2 sync workers, ``DEBUG=False``, 127.0.0.1) and one wrk run per URL group
   (``--latency``, ``bench/wrk_percentiles.lua``: a random URL of the group's list per
   request; p50/p90/p95/p99 from wrk's latency histogram).

``--connections`` defaults to 2, one per worker: the target is a latency, and with more
connections than workers each request waits for ``connections / 2`` others, so the
measured latency grows with the connection count, not with the code. The anonymous
and user throttles are raised (``API_THROTTLE_ANON``/``API_THROTTLE_USER=100000/s``;
DRF's user throttle also counts anonymous clients, by address) so that they still run
but do not answer 429; their counters go to ``bench/data/api-shared``, not to the
shared cache of other servers on the machine. That directory is emptied as the run
starts: no count is cached from an earlier run, so the in-process requests (each URL
asked once) all pay their count, and in the wrk runs each URL's first request does.

Target (issue #7): API list p95 < 20 ms at 1,000,000 observations.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import serving
from serving import serve, stop

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
LUA = ROOT / "bench" / "wrk_percentiles.lua"
PYTHON = sys.executable
TARGET_MS = 20.0
BUDGET_S = 20.0  # in-process time per group, after its first 5 requests
LAST_YEAR = 2025
URLS_PER_GROUP = 500
API = "/api/v1"


def bench_env(db: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "SQLITE_PATH"}
    env.update(
        DATABASE_URL=f"sqlite:///{db.resolve()}",
        DJANGO_SETTINGS_MODULE="yantai.settings",
        DJANGO_DEBUG="0",
        # DEBUG off needs a key: a throwaway one for the benchmark's own database.
        DJANGO_SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY") or "bench-" + "x" * 50,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        DJANGO_MANIFEST_STATIC="0",
        # DRF's UserRateThrottle counts anonymous clients too (keyed on the address)
        API_THROTTLE_ANON="100000/s",
        API_THROTTLE_USER="100000/s",
        PAGE_CACHE_DIR=str(DATA / "api-pages"),
        # the throttle counters: not the ones of other servers on this machine
        SHARED_CACHE_DIR=str(DATA / "api-shared"),
        LOG_LEVEL="ERROR",  # no "Too Many Requests" lines; wrk counts non-2xx
        PYTHONPATH=str(ROOT),
    )
    return env


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --- 1. the database -------------------------------------------------------------

PUBLISHERS = [
    ("烟台市统计局", "{year}年烟台市国民经济和社会发展统计公报"),
    ("烟台市市场监督管理局", "烟台市市场监管统计月报（{year}年）"),
    ("山东省市场监督管理局", "山东省质量发展状况通报（{year}年）"),
    ("烟台市人民政府", "烟台市政府工作报告（{year}年）"),
    ("烟台市质量强市工作领导小组办公室", "烟台市质量工作情况通报（{year}年）"),
    ("国家市场监督管理总局", "全国产品质量监督抽查情况通报（{year}年）"),
]
SUFFIX = {"=": "", "~": "左右", ">": "余", ">=": "以上", "<": "不足", "<=": "以内"}
FOUR = Decimal("0.0001")


def dec(x: float, places: int) -> Decimal:
    return Decimal(f"{x:.{places}f}").quantize(FOUR)


def bounds(rng: random.Random, comparator: str, value: Decimal):
    """(lower, upper) satisfying the model's check constraints; value >= 1."""
    if comparator == "=":
        return None, None
    if comparator == "~":
        if rng.random() < 0.5:
            return None, None
        return (value * Decimal("0.9")).quantize(FOUR), (
            value * Decimal("1.1")
        ).quantize(FOUR)
    if comparator == ">":
        upper = (value * Decimal("1.2") + 1).quantize(FOUR)
        return value, upper if rng.random() < 0.5 else None
    if comparator == ">=":
        return value, None
    if comparator == "<":
        lower = (value * Decimal("0.8")).quantize(FOUR)
        return lower if rng.random() < 0.5 else None, value
    return None, value  # "<="


def periods_for_year(year: int) -> list:
    from quality.models import Period

    rows = [Period(kind="year", start_on=date(year, 1, 1), end_on=date(year, 12, 31))]
    for q in range(1, 5):
        rows.append(
            Period(
                kind="quarter",
                start_on=date(year, 3 * q - 2, 1),
                end_on=month_end(year, 3 * q),
            )
        )
    for m in range(1, 13):
        rows.append(
            Period(kind="month", start_on=date(year, m, 1), end_on=month_end(year, m))
        )
    for p in rows:
        p.code = p.compute_code()
    Period.objects.bulk_create(rows)
    return rows


def month_end(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


def build(db: Path, env: dict[str, str], n: int) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from news.models import Article, Channel
    from quality import demo
    from quality.models import Indicator, Observation, Region, Topic, Unit

    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "-v", "0"], env=env, cwd=ROOT, check=True
    )
    migrated = time.perf_counter()
    rng = random.Random(7)
    with connection.cursor() as cursor:  # a throwaway file: no fsync while loading
        cursor.execute("PRAGMA synchronous=OFF")
    demo.load()

    units = list(Unit.objects.all())
    topics = list(Topic.objects.all())
    natures = [c for c, _label in Indicator.Nature.choices]
    extra = []
    for i in range(18, 200):
        unit = rng.choice(units)
        extra.append(
            Indicator(
                code=f"bench_indicator_{i:03d}",
                name=f"基准测试指标{i:03d}",
                name_en=f"Benchmark indicator {i:03d}",
                topic=rng.choice(topics),
                unit=unit,
                definition=f"用于接口基准测试的合成指标 {i}。",
                scope="基准测试合成数据。",
                nature=Indicator.Nature.RATE
                if unit.symbol == "%"
                else rng.choice(natures),
                decimals=1 if unit.symbol == "%" else 0,
                is_public=i % 40 != 0,  # 5 of the 182 not public
                is_headline=rng.random() < 0.1,
                order=i,
            )
        )
    Indicator.objects.bulk_create(extra)
    indicators = list(Indicator.objects.select_related("unit").order_by("id"))

    channel, _created = Channel.objects.get_or_create(name="质量强市", slug="质量强市")
    now = timezone.now()
    articles = Article.objects.bulk_create(
        Article(
            title=f"基准测试文章{i}",
            slug=f"bench-{i}",
            summary="基准测试。",
            body="<p>基准测试。</p>",
            body_text="基准测试。",
            channel=channel,
            status=Article.Status.PUBLISHED,
            published_at=now - timedelta(days=30 * i + 1),
        )
        for i in range(30)
    )

    regions = list(Region.objects.order_by("code"))
    province = [r for r in regions if r.level == "province"]
    local = [r for r in regions if r.level != "province"]
    series = []
    for indicator in indicators:
        freq = rng.choices(("month", "quarter", "year"), (45, 30, 25))[0]
        rate = indicator.unit.symbol == "%"
        covered = local + (province if rng.random() < 0.1 else [])
        for region in covered:
            base = rng.uniform(85, 99) if rate else rng.uniform(5, 5000)
            series.append((indicator, region, freq, base, rate))

    # Observations go in with executemany on prepared tuples: bulk_create spends
    # ~30 µs per value preparing it and SQLite caps its batches at 999 parameters
    # (52 rows), about 13 minutes for 1,000,000 rows on this machine. The values are
    # the ones Django would write (Decimal → str, dates ISO, booleans 0/1); SQLite
    # enforces the model's check constraints and the one-preferred index on insert.
    columns = [f.column for f in Observation._meta.concrete_fields if not f.primary_key]
    assert columns == list(COLUMNS), columns
    insert = (
        f'INSERT INTO "{Observation._meta.db_table}" ({", ".join(columns)}) '
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    created = connection.ops.adapt_datetimefield_value(now)
    article_ids = [a.pk for a in articles]
    count = Observation.objects.count()
    year = LAST_YEAR
    while count < n:
        periods = periods_for_year(year)
        by_kind = {
            "year": periods[:1],
            "quarter": periods[1:5] + periods[:1],
            "month": periods[5:] + periods[1:5] + periods[:1],
        }
        rows: list[tuple] = []
        for indicator, region, freq, base, rate in series:
            for period in by_kind[freq]:
                if count + len(rows) >= n:
                    break
                rows += cell_rows(
                    rng, indicator, region, period, base, rate, year, article_ids
                )
        rows = [row + (created,) for row in rows[: n - count]]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(insert, rows)
        count += len(rows)
        print(f"  {year}: {count:,} observations", flush=True)
        year -= 1
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        # Table statistics after a bulk load, as a DBA would gather them (PostgreSQL's
        # autovacuum does it by itself): without them SQLite may walk a region's
        # 80,000 rows instead of the (indicator, region) index.
        cursor.execute("ANALYZE")
    done = time.perf_counter()
    sample = Observation.objects.order_by("?")[:200]
    for observation in sample:  # the model's own validation, constraints included
        observation.full_clean()
    size = db.stat().st_size / 2**20
    print(
        f"BUILD {count:,} observations, {len(indicators)} indicators, "
        f"{len(regions)} regions, years {year + 1}-{LAST_YEAR}: migrate "
        f"{migrated - started:.1f} s, load {done - migrated:.1f} s, "
        f"total {done - started:.1f} s, {size:.0f} MB; 200 random rows pass "
        "full_clean()"
    )


COLUMNS = (
    "indicator_id",
    "region_id",
    "period_id",
    "value",
    "comparator",
    "lower",
    "upper",
    "raw_text",
    "period_end_on",
    "status",
    "article_id",
    "source_publisher",
    "source_title",
    "source_on",
    "source_url",
    "quote",
    "note",
    "is_preferred",
    "created_at",
)


def cell_rows(rng, indicator, region, period, base, rate, year, article_ids) -> list:
    """The 1-3 observations of one (indicator, region, period) cell, as tuples in
    ``COLUMNS`` order without ``created_at``."""
    if rate:
        value = dec(min(100.0, base + rng.uniform(-2, 2)), 1)
    else:
        share = {"year": 1, "quarter": 4, "month": 12}[period.kind]
        growth = 1.06 ** (year - 1996)
        value = dec(max(1.0, base * growth / share * rng.uniform(0.8, 1.2)), 0)
    r = rng.random()
    sources = 1 if r < 0.70 else 2 if r < 0.92 else 3
    preferred = 0 if rng.random() < 0.95 else -1
    symbol = indicator.unit.symbol
    rows = []
    for k in range(sources):
        if k == 0:
            comparator = rng.choices(("=", "~", ">="), (90, 5, 5))[0]
            v = value
        else:
            comparator = rng.choice(("=", "~", ">", ">=", "<", "<="))
            v = value if comparator == "=" else max(Decimal(1), value.to_integral())
        lower, upper = bounds(rng, comparator, v)
        raw = f"{'约' if comparator == '~' else ''}{v.normalize():f}{symbol}"
        raw += SUFFIX[comparator] if comparator != "~" else ""
        if year >= LAST_YEAR:
            status = rng.choices(("provisional", "confirmed"), (60, 40))[0]
        else:
            status = rng.choices(("confirmed", "revised", "provisional"), (75, 15, 10))
            status = status[0]
            if k == preferred and status == "revised":
                # A preferred value is never 已修订 (the model's check constraint);
                # the draw stays, so the rest of the data set is as before.
                status = "confirmed"
        if rng.random() < 0.08:
            source = (rng.choice(article_ids), "", "", None, "")
        else:
            publisher, title = rng.choice(PUBLISHERS)
            source = (
                None,
                publisher,
                title.format(year=year),
                (period.end_on + timedelta(days=rng.randint(10, 120))).isoformat(),
                f"https://www.yantai.gov.cn/bench/{year}/{rng.randint(1, 10**6)}.html",
            )
        rows.append(
            (indicator.pk, region.pk, period.pk, str(v), comparator)
            + (None if lower is None else str(lower),)
            + (None if upper is None else str(upper),)
            + (raw[:100], period.end_on.isoformat(), status)
            + source
            + (
                f"{period.code}，{region.name}{indicator.name}{raw}。",
                "",
                k == preferred,
            )
        )
    return rows


# --- the request groups ----------------------------------------------------------


def url_groups(rng: random.Random) -> dict[str, list[str]]:
    """Group name → random site-relative URLs of that kind."""
    from api.pagination import DEFAULT_PAGE_SIZE, MAX_OFFSET
    from quality.models import Indicator, Observation, Period, Region

    codes = list(Indicator.objects.public().values_list("code", flat=True))
    regions = list(Region.objects.values_list("code", flat=True))
    first = Period.objects.order_by("end_on").values_list("end_on", flat=True)[0]
    total = Observation.objects.filter(indicator__is_public=True).count()
    last_page = max(1, (total + 19) // 20)
    ind_pages = max(1, (len(codes) + 19) // 20)

    def some_date(lo: date, hi: date) -> date:
        return lo + timedelta(days=rng.randint(0, max(0, (hi - lo).days)))

    def period_range() -> str:
        start = some_date(first, date(LAST_YEAR, 12, 31))
        end = start + timedelta(days=rng.randint(90, 3 * 365))
        return f"period_from={start:%Y-%m-%d}&period_to={end:%Y-%m-%d}"

    obs = f"{API}/observations/"
    deepest_page = min(last_page, MAX_OFFSET // DEFAULT_PAGE_SIZE + 1)
    make = {
        "healthz": lambda: "/healthz",
        "indicators": lambda: f"{API}/indicators/?page={rng.randint(1, ind_pages)}",
        "obs_default": lambda: obs if rng.random() < 0.5 else f"{obs}?page=2",
        "obs_indicator": lambda: f"{obs}?indicator={rng.choice(codes)}",
        "obs_region": lambda: f"{obs}?region={rng.choice(regions)}",
        "obs_period": lambda: f"{obs}?{period_range()}",
        "obs_series": lambda: (
            f"{obs}?indicator={rng.choice(codes)}&region={rng.choice(regions)}"
            "&is_preferred=true&page_size=100"
        ),
        "obs_ordering": lambda: f"{obs}?ordering=-value&page={rng.randint(1, 5)}",
        # As deep as the API lets a client go (api.pagination.MAX_OFFSET): beyond,
        # 400 and a pointer to the filters.
        "obs_deep_page": lambda: f"{obs}?page={rng.randint(1, deepest_page)}",
    }
    return {name: [f() for _ in range(URLS_PER_GROUP)] for name, f in make.items()}


# --- 2. in-process ---------------------------------------------------------------


def pct(samples: list[float], p: float) -> float:
    samples = sorted(samples)
    return samples[min(len(samples) - 1, int(round(p / 100 * (len(samples) - 1))))]


def in_process(groups: dict[str, list[str]], requests: int) -> dict[str, dict]:
    from django.db import connection
    from django.test import Client

    client = Client()
    results = {}
    for name, urls in groups.items():
        sample = urls[:requests]
        assert client.get(sample[0]).status_code == 200, sample[0]  # warm-up
        totals, sqls, counts, slowest = [], [], [], (0.0, "", None, "")
        group_started = time.perf_counter()
        for url in sample:
            if len(totals) >= 5 and time.perf_counter() - group_started > BUDGET_S:
                break  # slow group: enough samples to show it
            log: list[tuple[float, str, object]] = []

            def timed(execute, sql, params, many, context, log=log):
                started = time.perf_counter()
                try:
                    return execute(sql, params, many, context)
                finally:
                    log.append((time.perf_counter() - started, sql, params))

            started = time.perf_counter()
            with connection.execute_wrapper(timed):
                response = client.get(url)
            totals.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
            sqls.append(sum(t for t, _s, _p in log) * 1000)
            counts.append(len(log))
            for t, sql, params in log:
                if t * 1000 > slowest[0]:
                    slowest = (t * 1000, sql, params, url)
        result = {
            "p50": statistics.median(totals),
            "p95": pct(totals, 95),
            "sql_p50": statistics.median(sqls),
            "sql_p95": pct(sqls, 95),
            "queries": f"{min(counts)}-{max(counts)}"
            if min(counts) != max(counts)
            else str(counts[0]),
        }
        results[name] = result
        print(
            f"INPROC {name:14} p50_ms={result['p50']:.1f} p95_ms={result['p95']:.1f} "
            f"sql_p50_ms={result['sql_p50']:.1f} sql_p95_ms={result['sql_p95']:.1f} "
            f"queries={result['queries']} n={len(totals)}",
            flush=True,
        )
        if result["p95"] > TARGET_MS and slowest[1]:
            explain(*slowest)
    return results


def explain(ms: float, sql: str, params, url: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = cursor.fetchall()
    print(f"  slowest statement, {ms:.1f} ms, for {url}:")
    short = re.sub(r"^SELECT .{80,}? FROM ", "SELECT <all columns> FROM ", sql)
    print(f"    {short}")
    print(f"    params: {params}")
    for row in plan:
        print(f"    PLAN {row[-1]}")


# --- 3. gunicorn + wrk -----------------------------------------------------------


def drain(port: int) -> None:
    """Wait until both workers are idle: a sync worker finishes a slow request after
    wrk has hung up, and would otherwise delay the next group's first requests."""

    def timed_get(_):
        started = time.perf_counter()
        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=120).read()
        return time.perf_counter() - started

    with ThreadPoolExecutor(2) as pool:
        for _ in range(600):
            if max(pool.map(timed_get, range(2))) < 0.05:
                return
            time.sleep(0.1)


def wrk(port: int, urls: Path, seconds: int, connections: int) -> dict:
    return serving.wrk(port, urls, seconds, connections, script=LUA, timeout="60s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=15, help="wrk run per group")
    parser.add_argument("--connections", type=int, default=2)
    parser.add_argument("--port", type=int, default=8821)
    parser.add_argument(
        "--requests", type=int, default=40, help="in-process, per group"
    )
    parser.add_argument("--db", type=Path, help="default bench/data/api-N.sqlite3")
    parser.add_argument(
        "--reuse-db", action="store_true", help="skip the build if the DB exists"
    )
    parser.add_argument("--groups", help="comma-separated subset of the URL groups")
    parser.add_argument("--no-wrk", action="store_true", help="in-process only")
    parser.add_argument("--no-inprocess", action="store_true", help="wrk only")
    options = parser.parse_args()

    DATA.mkdir(parents=True, exist_ok=True)
    db = options.db or DATA / f"api-{options.n}.sqlite3"
    env = bench_env(db)
    # Every run starts with no cached counts: a URL's first request pays its count.
    shutil.rmtree(env["SHARED_CACHE_DIR"], ignore_errors=True)
    setup_django(env)
    if not (options.reuse_db and db.exists()):
        build(db, env, options.n)

    from quality.models import Observation

    print(
        f"DB {db} ({db.stat().st_size / 2**20:.0f} MB): "
        f"{Observation.objects.count():,} observations; "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load {os.getloadavg()[0]:.2f}"
    )
    groups = url_groups(random.Random(1))
    if options.groups:
        wanted = options.groups.split(",")
        groups = {k: v for k, v in groups.items() if k in wanted}
    files = {}
    for name, urls in groups.items():
        files[name] = DATA / f"api-urls-{name}.txt"
        files[name].write_text("".join(f"{u}\n" for u in urls))

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stop gunicorn on kill
    inproc: dict[str, dict] = {}
    if not options.no_inprocess:
        print("== in-process (Django test client, no server)")
        inproc = in_process(groups, options.requests)
    if options.no_wrk:
        return

    print(f"== gunicorn 2 sync workers, wrk -c{options.connections} {options.seconds}s")
    mixed = DATA / "api-urls-all.txt"
    mixed.write_text(  # the warm-up leaves out the slowest group
        "".join(
            f"{u}\n"
            for name, urls in groups.items()
            if name != "obs_deep_page"
            for u in urls[:50]
        )
    )
    server = serve(["yantai.wsgi:application"], env, options.port)
    served = {}
    try:
        wrk(options.port, mixed, 3, options.connections)  # warm-up
        for name, path in files.items():
            drain(options.port)
            served[name] = r = wrk(
                options.port, path, options.seconds, options.connections
            )
            print(
                f"WRK {name:14} rps={r['rps']:.0f} p50_ms={r['p50_ms']:.1f} "
                f"p95_ms={r['p95_ms']:.1f} p99_ms={r['p99_ms']:.1f} "
                f"requests={r['requests']:.0f} bytes={r['avg_bytes']:.0f} "
                f"non2xx={r['non2xx']:.0f} sockerr={r['sockerr']:.0f}",
                flush=True,
            )
            if r["non2xx"] or r["sockerr"]:
                print(f"  WARNING: {name}: errors; figures not comparable")
    finally:
        stop(server)

    print()
    print(
        "| group | rps | p50 ms | p95 ms | p99 ms | in-process p50 / p95 ms "
        "| SQL p50 / p95 ms | queries |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, r in served.items():
        mark = " ✗" if r["p95_ms"] > TARGET_MS else ""
        i = inproc.get(name)
        django = (
            f"{i['p50']:.1f} / {i['p95']:.1f} | {i['sql_p50']:.1f} / {i['sql_p95']:.1f} "
            f"| {i['queries']}"
            if i
            else "- | - | -"
        )
        print(
            f"| {name} | {r['rps']:.0f} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f}{mark} "
            f"| {r['p99_ms']:.1f} | {django} |"
        )


if __name__ == "__main__":
    main()
