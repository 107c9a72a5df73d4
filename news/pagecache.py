"""The rendered article page, cached per article version, and the parts every page
shares, cached on their own.

A hit costs the one primary-key query that fetches the article anyway (it tells
whether the article is still public and which version of its page is current), a
read of the page, and one ``get_many`` of the shared fragments; nothing is rendered.

What the key holds, so that no reader ever sees another reader's page or an old
version of the article:

- the article's id and ``updated_at`` (every write of the live row changes it; an
  editor's draft over the article writes no row, so cached pages outlive draft saves
  and review steps), and a digest of its confirmed figures (they change without a
  save of the article);
- ``page_stamp``: raised, with one UPDATE in the transaction of the change, when what
  the page shows around the article changes for readers: a neighbour in its channel
  (上一篇/下一篇) is published, republished or withdrawn (``article_neighbours_touch``,
  called by ``news.workflow``), or its channel, one of its tags, one of its people,
  its 责任编辑 (a user's name) or its cover image is renamed or edited
  (``news.signals``);
- the language (from the URL, ``/en/…``); 字号 and 关怀版 are applied in the browser
  (``static/js/reading-prefs.js``), so every reader of a language gets one page;
- the scheme and host (canonical and share URLs are absolute).

Nothing site-wide is in the key: a publication makes stale the article's page and
its neighbours' pages, not the others.

The side lists every page shows — 最新文章 and the channel menu — are *fragments*:
the cached page holds a marker (``<!--news:fragment:latest-->``) where each goes,
and ``fill()`` puts the fragment in at serve time from the ``shared`` cache (every
process and machine sees the same entries). Each fragment is stored with the
*public token* it was computed under. When a transaction that changed what readers
see commits (``public_changed()``), the token is replaced and the fragments of the
new state are stored under it, so the next reader of any cached page still renders
nothing. A reader that computed a fragment from the old state stores it under the
old token: it is never served as current. The home blocks, the list pages' channel
menu (``shared_current``) and the sitemaps (``cache_public``) follow the same token.

What may lag (docs/architecture.md, "The page cache"): 相关新闻 of other articles
and their view counts, by up to the page's lifetime (``ARTICLE_PAGE_CACHE_SECONDS``);
a newly due article joining 相关新闻, likewise. No event marks the moment an article
becomes due or reaches its 下线时间, so what lists articles is kept only until then:
a page whose 上一篇/下一篇 or 相关新闻 expires, or whose next article is scheduled
(``page_timeout``), 最新文章 until the next article due or one it shows expiring
(its entry's ``until``), and the other shared entries that list articles until
the next such moment anywhere (``next_change``). The article itself is checked on
every request.

Requests with a query string are not cached (``next`` links carry the full path),
nor are those of logged-in staff (they may be on their way to the admin); they get
the same fragments.
"""

from __future__ import annotations

import contextvars
import functools
import hashlib
import json
import math
import re
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from functools import wraps
from typing import NamedTuple

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import F, Q, Subquery
from django.db.models.functions import JSONObject
from django.http import HttpResponse
from django.template.loader import get_template, render_to_string
from django.urls import get_resolver
from django.utils import timezone, translation
from django.utils.translation import get_language

from news import frontcache
from news.extensions import figures_digest
from yantai.database import row_exists, send_row

from .models import (
    Article,
    ArticleFigures,
    Channel,
    SiteSettings,
    article_columns_index,
)

CACHE_ALIAS = "pages"
SHARED_ALIAS = "shared"
TOKEN_KEY = "news:public-token"
# How long a fragment is kept at most: a publication, withdrawal or rename replaces
# it at once, and 最新文章 ends when an article becomes due or one it shows expires.
FRAGMENT_SECONDS = 30
LATEST_COUNT = 5


def page_cache():
    return caches[CACHE_ALIAS]


def timeout() -> int:
    return int(getattr(settings, "ARTICLE_PAGE_CACHE_SECONDS", 120))


