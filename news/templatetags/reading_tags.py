"""Template tags of the public reading pages: reading preferences, SEO markup."""

import json
import re
from functools import lru_cache

from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import NoReverseMatch, reverse, translate_url
from django.utils import timezone, translation
from django.utils.encoding import escape_uri_path
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from yantai.links import cached_reverse, id_url, prefix_and_urlconf

from .fast_tags import escaped, page_language, static_url

register = template.Library()

FONT_SIZES = ("small", "medium", "large")
# The characters that could end a <script> element or start markup, as JSON escapes
# (the same table Django's json_script uses).
_JSON_ESCAPES = {">": "\\u003E", "<": "\\u003C", "&": "\\u0026"}


def _json_escaped(text: str) -> str:
    # str.replace, not str.translate: translate looks up every character of the
    # (mostly Chinese) text in the table; replace scans in C.
    for char, replacement in _JSON_ESCAPES.items():
        text = text.replace(char, replacement)
    return text


def reading_preferences(request) -> tuple[str, bool]:
    """The reader's stored 字号 and 关怀版 (cookies ``fontsize`` and ``care``).

    Read by the no-JavaScript stylesheet and the link that sets them only: pages do
    not depend on them (static/js/reading-prefs.js applies them in the browser).
    """
    cookies = getattr(request, "COOKIES", {}) if request else {}
    size = cookies.get("fontsize")
    return (size if size in FONT_SIZES else "medium"), cookies.get("care") == "1"


# The switches static/css/site.css reads, as its ``html.fs-small``, ``html.fs-large``
# and ``html.care`` rules set them: a switch is on when empty, off when ``initial``
# (the "space toggle": every 字号/关怀版 rule of site.css is written once against them).
SWITCHES = {
    "small": "--fs-s: ; --fs-m: initial;",
    "medium": "",
    "large": "--fs-l: ; --fs-m: initial;",
    "care": "--care: ; --no-care: initial;",
}


def reading_css(size: str, care: bool) -> str:
    """The CSS that applies ``size`` and ``care`` for a reader without JavaScript."""
    switches = " ".join(
        filter(None, (SWITCHES[size], SWITCHES["care"] if care else ""))
    )
    return f"html {{ {switches} }}\n" if switches else ""


def _head(params) -> str:
    """A ``reading_url`` with ``params`` (its ``next`` among them, or before it)."""
    return f"{cached_reverse('news:reading-preferences')}?{urlencode(params)}"


@lru_cache(maxsize=256)
def _reading_head(params: tuple, language, prefix, urlconf) -> str:
    """A ``reading_url`` up to its ``next``: the same for every page in a language,
    script prefix and URLconf (the key, as ``yantai.links`` reverses)."""
    return _head(params)


@lru_cache(maxsize=1)
def _language_names() -> tuple[tuple[str, str, str], ...]:
    """Each of ``settings.LANGUAGES`` as ``get_language_info`` gives it (its code, and
    its code and local name escaped), made once: the function imports ``LANG_INFO``
    and makes a lazy translated name on every call."""
    rows = []
    for code, _name in settings.LANGUAGES:
        info = translation.get_language_info(code)
        rows.append((info["code"], escaped(info["code"]), escaped(info["name_local"])))
    return tuple(rows)


@receiver(setting_changed)
def _forget(**kwargs) -> None:
    _reading_head.cache_clear()
    _language_names.cache_clear()


#: The longest query string the page's 字号/关怀版 and language links carry back.
#: No form of the site makes a longer one (a search or filter field takes 100
#: characters); a longer one is left off, so that a page does not repeat a
#: crafted address of kilobytes in each of its six links.
LINK_QUERY_MAX = 1000


def full_path(request) -> str:
    """``request.get_full_path()``, once per request (the page's five 字号/关怀版
    links and its language links print it); the path alone when the query string
    is longer than ``LINK_QUERY_MAX``."""
    try:
        return request._full_path
    except AttributeError:
        if len(request.META.get("QUERY_STRING", "")) > LINK_QUERY_MAX:
            path = escape_uri_path(request.path)
        else:
            path = request.get_full_path()
        request._full_path = path
        return path


