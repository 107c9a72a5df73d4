"""Backup and restore of the embedded SQLite database and the media files.

What a backup holds (docs/operations.md, "Backup and restore"):

- ``db.sqlite3``: a copy made with SQLite's online backup API
  (``sqlite3.Connection.backup``) in one step. The source is in WAL mode, so the copy
  reads one consistent snapshot while the site goes on serving and writing.
- ``media/``: every file under ``MEDIA_ROOT`` (uploaded images and documents).
- ``manifest.json``, written last: the time, Django's migration state of the copied
  database, and every file with its size and SHA-256.

What it leaves out, because it is rebuilt from the database: the page cache
(``var/pages``), the search index (``rebuild_search_index``), the shared state
(``var/shared``: who is editing, throttle counters, cached counts), collected static
files (``collectstatic``) and compiled translations (``compilemessages``). Secrets and
settings (``.env``) are the operator's to keep.

PostgreSQL databases are backed up with ``pg_dump -Fc`` and restored with
``pg_restore`` instead; these functions refuse them.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import django
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.core.files.storage import FileSystemStorage, storages
from django.db import DatabaseError, connections
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _

from news import demo as news_demo
from quality import demo
from yantai.text import join_list

FORMAT = "yantai-backup/1"
MANIFEST = "manifest.json"
DATABASE_FILE = "db.sqlite3"
MEDIA_DIR = "media"
# Run after a restore, in this order (the restore command does).
REBUILD_COMMANDS = ("rebuild_figure_links", "rebuild_search_index")


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why, in Chinese."""


@dataclass
class BackupResult:
    directory: Path
    files: int
    size: int


def _media_on_this_host() -> None:
    """A BackupError unless uploads are files under MEDIA_ROOT, the only media these
    commands copy (MEDIA_STORAGE=s3 keeps them in a bucket)."""
    if not isinstance(storages["default"], FileSystemStorage):
        raise BackupError(
            _(
                "媒体文件保存在对象存储中（MEDIA_STORAGE=s3），备份与恢复命令只能复制"
                "本机 MEDIA_ROOT 中的文件：请用存储服务的版本控制或复制功能保护媒体文件，"
                "详见 docs/operations.md 的“Backup and restore”一节。"
            )
        )


def _database_path(alias: str = "default") -> Path:
    """The SQLite file of ``alias``, or a BackupError naming what to use instead."""
    connection = connections[alias]
    if connection.vendor == "postgresql":
        raise BackupError(
            _(
                "当前数据库是 PostgreSQL：请用 pg_dump -Fc 备份、pg_restore 恢复，"
                "媒体文件另行复制，详见 docs/operations.md 的“Backup and restore”一节。"
            )
        )
    if connection.vendor != "sqlite":
        raise BackupError(
            _("备份与恢复命令只支持内置的 SQLite 数据库（当前为 %(vendor)s）。")
            % {"vendor": connection.vendor}
        )
    name = str(connection.settings_dict["NAME"])
    if connection.is_in_memory_db() or not name:
        raise BackupError(_("内存数据库没有文件，无法备份或恢复。"))
    return Path(name).resolve()


def _sha256(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _media_files(root: Path) -> list[Path]:
    """Every regular file under ``root``, relative to it, in a fixed order."""
    if not root.is_dir():
        return []
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if path.is_file() and not path.is_symlink():
                found.append(path.relative_to(root))
    return found


def _entry(directory: Path, relative: str) -> dict:
    path = directory / relative
    return {"path": relative, "size": path.stat().st_size, "sha256": _sha256(path)}


def _copy_database(source: Path, target: Path) -> None:
    """Copy ``source`` into ``target`` with SQLite's online backup API, in one step.

    One step (``pages=-1``) reads a single snapshot: under WAL, readers do not block
    the site's writers and writers do not disturb the copy. (A copy in several steps
    starts over whenever another connection writes, and may never finish on a busy
    site.)
    """
    src = sqlite3.connect(f"{source.as_uri()}?mode=ro", uri=True, timeout=30)
    try:
        dest = sqlite3.connect(target)
        try:
            src.backup(dest)
            # A file that stands alone: no -wal or -shm beside it.
            dest.execute("PRAGMA journal_mode=DELETE")
            check = dest.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            dest.close()
    finally:
        src.close()
    if check != "ok":
        raise BackupError(
            _("备份出的数据库未通过完整性检查：%(result)s") % {"result": check}
        )


def _applied_migrations(database: Path) -> list[str]:
    db = sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True)
    try:
        rows = db.execute(
            "SELECT app, name FROM django_migrations ORDER BY id"
        ).fetchall()
    except sqlite3.DatabaseError:
        rows = []
    finally:
        db.close()
    return [f"{app}.{name}" for app, name in rows]


