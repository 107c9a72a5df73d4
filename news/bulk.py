"""Import at archive scale: many pages parsed in parallel, written in batches.

The batch twin of ``news.services.article_import``, under the same rules: the
importing account needs the permissions the admin asks for, a publication passes the
错敏字 check, every article gets its revision, its bylines and (published) its search
index row, and the pages beside it in its channel are made stale. What differs is how
the rows are written: a batch of new articles is one transaction with bulk inserts,
one revision per article, one search-index write and one audit entry naming the
files of the batch. A page that is already imported (same title and time) goes
through ``article_import`` itself, unless its content is unchanged, which writes
nothing.

Reading and parsing (and cutting the text into search words, the costly part) run
in worker processes (``jobs``); the database is written by the calling process only.
Input is read as it is needed, one window of batches ahead, so memory stays flat
whatever the number of files.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import gc
import json
import multiprocessing
import os
import re
import sqlite3
import sys
import threading
import time
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, models, transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from yantai.locks import BulkWriteBusy, bulk_write
from yantai.text import decode_text, join_sentences, stored_language

from . import pagecache, search
from .accessibility import check_bodies, publication_note
from .models import (
    Article,
    ArticleEvent,
    ArticleSearch,
    AuditLog,
    Byline,
    Channel,
    Person,
    Revision,
    SensitiveWord,
    Tag,
)
from .parsing import (
    Block,
    Credit,
    PageTextError,
    ParsedPage,
    parse_json_line,
    parse_page_text,
)
from .revisions import SNAPSHOT_FIELDS, time_text
from .services import (
    IMPORTED_FIELDS,
    _unique_credits,
    article_import,
    audit_record,
    named_messages,
    page_import_key,
)
from .signals import mentions_indexed_together

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# 250: the peak memory of 500 (288 MB against 222 MB importing 2,000 articles on
# PostgreSQL, one run each on the shared machine) for no measurable gain in time.
BATCH_SIZE = 250
# PostgreSQL: rows a multi-row INSERT at most, where COPY cannot serve (RowInsert).
# The values are in the statement's text (Django binds them on the client), several
# copies of it alive at once. Peak memory importing 2,000 pages (one run each, load
# 3-4): 291 MB with a batch's 250 index rows (~25 KB each with their documents) in
# one statement, 225 MB with 50 rows a statement (247 MB before the documents were
# given); 182 MB with COPY.
PG_ROWS_A_STATEMENT = 50
# Pages per task sent to a worker process: large enough that the round trip does
# not count, small enough that both workers get work at the end of a batch.
CHUNK_SIZE = 25
UNCHECKED = (
    "version",
    "import_key",
    "status",
    "draft_status",
    "channel",
    "responsible_editor",
)
TEXT_SUFFIXES = {".txt", ".text"}
JSON_SUFFIXES = {".jsonl", ".ndjson", ".json"}


# --- what to read -------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """One article's input: a text file, a member of a zip or a JSON line."""

    name: str  # as reported to the user: a path, "a.zip:b.txt" or "a.jsonl"
    kind: str  # "text", "zip" or "json"
    path: str
    member: str = ""
    line: int | None = None  # the JSON line's number
    text: str = ""  # the JSON line


@dataclass
class Unreadable:
    """An input that could not even be listed (a missing file, a broken zip)."""

    name: str
    message: str


def iter_sources(paths: Iterable[str]) -> Iterator[Source | Unreadable]:
    """Every article input under ``paths``, lazily, in a stable order.

    A directory is read recursively (its ``.txt``, ``.zip`` and ``.jsonl`` files, in
    name order); a zip gives its text members; a JSON-lines file one source a line.
    """
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    file = Path(root) / name
                    suffix = file.suffix.lower()
                    if name.startswith(".") or suffix not in (
                        TEXT_SUFFIXES | JSON_SUFFIXES | {".zip"}
                    ):
                        continue
                    yield from _file_sources(file)
        else:
            yield from _file_sources(path)


def count_sources(paths: Iterable[str]) -> int:
    """How many inputs ``iter_sources(paths)`` gives (reads what it reads)."""
    return sum(1 for _source in iter_sources(paths))


def _file_sources(path: Path) -> Iterator[Source | Unreadable]:
    suffix = path.suffix.lower()
    if suffix == ".zip":
        try:
            with zipfile.ZipFile(path) as archive:
                members = [
                    info
                    for info in archive.infolist()
                    if not info.is_dir()
                    and not info.filename.startswith("__MACOSX/")
                    and not Path(info.filename).name.startswith(".")
                ]
        except OSError as error:
            yield Unreadable(str(path), _("无法读取文件（%s）") % error.strerror)
            return
        except zipfile.BadZipFile:
            yield Unreadable(str(path), _("不是有效的 zip 文件"))
            return
        # As in a directory: page text and JSON lines by their suffix (page text
        # also without one), other files (pictures, documents) left alone; a zip in
        # the zip is named, not opened.
        for info in members:
            name = f"{path}:{_member_name(info)}"
            suffix = Path(info.filename).suffix.lower()
            if suffix not in TEXT_SUFFIXES | JSON_SUFFIXES | {"", ".zip"}:
                continue
            if info.flag_bits & 0x1:
                yield Unreadable(name, _("有密码保护，无法读取：请解压后再导入"))
            elif suffix in TEXT_SUFFIXES or not suffix:
                yield Source(name, "zip", str(path), member=info.filename)
            elif suffix in JSON_SUFFIXES:
                yield from _zip_json_sources(path, info.filename, name)
            elif suffix == ".zip":
                yield Unreadable(name, _("压缩包里的压缩包不会打开：请先解压，再导入"))
    elif suffix in JSON_SUFFIXES:
        try:
            with open(path, "rb") as lines:
                yield from _json_line_sources(str(path), path, lines)
        except OSError as error:
            yield Unreadable(str(path), _("无法读取文件（%s）") % error.strerror)
    else:
        yield Source(str(path), "text", str(path))


# What reading a zip member may raise besides OSError: a name not in it (KeyError), a
# damaged member (BadZipFile, zlib.error), a password (RuntimeError), a compression
# method zipfile does not have (NotImplementedError: Deflate64, which Windows uses
# for large files).
_ZIP_MEMBER_ERRORS = (
    KeyError,
    zipfile.BadZipFile,
    zlib.error,
    RuntimeError,
    NotImplementedError,
)


def _json_line_sources(name: str, path: Path, lines) -> Iterator[Source]:
    """A source for each non-blank line of ``lines`` (a JSON-lines file's, or a zip
    member's), read as they are listed."""
    for number, raw in enumerate(lines, start=1):
        if raw.strip():
            yield Source(name, "json", str(path), line=number, text=raw)


def _zip_json_sources(path: Path, member: str, name: str):
    """The JSON lines of a zip member."""
    try:
        with zipfile.ZipFile(path) as archive, archive.open(member) as lines:
            yield from _json_line_sources(name, path, lines)
    except (OSError, *_ZIP_MEMBER_ERRORS) as error:
        yield Unreadable(name, _("无法读取压缩包里的文件（%s）") % error)


def _member_name(info: zipfile.ZipInfo) -> str:
    """A zip member's name as its maker wrote it: a name without the zip's UTF-8
    flag, which ``zipfile`` reads as code page 437, in GBK (Windows' 压缩 on a
    Chinese system, older 7-Zip and WinRAR) or UTF-8 (macOS) when its bytes read as
    such (``yantai.text.decode_text``); else as ``zipfile`` read it."""
    name = info.filename
    if info.flag_bits & 0x800 or name.isascii():
        return name
    try:
        return decode_text(info.orig_filename.encode("cp437"))
    except (UnicodeDecodeError, UnicodeEncodeError):
        return name


# --- parsing, in worker processes -----------------------------------------------------


@dataclass
class Prepared:
    """A source parsed and made ready to write (or the reason it cannot be)."""

    name: str
    line: int | None = None
    error: str = ""
    page: ParsedPage | None = None
    key: str = ""
    body: str = ""  # sanitised, as Article.fill_derived_fields() leaves it
    body_text: str = ""
    slug: str = ""
    summary: str = ""
    # The search index row (title, body), if publishing; UTF-8 on SQLite.
    words: tuple[str, str] | tuple[bytes, bytes] | None = None
    names_known: int = 0  # how many of the run's new names the worker knew
    # PostgreSQL: the index row's tsvector, binary (search.tsvector_binary), if known
    document: bytes | None = None
    # Publishing: whether the worker found none of the 错敏字 of ``checked_words``
    # in the texts the writer checks (None: not looked). ``checked_words`` is set
    # in the writing process, for a whole batch; never pickled.
    clean: bool | None = None
    checked_words: tuple[str, ...] | None = None

    def __reduce__(self):
        """Pickled (by a worker, for the writer) as one flat tuple: the page's
        blocks as their kinds and, unless they are the plain text's lines, their
        texts; its credits as tuples. Unpickling the dataclasses, with a Block and
        a Credit object each, cost the writing process 0.15 ms a page."""
        page = self.page
        if page is None:
            return (Prepared, (self.name, self.line, self.error))
        texts = [block.text for block in page.blocks]
        as_lines = (
            "\n".join(texts) == self.body_text
            and self.body_text.count("\n") == len(texts) - 1
        )
        return (
            _unpickle_prepared,
            (
                self.name,
                self.line,
                self.key,
                self.body,
                self.body_text,
                self.slug,
                self.summary,
                self.words,
                self.names_known,
                page.title,
                page.subtitle,
                page.source,
                page.published_at,
                "".join(_BLOCK_CODES[block.type] for block in page.blocks),
                None if as_lines else texts,
                [(c.role, c.name, c.prefix) for c in page.credits],
                page.source_url,
                page.unplaced,
                page.channel,
                page.tags,
                self.document,
                self.clean,
            ),
        )


