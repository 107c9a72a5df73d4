"""Request body parsers of the API."""

from __future__ import annotations

import codecs
import json

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json as drf_json


class JSONParser(parsers.JSONParser):
    """DRF's, with its refusals in Chinese, and a 400 for a body that is not a JSON
    object or that holds a lone surrogate.

    DRF answered a syntax error with Python's English message ("JSON parse error -
    Expecting ',' delimiter …") and a ``null`` body with "No data provided"; here
    every unreadable body is one ``detail`` in Chinese, naming the line and column
    of a syntax error. Every endpoint takes one object: a list, a number, a string
    or ``null`` is refused here too, with one message.

    JSON may spell one (``"\\ud800"``), which no driver can encode as UTF-8 and
    which DRF's own JSON renderer cannot write back: a choice field's or an unknown
    key's error message repeats the value, and answering it failed with a 500.
    Here the whole body is refused at once, keys and values at any depth, before
    any serializer sees it. (NUL, which PostgreSQL refuses, is encodable: the
    fields refuse it with an error naming the field.)
    """

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding") or "utf-8"
        try:
            data = json.load(
                codecs.getreader(encoding)(stream),
                parse_constant=drf_json.strict_constant,
            )
        except json.JSONDecodeError as exc:
            raise ParseError(
                _("请求内容不是有效的 JSON：第 %(line)d 行第 %(column)d 列有误。")
                % {"line": exc.lineno, "column": exc.colno}
            ) from None
        except ValueError:  # NaN/Infinity, or bytes that are not UTF-8
            raise ParseError(
                _(
                    "请求内容不是有效的 JSON（须为 UTF-8 编码，数值不能是 NaN 或 Infinity）。"
                )
            ) from None
        if not isinstance(data, dict):
            raise ParseError(
                _(
                    "请求内容必须是一个 JSON 对象（{…}），不能是列表、数字、字符串或 null。"
                )
            )
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
