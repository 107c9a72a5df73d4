"""One copy per URL in a real shared cache: the shipped nginx in front of gunicorn.

Readers with any 字号, 关怀版 or language cookie and any ``Accept-Language`` are served
the copy nginx stored for the first reader of the URL; ``/en/…`` is a copy of its
own; an expired copy is served while nginx refreshes it in the background
(yantai/httpcache.py, deploy/nginx/yantai.conf).
"""

from __future__ import annotations

import time

import requests

from tests.test_nginx import ROOT, nginx_binary, nginx_in_front, seed_article
from tests.test_two_servers import Server, env, free_port, gunicorn_command  # noqa: F401


def test_every_reader_shares_one_copy_per_url(env, tmp_path):  # noqa: F811
    nginx_binary()
    article = seed_article(env)
    # Copies a shared cache may keep 2 s, then serve stale for 30 s while it
    # refreshes them: nginx takes that from the response (its proxy_cache_use_stale
    # has no "updating"), and the test sees the refresh in the background.
    env = dict(
        env,
        HTTP_CACHE_MAX_AGE="0",
        HTTP_CACHE_S_MAXAGE="2",
        HTTP_CACHE_STALE_WHILE_REVALIDATE="30",
    )
    app = Server(gunicorn_command((ROOT / "run").read_text()), free_port(), env)
    web = tmp_path / "web"
    web.mkdir()
    with nginx_in_front(web, app) as base:
        page = f"{base}/news/{article}/"
        first = requests.get(page, timeout=30)
        assert first.headers["X-Cache-Status"] in {"MISS", "EXPIRED"}, first.headers
        # The app varies on nothing (cookies, languages): one copy per URL. nginx
        # adds Accept-Encoding for the gzip it applies as it sends (from that copy).
        assert first.headers.get("Vary", "Accept-Encoding") == "Accept-Encoding", (
            first.headers
        )
        readers = [
            {"cookies": {"fontsize": "large", "care": "1"}},
            {"cookies": {"fontsize": "small", "django_language": "en"}},
            {"headers": {"Accept-Language": "en-US,en;q=0.9"}},
        ]
        for reader in readers:
            response = requests.get(page, timeout=30, **reader)
            assert response.headers["X-Cache-Status"] == "HIT", reader
            assert response.content == first.content, reader
            assert '<html lang="zh-Hans">' in response.text

        english = requests.get(f"{base}/en/news/{article}/", timeout=30)
        assert english.headers["X-Cache-Status"] in {"MISS", "EXPIRED"}
        assert '<html lang="en">' in english.text

        # Expired: served once more while nginx refreshes it in the background
        # (revalidating with the ETag: Django's 304 keeps the stored body), then a
        # fresh hit again.
        time.sleep(3.5)  # nginx counts whole seconds
        again = requests.get(page, timeout=30)
        assert again.headers["X-Cache-Status"] == "STALE", again.headers
        assert again.content == first.content
        deadline = time.monotonic() + 2
        while (
            status := requests.get(page, timeout=30).headers["X-Cache-Status"]
        ) != "HIT":
            assert status in {"STALE", "UPDATING"} and time.monotonic() < deadline, (
                status
            )
            time.sleep(0.05)