_BLOCK_CODES = {"heading": "h", "paragraph": "p"}
_BLOCK_TYPES = {code: kind for kind, code in _BLOCK_CODES.items()}


def _unpickle_prepared(
    name, line, key, body, body_text, slug, summary, words, names_known,
    title, subtitle, source, published_at, kinds, texts, credits, source_url,
    unplaced, channel, tags, document, clean,
) -> Prepared:  # fmt: skip
    if texts is None:
        texts = body_text.split("\n")
    page = ParsedPage(
        title=title,
        subtitle=subtitle,
        source=source,
        published_at=published_at,
        blocks=[Block(_BLOCK_TYPES[k], t) for k, t in zip(kinds, texts, strict=True)],
        credits=[Credit(*credit) for credit in credits],
        source_url=source_url,
        unplaced=unplaced,
        channel=channel,
        tags=tags,
    )
    return Prepared(
        name,
        line,
        "",
        page,
        key,
        body,
        body_text,
        slug,
        summary,
        words,
        names_known,
        document,
        clean,
    )


_zips: dict[str, zipfile.ZipFile] = {}


def _read(source: Source) -> bytes:
    if source.kind == "zip":
        archive = _zips.get(source.path)
        if archive is None:
            archive = _zips[source.path] = zipfile.ZipFile(source.path)
        return archive.read(source.member)
    return Path(source.path).read_bytes()


def prepare(
    source: Source,
    *,
    index: bool,
    names_known: int = 0,
    words: tuple[str, ...] | None = None,
) -> Prepared:
    """Read and parse ``source``; derive what the writer stores. No database.

    ``words``: the active 错敏字 (``wrong``), to look for in the page (publishing)."""
    result = Prepared(source.name, line=source.line, names_known=names_known)
    try:
        if source.kind == "json":
            page = parse_json_line(source.text, source.line)
        else:
            page = parse_page_text(_read(source))
    except OSError as error:
        result.error = _("无法读取文件（%s）") % (error.strerror or error)
        return result
    except _ZIP_MEMBER_ERRORS as error:
        result.error = _("无法读取压缩包里的文件（%s）") % error
        return result
    except PageTextError as error:
        result.error, result.line = error.message, error.line
        return result
    return prepare_page(result, page, index=index, words=words)


