"""deploy/varnish/yantai.vcl in front of a real gunicorn: it caches the public pages
by their Cache-Control as nginx does, passes staff through, stores nothing private,
and the app's purges (FRONTEND_CACHE_PURGE_URLS) take a withdrawn article off it at
once — the path a CDN that purges by HTTP PURGE takes too.

The shipped file is used as it is, with only its backend's port pointed at the test's
gunicorn. Needs Varnish (``apt-get install varnish``): skipped without it, except on
CI (``CI=true``), where it fails.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests
from django.conf import settings

from tests.processes import server_binary, wait_until_answering
from tests.test_nginx import (
    SEED_TWO,
    WITHDRAW,
    assert_gone_at_its_takedown,
    run_code,
)
from tests.test_two_servers import Server, env, free_port, gunicorn_command  # noqa: F401

ROOT = Path(settings.BASE_DIR)
VCL = ROOT / "deploy" / "varnish" / "yantai.vcl"


def varnishd_binary() -> str:
    return server_binary("varnishd", "varnish")


def vcl_for(tmp: Path, app_port: int) -> Path:
    """The shipped VCL with its backend at ``app_port``."""
    text = VCL.read_text(encoding="utf-8")
    shipped = '.port = "8000";'
    assert shipped in text
    path = tmp / "yantai.vcl"
    path.write_text(text.replace(shipped, f'.port = "{app_port}";'), encoding="utf-8")
    return path


@contextmanager
def varnishd(work: Path, vcl: Path, answering: str = "/healthz") -> Iterator[str]:
    """varnishd with ``vcl`` on a free port: its base URL once ``answering`` gets an
    answer through it; stopped after."""
    port = free_port()
    # -j none: no separate unprivileged user (the test may run as root or not).
    command = [varnishd_binary(), "-F", "-j", "none", "-n", str(work / "varnish")]
    command += ["-a", f"127.0.0.1:{port}", "-f", str(vcl), "-s", "malloc,64m"]
    server = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(base + answering, server, "varnishd", 30)
        yield base
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)


@contextmanager
def varnish_in_front(work: Path, app: Server) -> Iterator[str]:
    """The shipped VCL in front of ``app``: Varnish's base URL; both stopped after."""
    try:
        with varnishd(work, vcl_for(work, app.port)) as base:
            yield base
    finally:
        app.stop()


def test_varnish_accepts_the_shipped_vcl(tmp_path):
    varnishd = varnishd_binary()
    checked = subprocess.run(
        [varnishd, "-C", "-j", "none", "-n", str(tmp_path / "varnish")]
        + ["-f", str(vcl_for(tmp_path, free_port()))],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert checked.returncode == 0, checked.stderr


def test_varnish_caches_public_pages_and_a_purge_takes_a_withdrawal_off(
    env,  # noqa: F811
    tmp_path,
):
    varnishd_binary()
    purged, unpurged = run_code(SEED_TWO, env).split()
    app = Server(gunicorn_command((ROOT / "run").read_text()), free_port(), env)
    with varnish_in_front(tmp_path, app) as base:

        def get(path: str, **kwargs) -> requests.Response:
            return requests.get(base + path, timeout=30, **kwargs)

        # A public page: rendered once by Django, then served from Varnish, for the
        # reader's 字号 cookie and a shared link's query string alike.
        page = f"/news/{purged}/"
        first = get(page)
        assert first.status_code == 200
        assert "public" in first.headers["Cache-Control"]
        assert first.headers["X-Cache-Status"] == "MISS"
        again = get(page + "?from=timeline&isappinstalled=0", cookies={"fs": "l"})
        assert again.headers["X-Cache-Status"] == "HIT"
        assert again.content == first.content
        for path in (f"/news/{unpurged}/", "/"):
            get(path)
            assert get(path).headers["X-Cache-Status"] == "HIT", path
        assert "牟平区开展食品安全抽检1700批次" in get("/").text

        # Staff (the session cookie) pass; a private page is never stored.
        staff = get(page, cookies={"sessionid": "x"})
        assert staff.headers["X-Cache-Status"] == "MISS"
        get("/admin/login/")
        login = get("/admin/login/")
        assert login.status_code == 200
        assert login.headers["X-Cache-Status"] == "MISS"
        assert "public" not in login.headers.get("Cache-Control", "")

        # The app's purges (127.0.0.1 is in the VCL's ACL) take the copies off.
        withdrawn = dict(env, FRONTEND_CACHE_PURGE_URLS=base, SITE_URL=base)
        run_code(WITHDRAW, withdrawn, purged)
        gone = get(page)
        assert gone.status_code == 404
        assert "牟平区开展食品安全抽检1700批次" not in get("/").text
        # The 404 is stored in its turn (its s-maxage), as nginx stores it.
        assert get(page).headers["X-Cache-Status"] == "HIT"

        # Without the purge, Varnish keeps the withdrawn page for its s-maxage.
        run_code(WITHDRAW, env, unpurged)
        kept = get(f"/news/{unpurged}/")
        assert kept.status_code == 200
        assert kept.headers["X-Cache-Status"] == "HIT"


def test_a_purge_from_elsewhere_is_refused(tmp_path):
    """The VCL's ACL: only the app servers may purge (a copy of the VCL whose ACL
    names another address stands in for a client from elsewhere)."""
    vcl = vcl_for(tmp_path, free_port())  # no app: nothing is fetched
    text = vcl.read_text(encoding="utf-8")
    allowed = '    "127.0.0.1";\n    "::1";\n'
    assert allowed in text
    vcl.write_text(text.replace(allowed, '    "10.9.9.9";\n'), encoding="utf-8")
    with varnishd(tmp_path, vcl) as base:
        answer = requests.request("PURGE", base + "/news/1/", timeout=30)
        assert answer.status_code == 403


def test_an_article_reaching_its_takedown_time_is_gone_from_varnish(env, tmp_path):  # noqa: F811
    """No purge marks a 下线时间: Varnish keeps the page only until then (its TTL cut
    to it, no grace after), as nginx does (tests/test_nginx.py)."""
    varnishd_binary()
    app = Server(gunicorn_command((ROOT / "run").read_text()), free_port(), env)
    with varnish_in_front(tmp_path, app) as base:
        assert_gone_at_its_takedown(base, env)
