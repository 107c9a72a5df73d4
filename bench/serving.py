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
) -> subprocess.Popen:
    """Start gunicorn on ``app`` (its arguments, e.g. ``["yantai.wsgi:application"]``)
    and return once ``probe`` answers (any HTTP status: a reference app answers
    every path alike). ``gunicorn`` and ``cwd``: another venv's and project's (the
    Wagtail peer, bench/wagtail_serving.py)."""
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
