"""Template tags of the news app."""

from __future__ import annotations

from django import template
from django.core.files.storage import default_storage

register = template.Library()

FALLBACK_TYPES = {"jpeg": "image/jpeg", "png": "image/png"}


def _srcset(renditions: list[dict], fmt: str) -> str:
    return ", ".join(
        f"{default_storage.url(r['name'])} {r['width']}w"
        for r in renditions
        if r["format"] == fmt
    )


@register.inclusion_tag("news/includes/picture.html")
def picture(
    image,
    sizes: str = "(max-width: 760px) 100vw, 760px",
    loading: str = "lazy",
    css_class: str = "",
):
    """A ``<picture>`` of a library image: WebP and JPEG/PNG ``srcset``s, lazy.

    Renditions were made at upload (``news.images``); nothing is resized here. An
    image without renditions (made before they existed) falls back to its file.
    """
    renditions = list(image.renditions or []) if image else []
    fallback_format = next(
        (r["format"] for r in renditions if r["format"] in FALLBACK_TYPES), None
    )
    fallbacks = [r for r in renditions if r["format"] == fallback_format]
    # The ``src`` for browsers without srcset support: the widest fallback.
    src = (
        default_storage.url(fallbacks[-1]["name"])
        if fallbacks
        else (image.file.url if image and image.file else "")
    )
    return {
        "image": image,
        "src": src,
        "alt": "" if image is None or image.is_decorative else image.alt_text,
        "webp_srcset": _srcset(renditions, "webp"),
        "fallback_srcset": _srcset(renditions, fallback_format) if fallbacks else "",
        "fallback_type": FALLBACK_TYPES.get(fallback_format, ""),
        "sizes": sizes,
        "loading": loading,
        "css_class": css_class,
    }
