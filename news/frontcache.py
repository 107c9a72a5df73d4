"""Refresh what nginx keeps of the pages a publication, correction or withdrawal
changes, as Wagtail's ``frontend_cache`` purges its pages on publish.

nginx keeps each public page for ``HTTP_CACHE_S_MAXAGE`` (and serves it stale while
it fetches the next one), so without this a withdrawn article would stay on readers'
screens through nginx for minutes after 终审 took it down. With
``FRONTEND_CACHE_URLS`` set (the refresh listener of each nginx host,
``deploy/nginx/yantai.conf``), the commit of such a change sends each of them a GET
of every page it made stale — the article's page in every language, the pages
beside it (上一篇/下一篇) and the first page of the lists it is in: home, archive,
its month, channel, tags, people, the feeds and the news sitemap, and the other apps'
pages that show it (``add_article_pages``: ``quality``'s data pages citing it) — with
the public ``Host`` and scheme of ``SITE_URL``. nginx fetches each from the app and replaces its
copy, so readers get the new page (or the withdrawn article's 404) at once.

The requests run in a thread of their own after the commit, so that the editor's
request does not wait for them (nor, with few workers, for itself: each refresh is
answered by a worker of this site). A refresh that fails is logged; the copy then
lasts its ``s-maxage`` as without this. A bulk import refreshes the site's and the
channels' lists once at its end. Further pages of a list, searches, tag and people
pages after a bulk import, and the pages a rename changes are left to ``s-maxage``.

Caches further out — Varnish (``deploy/varnish/yantai.vcl``) or a CDN that purges a
URL by HTTP ``PURGE`` (Fastly, Squid) — are named by ``FRONTEND_CACHE_PURGE_URLS``:
each gets a ``PURGE`` of the same paths (with ``FRONTEND_CACHE_PURGE_HEADER``, a
CDN's key, if set); a CDN that purges only through its cloud's signed API (阿里云,
腾讯云: ``FRONTEND_CACHE_CDN``, ``news.cdn``) gets the pages' public addresses in
calls of ``cdn.BATCH``. Both after every nginx refresh has been answered, so that a
CDN in front of nginx fetches nginx's new copy, not the old one.
"""

from __future__ import annotations

import logging
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import cdn
from .models import Article, Channel

logger = logging.getLogger(__name__)

#: Seconds a refresh may take before it is given up (the page is rendered meanwhile).
TIMEOUT_SECONDS = 15
#: Refreshes sent at once, over all nginx hosts.
PARALLEL = 4

_threads: list[threading.Thread] = []
_threads_lock = threading.Lock()


def enabled() -> bool:
    return bool(
        settings.FRONTEND_CACHE_URLS
        or settings.FRONTEND_CACHE_PURGE_URLS
        or settings.FRONTEND_CACHE_CDN
    )


def article_paths(article_ids: Iterable[int]) -> list[str]:
    """The pages of these articles, in every language."""
    paths = []
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            paths += [
                reverse("news:article-detail", args=[pk]) for pk in sorted(article_ids)
            ]
    return paths


def _lists(channel_slugs: Iterable[str]) -> list[str]:
    """The site's lists and those of these channels, in the active language."""
    paths = [
        reverse("news:home"),
        reverse("news:archive"),
        reverse("news:site-map"),
        reverse("news:feed-rss"),
        reverse("news:feed-atom"),
    ]
    for slug in channel_slugs:
        paths += [
            reverse("news:channel-detail", args=[slug]),
            reverse("news:channel-rss", args=[slug]),
            reverse("news:channel-atom", args=[slug]),
        ]
    return paths


def list_paths(article: Article, channel_ids: Iterable[int] = ()) -> list[str]:
    """The first page of every list ``article`` is in (or was in: ``channel_ids``
    names the channels it was in before), in every language."""
    channels = list(
        Channel.objects.filter(pk__in={article.channel_id, *channel_ids})
        .order_by("pk")
        .values_list("slug", flat=True)
    )
    tags = list(article.tags.order_by("pk").values_list("slug", flat=True))
    people = list(
        article.bylines.order_by("person_id")
        .values_list("person__slug", flat=True)
        .distinct()
    )
    when = article.published_at and timezone.localtime(article.published_at)
    paths = [reverse("sitemap"), reverse("sitemap-news")]
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            paths += _lists(channels)
            if when is not None:
                paths.append(
                    reverse("news:archive-month", args=[when.year, when.month])
                )
            paths += [reverse("news:tag-detail", args=[slug]) for slug in tags]
            paths += [reverse("news:person-detail", args=[slug]) for slug in people]
    return paths


