"""``./run manage backup DIR`` and ``restore DIR`` (issue #13 §4; quality.backup).

Each test runs the commands as ``./run manage`` does: ``manage.py`` in a separate
process with the project's settings, on a site of its own in a temporary directory
(an SQLite file, media, caches). The backup is an online copy of the SQLite file, so
these tests use SQLite whatever ``DATABASE_URL`` says; on PostgreSQL the commands
refuse and point at pg_dump/pg_restore (last test).

Database contents are compared with ``iterdump`` of the files, without the search
index tables (``news_article_search`` and the FTS5 table with its shadow tables),
rebuilt by ``restore`` from the articles, and without the planner's statistics
(``sqlite_stat1``), which ``PRAGMA optimize`` refreshes when a connection closes.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
DERIVED_TABLES = ("news_article_search", "news_article_fts", "sqlite_stat")
MEDIA = {
    "images/2026/12/cover.png": random.Random(1).randbytes(50_000),
    "documents/报告.pdf": random.Random(2).randbytes(3_000),
}

WRITER = r"""
import os, sys
import django
django.setup()
from django.db import transaction
from news.models import Article, Channel
channel = Channel.objects.order_by("id").first()
stop = sys.argv[1]
written = 0
while not os.path.exists(stop):
    with transaction.atomic():
        Article.objects.create(
            title=f"并发写入 {written}", summary="备份时写入的稿件。",
            body="<p>正文</p>", channel=channel,
        )
    written += 1
    if written == 1:
        print("started", flush=True)
print(written, flush=True)
"""


class Site:
    """A site in ``root``: its database file, media and caches, and manage.py."""

    def __init__(self, root: Path):
        self.root = root
        self.db = root / "db.sqlite3"
        self.media = root / "media"
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in {"DATABASE_URL", "SHARED_CACHE", "MEDIA_ROOT"}
        }
        env.update(
            DJANGO_SETTINGS_MODULE="yantai.settings",
            DJANGO_SECRET_KEY="test-backup-" + "x" * 40,
            SQLITE_PATH=str(self.db),
            MEDIA_ROOT=str(self.media),
            PAGE_CACHE_DIR=str(root / "var" / "pages"),
            SHARED_CACHE_DIR=str(root / "var" / "shared"),
        )
        self.env = env

    def manage(self, *args: str, **env: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=300,
        )

    def dump(self) -> list[str]:
        return dump(self.db)

    def media_files(self) -> dict[str, bytes]:
        return files_under(self.media)


def dump(db: Path) -> list[str]:
    """Every statement that rebuilds ``db``, without the search index's tables."""
    connection = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
    try:
        return [
            line
            for line in connection.iterdump()
            if not any(table in line for table in DERIVED_TABLES)
        ]
    finally:
        connection.close()


def files_under(root: Path) -> dict[str, bytes]:
    if not root.exists():
        return {}
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def article_count(db: Path) -> int:
    connection = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
    try:
        return connection.execute("SELECT count(*) FROM news_article").fetchone()[0]
    finally:
        connection.close()


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Site:
    """Migrated once per module, with the demo content and two media files."""
    site = Site(tmp_path_factory.mktemp("template-site"))
    for command in (["migrate", "-v", "0"], ["load_demo"]):
        result = site.manage(*command)
        assert result.returncode == 0, result.stderr
    for relative, content in MEDIA.items():
        (site.media / relative).parent.mkdir(parents=True, exist_ok=True)
        (site.media / relative).write_bytes(content)
    return site


@pytest.fixture
def site(template, tmp_path) -> Site:
    """A copy of the template site."""
    site = Site(tmp_path / "site")
    site.root.mkdir()
    for file in template.root.glob("db.sqlite3*"):
        shutil.copy(file, site.root / file.name)
    shutil.copytree(template.media, site.media)
    return site


@pytest.fixture
def backup(site, tmp_path) -> Path:
    directory = tmp_path / "backup"
    result = site.manage("backup", str(directory))
    assert result.returncode == 0, result.stderr
    return directory


def change(site: Site) -> None:
    """What happens on the site after a backup: edits, deletions, new uploads."""
    connection = sqlite3.connect(site.db)
    with connection:
        connection.execute("UPDATE news_article SET title = title || '（已改）'")
        connection.execute("DELETE FROM news_tag")
    connection.close()
    (site.media / "images/2026/12/cover.png").write_bytes(b"another picture")
    (site.media / "documents/报告.pdf").unlink()
    (site.media / "images/new.png").write_bytes(b"uploaded after the backup")


