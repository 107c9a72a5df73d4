"""上一篇/下一篇 and 相关新闻 of an article page, in one SQL statement.

This is the one read of the project written as SQL rather than as a QuerySet, and
on purpose: the article page is the hottest page, and the same statement built
with the ORM (five subqueries, each used both as a filter and as an annotation)
cost about ten times more to compile than to run (≈15 ms against 1.5 ms on
SQLite at 20,000 articles). The SQL is plain enough for SQLite and PostgreSQL
alike; every part of it is a small index lookup:

- ``older``/``newer``: the channel index (``article_channel_pub_idx``);
- ``picks``: the editor's 相关新闻 (the ``related_articles`` link table);
- ``similar`` (only when the article has fewer than three tags): articles whose
  titles share Chinese words with its title, ranked from the words' heads this
  process keeps (below), or in the statement from the search index while it lacks
  one (and then the heads it lacks are read in the same statement);
- the *heads* of the article's tags this process has not kept (below): each tag's
  newest ``TAG_CANDIDATES`` public articles, an index range down the tag links.

The picks and title-word matches are merged (one row per article) and checked for
visibility in the statement; the ranking with the heads' counts is done in Python
(``_ranked``). The candidates' ``status``, ``published_at`` and ``expires_at`` lie
past the ~20 KB of body text in SQLite's rows, and are read from
``article_related_idx`` (migration 0017) instead. ``CROSS JOIN`` keeps the
candidates SQLite's outer loop: with the visibility filter it could otherwise scan
the publication index (0.7 s at 20,000 articles). The LIMITs are written in the
text, not bound: a bound LIMIT left PostgreSQL's generic plan guessing and, for
common title words, reading 15,000 index rows to keep 100 (13 ms instead of 1).

``newer`` also finds a *scheduled* next article: it is not shown, but its time —
like the 下线时间 of every article shown — is when the page changes without any
event, returned as ``until`` for the page cache (``news.pagecache.page_timeout``).
"""

from __future__ import annotations

import heapq
from datetime import UTC, datetime
from operator import itemgetter

from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from yantai.database import hot_cursor

from . import search
from .models import Article, article_columns_index
from .prepared import instance_maker

# ``published_at <= %s`` is one bound, the earlier of now and the article's time: with
# the two written out, SQLite's index range took the first (now) and stepped through
# every newer article of the channel to reach the article's time.
PUBLISHED_IN_CHANNEL = """
    SELECT id FROM news_article
    WHERE channel_id = %s AND status = %s AND published_at <= %s
      AND (expires_at IS NULL OR expires_at > %s)
"""
# Scheduled ones too: the next article to appear, now or at its time.
APPROVED_IN_CHANNEL = """
    SELECT id FROM news_article
    WHERE channel_id = %s AND status = %s AND published_at IS NOT NULL
      AND (expires_at IS NULL OR expires_at > %s)
"""


# 相关新闻 by shared tags: among the newest this many articles of each tag.
TAG_CANDIDATES = 100

# The columns the page reads of a neighbour or related article, in the model's
# field order (``Model.from_db`` takes them so); the others stay deferred.
_COLUMNS = ("id", "title", "status", "published_at", "expires_at")


def _datetimes(db):
    """A function giving a datetime column's value as the ORM returns it (SQLite
    hands back naive UTC) on connection ``db``."""
    convert = getattr(db.ops, "convert_datetimefield_value", None)
    if convert is None:
        return lambda value: value
    return lambda value: value if value is None else convert(value, None, db)


