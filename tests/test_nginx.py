"""deploy/nginx/yantai.conf: valid for nginx, and in front of a real gunicorn it caches
the public pages, passes staff through, and serves static and media files itself.

The shipped file is used as it is, with only its paths and ports pointed at a
temporary directory (the ``PATHS`` below). Needs nginx (``apt-get install
nginx-light``): skipped without it, except on CI (``CI=true``), where it fails.
"""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests
from django.conf import settings

from tests.processes import server_binary, wait_until_answering
from tests.test_two_servers import Server, env, free_port, gunicorn_command  # noqa: F401

ROOT = Path(settings.BASE_DIR)
CONF = ROOT / "deploy" / "nginx" / "yantai.conf"

SEED = """
from tests.factories import ArticleFactory
print(ArticleFactory(title="蓬莱苹果质量追溯体系上线").pk)
"""


def nginx_binary() -> str:
    return server_binary("nginx", "nginx-light")


def nginx_config(
    tmp: Path, port: int, app_port: int, refresh_port: int | None = None
) -> Path:
    """The shipped configuration with its paths and ports in ``tmp``, inside a
    minimal main configuration as /etc/nginx/nginx.conf would include it
    (``refresh_port``: of the listener for the app's refreshes)."""
    for name in ("static", "media", "cache", "temp"):
        (tmp / name).mkdir(exist_ok=True)
    site = CONF.read_text(encoding="utf-8")
    for shipped, here in (
        ("/srv/yantai/static/", f"{tmp}/static/"),
        ("/srv/yantai/media/", f"{tmp}/media/"),
        ("/var/cache/nginx/yantai", f"{tmp}/cache"),
        ("server 127.0.0.1:8000", f"server 127.0.0.1:{app_port}"),
        ("listen 80;", f"listen 127.0.0.1:{port};"),
        ("listen [::]:80;", ""),
        ("listen 127.0.0.1:8081;", f"listen 127.0.0.1:{refresh_port or free_port()};"),
    ):
        assert shipped in site, shipped
        site = site.replace(shipped, here)
    (tmp / "yantai.conf").write_text(site, encoding="utf-8")
    main = tmp / "nginx.conf"
    temp = tmp / "temp"
    main.write_text(
        f"""
{"user root;" if os.geteuid() == 0 else ""}
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {tmp}/yantai.conf;
}}
""",
        encoding="utf-8",
    )
    return main


def run_code(code: str, variables: dict[str, str], *args: str) -> str:
    """What ``code`` prints, run with Django set up in the servers' environment."""
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code, *args],
        cwd=ROOT,
        env=variables,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout


def seed_article(variables: dict[str, str]) -> str:
    """One published article in the servers' database; its id."""
    return run_code(SEED, variables).split()[-1]