def page_key(request, article) -> str | None:
    """The cache key of this reader's rendering of ``article``; None: do not cache.

    Not of the query string: the article page is the same whatever it is (the view
    makes its links so, ``reading_tags.same_for_every_query``)."""
    if timeout() <= 0 or request.user.is_authenticated:
        return None
    figures = figures_digest(article)  # stored with its marks, read with the row
    return ":".join(
        (
            # page5: (html, until, shown_until, rendered_at), the html with the
            # site_meta marker (code that does not know it would print the marker
            # instead); page4's had none, page3's no rendered_at, page2's no
            # shown_until.
            "news:page5",
            str(article.pk),
            str(article.updated_at.timestamp()),
            str(article.page_stamp),
            figures,
            get_language() or "",
            request.scheme,
            request.get_host(),
        )
    )


def page_timeout(until: datetime | None) -> int:
    """Seconds to keep a page that is right until ``until`` (None: no such moment)."""
    return _lifetime(timeout(), until.timestamp() if until is not None else None)


def _lifetime(seconds: int, until: float | None) -> int:
    """``seconds``, or fewer if ``until`` (epoch seconds) comes first (at least 1)."""
    if until is None:
        return seconds
    return max(1, min(seconds, math.ceil(until - time.time())))


# --- what readers see changed ---------------------------------------------------


def public_token() -> str:
    """The token the shared fragments are checked against (made on first use)."""
    shared = caches[SHARED_ALIAS]
    token = shared.get(TOKEN_KEY)
    if token is None:
        shared.add(TOKEN_KEY, uuid.uuid4().hex[:12], None)
        token = shared.get(TOKEN_KEY)
    return token


def current_token() -> str | None:
    """The public token now (made if the shared cache has none; None if the cache
    is out of reach). Read before the database, so that what is read under it is
    never older than the state it stands for."""
    return caches[SHARED_ALIAS].get(TOKEN_KEY) or public_token()


# Set by ``fragments_rendered_at_end`` (to a list of the tokens made meanwhile): new
# tokens leave the fragments to readers.
_fragments_deferred: contextvars.ContextVar[list | None] = contextvars.ContextVar(
    "fragments_deferred", default=None
)


def new_public_token() -> None:
    """Make every shared fragment, home block and cached sitemap out of date now,
    and store the fragments of the new state under the new token, so that the next
    reader of a cached page renders nothing."""
    shared = caches[SHARED_ALIAS]
    token = uuid.uuid4().hex[:12]
    shared.set(TOKEN_KEY, token, None)
    deferred = _fragments_deferred.get()
    if deferred is not None:
        deferred.append(token)  # readers render them (fill()) until the run's end
        return
    fresh = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for name in FRAGMENTS:
                fresh[_fragment_key(name)] = _fragment_entry(token, name)
    until = min((e[-1] for e in fresh.values() if e[-1] is not None), default=None)
    shared.set_many(fresh, _lifetime(FRAGMENT_SECONDS, until))


def prepare_fragment_rendering() -> threading.Thread:
    """Load, in a thread of its own, what rendering the shared fragments first needs
    in this process: the URLconf (and with it the admin's modules), the template
    engine (which imports every app's template tag libraries) and the fragments'
    templates in each language. For a bulk import, started once its worker
    processes are forked: its last act, rendering the fragments
    (``fragments_rendered_at_end``), took 0.64 s of one core while the other had
    nothing left to do, 0.1 s with this done meanwhile (mostly while the writer's
    thread waits on SQLite or the workers, the GIL released). No database."""

    def load():
        get_resolver().url_patterns  # noqa: B018 - evaluated for its imports
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                for template in FRAGMENTS.values():
                    get_template(template)

    thread = threading.Thread(target=load, name="fragment templates", daemon=True)
    thread.start()
    return thread


@contextmanager
def fragments_rendered_at_end():
    """For a long run of changes (a bulk import commits a batch at a time): each
    commit still replaces the public token, so readers see every batch at once, but
    the shared fragments are rendered once at the end instead of after every batch
    (~0.1 s each: three fragments in two languages); meanwhile the first reader
    after a batch renders what it needs, as after an eviction."""
    tokens: list[str] = []
    reset = _fragments_deferred.set(tokens)
    try:
        yield
    finally:
        _fragments_deferred.reset(reset)
    if tokens:  # something changed: the fragments of the end state, rendered once
        new_public_token()
        if frontcache.enabled():  # and nginx's copies of the lists, refreshed once
            frontcache.refresh(frontcache.site_list_paths())


