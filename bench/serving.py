"""What the benchmarks share: gunicorn as the protocol sets it up, and wrk.

../shared/bench/README.md: gunicorn, 2 sync workers, ``DEBUG=False`` (the caller's
environment), 127.0.0.1; wrk on the same machine, its last line machine-readable
(``RESULT rps=… p50_ms=… …``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).parent / "gunicorn")


def serve(
    app: list[str],
    env: dict,
    port: int,
    *,
    gunicorn: str = GUNICORN,
    cwd: Path = ROOT,
    probe: str = "/healthz",
    read_database: bool = True,
) -> subprocess.Popen:
    """Start gunicorn on ``app`` (its arguments, e.g. ``["yantai.wsgi:application"]``)
    and return once ``probe`` answers (any HTTP status: a reference app answers
    every path alike). ``gunicorn`` and ``cwd``: another venv's and project's (the
    Wagtail peer, bench/wagtail_serving.py). The database it will serve from is
    read through first (``read_into_page_cache``), unless ``read_database`` is
    false (an app that reads none: the reference ceiling)."""
    if read_database:
        read_into_page_cache(env)
    proc = subprocess.Popen(
        [gunicorn, *app, "--bind", f"127.0.0.1:{port}"]
        + ["--workers", "2", "--worker-class", "sync", "--log-level", "warning"]
        + ["--graceful-timeout", "5"],
        env=env,
        cwd=cwd,
        start_new_session=True,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{probe}", timeout=1)
            return proc
        except OSError as error:
            if getattr(error, "code", None):  # an HTTP error: it is serving
                return proc
            time.sleep(0.2)
    stop(proc)
    raise RuntimeError("server did not start")


def read_into_page_cache(env: dict, chunk: int = 1 << 24) -> int:
    """Read the database a server of ``env`` will serve from once through, so that it
    starts with its data in the OS page cache, as a server that has been serving
    has it; the bytes read. Ours (``SQLITE_PATH`` or ``DATABASE_URL``) and the
    Wagtail peer's (``WAGTAIL_PEER_DB`` or ``WAGTAIL_PEER_DATABASE_URL``) alike.

    Without it a run served from whatever part of the files the host had left in
    memory since the last one: this machine's host takes back page-cache pages left
    idle for a minute or so (2 MB of the 672 MB SQLite bench database resident after
    20 minutes idle), and the cold article page, which reads random articles' rows,
    then measured the disk: 176 pages/s against 566–634/s read through first
    (docs/benchmarks.md, 2026-12-06)."""
    url = env.get("DATABASE_URL") or env.get("WAGTAIL_PEER_DATABASE_URL")
    if url:
        return _read_postgres_tables(url)
    db = env.get("SQLITE_PATH") or env.get("WAGTAIL_PEER_DB")
    total = 0
    for path in (Path(db), Path(db + "-wal")) if db else ():
        if path.exists():
            with path.open("rb", buffering=0) as f:
                while data := f.read(chunk):
                    total += len(data)
    return total


def _read_postgres_tables(url: str) -> int:
    """Every row of every table of the database at ``url``, its long values (TOAST)
    included, as text: PostgreSQL's data files go through the OS page cache."""
    import psycopg
    from psycopg import sql

    total = 0
    with psycopg.connect(url, autocommit=True) as connection:
        tables = connection.execute(
            "SELECT schemaname, tablename FROM pg_tables"
            " WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        ).fetchall()
        for schema, table in tables:
            query = sql.SQL("SELECT coalesce(sum(octet_length(t::text)), 0) FROM {} t")
            total += connection.execute(
                query.format(sql.Identifier(schema, table))
            ).fetchone()[0]
    return total


def stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:  # a worker still in a slow request
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=20)


def wrk(
    port: int,
    urls: Path,
    seconds: int,
    connections: int,
    *,
    script: Path,
    timeout: str | None = None,
    echo: bool = False,
    headers=(),
) -> dict[str, float]:
    """One wrk run over the site-relative URLs in ``urls``; the RESULT line's values
    (printed as wrk wrote it with ``echo``). ``headers``: "Name: value" lines sent
    with every request."""
    command = ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds}s"]
    if timeout:
        command += ["--timeout", timeout]
    for header in headers:
        command += ["-H", header]
    command += ["--latency", "-s", str(script), f"http://127.0.0.1:{port}"]
    out = subprocess.run(
        [*command, "--", str(urls)], check=True, capture_output=True, text=True
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    if echo:
        print(line, flush=True)
    return {k: float(v) for k, v in (kv.split("=") for kv in line.split()[1:])}