# 相关新闻 by tags counts, for each of the article's tags, the articles in the tag's
# *head*: its newest TAG_CANDIDATES public articles. A head is the same for every
# article with the tag and changes only when what readers see does (the public
# token: a publication, withdrawal, rename) or by the clock (an article becoming
# due or expiring, site-wide: ``until``), so each process keeps the heads it has
# read (``_Kept``) and a cold page reads only the heads of tags it lacks, in the
# same statement. Ranking the ~350 candidates in Python costs ~0.05 ms; counting
# them in SQL on every page cost ~0.45 ms of the page's ~3 ms (bench/cold_page.py).
_UNKNOWN = object()
# At most this many heads kept: ~25 KB each (100 rows; 200 heads 5.0 MB on SQLite,
# 5.4 MB on PostgreSQL, tracemalloc), so ≤ ~11 MB of a worker's memory. Past it, all
# are dropped and read again as pages ask for them.
MAX_KEPT_HEADS = 400
_EPOCH = datetime(1900, 1, 1, tzinfo=UTC)
# A rank key's low bits hold the article's id (``_rank_key``).
_ID_BITS = 40
_ID_MASK = (1 << _ID_BITS) - 1


class _Head:
    """A tag's newest public articles: their keys (one int a row, ordered as
    ``(published_at, id)`` are: the rank's last criterion), the newest first, and
    the rows' values by key."""

    __slots__ = ("keys", "rows")

    def __init__(self, values: list[tuple], rows: dict[int, tuple]):
        self.rows = {}
        for row in values:
            row = rows.setdefault(row[0], row)  # one tuple an article, in every head
            self.rows[_rank_key(row)] = row
        self.keys = sorted(self.rows, reverse=True)  # the newest first


class _Kept:
    """The heads this process has read under ``token``, right until ``until``
    (epoch seconds; None: no change by the clock; _UNKNOWN: not read yet)."""

    __slots__ = ("token", "until", "tags", "rows")

    def __init__(self, token: str):
        self.token = token
        self.until = _UNKNOWN
        self.tags: dict[int, _Head] = {}
        self.rows: dict[int, tuple] = {}  # article id → row values


_kept: _Kept | None = None


def _kept_heads(token: str | None, moment: datetime) -> _Kept | None:
    """The heads kept under ``token`` (new ones if it changed or their time
    passed); None without a token."""
    global _kept
    if token is None:
        return None
    kept = _kept
    if (
        kept is None
        or kept.token != token
        or (
            kept.until is not _UNKNOWN
            and kept.until is not None
            and moment.timestamp() >= kept.until
        )
        or len(kept.tags) >= MAX_KEPT_HEADS
    ):
        kept = _kept = _Kept(token)
    return kept


# 相关新闻 by title words (an article with fewer than three tags) ranks the newest
# index rows sharing a word with its title (``search.related_ids_query``): an FTS
# query over every word's postings, ~0.5 ms of such a page on SQLite, where the
# rest of the statement takes ~0.03 ms. Each word's *head* (its newest index rows,
# ``search.word_head_query``) is the same for every article with the word and
# changes only with the index (``search.index_token``, replaced after each change is
# committed), so each process keeps the heads it has read and ranks from them
# (``related_ids_from_heads``); the statement then only checks the ten chosen
# for visibility, as it checks the picks. A page lacking a head ranks in the
# statement as before and reads the heads it lacks in the same statement.
MAX_KEPT_WORDS = 500  # ~4 KB a head and ~0.1 KB a title: ≤ ~5 MB of a worker


class _Words:
    """The words' heads this process has read under the index's ``token``: each
    word's ids, the newest first, and their index titles by id (a space on either
    side)."""

    __slots__ = ("token", "heads", "titles")

    def __init__(self, token: str):
        self.token = token
        self.heads: dict[str, tuple[int, ...]] = {}
        self.titles: dict[int, str] = {}


_kept_words: _Words | None = None


def _kept_word_heads() -> _Words | None:
    """The word heads kept under the index's current token (new ones if it changed);
    None when the shared cache that holds the token cannot be read."""
    global _kept_words
    try:
        token = search.index_token()
    except Exception:  # the shared cache out of reach: every head read each time
        return None
    if token is None:
        return None
    kept = _kept_words
    if kept is None or kept.token != token or len(kept.heads) >= MAX_KEPT_WORDS:
        kept = _kept_words = _Words(token)
    return kept


