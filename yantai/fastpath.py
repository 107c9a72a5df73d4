"""Serve a cached article page again without Django's request cycle.

A cached hit through Django costs far more than the page: the middleware stack, URL
resolution, the view, and the ORM compiling the article's primary-key query on every
request (bench/serving_under_edits.py: ~2 ms, of which the page itself is a cache
read and a fragment fill). Large Django news sites put a cache in front of the
application for this; this one sits in the WSGI application itself, so it keeps the
rule that the live row decides, on every request, whether its page may be served:

- When Django has served an anonymous, public (``Cache-Control: public``), cookie-less
  200 GET of an article page, the view has attached a ``news.pagecache.FastPage``
  (the page with its fragment markers, and the row values its page-cache key was
  made of). It is kept in the ``pages`` cache under the request's raw scheme, host
  and path.
- The next anonymous GET or HEAD of that path, with any query string (a shared
  link's ``?from=timeline``: the article page is the same), is served from it
  only if one precompiled statement finds the article still public with that
  same row (``updated_at``, ``page_stamp``, figures digest: the very values of the
  page-cache key, so every invalidation of ``news.pagecache`` holds here too; on
  PostgreSQL + Redis the statement is sent while the page is being read, and the
  row's values it returns are compared), and
  the shared fragments (最新文章, the channel menu) are current in the shared cache;
  they are put in as ``news.pagecache.fill`` does. The response carries the headers
  Django gave the page, with the ETag Django gives the same bytes
  (``news.pagecache.etag``: of the page's and the fragments' digests), and answers
  a conditional GET with 304 as ``ConditionalGetMiddleware`` does.
- Anything else — a cookie of a session or of messages, an ``Authorization`` header,
  a precondition header, a stale or missing entry or fragment, a database error —
  goes through Django unchanged (which renders or fills what is missing).

``PAGE_FAST_PATH=0`` in the environment (setting ``PAGE_FAST_PATH``) turns it off.
"""

from __future__ import annotations

import functools
import logging
import time

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.core.handlers.wsgi import WSGIRequest
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.http import http_date, parse_etags, parse_http_date_safe

from news import pagecache
from yantai import httpcache
from yantai.caching import get_together, send_together

logger = logging.getLogger(__name__)

# Headers recomputed for each response (the server adds Date and Server).
_PER_RESPONSE = frozenset({"content-length", "etag", "date", "server"})
# What a 304 carries (django.utils.cache._not_modified).
_NOT_MODIFIED_KEEP = frozenset(
    {"cache-control", "content-location", "date", "etag", "expires", "last-modified"}
)
_PRECONDITIONS = ("HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE", "HTTP_AUTHORIZATION")


def request_key(request) -> str | None:
    """The fast path's key of this request's page, or None when it may not be
    served from the fast path: the scheme, host and path as Django reads them."""
    if request.method not in ("GET", "HEAD"):
        return None
    meta = request.META
    if any(h in meta for h in _PRECONDITIONS):
        return None
    # An article page is the same whatever the query string (a shared link's
    # ?from=timeline): kept and served under its path. Any other page goes through
    # Django (none is kept here).
    if meta.get("QUERY_STRING") and pagecache.article_id_in(request.path) is None:
        return None
    cookies = meta.get("HTTP_COOKIE", "")
    if cookies and (
        settings.SESSION_COOKIE_NAME in cookies or CookieStorage.cookie_name in cookies
    ):
        return None  # by substring: a false alarm only costs the full path
    # The raw host: an entry exists only under a host that Django's get_host()
    # accepted when it was kept (FastPathMiddleware), so no other finds one.
    return pagecache.fast_key(request.scheme, request._get_raw_host(), request.path)


@functools.lru_cache(maxsize=64)
def _http_date(seconds: int) -> str:
    return http_date(seconds)


def _header(name: str, value: str, control: str | None, last_modified: str) -> str:
    """A kept header's value for this answer: Cache-Control as ``control`` says
    (if given), Last-Modified this answer's."""
    lower = name.lower()
    if lower == "last-modified":
        return last_modified
    if control is not None and lower == "cache-control":
        return control
    return value


def _not_modified(environ, etag: str, last_modified: str | None) -> bool:
    """``ConditionalGetMiddleware``'s answer for a GET/HEAD (If-None-Match first)."""
    if_none_match = environ.get("HTTP_IF_NONE_MATCH")
    if if_none_match is not None:
        wanted = parse_etags(if_none_match)
        return "*" in wanted or any(
            tag.removeprefix("W/") == etag.removeprefix("W/") for tag in wanted
        )
    if "HTTP_IF_MODIFIED_SINCE" not in environ:
        return False
    since = parse_http_date_safe(environ["HTTP_IF_MODIFIED_SINCE"])
    modified = parse_http_date_safe(last_modified or "")
    return since is not None and modified is not None and modified <= since


