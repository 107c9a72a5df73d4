"""One response per URL for the public site, and the headers that let caches keep it.

A public page (the ``news`` and ``quality`` URLs) is the same bytes for every
anonymous reader: 字号 and 关怀版 are applied in the browser (``static/js/
reading-prefs.js``, ``news.views.reading_stylesheet``), and the language is in the
URL (``/…`` Chinese, ``/en/…`` English). Three middlewares keep it so:

- ``LocaleMiddleware`` takes the language of a public URL from its prefix only: an
  unprefixed URL is Chinese whatever the ``Accept-Language`` header or language
  cookie says, so the response does not ``Vary`` on them. Only the admin (private
  pages, one editor's own language) still negotiates, and the API (every URL under
  ``/api/``): ``Accept-Language`` (never the cookie), else Chinese, with
  ``Vary: Accept-Language`` on every response; the schema and its Swagger page
  take ``?lang=en`` first. The language is deactivated when the response is closed
  (``request_finished``), so that nothing run after a request in the same thread
  speaks its language.
- ``AuthenticationMiddleware``: a request without a session cookie has no user to
  look up, so its user is anonymous without touching the session (which would add
  ``Vary: Cookie`` to the response).
- ``CacheHeadersMiddleware``: an anonymous 200 GET/HEAD of a public page (and a
  304 its view answered before building the body) gets
  ``Cache-Control: public, max-age, s-maxage, stale-while-revalidate`` (settings
  ``HTTP_CACHE_*``; no longer than the page is right by the clock: an article's
  page until its 下线时间 or its neighbours' next change, the other news pages and
  the data pages citing articles until the next article due or expiring, the
  certificate lists until midnight, ``page_right_until``),
  an ETag, and 304 for a conditional GET that matches
  (Django's ``ConditionalGetMiddleware``). A reader with a session or messages
  cookie, or a response that sets a cookie, gets ``private, no-cache``. An anonymous
  404 of a public URL (an article withdrawn, not yet published) gets ``public``
  for ``HTTP_CACHE_NOT_FOUND_SECONDS`` (or until the next article is due), so that
  it replaces a shared cache's copy of the page when the cache revalidates it. Responses
  that chose their own ``Cache-Control`` (previews, the QR code) keep it; the admin,
  the API (``api.conditional``) and the rest are left alone.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import middleware as auth_middleware
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.signals import request_finished
from django.dispatch import receiver
from django.middleware import locale
from django.middleware.http import ConditionalGetMiddleware
from django.utils import timezone, translation
from django.utils.cache import (
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
    set_response_etag,
)
from django.utils.http import parse_http_date_safe
from django.utils.translation import trans_real

from news import pagecache

# URL namespaces of the public site (i18n_patterns in yantai/urls.py).
PUBLIC_NAMESPACES = frozenset({"news", "quality"})
# Pages that negotiate their language (cookie, then Accept-Language): private ones.
NEGOTIATED_PREFIXES = ("/admin/",)


# The API: Accept-Language, never the cookie (a shared cache would need
# ``Vary: Cookie``), else Chinese. Not ``?lang=`` on the data endpoints, where an
# unknown query parameter is a 400 (api.filters.StrictFilterBackend).
API_PREFIX = "/api/"
# The OpenAPI schema and its docs page: ``?lang=`` first (a link to the English
# docs), then as the rest of the API.
SCHEMA_PREFIXES = ("/api/schema/", "/api/docs/")


def negotiates_language(request) -> bool:
    return request.path_info.startswith(NEGOTIATED_PREFIXES)


def is_api(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def schema_language(request) -> str:
    """The language of the API schema or docs asked for by ``request``.

    ``?lang=`` wins (a code we do not have is Chinese, and is never activated:
    ``api.views.SchemaView``); without it, ``api_language``.
    """
    asked = request.GET.get("lang")
    if asked:
        return _first_supported([asked])
    return api_language(request)


def api_language(request) -> str:
    """The first language of ``Accept-Language`` that the site has, else Chinese
    (``LANGUAGE_CODE``): ``en`` and ``en-GB`` are English; no header, ``zh``,
    ``zh-CN``, ``fr`` and ``*`` Chinese."""
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    return _first_supported(
        [code for code, _q in trans_real.parse_accept_lang_header(header)]
    )


def _first_supported(codes: list[str]) -> str:
    for code in codes:
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


class LocaleMiddleware(locale.LocaleMiddleware):
    """The language of a public URL is its prefix (``/en/``), or Chinese without one.

    Django's own middleware already ignores the cookie and ``Accept-Language`` for an
    unprefixed URL under ``i18n_patterns(prefix_default_language=False)``, but still
    adds ``Vary: Accept-Language`` to the response, which splits every shared cache's
    copy of the page by the readers' browser languages. URLs outside the patterns
    (the sitemaps, /healthz) are Chinese too; only the admin and the API negotiate.
    """

    def process_request(self, request):
        if negotiates_language(request):
            language = translation.get_language_from_request(request)
        elif request.path_info.startswith(SCHEMA_PREFIXES):
            language = schema_language(request)
        elif is_api(request):
            language = api_language(request)
        else:
            language = (
                translation.get_language_from_path(request.path_info)
                or settings.LANGUAGE_CODE
            )
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        if negotiates_language(request) or is_api(request):
            patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


@receiver(request_finished, dispatch_uid="yantai.httpcache.end_language")
def end_language(**kwargs) -> None:
    """Back to the default language once a response is closed (its body sent, a
    streamed one too): the thread's next request runs the middlewares above
    ``LocaleMiddleware`` (and anything else before it activates) in Chinese, not
    in the previous client's language."""
    translation.deactivate()