def site_list_paths() -> list[str]:
    """The first page of the lists of the whole site and of every channel, in every
    language: what a bulk import changes (``pagecache.fragments_rendered_at_end``)."""
    slugs = list(Channel.objects.order_by("pk").values_list("slug", flat=True))
    paths = [reverse("sitemap"), reverse("sitemap-news")]
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            paths += _lists(slugs)
    return paths


#: What other apps show of articles, without ``news`` importing them (``quality``
#: adds its data pages that cite an article: ``quality.frontcache``): each takes
#: article ids and gives the paths, in every language, that their change makes stale.
_article_pages: list[Callable[[list[int]], Iterable[str]]] = []


def add_article_pages(pages: Callable[[list[int]], Iterable[str]]) -> None:
    """Refresh what ``pages(article_ids)`` gives with the articles' own pages."""
    if pages not in _article_pages:
        _article_pages.append(pages)


def refresh_on_commit(
    paths: Iterable[str] = (),
    *,
    articles: Iterable[int] = (),
    later: Callable[[], Iterable[str]] | None = None,
) -> None:
    """Refresh ``paths`` when the current transaction commits, with the other apps'
    pages that show ``articles`` (``add_article_pages``) and what ``later()`` gives:
    both worked out after the commit, from the rows committed. All that one
    transaction asks for is sent once, together (one ``later`` called once)."""
    from .signals import once_on_commit  # signals imports pagecache, which imports us

    connection = transaction.get_connection()
    pending = connection.__dict__.setdefault(
        "news_frontcache", {"paths": {}, "articles": set(), "later": {}}
    )
    pending["paths"].update(dict.fromkeys(paths))
    pending["articles"].update(articles)
    if later is not None:
        pending["later"][later] = None

    def send():
        collected = dict(pending["paths"])
        article_ids = sorted(pending["articles"])
        laters = list(pending["later"])
        for part in pending.values():
            part.clear()
        if article_ids:
            for pages in _article_pages:
                collected.update(dict.fromkeys(pages(article_ids)))
        for more in laters:
            collected.update(dict.fromkeys(more()))
        if collected:
            refresh(list(collected))

    once_on_commit("frontcache", send)


class SitePurgeError(Exception):
    """Why the cloud CDN did not purge the whole site (a message for the operator)."""


def purge_site() -> str:
    """Purge everything under ``SITE_URL`` from ``FRONTEND_CACHE_CDN`` (a restore:
    every page may differ), at once; the address purged. nginx and the caches that
    take ``PURGE`` purge a page at a time and no one can list every page: clear them
    first on their hosts (``manual_site_purges``), or the CDN fetches their copies."""
    cloud = cdn.purger()
    if cloud is None:
        raise SitePurgeError(_("没有设置 FRONTEND_CACHE_CDN，没有可刷新的 CDN。"))
    url = settings.SITE_URL.rstrip("/") + "/"
    try:
        cloud.purge_site(url)
    except Exception as error:  # the SDKs' own errors, and the network's
        raise SitePurgeError(
            _("CDN 未能刷新整站缓存（%(error)s）。")
            % {"error": f"{type(error).__name__}: {error}"}
        ) from error
    return url