def public_changed() -> None:
    """What readers see changes when the current transaction commits.

    The token is replaced after the commit, not before: a reader who took the new
    token while the change was still uncommitted would store the old state under it.
    Once per transaction, however many changes it makes.
    """
    from .signals import once_on_commit  # signals imports this module

    once_on_commit("public-token", new_public_token)


def pages_touch(articles) -> int:
    """Make the cached pages of ``articles`` (a QuerySet) out of date: one UPDATE,
    in the caller's transaction; the shared fragments at commit."""
    public_changed()
    return articles.update(page_stamp=F("page_stamp") + 1)


def article_neighbours_touch(
    article: Article, *, was: tuple[int, datetime | None] | None = None
) -> int:
    """Make stale the pages of ``article`` and of the articles beside it in its
    channel (上一篇/下一篇, scheduled ones included), in one UPDATE.

    Call it after the change, in its transaction. ``was``: the ``(channel_id,
    published_at)`` the article had on the site before (a republication may move it
    to another channel or time); the articles beside that place are touched too.
    """
    public_changed()
    places = [(article.channel_id, article.published_at)]
    if was is not None and was != places[0]:
        places.append(was)
    chain = (
        Article.objects.filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()),
            status=Article.Status.PUBLISHED,
        )
        .exclude(pk=article.pk)
        .values("pk")
    )
    beside = Q(pk=article.pk)
    for channel_id, at in places:
        if at is None:
            continue
        here = chain.filter(channel_id=channel_id)
        older = here.filter(
            Q(published_at__lt=at) | Q(published_at=at, pk__lt=article.pk)
        ).order_by("-published_at", "-pk")[:1]
        newer = here.filter(
            Q(published_at__gt=at) | Q(published_at=at, pk__gt=article.pk)
        ).order_by("published_at", "pk")[:1]
        beside |= Q(pk__in=older) | Q(pk__in=newer)
    touched = Article.objects.filter(beside)
    if frontcache.enabled():  # nginx's copies of them and of the lists, at commit
        ids = list(touched.values_list("pk", flat=True))
        touched = Article.objects.filter(pk__in=ids)
        channels = [channel_id for channel_id, _at in places]
        frontcache.refresh_on_commit(
            frontcache.article_paths(ids) + frontcache.list_paths(article, channels),
            articles=[article.pk],  # the other apps' pages that show it
        )
    return touched.update(page_stamp=F("page_stamp") + 1)


# --- fragments --------------------------------------------------------------------

# name → the template that renders it (the page's markup and the fragment's are one).
FRAGMENTS = {
    "channels": "news/includes/channel_menu.html",
    "latest": "news/includes/latest.html",
    "footer": "news/includes/site_footer.html",
    # The 政府网站标识码 meta tag in the head (站点设置, as the footer).
    "site_meta": "news/includes/site_meta.html",
}
# The fragments made of the footer's 站点设置 (``site_chrome()``).
SITE_FRAGMENTS = frozenset({"footer", "site_meta"})


def marker(name: str) -> str:
    """Where fragment ``name`` goes in a cached page (no article text can hold it:
    titles are escaped, bodies sanitised)."""
    return f"<!--news:fragment:{name}-->"


_MARKERS = {name: marker(name).encode() for name in FRAGMENTS}
_MARKER_NAMES = {m: name for name, m in _MARKERS.items()}
_MARKER_RE = re.compile(b"|".join(re.escape(m) for m in _MARKERS.values()))


def split_page(html: bytes) -> tuple:
    """``html`` cut at its fragment markers: its text as ``bytes``, each marker as
    the fragment's name (``str``), in order. Filled by one join instead of a
    replace of the whole page per fragment."""
    parts: list = []
    start = 0
    for found in _MARKER_RE.finditer(html):
        parts += (html[start : found.start()], _MARKER_NAMES[found.group()])
        start = found.end()
    parts.append(html[start:])
    return tuple(parts)