def _anonymous() -> AnonymousUser:
    return AnonymousUser()


async def _anonymous_async() -> AnonymousUser:
    return AnonymousUser()


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    """No session cookie, no user: anonymous without reading the session.

    Reading ``request.user`` loads the session, and a loaded session makes
    ``SessionMiddleware`` add ``Vary: Cookie`` even when it is empty — every reader's
    fontsize or analytics cookie would then split a shared cache's copy of the page.
    """

    def process_request(self, request):
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            return super().process_request(request)
        request.user = _anonymous()
        request.auser = _anonymous_async


def public_cache_control(shown_until: float | None = None) -> str:
    """``Cache-Control`` of a public page (settings ``HTTP_CACHE_*``). ``shown_until``:
    the moment (epoch seconds) the page stops being right — an article's 下线时间, the
    moment a neighbour of it becomes due or expires, or for the other pages the next
    article due or expiring anywhere (``news.pagecache.next_change``): every lifetime
    is cut so that no cache, a browser's or a CDN's, serves it past then, not even
    stale while it revalidates."""
    max_age = settings.HTTP_CACHE_MAX_AGE
    s_maxage = settings.HTTP_CACHE_S_MAXAGE
    stale = settings.HTTP_CACHE_STALE_WHILE_REVALIDATE
    if shown_until is not None:
        left = max(0, int(shown_until - time.time()))
        max_age, s_maxage = min(max_age, left), min(s_maxage, left)
        stale = min(stale, left - max(max_age, s_maxage))
    return (
        f"public, max-age={max_age}, s-maxage={s_maxage}, "
        f"stale-while-revalidate={stale}"
    )


def _seconds_until(seconds: int, moment: float | None) -> int:
    """``seconds``, or the whole seconds left before ``moment`` if fewer (≥ 0)."""
    if moment is None:
        return seconds
    return max(0, min(seconds, int(moment - time.time())))


def page_right_until(request, response) -> float | None:
    """Until when ``response``'s page is right (epoch seconds; None: until an event
    changes it): what the view said (``response.shown_until``: an article's page), or
    for the other news pages (lists, search, feeds, archives, and the 404 of an
    article not yet due) and the data pages that cite articles (``CITING_DATA``) the
    next moment an article becomes due or expires with no event to purge the caches
    then (``news.pagecache.next_change``); for the certificate lists the next
    midnight, when a 有效期止 passed makes a certificate 过期 (``DAILY_DATA``)."""
    if hasattr(response, "shown_until"):
        return response.shown_until
    match = request.resolver_match
    if match.namespaces[:1] == ["news"] or match.url_name in PUBLIC_URL_NAMES:
        return pagecache.next_change()
    if match.namespaces[:1] == ["quality"]:
        if match.url_name in CITING_DATA:
            return pagecache.next_change()
        if match.url_name in DAILY_DATA:
            return next_midnight()
    return None