def prepare_page(
    result: Prepared,
    page: ParsedPage,
    *,
    index: bool,
    words: tuple[str, ...] | None = None,
) -> Prepared:
    """Fill ``result`` with what the writer stores of ``page``. No database."""
    article = _PAGE_ARTICLE.new(
        page.title,
        page.subtitle,
        page.source,
        page.source_url,
        page.published_at,
        page_html(page),
    )
    texts = [block.text for block in page.blocks]
    body_text = "\n".join(texts)
    # For plain text nh3 and html_to_text give back page_html's HTML and the blocks
    # as lines: not worked out again (0.15 of a worker's ~1.5 ms a page).
    article.fill_derived_fields(
        body_text=body_text if _plain(texts, body_text) else None
    )
    try:
        # As services._checked_content validates, less what the writer decides (the
        # channel, the account, the workflow state: UNCHECKED) and 下线时间, never
        # imported: its one constraint (after 发布时间) holds without it. No query:
        # the one unique field, import_key, is the writer's to check.
        # Its one unique check left, the primary key's, is skipped for an unsaved
        # row (tests/news/test_import_bulk.py keeps it the one).
        article.full_clean(
            exclude=[*UNCHECKED, "expires_at"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as error:
        result.error = _("内容不合要求：%s") % messages(error)
        return result
    result.page = page
    result.key = page_import_key(page)
    result.body, result.body_text = article.body, article.body_text
    result.slug, result.summary = article.slug, article.summary
    if words is not None:
        # The writer's pre-check (_wordcheck), here: 0.7 s of its 20,000 articles.
        pattern = _words_pattern(words)
        result.clean = pattern is None or not any(
            pattern.search(text) for text in _checked_texts(article)
        )
    if index:
        # The page's own people are in the database by the time it is indexed.
        for credit in page.credits:
            search.learn_name(credit.name)
        words = _words(result, tag_names=sorted(page.tags))
        result.document = _document(words)
        # SQLite: the writer binds them as UTF-8 (CAST … AS TEXT: the same text),
        # so the writing process neither decodes them from the pickle nor encodes
        # them for SQLite (~0.2 M instructions a page of its ~0.45 M unpickling).
        result.words = (
            (words[0].encode(), words[1].encode())
            if connection.vendor == "sqlite"
            else words
        )
    return result


# The characters for which ``sanitize_html`` (nh3) or ``html_to_text`` do not give
# back a paragraph of page_html's HTML or its text, found by trying every code point
# between two letters (tests/news/test_import_bulk.py tries the first 0x3100 and
# these again), less the line feed, which joins the texts (counted instead); two
# spaces, which html_to_text makes one; an image's data-file=, which
# Article.fill_derived_fields() expands.
_NOT_PLAIN_RE = re.compile("[\x00\t\x0b-\x0d\x1c-\x1e\x85\xa0\u2028\u2029\u3000]")


def _plain(texts: list[str], joined: str | None = None) -> bool:
    """Whether the page_html of blocks with these texts is left as it is by the
    sanitiser, and its plain text is their lines (``joined``: "\\n".join(texts)).

    Looked for in the joined text, not text by text: the alternation of the
    characters, the two spaces and data-file= cost sre a match attempt at every
    character (0.57 M instructions a page of ~19 texts, against 0.26 M)."""
    if joined is None:
        joined = "\n".join(texts)
    return (
        all(text and not text[0].isspace() and not text[-1].isspace() for text in texts)
        # No line feed but those joining the texts (the edges hold no space: no
        # two spaces or data-file= across a joint either).
        and joined.count("\n") == max(len(texts) - 1, 0)
        and "  " not in joined
        and "data-file=" not in joined
        and not _NOT_PLAIN_RE.search(joined)
    )


def page_html(page: ParsedPage) -> str:
    """Body blocks as the editor's HTML (the same as ``services.page_body_html``)."""
    return "".join(
        f"<{'h2' if b.type == 'heading' else 'p'}>{escape(b.text, quote=False)}"
        f"</{'h2' if b.type == 'heading' else 'p'}>"
        for b in page.blocks
    )


def _words(item: Prepared, *, tag_names: list[str]) -> tuple[str, str]:
    page = item.page
    return search.document_words(
        title=page.title,
        kicker="",
        subtitle=page.subtitle,
        summary=item.summary,
        body_text=item.body_text,
        tag_names=tag_names,
        names=[name for _role, name, _prefix in _credits(page)],
    )


def _document(words: tuple[str, str]) -> bytes | None:
    """PostgreSQL: the index row's ``document`` in binary form, worked out here (in a
    worker process) instead of by the server's parser in the writer's serial path
    (migration 0016). None elsewhere, or when the server must work it out."""
    if connection.vendor != "postgresql":
        return None
    return search.tsvector_binary(*words)


def _credits(page: ParsedPage) -> list[tuple[str, str, str]]:
    return _unique_credits([(c.role, c.name, c.prefix) for c in page.credits])


# SQLite: how much less of the processor a worker asks for than the writer.
WORKER_NICENESS_SQLITE = 10


def _worker_start(names: list[str], index: bool, zips: list[str]) -> None:
    if connection.vendor == "sqlite":
        # SQLite's writer is the import's serial path (its FTS5 index, commits): the
        # workers, batches ahead of it, take what it leaves of two cores instead of a
        # third of each. 20,000 pages, bench/import_threads.py, two pairs: 29.0 and
        # 57.1 s against 38.0 and 71.2 s. Not on PostgreSQL, where the workers are
        # the slower side (the writer waits for them): 64.9 against 50.0 s.
        os.nice(WORKER_NICENESS_SQLITE)
    if index:
        search.load_segmenter()
    for name in names:
        search.learn_name(name)
    # The zips opened by this process: one inherited shares its file's offset with
    # the process that opened it, and their reads would interleave.
    _zips.clear()
    for path in zips:
        # Their list of files read (~0.15 s at 20,000); one that cannot be read is
        # the writing process's to report (iter_sources), and no page of it comes.
        with contextlib.suppress(OSError, zipfile.BadZipFile):
            _zips[path] = zipfile.ZipFile(path)
    # What the worker holds from here on lives as long as it does (see
    # import_sources): kept out of the collector's full passes.
    gc.freeze()


def _prepare_chunk(task) -> list[Prepared]:
    sources, index, new_names, names_known, words = task
    for name in new_names:
        search.learn_name(name)
    return [
        prepare(s, index=index, names_known=names_known, words=words) for s in sources
    ]


# --- the outcome ------------------------------------------------------------------


CREATED, UPDATED, DRAFTED, UNCHANGED, REFUSED, FAILED = (
    "created",
    "updated",
    "drafted",
    "unchanged",
    "refused",
    "failed",
)
_WRITTEN_OR_SAME = frozenset((CREATED, UPDATED, DRAFTED, UNCHANGED))
# Article ids a run's bitmap of seen articles holds (8 MB at most); above, a set.
_SEEN_BITS = 1 << 26


@dataclass
class Outcome:
    """What became of one source."""

    name: str
    status: str
    message: str = ""
    line: int | None = None
    article: Article | None = None
    page: ParsedPage | None = None
    published: bool = False
    held: bool = False  # asked to publish, but editors' draft over it is pending
    withdrawn: bool = False  # asked to publish, but 终审 took it off the site

    @property
    def where(self) -> str:
        return where(self.name, self.line)


def where(name: str, line: int | None) -> str:
    """A file, and the line in it when one is known."""
    return (
        _("%(name)s：第 %(line)d 行") % {"name": name, "line": line} if line else name
    )


@dataclass
class Totals:
    read: int = 0
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(
            (CREATED, UPDATED, DRAFTED, UNCHANGED, REFUSED, FAILED), 0
        )
    )
    seconds: float = 0.0
    #: Stopped because another bulk import held the database past the wait: the
    #: batch then being written and everything after it were not written.
    busy: bool = False

    def add(self, outcome: Outcome) -> None:
        self.read += 1
        self.counts[outcome.status] += 1

    @property
    def failed(self) -> int:
        return self.counts[REFUSED] + self.counts[FAILED]


# --- permissions ---------------------------------------------------------------


def check_import_permission(by: User | None, *, publish: bool) -> None:
    """What ``article_import`` asks of its account, asked once for the whole run."""
    if by is None:
        return
    if not by.has_perm("news.change_article") or not by.has_perm("news.add_article"):
        raise PermissionDenied(
            _("%(user)s 没有新建和修改文章的权限，不能导入。")
            % {"user": by.get_username()}
        )
    if publish and not by.has_perm("news.publish_article"):
        raise PermissionDenied(
            _("%(user)s 没有“终审发布”权限，不能直接发布。")
            % {"user": by.get_username()}
        )


# --- writing rows ----------------------------------------------------------------


class RowInsert:
    """One model's INSERT, compiled once and run over a batch of rows.

    What ``bulk_create`` writes, without its per-value preparation through the
    model's fields (most of the writer's Python time in a profile of 20,000
    articles: ``Field.get_db_prep_save`` and ``SQLInsertCompiler`` for ~30 values a
    row) and without its cap of 999 values a statement on SQLite. ``columns`` are
    attribute names (``article_id``); each row gives Python values in that order,
    as the model's fields hold them: times and JSON are adapted here, the rest go
    to the driver as they are (so rows must be valid already: they are not
    cleaned). A field left out gets its default, ``auto_now``/``auto_now_add`` and
    ``default=timezone.now`` the time of the insert, the same for every row. No
    signals are sent, as with ``bulk_create``. On PostgreSQL the rows go through
    ``COPY`` (``_copy``). ``text``: columns whose values may be given as UTF-8
    ``bytes``, written as text (SQLite: bound as they are, ``CAST(? AS TEXT)``).
    ``one_statement``: on SQLite, the rows in one multi-row ``INSERT`` rather than
    one prepared statement stepped a row at a time (for a table whose triggers
    write an FTS5 index, which writes its pending terms out at each statement's
    savepoint: a row a statement made every article a segment of its own for the
    merges to rewrite; 20,000 index rows in batches of 250,
    bench/fts_statements.py: 9.9–10.4 s of CPU stepped, 4.6–5.1 s a batch a
    statement).
    """

    def __init__(
        self,
        model: type[models.Model],
        columns: Iterable[str] = (),
        *,
        text: Iterable[str] = (),
        one_statement: bool = False,
    ):
        columns = tuple(columns)
        self.one_statement = one_statement
        # SQLite: columns whose values may come as UTF-8 bytes, cast to text.
        self.text = frozenset(text)
        # The database makes the primary key unless it is one of ``columns``.
        fields = [
            f
            for f in model._meta.concrete_fields
            if not (
                f.primary_key
                and isinstance(f, models.AutoField)
                and f.attname not in columns
            )
        ]
        by_name = {f.attname: f for f in fields}
        self.columns = columns or tuple(by_name)
        self.given = [by_name[name] for name in self.columns]
        self.omitted = [f for f in fields if f.attname not in self.columns]
        for f in self.omitted:
            # A text field without a default gets "", as the ORM gives it.
            if not (f.has_default() or f.null or _auto_now(f)) and (
                not f.empty_strings_allowed
            ):
                raise ValueError(f"{model.__name__}.{f.attname} has no default")
        self.table = model._meta.db_table
        self.model = model

    def values_of(self, objects: Iterable[models.Model]) -> list[list]:
        """The rows of model instances (their attributes named by ``columns``)."""
        names = self.columns
        return [[getattr(o, name) for name in names] for o in objects]

    def insert(
        self, rows: Iterable[Iterable], *, returning: tuple[str, ...] = ()
    ) -> list[tuple]:
        """Insert ``rows``; return the ``returning`` columns of each (any order)."""
        rows = [list(row) for row in rows]
        if not rows:
            return []
        ops = connection.ops
        now = timezone.now()
        adapters = [(i, self._adapter(f, now)) for i, f in enumerate(self.given)]
        adapters = [(i, adapt) for i, adapt in adapters if adapt is not None]
        fixed, per_row = [], []
        for f in self.omitted:
            if _auto_now(f) or f.default is timezone.now:
                # The statement's moment for every row, not the clock read and
                # adapted a row (a revision's and an event's created_at: 0.3 s of
                # the writer's CPU at 20,000 articles).
                fixed.append(self._adapter(f, now)(now))
            elif f.has_default() and callable(f.default):
                per_row.append(f)
                fixed.append(None)
            else:
                fixed.append(f.get_db_prep_save(f.get_default(), connection))
        for row in rows:
            for i, adapt in adapters:
                row[i] = adapt(row[i])
            if per_row:
                extra = list(fixed)
                for f in per_row:
                    at = self.omitted.index(f)
                    extra[at] = f.get_db_prep_save(f.get_default(), connection)
                row += extra
            else:
                row += fixed
        names = [f.column for f in (*self.given, *self.omitted)]
        head = "INSERT INTO {} ({}) VALUES ".format(
            ops.quote_name(self.table), ", ".join(map(ops.quote_name, names))
        )
        casts = {f.column for f in self.given if f.attname in self.text}
        if connection.vendor != "sqlite":
            casts = set()
        one = "({})".format(
            ", ".join("CAST(%s AS TEXT)" if n in casts else "%s" for n in names)
        )
        with connection.cursor() as cursor:
            if (
                connection.vendor == "sqlite"
                and not self.one_statement
                and self._copies(returning)
            ):
                # One prepared statement stepped through the rows.
                cursor.executemany(head + one, rows)
                return self._returned(cursor, rows, returning)
            if connection.vendor == "postgresql" and self._copies(returning):
                return self._copy(cursor, rows, names, returning)
            # A multi-row VALUES a round trip (psycopg's executemany sends a
            # statement a row), with RETURNING when asked.
            tail = ""
            if returning:
                by_name = {f.attname: f for f in self.model._meta.concrete_fields}
                tail = " RETURNING " + ", ".join(
                    ops.quote_name(by_name[name].column) for name in returning
                )
            out: list[tuple] = []
            step = max(1, _max_query_params() // len(names))
            if connection.vendor == "postgresql":
                # The statement's text holds the values (client-side binding): 250
                # articles made one of ~4 MB, several copies of it alive at once.
                step = min(step, PG_ROWS_A_STATEMENT)
            for start in range(0, len(rows), step):
                chunk = rows[start : start + step]
                cursor.execute(
                    head + ", ".join([one] * len(chunk)) + tail,
                    [value for row in chunk for value in row],
                )
                if returning:
                    out += [tuple(r) for r in cursor.fetchall()]
            return out

    def _copies(self, returning: tuple[str, ...]) -> bool:
        """Whether ``_copy`` (PostgreSQL) or ``_returned`` (SQLite) can give back
        ``returning``: given columns, or the primary key when the database makes
        it."""
        pk = self.model._meta.pk
        names = {f.attname for f in self.given}
        if isinstance(pk, models.AutoField) and pk.attname not in names:
            names.add(pk.attname)
        return set(returning) <= names

    def _copy(self, cursor, rows, names, returning) -> list[tuple]:
        """PostgreSQL: the rows through ``COPY … FROM STDIN``, which takes each value
        as data, not as SQL text to parse: the multi-row INSERTs quoted ~6 MB of
        values into each batch's statements (the writer's CPU) and the server parsed
        them back. The ids asked for are taken from the table's sequence first, in
        the rows' order, as the INSERT … RETURNING gave them."""
        given = [f.attname for f in (*self.given, *self.omitted)]
        pk = self.model._meta.pk
        if pk.attname in returning and pk.attname not in given:
            ids = _take_ids(self.model, len(rows))
            rows = [[i, *row] for i, row in zip(ids, rows, strict=True)]
            given, names = [pk.attname, *given], [pk.column, *names]
        _copy_rows(cursor, self.table, names, rows)
        at = [given.index(name) for name in returning]
        return [tuple(row[i] for i in at) for row in rows]

    def _returned(self, cursor, rows, returning) -> list[tuple]:
        """SQLite: the ``returning`` columns of ``rows``, just inserted one by one
        (``executemany``), as ``INSERT … RETURNING`` would give them. The ids the
        database made are the last one's (``last_insert_rowid()``) and those before
        it: in one write transaction each row takes the table's largest id (or
        AUTOINCREMENT's last) plus one, so the rows have consecutive ids in their
        order. A multi-row ``INSERT … VALUES … RETURNING`` of 250 articles cost
        31.4 ms against 5.8 ms stepped (a database of 20,000 articles; 12.7
        against 6.4 ms at 2,000), ~2 s of the writer's 20,000 articles."""
        if not returning:
            return []
        given = [f.attname for f in (*self.given, *self.omitted)]
        pk = self.model._meta.pk
        if pk.attname in returning and pk.attname not in given:
            cursor.execute("SELECT last_insert_rowid()")
            (last,) = cursor.fetchone()
            first = last - len(rows) + 1
            rows = [[first + i, *row] for i, row in enumerate(rows)]
            given = [pk.attname, *given]
        at = [given.index(name) for name in returning]
        return [tuple(row[i] for i in at) for row in rows]

    @staticmethod
    def _adapter(f: models.Field, now) -> Callable | None:
        ops = connection.ops
        if isinstance(f, models.DateTimeField):
            if _auto_now(f):
                stamp = ops.adapt_datetimefield_value(now)
                return lambda _value: stamp
            return ops.adapt_datetimefield_value
        if isinstance(f, models.DateField):
            return ops.adapt_datefield_value
        if isinstance(f, models.JSONField):
            encoder = f.encoder
            # The same JSON value as the ORM writes, in UTF-8 rather than \u escapes
            # (half the bytes of a Chinese snapshot).
            return lambda value: json.dumps(value, cls=encoder, ensure_ascii=False)
        if isinstance(f, models.DecimalField):
            return lambda value: ops.adapt_decimalfield_value(
                value, f.max_digits, f.decimal_places
            )
        return None


# SQLite: the search index rows (article_id, title words, body words), whose
# triggers write the FTS5 index, a statement a batch. The words come as UTF-8 from
# the workers (Prepared.words), as text when cut again here: both written as text.
_INDEX_ROWS = RowInsert(
    ArticleSearch,
    ("article_id", "title", "body"),
    text=("title", "body"),
    one_statement=True,
)


def insert_index_rows(rows: list[tuple[int, str, str, bytes | None]]) -> None:
    """A batch's search index rows (id, title words, body words, document), as the
    import and ``search.rebuild_index`` write them: on PostgreSQL with their
    ``document`` (``_insert_documents``), on SQLite without (the FTS5 triggers)."""
    if connection.vendor == "postgresql":
        _insert_documents(rows)
    else:
        _INDEX_ROWS.insert(row[:3] for row in rows)


def _take_ids(model: type[models.Model], n: int) -> list[int]:
    """``n`` ids for ``model``'s table, in the order its rows written without an id
    would have taken them: PostgreSQL's from the table's sequence; SQLite's, in the
    caller's write transaction (no one else inserts), those after the table's
    largest id or AUTOINCREMENT's last, whichever is larger, as SQLite gives them
    (and then AUTOINCREMENT's last is the largest written, as then)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            quote = connection.ops.quote_name
            cursor.execute(
                "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s),"
                f" 0), coalesce((SELECT max({quote(model._meta.pk.column)})"
                f" FROM {quote(model._meta.db_table)}), 0))",
                [model._meta.db_table],
            )
            (last,) = cursor.fetchone()
            return list(range(last + 1, last + n + 1))
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s))"
            " FROM generate_series(1, %s) ORDER BY 1",
            [model._meta.db_table, model._meta.pk.column, n],
        )
        return [i for (i,) in cursor.fetchall()]


def _auto_now(f: models.Field) -> bool:
    return getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)


def _max_query_params() -> int:
    """Values a statement may hold: SQLite's compiled-in limit (32,766 since 3.32,
    where Django assumes 999), PostgreSQL's 65,535."""
    if connection.vendor == "sqlite":
        import sqlite3

        connection.ensure_connection()
        return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return 65535


@dataclass(frozen=True)
class _Fields:
    """New instances of ``model`` given the values of some of its fields, built
    as ``Model.from_db`` builds one: a value for every field, in their order, the
    others' defaults worked out once (14 µs an article against 32 µs by keywords,
    which look each field up by name)."""

    model: type[models.Model]
    defaults: tuple
    given: tuple[int, ...]

    @classmethod
    def of(cls, model: type[models.Model], *given: str) -> _Fields:
        fields = model._meta.concrete_fields
        if any(f.has_default() and callable(f.default) for f in fields):
            raise ValueError(f"{model.__name__} has a default to call for each row")
        names = [f.attname for f in fields]
        return cls(
            model,
            tuple(f.get_default() for f in fields),
            tuple(map(names.index, given)),
        )

    def new(self, *values) -> models.Model:
        row = list(self.defaults)
        for at, value in zip(self.given, values, strict=True):
            row[at] = value
        return self.model(*row)


# What a worker validates of a page, and what the writer writes of it.
_PAGE_FIELDS = ("title", "subtitle", "source", "source_url", "published_at", "body")
_PAGE_ARTICLE = _Fields.of(Article, *_PAGE_FIELDS)
_NEW_ARTICLE = _Fields.of(
    Article,
    *_PAGE_FIELDS,
    "body_text",
    "slug",
    "summary",
    "status",
    "import_key",
    "version",
)


class _Tables:
    """The INSERTs of the writer, compiled once a run."""

    def __init__(self):
        self.article = RowInsert(Article)
        self.byline = RowInsert(
            Byline, ("article_id", "person_id", "role", "prefix", "order")
        )
        self.article_tag = RowInsert(Article.tags.through, ("article_id", "tag_id"))
        self.revision = RowInsert(
            Revision,
            (
                "article_id",
                "version",
                "snapshot",
                "summary",
                "is_live",
                "created_by_id",
            ),
        )
        self.event = RowInsert(
            ArticleEvent,
            ("article_id", "action", "from_status", "to_status", "comment", "by_id"),
        )
        # PostgreSQL: the revisions with the ids taken for them first (_create).
        self.revision_with_id = RowInsert(Revision, ("id", *self.revision.columns))


# --- the writer ----------------------------------------------------------------------


class BatchWriter:
    """Writes prepared pages, one batch per transaction, through the rules above."""

    def __init__(self, *, channel: Channel, publish: bool, by: User | None):
        self.channel = channel
        self.publish = publish
        self.by = by
        self.channels: dict[str, Channel | None] = {}
        self.people: dict[str, int] = {}  # name → id of the first of its namesakes
        self.new_names: list[str] = []  # people created by this run, in order
        self.tags: dict[str, int] = {}
        self._tables: _Tables | None = None
        # PostgreSQL: the articles the planner's statistics counted (None: not read
        # yet) and those created since (_keep_statistics).
        self._counted: float | None = None
        self._written = 0
        self._lz4: bool | None = None  # PostgreSQL: whether the server has lz4
        # The articles this run has written or found unchanged, one bit an id: a
        # later file of the same article (the same title and time) is then not
        # taken for a new version of it (``_write``). 1 MB for 8 million ids; ids
        # beyond _SEEN_BITS (a sequence set high by hand) in a set.
        self._seen = bytearray()
        self._seen_far: set[int] = set()

    @property
    def tables(self) -> _Tables:
        if self._tables is None:
            self._tables = _Tables()
        return self._tables

    # -- one batch --

    def write(self, items: list[Prepared]) -> list[Outcome]:
        """Write ``items``; return one outcome each, in their order.

        One bulk import writes at a time (``yantai.locks``): a second one waits
        here for the first one's batch to commit, then finds its articles, or
        raises ``BulkWriteBusy`` after the wait, having written nothing."""
        with bulk_write("news.import_article"):
            outcomes = self._write(items)
        self._keep_statistics(outcomes)
        return outcomes

    def _keep_statistics(self, outcomes: list[Outcome]) -> None:
        """PostgreSQL: analyse the article table's ordering columns each time the
        import has doubled it, so that the planner does not plan the batches'
        queries on the counts of a table a fraction of its size.

        Autovacuum analyses a table a minute or more after it has grown; until then
        the planner took a channel of thousands of articles for one of a few rows
        and read the channel's whole range for each new article's neighbours
        (``_touch_neighbours``: 0.25 s a batch at 500 articles, 29 of the 99 s of
        the first 20,000 articles into an empty database). ``ANALYZE`` of these
        columns: 7 times for 20,000 articles, a few ms each (docs/benchmarks.md).
        """
        if connection.vendor != "postgresql" or connection.in_atomic_block:
            return
        self._written += sum(o.status == CREATED for o in outcomes)
        with connection.cursor() as cursor:
            if self._counted is None:
                cursor.execute(
                    "SELECT reltuples FROM pg_class WHERE oid = %s::regclass",
                    [Article._meta.db_table],
                )
                self._counted = max(cursor.fetchone()[0], 0)  # -1: never analysed
            if self._written > self._counted:
                table = connection.ops.quote_name(Article._meta.db_table)
                cursor.execute(
                    f"ANALYZE {table} (id, channel_id, status, published_at, expires_at)"
                )
                self._counted += self._written
                self._written = 0

    def _write(self, items: list[Prepared]) -> list[Outcome]:
        self._compress_fast()
        outcomes: dict[int, Outcome] = {}
        new: list[tuple[int, Prepared, Channel]] = []
        again: list[tuple[int, Prepared, Channel]] = []
        keys: set[str] = set()
        existing = dict(
            Article.objects.filter(
                import_key__in=[item.key for item in items if item.page]
            ).values_list("import_key", "pk")
        )
        for position, item in enumerate(items):
            if item.page is None:
                outcomes[position] = Outcome(item.name, FAILED, item.error, item.line)
                continue
            channel = self._channel(item.page.channel)
            if channel is None:
                outcomes[position] = Outcome(
                    item.name,
                    FAILED,
                    _("没有名为“%(name)s”的栏目") % {"name": item.page.channel},
                    item.line,
                )
            elif item.key in existing or item.key in keys:
                again.append((position, item, channel))
            else:
                keys.add(item.key)
                new.append((position, item, channel))
        if new:
            outcomes.update(self._create_all(new))
            for position, item, _channel in new:
                if (article := outcomes[position].article) is not None:
                    existing[item.key] = article.pk
                    self._see(article.pk)
        for position, item, channel in again:
            pk = existing.get(item.key)
            if pk is not None and self._seen_before(pk):
                outcomes[position] = self._again_in_run(item, channel, pk)
            else:
                outcomes[position] = self._reimport(item, channel)
                if pk is not None and outcomes[position].status in _WRITTEN_OR_SAME:
                    self._see(pk)
        return [outcomes[position] for position in range(len(items))]

    def _see(self, pk: int) -> None:
        if pk >= _SEEN_BITS:
            self._seen_far.add(pk)
            return
        if pk >> 3 >= len(self._seen):
            self._seen.extend(bytes((pk >> 3) + 1 - len(self._seen)))
        self._seen[pk >> 3] |= 1 << (pk & 7)

    def _seen_before(self, pk: int) -> bool:
        if pk >= _SEEN_BITS:
            return pk in self._seen_far
        return pk >> 3 < len(self._seen) and bool(self._seen[pk >> 3] & 1 << (pk & 7))

    def _again_in_run(self, item: Prepared, channel: Channel, pk: int) -> Outcome:
        """A second file of an article this run has already imported: unchanged if
        it says the same, else refused. Not the later file's version over the
        earlier one's: which of two differing copies is right is the editor's to
        say, and importing the same files again must change nothing."""
        if self._unchanged(item, channel):
            return Outcome(item.name, UNCHANGED, line=item.line, page=item.page)
        return Outcome(
            item.name,
            FAILED,
            _(
                "与本次导入中较早的一个文件是同一篇文章（标题和发布时间相同，文章 "
                "%(id)d），内容却不同，未导入：请核对这两个文件，只导入要保留的那个"
            )
            % {"id": pk},
            item.line,
        )

    def _compress_fast(self) -> None:
        """PostgreSQL: the batch's long values (bodies, index rows, revision
        snapshots) compressed with lz4 instead of the default pglz, for this
        transaction only: the same values, read back the same way. pglz cost the
        server 0.33 ms an index row (2,000 rows: 1.65 s against 0.99 s) and most of
        the article rows' INSERT (docs/benchmarks.md). Not where the server was
        built without lz4."""
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            if self._lz4 is None:
                cursor.execute(
                    "SELECT 'lz4' = ANY(enumvals) FROM pg_settings"
                    " WHERE name = 'default_toast_compression'"
                )
                row = cursor.fetchone()
                self._lz4 = bool(row and row[0])
            if self._lz4:
                cursor.execute("SET LOCAL default_toast_compression = lz4")

    def _channel(self, name: str) -> Channel | None:
        if not name:
            return self.channel
        if name not in self.channels:
            self.channels[name] = Channel.objects.filter(
                Q(name=name) | Q(slug=name)
            ).first()
        return self.channels[name]

    def _create_all(self, new) -> dict[int, Outcome]:
        """Create the new articles of a batch; if the database refuses the batch,
        write them one by one so that only the failing one is left out."""
        try:
            return self._create(new)
        except DatabaseError:
            if len(new) == 1:
                position, item, _channel = new[0]
                return {
                    position: Outcome(
                        item.name, FAILED, _("数据库拒绝写入这篇文章"), item.line
                    )
                }
        outcomes = {}
        for one in new:
            outcomes.update(self._create_all([one]))
        return outcomes

    def _create(self, new) -> dict[int, Outcome]:
        by = self.by if self.by is not None and self.by.is_authenticated else None
        words = list(SensitiveWord.objects.filter(is_active=True))
        wrongs = tuple(word.wrong for word in words)
        any_word = _words_pattern(wrongs)
        outcomes: dict[int, Outcome] = {}
        rows = []
        # The workers validated each page as the model does (``prepare``) and, for
        # a publication, looked for the words active now (the same list).
        for position, item, channel in new:
            article = self._article(item, channel)
            checked = item.clean and item.checked_words == wrongs
            if (
                self.publish
                and not checked
                and (findings := _wordcheck(article, words, any_word))
            ):
                from .workflow import findings_text

                outcomes[position] = Outcome(
                    item.name,
                    REFUSED,
                    _(
                        "错敏字检查发现 %(n)d 处问题，请修改后再发布，"
                        "或填写理由后强制发布：%(list)s"
                    )
                    % {"n": len(findings), "list": findings_text(findings)},
                    item.line,
                )
                continue
            rows.append((position, item, article))
        if not rows:
            return outcomes
        now = timezone.now().replace(microsecond=0)
        tables = self.tables
        articles = [a for _p, _i, a in rows]
        # 无障碍检查 findings never refuse a page, but a publication's event says
        # them (~0.2 ms a body; one query for the batch, only for library images
        # with an empty alt).
        barriers = (
            [publication_note(f) for f in check_bodies([a.body for a in articles])]
            if self.publish
            else [""] * len(articles)
        )
        with transaction.atomic():
            people = self._people(item for _p, item, _a in rows)
            tags = self._tags(item for _p, item, _a in rows)
            revision_ids = None
            if self.publish and connection.vendor in ("postgresql", "sqlite"):
                # The live revisions' ids taken first, in the rows' order (as their
                # COPY would take them), and written in the article rows: no UPDATE
                # of the batch's articles afterwards (PostgreSQL: 1.7-2.2 s of the
                # writer's 20,000 articles; SQLite 0.22-0.26 s, each article's
                # record built again). The foreign key is checked at commit.
                revision_ids = _take_ids(Revision, len(articles))
                for article, revision_id in zip(articles, revision_ids, strict=True):
                    article.live_revision_id = revision_id
            ids = dict(
                tables.article.insert(
                    tables.article.values_of(articles), returning=("import_key", "id")
                )
            )
            for article in articles:
                article.pk = ids[article.import_key]
                article._state.adding, article._state.db = False, connection.alias
            tables.byline.insert(
                [
                    (article.pk, people[name], role, prefix, order)
                    for (_p, item, article) in rows
                    for order, (role, name, prefix) in enumerate(_credits(item.page))
                ]
            )
            tables.article_tag.insert(
                [
                    (article.pk, tags[name])
                    for (_p, item, article) in rows
                    for name in item.page.tags
                ]
            )
            tag_order = _tag_order({name for _p, i, _a in rows for name in i.page.tags})
            with stored_language():
                summary = str(_("导入并发布") if self.publish else _("导入"))
            revisions = [
                (
                    article.pk,
                    article.version,
                    self._snapshot(article, item, people, tags),
                    summary,
                    self.publish,
                    by.pk if by else None,
                )
                for (_p, item, article) in rows
            ]
            if revision_ids is not None:
                tables.revision_with_id.insert(
                    (revision_id, *revision)
                    for revision_id, revision in zip(
                        revision_ids, revisions, strict=True
                    )
                )
            else:
                tables.revision.insert(revisions)
            if self.publish and revision_ids is None:
                # One UPDATE for the batch (bulk_update's CASE costs more here).
                Article.objects.filter(pk__in=[a.pk for a in articles]).update(
                    live_revision=Subquery(
                        Revision.objects.filter(
                            article=OuterRef("pk"), is_live=True
                        ).values("pk")[:1]
                    )
                )
            if self.publish:
                tables.event.insert(
                    [
                        (
                            article.pk,
                            "schedule" if article.published_at > now else "publish",
                            Article.Status.DRAFT,
                            Article.Status.PUBLISHED,
                            f"{summary}\n{note}" if note else summary,
                            by.pk if by else None,
                        )
                        for article, note in zip(articles, barriers, strict=True)
                    ]
                )
                self._index(rows, tag_order)
                self._touch_neighbours(articles)
            with stored_language():
                audit_record(
                    user=self.by,
                    action=AuditLog.Action.IMPORT,
                    object_type=Article._meta.verbose_name,
                    # One article: the entry is that article's, as the admin lists.
                    object_id=str(articles[0].pk) if len(articles) == 1 else "",
                    object_repr=articles[0].title
                    if len(articles) == 1
                    else _("%(n)d 篇文章") % {"n": len(articles)},
                    summary=_("%(what)s %(n)d 篇：%(files)s")
                    % {
                        "what": summary,
                        "n": len(articles),
                        "files": "；".join(
                            f"{where(item.name, item.line)}"
                            f"（{article.pk}{'，' + note if note else ''}）"
                            for (_p, item, article), note in zip(
                                rows, barriers, strict=True
                            )
                        ),
                    },
                )
        for position, item, article in rows:
            outcomes[position] = Outcome(
                item.name,
                CREATED,
                line=item.line,
                article=article,
                page=item.page,
                published=self.publish,
            )
        return outcomes

    def _article(self, item: Prepared, channel: Channel) -> Article:
        page = item.page
        article = _NEW_ARTICLE.new(
            page.title,
            page.subtitle,
            page.source,
            page.source_url,
            page.published_at,
            item.body,
            item.body_text,
            item.slug,
            item.summary,
            Article.Status.PUBLISHED if self.publish else Article.Status.DRAFT,
            item.key,
            1,
        )
        article.channel = channel
        if self.publish and self.by:
            article.responsible_editor = self.by
        return article

    def _snapshot(self, article, item, people, tags) -> dict:
        """What ``revisions.article_snapshot`` reads back from the written rows."""
        data: dict = {}
        for name in SNAPSHOT_FIELDS:
            if name in ("channel", "cover", "responsible_editor"):
                data[name] = getattr(article, f"{name}_id")
            elif name in ("published_at", "expires_at"):
                data[name] = time_text(getattr(article, name))
            else:
                data[name] = getattr(article, name)
        data["channel_name"] = article.channel.name
        data["status"] = article.status
        data["tags"] = sorted(item.page.tags)
        data["tag_ids"] = {name: tags[name] for name in data["tags"]}
        data["bylines"] = [
            {
                "person": people[name],
                "name": name,
                "role": role,
                "prefix": prefix,
                "order": order,
            }
            for order, (role, name, prefix) in enumerate(_credits(item.page))
        ]
        data["related_articles"] = []
        return data

    def _people(self, items: Iterable[Prepared]) -> dict[str, int]:
        """Ids of the batch's people, creating those not yet in the database.

        Created with ``save()`` like ``services.person_get_or_create``: at commit the
        names are taught to the segmenter and the articles mentioning them
        re-indexed, all of the batch's at once (``mentions_indexed_together``).
        """
        names = {name for item in items for _r, name, _x in _credits(item.page)}
        missing = names - self.people.keys()
        found: dict[str, int] = {}
        for pk, name in (
            Person.objects.filter(name__in=missing)
            .order_by("-id")
            .values_list("pk", "name")
        ):
            found[name] = pk  # the last one written is the lowest id: the first
        created = []
        with mentions_indexed_together():
            for name in sorted(missing - found.keys()):
                found[name] = Person.objects.create(name=name).pk
                created.append(name)

        def remember():
            self.people.update(found)
            self.new_names += created

        transaction.on_commit(remember)
        return {**self.people, **found}

    def _tags(self, items: Iterable[Prepared]) -> dict[str, int]:
        names = {name for item in items for name in item.page.tags}
        missing = names - self.tags.keys()
        found = dict(Tag.objects.filter(name__in=missing).values_list("name", "pk"))
        for name in sorted(missing - found.keys()):
            found[name] = Tag.objects.create(name=name).pk
        transaction.on_commit(lambda: self.tags.update(found))
        return {**self.tags, **found}

    def _index(self, rows, tag_order) -> None:
        """One write of the batch's index rows (cut by the workers).

        A worker cut its pages knowing the people of the database when the run
        started, of its page and of earlier batches (``names_known``); a page that
        mentions someone added since is cut again here, as ``index_mentions`` would.
        """
        search_rows = []
        # The names a worker missed, as one pattern: the first batches' pages
        # missed the ~120 people the first batch added, looked for one by one in
        # 0.36 ms a page, together in 0.02 ms (an ad-hoc measure, 500 pages).
        patterns: dict[int, re.Pattern[str] | None] = {}
        for _p, item, article in rows:
            words, document = item.words, item.document
            missed = self.new_names[item.names_known :]
            if item.names_known not in patterns:
                patterns[item.names_known] = (
                    re.compile("|".join(map(re.escape, missed))) if missed else None
                )
            pattern = patterns[item.names_known]
            text = " ".join(
                (item.page.title, item.page.subtitle, item.summary, item.body_text)
            )
            # The database may order tag names otherwise than the worker did.
            tag_names = sorted(item.page.tags, key=tag_order.__getitem__)
            if (
                words is None
                or tag_names != sorted(item.page.tags)
                or (pattern is not None and pattern.search(text))
            ):
                for name in missed:
                    search.learn_name(name)
                words = _words(item, tag_names=tag_names)
                document = _document(words)
            search_rows.append((article.pk, words[0], words[1], document))
        insert_index_rows(search_rows)
        transaction.on_commit(search.index_changed, robust=True)

    def _touch_neighbours(self, articles: list[Article]) -> None:
        """Make stale the cached pages of the published articles that get a new
        neighbour (上一篇/下一篇) in their channel, in one UPDATE per batch: those
        already there whose place before or after is now a new article's in the
        channel's chain (by time, then id) — for each new article, the nearest
        older and newer one that was there.

        Found by two index seeks a new article (article_channel_pub_idx), not by
        walking the channel's whole chain: that walk grew with the channel, and at
        20,000 articles cost more than anything else the writer did in a batch.
        """
        new_ids = [a.pk for a in articles]
        pagecache.public_changed()
        there = Article.objects.filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()),
            status=Article.Status.PUBLISHED,
            channel_id=OuterRef("channel_id"),
        ).exclude(pk__in=new_ids)
        at, pk = OuterRef("published_at"), OuterRef("pk")
        # published_at ≤ / ≥ first, so that the seek is a range of the index; the
        # tie on the time is broken by the id, as the chain orders.
        older = (
            there.filter(published_at__lte=at)
            .exclude(published_at=at, pk__gte=pk)
            .order_by("-published_at", "-pk")
            .values("pk")[:1]
        )
        newer = (
            there.filter(published_at__gte=at)
            .exclude(published_at=at, pk__lte=pk)
            .order_by("published_at", "pk")
            .values("pk")[:1]
        )
        beside = (
            Article.objects.filter(pk__in=new_ids)
            .annotate(older=Subquery(older), newer=Subquery(newer))
            .order_by()
            .values_list("older", "newer")
        )
        touch = {pk for pair in beside for pk in pair if pk is not None}
        if touch:
            pagecache.pages_touch(Article.objects.filter(pk__in=touch))

    # -- a page imported before --

    def _reimport(self, item: Prepared, channel: Channel) -> Outcome:
        """Through ``article_import`` itself, unless nothing would change."""
        if self._unchanged(item, channel):
            return Outcome(item.name, UNCHANGED, line=item.line, page=item.page)
        try:
            result = article_import(
                page=item.page, channel=channel, publish=self.publish, by=self.by
            )
        except PermissionDenied as error:
            return Outcome(item.name, REFUSED, str(error), item.line)
        except ValidationError as error:
            refused = "错敏字" in messages(error) or (
                getattr(error, "code", None) == "scheduled"
            )
            status = REFUSED if refused else FAILED
            return Outcome(item.name, status, messages(error), item.line)
        if result.created:
            status = CREATED
        elif not result.changed:
            status = UNCHANGED
        elif result.drafted:
            status = DRAFTED
        else:
            status = UPDATED
        return Outcome(
            item.name,
            status,
            line=item.line,
            article=result.article,
            page=item.page,
            published=result.published,
            held=result.held,
            withdrawn=result.withdrawn,
        )

    def _unchanged(self, item: Prepared, channel: Channel) -> bool:
        """Whether importing ``item`` again would leave its article as it is.

        Compared with the article's latest revision, which holds its content as long
        as nothing wrote the row without one (then the version numbers differ and the
        full path decides).
        """
        article = (
            Article.objects.filter(import_key=item.key)
            .only("pk", "version", "status", "draft_revision_id")
            .first()
        )
        if article is None:
            return False
        if self.publish and (
            article.status != Article.Status.PUBLISHED or article.draft_revision_id
        ):
            return False
        revision = (
            Revision.objects.filter(article_id=article.pk, version=article.version)
            .order_by("-id")
            .first()
        )
        if revision is None:
            return False
        stored = revision.snapshot
        page = item.page
        wanted = {
            "title": page.title,
            "subtitle": page.subtitle,
            "source": page.source,
            "source_url": page.source_url,
            "published_at": time_text(page.published_at),
            "body": item.body,
            "channel": channel.pk,
        }
        if any(stored.get(k) != v for k, v in wanted.items()):
            return False
        if page.tags and sorted(page.tags) != sorted(stored.get("tags", [])):
            return False
        printed = [
            (b.get("name"), b.get("role"), b.get("prefix") or "")
            for b in stored.get("bylines", [])
        ]
        return printed == [(n, r, x) for r, n, x in _credits(page)]


