"""Filters of the quality pages: figures, periods and names in the page's language.

On the Chinese pages they print what the models print (``600余项``, ``截至2020年底``);
on the English pages (``/en/quality/…``) the English forms of ``quality.formatting``
and an indicator's English name.
"""

import re

from django import template
from django.utils.html import conditional_escape
from django.utils.translation import gettext

from news.templatetags.news_tags import chinese
from quality import series

register = template.Library()


@register.filter
def figure(observation) -> str:
    return series.figure_text(observation)


@register.filter
def period_text(period) -> str:
    return series.period_text(period)


@register.filter
def day_text(day) -> str:
    return series.day_text(day) if day else ""


@register.filter
def figure_with_period(observation) -> str:
    """截至2020年底，600余项 / end of 2020: more than 600."""
    period, value = series.period_text(observation.period), figure(observation)
    return f"{period}: {value}" if series.in_english() else f"{period}，{value}"


@register.filter
def indicator_title(indicator) -> str:
    return series.indicator_title(indicator)


@register.filter
def data_name(name: str) -> str:
    """A reference name (a topic, a region, a unit) through the catalogue: the
    demo's names have English entries; any other stays as staff wrote it."""
    return gettext(name) if name else name


CHINESE = re.compile("[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


@register.filter
def data_name_html(name: str) -> str:
    """``data_name`` as HTML: a name the catalogue leaves in Chinese (a company,
    a scheme, a region without an English entry) is marked ``lang="zh-Hans"`` on
    an English page, so that a screen reader reads it in a Chinese voice."""
    text = data_name(name)
    if text and CHINESE.search(str(text)):
        return chinese(text)  # marked on an English page only
    return conditional_escape(text)


@register.filter
def unit_text(symbol: str) -> str:
    return series.unit_text(symbol)