def same_for_every_query(request) -> None:
    """Mark ``request``'s page as one page whatever its query string (an article's:
    WeChat's ``?from=timeline``, ``utm_…`` change nothing in it). Its 字号/关怀版 and
    language links then come back to its path alone, so that its HTML, and the
    page cache's copy of it, are the same for every such request."""
    request._full_path = escape_uri_path(request.path)


@register.simple_tag(takes_context=True)
def reading_url(context, **params) -> str:
    """A link that sets a reading preference without JavaScript and comes back."""
    request = context.get("request")
    if request is None:
        params["next"] = "/"
        return _head(params)
    # urlencode(params + next), with ``next`` (the page's own address) encoded once
    # for the five links of the page, and what comes before it once per language.
    try:
        back = request._reading_next
    except AttributeError:
        back = request._reading_next = urlencode({"next": full_path(request)})
    try:
        head = _reading_head(
            tuple(params.items()), page_language(context), *prefix_and_urlconf()
        )
    except TypeError:  # a value that cannot be a key
        head = _head(params)
    return f"{head}&{back}"


def page_in_language(request, path: str, code: str) -> str:
    """``translate_url(path, code)``: this page's address in language ``code``.

    For the request's own path, from the match Django made of it (no second
    ``resolve()``), its link remembered per process (``yantai.links``)."""
    match = getattr(request, "resolver_match", None)
    if (
        match is None
        or match.args
        or not path == request.path == request.path_info
        # A view's extra arguments (the sitemaps' dict) are no key of a remembered URL.
        or not all(type(value) in (str, int) for value in match.kwargs.values())
    ):
        return translate_url(path, code)
    name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
    kwargs = match.kwargs
    if len(kwargs) == 1 and type(value := next(iter(kwargs.values()))) is int:
        # An article's page: no language activated (that costs ~10 µs a link).
        try:
            return id_url(name, next(iter(kwargs)), value, language=code)
        except NoReverseMatch:
            return path
    if code == translation.get_language():
        return _reversed(name, kwargs, path)
    with translation.override(code):
        return _reversed(name, kwargs, path)


def _reversed(name: str, kwargs: dict, path: str) -> str:
    """``cached_reverse`` in the active language; ``path`` if nothing matches (the
    one-id pages went to ``id_url`` above)."""
    try:
        return cached_reverse(name, **kwargs)
    except NoReverseMatch:
        return path


@register.simple_tag(takes_context=True)
def language_url(context, code: str) -> str:
    """This page in language ``code`` (``/en/…`` or ``/…``); its home page if it has
    no such page (a 404)."""
    request = context.get("request")
    path = full_path(request) if request else "/"
    url = page_in_language(request, path, code)
    if url == path:
        with translation.override(code):
            url = reverse("news:home")
    return url


@register.simple_tag(takes_context=True)
def language_links(context) -> str:
    """The footer's languages, `` · `` apart: the current one a ``<span>``, each
    other one a link to this page in it (``language_url``). One tag for what a
    loop over ``get_language_info_list`` rendered with a dozen lookups."""
    current = page_language(context)
    links = []
    for code, lang, name in _language_names():
        if code == current:
            links.append(
                f'<span class="current" lang="{lang}" aria-current="true">{name}</span>'
            )
        else:
            href = escaped(language_url(context, code))
            links.append(f'<a href="{href}" lang="{lang}" hreflang="{lang}">{name}</a>')
    return mark_safe(" · ".join(links))  # noqa: S308 - every value escaped


@register.simple_tag(takes_context=True)
def language_alternates(context) -> str:
    """``<link rel="alternate" hreflang>`` for each language's version of this page,
    and ``x-default`` (the Chinese one) for every other reader; page 2 of a list
    (``page_query``) in each language, as its canonical URL."""
    request = context.get("request")
    if request is None:
        return ""
    page = context.get("page_query") or ""
    rows = []
    for code, _name in settings.LANGUAGES:
        url = absolute(request, page_in_language(request, request.path, code)) + page
        rows.append(("zh-Hans" if code == "zh-hans" else code, url))
        if code == settings.LANGUAGE_CODE:
            rows.append(("x-default", url))
    return mark_safe(  # noqa: S308 - every value escaped
        "\n  ".join(
            f'<link rel="alternate" hreflang="{escaped(code)}" href="{escaped(url)}">'
            for code, url in rows
        )
    )


