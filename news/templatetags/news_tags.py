"""Template tags of the news app."""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

from news import pagecache
from news.body_images import BODY_SIZES, picture_context

register = template.Library()


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
    最新文章), rendered from the page's context; in a page cached whole
    (``defer_fragments``) only its marker, filled in when the page is served."""
    if context.get("defer_fragments"):
        return mark_safe(pagecache.marker(name))
    fragment = context.template.engine.get_template(pagecache.FRAGMENTS[name])
    # The footer's 站点设置 come with the channel menu (one shared entry).
    extra = {"site": pagecache.site_chrome()[1]} if name == "footer" else {}
    with context.push(**extra):
        return fragment.render(context)
