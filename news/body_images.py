"""Library images inside article bodies.

The editor's figure dialog has a “浏览…” button (django-prose-editor's ``pickerUrl``)
that opens the image library's picker (``ImageAdmin.picker_view``); the chosen image
arrives in the body as ``<img data-file="ID" src=… alt=…>``. On every save,
``resolve_body_images`` turns each such image into the same responsive ``<picture>``
the cover gets (WebP and JPEG/PNG ``srcset``, width and height, lazy), from the
library's renditions. It runs after the sanitiser, on markup it builds itself from
stored data, and undoes its own work first, so saving twice gives the same body.

The alt text is the body's: the picker fills in the library's at insertion and each
save keeps what the body carries, so a later edit of the library's alt text changes
no article (the body cannot tell an untouched default from a tailored alt). Only an
empty alt takes the library's, and a decorative image always gets an empty one.
"""

from __future__ import annotations

import re
from html import unescape

from django.apps import apps
from django.core.files.storage import default_storage
from django.template.loader import render_to_string

from yantai.text import plain_id

BODY_SIZES = "(max-width: 760px) 100vw, 760px"
FALLBACK_TYPES = {"jpeg": "image/jpeg", "png": "image/png"}

# The sanitiser's output quotes every attribute with double quotes, so these simple
# patterns are enough on it.
_PICTURE = re.compile(r"<picture>.*?(<img\b[^>]*>).*?</picture>", re.S)
_LIBRARY_IMG = re.compile(r'<img\b[^>]*\bdata-file="(\d+)"[^>]*>')
_ALT = re.compile(r'\balt="([^"]*)"')


def picture_context(
    image,
    *,
    sizes: str = BODY_SIZES,
    loading: str = "lazy",
    css_class: str = "",
    alt: str | None = None,
    in_body: bool = False,
) -> dict:
    """What ``news/includes/picture.html`` needs to show ``image`` responsively.

    Renditions were made at upload (``news.images``); nothing is resized here. An
    image without renditions (made before they existed) falls back to its file.
    ``alt`` overrides the library's text (an editor may describe the image for this
    article); a decorative image always gets an empty one. ``in_body`` marks the
    ``<img>`` with its library id, so that the next save can rebuild it.
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
    if image is None or image.is_decorative:
        alt = ""
    elif not alt:
        alt = image.alt_text
    return {
        "image": image,
        "src": src,
        "alt": alt,
        "webp_srcset": _srcset(renditions, "webp"),
        "fallback_srcset": _srcset(renditions, fallback_format) if fallbacks else "",
        "fallback_type": FALLBACK_TYPES.get(fallback_format, ""),
        "sizes": sizes,
        "loading": loading,
        "css_class": css_class,
        "data_file": image.pk if image and in_body else None,
    }


def _srcset(renditions: list[dict], fmt: str) -> str:
    return ", ".join(
        f"{default_storage.url(r['name'])} {r['width']}w"
        for r in renditions
        if r["format"] == fmt
    )


def library_image_id(value: str) -> int | None:
    """The image id a ``data-file`` value names, None when it cannot be one (any
    other value, "１２" or 19 digits among them, is an unknown image)."""
    return plain_id(value)


def body_library_images(html: str) -> list[tuple[int, str]]:
    """The library images of a body (``data-file``), each once, in order, with the
    alt text the body gives it: what a stored body (a revision's too) refers to.
    A value that cannot be an id (``library_image_id``) never named an image."""
    found: dict[int, str] = {}
    for match in _LIBRARY_IMG.finditer(html or ""):
        if (pk := library_image_id(match.group(1))) is None:
            continue
        alt = _ALT.search(match.group(0))
        found.setdefault(pk, unescape(alt.group(1)) if alt else "")
    return list(found.items())


def resolve_body_images(html: str) -> str:
    """``html`` with each library image (``data-file``) as a responsive picture.

    One query for all the body's library images, none when it has none. An image
    deleted from the library, and a ``data-file`` that cannot be an id
    (``library_image_id``), keeps the ``<img>`` the editor inserted.
    """
    if "data-file=" not in html:
        return html
    html = _PICTURE.sub(lambda m: m.group(1), html)
    ids = {library_image_id(pk) for pk in _LIBRARY_IMG.findall(html)} - {None}
    # By name: news.models imports this module to call it from Article.save.
    images = apps.get_model("news", "Image").objects.in_bulk(ids)

    def expand(match: re.Match) -> str:
        image = images.get(library_image_id(match.group(1)))
        if image is None:
            return match.group(0)
        alt = _ALT.search(match.group(0))
        context = picture_context(
            image, alt=unescape(alt.group(1)) if alt else None, in_body=True
        )
        # Keep the markup on one line: the body is stored and diffed as HTML.
        rendered = render_to_string("news/includes/picture.html", context)
        return " ".join(line.strip() for line in rendered.splitlines()).strip()

    return _LIBRARY_IMG.sub(expand, html)
