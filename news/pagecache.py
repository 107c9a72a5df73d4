"""The rendered article page, cached per article version.

A hit costs the one primary-key query that fetches the article anyway (it tells
whether the article is still public and which version it is at) and a read of its
confirmed figures from the shared ``figures`` cache; nothing is rendered.

What the key holds, so that no reader ever sees another reader's page or an old
version of the article:

- the article's id and ``updated_at`` (every write of the live row changes it; an
  editor's draft over the article bumps ``version`` but writes no row, so cached pages
  outlive draft saves and review steps), and a
  digest of its confirmed figures (they change without a save of the article);
- the language, and the reader's 字号 and 关怀版 cookies (the only per-reader parts
  of a public page: it holds no CSRF token, user name or message);
- the scheme and host (canonical and share URLs are absolute);
- the site's *generation*: a token in the same cache, replaced whenever an article,
  channel, tag, person, byline or image is saved or deleted (``news.signals``), so
  the side lists (上一篇/下一篇, 相关新闻, 最新文章, the channel menu) follow every
  edit, publication and withdrawal (other worker processes within a second).

Requests with a query string are not cached (``next`` links carry the full path),
nor are those of logged-in staff (they may be on their way to the admin).

The pages live in the ``pages`` cache: on disk by default, so that every worker
process shares them and they survive a restart; Redis or memcached in a larger
set-up. What may lag by up to ``ARTICLE_PAGE_CACHE_SECONDS`` (default 120 s), plus
the 30 s of the cached 最新文章 list: a *scheduled* article that becomes due, or
another article that expires, in the side lists (no event marks those moments),
and the view count. The article itself is checked on every request: unpublished
or expired, it is gone at once.
"""

from __future__ import annotations

import hashlib
import pickle
import time
import uuid

from django.conf import settings
from django.core.cache import caches
from django.utils.translation import get_language

from news.extensions import figure_marks
from news.templatetags.reading_tags import reading_preferences

CACHE_ALIAS = "pages"
GENERATION_KEY = "news:pages:generation"


def page_cache():
    return caches[CACHE_ALIAS]


def timeout() -> int:
    return int(getattr(settings, "ARTICLE_PAGE_CACHE_SECONDS", 120))


# The token as this process last read it, and until when (time.monotonic()) that
# read is trusted: other workers see a new generation within GENERATION_RECHECK
# seconds, this process at once, and a cache hit saves a file read.
_seen: dict[str, tuple[str, float]] = {}
GENERATION_RECHECK = 1.0


def generation() -> str:
    token, until = _seen.get(GENERATION_KEY, ("", 0.0))
    if time.monotonic() < until:
        return token
    token = page_cache().get(GENERATION_KEY)
    if token is None:
        return new_generation()
    _seen[GENERATION_KEY] = (token, time.monotonic() + GENERATION_RECHECK)
    return token


def new_generation() -> str:
    """Make every cached page out of date (they are rendered again when read)."""
    token = uuid.uuid4().hex[:12]
    page_cache().set(GENERATION_KEY, token, None)
    _seen[GENERATION_KEY] = (token, time.monotonic() + GENERATION_RECHECK)
    return token


def page_key(request, article) -> str | None:
    """The cache key of this reader's rendering of ``article``; None: do not cache."""
    if timeout() <= 0 or request.GET or request.user.is_authenticated:
        return None
    size, care = reading_preferences(request)
    marks = figure_marks(article.pk)
    figures = hashlib.blake2b(pickle.dumps(marks), digest_size=8).hexdigest()
    return ":".join(
        (
            "news:page",
            str(article.pk),
            str(article.updated_at.timestamp()),
            figures,
            generation(),
            get_language() or "",
            size,
            "care" if care else "-",
            request.scheme,
            request.get_host(),
        )
    )
