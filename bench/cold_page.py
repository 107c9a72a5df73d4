#!/usr/bin/env python3
"""The cold article page in-process: ms per page, queries, a profile, and an A/B
against another commit (issue #14 §4).

Usage (from the project root):

    .venv/bin/python bench/cold_page.py                       # this tree, 300 pages
    .venv/bin/python bench/cold_page.py --against f2b01ea     # A/B, same window
    .venv/bin/python bench/cold_page.py --profile             # cProfile, top lines
    .venv/bin/python bench/cold_page.py --against f2b01ea --compare --lang both
    .venv/bin/python bench/cold_page.py --against f2b01ea --instructions --n 100
    .venv/bin/python bench/cold_page.py --rounds 3 \
        --database-url postgres://yantai:yantai-ci@127.0.0.1:5432/yantai_bench \
        --redis-url redis://127.0.0.1:6379/9          # PostgreSQL + Redis

Each line gives the wall-clock and CPU time per page and, of the CPU time, the part
spent rendering the template (``SimpleTemplateResponse.render``); ``--bytecodes``
also counts the Python bytecodes that rendering executes (a figure machine load does
not change; slow, so with ``--n 40``). ``--instructions`` runs each worker under
valgrind's callgrind and counts the machine instructions of the timed pass, the whole
request and SQLite included (also unchanged by load; about 50 times slower, one round
is enough: ``--rounds 1 --n 100``, or ``--rounds 2``, which reports each tree's lower
count); needs ``valgrind`` installed.

"Cold" as in ``bench/serving_under_edits.py``'s cold run: no page of the article is
cached (``ARTICLE_PAGE_CACHE_SECONDS=0``), the shared fragments (最新文章, the channel
menu, the footer) are in the cache (a few warm-up pages fill them). Each page is a
GET through ``yantai.wsgi.application`` (the fast path in front, the whole
middleware stack, the view), called directly: no server, no socket.

The database is a copy of ``bench/data/bench-20000.sqlite3`` (made by
``article_bench.py``) under ``/tmp/cold_page/`` (migrated there; the original is
never written); with ``--database-url`` the pages come from that database instead
(migrated, not copied: the PostgreSQL database ``bench/serving_under_edits.py
--database-url`` made) and each line also gives the CPU time of the connection's
PostgreSQL backend a page, read from ``/proc`` (the server must run on this machine),
which the process's own CPU time does not include. ``--against REV`` unpacks ``git archive REV`` beside it and runs the
same pages through both trees in alternating rounds, each in its own process, so
that both see the same machine load; ``--compare`` also saves each page of both and
compares them with whitespace normalised (the CSP nonce taken out), byte for byte
with ``--exact``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DB = ROOT / "bench" / "data" / "bench-20000.sqlite3"
WORK = Path(tempfile.gettempdir()) / "cold_page"


def env_for(
    tree: Path, db: Path, caches: Path, database_url=None, redis_url=None
) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")
    }
    if database_url:
        env["DATABASE_URL"] = database_url
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.update(
        SQLITE_PATH=str(db),
        DJANGO_SETTINGS_MODULE="yantai.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY") or "bench-" + "x" * 50,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_MANIFEST_STATIC="0",
        ARTICLE_PAGE_CACHE_SECONDS="0",  # no page of the article cached
        PAGE_CACHE_DIR=str(caches / "pages"),
        SHARED_CACHE_DIR=str(caches / "shared"),
        PYTHONPATH=str(tree),
    )
    return env


def database(source: Path, database_url: str | None = None) -> Path:
    """A migrated copy of ``source`` under WORK (made once); with ``database_url``,
    that database migrated instead (the copy is still made, unused)."""
    copy = WORK / source.name
    if not copy.exists():
        WORK.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, copy.with_suffix(".part"))
        copy.with_suffix(".part").rename(copy)
    env = env_for(ROOT, copy, WORK / "caches-migrate", database_url)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return copy


def checkout(rev: str) -> Path:
    """The tree of commit ``rev`` under WORK (``git archive``: no work tree
    touched, nothing written to the repository)."""
    sha = subprocess.run(
        ["git", "rev-parse", "--short", rev],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    tree = WORK / f"tree-{sha}"
    if not tree.exists():
        part = WORK / f"tree-{sha}.part"
        shutil.rmtree(part, ignore_errors=True)
        part.mkdir(parents=True)
        archive = subprocess.run(
            ["git", "archive", sha], cwd=ROOT, capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(part)], input=archive, check=True)
        part.rename(tree)
    return tree


# --- the worker: one process, one tree ----------------------------------------------

NONCE = re.compile(rb'nonce="[^"]*"')
SPACE = re.compile(rb"\s+")


def normalise(html: bytes) -> bytes:
    html = NONCE.sub(b'nonce=""', html)
    html = SPACE.sub(b" ", html)
    return re.sub(rb">\s+<", b"><", html).strip()


def worker(args) -> None:
    import django

    django.setup()
    from django.db import connection, reset_queries
    from django.template.response import SimpleTemplateResponse
    from django.test.client import RequestFactory

    from news import pagecache
    from news.models import Article
    from yantai.wsgi import application

    if args.instructions:
        # Under callgrind a page takes ~50 times as long: the shared fragments'
        # lifetime and this process's memo of them would lapse every few pages
        # instead of every few thousand, and be counted as part of each page.
        pagecache.MEMO_SECONDS = pagecache.FRAGMENT_SECONDS = 10**6
        pagecache.shared_current.__defaults__ = (10**6,)

    # CPU time spent rendering the page's template (the view renders it once).
    rendering = [0.0]
    render = SimpleTemplateResponse.render
    # --bytecodes: Python bytecodes executed rendering it (counted in the query pass
    # only): the same on a busy machine as on a quiet one.
    bytecodes = [0, False]

    def tracer(frame, event, arg):
        if event == "call":
            frame.f_trace_opcodes = True
        elif event == "opcode":
            bytecodes[0] += 1
        return tracer

    def timed_render(self):
        start = time.process_time()
        if bytecodes[1]:
            sys.settrace(tracer)
        try:
            return render(self)
        finally:
            sys.settrace(None)
            rendering[0] += time.process_time() - start

    SimpleTemplateResponse.render = timed_render

    ids = list(Article.objects.published().order_by("pk").values_list("pk", flat=True))
    rng = random.Random(args.seed)
    pages = rng.sample(ids, min(args.n, len(ids)))
    prefixes = {"zh": [""], "en": ["/en"], "both": ["", "/en"]}[args.lang]
    paths = [f"{prefix}/news/{pk}/" for pk in pages for prefix in prefixes]
    environ = RequestFactory(
        HTTP_HOST="127.0.0.1", SERVER_NAME="127.0.0.1", SERVER_PORT="80"
    )._base_environ

    def get(path: str) -> bytes:
        status = []
        body = application(
            environ(PATH_INFO=path, REQUEST_METHOD="GET"),
            lambda s, h, *a: status.append(s),
        )
        data = b"".join(body)
        if hasattr(body, "close"):
            body.close()
        if not status[0].startswith("200"):
            raise SystemExit(f"{path}: {status[0]}")
        return data

    # Warm-up: templates loaded, the connection open, the fragments in the cache.
    for pk in ids[:10]:
        for prefix in prefixes:
            get(f"{prefix}/news/{pk}/")

    # Queries of each page (a pass of its own: counting them costs time).
    connection.force_debug_cursor = True
    counts = []
    bytecodes[1] = args.bytecodes
    for path in paths:
        reset_queries()
        data = get(path)
        counts.append(len(connection.queries))
        if args.dump:
            name = path.strip("/").replace("/", "-") + ".html"
            exact = NONCE.sub(b'nonce=""', data)
            Path(args.dump, name).write_bytes(exact if args.exact else normalise(data))
    connection.force_debug_cursor = False
    bytecodes[1] = False
    reset_queries()

    def server_cpu() -> float:
        """CPU seconds of this connection's PostgreSQL backend (0 on SQLite, whose
        work is in this process's own CPU time)."""
        if connection.vendor != "postgresql":
            return 0.0
        pid = connection.connection.info.backend_pid
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
    times = []
    cpu = 0.0
    rendering[0] = 0.0
    server_start = server_cpu()
    if args.instructions:  # the worker runs under callgrind, instrumentation off
        instrument("on")
    for _round in range(args.repeat):
        if profiler:
            profiler.enable()
        for path in paths:
            start, start_cpu = time.perf_counter(), time.process_time()
            get(path)
            times.append(time.perf_counter() - start)
            cpu += time.process_time() - start_cpu
        if profiler:
            profiler.disable()
    if args.instructions:
        instrument("off")
    server = server_cpu() - server_start
    print(
        json.dumps(
            {
                "pages": len(paths),
                "mean_ms": statistics.fmean(times) * 1000,
                "median_ms": statistics.median(times) * 1000,
                # CPU time of this process (SQLite runs in it): what a busy machine
                # distorts least.
                "cpu_ms": cpu / len(times) * 1000,
                "render_cpu_ms": rendering[0] / len(times) * 1000,
                "server_cpu_ms": server / len(times) * 1000,
                "render_bytecodes": bytecodes[0] / len(paths),
                "queries_max": max(counts),
                "queries_mean": statistics.fmean(counts),
            }
        )
    )
    if profiler:
        import pstats

        profiler.dump_stats(WORK / "cold_page.prof")  # for pstats / snakeviz
        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(35)


