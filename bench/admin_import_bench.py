#!/usr/bin/env python3
"""The admin's 批量导入 of N observations through the app server ./run starts (issue #16).

Usage (from the project root):
    .venv/bin/python bench/admin_import_bench.py [--n 100000]
        [--postgres postgres://yantai:…@127.0.0.1:5432/yantai_admin_import_bench]

A fresh database with the quality demo data and the synthetic CSV of
``observations_import_bench`` (SYNTHETIC BENCHMARK INPUT, labelled so in every row);
then gunicorn with ./run's options (2 workers, GUNICORN_TIMEOUT's default 120 s
worker timeout) on a free local port; the ``bench`` superuser logs in and uploads the file
to /admin/quality/observation/bulk-import/. Prints one RESULT line: the HTTP status,
the seconds from sending the file to the answer, the message the page showed and
the rows in the database afterwards. With ``--probe``, while the upload runs, another
client reads /quality/ and sends a view beacon (a one-row write, as every reader's
page does) every half second: the slowest answer of each and their statuses.
"""

from __future__ import annotations

import argparse
import json
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from article_bench import DATA, ROOT, bench_env  # noqa: E402
from import_bench import fresh_database, manage  # noqa: E402
from observations_import_bench import CODES, write_csv  # noqa: E402

COUNT = (
    "from quality.models import Observation; "
    "print(Observation.objects.filter("
    "source_publisher='基准测试（合成数据）').count())"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--postgres", metavar="URL")
    parser.add_argument("--probe", action="store_true")
    args = parser.parse_args()
    env = bench_env(DATA / "admin-import-bench.sqlite3")
    if args.postgres:
        env["DATABASE_URL"] = args.postgres
    fresh_database(env, args.postgres)
    manage(env, "load_quality_demo", "-v", "0")
    codes = json.loads(manage(env, "shell", "-c", CODES, capture=True).splitlines()[-1])
    path = DATA / f"observations-{args.n}.csv"
    DATA.mkdir(parents=True, exist_ok=True)
    write_csv(path, args.n, codes["indicators"], codes["regions"])
    port = free_port()
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "yantai.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--timeout",
            "120",
            "--control-socket",
            str(DATA / f"gunicorn-{port}.ctl"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if requests.get(f"{base}/healthz", timeout=10).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.2)
        session = requests.Session()
        login = f"{base}/admin/login/"
        session.get(login, timeout=10)
        session.post(
            login,
            data={
                "username": "bench",
                "password": "bench-password",
                "csrfmiddlewaretoken": session.cookies["csrftoken"],
                "next": "/admin/",
            },
            headers={"Referer": login},
            timeout=10,
        )
        url = f"{base}/admin/quality/observation/bulk-import/"
        session.get(url, timeout=10)
        done = threading.Event()
        probes: dict[str, list] = {"read": [], "beacon": []}

        def probe() -> None:
            n = 0
            while not done.wait(0.5):
                n += 1
                for kind, call in (
                    ("read", lambda: requests.get(f"{base}/quality/", timeout=60)),
                    (
                        "beacon",
                        lambda n=n: requests.post(
                            f"{base}/news/1/view",
                            headers={"User-Agent": f"Mozilla/5.0 probe {n}"},
                            timeout=60,
                        ),
                    ),
                ):
                    t = time.monotonic()
                    try:
                        status = call().status_code
                    except requests.RequestException as error:
                        status = type(error).__name__
                    probes[kind].append((time.monotonic() - t, status))

        prober = threading.Thread(target=probe, daemon=True)
        if args.probe:
            prober.start()
        started = time.monotonic()
        with open(path, "rb") as f:
            answer = session.post(
                url,
                data={"csrfmiddlewaretoken": session.cookies["csrftoken"]},
                files={"file": (path.name, f, "text/csv")},
                headers={"Referer": url},
                timeout=300,
            )
        seconds = time.monotonic() - started
        done.set()
        if args.probe:
            prober.join(120)
        shown = re.findall(
            r'<li class="(?:success|info|error|warning)">(.*?)</li>', answer.text
        ) or re.findall(r'class="errornote">(.*?)<', answer.text)
    finally:
        server.terminate()
        _, log = server.communicate(timeout=30)
    rows = int(manage(env, "shell", "-c", COUNT, capture=True).splitlines()[-1])
    print(
        "RESULT",
        json.dumps(
            {
                "database": "postgresql" if args.postgres else "sqlite",
                "rows": args.n,
                "file_mb": round(path.stat().st_size / 1e6, 1),
                "status": answer.status_code,
                "seconds": round(seconds, 1),
                "shown": shown[:1],
                "imported": rows,
                "worker_timeout": "WORKER TIMEOUT" in log,
                **{
                    f"{kind}_max_s": round(max((t for t, _ in p), default=0), 2)
                    for kind, p in probes.items()
                },
                **{
                    f"{kind}_statuses": sorted({str(s) for _, s in p})
                    for kind, p in probes.items()
                },
                **{
                    f"{kind}_count_over_1s": f"{sum(t > 1 for t, _ in p)}/{len(p)}"
                    for kind, p in probes.items()
                },
            },
            ensure_ascii=False,
        ),
    )


if __name__ == "__main__":
    main()
