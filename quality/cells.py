"""The one reading of an observation's number cell (value, lower, upper).

Every path that writes an observation reads a number given as text with
:func:`read_number`: the bulk import (``quality.bulk_import``), django-import-export's
导入 (``quality.resources.NumberCellWidget``), the admin's forms (add, change, 更正:
``NumberCellFormField``) and the API's create (``ObservationWriteSerializer``: a JSON
string; a JSON number stays a number). The same text gives the same value, or the
same refusal saying what to write instead, whichever way it comes.

Read as Chinese statistical tables print numbers: "1,700", "1，700", "1 700" (a
space, no-break or thin space between groups of three), "－5", "97%" of an
indicator in %, "一千七百", "1.7万"; "—", "/" … (``NO_DATA``) as no number — an
empty bound, a refusal for the value. Refused: "约1700", "超过97%", "1700余" (the
comparator column says that), a percent of another unit, "1.7万" of an indicator
already counted in 万, anything else that is no number.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from yantai.text import (
    CHINESE_DIGITS,
    CHINESE_PLACES,
    echoed,
    parse_chinese_number,
    spreadsheet_number,
)

#: What a Chinese statistical table prints in a cell that has no data.
NO_DATA = frozenset(("-", "--", "－", "—", "——", "–", "/", "／", "…", "……"))
# A number with the words around it that belong in the comparator column: "约1700",
# "超过97%", "1700余", "97%以上", ">97".
_HEDGED_RE = re.compile(
    r"(约|近|超过|超|逾|多于|大于|高于|不足|不到|少于|低于|达|>=|<=|≥|≤|>|<|～|~)?"
    r"\s*(.+?)\s*(余|多|以上|以下|以内|左右|上下)?"
)
_MULTIPLIER_CHARS = frozenset("万亿")

NOT_A_NUMBER = _(
    "“%(text)s”不是数字：请填阿拉伯数字，例如 1700、1,700、1 700、97.5 或 -5"
    "（也可写“一千七百”“1.7万”）。"
)
PERCENT_OF_OTHER_UNIT = _(
    "“%(text)s”是百分数，但该指标的单位是“%(unit)s”：请填以“%(unit)s”计的数字。"
)
HEDGED = _(
    "“%(text)s”：数值列只填数字；“约、超过、以上”等请在比较关系列填 ~、>、"
    ">=、<、<=，原文照录在原文写法列。"
)
MULTIPLIER_TWICE = _(
    "单位已是“%(unit)s”，“%(text)s”里又有“万”或“亿”，看不出是哪个数：请填以"
    "“%(unit)s”计的阿拉伯数字。"
)
NO_DATA_REQUIRED = _(
    "“%(text)s”表示无数据，而数值必填：没有数值的观测值不能录入（导入文件里请"
    "删去这一行）。"
)

Unit = str | None | Callable[[], str | None]


def _is_number(text: str) -> bool:
    try:
        return Decimal(text).is_finite()
    except InvalidOperation:
        return False


def _symbol(unit: Unit) -> str | None:
    """The unit's symbol, asked of a callable only now (a text that needs it)."""
    return unit() if callable(unit) else unit


def _refuse(message, code: str, **params) -> ValidationError:
    return ValidationError(message, code=code, params=params)


def read_number(value, *, unit: Unit = None, required: bool = True) -> Decimal | None:
    """``value`` (a cell: text, a number, or None) as the decimal it says.

    ``unit`` is the symbol of the observation's indicator ("%", "万元" …), or a
    callable giving it, asked only when the text needs it (a percent, or 万/亿): a
    form or an import row knows its indicator only as a key or a code. ``required``:
    the value column; a no-data mark there is refused, in a bound it is None.
    Empty text and None are None (the caller says whether that may be). Raises
    ``ValidationError`` with a Chinese message saying what to write instead;
    the digits' limits (``max_digits``) are the field's to check.
    """
    if value is None:
        return None
    if isinstance(value, bool):  # a spreadsheet's TRUE, JSON's true
        raise _refuse(NOT_A_NUMBER, "not_a_number", text=echoed(value))
    if isinstance(value, float):
        value = Decimal(repr(value))
    if isinstance(value, int | Decimal):
        if not Decimal(value).is_finite():
            raise _refuse(NOT_A_NUMBER, "not_a_number", text=echoed(value))
        return Decimal(value)
    original = str(value).strip()
    if not original:
        return None
    text = spreadsheet_number(original)
    if original in NO_DATA or text in NO_DATA:
        if required:
            raise _refuse(NO_DATA_REQUIRED, "no_data", text=original)
        return None
    if _is_number(text):
        return Decimal(text)
    shown = echoed(original)
    if text.endswith("%"):
        inner = parse_chinese_number(text[:-1])
        if inner is not None:
            symbol = _symbol(unit)
            if symbol is None or symbol in ("%", "％"):
                return inner
            raise _refuse(
                PERCENT_OF_OTHER_UNIT, "percent_of_other_unit", text=shown, unit=symbol
            )
    hedged = _HEDGED_RE.fullmatch(text)
    if (
        hedged is not None
        and (hedged[1] or hedged[3])
        and parse_chinese_number(hedged[2].removesuffix("%")) is not None
    ):
        raise _refuse(HEDGED, "hedged", text=shown)
    if any(c in CHINESE_DIGITS or c in CHINESE_PLACES for c in text):
        number = parse_chinese_number(text)
        if number is not None:
            if _MULTIPLIER_CHARS & set(text):
                symbol = _symbol(unit)
                if symbol and _MULTIPLIER_CHARS & set(symbol):
                    raise _refuse(
                        MULTIPLIER_TWICE, "multiplier_twice", text=shown, unit=symbol
                    )
            return number
    raise _refuse(NOT_A_NUMBER, "not_a_number", text=shown)
