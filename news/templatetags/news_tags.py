"""Template tags of the news app."""

from __future__ import annotations

from django import template

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
