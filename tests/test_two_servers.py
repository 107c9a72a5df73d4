"""Two ``./run`` servers: their own gunicorn control sockets on one host, and (on
PostgreSQL with Redis) one site across two app servers that share only the database
and Redis.

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
import uuid
from html.parser import HTMLParser
from pathlib import Path

import pytest
import requests
from django.conf import settings

from tests.redis_server import redis_url

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


# --- Two app servers, one PostgreSQL, one Redis (issue #14 §3) -------------------

STAFF_PASSWORD = "two-servers-" + "p" * 20

SEED = """
import json
from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model

from news.models import Article
from tests.factories import ArticleFactory, ChannelFactory
from tests.quality.factories import IndicatorFactory, RegionFactory, UnitFactory

get_user_model().objects.create_superuser("chief", "chief@example.com", {password!r})
channel = ChannelFactory(name="质量动态", slug="quality-news")
region = RegionFactory()
indicator = IndicatorFactory(
    code="food_sampling", name="食品抽检", unit=UnitFactory(symbol="批次"),
    is_public=True,
)
figures = ArticleFactory(
    title="上半年食品抽检完成情况",
    channel=channel,
    body="<p>去年上半年又完成食品抽检1700批次。</p>",
    published_at=datetime(2021, 1, 7, 10, 36, tzinfo=ZoneInfo("Asia/Shanghai")),
)
ready = ArticleFactory(
    title="蓬莱苹果质量追溯体系上线",
    summary="蓬莱苹果全程可追溯。",
    body="<p>蓬莱苹果质量追溯体系今日上线。</p>",
    channel=channel,
    status=Article.Status.REVIEW_3,
    published_at=None,
)
print(json.dumps({{
    "figures": figures.pk, "ready": ready.pk, "channel": channel.slug,
    "indicator": indicator.pk, "region": region.pk,
}}))
"""


class FormFields(HTMLParser):
    """The fields of each POST form of a page, as a browser would send them."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self._fields: dict[str, str] | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        fields = self._fields
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._fields = {}
            self.forms.append(self._fields)
        elif fields is None:
            return
        elif (
            tag == "input"
            and a.get("name")
            and a.get("type")
            not in {
                "submit",
                "button",
                "file",
            }
        ):
            if a.get("type") not in {"checkbox", "radio"} or "checked" in a:
                fields[a["name"]] = a.get("value") or (
                    "on" if a.get("type") == "checkbox" else ""
                )
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select:
            if "selected" in a or self._select not in fields:
                fields[self._select] = a.get("value") or ""
        elif tag == "textarea":
            self._textarea = a.get("name")
            fields[self._textarea] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._fields = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self._fields is not None:
            self._fields[self._textarea] += data


def form_fields(html: str, having: str) -> dict[str, str]:
    """The fields of the page's POST form that has a field named ``having``."""
    parser = FormFields()
    parser.feed(html)
    forms = [form for form in parser.forms if having in form]
    assert forms, f"no form with a {having!r} field"
    return forms[0]


class Browser:
    """One client of one server: a cookie jar, and staff login through the admin."""

    def __init__(self, port: int):
        self.base = f"http://127.0.0.1:{port}"
        self.session = requests.Session()

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.session.get(self.base + path, timeout=30, **kwargs)

    def post(self, path: str, data: dict) -> requests.Response:
        token = self.session.cookies.get("csrftoken") or ""
        response = self.session.post(
            self.base + path,
            data={**data, "csrfmiddlewaretoken": token},
            headers={"Referer": self.base + path},
            timeout=60,
        )
        assert response.status_code == 200, (path, response.status_code)
        return response

    def log_in(self, username: str, password: str) -> None:
        self.get("/admin/login/")
        response = self.post(
            "/admin/login/?next=/admin/",
            {"username": username, "password": password, "next": "/admin/"},
        )
        assert response.url.endswith("/admin/"), "staff login failed"


def uses_postgresql() -> bool:
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


@pytest.fixture
def shared_services(tmp_path):
    """A fresh PostgreSQL database beside the test database, migrated and seeded,
    and the Redis URL; both are what every app server of the site shares."""
    if not uses_postgresql():
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://…) and Redis")
    url = redis_url()  # skips without Redis, fails on CI
    import psycopg

    db = settings.DATABASES["default"]
    name = f"{db['NAME']}_two_servers_{os.getpid()}"[:63]
    admin = psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"],
        dbname="postgres",
        autocommit=True,
    )
    admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.execute(f'CREATE DATABASE "{name}"')
    database_url = (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{name}"
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"XDG_RUNTIME_DIR", "GUNICORN_CONTROL_SOCKET"}
    }
    (tmp_path / "home").mkdir()
    env.update(
        HOME=str(tmp_path / "home"),
        DJANGO_SETTINGS_MODULE="yantai.settings",
        DJANGO_SECRET_KEY="test-two-servers-" + "x" * 40,
        DATABASE_URL=database_url,
        REDIS_URL=url,
        REDIS_KEY_PREFIX=f"two-servers-{uuid.uuid4().hex[:12]}",
        DJANGO_MANIFEST_STATIC="0",
        EDITORIAL_SEPARATION_OF_DUTIES="0",
        WEB_CONCURRENCY="1",
    )
    try:
        manage = [sys.executable, "manage.py"]
        subprocess.run(
            [*manage, "migrate", "-v", "0"], cwd=ROOT, env=env, check=True, timeout=300
        )
        seeded = subprocess.run(
            [*manage, "shell", "-c", SEED.format(password=STAFF_PASSWORD)],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        )
        yield env, json.loads(seeded.stdout.strip().splitlines()[-1])
    finally:
        from redis import Redis

        client = Redis.from_url(url)
        for key in client.scan_iter(match=env["REDIS_KEY_PREFIX"] + ".*"):
            client.unlink(key)
        drop_database(admin, name)
        admin.close()