def related_ids_from_heads(
    article_id: int,
    words: list[str],
    heads: dict[str, tuple[int, ...]],
    titles: dict[int, str],
    limit: int = 10,
) -> list[int]:
    """``search.related_ids_query``'s ids, from each word's head (its ids newest
    first) and the index titles by id, each kept with a space on either side
    (``" 国家 标准 "``): the ``search.RELATED_CANDIDATES`` newest ids of the heads but
    ``article_id`` — each of them is among the newest of a word it holds — scored
    by the length of the words their titles hold (the statement's ``instr``), then
    the higher id."""
    newest = sorted(set().union(*(heads[w] for w in words)), reverse=True)
    if article_id in newest:
        newest.remove(article_id)
    candidates = newest[: search.RELATED_CANDIDATES]
    # A rank key an id: the score above the id's bits (``_rank_key``'s layout).
    keys = dict(zip(candidates, candidates, strict=True))
    for word in words:
        spaced, bonus = f" {word} ", len(word) << _ID_BITS
        for pk in [pk for pk in candidates if spaced in titles[pk]]:
            keys[pk] += bonus
    ranked = sorted(keys.values(), reverse=True)[:limit]
    return [key & _ID_MASK for key in ranked]


def forget_heads() -> None:
    """Drop the heads this process keeps (tests that change rows without a
    publication's new token)."""
    global _kept, _kept_words
    _kept = _kept_words = None


def _rank_key(row: tuple) -> int:
    """An int ordered as the row's ``(published_at, id)`` (a public article has a
    ``published_at``; ids below 2**_ID_BITS; times after 1900)."""
    since = row[3] - _EPOCH
    micro = (since.days * 86400 + since.seconds) * 1_000_000 + since.microseconds
    return (micro << _ID_BITS) + row[0]


def _ranked(
    own: int, heads: list[_Head], chosen: dict[int, tuple], limit: int
) -> list[tuple]:
    """The ``limit`` first of 相关新闻 as row values: editor's picks first, then
    more tags shared (how many of the heads hold it), then a shared title word,
    then the newer (``published_at``, then id). ``chosen``: the picks and
    title-word matches that are public, id → (pick, words, values).

    Without a count of every candidate (~350, most in one head): those in two or
    more heads are the heads' pairwise intersections (a few), and of those in one,
    only the ``limit`` newest can be shown, found by walking the heads' keys from
    the newest (set operations and a merge in C; counting and sorting every
    candidate cost ~0.1 ms a page).
    """

    def shared_by(key: int) -> int:
        return sum(key in head.rows for head in heads)

    multi = set()
    for i, head in enumerate(heads):
        for other in heads[i + 1 :]:
            multi |= head.rows.keys() & other.rows.keys()
    ranked = {}
    for key in multi:
        pk = key & _ID_MASK
        if pk != own and pk not in chosen:
            ranked[pk] = (0, shared_by(key), 0, key, _row(heads, key))
    ones = 0
    for key in heapq.merge(*(head.keys for head in heads), reverse=True):
        if ones == limit:
            break
        pk = key & _ID_MASK
        if key in multi or pk == own or pk in chosen:
            continue
        ranked[pk] = (0, 1, 0, key, _row(heads, key))
        ones += 1
    for pk, (pick, words, values) in chosen.items():
        key = _rank_key(values)
        ranked[pk] = (pick, shared_by(key), words, key, values)
    order = sorted(ranked.values(), key=itemgetter(0, 1, 2, 3), reverse=True)
    return [values for *_rank, values in order[:limit]]


def _row(heads: list[_Head], key: int) -> tuple:
    """The row values of ``key`` from the first head that holds it."""
    return next(head.rows[key] for head in heads if key in head.rows)