def page_digest(data: bytes) -> bytes:
    """The MD5 of a page (or a fragment) that its ETag is made of (``etag()``)."""
    return hashlib.md5(data, usedforsecurity=False).digest()


class Filled(NamedTuple):
    """A page with its fragments put in, its ETag (``etag()``), and when the
    newest of the fragments put in was made (epoch seconds): what the page's
    ``Last-Modified`` cannot be older than (``last_modified``)."""

    body: bytes
    etag: str
    modified: float


def last_modified(rendered_at: float, filled: Filled) -> float:
    """The ``Last-Modified`` of an article page rendered at ``rendered_at`` and
    filled as ``filled``, epoch seconds: when it was rendered or its newest fragment
    made, whichever is later. Not the article's ``updated_at``: the page shows
    上一篇/下一篇, 相关新闻, 最新文章 and the names of others, which change without a
    write of its row, and a cache revalidating with ``If-Modified-Since`` alone must
    not be told 304 then. Every such change makes the page or a fragment anew
    (a new ``page_stamp`` or figures digest, the page's ``until``, a new public
    token, a fragment's own ``until``), so neither is older than the change."""
    return max(rendered_at, filled.modified)


def _fragment_variants(name: str) -> tuple[dict[int | None, str], float | None]:
    """The HTML of fragment ``name`` in the active language: ``{None: html}``, and
    for 最新文章 one variant for each listed article's own page (without it); and
    until when it is right by the clock (epoch seconds, None: until an event): for
    最新文章, the next article due or the first shown reaching its 下线时间."""
    template = FRAGMENTS[name]
    if name == "channels":
        return {None: render_to_string(template, {"channels": site_chrome()[0]})}, None
    if name in SITE_FRAGMENTS:
        return {None: render_to_string(template, {"site": site_chrome()[1]})}, None
    # The newest ids first, from the publication index, then their rows: with the
    # listing's join of the channels in the same statement, SQLite's planner (given
    # statistics) walked every channel's index and sorted all 20,000 rows (41 ms,
    # on every publication and every FRAGMENT_SECONDS); as the home page's lists.
    # Each row also brings the next article due (one walk of the publication index,
    # evaluated once) and its own 下线时间: the fragment's end, in the same query.
    now = timezone.now()
    published = Article.objects.published(now)
    newest = published.order_by("-published_at", "-id")[: LATEST_COUNT + 1]
    due = Article.objects.first_after("published_at", now)
    articles = list(
        published.for_listing()
        .filter(pk__in=newest.values("pk"))
        .annotate(ends=F("expires_at"), next_due=Subquery(due))
    )
    variants = {
        None: render_to_string(template, {"latest": articles[:LATEST_COUNT]}),
    }
    for article in articles:
        others = [a for a in articles if a.pk != article.pk][:LATEST_COUNT]
        variants[article.pk] = render_to_string(template, {"latest": others})
    moments = [at for a in articles for at in (a.ends, a.next_due) if at is not None]
    return variants, (min(moments).timestamp() if moments else None)


def _fragment_entry(token: str, name: str) -> tuple:
    """The shared entry of fragment ``name`` in the active language, made now under
    ``token``: (token, variants, made_at, until), the until last as ``_current``
    reads it."""
    made_at = time.time()
    variants, until = _fragment_variants(name)
    return (token, variants, made_at, until)


def _fragment_key(name: str, language: str | None = None) -> str:
    # fragment3: (token, variants, made_at, until); fragment2's had no made_at,
    # "news:fragment:" entries no until.
    return f"news:fragment3:{name}:{language or get_language() or ''}"


def etag(digest: bytes, fragment_digests) -> str:
    """The ETag of a page filled with fragments: a digest of ``digest`` (the page's
    ``page_digest``, of its text with the markers) and of each fragment variant put
    in, so that it changes whenever the bytes do, without hashing the ~25 KB filled
    page on every answer (the fast path's largest single cost after its two reads)."""
    return f'"{page_digest(digest + b"".join(fragment_digests)).hex()}"'


