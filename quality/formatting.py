"""Write figures and periods the way a Chinese reader writes them.

Pure functions, no database: ``600余项``, ``97%以上``, ``约1700批次``, ``截至2020年底``.
"""

from __future__ import annotations

import calendar
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

QUARTERS = {1: "一", 2: "二", 3: "三", 4: "四"}
PERCENT_UNITS = {"%", "％", "个百分点"}


def format_number(value: Decimal, decimals: int | None = None) -> str:
    """``Decimal("600.0000")`` → ``600``; ``decimals`` fixes the places shown."""
    value = Decimal(value)
    if decimals is not None:
        value = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        return f"{value:f}"
    text = f"{value.normalize():f}"
    return text


def source_text(publisher: str, title: str) -> str:
    """A source as the public pages and downloads name it: ``烟台日报《标题》``, or
    empty when neither is known."""
    if not (publisher or title):
        return ""
    return f"{publisher}《{title}》"


def format_value(
    value: Decimal,
    comparator: str = "=",
    unit: str = "",
    decimals: int | None = None,
) -> str:
    """The printed form of a (possibly hedged) value.

    ``>`` reads 余 after a count (600余项) but 超 before a rate (超97%), as reporters
    write; ``>=`` is 以上, ``~`` 约, ``<`` 不足, ``<=`` 不超过.
    """
    number = format_number(value, decimals)
    is_rate = unit in PERCENT_UNITS
    amount = f"{number}{unit}"
    if comparator == ">":
        return f"超{amount}" if is_rate else f"{number}余{unit}"
    if comparator == ">=":
        return f"{amount}以上"
    if comparator == "~":
        return f"约{amount}"
    if comparator == "<":
        return f"不足{amount}"
    if comparator == "<=":
        return f"不超过{amount}"
    return amount


def _is_month_end(day: date) -> bool:
    return day.day == calendar.monthrange(day.year, day.month)[1]


def day_label(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def period_label(kind: str, start_on: date | None, end_on: date) -> str:
    """``截至2020年底``, ``2020年上半年``, ``2020年第一季度``, ``2020年6月`` …"""
    if kind == "instant":
        if end_on.month == 12 and end_on.day == 31:
            return f"截至{end_on.year}年底"
        if _is_month_end(end_on):
            return f"截至{end_on.year}年{end_on.month}月底"
        return f"截至{day_label(end_on)}"
    if kind == "year":
        return f"{end_on.year}年"
    if kind == "half":
        return f"{end_on.year}年{'上' if end_on.month <= 6 else '下'}半年"
    if kind == "quarter":
        return f"{end_on.year}年第{QUARTERS[(end_on.month + 2) // 3]}季度"
    if kind == "month":
        return f"{end_on.year}年{end_on.month}月"
    assert start_on is not None
    if (
        start_on.month == 1
        and start_on.day == 1
        and end_on.month == 12
        and end_on.day == 31
    ):
        return f"{start_on.year}年至{end_on.year}年"
    if start_on.day == 1 and _is_month_end(end_on):
        return f"{start_on.year}年{start_on.month}月至{end_on.year}年{end_on.month}月"
    return f"{day_label(start_on)}至{day_label(end_on)}"


# --- English (the /en/ pages) ---------------------------------------------------

MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
# Counting words (项, 个, 家, 名) read as a bare number in English.
UNITS_EN = {
    "%": "%",
    "％": "%",
    "个百分点": " percentage points",
    "批次": " batches",
    "万元": " × 10,000 yuan",
}


def _grouped(text: str) -> str:
    """``1700`` → ``1,700`` (English groups thousands; Chinese copy does not)."""
    sign = "-" if text.startswith("-") else ""
    whole, _, fraction = text.lstrip("-").partition(".")
    grouped = f"{int(whole):,}"
    return f"{sign}{grouped}.{fraction}" if fraction else f"{sign}{grouped}"


def format_value_en(
    value: Decimal,
    comparator: str = "=",
    unit: str = "",
    decimals: int | None = None,
) -> str:
    """The English form of :func:`format_value`: ``more than 600``, ``97% or more``,
    ``about 1,700 batches``."""
    amount = f"{_grouped(format_number(value, decimals))}{UNITS_EN.get(unit, '')}"
    return {
        ">": f"more than {amount}",
        ">=": f"{amount} or more",
        "~": f"about {amount}",
        "<": f"under {amount}",
        "<=": f"at most {amount}",
    }.get(comparator, amount)


def day_label_en(day: date) -> str:
    return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"


def period_label_en(kind: str, start_on: date | None, end_on: date) -> str:
    """``end of 2020``, ``H1 2020``, ``Q1 2020``, ``June 2020``, ``2019–2020`` …"""
    if kind == "instant":
        if end_on.month == 12 and end_on.day == 31:
            return f"end of {end_on.year}"
        if _is_month_end(end_on):
            return f"end of {MONTHS_EN[end_on.month - 1]} {end_on.year}"
        return f"as of {day_label_en(end_on)}"
    if kind == "year":
        return f"{end_on.year}"
    if kind == "half":
        return f"H{1 if end_on.month <= 6 else 2} {end_on.year}"
    if kind == "quarter":
        return f"Q{(end_on.month + 2) // 3} {end_on.year}"
    if kind == "month":
        return f"{MONTHS_EN[end_on.month - 1]} {end_on.year}"
    assert start_on is not None
    if (start_on.month, start_on.day, end_on.month, end_on.day) == (1, 1, 12, 31):
        return f"{start_on.year}–{end_on.year}"
    if start_on.day == 1 and _is_month_end(end_on):
        return (
            f"{MONTHS_EN[start_on.month - 1]} {start_on.year} – "
            f"{MONTHS_EN[end_on.month - 1]} {end_on.year}"
        )
    return f"{day_label_en(start_on)} – {day_label_en(end_on)}"
