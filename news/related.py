"""上一篇/下一篇 and 相关新闻 of an article page, in one SQL statement.

This is the one read of the project written as SQL rather than as a QuerySet, and
on purpose: the article page is the hottest page, and the same statement built
with the ORM (five subqueries, each used both as a filter and as an annotation)
cost about ten times more to compile than to run (≈15 ms against 1.5 ms on
SQLite at 20,000 articles). The SQL is plain enough for SQLite and PostgreSQL
alike; every part of it is a small index lookup:

- ``older``/``newer``: the channel index (``article_channel_pub_idx``);
- ``picks``: the editor's 相关新闻 (the ``related_articles`` link table);
- ``sharing``: the articles sharing the most tags, through the tag links (among
  the newest ``TAG_CANDIDATES`` of each tag);
- ``similar`` (only when the article has fewer than three tags): articles whose
  titles share Chinese words with its title, from the search index.

Visibility of the candidates is checked on the fetched rows (``is_published``):
filtering the outer rows by ``published()`` made SQLite scan the publication
index instead (0.7 s at 20,000 articles).

``newer`` also finds a *scheduled* next article: it is not shown, but its time —
like the 下线时间 of every article shown — is when the page changes without any
event, returned as ``until`` for the page cache (``news.pagecache.page_timeout``).
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from yantai.database import hot_cursor

from . import search
from .models import Article

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


def neighbours_and_related(article: Article, limit: int = 5) -> dict:
    """``{"previous": Article|None, "next": Article|None, "related": [Article],
    "until": datetime|None}``.

    相关新闻 ranks editor's picks first, then the articles sharing the most tags,
    then (when the article has few tags) articles sharing Chinese title words.
    ``until``: the first moment these lists change by the clock alone (an article
    shown expires, the next one in the channel becomes due).
    """
    # The connection, its converter and the model's row reader taken once: each
    # use of ``django.db.connection`` looks the connection up again.
    db = connections[DEFAULT_DB_ALIAS]
    adapt = db.ops.adapt_datetimefield_value
    as_datetime = _datetimes(db)
    from_db = Article.from_db
    moment = timezone.now()
    now = adapt(moment)
    at = adapt(article.published_at)
    latest = min(moment, article.published_at) if article.published_at else None
    visible = [article.channel_id, Article.Status.PUBLISHED, adapt(latest), now]
    approved = [article.channel_id, Article.Status.PUBLISHED, now]
    tag_ids = [tag.pk for tag in article.tags.all()]

    parts = [
        (
            f"""SELECT id, 1 AS kind, 0 AS n FROM (
                {PUBLISHED_IN_CHANNEL}
                AND (published_at < %s OR id < %s)
                ORDER BY published_at DESC, id DESC LIMIT 1) older""",
            [*visible, at, article.pk],
        ),
        (
            f"""SELECT id, 2 AS kind, 0 AS n FROM (
                {APPROVED_IN_CHANNEL}
                AND published_at >= %s AND (published_at > %s OR id > %s)
                ORDER BY published_at ASC, id ASC LIMIT 1) newer""",
            [*approved, at, at, article.pk],
        ),
        (
            """SELECT to_article_id AS id, 3 AS kind, 0 AS n
               FROM news_article_related_articles WHERE from_article_id = %s""",
            [article.pk],
        ),
    ]
    if tag_ids:
        # Counted among the newest TAG_CANDIDATES articles of each tag (an index
        # range each, ``news_article_tags_tag_article``): counting every article of
        # a tag grows with the archive (a tag on 10,000 articles: 10,000 rows to
        # group on every cold page).
        newest = " UNION ALL ".join(
            f"""SELECT article_id FROM (
                SELECT article_id FROM news_article_tags
                WHERE tag_id = %s AND article_id <> %s
                ORDER BY article_id DESC LIMIT %s) t{i}"""
            for i in range(len(tag_ids))
        )
        parts.append(
            (
                f"""SELECT id, 4 AS kind, n FROM (
                    SELECT article_id AS id, COUNT(*) AS n FROM ({newest}) tagged
                    GROUP BY article_id ORDER BY COUNT(*) DESC, article_id DESC
                    LIMIT %s) sharing""",
                [
                    *(p for tag in tag_ids for p in (tag, article.pk, TAG_CANDIDATES)),
                    limit * 4,
                ],
            )
        )
    similar = search.related_ids_query(article) if len(tag_ids) < 3 else None
    if similar:
        similar_sql, similar_params = similar
        parts.append(
            (
                f"SELECT id, 5 AS kind, 0 AS n FROM ({similar_sql}) by_terms",
                similar_params,
            )
        )
    union = " UNION ALL ".join(sql for sql, _ in parts)
    sql = f"""
        SELECT a.id, a.title, a.status, a.published_at, a.expires_at,
               c.kind AS kind, c.n AS n
        FROM ({union}) c JOIN news_article a ON a.id = c.id
    """
    params = [p for _, part_params in parts for p in part_params]
    with hot_cursor(db.alias) as cursor:  # prepared on PostgreSQL
        cursor.execute(sql, params)
        rows = cursor.fetchall()

    found: dict = {"previous": None, "next": None, "related": [], "until": None}
    # pk → [is_pick, shared tags, is_similar, published_at, pk, row]: ranked as
    # tuples; model instances are made only for what may be shown.
    candidates: dict[int, list] = {}
    changes: list = []
    for pk, title, status, published_at, expires_at, kind, n in rows:
        # A plain cursor and model instances made here, not ``raw()``: the raw
        # query's column mapping and converters cost more than the statement.
        if kind in (1, 2):
            published_at = as_datetime(published_at)
            row = from_db(
                db.alias,
                _COLUMNS,
                (pk, title, status, published_at, as_datetime(expires_at)),
            )
            if kind == 2 and published_at > moment:
                changes.append(published_at)  # scheduled: shown from then on
                continue
            found["previous" if kind == 1 else "next"] = row
            changes.append(row.expires_at)
            continue
        if pk == article.pk:
            continue
        seen = candidates.get(pk)
        if seen is None:
            # Ranked on the time as the database gives it (SQLite: naive UTC, in
            # the same order), converted only for the articles made below.
            seen = candidates[pk] = [
                False,
                0,
                False,
                published_at,
                pk,
                (pk, title, status, published_at, expires_at),
            ]
        seen[0] = seen[0] or kind == 3
        seen[1] = max(seen[1], n if kind == 4 else 0)
        seen[2] = seen[2] or kind == 5
    # Ranked first, then checked in that order until ``limit`` are public: the same
    # articles as checking every candidate and keeping the first ``limit``.
    for *_rank, (pk, title, status, published_at, expires_at) in sorted(
        candidates.values(), key=lambda c: c[:5], reverse=True
    ):
        row = from_db(
            db.alias,
            _COLUMNS,
            (pk, title, status, as_datetime(published_at), as_datetime(expires_at)),
        )
        if row.is_published:
            found["related"].append(row)
            if len(found["related"]) == limit:
                break
    changes += [a.expires_at for a in found["related"]]
    found["until"] = min((c for c in changes if c is not None), default=None)
    return found