def neighbours_and_related(
    article: Article, limit: int = 5, *, token: str | None = None
) -> dict:
    """``{"previous": Article|None, "next": Article|None, "related": [Article],
    "until": datetime|None}``.

    相关新闻 ranks editor's picks first, then the articles sharing the most tags
    (counted among each tag's newest ``TAG_CANDIDATES`` public articles, its
    *head*), then (when the article has few tags) articles sharing Chinese title
    words; then the newer. ``until``: the first moment these lists change by the
    clock alone (an article shown expires, the next one in the channel becomes due).

    ``token``: the shared cache's public token, read by the caller before this (the
    article page reads it once for this and its fragments): the heads this process
    has read under it are reused, and those it lacks are read and kept. Without one
    every head is read in the statement.
    """
    # The connection, its converter and the model's row reader taken once: each
    # use of ``django.db.connection`` looks the connection up again.
    db = connections[DEFAULT_DB_ALIAS]
    adapt = db.ops.adapt_datetimefield_value
    as_datetime = _datetimes(db)
    # Article.from_db's instances, without Model.__init__ (news.prepared).
    from_db = instance_maker(Article, _COLUMNS)
    moment = timezone.now()
    now = adapt(moment)
    at = adapt(article.published_at)
    latest = min(moment, article.published_at) if article.published_at else None
    visible = [article.channel_id, Article.Status.PUBLISHED, adapt(latest), now]
    approved = [article.channel_id, Article.Status.PUBLISHED, now]
    tag_ids = [tag.pk for tag in article.tags.all()]
    kept = _kept_heads(token, moment)
    missing = [tag for tag in tag_ids if kept is None or tag not in kept.tags]
    # SQLite reads the candidates' columns from article_related_idx, not from
    # their rows, where they lie past the body.
    by_index = article_columns_index(db.vendor)
    public = """a.status = %s AND a.published_at <= %s
        AND (a.expires_at IS NULL OR a.expires_at > %s)"""
    public_params = [Article.Status.PUBLISHED, now, now]

    parts = [
        (
            f"""SELECT a.id, a.title, a.status, a.published_at, a.expires_at,
                1, 0, 0 FROM ({PUBLISHED_IN_CHANNEL}
                AND (published_at < %s OR id < %s)
                ORDER BY published_at DESC, id DESC LIMIT 1) c
               JOIN news_article a{by_index} ON a.id = c.id""",
            [*visible, at, article.pk],
        ),
        (
            f"""SELECT a.id, a.title, a.status, a.published_at, a.expires_at,
                2, 0, 0 FROM ({APPROVED_IN_CHANNEL}
                AND published_at >= %s AND (published_at > %s OR id > %s)
                ORDER BY published_at ASC, id ASC LIMIT 1) c
               JOIN news_article a{by_index} ON a.id = c.id""",
            [*approved, at, at, article.pk],
        ),
    ]
    # The editor's picks and the title-word matches, public ones only (a hidden
    # one makes room for the next); ranked below, with the heads' counts.
    candidates = [
        (
            """SELECT to_article_id AS id, 1 AS pick, 0 AS words
               FROM news_article_related_articles WHERE from_article_id = %s""",
            [article.pk],
        )
    ]
    words = search.related_words(article) if len(tag_ids) < 3 else []
    # Kept only under a public token: without one the shared cache is out of reach.
    kept_words = _kept_word_heads() if words and token is not None else None
    missing_words = [
        w for w in words if kept_words is None or w not in kept_words.heads
    ]
    if words and not missing_words:
        chosen_ids = related_ids_from_heads(
            article.pk, words, kept_words.heads, kept_words.titles
        )
        if chosen_ids:
            candidates.append(
                (
                    " UNION ALL ".join(
                        ["SELECT CAST(%s AS BIGINT) AS id, 0 AS pick, 1 AS words"]
                        * len(chosen_ids)
                    ),
                    chosen_ids,
                )
            )
    elif words:
        similar_sql, similar_params = search.related_ids_query(article, words=words)
        candidates.append(
            (
                f"SELECT id, 0 AS pick, 1 AS words FROM ({similar_sql}) by_terms",
                similar_params,
            )
        )
    parts.append(
        (
            f"""SELECT a.id, a.title, a.status, a.published_at, a.expires_at,
                3, r.pick, r.words FROM (
                SELECT id, MAX(pick) AS pick, MAX(words) AS words FROM (
                    {" UNION ALL ".join(sql for sql, _ in candidates)}) c
                WHERE id <> %s GROUP BY id
               ) r CROSS JOIN news_article a{by_index}
               WHERE a.id = r.id AND {public}""",
            [p for _, params in candidates for p in params]
            + [article.pk, *public_params],
        )
    )
    # The heads this process lacks: each tag's newest public articles, an index
    # range down ``news_article_tags (tag_id, article_id)`` (migration 0013) and a
    # lookup of each article's columns, until TAG_CANDIDATES are found. The tag's
    # id is written in the text (as in the column it returns).
    for tag in missing:
        parts.append(
            (
                f"""SELECT * FROM (
                    SELECT a.id, a.title, a.status, a.published_at, a.expires_at,
                        4, {tag:d}, 0
                    FROM news_article_tags t CROSS JOIN news_article a{by_index}
                    WHERE t.tag_id = {tag:d} AND a.id = t.article_id AND {public}
                    ORDER BY t.article_id DESC LIMIT {TAG_CANDIDATES:d}) h{tag:d}""",
                public_params,
            )
        )
    # The word heads this process lacks (kind 6; the word's place in ``pick``).
    if kept_words is not None:
        for position, word in enumerate(missing_words):
            head_sql, head_params = search.word_head_query(word)
            parts.append(
                (
                    f"""SELECT w.*, NULL, NULL, NULL, 6, {position:d}, 0
                    FROM ({head_sql}) w""",
                    head_params,
                )
            )
    if kept is not None and kept.until is _UNKNOWN:
        # When the heads stop being right with no write to announce it (a scheduled
        # article becomes due, a public one expires): ``next_change_at``'s two
        # walks, read with the rest (compiled here, once per token and process).
        columns, changes_params = Article.objects.next_change_columns(moment)
        parts.append(
            (f"SELECT NULL, NULL, NULL, {', '.join(columns)}, 5, 0, 0", changes_params)
        )
    sql = " UNION ALL ".join(part for part, _ in parts)
    params = [p for _, part_params in parts for p in part_params]
    with hot_cursor(db.alias) as cursor:  # prepared on PostgreSQL
        cursor.execute(sql, params)
        rows = cursor.fetchall()

    found: dict = {"previous": None, "next": None, "related": [], "until": None}
    changes: list = []
    chosen: dict[int, tuple] = {}  # id → (pick, words, row values)
    heads = kept.tags if kept is not None else {}
    read: dict[int, list] = {tag: [] for tag in missing}
    read_words: list[list] = [[] for _ in missing_words]
    for pk, title, status, published_at, expires_at, kind, pick, by_words in rows:
        if kind == 6:
            read_words[pick].append((pk, title))
            continue
        values = (pk, title, status, as_datetime(published_at), as_datetime(expires_at))
        if kind == 4:
            read[pick].append(values)
        elif kind == 3:
            chosen[pk] = (pick, by_words, values)
        elif kind == 5:
            moments = [m for m in values[3:] if m is not None]
            kept.until = min(moments).timestamp() if moments else None
        else:
            # A plain cursor and model instances made here, not ``raw()``: the raw
            # query's column mapping and converters cost more than the statement.
            row = from_db(db.alias, values)
            if kind == 2 and row.published_at > moment:
                changes.append(row.published_at)  # scheduled: shown from then on
                continue
            found["previous" if kind == 1 else "next"] = row
            changes.append(row.expires_at)
    if kept_words is not None:
        for word, head in zip(missing_words, read_words, strict=True):
            head.sort(reverse=True)
            kept_words.heads[word] = tuple(pk for pk, _title in head)
            titles = kept_words.titles
            for pk, title in head:
                if pk not in titles:
                    titles[pk] = f" {title} "  # as ``related_ids_from_heads`` reads it
    rows_of = kept.rows if kept is not None else {}
    for tag, values in read.items():
        heads[tag] = _Head(values, rows_of)
    related = _ranked(article.pk, [heads[tag] for tag in tag_ids], chosen, limit)
    found["related"] = related = [from_db(db.alias, v) for v in related]
    changes += [a.expires_at for a in related]
    found["until"] = min((c for c in changes if c is not None), default=None)
    return found
