"""Two ``./run`` servers on one host keep their own gunicorn control sockets.

gunicorn 25+ opens a control socket (for ``gunicornc``) in every master, by default
``~/.gunicorn/gunicorn.ctl``: one path for every instance of a user, and the first
instance to stop unlinks it under the others (issue #13 §4). ``./run`` gives each
instance its own, ``var/gunicorn-HOST-PORT.ctl``.

The servers are started with ./run's own gunicorn command line, read from the
``run`` script and run by bash with ``host`` and ``port`` set as ./run sets them
(of the steps before it only ``migrate``: venv, demo content and static files are not
what this is about).
``HOME`` is a temporary directory, so the default socket path would be there.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
GUNICORNC = str(ROOT / ".venv" / "bin" / "gunicornc")


def gunicorn_command(run: str) -> str:
    """The ``exec .venv/bin/gunicorn …`` command of ``run``, continuation lines and all."""
    match = re.search(r"^[ \t]*exec \.venv/bin/gunicorn .*?[^\\]\n", run, re.M | re.S)
    assert match, "no gunicorn command in ./run"
    return match.group(0)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthz(port: int) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
            return r.status
    except OSError:
        return 0


class Server:
    def __init__(self, command: str, port: int, env: dict[str, str]):
        self.port = port
        self.socket = ROOT / "var" / f"gunicorn-127.0.0.1-{port}.ctl"
        self.process = subprocess.Popen(
            [
                "bash",
                "-c",
                f"set -euo pipefail\nhost=127.0.0.1\nport={port}\n{command}",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while not (healthz(port) == 200 and self.socket.exists()):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"gunicorn on port {port} did not start")
            time.sleep(0.2)

    def control(self, command: str) -> dict:
        out = subprocess.run(
            [GUNICORNC, "-s", str(self.socket), "-c", command, "-j"],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout
        return json.loads(out)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=30)


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "XDG_RUNTIME_DIR", "GUNICORN_CONTROL_SOCKET"}
    }
    (tmp_path / "home").mkdir()
    env.update(
        HOME=str(tmp_path / "home"),
        DJANGO_SETTINGS_MODULE="yantai.settings",
        DJANGO_SECRET_KEY="test-two-servers-" + "x" * 40,
        SQLITE_PATH=str(tmp_path / "db.sqlite3"),
        MEDIA_ROOT=str(tmp_path / "media"),
        PAGE_CACHE_DIR=str(tmp_path / "pages"),
        FIGURE_CACHE_DIR=str(tmp_path / "figures"),
        SHARED_CACHE_DIR=str(tmp_path / "shared"),
        DJANGO_MANIFEST_STATIC="0",
        WEB_CONCURRENCY="1",
    )
    # As ./run migrates before it serves (/healthz writes a probe row).
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    return env


def test_stopping_one_server_leaves_the_other_its_control_socket(env, tmp_path):
    command = gunicorn_command((ROOT / "run").read_text())
    first = Server(command, free_port(), env)
    try:
        second = Server(command, free_port(), env)
        try:
            assert first.socket != second.socket
            assert not (tmp_path / "home" / ".gunicorn").exists()
            # Each socket reaches its own master (bash execs gunicorn: same pid).
            assert first.control("show stats")["pid"] == first.process.pid
            assert second.control("show stats")["pid"] == second.process.pid

            first.stop()
            assert not first.socket.exists()
            assert second.socket.exists()
            assert healthz(second.port) == 200
            assert second.control("show stats")["pid"] == second.process.pid
        finally:
            second.stop()
        assert not second.socket.exists()
    finally:
        first.stop()