def manual_site_purges() -> list[str]:
    """What the operator must clear by hand for the whole site to be refetched: nginx's
    cache on each of its hosts, and Varnish's (the app can only refresh pages it
    names)."""
    steps = []
    if settings.FRONTEND_CACHE_URLS:
        steps.append(
            _(
                "在每台 nginx 主机上清空页面缓存（deploy/nginx/yantai.conf 的 "
                "proxy_cache_path，默认 /var/cache/nginx/yantai）："
                "sudo find /var/cache/nginx/yantai -type f -delete"
            )
        )
    if settings.FRONTEND_CACHE_PURGE_URLS:
        steps.append(
            _(
                "清空 FRONTEND_CACHE_PURGE_URLS 所指的缓存：Varnish 在其主机上运行 "
                "varnishadm 'ban req.url ~ .'；其他缓存或 CDN 在其控制台刷新整站。"
            )
        )
    return steps


# One request of a step: what it is and where (for the log), and the call, which gives
# back why it failed or None.
Job = tuple[str, str, Callable[[], str | None]]


def refresh(paths: list[str]) -> threading.Thread | None:
    """Send the refreshes of ``paths`` to every nginx host, then their purges to every
    cache named by ``FRONTEND_CACHE_PURGE_URLS`` and to ``FRONTEND_CACHE_CDN``'s API,
    in a thread (returned)."""
    if not enabled() or not paths:
        return None
    site = urlsplit(settings.SITE_URL)
    headers = {"Host": site.netloc, "X-Yantai-Scheme": site.scheme}
    refreshes = [
        _request("GET", base.rstrip("/") + path, headers)
        for base in settings.FRONTEND_CACHE_URLS
        for path in paths
    ]
    purge_headers = dict(headers)
    if settings.FRONTEND_CACHE_PURGE_HEADER:
        name, value = settings.FRONTEND_CACHE_PURGE_HEADER.split(":", 1)
        purge_headers[name.strip()] = value.strip()
    purges = [
        _request("PURGE", base.rstrip("/") + path, purge_headers)
        for base in settings.FRONTEND_CACHE_PURGE_URLS
        for path in paths
    ]
    cloud = cdn.purger()
    if cloud is not None:
        public = [settings.SITE_URL.rstrip("/") + path for path in paths]
        purges += [
            (cloud.action, batch[0], partial(_cloud_purge, cloud, batch))
            for batch in cdn.batches(public)
        ]
    thread = threading.Thread(
        target=_send_all, args=(refreshes, purges), name="frontcache-refresh"
    )
    with _threads_lock:
        _threads[:] = [t for t in _threads if t.is_alive()]
        _threads.append(thread)
    thread.start()
    return thread


def wait(timeout: float | None = None) -> None:
    """Wait for the refreshes sent so far (tests, and commands before they exit)."""
    with _threads_lock:
        threads = list(_threads)
    for thread in threads:
        thread.join(timeout)


def _send_all(*steps: list[Job]) -> None:
    """Each step's requests at once, the steps one after the other."""
    sent = failed = 0
    first = None
    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        for jobs in steps:
            for (what, where, _call), error in zip(
                jobs, pool.map(lambda job: job[2](), jobs), strict=True
            ):
                sent += 1
                if error:
                    failed += 1
                    first = first or (what, where, error)
    if failed:
        logger.warning(
            "%s of %s front-end cache refreshes failed (the copies last their"
            " s-maxage), e.g. %s %s: %s",
            failed,
            sent,
            *first,
        )


def _cloud_purge(cloud, urls: list[str]) -> str | None:
    try:
        cloud.purge(urls)
    except Exception as error:  # the SDKs' own errors, and the network's
        return f"{type(error).__name__}: {error}"
    return None


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is nginx's answer to keep, not a page for the refresh to follow
    (to the public site, past the listener)."""

    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def _request(method: str, url: str, headers: dict) -> Job:
    return (method, url, partial(_send_one, method, url, headers))


def _send_one(method: str, url: str, headers: dict) -> str | None:
    try:
        with _opener.open(
            urllib.request.Request(url, headers=headers, method=method),
            timeout=TIMEOUT_SECONDS,
        ) as response:
            response.read()
    except urllib.error.HTTPError as error:
        error.read()
        # A page gone (its 404 replaced the copy) or moved is an answer, not a
        # failure; so is a purge of a page the cache did not hold (Squid's 404).
        if error.code not in (301, 302, 303, 307, 308, 404, 410):
            return f"HTTP {error.code}"
    except OSError as error:
        return str(error)
    return None
