"""HTML from editors: one allow-list, used on every write path (admin, import, API)."""

import re
from html import unescape

import nh3

# What the rich-text body may contain. Anything else (scripts, event handlers, inline
# styles, fonts, classes pasted from Word/WPS, javascript: URLs) is dropped.
ALLOWED_TAGS = {
    "h2",
    "h3",
    "h4",
    "p",
    "br",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "s",
    "sub",
    "sup",
    "ul",
    "ol",
    "li",
    "blockquote",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "caption",
    "figure",
    "figcaption",
    "img",
    "picture",
    "source",
    "hr",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {
        "src",
        "alt",
        "width",
        "height",
        "srcset",
        "sizes",
        "loading",
        "decoding",
        "data-image-id",
        # A library image's id: news.body_images rebuilds it from the library.
        "data-file",
    },
    "source": {"srcset", "sizes", "type"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "figure": {"data-image-id"},
}
URL_SCHEMES = {"http", "https", "mailto"}

_EMPTY_INLINE = re.compile(r"<(span|strong|b|em|i|u|s)>\s*</\1>")
_EMPTY_PARAGRAPH = re.compile(r"<p>(\s|&nbsp;|<br>)*</p>")
_BLOCK_BOUNDARY = re.compile(r"</(p|h[1-6]|li|blockquote|tr|figcaption|caption)>|<br>")
_TAG = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"[ \t\u3000\xa0]+")


def sanitize_html(html: str) -> str:
    """Return ``html`` reduced to the allow-list, with empty paste debris removed."""
    cleaned = nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    cleaned = _EMPTY_INLINE.sub("", cleaned)
    cleaned = _EMPTY_PARAGRAPH.sub("", cleaned)
    return cleaned.strip()


def html_to_text(html: str) -> str:
    """Plain text of ``html``: one line per block, for search and summaries."""
    text = _BLOCK_BOUNDARY.sub("\n", html or "")
    text = unescape(_TAG.sub("", text))
    lines = (_SPACES.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)
