#!/usr/bin/env python3
"""Where the bulk import's CPU goes: each thread and worker process, the writer's
steps and its SQL statements (issue #16).

Usage (from the project root):

    .venv/bin/python bench/import_threads.py [--n 20000] [--jobs 2] [--tree DIR]
        [--postgres postgres://yantai:…@127.0.0.1:5432/yantai_import_threads]

Makes a fresh database (SQLite, or the PostgreSQL database of ``--postgres``, dropped
and created) as ``bench/import_bench.py`` does (with ``--tree``, by
that checkout's migrations and code: e.g. ``git archive COMMIT | tar -x -C DIR``,
``DIR/.venv`` → ``.venv``), then runs ``import_article --publish --as bench --jobs J``
over the first N pages of the shared dataset (``bench/data/pages-N.zip``) in this
process and prints:

- the CPU seconds of every thread of the writing process and of every worker
  process, read from ``/proc`` just before the workers stop;
- the writer's steps (``news.bulk.BatchWriter`` methods, the inserts of each table,
  the commits): CPU seconds of the writing thread spent in each, less what its
  inner steps took, and wall seconds included;
- the SQL statements by kind: CPU seconds of the writing thread, wall seconds and
  count;
- the wall seconds the writing thread waited for the worker processes' results
  (and, among the steps, for the write-ahead log's copy to catch up);
- with ``--slow-reader`` (SQLite), the same with a reader on a connection of its own
  all through the import, each of its transactions held 0.2 s;
- on PostgreSQL, the CPU seconds of the writer's server process (its backend, from
  ``/proc``: the server must run on this machine) and what it was doing, sampled
  every 10 ms from ``pg_stat_activity`` by another connection: its state and wait
  event, and, for an active backend, the statement's first words.

The figures are CPU time (``time.thread_time``), so other work on a shared machine
changes them less than wall times; the wall times are given for what they are.
"""

from __future__ import annotations

