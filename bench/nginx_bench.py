#!/usr/bin/env python3
"""Article pages behind the shipped nginx configuration (issue #14's benchmarks).

Usage (from the project root, with nginx installed: apt-get install nginx-light):

    .venv/bin/python bench/nginx_bench.py [--n 20000] [--seconds 20]
        [--connections 16] [--reuse-db] [--gzip]

Steps: the database ``bench/data/bench-N.sqlite3`` as article_bench.py makes it
(``--reuse-db`` keeps an imported one); ``warm_article_pages`` (two shards) fills
Django's page cache; gunicorn (2 sync workers, ``DEBUG=False``) with the page cache on;
nginx with ``deploy/nginx/yantai.conf`` as shipped, only its paths
and ports pointed at ``bench/data/nginx``; every article requested once through nginx
(fills nginx's cache); then wrk, random over every article URL, through nginx; and
wrk on a static copy of one article page served by the same nginx (the reference of
../shared/bench/README.md). Prints both RESULT lines, the share of X-Cache-Status HIT
in a sample, and the ratio. ``--gzip``: every wrk request says ``Accept-Encoding:
gzip``, as browsers do, so that nginx compresses both the pages and the static copy
as it sends them (the shipped configuration's ``gzip on``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

from article_bench import (
    DATA,
    ROOT,
    article_urls,
    bench_env,
    build_db,
    published_ids,
    warm_pages,
    wrk,
)
from serving import serve, stop

CONF = ROOT / "deploy" / "nginx" / "yantai.conf"


def nginx_start(web: Path, port: int, app_port: int) -> subprocess.Popen:
    for name in ("static", "media", "cache", "temp"):
        (web / name).mkdir(parents=True, exist_ok=True)
    site = CONF.read_text(encoding="utf-8")
    for shipped, here in (
        ("/srv/yantai/static/", f"{web}/static/"),
        ("/srv/yantai/media/", f"{web}/media/"),
        ("/var/cache/nginx/yantai", f"{web}/cache"),
        ("server 127.0.0.1:8000", f"server 127.0.0.1:{app_port}"),
        ("listen 80;", f"listen 127.0.0.1:{port};"),
        ("listen [::]:80;", ""),
        ("listen 127.0.0.1:8081;", f"listen 127.0.0.1:{port + 10};"),
    ):
        site = site.replace(shipped, here)
    (web / "yantai.conf").write_text(site, encoding="utf-8")
    main = web / "nginx.conf"
    main.write_text(
        f"""
{"user root;" if os.geteuid() == 0 else ""}
worker_processes auto;
pid {web}/nginx.pid;
error_log {web}/error.log;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {web}/temp/body;
    proxy_temp_path {web}/temp/proxy;
    fastcgi_temp_path {web}/temp/fastcgi;
    uwsgi_temp_path {web}/temp/uwsgi;
    scgi_temp_path {web}/temp/scgi;
    include {web}/yantai.conf;
}}
""",
        encoding="utf-8",
    )
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    proc = subprocess.Popen(
        [nginx, "-c", str(main), "-p", str(web), "-g", "daemon off;"],
        start_new_session=True,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return proc
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("nginx did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--port", type=int, default=8871)
    parser.add_argument("--app-port", type=int, default=8872)
    parser.add_argument("--reuse-db", action="store_true")
    parser.add_argument("--gzip", action="store_true")
    options = parser.parse_args()
    headers = ["Accept-Encoding: gzip"] if options.gzip else []

    DATA.mkdir(parents=True, exist_ok=True)
    db = DATA / f"bench-{options.n}.sqlite3"
    web = DATA / "nginx"
    shutil.rmtree(web, ignore_errors=True)
    env = {
        **bench_env(db),
        "PAGE_CACHE_DIR": str(DATA / "nginx-pages"),
        "SHARED_CACHE_DIR": str(DATA / "nginx-shared"),
        "ARTICLE_PAGE_CACHE_SECONDS": "3600",
        "DJANGO_NUM_PROXIES": "1",
        "GUNICORN_CMD_ARGS": f"--control-socket {DATA / 'nginx.ctl'}",
    }
    build_db(db, env, options.n, reuse=options.reuse_db)
    ids = published_ids(env)
    urls = article_urls(ids, "urls-nginx-articles.txt")

    # Django's page cache first (as after warm_article_pages in production), so that
    # filling nginx's takes seconds, well within the pages' s-maxage
    # (HTTP_CACHE_S_MAXAGE, 300 s by default): no entry expires during the run.
    shutil.rmtree(DATA / "nginx-pages", ignore_errors=True)
    took = warm_pages(env, "127.0.0.1")
    print(f"WARM {len(ids)} pages in {took:.0f} s", flush=True)

    site = serve(["yantai.wsgi:application"], env, options.app_port)
    front = nginx_start(web, options.port, options.app_port)
    base = f"http://127.0.0.1:{options.port}"
    try:
        start = time.monotonic()
        for i in ids:
            urllib.request.urlopen(f"{base}/news/{i}/", timeout=30).read()
        print(
            f"FILL {len(ids)} pages through nginx in {time.monotonic() - start:.0f} s"
        )
        sample = [
            urllib.request.urlopen(f"{base}/news/{i}/", timeout=30).headers.get(
                "X-Cache-Status"
            )
            for i in ids[:: max(1, len(ids) // 200)]
        ]
        print(f"HIT {sample.count('HIT')}/{len(sample)} of a sample")
        page = urllib.request.urlopen(f"{base}/news/{ids[0]}/", timeout=30).read()
        (web / "static" / "page.html").write_bytes(page)
        static_urls = DATA / "urls-nginx-static.txt"
        static_urls.write_text("/static/page.html\n")

        print("== articles through nginx (its cache filled)", flush=True)
        behind = wrk(options.port, urls, options.seconds, options.connections, headers)
        print("== nginx serving a static copy of one page", flush=True)
        static = wrk(
            options.port, static_urls, options.seconds, options.connections, headers
        )
    finally:
        os.killpg(front.pid, signal.SIGTERM)
        front.wait(timeout=20)
        stop(site)
    print(
        f"page {len(page)} bytes ({'gzip' if options.gzip else 'identity'}, "
        f"{behind['avg_bytes']:.0f} a response with headers); behind nginx {behind['rps']:.0f}/s, static copy "
        f"{static['rps']:.0f}/s: {behind['rps'] / static['rps']:.2f}x"
    )


if __name__ == "__main__":
    main()
