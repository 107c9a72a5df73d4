"""Template tags of the public reading pages: reading preferences, SEO markup."""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode

register = template.Library()

FONT_SIZES = ("small", "medium", "large")
# The characters that could end a <script> element or start markup, as JSON escapes
# (the same table Django's json_script uses).
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def reading_preferences(request) -> tuple[str, bool]:
    cookies = getattr(request, "COOKIES", {}) if request else {}
    size = cookies.get("fontsize")
    return (size if size in FONT_SIZES else "medium"), cookies.get("care") == "1"


@register.simple_tag(takes_context=True)
def reading_classes(context) -> str:
    """Classes for <html>: ``fs-large``, ``care`` … from the reader's cookies."""
    size, care = reading_preferences(context.get("request"))
    return f"fs-{size}" + (" care" if care else "")


@register.simple_tag(takes_context=True)
def current_font_size(context) -> str:
    return reading_preferences(context.get("request"))[0]


@register.simple_tag(takes_context=True)
def care_mode(context) -> bool:
    return reading_preferences(context.get("request"))[1]


@register.simple_tag(takes_context=True)
def reading_url(context, **params) -> str:
    """A link that sets a reading preference without JavaScript and comes back."""
    request = context.get("request")
    params["next"] = request.get_full_path() if request else "/"
    return f"{reverse('news:reading-preferences')}?{urlencode(params)}"


@register.simple_tag(takes_context=True)
def absolute_url(context, path: str) -> str:
    request = context.get("request")
    return request.build_absolute_uri(path) if request else path


@register.simple_tag(takes_context=True)
def article_json_ld(context, article) -> str:
    """A ``<script type="application/ld+json">`` NewsArticle, safely escaped."""
    request = context.get("request")

    def absolute(path: str) -> str:
        return request.build_absolute_uri(path) if request else path

    authors = [
        {"@type": "Person", "name": name}
        for name in dict.fromkeys(b.person.name for b in article.bylines.all())
    ] or [{"@type": "Organization", "name": article.source or "品质烟台"}]
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title[:110],
        "description": article.summary,
        "datePublished": timezone.localtime(article.published_at).isoformat(),
        # 更新时间: when a revised version was last published, else first publication.
        "dateModified": timezone.localtime(
            article.revised_at or article.published_at
        ).isoformat(),
        "author": authors,
        "publisher": {
            "@type": "Organization",
            "name": "品质烟台",
            "logo": {"@type": "ImageObject", "url": absolute(static("img/logo.png"))},
        },
        "mainEntityOfPage": absolute(article.get_absolute_url()),
        "articleSection": article.channel.name,
        "keywords": [tag.name for tag in article.tags.all()],
    }
    # Google wants an image on every NewsArticle: the site logo when there is no cover.
    cover = article.cover.file.url if article.cover_id and article.cover else None
    data["image"] = [absolute(cover or static("img/logo.png"))]
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        # format_html would HTML-escape quotes; JSON inside <script> needs the raw
        # text with only the script-breaking characters escaped.
        _SafeJSON(text.translate(_JSON_ESCAPES)),
    )


class _SafeJSON(str):
    def __html__(self) -> str:
        return str(self)
