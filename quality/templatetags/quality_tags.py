"""Template tags that let news pages show quality data (news never imports quality)."""

from django import template
from django.utils.safestring import mark_safe

from news.extensions import figure_marks
from quality.figure_links import mark_figures

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
    marks = figure_marks(article)
    if marks:
        body = mark_figures(body, marks, id_prefix=f"figure-{article.pk}")
    return mark_safe(body)  # noqa: S308 - sanitised on write, marks escaped