def fill(
    html: bytes,
    *,
    article_id: int | None = None,
    digest: bytes | None = None,
    token: str | None = None,
) -> Filled:
    """``html`` with each fragment marker replaced by the current fragment, and its
    ETag (``digest``: ``html``'s ``page_digest`` if the caller has it; ``token``:
    the public token if the caller has just read it, ``current_token()``).

    One ``get_many`` reads the public token and every fragment; a fragment that is
    missing (evicted, expired) or was computed under an older token (by a reader
    racing a publication) is computed again and stored.
    """
    return _fill(
        split_page(html),
        digest or page_digest(html),
        article_id,
        compute=True,
        token=token,
    )


def fill_current(
    parts: tuple,
    digest: bytes,
    *,
    article_id: int | None = None,
    language: str,
    token: str | None = None,
) -> Filled | None:
    """``fill()`` of a page already cut by ``split_page`` (``digest``: its MD5),
    from the shared cache alone, with the fragments of ``language`` (given, not the
    active one: the fast path runs outside Django's request cycle, where the active
    language is whatever the thread's last request left): None when a fragment is
    missing or out of date (the caller then takes the full path, which computes
    it). ``token``: the shared cache's public token if the caller has just read it
    (``TOKEN_KEY``), else it is read here."""
    return _fill(
        parts, digest, article_id, compute=False, language=language, token=token
    )


# Fragments this process read lately: fragment key → (token, variants as UTF-8, until
# when it may be reused (``time.monotonic()``), the variants' MD5s, when the entry was
# made (epoch seconds)). Reused while the
# token is the current one, for at most MEMO_SECONDS (the shared entry may be
# recomputed under the same token for reasons of its own) and not past the moment
# the fragment changes by the clock (its ``until``).
_memo: dict[
    str, tuple[str, dict[int | None, bytes], float, dict[int | None, bytes], float]
] = {}
MEMO_SECONDS = 5


def _fill(
    parts: tuple,
    digest: bytes,
    article_id: int | None,
    *,
    compute: bool,
    language: str | None = None,
    token: str | None = None,
) -> Filled | None:
    language = language or get_language() or ""
    keys = {name: _fragment_key(name, language) for name in FRAGMENTS}
    now = time.monotonic()
    # Looked up only when needed: the fast path passes the token, and its fragments
    # are usually in _memo (each lookup is an asgiref ``Local``'s).
    shared = None
    if not token:
        shared = caches[SHARED_ALIAS]
        token = shared.get(TOKEN_KEY)
    if token is None:
        if not compute:
            return None
        token = public_token()
    entries = {}
    for name, key in keys.items():
        memo = _memo.get(key)
        if memo is not None and memo[0] == token and now < memo[2]:
            entries[name] = memo
    if len(entries) < len(keys):
        if shared is None:
            shared = caches[SHARED_ALIAS]
        found = shared.get_many([keys[name] for name in keys if name not in entries])
        for name, key in keys.items():
            if name in entries:
                continue
            entry = found.get(key)
            if not _current(entry, token):
                if not compute:
                    return None
                entry = _fragment_entry(token, name)
                shared.set(key, entry, _lifetime(FRAGMENT_SECONDS, entry[-1]))
            variants = {pk: part.encode() for pk, part in entry[1].items()}
            digests = {pk: page_digest(part) for pk, part in variants.items()}
            reuse_until = now + MEMO_SECONDS
            if entry[-1] is not None:  # not past its change by the clock
                reuse_until = min(reuse_until, now + entry[-1] - time.time())
            entries[name] = (token, variants, reuse_until, digests, entry[2])
            if token is not None:  # None: the shared cache is out of reach, and a
                _memo[key] = entries[name]  # publication would go unseen here
    chosen = {}
    used = []
    modified = 0.0
    for name in keys:  # in FRAGMENTS' order, for the ETag
        _token, variants, _until, digests, made_at = entries[name]
        pk = article_id if article_id in variants else None
        chosen[name] = variants[pk]
        used.append(digests[pk])
        modified = max(modified, made_at)
    body = b"".join(part if type(part) is bytes else chosen[part] for part in parts)
    return Filled(body, etag(digest, used), modified)


# --- the serving fast path (yantai.fastpath) ----------------------------------------