def test_backup_while_writing_then_restore_gives_the_snapshot(site, template, tmp_path):
    """Back up while another process writes articles, change, restore: the snapshot."""
    stop = tmp_path / "stop-writing"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(stop)],
        cwd=ROOT,
        env=site.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout.readline().strip() == "started", writer.stderr.read()
        before = article_count(site.db)
        directory = tmp_path / "backup"
        result = site.manage("backup", str(directory))
        after = article_count(site.db)
    finally:
        stop.touch()
        out, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err  # never "database is locked"
    assert result.returncode == 0, result.stderr
    assert "已备份到" in result.stdout

    # One consistent snapshot, taken while the writer went on committing.
    snapshot = directory / "db.sqlite3"
    check = sqlite3.connect(snapshot)
    assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert check.execute("PRAGMA foreign_key_check").fetchall() == []
    check.close()
    assert before < article_count(snapshot) <= after
    assert article_count(site.db) > article_count(snapshot)
    manifest = json.loads((directory / "manifest.json").read_text())
    assert "news.0001_initial" in manifest["migrations"]
    assert {f["path"] for f in manifest["files"]} == {
        "db.sqlite3",
        *(f"media/{p}" for p in template.media_files()),
    }
    # The demo's cover (its renditions too) and the two files above.
    assert files_under(directory / "media") == template.media_files()

    expected = dump(snapshot)
    change(site)
    assert site.dump() != expected

    result = site.manage("restore", str(directory), "--force")
    assert result.returncode == 0, result.stderr
    assert "恢复完成" in result.stdout
    assert site.dump() == expected
    assert site.media_files() == template.media_files()
    # The search index is rebuilt from the restored articles.
    connection = sqlite3.connect(site.db)
    indexed = connection.execute("SELECT count(*) FROM news_article_search").fetchone()
    published = connection.execute(
        "SELECT count(*) FROM news_article WHERE status = 'published'"
    ).fetchone()
    connection.close()
    assert indexed == published == (1,)


def test_restore_into_a_new_site_needs_no_force(site, template, backup, tmp_path):
    """Disaster recovery: a new host, no database file, not even its directory."""
    new = Site(tmp_path / "new-site")
    result = new.manage("restore", str(backup))
    assert result.returncode == 0, result.stderr
    assert new.dump() == dump(backup / "db.sqlite3") == site.dump()
    assert new.media_files() == template.media_files()


def test_restore_over_content_needs_force(site, backup):
    change(site)
    before, media = site.dump(), site.media_files()
    result = site.manage("restore", str(backup))
    assert result.returncode != 0
    assert (
        "当前数据库或媒体目录中已有内容，恢复会覆盖它们。确认要覆盖，请加 --force"
        in (result.stderr)
    )
    assert site.dump() == before
    assert site.media_files() == media


def corrupt_manifest(directory: Path) -> None:
    text = (directory / "manifest.json").read_text()
    (directory / "manifest.json").write_text(text[: len(text) // 2])


def manifest_escapes(directory: Path) -> None:
    manifest = json.loads((directory / "manifest.json").read_text())
    manifest["files"][1]["path"] = "media/../../outside.png"
    (directory / "manifest.json").write_text(json.dumps(manifest))


def damaged_file(directory: Path) -> None:
    with open(directory / "db.sqlite3", "r+b") as f:
        f.seek(5000)
        f.write(b"\xff\xff\xff")


def missing_media(directory: Path) -> None:
    (directory / "media" / "documents" / "报告.pdf").unlink()


def no_manifest(directory: Path) -> None:
    (directory / "manifest.json").unlink()


def newer_code(directory: Path) -> None:
    manifest = json.loads((directory / "manifest.json").read_text())
    manifest["migrations"].append("news.9999_from_the_future")
    (directory / "manifest.json").write_text(json.dumps(manifest))


def missing_directory(directory: Path) -> None:
    shutil.rmtree(directory)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (missing_directory, "备份目录不存在："),
        (no_manifest, "中没有 manifest.json：不是备份目录，或备份没有完成。"),
        (corrupt_manifest, "已损坏或格式不对，不能据此恢复。"),
        (manifest_escapes, "已损坏或格式不对，不能据此恢复。"),
        (damaged_file, "缺失或与清单记录不符（大小或 SHA-256 不同）。"),
        (missing_media, "缺失或与清单记录不符（大小或 SHA-256 不同）。"),
        (newer_code, "备份来自较新的代码：本版本没有迁移 news.9999_from_the_future"),
    ],
    ids=lambda x: getattr(x, "__name__", ""),
)
def test_bad_backup_is_refused_and_changes_nothing(site, backup, damage, message):
    change(site)
    before, media = site.dump(), site.media_files()
    damage(backup)
    result = site.manage("restore", str(backup), "--force")
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert site.dump() == before
    assert site.media_files() == media
    assert not (backup.parent / "outside.png").exists()