def instrument(state: str) -> None:
    """Turn callgrind's counting of this process on or off."""
    subprocess.run(
        ["callgrind_control", "--instr=" + state, str(os.getpid())],
        check=True,
        capture_output=True,
    )


def instructions(out: Path) -> int:
    """The instructions callgrind counted (its ``totals:`` line)."""
    for line in out.read_text().splitlines():
        if line.startswith("totals:"):
            return int(line.split()[1])
    raise SystemExit(f"no totals in {out}")


# --- the parent: A/B in alternating rounds --------------------------------------------


def run_tree(tree: Path, db: Path, args, dump: Path | None, caches: Path) -> dict:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        "--n",
        str(args.n),
        "--seed",
        str(args.seed),
        "--lang",
        args.lang,
        "--repeat",
        str(args.repeat),
    ]
    if args.profile:
        command.append("--profile")
    if args.bytecodes:
        command.append("--bytecodes")
    if args.exact:
        command.append("--exact")
    out = None
    if args.instructions:
        # Byte-compiled beforehand: a module first imported during the timed pass
        # would otherwise count its compilation (a fresh ``git archive`` tree).
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", str(tree)],
            stdout=subprocess.DEVNULL,
            check=False,
        )
        command.append("--instructions")
        out = caches / "callgrind.out"
        command = [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={out}",
            *command,
        ]
    if dump:
        command += ["--dump", str(dump)]
    result = subprocess.run(
        command,
        cwd=tree,
        env=env_for(tree, db, caches, args.database_url, args.redis_url),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL if out else None,
        text=True,
        check=True,
    )
    found = json.loads(result.stdout.strip().splitlines()[-1])
    if out:
        found["instructions"] = instructions(out) / (found["pages"] * args.repeat)
    return found