class FastPathMiddleware:
    """Keeps the article pages Django answers for the fast path (first in
    MIDDLEWARE, so that it sees the headers every other middleware set)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        page = getattr(response, "fast_page", None)
        if page is not None and settings.PAGE_FAST_PATH and request.method == "GET":
            key = request_key(request)
            if key is not None:
                keep(key, page, response)
        return response


def keep(key: str, page, response) -> None:
    """Keep ``page`` for the next request of ``key`` if Django answered a public,
    cookie-less 200 that varies on nothing."""
    if response.status_code != 200 or response.cookies or response.has_header("Vary"):
        return
    if "public" not in response.get("Cache-Control", ""):
        return
    seconds = int(page.until - time.time())
    if seconds < 1:
        return
    headers = [(n, v) for n, v in response.items() if n.lower() not in _PER_RESPONSE]
    caches[pagecache.CACHE_ALIAS].set(key, (page, headers), seconds)


class FastPathApplication:
    """WSGI application: the fast path in front of Django's (see module doc)."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        served = self.try_serve(environ, start_response)
        if served is not None:
            return served
        return self.application(environ, start_response)

    @classmethod
    def try_serve(cls, environ, start_response):
        """The response's body if the fast path may answer, else None."""
        # With the page cache off (ARTICLE_PAGE_CACHE_SECONDS=0) so is the fast path,
        # pages it kept before included.
        if not settings.PAGE_FAST_PATH or pagecache.timeout() <= 0:
            return None
        try:
            return cls.serve(environ, start_response)
        except Exception:  # any failure: Django answers, as without us
            logger.warning("fast path failed; serving through Django", exc_info=True)
            return None

    @staticmethod
    def serve(environ, start_response):
        # On a copy: WSGIRequest rewrites PATH_INFO in the dict it is given to the
        # decoded path, which Django's own WSGIRequest then cannot read again.
        request = WSGIRequest(dict(environ))
        key = request_key(request)
        if key is None:
            return None
        # What Django does at each request's start and end: a connection past
        # DB_CONN_MAX_AGE, or left unusable by an error, is closed (and reopened);
        # never one in a transaction (a test's).
        db = connections[DEFAULT_DB_ALIAS]  # once: each use of the proxy looks it up
        if not db.in_atomic_block:
            db.close_if_unusable_or_obsolete()
            # No separate health check (CONN_HEALTH_CHECKS' SELECT 1: a second round
            # trip on PostgreSQL): the check of the row is one, and if the connection
            # has died it fails, and Django answers after its own check.
            db.health_check_done = True
        items = (
            (pagecache.CACHE_ALIAS, key),
            (pagecache.SHARED_ALIAS, pagecache.TOKEN_KEY),
        )
        # The page and the fragments' token: one round trip when both are in Redis;
        # and then, on PostgreSQL, the live row's check sent while the MGET is on
        # its way, not after its answer: the two servers answer at once, and a
        # worker waits on one round trip an answer instead of two.
        article_id = pagecache.article_id_in(request.path)
        mget = send_together(*items) if article_id is not None else None
        sent = None
        if mget is not None:
            try:
                sent = pagecache.send_row_values(article_id, db)
            except BaseException:
                mget.abandon()
                raise
            try:
                entry, token = mget.read()
            finally:
                row = sent.read() if sent is not None else None
        else:
            entry, token = get_together(*items)
        if entry is None or token is None:
            return None
        page, headers = entry
        if page.until <= time.time():
            return None
        if sent is not None:
            if page.article_id != article_id or not pagecache.row_matches(page, row):
                return None
        elif not pagecache.is_current(page, db):
            return None
        filled = pagecache.fill_current(
            page.parts,
            page.digest,
            article_id=page.article_id,
            language=page.language,
            token=token,
        )
        if filled is None:
            return None
        body, etag, _made = filled
        # The page's or its newest fragment's time (as Django gives it).
        last_modified = _http_date(
            int(pagecache.last_modified(page.rendered_at, filled))
        )
        control = None
        if page.shown_until is not None:  # its lifetimes shorten as 下线时间 nears
            control = httpcache.public_cache_control(page.shown_until)
        headers = [(n, _header(n, v, control, last_modified)) for n, v in headers]
        if _not_modified(environ, etag, last_modified):
            kept = [(n, v) for n, v in headers if n.lower() in _NOT_MODIFIED_KEEP]
            start_response("304 Not Modified", [*kept, ("ETag", etag)])
            return [b""]
        start_response(
            "200 OK", [*headers, ("ETag", etag), ("Content-Length", str(len(body)))]
        )
        return [b""] if environ["REQUEST_METHOD"] == "HEAD" else [body]