class FastPage(NamedTuple):
    """What ``yantai.fastpath`` keeps of a served article page to serve it again
    without Django's request cycle: the page with its fragment markers, and the
    parameters of ``CURRENT_SQL`` that say it is still the page of the live row."""

    article_id: int
    check: tuple
    parts: tuple  # the page cut at its fragment markers (``split_page``)
    digest: bytes  # the MD5 of the page with its markers, for the ETag
    until: float  # epoch seconds: a neighbour becomes due or expires (page_timeout)
    language: str  # the page's language: its fragments are filled in it
    # Epoch seconds of the article's 下线时间, or sooner of its neighbours' next change
    # (``shown_until()``; None: none): its Cache-Control is worked out again on every
    # answer (yantai.httpcache.public_cache_control).
    shown_until: float | None = None
    # Epoch seconds: when the page was rendered (``last_modified``).
    rendered_at: float = 0.0


def fast_key(scheme: str, host: str, path: str) -> str:
    """The fast path's key of the page at ``scheme://host/path``."""
    raw = f"{scheme}\n{host}\n{path}".encode("utf-8", "surrogateescape")
    # fast6: parts may name the site_meta fragment (code that does not know it
    # fails on it, and answers through Django); fast5: with rendered_at (fast4's
    # Last-Modified was the row's updated_at);
    # fast4: shown_until includes the neighbours' next change (fast3's, kept with
    # the Cache-Control of their time, would be answered with it to their end).
    return "news:fast6:" + hashlib.blake2b(raw, digest_size=16).hexdigest()


def fast_page(
    article: Article,
    html: bytes,
    until: float,
    digest: bytes | None = None,
    *,
    shown_until: float | None,
    rendered_at: float,
) -> FastPage:
    """The ``FastPage`` of ``article``'s page ``html`` (``digest``: its MD5 if the
    caller has it; ``shown_until``: the page's ``shown_until()``), checked by the
    same row values as ``page_key`` (updated_at, page_stamp, the figures digest),
    adapted for this database as the ORM writes them, so that SQL compares them
    exactly."""
    ops = connection.ops
    return FastPage(
        article_id=article.pk,
        check=(
            article.pk,
            ops.adapt_datetimefield_value(article.updated_at),
            article.page_stamp,
            figures_digest(article),
            Article.Status.PUBLISHED.value,
        ),
        parts=split_page(html),
        digest=digest or page_digest(html),
        until=until,
        language=get_language() or "",
        shown_until=shown_until,
        rendered_at=rendered_at,
    )


def shown_until(article: Article, changes: datetime | None) -> float | None:
    """Until when ``article``'s page is right, in epoch seconds (None: until an event
    changes it): its 下线时间, or sooner ``changes``, the moment its 上一篇/下一篇 or
    相关新闻 change by the clock alone (``neighbours_and_related``'s ``until``). The
    public caches' lifetimes of the page end then (``yantai.httpcache``)."""
    moments = [at for at in (article.expires_at, changes) if at is not None]
    return min(moments).timestamp() if moments else None


def _live_row_sql(*, values: bool) -> str:
    """The article's live row if it is public now (its id, then ``status``, and
    ``now`` twice, as parameters): with ``values`` the row's page-cache values it
    returns (``_row_values_sql``), else ``SELECT 1`` with them as parameters after
    the id (``_current_sql``)."""
    article = Article._meta
    figures = ArticleFigures._meta
    q = connection.ops.quote_name
    a = {f: q(article.get_field(f).column) for f in ("id", "updated_at", "page_stamp")}
    a |= {f: q(article.get_field(f).column) for f in ("status", "published_at")}
    expires = q(article.get_field("expires_at").column)
    digest = f"COALESCE(f.{q(figures.get_field('digest').column)}, '')"
    if values:
        # The time as whole microseconds since 1970: an exact integer whatever the
        # session's time zone and date style (``row_matches`` compares it).
        select = (
            f"(EXTRACT(EPOCH FROM a.{a['updated_at']}) * 1000000)::bigint,"
            f" a.{a['page_stamp']}, {digest}"
        )
        compared = ""
    else:
        select = "1"
        compared = (
            f" AND a.{a['updated_at']} = %s AND a.{a['page_stamp']} = %s"
            f" AND {digest} = %s"
        )
    by_index = article_columns_index(connection.vendor)  # every column read here
    return (
        f"SELECT {select} FROM {q(article.db_table)} a{by_index}"
        f" LEFT OUTER JOIN {q(figures.db_table)} f"
        f" ON f.{q(figures.pk.column)} = a.{a['id']}"
        f" WHERE a.{a['id']} = %s{compared}"
        f" AND a.{a['status']} = %s AND a.{a['published_at']} <= %s"
        f" AND (a.{expires} IS NULL OR a.{expires} > %s)"
    )


