"""What the benchmarks share: gunicorn as the protocol sets it up, and wrk.

../shared/bench/README.md: gunicorn, 2 sync workers, ``DEBUG=False`` (the caller's
environment), 127.0.0.1; wrk on the same machine, its last line machine-readable
(``RESULT rps=… p50_ms=… …``).
"""

from __future__ import annotations

import os
import resource
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
    cpu: bool = False,
) -> dict[str, float]:
    """One wrk run over the site-relative URLs in ``urls``; the RESULT line's values
    (printed as wrk wrote it with ``echo``). ``headers``: "Name: value" lines sent
    with every request. ``cpu``: also the machine's CPU a request during the run, by
    process group (``cpu_split``), as ``cpu_<group>_us`` values (printed with
    ``echo`` as a ``CPU …`` line)."""
    before = _cpu_now() if cpu else None
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
    result = {k: float(v) for k, v in (kv.split("=") for kv in line.split()[1:])}
    if before is not None:
        split = cpu_split(before, _cpu_now(), result["requests"])
        result |= {f"cpu_{group}_us": us for group, us in split.items()}
        if echo:
            print(
                "CPU µs a request: "
                + " ".join(f"{group}={us:.0f}" for group, us in split.items()),
                flush=True,
            )
    return result


# --- where the machine's CPU goes during a run ------------------------------------

_TICK_US = 1e6 / os.sysconf("SC_CLK_TCK")


def _group(pid: str) -> str | None:
    """The group a process's CPU is counted in: the app server, the database and
    cache servers (on this machine), or None (everything else)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            command = f.read(200)
    except OSError:
        return None
    if b"gunicorn" in command:
        return "gunicorn"
    if command.startswith(b"postgres") or b"/postgres" in command:
        return "postgres"
    if b"redis-server" in command:
        return "redis"
    return None


def _cpu_now() -> dict:
    """User + system clock ticks of every process now (by pid, with its group), the
    machine's idle ticks (idle + iowait, ``/proc/stat``) and this process's waited-for
    children's CPU seconds (wrk's, once it has exited)."""
    ticks = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # exited meanwhile
        ticks[pid] = (_group(pid), int(fields[11]) + int(fields[12]))
    with open("/proc/stat") as f:
        machine = [int(v) for v in f.readline().split()[1:]]
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "pids": ticks,
        "idle": machine[3] + machine[4],
        "children": children.ru_utime + children.ru_stime,
    }


def cpu_split(before: dict, after: dict, requests: float) -> dict[str, float]:
    """µs of CPU a request between two ``_cpu_now()`` readings, by group: gunicorn,
    postgres, redis (their processes on this machine), wrk (this process's children
    that exited meanwhile), other (every other process, this one's included) and
    idle (the machine's idle time, summed over its cores). A process that started
    meanwhile counts whole; one that exited meanwhile (but wrk) is not counted."""
    split = dict.fromkeys(("gunicorn", "postgres", "redis", "other"), 0.0)
    for pid, (group, ticks) in after["pids"].items():
        then = before["pids"].get(pid)
        spent = ticks - (then[1] if then is not None and then[0] == group else 0)
        split[group or "other"] += spent * _TICK_US
    split["wrk"] = (after["children"] - before["children"]) * 1e6
    split["idle"] = (after["idle"] - before["idle"]) * _TICK_US
    return {group: us / max(requests, 1) for group, us in split.items()}