def next_midnight() -> float:
    """The start of tomorrow in the site's time zone (Asia/Shanghai), epoch seconds."""
    tomorrow = timezone.localdate() + timedelta(days=1)
    zone = timezone.get_current_timezone()
    return datetime.combine(tomorrow, datetime.min.time(), tzinfo=zone).timestamp()


# Data pages that name a value's source article and quote it only while the article
# is public (``Observation.source_article``, ``public_quote``; a sampling campaign's
# article): an article becoming due or expiring changes them.
CITING_DATA = frozenset(
    {
        "indicator-detail",
        "indicator-csv",
        "indicator-json",
        "indicator-xlsx",
        "dataset-csv",
        "dataset-xlsx",
        "sampling-list",
    }
)
# Data pages that show a status by the day (``Award.status_on``: 有效 through the
# 有效期止, 过期 from the next day).
DAILY_DATA = frozenset({"honour-list", "certification-list"})


# Public pages outside those namespaces: the sitemaps (yantai/urls.py), which list
# articles as the news pages do.
PUBLIC_URL_NAMES = frozenset({"sitemap", "sitemap-news", "sitemap-section"})


def is_public_page(request) -> bool:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return False
    if match.namespaces:
        return match.namespaces[0] in PUBLIC_NAMESPACES
    return match.url_name in PUBLIC_URL_NAMES


def is_anonymous_reader(request, response) -> bool:
    """No session (so not logged in), no pending messages, no cookie being set."""
    return not (
        settings.SESSION_COOKIE_NAME in request.COOKIES
        or CookieStorage.cookie_name in request.COOKIES
        or response.cookies
    )


class CacheHeadersMiddleware(ConditionalGetMiddleware):
    """Cache-Control, ETag and 304 for the public pages (see the module docstring).

    Placed above the session, CSRF and messages middlewares, so that the cookies
    they set are seen before the response is called public.
    """

    def process_response(self, request, response):
        if not is_public_page(request):
            return response
        if (
            request.method in ("GET", "HEAD")
            # A 304 a view answered itself before building the body (the data
            # downloads: quality.views.not_modified) carries what its 200 would.
            and response.status_code in (200, 304)
            and not response.has_header("Cache-Control")
        ):
            if is_anonymous_reader(request, response):
                response["Cache-Control"] = public_cache_control(
                    page_right_until(request, response)
                )
            else:
                patch_cache_control(response, private=True, no_cache=True)
        elif (
            request.method in ("GET", "HEAD")
            and response.status_code in (404, 410)
            and not response.has_header("Cache-Control")
            and is_anonymous_reader(request, response)
        ):
            # A page gone (an article withdrawn) must replace a shared cache's copy
            # when the cache revalidates: nginx keeps serving its stale 200 for all
            # of stale-while-revalidate if the answer is not storable.
            # Not past the next article due (its address answers 404 until then).
            seconds = _seconds_until(
                settings.HTTP_CACHE_NOT_FOUND_SECONDS,
                page_right_until(request, response),
            )
            patch_cache_control(
                response, public=True, max_age=seconds, s_maxage=seconds
            )
        if request.method == "HEAD" and not response.streaming:
            # Django's skips HEAD, whose body it cannot see; here the view has
            # rendered the whole page (the server drops it), so HEAD gets the GET's
            # ETag and 304, as the fast path's HEAD does.
            return self._conditional(request, response)
        return super().process_response(request, response)

    def _conditional(self, request, response):
        if self.needs_etag(response) and not response.has_header("ETag"):
            set_response_etag(response)
        etag = response.get("ETag")
        last_modified = parse_http_date_safe(response.get("Last-Modified", ""))
        if etag or last_modified:
            return get_conditional_response(
                request, etag=etag, last_modified=last_modified, response=response
            )
        return response
