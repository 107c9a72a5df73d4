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

The candidates are merged (one row per article, its best rank of each part),
checked for visibility and ranked in the statement, which returns only the
``limit`` shown: their ``status``, ``published_at`` and ``expires_at`` lie past the
~20 KB of body text in SQLite's rows, and are read from ``article_related_idx``
(migration 0017) instead. ``CROSS JOIN`` keeps the candidates SQLite's outer loop:
with the visibility filter it could otherwise scan the publication index (0.7 s
at 20,000 articles). The LIMITs are written in the text, not bound: a bound LIMIT
left PostgreSQL's generic plan guessing and, for common title words, reading
15,000 index rows to keep 100 (13 ms instead of 1).

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
    # SQLite reads the candidates' columns from article_related_idx (migration
    # 0017), not from their rows, where they lie past the body; its planner takes
    # the index only with statistics on it, hence named.
    by_index = " INDEXED BY article_related_idx" if db.vendor == "sqlite" else ""

    parts = [
        (
            f"""SELECT id, 1 AS kind FROM (
                {PUBLISHED_IN_CHANNEL}
                AND (published_at < %s OR id < %s)
                ORDER BY published_at DESC, id DESC LIMIT 1) older""",
            [*visible, at, article.pk],
        ),
        (
            f"""SELECT id, 2 AS kind FROM (
                {APPROVED_IN_CHANNEL}
                AND published_at >= %s AND (published_at > %s OR id > %s)
                ORDER BY published_at ASC, id ASC LIMIT 1) newer""",
            [*approved, at, at, article.pk],
        ),
        (
            """SELECT to_article_id AS id, 1 AS pick, 0 AS n, 0 AS words
               FROM news_article_related_articles WHERE from_article_id = %s""",
            [article.pk],
        ),
    ]
    if tag_ids:
        # Counted among the newest TAG_CANDIDATES articles of each tag (an index
        # range each, ``news_article_tags_tag_article``): counting every article of
        # a tag grows with the archive (a tag on 10,000 articles: 10,000 rows to
        # group on every cold page).
        def newest_of_each_tag(count: int) -> str:
            # Parameters: (tag, article.pk) for each tag.
            return " UNION ALL ".join(
                f"""SELECT article_id FROM (
                    SELECT article_id FROM news_article_tags
                    WHERE tag_id = %s AND article_id <> %s
                    ORDER BY article_id DESC LIMIT {count:d}) t{i}"""
                for i in range(len(tag_ids))
            )

        newest = newest_of_each_tag(TAG_CANDIDATES)
        # Only the ``kept`` first of the ranking (more tags shared, then the higher
        # id) are kept, and an article sharing one tag can be among them only if it
        # is among the ``kept`` highest ids found, all in the first ``kept`` of their
        # tag. On SQLite the others, most of the ~300 found, are left out before the
        # ranking: each one ranked is an insert into a temporary B-tree (a third of
        # this part's cost). PostgreSQL ranks them all in a top-N heap for less than
        # it would take to find the bound.
        kept = limit * 4
        sharing_params = [p for tag in tag_ids for p in (tag, article.pk)]
        having = ""
        if db.vendor == "sqlite":
            heads = newest_of_each_tag(kept)
            having = f"""HAVING COUNT(*) > 1 OR article_id >= COALESCE((
                SELECT DISTINCT article_id FROM ({heads}) heads
                ORDER BY article_id DESC LIMIT 1 OFFSET {kept - 1:d}), 0)"""
            sharing_params *= 2
        parts.append(
            (
                f"""SELECT id, 0 AS pick, n, 0 AS words FROM (
                    SELECT article_id AS id, COUNT(*) AS n FROM ({newest}) tagged
                    GROUP BY article_id {having}
                    ORDER BY COUNT(*) DESC, article_id DESC
                    LIMIT {kept:d}) sharing""",
                sharing_params,
            )
        )
    similar = search.related_ids_query(article) if len(tag_ids) < 3 else None
    if similar:
        similar_sql, similar_params = similar
        parts.append(
            (
                f"SELECT id, 0 AS pick, 0 AS n, 1 AS words FROM ({similar_sql}) by_terms",
                similar_params,
            )
        )
    # The neighbours, then the ``limit`` public candidates in their rank: editor's
    # picks first, then more shared tags, then a shared title word, then the newer.
    # A candidate found by several parts is one row (its best of each); the hidden
    # ones make room for the next, as ``is_published`` on each row did.
    neighbours = " UNION ALL ".join(sql for sql, _ in parts[:2])
    candidates = " UNION ALL ".join(sql for sql, _ in parts[2:])
    sql = f"""
        SELECT a.id, a.title, a.status, a.published_at, a.expires_at, c.kind, 0, 0, 0
        FROM ({neighbours}) c JOIN news_article a{by_index} ON a.id = c.id
        UNION ALL
        SELECT * FROM (
            SELECT a.id, a.title, a.status, a.published_at, a.expires_at, 3,
                   r.pick, r.n, r.words
            FROM (
                SELECT id, MAX(pick) AS pick, MAX(n) AS n, MAX(words) AS words
                FROM ({candidates}) c WHERE id <> %s GROUP BY id
            ) r CROSS JOIN news_article a{by_index}
            WHERE a.id = r.id AND a.status = %s AND a.published_at <= %s
              AND (a.expires_at IS NULL OR a.expires_at > %s)
            ORDER BY r.pick DESC, r.n DESC, r.words DESC, a.published_at DESC,
                     a.id DESC
            LIMIT {limit:d}) related
    """
    params = [p for _, part_params in parts for p in part_params]
    params += [article.pk, Article.Status.PUBLISHED, now, now]
    with hot_cursor(db.alias) as cursor:  # prepared on PostgreSQL
        cursor.execute(sql, params)
        rows = cursor.fetchall()

    found: dict = {"previous": None, "next": None, "related": [], "until": None}
    changes: list = []
    ranked = []
    for pk, title, status, published_at, expires_at, kind, *rank in rows:
        # A plain cursor and model instances made here, not ``raw()``: the raw
        # query's column mapping and converters cost more than the statement.
        row = from_db(
            db.alias,
            _COLUMNS,
            (pk, title, status, as_datetime(published_at), as_datetime(expires_at)),
        )
        if kind == 3:
            ranked.append((*rank, row.published_at, pk, row))
            continue
        if kind == 2 and row.published_at > moment:
            changes.append(row.published_at)  # scheduled: shown from then on
            continue
        found["previous" if kind == 1 else "next"] = row
        changes.append(row.expires_at)
    # In the statement's order already (a UNION ALL promises none).
    ranked.sort(reverse=True)
    found["related"] = related = [row for *_rank, row in ranked]
    changes += [a.expires_at for a in related]
    found["until"] = min((c for c in changes if c is not None), default=None)
    return found
