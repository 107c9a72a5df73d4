"""Template tags that let news pages show quality data (news never imports quality)."""

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, override

from news.extensions import figure_marks
from quality.figure_links import article_figures, mark_figures

register = template.Library()


@register.simple_tag
def article_body_with_figures(article):
    """The article body with its confirmed figures linked to their indicators.

    The marks come with the article (``Article.objects.for_detail_row()`` joins
    ``ArticleFigures``): no query of their own. The body is sanitised when it is
    written (yantai.html), which is why it may be output as is; everything the
    marking adds is escaped.
    """
    body = article.body or ""
    marks = _in_page_language(figure_marks(article))
    if marks:
        body = mark_figures(body, marks, id_prefix=f"figure-{article.pk}")
    return mark_safe(body)  # noqa: S308 - sanitised on write, marks escaped


@register.inclusion_tag("news/includes/article_data.html")
def article_data_box(article):
    """本文数据: each confirmed figure of the article once, as the text writes it,
    with its period and a link to its indicator. From the marks read with the
    article: no query."""
    return {"figures": article_figures(_in_page_language(figure_marks(article)))}


def _in_page_language(marks: list[dict]) -> list[dict]:
    """The marks with their indicator links in the page's language (``/en/…``): the
    stored marks hold the Chinese address, whatever page they are shown on."""
    language = get_language()
    if language == settings.LANGUAGE_CODE:
        return marks
    with override(settings.LANGUAGE_CODE):  # translate_url reads the URL in it
        return [{**mark, "url": translate_url(mark["url"], language)} for mark in marks]