assert set(IMPORTED_FIELDS) <= {
    "title",
    "subtitle",
    "source",
    "source_url",
    "published_at",
    "body",
    "channel",
}, "news.bulk compares the fields article_import writes: keep them in step"


def _insert_documents(rows: list[tuple[int, str, str, bytes | None]]) -> None:
    """PostgreSQL: the index rows with their ``document`` given in binary form (the
    server reads it instead of parsing the words, 1.1 ms a row, or the tsvector's
    text, 0.3 ms), or NULL, which migration 0016's trigger fills the way it fills
    every other write's. A binary COPY: the document's bytes go as they are."""
    columns = ("article_id", "title", "body", "document")
    with connection.cursor() as cursor:
        _copy_rows(
            cursor,
            ArticleSearch._meta.db_table,
            columns,
            rows,
            binary=("int8", "text", "text", "bytea"),
        )


def _copy_rows(cursor, table: str, columns, rows, *, binary=()) -> None:
    """PostgreSQL: ``rows`` into ``table``'s ``columns`` through ``COPY … FROM
    STDIN`` on Django's ``cursor``, the driver's errors raised as Django's. With
    ``binary`` (a type a column, as the driver sends it), in binary format: a
    ``bytea`` value is sent as it is, for the column's type to read."""
    quote = connection.ops.quote_name
    sql = f"COPY {quote(table)} ({', '.join(map(quote, columns))}) FROM STDIN"
    if binary:
        sql += " (FORMAT BINARY)"
    with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
        if binary:
            copy.set_types(list(binary))
        for row in rows:
            copy.write_row(row)


