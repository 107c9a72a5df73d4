"""Django's ``{% url %}`` and ``{% translate %}``, same syntax and output, cheaper:
``{% load fast_tags %}`` puts them in place of Django's own for the rest of the
template (base.html and the article page load it).

- ``{% url %}``: its result remembered by the process. The public pages print the
  same dozen site links on every page (header, footer, feeds); Django's tag reverses
  each anew on every render. A URL depends only on the URLconf, which does not change
  while a process runs, and on the script prefix, the active language (``/en/…``),
  the current app and the request's URLconf: ``yantai.links.remembered_reverse``
  keeps it under all of them.
- ``{% translate "literal" %}`` (no filter, ``as``, ``noop`` or ``context``: those go
  to Django's tag): ``gettext`` of the literal, as Django's tag computes it, without
  the lazy string, the variable resolution and the value rendering it goes through
  (a page prints about fifty).
"""

from __future__ import annotations

from django import template
from django.template import Node, defaulttags
from django.templatetags import i18n
from django.urls import NoReverseMatch, reverse
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from yantai.links import remembered_reverse

register = template.Library()


class CachedURLNode(defaulttags.URLNode):
    def render(self, context):
        args = tuple(arg.resolve(context) for arg in self.args)
        kwargs = tuple(sorted((k, v.resolve(context)) for k, v in self.kwargs.items()))
        view_name = self.view_name.resolve(context)
        request = getattr(context, "request", None)
        current_app = getattr(request, "current_app", None)
        if current_app is None:
            current_app = getattr(
                getattr(request, "resolver_match", None), "namespace", None
            )
        url = ""
        try:
            try:
                url = remembered_reverse(view_name, args, kwargs, current_app)
            except TypeError:  # an argument that cannot be a key: not remembered
                url = reverse(
                    view_name, args=args, kwargs=dict(kwargs), current_app=current_app
                )
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    """Django's ``{% url %}`` (same syntax and output), remembered per process."""
    node = defaulttags.url(parser, token)
    return CachedURLNode(node.view_name, node.args, node.kwargs, node.asvar)


class TranslateLiteralNode(Node):
    """``{% translate "literal" %}``: what Django's ``TranslateNode`` renders for it
    (the literal is safe, so is its translation; ``%`` doubled for the lookup)."""

    child_nodelists = ()

    def __init__(self, literal: str):
        self.msgid = mark_safe(literal.replace("%", "%%"))

    def render(self, context):
        return mark_safe(gettext(self.msgid).replace("%%", "%"))


@register.tag("translate")
@register.tag("trans")
def translate(parser, token):
    """Django's ``{% translate %}``; a plain literal rendered by the short way."""
    node = i18n.do_translate(parser, token)
    expression = node.filter_expression
    literal = getattr(expression.var, "literal", None)
    if (
        isinstance(literal, str)
        and not expression.filters
        and not node.noop
        and node.asvar is None
        and node.message_context is None
    ):
        return TranslateLiteralNode(literal)
    return node
