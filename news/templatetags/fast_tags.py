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
- ``{% static %}``: its URL remembered by the process (the storage's URL of a path
  does not change while a process runs; forgotten when a test changes a setting).
  ``static_url(path)`` is the same for Python code.
- The active language is read once per template render (the template, the one it
  extends, not its includes) and kept in the render context: each read is an
  asgiref ``Local`` lookup, and a page asks for it at every translation and link.
  ``{% language %}`` (Django's, same syntax) reads it again inside its block;
  ``{% get_current_language as var %}`` (Django's, same syntax) gives the one read.
- ``{% per_language %}…{% endper_language %}``: a stretch of a page that is the same
  for every request in a language (the site header's and footer's links, the
  stylesheets), rendered once per language, script prefix and URLconf by the
  process and then printed as it was. It may hold only text, literal
  ``{% translate %}``, ``{% url %}`` with literal arguments and ``{% static %}``
  with a literal path (a template that puts anything else in it does not load),
  so what it prints cannot depend on the request.
"""

from __future__ import annotations

import html
from functools import lru_cache

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import Node, TemplateSyntaxError, defaulttags
from django.template.base import TextNode
from django.templatetags import i18n
from django.templatetags.static import StaticNode
from django.urls import NoReverseMatch, reverse
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext

from yantai.links import prefix_and_urlconf, remembered_reverse, sample_id_url

register = template.Library()

_generation = [0]  # bumped when a setting changes (tests): everything re-rendered

_LANGUAGE = object()  # the render context's key of the language read once


def page_language(context) -> str | None:
    """``get_language()``, read once per template render (see the module's
    docstring)."""
    render_context = context.render_context
    language = render_context.get(_LANGUAGE)
    if language is None:
        language = render_context[_LANGUAGE] = get_language()
    return language


def _current_app(context):
    """The current app ``{% url %}`` reverses in (Django's URLNode's rule)."""
    request = getattr(context, "request", None)
    current_app = getattr(request, "current_app", None)
    if current_app is None:
        current_app = getattr(
            getattr(request, "resolver_match", None), "namespace", None
        )
    return current_app


class CachedURLNode(defaulttags.URLNode):
    def render(self, context):
        args = tuple(arg.resolve(context) for arg in self.args)
        kwargs = tuple(sorted((k, v.resolve(context)) for k, v in self.kwargs.items()))
        view_name = self.view_name.resolve(context)
        current_app = _current_app(context)
        url = ""
        try:
            # An article's own links ({% url 'news:article-qr' article.pk %}): new ids
            # on every page not in the cache, which a remembered URL would not help.
            language = page_language(context)
            if len(args) == 1 and not kwargs:
                url = (
                    sample_id_url(
                        view_name, args[0], language=language, current_app=current_app
                    )
                    or ""
                )
            if not url:
                try:
                    url = remembered_reverse(
                        view_name, args, kwargs, current_app, language=language
                    )
                except TypeError:  # an argument that cannot be a key: not remembered
                    url = reverse(
                        view_name,
                        args=args,
                        kwargs=dict(kwargs),
                        current_app=current_app,
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
    (the literal is safe, so is its translation; ``%`` doubled for the lookup),
    kept per language by the node (the catalogues do not change while a process
    runs; forgotten with the rest when a setting changes)."""

    child_nodelists = ()

    def __init__(self, literal: str):
        self.msgid = mark_safe(literal.replace("%", "%%"))
        self.translated: dict = {}
        self.generation = _generation[0]

    def render(self, context):
        language = page_language(context)
        if self.generation == _generation[0]:
            text = self.translated.get(language)
            if text is not None:
                return text
        else:
            self.translated, self.generation = {}, _generation[0]
        text = self.translated[language] = mark_safe(
            gettext(self.msgid).replace("%%", "%")
        )
        return text


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


class LanguageNode(i18n.LanguageNode):
    """Django's ``{% language %}``; the nodes inside read the language it sets."""

    def render(self, context):
        render_context = context.render_context
        outside = render_context.get(_LANGUAGE)
        if outside is not None:
            del render_context[_LANGUAGE]
        try:
            return super().render(context)
        finally:
            render_context[_LANGUAGE] = outside


@register.tag
def language(parser, token):
    """Django's ``{% language %}`` (same syntax and output), for the language kept
    per render by this library's tags."""
    node = i18n.language(parser, token)
    return LanguageNode(node.nodelist, node.language)


class CurrentLanguageNode(i18n.GetCurrentLanguageNode):
    def render(self, context):
        context[self.variable] = page_language(context)
        return ""


@register.tag
def get_current_language(parser, token):
    """Django's ``{% get_current_language as var %}`` (same syntax and value), the
    language read once per render."""
    node = i18n.do_get_current_language(parser, token)
    return CurrentLanguageNode(node.variable)


def escaped(value) -> str:
    """``conditional_escape(value)`` for tags that build HTML: a plain ``str``
    escaped directly (Django's function first looks at every argument for a lazy
    string, then for ``__html__``)."""
    return html.escape(value) if type(value) is str else conditional_escape(value)


@lru_cache(maxsize=512)
def static_url(path: str) -> str:
    """``django.templatetags.static.static(path)``, remembered by the process."""
    return StaticNode.handle_simple(path)


class RememberedStaticNode(StaticNode):
    def url(self, context):
        path = self.path.resolve(context)
        try:
            return static_url(path)
        except TypeError:  # not a key (not a str): Django's own way
            return self.handle_simple(path)


@register.tag
def static(parser, token):
    """Django's ``{% static %}`` (same syntax and output), remembered per process."""
    node = StaticNode.handle_token(parser, token)
    return RememberedStaticNode(varname=node.varname, path=node.path)


def _literal(expression) -> bool:
    """A string or number written in the template, no filter."""
    var = expression.var
    return not expression.filters and (
        not isinstance(var, template.Variable) or var.lookups is None
    )


def _constant(node) -> bool:
    """True for a node whose output depends only on the language, the script
    prefix, the URLconf and the current app."""
    if isinstance(node, (TextNode, TranslateLiteralNode)):
        return True
    if isinstance(node, RememberedStaticNode):
        return node.varname is None and _literal(node.path)
    if isinstance(node, CachedURLNode):
        return (
            node.asvar is None
            and _literal(node.view_name)
            and all(map(_literal, node.args))
            and all(map(_literal, node.kwargs.values()))
        )
    return False


class PerLanguageNode(Node):
    # Its nodes are text, translations, URLs and static files only: no {% block %}
    # among them for ExtendsNode's search of every render to look for.
    child_nodelists = ()

    def __init__(self, nodelist):
        self.nodelist = nodelist
        self.urls = any(isinstance(node, CachedURLNode) for node in nodelist)
        self.rendered: dict[tuple, str] = {}
        self.generation = _generation[0]

    def render(self, context):
        if self.generation != _generation[0]:
            self.rendered, self.generation = {}, _generation[0]
        key = (
            page_language(context),
            *prefix_and_urlconf(),
            context.autoescape,
            _current_app(context) if self.urls else None,
        )
        html = self.rendered.get(key)
        if html is None:
            html = self.rendered[key] = self.nodelist.render(context)
        return html


@register.tag
def per_language(parser, token):
    """``{% per_language %}…{% endper_language %}``: see the module's docstring."""
    nodelist = parser.parse(("endper_language",))
    parser.delete_first_token()
    for node in nodelist:
        if not _constant(node):
            raise TemplateSyntaxError(
                f"{{% per_language %}} may hold only text, literal "
                f"{{% translate %}}, {{% url %}} and {{% static %}}, not {node!r} "
                f"(line {node.token.lineno if node.token else '?'})"
            )
    return PerLanguageNode(nodelist)


@receiver(setting_changed)
def _forget(**kwargs) -> None:
    static_url.cache_clear()
    _generation[0] += 1