def _tag_order(names: set[str]) -> dict[str, int]:
    """Tag names in the database's order (``Tag.Meta.ordering``), as the index of an
    article saved one by one lists them."""
    ordered = Tag.objects.filter(name__in=names).order_by("name")
    return {name: i for i, name in enumerate(ordered.values_list("name", flat=True))}


@functools.lru_cache(maxsize=4)
def _words_pattern(wrongs: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern that finds whether any of the words ``wrongs`` occurs: most
    articles have none of them, and one search tells so (then the findings are
    listed the usual way). Only whether it matches counts, not where.

    Each word is matched from its rarest character (the segmenter dictionary's
    frequency), the characters before it checked behind (一愁莫展: 愁(?<=一愁)莫展):
    sre tries a match only where the character set of the alternatives' first
    characters matches, and the words' own first characters (一, 不, 中, 有, …) are
    a tenth of a page. 0.41 M -> 0.26 M instructions a page, 41 words (callgrind,
    200 pages of the shared dataset)."""
    if not wrongs:
        return None
    if not all(wrongs):
        return re.compile("|".join(map(re.escape, wrongs)))  # "" is everywhere

    def anchored(word: str) -> str:
        at = min(range(len(word)), key=lambda i: (search.frequency(word[i]), i))
        behind = f"(?<={re.escape(word[: at + 1])})" if at else ""
        return re.escape(word[at]) + behind + re.escape(word[at + 1 :])

    return re.compile("|".join(map(anchored, wrongs)))


def _checked_texts(article: Article) -> tuple[str, ...]:
    """The texts of an imported article that the pre-check looks at (its kicker is
    empty)."""
    return (article.title, article.subtitle, article.summary, article.body_text)


def _active_words() -> tuple[str, ...]:
    """The active 错敏字, as ``BatchWriter._create`` lists them."""
    return tuple(
        SensitiveWord.objects.filter(is_active=True).values_list("wrong", flat=True)
    )


def _wordcheck(article: Article, words: list[SensitiveWord], any_word):
    from .workflow import wordcheck_texts

    if any_word is None or not any(any_word.search(t) for t in _checked_texts(article)):
        return []
    return wordcheck_texts(
        {
            _("引题"): article.kicker,
            _("标题"): article.title,
            _("副题"): article.subtitle,
            _("摘要"): article.summary,
            _("正文"): article.body_text,
        },
        words,
    )


def messages(error: ValidationError) -> str:
    """A validation error's messages on one line, each after its field's name."""
    return join_sentences(named_messages(error))


# --- the run ----------------------------------------------------------------------


def import_sources(
    paths: Iterable[str],
    *,
    channel: Channel,
    publish: bool = False,
    by: User | None = None,
    jobs: int = 1,
    batch_size: int = BATCH_SIZE,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> Totals:
    """Import every article under ``paths``; report each outcome to ``on_outcome``.

    Parsing runs in ``jobs`` worker processes (none when 1) ``_Parser.ahead``
    batches ahead of the writes. Raises ``PermissionDenied`` before reading anything
    if ``by`` may not.
    """
    check_import_permission(by, publish=publish)
    started = time.perf_counter()
    totals = Totals()
    writer = BatchWriter(channel=channel, publish=publish, by=by)

    def report(outcome: Outcome) -> None:
        totals.add(outcome)
        if on_outcome is not None:
            on_outcome(outcome)

    search.learn_names()
    paths = list(paths)
    parser = _Parser(jobs=jobs, index=publish, writer=writer)
    checkpointer: Checkpointer | None = None
    batches = _Batches(iter_sources(paths), batch_size, report)
    # The objects alive now (Django, the models, the templates: most of the heap)
    # outlive the import: frozen, the collector's full passes skip them. At 20,000
    # pages the writer spent 2.5 s of CPU in the collector, 1.0 s frozen (one run
    # each, load 4); the forked workers inherit the frozen objects.
    gc.freeze()
    try:
        parser.start(paths)
        # Each batch is public at its commit; the shared fragments (最新文章, the
        # channel menu) are rendered once at the end, not after every batch.
        with pagecache.fragments_rendered_at_end():
            pending: collections.deque = collections.deque()
            while len(pending) < parser.ahead and (
                submitted := parser.submit(batches.take())
            ):
                pending.append(submitted)
            if len(pending) > 1:
                # A run of several batches renders the shared fragments at its end.
                # After the submissions above: any worker processes are forked by
                # now (all at the first, ProcessPoolExecutor's way with "fork"), so
                # none inherits the thread's imports half done.
                pagecache.prepare_fragment_rendering()
            while pending:
                items = pending.popleft()()
                # Parse the batches after this one while it is written.
                following = parser.submit(batches.take())
                if following is not None:
                    pending.append(following)
                if pending and checkpointer is None:
                    # More than one batch: the log copied by a thread of its own.
                    checkpointer = Checkpointer.start()
                if checkpointer is not None:
                    checkpointer.wait_if_long()
                try:
                    outcomes = writer.write(items)
                except BulkWriteBusy:
                    # Another bulk import kept the database past the wait: this
                    # batch and the rest are not written; the batches before are.
                    totals.busy = True
                    break
                if checkpointer is not None:
                    checkpointer.committed()
                for outcome in outcomes:
                    report(outcome)
    finally:
        parser.close()
        if checkpointer is not None:
            checkpointer.close()
        gc.unfreeze()
    totals.seconds = time.perf_counter() - started
    return totals


class Checkpointer:
    """SQLite: the write-ahead log copied into the database file after each batch's
    commit by a thread of this process, on a connection of its own, while the
    writer goes on with the next batch; not by the commit itself.

    A connection checkpoints in its commit once the log holds 1,000 pages
    (``wal_autocheckpoint``): a batch of 250 articles writes ~11 MB, so every
    batch's commit copied its pages into the database and waited for both files to
    reach the disk (``synchronous=NORMAL`` syncs at checkpoints). At 20,000 pages
    that was about half of the commits' 4.6 s of CPU and all of their 2.2 s waiting
    (docs/benchmarks.md). Here the writer's connection does not checkpoint
    (``wal_autocheckpoint = 0``) for the run; a PASSIVE checkpoint, which neither
    waits for nor blocks readers and writers, runs after each commit; the last one,
    when the import ends, copies the rest and truncates the log if no reader is in
    it. The same pages reach the database file; readers see each batch at its
    commit, as before.

    The log starts again from its beginning only when a writer begins while every
    page of it has been copied; with the copies a batch behind, that happened only
    when the writer had waited for the workers, and the log grew to near the size of
    the import (926 MB in a run of 20,000 articles): each page written to the disk
    twice, and ~900 MB of fresh file pages taken into memory. So once the log
    holds ``LOG_LIMIT`` bytes the writer waits, before its next batch, for the copy
    of the last one (``wait_if_long``); the log then starts again and stays under
    about ``LOG_LIMIT`` and two batches, its pages used again in memory
    (docs/benchmarks.md). A reader that began before the copy and is still reading
    (a long report, a backup) keeps the log from starting again: when a wait did not
    start it again, the next one comes only once the log has doubled, so such a
    reader costs the import a few waits, not one a batch.
    """

    # The log's size at which the writer lets the copying catch up (bytes).
    LOG_LIMIT = 64 * 1024 * 1024

    def __init__(self, raw: sqlite3.Connection, path: str, every: int):
        self._raw = raw  # the writer's connection, which checkpointed ``every`` pages
        self._every = every
        self._wake = threading.Event()
        # Batches committed, and batches copied by a checkpoint (or given up on).
        self._state = threading.Condition()
        self._committed = self._copied = 0
        self._pages = 0  # the log's pages at the last checkpoint
        self._restarted = 0  # the batches committed when the writer last waited
        self._log = f"{path}-wal"
        self._starts: int | None = None  # the log's restarts at the last checkpoint
        self._judging = False  # whether the log started again after a wait
        self._waited_at: int | None = None  # ``_starts`` at that wait
        page_size = raw.execute("PRAGMA page_size").fetchone()[0]
        self._limit = self._least = max(1, self.LOG_LIMIT // page_size)  # pages
        self._stopping = False
        self._final = "TRUNCATE"
        synchronous = raw.execute("PRAGMA synchronous").fetchone()[0]
        raw.execute("PRAGMA wal_autocheckpoint = 0")
        self._thread = threading.Thread(
            target=self._run,
            args=(path, synchronous),
            name="sqlite checkpointer",
            daemon=True,
        )
        self._thread.start()

    @classmethod
    def start(cls) -> Checkpointer | None:
        """A checkpointer for the default connection, if it is a SQLite file in WAL
        mode that checkpoints by itself; None otherwise."""
        if connection.vendor != "sqlite" or connection.is_in_memory_db():
            return None
        connection.ensure_connection()
        raw = connection.connection
        (mode,) = raw.execute("PRAGMA journal_mode").fetchone()
        (every,) = raw.execute("PRAGMA wal_autocheckpoint").fetchone()
        if mode.lower() != "wal" or every <= 0:
            return None
        return cls(raw, str(connection.settings_dict["NAME"]), every)

    def committed(self) -> None:
        """A batch is committed: its pages are there to copy."""
        with self._state:
            self._committed += 1
        self._wake.set()

    def wait_if_long(self) -> None:
        """Before a batch: if the log has grown to its limit (``LOG_LIMIT``, or
        twice its length at a wait that did not start it again), wait until what
        is committed is copied, so that the batch's writes start it again."""
        with self._state:
            if self._pages < self._limit:
                return
            self._state.wait_for(lambda: self._copied >= self._committed)
            # The log starts again at this batch (unless a reader keeps it): the
            # checkpoints of the batches before it no longer tell its length.
            self._judging, self._waited_at = True, self._starts
            self._pages, self._restarted = 0, self._committed

    def close(self) -> None:
        """Copy what is left, then let the writer's connection checkpoint again."""
        # Inside a caller's transaction (nothing committed yet) the truncation
        # would wait for the writer's own lock: the pages are copied only.
        self._final = "PASSIVE" if connection.in_atomic_block else "TRUNCATE"
        self._stopping = True
        self._wake.set()
        self._thread.join()
        # Closed meanwhile: a new connection starts with the settings' value.
        with contextlib.suppress(sqlite3.Error):
            self._raw.execute(f"PRAGMA wal_autocheckpoint = {int(self._every)}")

    def _log_starts(self) -> int | None:
        """How many times the log has started again: the checkpoint sequence number
        in its header (bytes 12–15, big-endian; sqlite.org/fileformat2.html), which
        the first write after each restart raises. None without a header."""
        try:
            with open(self._log, "rb") as log:
                header = log.read(16)
        except OSError:
            return None
        return int.from_bytes(header[12:16], "big") if len(header) == 16 else None

    def _run(self, path: str, synchronous: int) -> None:
        # Its own connection: a checkpoint copies pages without the GIL (sqlite3
        # releases it), beside the writer. A short busy timeout: the last
        # checkpoint's truncation waits that long for a reader still in the log,
        # then leaves the log as it is (its pages are copied all the same).
        db = sqlite3.connect(path, timeout=1.0, isolation_level=None)
        try:
            db.execute(f"PRAGMA synchronous = {int(synchronous)}")
            while True:
                self._wake.wait()
                self._wake.clear()
                stopping = self._stopping
                mode = self._final if stopping else "PASSIVE"
                with self._state:
                    committed = self._committed
                # Busy (another connection's checkpoint): the next one copies these.
                try:
                    (_busy, pages, _copied) = db.execute(
                        f"PRAGMA wal_checkpoint({mode})"
                    ).fetchone()
                except sqlite3.Error:
                    pages = 0  # nothing to wait for: a writer's checkpoint copies
                starts = self._log_starts()
                with self._state:
                    if committed > self._restarted:
                        if self._judging:
                            # The first checkpoint since a wait: did the log start
                            # again? If not, wait again once it has doubled.
                            again = None in (starts, self._waited_at) or (
                                starts != self._waited_at
                            )
                            self._limit = self._least if again else 2 * pages
                            self._judging = False
                        self._pages = pages
                    self._starts = starts
                    self._copied = committed
                    self._state.notify_all()
                if stopping:
                    return
        finally:
            with self._state:  # never a writer left waiting
                self._copied = sys.maxsize
                self._state.notify_all()
            db.close()


class _Batches:
    """The readable inputs in batches of ``size`` (an unreadable one reported as
    the batch that would hold it is taken); after a run's first batch, the last
    ``2 * size`` or fewer in batches of half of what is left, down to two chunks.

    Once the workers have parsed the last batch, the writer writes it alone with
    the other core idle: 0.23 s for 250 pages at the end of a 20,000-page import.
    Its last 500 pages now come as 250, 125, 63, 31 and 31. Two batches' inputs
    are read ahead to see the end coming.
    """

    def __init__(self, sources: Iterator[Source | Unreadable], size: int, report):
        self.sources = sources
        self.size = size
        self.report = report
        self.ahead: collections.deque[Source | Unreadable] = collections.deque()
        self.readable = 0  # of self.ahead
        self.done = False  # self.sources exhausted
        self.taken = 0  # batches taken

    def take(self) -> list[Source]:
        while not self.done and self.readable < 2 * self.size:
            source = next(self.sources, None)
            if source is None:
                self.done = True
            else:
                self.ahead.append(source)
                self.readable += not isinstance(source, Unreadable)
        size = self.size
        if self.done and self.taken and self.readable > 2 * CHUNK_SIZE:
            size = min(size, -(-self.readable // 2))
        batch: list[Source] = []
        while self.ahead and len(batch) < size:
            source = self.ahead.popleft()
            if isinstance(source, Unreadable):
                self.report(Outcome(source.name, FAILED, source.message))
            else:
                batch.append(source)
                self.readable -= 1
        self.taken += bool(batch)
        return batch


class _Parser:
    """Parses batches in this process or, for more than a chunk, in worker
    processes started on first need (a one-file import starts none)."""

    def __init__(self, *, jobs: int, index: bool, writer: BatchWriter):
        self.jobs = jobs
        self.index = index
        self.writer = writer
        self.pool = None
        # Batches parsed ahead of the one being written. One was not enough: a
        # batch the writer took longer over (a commit, its checkpoint, a slower
        # statement) left the workers idle once the next was parsed, ~5 % of two
        # cores through the import, more at its start. With two, 20,000 pages
        # alternated: 26.0-26.8 s against 26.6-27.2 s on SQLite, 39.3-39.4 s
        # against 39.9-41.7 s on PostgreSQL (docs/benchmarks.md). A worker's later
        # batch may miss names the writer added meanwhile: BatchWriter._index cuts
        # such a page again. In this process (no pool) parsing ahead gains nothing.
        self.ahead = 2 if jobs >= 2 else 1

    def submit(self, batch: list[Source]):
        """Start parsing ``batch``; return a function giving its items, or None."""
        if not batch:
            return None
        new_names = list(self.writer.new_names)
        known = len(new_names)
        # Publishing on SQLite: the workers look for the words active now; the
        # writer, the serial path there, trusts what they found if the words are
        # the same when it writes the batch. On PostgreSQL the workers are the
        # slower side (the writer waits for them): the writer looks itself.
        words = (
            _active_words()
            if self.writer.publish and connection.vendor == "sqlite"
            else None
        )
        if self.pool is None and (self.jobs < 2 or len(batch) <= CHUNK_SIZE):
            for name in new_names:
                search.learn_name(name)
            items = [
                prepare(s, index=self.index, names_known=known, words=words)
                for s in batch
            ]
            return lambda: _checked_against(items, words)
        if self.pool is None:
            self._start_pool(zips=[])
        futures = [
            self.pool.submit(
                _prepare_chunk,
                (batch[i : i + CHUNK_SIZE], self.index, new_names, known, words),
            )
            for i in range(0, len(batch), CHUNK_SIZE)
        ]
        return lambda: _checked_against(
            [item for future in futures for item in future.result()], words
        )

    def start(self, paths: list[str]) -> None:
        """Start the worker processes now if ``paths`` has a zip: they open it and
        load the segmenter while this process reads the zip's list of files,
        not after it, with the first batch waiting for them."""
        # Named as iter_sources names them (Source.path), the key of _zips.
        zips = [str(p) for p in map(Path, paths) if p.suffix.lower() == ".zip"]
        zips = [p for p in zips if os.path.isfile(p)]
        if self.jobs >= 2 and zips:
            self._start_pool(zips)
            # ProcessPoolExecutor forks its workers at the first submission.
            self.pool.submit(int)

    def _start_pool(self, zips: list[str]) -> None:
        # Forked: the workers read files and cut words, never touch the database
        # (the connection they inherit is left alone and unused). Not
        # multiprocessing.Pool: its worker-handler thread wakes whenever the result
        # pipe is readable and spun while each chunk's results (~1 MB) were read:
        # 0.33 of the writer's 5.1 s of CPU at 2,000 pages.
        names = list(Person.objects.values_list("name", flat=True))
        self.pool = ProcessPoolExecutor(
            self.jobs,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_worker_start,
            initargs=(names, self.index, zips),
        )

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()


def _checked_against(
    items: list[Prepared], words: tuple[str, ...] | None
) -> list[Prepared]:
    for item in items:
        item.checked_words = words
    return items


def outcome_verb(outcome: Outcome) -> str:
    """How the command prints an outcome: 已导入, 内容未变, …"""
    if outcome.held:
        return _("有编辑未审的修改稿，未发布，线上版本不变")
    if outcome.withdrawn:
        return _("文章已撤下，未重新发布")
    if outcome.status == CREATED:
        return _("已导入并发布") if outcome.published else _("已导入")
    if outcome.status == UNCHANGED:
        return _("内容未变")
    if outcome.status == DRAFTED:
        return _("已生成待审草稿，线上版本不变")
    if outcome.published:
        return _("已更新并发布")
    return _("已更新")
