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
- The next anonymous GET or HEAD of that URL without a query string is served from
  it only if one precompiled statement finds the article still public with that
  same row (``updated_at``, ``page_stamp``, figures digest: the very values of the
  page-cache key, so every invalidation of ``news.pagecache`` holds here too), and
  the shared fragments (最新文章, the channel menu) are current in the shared cache;
  they are put in as ``news.pagecache.fill`` does. The response carries the headers
  Django gave the page, with an ETag of the bytes served, and answers a conditional
  GET with 304 as ``ConditionalGetMiddleware`` does.
- Anything else — a cookie of a session or of messages, an ``Authorization`` header,
  a precondition header, a stale or missing entry or fragment, a database error —
  goes through Django unchanged (which renders or fills what is missing).

``PAGE_FAST_PATH=0`` in the environment (setting ``PAGE_FAST_PATH``) turns it off.
"""

from __future__ import annotations

import hashlib
import logging
import time

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.db import connection
from django.utils.http import parse_etags, parse_http_date_safe, quote_etag

from news import pagecache

logger = logging.getLogger(__name__)

# Headers recomputed for each response (the server adds Date and Server).
_PER_RESPONSE = frozenset({"content-length", "etag", "date", "server"})
# What a 304 carries (django.utils.cache._not_modified).
_NOT_MODIFIED_KEEP = frozenset(
    {"cache-control", "content-location", "date", "etag", "expires", "last-modified"}
)
_PRECONDITIONS = ("HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE", "HTTP_AUTHORIZATION")


def request_key(environ) -> str | None:
    """The cache key of this request's page, or None when it may not be served
    from the fast path. Made of the raw values Django reads the scheme, host and
    path from, so that two requests with one key are one request to Django."""
    if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        return None
    if environ.get("QUERY_STRING") or any(h in environ for h in _PRECONDITIONS):
        return None
    cookies = environ.get("HTTP_COOKIE", "")
    if cookies and (
        settings.SESSION_COOKIE_NAME in cookies or CookieStorage.cookie_name in cookies
    ):
        return None  # by substring: a false alarm only costs the full path
    parts = [
        environ.get("wsgi.url_scheme", ""),
        environ.get("HTTP_HOST", ""),
        environ.get("SERVER_NAME", ""),
        environ.get("SERVER_PORT", ""),
        environ.get("SCRIPT_NAME", ""),
        environ.get("PATH_INFO", ""),
    ]
    if settings.SECURE_PROXY_SSL_HEADER:
        parts.append(environ.get(settings.SECURE_PROXY_SSL_HEADER[0], ""))
    if settings.USE_X_FORWARDED_HOST:
        parts.append(environ.get("HTTP_X_FORWARDED_HOST", ""))
    if settings.USE_X_FORWARDED_PORT:
        parts.append(environ.get("HTTP_X_FORWARDED_PORT", ""))
    raw = "\n".join(parts).encode("utf-8", "surrogateescape")
    return "fast:" + hashlib.blake2b(raw, digest_size=16).hexdigest()


def _not_modified(environ, etag: str, last_modified: str | None) -> bool:
    """``ConditionalGetMiddleware``'s answer for a GET/HEAD (If-None-Match first)."""
    if_none_match = environ.get("HTTP_IF_NONE_MATCH")
    if if_none_match is not None:
        wanted = parse_etags(if_none_match)
        return "*" in wanted or any(
            tag.removeprefix("W/") == etag.removeprefix("W/") for tag in wanted
        )
    since = parse_http_date_safe(environ.get("HTTP_IF_MODIFIED_SINCE") or "")
    modified = parse_http_date_safe(last_modified or "")
    return since is not None and modified is not None and modified <= since


class FastPathApplication:
    """WSGI application: the fast path in front of Django's (see module doc)."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        key = self.key(environ)
        if key is not None:
            served = self.try_serve(key, environ, start_response)
            if served is not None:
                return served
        seen = {}

        def seen_start_response(status, headers, exc_info=None):
            seen["status"], seen["headers"] = status, headers
            return start_response(status, headers, exc_info)

        response = self.application(environ, seen_start_response)
        self.keep(key, environ, response, seen.get("status", ""), seen.get("headers"))
        return response

    @staticmethod
    def key(environ) -> str | None:
        return request_key(environ) if settings.PAGE_FAST_PATH else None

    @classmethod
    def try_serve(cls, key: str, environ, start_response):
        """The response's body if the fast path may answer, else None."""
        try:
            return cls.serve(key, environ, start_response)
        except Exception:  # any failure: Django answers, as without us
            logger.warning("fast path failed; serving through Django", exc_info=True)
            return None

    @staticmethod
    def keep(key: str | None, environ, response, status: str, headers) -> None:
        """Keep the page Django answered for the next request of ``key`` if it is an
        article page (the view attached its ``FastPage``) answered to a GET with a
        public, cookie-less 200 that varies on nothing."""
        page = getattr(response, "fast_page", None)
        if page is None or key is None or environ["REQUEST_METHOD"] != "GET":
            return
        names = {name.lower(): value for name, value in headers or ()}
        if not status.startswith("200 ") or "set-cookie" in names or "vary" in names:
            return
        if "public" not in names.get("cache-control", ""):
            return
        seconds = int(page.until - time.time())
        if seconds < 1:
            return
        kept = [(n, v) for n, v in headers if n.lower() not in _PER_RESPONSE]
        caches[pagecache.CACHE_ALIAS].set(key, (page, kept), seconds)

    @staticmethod
    def serve(key: str, environ, start_response):
        entry = caches[pagecache.CACHE_ALIAS].get(key)
        if entry is None:
            return None
        page, headers = entry
        if page.until <= time.time():
            return None
        # What Django does at each request's start and end: a connection past
        # DB_CONN_MAX_AGE, or left unusable by an error, is closed (and reopened).
        connection.close_if_unusable_or_obsolete()
        if not pagecache.is_current(page):
            return None
        body = pagecache.fill_current(page.html, article_id=page.article_id)
        if body is None:
            return None
        etag = quote_etag(hashlib.md5(body, usedforsecurity=False).hexdigest())
        last_modified = next(
            (v for n, v in headers if n.lower() == "last-modified"), None
        )
        if _not_modified(environ, etag, last_modified):
            kept = [(n, v) for n, v in headers if n.lower() in _NOT_MODIFIED_KEEP]
            start_response("304 Not Modified", [*kept, ("ETag", etag)])
            return [b""]
        start_response(
            "200 OK", [*headers, ("ETag", etag), ("Content-Length", str(len(body)))]
        )
        return [b""] if environ["REQUEST_METHOD"] == "HEAD" else [body]