@functools.cache
def _current_sql() -> str:
    # One primary-key lookup, the statement made once: the ORM would compile the
    # same query on every request (half the cost of a cached hit, bench/).
    return _live_row_sql(values=False)


def is_current(page: FastPage, db=None) -> bool:
    """The article is public now and its live row is the one ``page`` was made of
    (``Article.objects.published()`` and ``page_key``, in one statement), on the
    default connection ``db`` (looked up if not given)."""
    db = db or connections[DEFAULT_DB_ALIAS]
    now = db.ops.adapt_datetimefield_value(timezone.now())
    return row_exists(_current_sql(), (*page.check, now, now), db)


# An article page's path (``news:article-detail``, in any language): its id, for the
# fast path to send the live row's check before it has read the page's entry.
_ARTICLE_PATH = re.compile(r"/news/(\d+)/\Z")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def article_id_in(path: str) -> int | None:
    """The article id of an article page's ``path``, or None."""
    found = _ARTICLE_PATH.search(path)
    return int(found[1]) if found else None


@functools.cache
def _row_values_sql() -> str:
    """``_current_sql``'s row, the values it compares returned instead of bound."""
    return _live_row_sql(values=True)


def send_row_values(article_id: int, db):
    """The live row's values ``is_current`` compares, asked for article
    ``article_id`` without waiting for the answer (``yantai.database.send_row``:
    PostgreSQL outside a transaction, else None)."""
    now = db.ops.adapt_datetimefield_value(timezone.now())
    return send_row(
        _row_values_sql(), (article_id, Article.Status.PUBLISHED, now, now), db
    )


def row_matches(page: FastPage, values: tuple | None) -> bool:
    """``is_current(page)`` from the row values ``send_row_values`` read (None: the
    article is not public now)."""
    if values is None:
        return False
    _pk, updated_at, stamp, digest, _status = page.check
    micros = (updated_at - _EPOCH) // _MICROSECOND
    return values == (str(micros).encode(), str(stamp).encode(), digest.encode())


# (public token, epoch seconds of next_change(), or None): see next_change().
NEXT_CHANGE_KEY = "news:next-change"
# How long an entry of no such moment is kept (the token is what makes it current).
_NO_CHANGE_SECONDS = 24 * 3600


def next_change(token: str | None = None, entry=None) -> float | None:
    """When the public articles next change with no write to announce it (a scheduled
    article becomes due, a public one reaches its 下线时间), in epoch seconds; None:
    no such moment. Lists, the home page's blocks, 往期回顾 and the sitemaps are right
    until then, and the public caches' lifetimes of those pages end then
    (``yantai.httpcache``).

    Worked out once for every process and machine (two index walks,
    ``Article.objects.next_change_at``) and kept in the shared cache under the public
    token, which every publication and withdrawal replaces, until the moment passes.
    ``token`` and ``entry``: the public token and the ``NEXT_CHANGE_KEY`` entry if the
    caller has just read them."""
    shared = caches[SHARED_ALIAS]
    if token is None:
        found = shared.get_many([TOKEN_KEY, NEXT_CHANGE_KEY])
        token = found.get(TOKEN_KEY) or public_token()
        entry = found.get(NEXT_CHANGE_KEY)
    if _current(entry, token):
        return entry[1]
    at = Article.objects.next_change_at(timezone.now())
    moment = at.timestamp() if at is not None else None
    shared.set(NEXT_CHANGE_KEY, (token, moment), _lifetime(_NO_CHANGE_SECONDS, moment))
    return moment