# What ``iri_to_uri`` (the end of ``build_absolute_uri``) leaves as it is: the
# characters ``urllib.parse.quote`` never quotes and the ``safe`` ones it is given.
_URI_AS_IS = re.compile(r"[A-Za-z0-9_.\-~/#%\[\]=:;$&()+,!?*@']*")


def site_root(request) -> str:
    """``scheme://host`` of ``request``, worked out once per request (a page prints
    its own address five times): ``request.get_host()`` validates the host against
    ``ALLOWED_HOSTS`` as before, once. Django's own per-request value, the one
    ``build_absolute_uri`` uses (so ``absolute``'s fallback reuses it too)."""
    return request._current_scheme_host


def absolute(request, location) -> str:
    """``request.build_absolute_uri(location)``: for a path of the site (``/…``)
    that ``iri_to_uri`` would leave as it is, ``site_root`` and the path, without
    ``urlsplit`` and ``quote``; anything else by Django's method."""
    if (
        type(location) is str
        and location[:1] == "/"
        and location[1:2] != "/"
        and "/./" not in location
        and "/../" not in location
        and _URI_AS_IS.fullmatch(location)
    ):
        return site_root(request) + location
    return request.build_absolute_uri(location)


@register.simple_tag(takes_context=True)
def absolute_url(context, path: str) -> str:
    request = context.get("request")
    return absolute(request, path) if request else path


@register.simple_tag(takes_context=True)
def article_json_ld(context, article, url: str | None = None, tags=None) -> str:
    """A ``<script type="application/ld+json">`` NewsArticle, safely escaped;
    ``url`` and ``tags``: the article's ``get_absolute_url()`` and
    ``tags.all()`` if the caller has them."""
    request = context.get("request")

    def absolute_uri(path: str) -> str:
        return absolute(request, path) if request else path

    # The site by the name the page gives it (og:site_name): Quality Yantai on /en/.
    site_name = translation.gettext("品质烟台")
    authors = [
        {"@type": "Person", "name": name}
        for name in dict.fromkeys(b.person.name for b in article.bylines.all())
    ] or [{"@type": "Organization", "name": article.source or site_name}]
    # The article page's times as news.views.article_facts put them (ISO, local).
    facts = (article.published_at and context.get("article_facts")) or {
        "published_iso": timezone.localtime(article.published_at).isoformat(),
        "modified_iso": timezone.localtime(
            article.revised_at or article.published_at
        ).isoformat(),
    }
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title[:110],
        "description": article.summary,
        "datePublished": facts["published_iso"],
        # 更新时间: when a revised version was last published, else first publication.
        "dateModified": facts["modified_iso"],
        "author": authors,
        "publisher": {
            "@type": "Organization",
            "name": site_name,
            "logo": {
                "@type": "ImageObject",
                "url": absolute_uri(static_url("img/logo.png")),
            },
        },
        "mainEntityOfPage": absolute_uri(url or article.get_absolute_url()),
        "articleSection": article.channel.name,
        "keywords": [
            tag.name for tag in (article.tags.all() if tags is None else tags)
        ],
    }
    # Google wants an image on every NewsArticle: the site logo when there is no cover.
    cover = article.cover.file.url if article.cover_id and article.cover else None
    data["image"] = [absolute_uri(cover or static_url("img/logo.png"))]
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    # Not HTML-escaped (quotes stay quotes): JSON inside <script> needs the raw text
    # with only the script-breaking characters escaped.
    return mark_safe(  # noqa: S308 - <, > and & escaped as JSON escapes
        f'<script type="application/ld+json">{_json_escaped(text)}</script>'
    )