@contextmanager
def nginx_in_front(
    web: Path, app: Server, refresh_port: int | None = None
) -> Iterator[str]:
    """The shipped nginx on a free port in front of ``app``, files under ``web``:
    its base URL once it answers; nginx and ``app`` are stopped after."""
    nginx = nginx_binary()
    port = free_port()
    main = nginx_config(web, port, app.port, refresh_port)
    server = subprocess.Popen(
        [nginx, "-c", str(main), "-p", str(web), "-g", "daemon off;"],
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(f"{base}/healthz", server, "nginx", 20)
        yield base
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
        app.stop()


def test_nginx_accepts_the_shipped_configuration(tmp_path):
    nginx = nginx_binary()
    main = nginx_config(tmp_path, free_port(), free_port())
    result = subprocess.run(
        [nginx, "-t", "-c", str(main), "-p", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr
    assert "test is successful" in result.stderr


def test_nginx_in_front_of_gunicorn(env, tmp_path):  # noqa: F811
    nginx_binary()
    article = seed_article(env)
    # nginx is the one proxy that appends to X-Forwarded-For; two anonymous API
    # requests a minute per client address, to see which address the app takes.
    env = dict(env, DJANGO_NUM_PROXIES="1", API_THROTTLE_ANON="2/min")
    app = Server(gunicorn_command((ROOT / "run").read_text()), free_port(), env)
    web = tmp_path / "web"
    web.mkdir()
    with nginx_in_front(web, app) as base:
        (web / "static" / "css").mkdir()
        css = (ROOT / "static" / "css" / "error.css").read_bytes()
        (web / "static" / "css" / "error.css").write_bytes(css)
        (web / "media" / "note.txt").write_text("媒体文件", encoding="utf-8")

        # A public page: rendered once by Django, then served from nginx's cache.
        page = f"{base}/news/{article}/"
        first = requests.get(page, timeout=30)
        assert first.status_code == 200
        assert "public" in first.headers.get("Cache-Control", ""), first.headers
        assert first.headers["X-Cache-Status"] in {"MISS", "EXPIRED"}
        second = requests.get(page, timeout=30)
        assert second.headers["X-Cache-Status"] == "HIT"
        assert second.content == first.content
        # A shared link's query string reads the same cached copy (its key is the
        # article's path); a search keeps its query in its key.
        shared = requests.get(page + "?from=timeline&isappinstalled=0", timeout=30)
        assert shared.headers["X-Cache-Status"] == "HIT"
        assert shared.content == first.content
        search = requests.get(f"{base}/search/?q=%E8%B4%A8%E9%87%8F", timeout=30)
        other = requests.get(f"{base}/search/?q=%E6%A0%87%E5%87%86", timeout=30)
        assert "质量".encode() in search.content and "标准".encode() in other.content
        assert other.content != search.content  # not the first search's copy

        # Compressed for a client that accepts gzip, from the same cached copy that a
        # client without gzip is served whole; a browser revalidating with the ETag
        # it was given (weak once compressed) gets 304 from nginx.
        zipped = requests.get(
            page, headers={"Accept-Encoding": "gzip"}, stream=True, timeout=30
        )
        body = zipped.raw.read(decode_content=False)
        assert zipped.headers["Content-Encoding"] == "gzip"
        assert zipped.headers["X-Cache-Status"] == "HIT"
        assert "Accept-Encoding" in zipped.headers["Vary"]
        assert gzip.decompress(body) == first.content
        assert len(body) * 2 < len(first.content), (len(body), len(first.content))
        plain = requests.get(page, headers={"Accept-Encoding": "identity"}, timeout=30)
        assert "Content-Encoding" not in plain.headers
        assert plain.headers["X-Cache-Status"] == "HIT"
        assert plain.content == first.content
        etag = zipped.headers["ETag"]
        assert etag == "W/" + plain.headers["ETag"], (etag, plain.headers["ETag"])
        revalidated = requests.get(
            page, headers={"Accept-Encoding": "gzip", "If-None-Match": etag}, timeout=30
        )
        assert revalidated.status_code == 304

        # With the session cookie (staff) nginx neither reads nor fills the cache.
        staff = requests.get(page, cookies={"sessionid": "x"}, timeout=30)
        assert staff.headers["X-Cache-Status"] == "BYPASS"

        # The health probe is never cached.
        probe = requests.get(f"{base}/healthz", timeout=30)
        assert probe.status_code == 200 and "X-Cache-Status" not in probe.headers

        # Static and media files come from nginx's disk, not from Django.
        static = requests.get(f"{base}/static/css/error.css", timeout=30)
        assert static.status_code == 200 and static.content == css
        assert "immutable" in static.headers["Cache-Control"]
        assert "X-Cache-Status" not in static.headers
        media = requests.get(f"{base}/media/note.txt", timeout=30)
        assert media.status_code == 200 and media.content.decode() == "媒体文件"
        assert media.headers["X-Content-Type-Options"] == "nosniff"

        # The client address: a client that forges X-Forwarded-For is still one
        # client (the entry nginx appended, DJANGO_NUM_PROXIES=1 from the right):
        # its third API request within the minute is refused, whatever it claims.
        statuses = [
            requests.get(
                f"{base}/api/v1/{endpoint}/",
                headers={"X-Forwarded-For": forged},
                timeout=30,
            ).status_code
            for endpoint, forged in (
                ("channels", "10.1.1.1"),
                ("tags", "10.2.2.2"),
                ("people", "10.3.3.3"),
            )
        ]
        assert statuses == [200, 200, 429], statuses

        # An upload over client_max_body_size gets nginx's 413 with the Chinese page;
        # the 批量导入 of observations takes larger files, so Django answers it (here
        # 403: an anonymous POST without a CSRF cookie, refused before the body is
        # read). Django's answer, not a 502, whether the body is a form or raw: the
        # site reads what is left of it before answering (DrainRequestBodyMiddleware;
        # without it one such upload in three got nginx's 502, 2026-12-04).
        (web / "static" / "errors").mkdir()
        page_413 = (ROOT / "static" / "errors" / "413.html").read_bytes()
        (web / "static" / "errors" / "413.html").write_bytes(page_413)
        body = b"x" * (21 * 1024 * 1024)
        big = requests.post(f"{base}/admin/login/", data=body, timeout=60)
        assert big.status_code == 413, big.status_code
        assert "上传的文件太大" in big.content.decode(), big.text[:200]
        assert "X-Cache-Status" not in big.headers
        bulk_import = "/admin/quality/observation/bulk-import/"
        statuses = [
            requests.post(f"{base}{bulk_import}", timeout=60, **upload).status_code
            for upload in (
                {"files": {"file": ("observations.csv", body, "text/csv")}},
                {"data": body},
            )
            for _ in range(4)
        ]
        assert statuses == [403] * 8, statuses


SEED_TWO = """
from tests.factories import ArticleFactory
print(ArticleFactory(title="牟平区开展食品安全抽检1700批次").pk)
print(ArticleFactory(title="烟台工业产品质量合格率保持在97%以上").pk)
"""

WITHDRAW = """
import sys
from news import frontcache
from news.models import Article
from news.workflow import article_unpublish
from tests.factories import UserFactory
article = Article.objects.get(pk=int(sys.argv[-1]))
article_unpublish(article=article, by=UserFactory(is_staff=True, is_superuser=True))
frontcache.wait(60)
"""


def test_a_withdrawal_reaches_nginx_readers(env, tmp_path):  # noqa: F811
    """With FRONTEND_CACHE_URLS the withdrawn article is gone from nginx at once; and
    without, after its s-maxage and one stale answer (its 404 is storable, so it
    replaces the copy: otherwise nginx serves the copy for stale-while-revalidate)."""
    nginx_binary()
    refreshed, unrefreshed = run_code(SEED_TWO, env).split()
    env = dict(env, HTTP_CACHE_S_MAXAGE="2")
    app = Server(gunicorn_command((ROOT / "run").read_text()), free_port(), env)
    web = tmp_path / "web"
    web.mkdir()
    refresh_port = free_port()
    with nginx_in_front(web, app, refresh_port) as base:

        def get(path: str) -> requests.Response:
            return requests.get(base + path, timeout=30)

        for path in (f"/news/{refreshed}/", f"/news/{unrefreshed}/", "/"):
            get(path)
            assert get(path).headers["X-Cache-Status"] == "HIT", path
        assert "牟平区开展食品安全抽检1700批次" in get("/").text

        run_code(
            WITHDRAW,
            dict(
                env,
                FRONTEND_CACHE_URLS=f"http://127.0.0.1:{refresh_port}",
                SITE_URL=base,
            ),
            refreshed,
        )
        gone = get(f"/news/{refreshed}/")
        assert gone.status_code == 404
        assert gone.headers["X-Cache-Status"] == "HIT"  # the refresh's 404, stored
        assert "牟平区开展食品安全抽检1700批次" not in get("/").text

        run_code(WITHDRAW, env, unrefreshed)
        page = f"/news/{unrefreshed}/"
        assert get(page).status_code == 200  # nginx's copy, within its s-maxage
        deadline = time.monotonic() + 15
        answers = []
        while time.monotonic() < deadline:
            answer = get(page)
            answers.append((answer.status_code, answer.headers["X-Cache-Status"]))
            if answer.status_code == 404:
                break
            time.sleep(0.2)
        assert answers[-1] == (404, "HIT"), answers


SEED_EXPIRING = """
from datetime import timedelta
from django.utils import timezone
from tests.factories import ArticleFactory
takedown = timezone.now() + timedelta(seconds=6)
print(ArticleFactory(title="烟台新增山东名牌产品181个", expires_at=takedown).pk)
"""


def assert_gone_at_its_takedown(
    base: str, variables: dict[str, str]
) -> requests.Response:
    """An article 6 s from its 下线时间, read through the cache at ``base``: a HIT
    before it, a 404 for the next reader after it. The first answer, returned."""
    article = run_code(SEED_EXPIRING, variables).split()[-1]
    takedown = time.monotonic() + 6
    page = f"{base}/news/{article}/"
    first = requests.get(page, timeout=30)
    assert first.status_code == 200
    again = requests.get(page, timeout=30)
    assert (again.status_code, again.headers["X-Cache-Status"]) == (200, "HIT")
    time.sleep(max(0.0, takedown - time.monotonic()) + 0.5)
    gone = requests.get(page, timeout=30)
    assert gone.status_code == 404, gone.headers.get("X-Cache-Status")
    return first


def test_an_article_reaching_its_takedown_time_is_gone_from_nginx(env, tmp_path):  # noqa: F811
    """No event marks a 下线时间: nginx's copy lasts only until then (s-maxage cut to
    it, nothing stale after), so the next reader gets the 404, not the copy of the
    default s-maxage (5 minutes)."""
    nginx_binary()
    app = Server(gunicorn_command((ROOT / "run").read_text()), free_port(), env)
    web = tmp_path / "web"
    web.mkdir()
    with nginx_in_front(web, app) as base:
        first = assert_gone_at_its_takedown(base, env)
        assert "stale-while-revalidate=0" in first.headers["Cache-Control"]


SEED_EDITOR = """
from tests.api import token_for, user_with_perms
from tests.factories import ArticleFactory, ChannelFactory
channel = ChannelFactory(name="质量强市")
body = "<p>烟台市市场监管局对全市食品生产企业开展质量安全抽检。</p>" * 40
article = ArticleFactory(title="烟台食品抽检", channel=channel, body=body)
editor = user_with_perms(
    "editor",
    "news.view_article",
    "news.add_article",
    "news.change_article",
    "news.submit_article",
)
print(article.pk, token_for(editor))
"""


def test_a_draft_is_written_through_nginx_with_the_etag_it_gave(env, tmp_path):  # noqa: F811
    """The drafts API behind the shipped nginx, from a client that accepts gzip (as
    every HTTP library does): the ETag of a draft over 1 KB stays strong, so it
    writes with If-Match, and once stale it is refused with 412. nginx makes the ETag
    of a response it compresses weak (W/"…"), which If-Match may not match (RFC 9110
    13.1.1): before, every write of such a draft through nginx was a 412
    (2026-12-07)."""
    nginx_binary()
    article, secret = run_code(SEED_EDITOR, env).split()[-2:]
    app = Server(gunicorn_command((ROOT / "run").read_text()), free_port(), env)
    web = tmp_path / "web"
    web.mkdir()
    with nginx_in_front(web, app) as base:
        session = requests.Session()
        session.headers.update(
            {"Authorization": f"Token {secret}", "Accept-Encoding": "gzip, deflate"}
        )
        drafts = f"{base}/api/v1/drafts/"
        paragraph = "<p>烟台市市场监管局对全市食品生产企业开展质量安全抽检。</p>"
        created = session.post(
            drafts,
            json={"title": "新稿件", "channel": "质量强市", "body": paragraph * 40},
            timeout=30,
        )
        assert created.status_code == 201, created.text
        assert len(created.content) > 1024  # over gzip_min_length
        url = f"{drafts}{created.json()['id']}/"
        read = session.get(url, timeout=30)
        assert read.status_code == 200 and len(read.content) > 1024
        # With the settings of location / (nginx's Host would be "yantai_app",
        # which the app refuses; its proxy_set_header come all or none), not stored.
        assert read.headers["X-Cache-Status"] == "MISS"
        etag = read.headers["ETag"]
        assert not etag.startswith("W/"), etag
        assert created.headers["ETag"] == etag

        changed = session.patch(
            url, json={"title": "改"}, headers={"If-Match": etag}, timeout=30
        )
        assert changed.status_code == 200, changed.text
        assert changed.json()["title"] == "改"

        stale = session.patch(
            url, json={"title": "再改"}, headers={"If-Match": etag}, timeout=30
        )
        assert stale.status_code == 412, stale.text
        assert "已被他人修改" in stale.json()["detail"]
        after = session.get(url, timeout=30)
        assert after.json()["title"] == "改"  # the refused write changed nothing
        assert after.headers["ETag"] == changed.headers["ETag"]  # nor the version

        # The ETag of a write is the one for the next: 送审 with it.
        submitted = session.post(
            f"{url}submit/",
            json={},
            headers={"If-Match": changed.headers["ETag"]},
            timeout=30,
        )
        assert submitted.status_code == 200, submitted.text
        assert submitted.json()["status"] == "review1", submitted.text

        # The rest of the API is still compressed.
        public = session.get(f"{base}/api/v1/articles/{article}/", timeout=30)
        assert public.headers.get("Content-Encoding") == "gzip", public.headers
        assert public.headers["ETag"].startswith("W/")