def _current(entry, token: str) -> bool:
    """A shared entry ``(token, …, until)`` is of the public state now: made under
    ``token`` and before its ``until`` (``next_change()`` when it was made)."""
    return (
        entry is not None
        and entry[0] == token
        and (entry[-1] is None or entry[-1] > time.time())
    )


def shared_current(
    key: str, compute, seconds: int = FRAGMENT_SECONDS, *, of_articles: bool = False
):
    """``compute()``, kept in the shared cache until what readers see changes (a
    publication, withdrawal or rename: the public token) or ``seconds`` pass; and
    ``of_articles`` (it lists public articles): until an article becomes due or
    expires (``next_change()``). ``compute`` must not return None."""
    shared = caches[SHARED_ALIAS]
    key = f"{key}:2"  # (token, value, until): the entries of "{key}" had no until
    keys = [TOKEN_KEY, key, NEXT_CHANGE_KEY] if of_articles else [TOKEN_KEY, key]
    found = shared.get_many(keys)
    token = found.get(TOKEN_KEY) or public_token()
    entry = found.get(key)
    if not _current(entry, token):
        until = next_change(token, found.get(NEXT_CHANGE_KEY)) if of_articles else None
        entry = (token, compute(), until)
        shared.set(key, entry, _lifetime(seconds, until))
    return entry[1]


def cache_public(seconds: int):
    """View decorator: a GET's 200 response kept in the shared cache until what
    readers see changes (the public token, ``next_change()``) or ``seconds`` pass — for the sitemaps,
    which would otherwise list a withdrawn article, or miss a new one, for as long.
    """

    def decorator(view):
        @wraps(view)
        def cached(request, *args, **kwargs):
            if request.method not in ("GET", "HEAD"):
                return view(request, *args, **kwargs)
            # (token, content, headers, until), under a digest of the address: a
            # long query string made keys past the 250 characters caches allow.
            address = (
                f"{request.scheme}\n{request.get_host()}\n{request.get_full_path()}"
            )
            key = (
                "news:view3:"  # view2's kept the sitemap's Last-Modified
                + hashlib.blake2b(
                    address.encode("utf-8", "surrogateescape"), digest_size=16
                ).hexdigest()
            )
            shared = caches[SHARED_ALIAS]
            found = shared.get_many([TOKEN_KEY, key, NEXT_CHANGE_KEY])
            token = found.get(TOKEN_KEY) or public_token()
            entry = found.get(key)
            if _current(entry, token):
                response = HttpResponse(entry[1])
                for header, value in entry[2]:
                    response[header] = value
                return response
            until = next_change(token, found.get(NEXT_CHANGE_KEY))
            response = view(request, *args, **kwargs)
            if response.status_code == 200:
                if hasattr(response, "render"):
                    response.render()
                # Not the sitemap's Last-Modified (its newest entry's time, which
                # goes back when that article is withdrawn): a list's ETag is exact.
                del response["Last-Modified"]
                headers = list(response.items())  # the view's own (X-Robots-Tag …)
                entry = (token, response.content, headers, until)
                shared.set(key, entry, _lifetime(seconds, until))
            return response

        return cached

    return decorator


def site_chrome() -> tuple[list[Channel], SiteSettings | None]:
    """The channel menu and the footer's 站点设置, shared by every process until
    either changes (the public token): computed in one query."""
    return shared_current("news:chrome", _site_chrome)


def _site_chrome() -> tuple[list[Channel], SiteSettings | None]:
    # The settings ride on the channel rows as one JSON subquery: the footer is on
    # every page and a query of its own would break the article page's budget of 6.
    fields = [f.name for f in SiteSettings._meta.concrete_fields]
    row = SiteSettings.objects.filter(pk=SiteSettings.SINGLETON_ID).values(
        json=JSONObject(**{name: name for name in fields})
    )
    channels = list(Channel.objects.annotate(site_json=Subquery(row[:1])))
    if not channels:
        return channels, SiteSettings.objects.current()
    data = channels[0].site_json
    if isinstance(data, str):  # a backend that hands JSON back as text
        data = json.loads(data)
    if not data:
        return channels, None
    data.pop("updated_at", None)
    return channels, SiteSettings(**data)
