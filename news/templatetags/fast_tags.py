"""``{% url %}``, its result remembered by the process: ``{% load cached_url %}``
puts it in place of Django's own for the rest of the template.

The public pages print the same dozen site links on every page (header, footer,
feeds); Django's tag reverses each of them anew on every render. A URL depends only
on the URLconf, which does not change while a process runs, and on the script
prefix, the active language (``/en/…``) and the current app, which are part of the
key (as in ``yantai.links.cached_reverse``).
"""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import defaulttags
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.translation import get_language

register = template.Library()


@lru_cache(maxsize=4096)
def _reverse(view_name, args, kwargs, current_app, prefix, language, urlconf) -> str:
    return reverse(
        view_name,
        urlconf=urlconf,
        args=args,
        kwargs=dict(kwargs),
        current_app=current_app,
    )


@receiver(setting_changed)
def _forget(*, setting: str, **kwargs) -> None:
    if setting == "ROOT_URLCONF":  # tests that swap the URLconf
        _reverse.cache_clear()


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
        key = (current_app, get_script_prefix(), get_language(), get_urlconf())
        try:
            try:
                url = _reverse(view_name, args, kwargs, *key)
            except TypeError:  # an argument that cannot be a key: not remembered
                url = _reverse.__wrapped__(view_name, args, kwargs, *key)
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