def drop_database(admin, name: str) -> None:
    """Drop database ``name``, ending its sessions. FORCE may not end an autovacuum
    worker that has just started on the new database (PostgreSQL: "must be a member
    of the role whose process is being terminated or member of pg_signal_backend",
    for a role without that membership, as CI's is); a plain DROP asks the worker to
    stop and waits up to 5 s for it, so it is tried then, a few times."""
    import psycopg

    try:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        return
    except psycopg.errors.InsufficientPrivilege:
        pass
    for attempt in range(5):
        try:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            return
        except psycopg.errors.ObjectInUse:
            if attempt == 4:
                raise
            time.sleep(1)


def server_env(env: dict[str, str], local: Path) -> dict[str, str]:
    """What is this server's own: its disk (var, page cache, media); the figure marks
    are in the shared database."""
    return dict(
        env,
        PAGE_CACHE_DIR=str(local / "pages"),
        SHARED_CACHE_DIR=str(local / "shared"),
        MEDIA_ROOT=str(local / "media"),
        SQLITE_PATH=str(local / "unused.sqlite3"),
    )


def test_a_change_made_through_one_server_is_seen_on_the_other(
    shared_services, tmp_path
):
    """Publication, figure confirmation, observation correction and withdrawal made
    by staff on server A are on server B's next request: the article page, its
    figures, the lists, search and the API. Each server has its own disk; they share
    only PostgreSQL and Redis."""
    env, ids = shared_services
    command = gunicorn_command((ROOT / "run").read_text())
    servers = []
    try:
        for name in ("a", "b"):
            servers.append(
                Server(command, free_port(), server_env(env, tmp_path / name))
            )
        staff, reader = Browser(servers[0].port), Browser(servers[1].port)
        staff.log_in("chief", STAFF_PASSWORD)

        ready, figures = ids["ready"], ids["figures"]
        article = f"/news/{ready}/"
        channel = f"/news/channel/{ids['channel']}/"
        search = "/search/?q=蓬莱苹果"
        api = f"/api/v1/articles/{ready}/"
        api_search = "/api/v1/articles/?q=蓬莱苹果"
        title = "蓬莱苹果质量追溯体系上线"

        def b_sees_it() -> dict[str, bool]:
            return {
                "page": reader.get(article).status_code == 200,
                "home": title in reader.get("/").text,
                "channel": title in reader.get(channel).text,
                # The title is marked up where the words match: look for the link.
                "search": f'class="title" href="{article}"' in reader.get(search).text,
                "api": reader.get(api).status_code == 200,
                "api list": title in reader.get(api_search).text,
            }

        # B has read (and cached) every view before the change.
        seen = b_sees_it()
        assert seen == dict.fromkeys(seen, False), seen

        # 1. Publication (终审) on A.
        staff.post(f"/admin/news/article/{ready}/transition/", {"action": "publish"})
        assert staff.get(article).status_code == 200, "not published on A"
        seen = b_sees_it()
        assert seen == dict.fromkeys(seen, True), seen

        # 2. Figure confirmation on A: B's page marks the number and its card.
        page = f"/news/{figures}/"
        assert 'class="figure"' not in reader.get(page).text
        extract = f"/admin/quality/figureproposal/extract/{figures}/"
        # 提取数字 (a POST; opening the page writes nothing), then the review page.
        reviewed = staff.post(extract, {"action": "extract"}).text
        proposal = re.search(r'name="proposal" value="(\d+)"', reviewed)
        assert proposal, "no figure proposed"
        staff.post(
            extract,
            {
                "proposal": proposal.group(1),
                "action": "confirm",
                "indicator": ids["indicator"],
                "region": ids["region"],
            },
        )
        marked = reader.get(page).text
        assert 'class="figure"' in marked, "figure confirmed on A not marked on B"
        assert "1700批次</a>" in marked
        observations = reader.get(f"/api/v1/observations/?article={figures}").json()
        assert [o["display"] for o in observations["results"]] == ["1700批次"]

        # 3. The observation corrected on A: B's card and API show the new value.
        observation = observations["results"][0]["id"]
        correct = f"/admin/quality/observation/{observation}/correct/"
        fields = form_fields(staff.get(correct).text, having="value")
        fields.update(value="1750", raw_text="1750批次", note="据年报更正")
        staff.post(correct, fields)
        card = reader.get(page).text
        assert "<strong>1750批次</strong>" in card, "correction on A not on B's page"
        values = {
            o["display"]
            for o in reader.get(
                "/api/v1/observations/?indicator=food_sampling&is_preferred=true"
            ).json()["results"]
        }
        assert values == {"1750批次"}, values

        # 4. Withdrawal on A: gone from B's page, lists, search and API.
        staff.post(f"/admin/news/article/{ready}/transition/", {"action": "unpublish"})
        assert staff.get(article).status_code in {404, 410}
        seen = b_sees_it()
        assert seen == dict.fromkeys(seen, False), seen
    finally:
        for server in servers:
            server.stop()