import argparse
import collections
import functools
import glob
import os
import sys
import threading
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def proc_cpu(path: str) -> float:
    fields = Path(path).read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--tree", type=Path, default=BENCH.parent)
    parser.add_argument("--postgres", metavar="DATABASE_URL")
    parser.add_argument(
        "--slow-reader",
        action="store_true",
        help="SQLite: a reader on a connection of its own all through the import, "
        "each of its transactions held 0.2 s (a long report, a backup)",
    )
    args = parser.parse_args()
    root = args.tree.resolve()

    sys.path.insert(0, str(BENCH))
    import import_bench

    source = import_bench.page_zip(args.n)
    db = import_bench.DATA / f"import-threads-{args.n}.sqlite3"
    env = import_bench.bench_env(db)
    env["PYTHONPATH"] = str(root)
    if args.postgres:
        env["DATABASE_URL"] = args.postgres
    import_bench.fresh_database(env, args.postgres, root=root)
    os.environ.update(env)
    os.chdir(root)
    sys.path.insert(0, str(root))

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.backends.base.base import BaseDatabaseWrapper

    from news import bulk

    cpu, wall = collections.defaultdict(float), collections.defaultdict(float)
    inner: list[float] = []

    def timed(owner, name, label=None):
        function = getattr(owner, name)

        @functools.wraps(function)
        def wrapper(*a, **k):
            key = label(a) if callable(label) else label or name
            start, started = time.thread_time(), time.perf_counter()
            inner.append(0.0)
            try:
                return function(*a, **k)
            finally:
                took = time.thread_time() - start
                cpu[key] += took - inner.pop()
                wall[key] += time.perf_counter() - started
                if inner:
                    inner[-1] += took

        setattr(owner, name, wrapper)

    for name in ("write", "_index", "_touch_neighbours", "_snapshot", "_article"):
        timed(bulk.BatchWriter, name)
    timed(bulk, "_wordcheck")
    # Wall: the writer waiting for the log's copy to catch up (CPU: none).
    if hasattr(bulk.Checkpointer, "wait_if_long"):  # not in trees before it
        timed(bulk.Checkpointer, "wait_if_long", "waiting for the log's copy")
    timed(bulk.RowInsert, "insert", label=lambda a: f"insert {a[0].table}")
    timed(BaseDatabaseWrapper, "_commit", "commit")
    timed(BaseDatabaseWrapper, "run_and_clear_commit_hooks", "after commit")

    sql_cpu, sql_count = collections.defaultdict(float), collections.Counter()
    sql_wall = collections.defaultdict(float)

    def sql_timer(execute, sql, params, many, context):
        start, started = time.thread_time(), time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            key = ("executemany " if many else "") + sql[:70]
            sql_cpu[key] += time.thread_time() - start
            sql_wall[key] += time.perf_counter() - started
            sql_count[key] += 1

    connection.execute_wrappers.append(sql_timer)

    close = bulk._Parser.close

    def report_then_close(self):
        names = {t.native_id: t.name for t in threading.enumerate()}
        for task in sorted(glob.glob(f"/proc/{os.getpid()}/task/*")):
            tid = int(task.rsplit("/", 1)[1])
            print(f"thread {names.get(tid, tid)}: {proc_cpu(task + '/stat'):.2f} s")
        pool = self.pool
        workers = getattr(pool, "_pool", None) or getattr(pool, "_processes", {})
        for process in workers.values() if isinstance(workers, dict) else workers:
            print(
                f"worker {process.pid}: {proc_cpu(f'/proc/{process.pid}/stat'):.2f} s"
            )
        close(self)

    bulk._Parser.close = report_then_close

    waited = [0.0]
    submit = bulk._Parser.submit

    def submit_timed(self, batch):
        items = submit(self, batch)
        if items is None:
            return None

        def timed_items():
            started = time.perf_counter()
            try:
                return items()
            finally:
                waited[0] += time.perf_counter() - started

        return timed_items

    bulk._Parser.submit = submit_timed

    backend, samples, stop = None, collections.Counter(), threading.Event()
    if args.postgres:
        import psycopg

        connection.ensure_connection()
        backend = connection.connection.info.backend_pid
        backend_cpu = proc_cpu(f"/proc/{backend}/stat")

        def sample():
            with psycopg.connect(args.postgres, autocommit=True) as watcher:
                query = (
                    "SELECT state, wait_event_type, wait_event,"
                    " left(query, 40) FROM pg_stat_activity WHERE pid = %s"
                )
                while not stop.wait(0.01):
                    row = watcher.execute(query, (backend,)).fetchone()
                    if row is None:
                        continue
                    state, kind, event, sql = row
                    what = f"{state} {kind or '-'}:{event or '-'}"
                    if state == "active":
                        what += " " + " ".join(sql.split()[:3])
                    samples[what] += 1

        sampler = threading.Thread(target=sample, name="pg sampler", daemon=True)
        sampler.start()
    reads = [0]
    if args.slow_reader and not args.postgres:
        import sqlite3

        def slow_reader():
            reader = sqlite3.connect(db, timeout=5, isolation_level=None)
            while not stop.is_set():
                reader.execute("BEGIN")
                reader.execute("SELECT count(*) FROM news_article").fetchone()
                stop.wait(0.2)
                reader.execute("COMMIT")
                reads[0] += 1
            reader.close()

        threading.Thread(target=slow_reader, name="slow reader", daemon=True).start()
    load = os.getloadavg()[0]
    started, start = time.perf_counter(), time.process_time()
    call_command(
        "import_article", "--publish", "--as", "bench", "--jobs", str(args.jobs),
        str(source),
    )  # fmt: skip
    print(
        f"writing process: {time.process_time() - start:.2f} s CPU, "
        f"{time.perf_counter() - started:.1f} s wall, "
        f"load {load:.1f}-{os.getloadavg()[0]:.1f}"
    )
    print(f"writing thread waited for the workers: {waited[0]:.2f} s wall")
    if args.slow_reader:
        stop.set()
        print(f"slow reader: {reads[0]} transactions of 0.2 s")
    if backend:
        stop.set()
        sampler.join()
        print(
            f"PostgreSQL backend {backend}: "
            f"{proc_cpu(f'/proc/{backend}/stat') - backend_cpu:.2f} s CPU"
        )
        total = sum(samples.values()) or 1
        print(f"backend samples ({total}, every 10 ms):")
        for what, count in samples.most_common(15):
            print(f"  {100 * count / total:5.1f} %  {what}")
    print("writer's steps (CPU less inner steps, wall included):")
    for key in sorted(cpu, key=cpu.get, reverse=True):
        print(f"  {cpu[key]:7.2f} s  {wall[key]:7.2f} s  {key}")
    print("SQL (CPU of the writing thread, wall, count):")
    for key in sorted(sql_wall, key=sql_wall.get, reverse=True)[:15]:
        print(
            f"  {sql_cpu[key]:7.2f} s  {sql_wall[key]:7.2f} s  {sql_count[key]:6d}  "
            f"{key}"
        )
    for stale in db.parent.glob(db.name + "*"):
        stale.unlink()


if __name__ == "__main__":
    main()