def compare(old: Path, new: Path) -> int:
    differing = 0
    names = sorted(p.name for p in new.iterdir())
    for name in names:
        a, b = (old / name).read_bytes(), (new / name).read_bytes()
        if a != b:
            differing += 1
            if differing <= 3:
                at = next(
                    i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y
                )
                print(f"  {name} differs at {at}:")
                print(
                    f"    old …{a[max(0, at - 80) : at + 120].decode(errors='replace')}"
                )
                print(
                    f"    new …{b[max(0, at - 80) : at + 120].decode(errors='replace')}"
                )
    print(
        f"compared {len(names)} pages: {len(names) - differing} identical, {differing} differ"
    )
    return differing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=300, help="articles (random, seeded)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--lang", choices=("zh", "en", "both"), default="zh")
    parser.add_argument("--repeat", type=int, default=1, help="passes per round")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds")
    parser.add_argument("--against", help="a commit to compare with (A/B)")
    parser.add_argument("--compare", action="store_true", help="compare the HTML")
    parser.add_argument(
        "--exact",
        action="store_true",
        help="with --compare: byte for byte (only the CSP nonce taken out), "
        "whitespace included",
    )
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--bytecodes",
        action="store_true",
        help="count the Python bytecodes of each page's rendering (slow: use --n 40)",
    )
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="count each page's machine instructions under callgrind (slow)",
    )
    parser.add_argument("--db", type=Path, default=SOURCE_DB)
    parser.add_argument(
        "--database-url",
        help="serve from this database instead (e.g. the bench's PostgreSQL copy, "
        "made by serving_under_edits.py --database-url); migrated first",
    )
    parser.add_argument("--redis-url", help="the shared fragments in this Redis")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--dump", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return

    db = database(args.db, args.database_url)
    trees = {"new": ROOT}
    if args.against:
        trees = {"old": checkout(args.against), "new": ROOT}
    dumps = {}
    if args.compare:
        for label in trees:
            dumps[label] = WORK / f"html-{label}"
            shutil.rmtree(dumps[label], ignore_errors=True)
            dumps[label].mkdir(parents=True)
    with open("/proc/loadavg") as f:
        load_before = f.read().split()[:3]
    results: dict[str, list[dict]] = {label: [] for label in trees}
    for round_ in range(args.rounds):
        order = list(trees) if round_ % 2 == 0 else list(reversed(trees))
        for label in order:
            caches = Path(tempfile.mkdtemp(prefix=f"cold-{label}-", dir=WORK))
            dump = dumps.get(label) if round_ == 0 else None
            result = run_tree(trees[label], db, args, dump, caches)
            shutil.rmtree(caches, ignore_errors=True)
            results[label].append(result)
            print(
                f"round {round_ + 1} {label:>3} ({trees[label].name}): "
                f"{result['mean_ms']:.2f} ms/page mean, "
                f"{result['median_ms']:.2f} median, "
                f"{result['cpu_ms']:.2f} CPU "
                f"({result['render_cpu_ms']:.2f} rendering the template"
                + (
                    f", {result['render_bytecodes']:,.0f} bytecodes"
                    if args.bytecodes
                    else ""
                )
                + "), "
                + (
                    f"{result['instructions'] / 1e6:.2f} M instructions, "
                    if args.instructions
                    else ""
                )
                + (
                    f"{result['server_cpu_ms']:.2f} ms database server CPU, "
                    if args.database_url
                    else ""
                )
                + f"queries max {result['queries_max']} "
                f"(mean {result['queries_mean']:.2f}), {result['pages']} pages",
                flush=True,
            )
    with open("/proc/loadavg") as f:
        load_after = f.read().split()[:3]
    best = {label: min(r["mean_ms"] for r in rs) for label, rs in results.items()}
    cpu = {label: min(r["cpu_ms"] for r in rs) for label, rs in results.items()}
    render = {
        label: min(r["render_cpu_ms"] for r in rs) for label, rs in results.items()
    }
    for label, ms in best.items():
        print(
            f"RESULT {label}: {ms:.2f} ms/page (best round's mean), "
            f"{cpu[label]:.2f} ms CPU/page, {render[label]:.2f} ms CPU rendering"
        )
    if "old" in best:
        print(
            f"RESULT old/new: {best['old'] / best['new']:.2f}× time, "
            f"{cpu['old'] / cpu['new']:.2f}× CPU, "
            f"{render['old'] / render['new']:.2f}× CPU rendering"
        )
    if args.instructions:
        # The lowest of each tree's rounds: a tree's first run after the database
        # copy was written can count over a million instructions a page more.
        counts = {
            label: min(r["instructions"] for r in rs) for label, rs in results.items()
        }
        for label, n in counts.items():
            print(f"RESULT {label}: {n / 1e6:.2f} M instructions a page (callgrind)")
        if "old" in counts:
            print(f"RESULT old/new: {counts['old'] / counts['new']:.3f}× instructions")
    if args.bytecodes:
        for label, rs in results.items():
            print(
                f"RESULT {label}: {rs[0]['render_bytecodes']:,.0f} bytecodes "
                "rendering a page (mean)"
            )
    print(f"load average before {' '.join(load_before)}, after {' '.join(load_after)}")
    if max(r["queries_max"] for r in results["new"]) > 4:
        sys.exit("a cold page made more than 4 queries (issue #14 §4)")
    if args.compare and "old" in dumps and compare(dumps["old"], dumps["new"]):
        sys.exit(1)


if __name__ == "__main__":
    main()