def test_backup_refuses_a_directory_with_files(site, backup):
    before = files_under(backup)
    result = site.manage("backup", str(backup))
    assert result.returncode != 0
    assert "已存在且不是空目录；请指定一个新目录。" in result.stderr
    assert files_under(backup) == before


def test_postgresql_is_pointed_at_pg_dump(site, tmp_path):
    """The refusal comes before any connection: no server is needed to check it."""
    directory = tmp_path / "pg-backup"
    for command in ("backup", "restore"):
        result = site.manage(
            command,
            str(directory),
            DATABASE_URL="postgres://yantai:x@127.0.0.1:9/yantai_nowhere",
        )
        assert result.returncode != 0
        assert "当前数据库是 PostgreSQL：请用 pg_dump -Fc 备份、pg_restore 恢复" in (
            result.stderr
        )
        assert "Traceback" not in result.stderr
        assert not directory.exists()


# After a restore every page may differ from the copies the caches in front keep.
SITE_ADDRESS = "https://quality.example.gov.cn"
CLOUDS = {
    "tencent": ("TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY"),
    "aliyun": ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET"),
}


@pytest.fixture
def cloud():
    """The clouds' CDN API stand-in of tests/news/test_frontcache.py."""
    from tests.news.test_frontcache import CloudAPI

    api = CloudAPI([])
    yield api
    api.shutdown()
    api.server_close()


def cdn_env(cloud, name: str = "tencent") -> dict[str, str]:
    key_id, secret = CLOUDS[name]
    return {
        "FRONTEND_CACHE_CDN": name,
        "FRONTEND_CACHE_CDN_ENDPOINT": cloud.url,
        key_id: "AKID-yantai",
        secret: "s3cret",
        "SITE_URL": SITE_ADDRESS,
    }


@pytest.mark.parametrize(
    "name, action, kind",
    [
        ("tencent", "PurgePathCache", "delete"),
        ("aliyun", "RefreshObjectCaches", "Directory"),
    ],
)
def test_restore_purges_the_whole_site_from_the_cdn(
    site, backup, cloud, name, action, kind
):
    change(site)
    result = site.manage("restore", str(backup), "--force", **cdn_env(cloud, name))
    assert result.returncode == 0, result.stderr
    assert cloud.calls == [(action, [f"{SITE_ADDRESS}/"], "AKID-yantai")]
    assert cloud.kinds == [kind]
    assert f"已请 CDN 刷新 {SITE_ADDRESS}/ 下的全部缓存。" in result.stdout
    assert site.dump() == dump(backup / "db.sqlite3")


def test_a_refused_cdn_purge_leaves_the_restore_done_and_says_so(site, backup, cloud):
    cloud.error = True
    result = site.manage("restore", str(backup), "--force", **cdn_env(cloud))
    assert result.returncode == 0, result.stderr
    assert "CDN 未能刷新整站缓存（TencentCloudSDKException" in result.stderr
    assert "./run manage purge_site" in result.stderr
    assert site.dump() == dump(backup / "db.sqlite3")


def test_restore_behind_nginx_says_what_to_clear_before_the_cdn(site, backup, cloud):
    """nginx keeps its copies on its own hosts (no address lists them all): the
    operator clears them, then purges the CDN, which would otherwise fetch them."""
    result = site.manage(
        "restore",
        str(backup),
        "--force",
        FRONTEND_CACHE_URLS="http://10.0.0.11:8081",
        FRONTEND_CACHE_PURGE_URLS="http://10.0.0.21:6081/",
        **cdn_env(cloud),
    )
    assert result.returncode == 0, result.stderr
    assert cloud.calls == []
    assert "find /var/cache/nginx/yantai -type f -delete" in result.stdout
    assert "varnishadm 'ban req.url ~ .'" in result.stdout
    assert "然后运行 ./run manage purge_site" in result.stdout


def test_restore_without_a_front_end_cache_says_nothing_of_one(site, backup):
    result = site.manage("restore", str(backup), "--force")
    assert result.returncode == 0, result.stderr
    assert "CDN" not in result.stdout + result.stderr
    assert "nginx" not in result.stdout + result.stderr
