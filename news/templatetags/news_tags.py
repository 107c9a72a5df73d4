"""Template tags of the news app."""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http.request import split_domain_port
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from news import pagecache
from news.body_images import BODY_SIZES, picture_context
from news.models import Byline
from news.revisions import person_name
from yantai import links

from .fast_tags import escaped, page_language

register = template.Library()


# The site's content (titles, bodies, names) is Chinese; on a page in another
# language (/en/…) each element of it says so, for screen readers' voices and for
# fonts (WCAG 2.1, 3.1.2 Language of Parts). Chinese pages print nothing more.
ZH_LANG = mark_safe(' lang="zh-Hans"')


def _chinese(language: str | None) -> bool:
    return (language or "").startswith("zh")


@register.simple_tag(takes_context=True)
def content_lang(context) -> str:
    """`` lang="zh-Hans"`` on a page in another language, else nothing:
    ``{% content_lang as zh %}`` once, then ``<h1{{ zh }}>`` (base.html sets it
    for every page that extends it, the data pages included)."""
    return "" if _chinese(page_language(context)) else ZH_LANG


@register.filter
def domain(host: str) -> str:
    """The domain of a request's host (``get_host()``), without its port: the
    政府网站 ``SiteDomain`` meta tag's content."""
    return split_domain_port(host)[0] or host


@register.filter
def chinese(text) -> str:
    """``text`` (Chinese content) in a ``<span lang="zh-Hans">`` on a page in another
    language, for a name inside a sentence (``{% blocktranslate with
    name=tag.name|chinese %}``); on a Chinese page the text alone, escaped."""
    if _chinese(get_language()):
        return conditional_escape(text)
    return format_html('<span lang="zh-Hans">{}</span>', text)


@register.inclusion_tag("news/includes/picture.html")
def picture(
    image,
    sizes: str = BODY_SIZES,
    loading: str = "lazy",
    css_class: str = "",
):
    """A ``<picture>`` of a library image: WebP and JPEG/PNG ``srcset``s, lazy."""
    return picture_context(image, sizes=sizes, loading=loading, css_class=css_class)


@register.simple_tag(takes_context=True)
def page_fragment(context, name: str) -> str:
    """A part every page shows (``news.pagecache.FRAGMENTS``: the channel menu,
    最新文章, the footer, the 政府网站标识码 meta tag), rendered from the page's
    context; in a page cached whole (``defer_fragments``) only its marker, filled
    in when the page is served."""
    if context.get("defer_fragments"):
        return mark_safe(pagecache.marker(name))
    fragment = context.template.engine.get_template(pagecache.FRAGMENTS[name])
    # 站点设置 come with the channel menu (one shared entry).
    extra = {}
    if name in pagecache.SITE_FRAGMENTS:
        extra["site"] = pagecache.site_chrome()[1]
    with context.push(**extra):
        return fragment.render(context)


# Printed at the end of an article, as portals do, not in the byline.
EDITOR_ROLES = {Byline.Role.EDITOR, Byline.Role.RESPONSIBLE_EDITOR}


@lru_cache(maxsize=16)
def _role_names(language) -> dict:
    """Each byline role's name in ``language`` (the active one when it is called):
    ``Byline.Role(role).label``, a lazy translation, made and translated once."""
    return {role.value: str(role.label) for role in Byline.Role}


@receiver(setting_changed)
def _forget(**kwargs) -> None:
    _role_names.cache_clear()


@register.simple_tag(takes_context=True)
def article_credits(context, article) -> dict:
    """The article's bylines grouped by role for the meta line (``YMG全媒体记者 逄苗
    通讯员 孙洪安``), and its 编辑/责任编辑 bylines for the end of the article; role
    names in the page's language; the name of its 责任编辑 (``person_name``, the
    row selected with the article). Reads the prefetched bylines: no query."""
    language = page_language(context)
    english = not (language or "").startswith("zh")
    names = _role_names(language)
    byline, editors = [], []
    for _label, bylines in article.byline_groups():
        first = bylines[0]
        role = names[first.role]
        gap = " " if english and first.prefix else ""
        group = (f"{first.prefix}{gap}{role}", bylines)
        (editors if first.role in EDITOR_ROLES else byline).append(group)
    return {
        "byline": byline,
        "editors": editors,
        # Never a login name on a public page.
        "responsible_editor": person_name(article.responsible_editor),
    }


# The article page's lists, each in one tag: a {% for %} loop renders the same items
# with three lookups and two escapes per item through the template engine, on every
# page not in the cache (bench/cold_page.py). Same HTML, same escaping.


# The objects' get_absolute_url() (an article's, a tag's, a person's: yantai.links)
# take the language read once for the render (links.in_language), not each anew.


@register.simple_tag(takes_context=True)
def link_items(context, objects, text: str, chinese: bool = False) -> str:
    """``<li><a href="{{ o.get_absolute_url }}">{{ o.<text> }}</a></li>`` for each
    of ``objects`` (an article's tags, 相关新闻); ``chinese``: each ``<li>`` of a
    page in another language says its text is Chinese (``content_lang``)."""
    language = page_language(context)
    item = f"<li{ZH_LANG}>" if chinese and not _chinese(language) else "<li>"
    with links.in_language(language):
        return mark_safe(  # noqa: S308 - every value escaped
            "".join(
                f'{item}<a href="{escaped(o.get_absolute_url())}">'
                f"{escaped(getattr(o, text))}</a></li>"
                for o in objects
            )
        )


@register.simple_tag(takes_context=True)
def byline_links(context, groups) -> str:
    """The meta line's names: each group's label, then `` <a href=…>name</a>`` for
    each of its people; groups apart by a space (``article_credits``' ``byline``).
    The names are Chinese: on a page in another language each link says so."""
    language = page_language(context)
    attrs = "" if _chinese(language) else ZH_LANG
    with links.in_language(language):
        return mark_safe(  # noqa: S308 - every value escaped
            " ".join(
                escaped(label)
                + "".join(
                    f' <a href="{escaped(b.person.get_absolute_url())}"{attrs}>'
                    f"{escaped(b.person.name)}</a>"
                    for b in bylines
                )
                for label, bylines in groups
            )
        )