def backup_create(*, directory: Path) -> BackupResult:
    """Write a backup of the database and the media files into ``directory``.

    ``directory`` must not exist or be empty. The manifest is written last: a
    directory without one is an unfinished backup, and ``restore`` refuses it.
    """
    _media_on_this_host()
    database = _database_path()
    if not database.is_file():
        raise BackupError(_("数据库文件不存在：%(path)s") % {"path": database})
    directory = directory.resolve()
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise BackupError(
            _("备份目录 %(path)s 已存在且不是空目录；请指定一个新目录。")
            % {"path": directory}
        )
    directory.mkdir(parents=True, exist_ok=True)

    _copy_database(database, directory / DATABASE_FILE)
    files = [_entry(directory, DATABASE_FILE)]
    media_root = Path(settings.MEDIA_ROOT)
    for relative in _media_files(media_root):
        target = directory / MEDIA_DIR / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            shutil.copy2(media_root / relative, target)
        except FileNotFoundError:  # deleted while we walked
            continue
        files.append(_entry(directory, f"{MEDIA_DIR}/{relative.as_posix()}"))

    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "django": django.get_version(),
        "database": {"vendor": "sqlite", "file": DATABASE_FILE},
        "migrations": _applied_migrations(directory / DATABASE_FILE),
        "files": files,
        "rebuild": list(REBUILD_COMMANDS),
    }
    temporary = directory / f".{MANIFEST}.tmp"
    temporary.write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    os.replace(temporary, directory / MANIFEST)
    return BackupResult(
        directory=directory,
        files=len(files),
        size=sum(entry["size"] for entry in files),
    )


def _safe_relative(value: object) -> str | None:
    """``value`` if it is a plain relative path inside the backup, else None."""
    if not isinstance(value, str) or not value or "\\" in value or "\x00" in value:
        return None
    path = PurePosixPath(value)
    if path.is_absolute() or ".." in path.parts or path.as_posix() != value:
        return None
    return value


def backup_verify(*, directory: Path) -> dict:
    """Read and check the manifest in ``directory``; return it.

    Every listed file must be there with its size and SHA-256, the database must be
    listed and pass SQLite's quick check, and every migration it has applied must be
    known to this code. Nothing is written.
    """
    _database_path()  # PostgreSQL: pg_restore, whatever the directory holds
    if not directory.is_dir():
        raise BackupError(_("备份目录不存在：%(path)s") % {"path": directory})
    path = directory / MANIFEST
    if not path.is_file():
        raise BackupError(
            _("备份目录 %(path)s 中没有 manifest.json：不是备份目录，或备份没有完成。")
            % {"path": directory}
        )
    corrupt = BackupError(
        _("备份清单 %(path)s 已损坏或格式不对，不能据此恢复。") % {"path": path}
    )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise corrupt from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise corrupt
    files = manifest.get("files")
    database = manifest.get("database")
    migrations = manifest.get("migrations")
    if (
        not isinstance(files, list)
        or not isinstance(database, dict)
        or database.get("vendor") != "sqlite"
        or not isinstance(migrations, list)
        or not all(isinstance(m, str) and "." in m for m in migrations)
    ):
        raise corrupt
    listed = set()
    for entry in files:
        if not isinstance(entry, dict):
            raise corrupt
        relative = _safe_relative(entry.get("path"))
        if relative is None or relative in listed:
            raise corrupt
        if relative != DATABASE_FILE and not relative.startswith(f"{MEDIA_DIR}/"):
            raise corrupt
        listed.add(relative)
        file = directory / relative
        if (
            not file.is_file()
            or file.stat().st_size != entry.get("size")
            or _sha256(file) != entry.get("sha256")
        ):
            raise BackupError(
                _("备份文件 %(path)s 缺失或与清单记录不符（大小或 SHA-256 不同）。")
                % {"path": file}
            )
    if database.get("file") != DATABASE_FILE or DATABASE_FILE not in listed:
        raise corrupt
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = {f"{app}.{name}" for app, name in loader.disk_migrations}
    unknown = [m for m in migrations if m not in known]
    if unknown:
        raise BackupError(
            _(
                "备份来自较新的代码：本版本没有迁移 %(names)s。请先把代码升级到备份时"
                "的版本再恢复。"
            )
            % {"names": join_list(unknown[:5])}
        )
    return manifest


def site_has_content() -> bool:
    """Whether the database or the media directory holds anything to lose."""
    media = _media_files(Path(settings.MEDIA_ROOT))
    if media:
        return True
    if not _database_path().exists():  # a new install: nothing to lose, no file made
        return False
    connection = connections["default"]
    try:
        tables = connection.introspection.table_names()
        if "django_migrations" not in tables:
            return False
        return (
            news_demo.has_content()
            or demo.has_content()
            or get_user_model().objects.exists()
        )
    except DatabaseError:
        # A database we cannot read is not known to be empty.
        return True


def backup_restore(*, directory: Path, manifest: dict) -> None:
    """Put the database and the media files of a verified backup back.

    The database is written with the backup API as well (into the live file, under
    SQLite's locks), so a process that still has it open sees either the old or the
    restored database, never a mix. Media files not in the backup are removed. The
    page cache and the shared state (cached counts) are emptied: both describe the
    database that was replaced.
    """
    _media_on_this_host()
    database = _database_path()
    connections.close_all()
    database.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(
        f"{(directory / DATABASE_FILE).as_uri()}?mode=ro", uri=True, timeout=30
    )
    try:
        dest = sqlite3.connect(database, timeout=30)
        try:
            src.backup(dest)
        finally:
            dest.close()
    finally:
        src.close()

    media_root = Path(settings.MEDIA_ROOT)
    media_root.mkdir(parents=True, exist_ok=True)
    keep = set()
    for entry in manifest["files"]:
        if not entry["path"].startswith(f"{MEDIA_DIR}/"):
            continue
        relative = Path(entry["path"]).relative_to(MEDIA_DIR)
        keep.add(relative)
        target = media_root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        # Written beside the target and renamed over it: never a half-written file.
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".restoring-")
        os.close(handle)
        shutil.copy2(directory / entry["path"], temporary)
        os.replace(temporary, target)
    for relative in _media_files(media_root):
        if relative not in keep:
            (media_root / relative).unlink()

    caches["pages"].clear()
    caches["shared"].clear()
