"""Request body parsers of the API."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """DRF's, and a 400 for a body holding a lone surrogate.

    JSON may spell one (``"\\ud800"``), which no driver can encode as UTF-8 and
    which DRF's own JSON renderer cannot write back: a choice field's or an unknown
    key's error message repeats the value, and answering it failed with a 500.
    Here the whole body is refused at once, keys and values at any depth, before
    any serializer sees it. (NUL, which PostgreSQL refuses, is encodable: the
    fields refuse it with an error naming the field.)
    """

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if not _storable(data):
            raise ParseError(
                _("请求内容中含有无法处理的字符（孤立的代理码位），请检查后重试。")
            )
        return data


def _storable(value) -> bool:
    """Every string of the parsed JSON ``value`` (keys too) encodes as UTF-8."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return False
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return True
