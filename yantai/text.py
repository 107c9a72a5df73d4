"""Small Chinese text helpers shared by the ``news`` and ``quality`` apps.

Kept generic on purpose: nothing here knows about articles or figures.
"""

import re
from decimal import Decimal

# Full-width digits and signs that Chinese editors type by habit. One character maps
# to one character, so offsets into the translated text are offsets into the original.
# "，" is left alone: it is the Chinese clause separator far more often than a
# thousands separator.
_HALFWIDTH = str.maketrans("０１２３４５６７８９％．", "0123456789%.")
# Whether there is anything to translate: a search is 30 times cheaper than
# translate() over Chinese text, which has none of them most of the time.
_FULLWIDTH_RE = re.compile("[０-９％．]")

# Characters a Chinese numeral is written with (lower case, financial upper case and
# the place-value characters).
CHINESE_DIGITS = "零〇一二两三四五六七八九壹贰叁肆伍陆柒捌玖"
CHINESE_PLACES = "十百千万亿拾佰仟"

_MULTIPLIERS = {
    "万亿": Decimal(10) ** 12,
    "千万": Decimal(10) ** 7,
    "百万": Decimal(10) ** 6,
    "亿": Decimal(10) ** 8,
    "万": Decimal(10) ** 4,
    "千": Decimal(10) ** 3,
    "百": Decimal(10) ** 2,
}
_ARABIC_RE = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
# "1.2万", "3.5亿", "1万2千", "3亿5000万": Arabic parts each with a multiplier.
_MIXED_PART_RE = re.compile(r"(\d+(?:\.\d+)?)(万亿|千万|百万|亿|万|千|百)")
_CHINESE_DECIMAL_RE = re.compile(
    rf"([{CHINESE_DIGITS}{CHINESE_PLACES}]+)点([{CHINESE_DIGITS}]+)"
)
_DIGIT_VALUES = {
    **{c: i for i, c in enumerate("零一二三四五六七八九")},
    **{c: i for i, c in enumerate("〇壹贰叁肆伍陆柒捌玖")},
    "两": 2,
}


def to_halfwidth(text: str) -> str:
    """Return ``text`` with full-width digits, ％ and ．made ASCII.

    The result has the same length as ``text``: positions found in it are positions in
    the original.
    """
    return text.translate(_HALFWIDTH) if _FULLWIDTH_RE.search(text) else text


def parse_chinese_number(s: str) -> Decimal | None:
    """Parse a numeral in Arabic, Chinese or mixed form; ``None`` if it is not one.

    Handles "604", "1,700", "97.5", "六百零四", "两", "二百四十二", "1.2万", "3.5亿",
    "三点五亿", "1万2千" and full-width digits. Hedges ("余", "多") and units are the
    caller's business: "六百余" is not a numeral and gives ``None``.
    """
    s = to_halfwidth(s.strip())
    if not s:
        return None
    value = _parse(s)
    if value is None:
        return None
    # Integral values are returned without exponent or trailing ".0" (12000, not
    # 1.2E+4) so that they print and serialise the way they read.
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def _parse(s: str) -> Decimal | None:
    if _ARABIC_RE.fullmatch(s):
        return Decimal(s.replace(",", ""))
    parts = _MIXED_PART_RE.findall(s)
    if parts and "".join(n + m for n, m in parts) == s:
        return sum((Decimal(n) * _MULTIPLIERS[m] for n, m in parts), Decimal(0))
    for suffix in ("万亿", "亿", "万"):
        # cn2an rejects a decimal before a multiplier ("三点五亿"): scale it ourselves.
        if s.endswith(suffix) and "点" in s:
            inner = _parse_chinese(s[: -len(suffix)])
            return None if inner is None else inner * _MULTIPLIERS[suffix]
    return _parse_chinese(s)


def _parse_chinese(s: str) -> Decimal | None:
    if any(c not in CHINESE_DIGITS + CHINESE_PLACES + "点" for c in s):
        return None
    fraction = ""
    if match := _CHINESE_DECIMAL_RE.fullmatch(s):
        s = match.group(1)
        fraction = "".join(str(_DIGIT_VALUES[c]) for c in match.group(2))
    if all(c in "百千万亿佰仟" for c in s):
        s = "一" + s  # "百余家", "上千家", "千万": the leading 一 is implied
    # Imported here: cn2an builds its converters when imported (~0.1 s), which every
    # process would pay at start (each management command, each gunicorn worker)
    # though few ever read a Chinese numeral.
    import cn2an

    try:
        whole = cn2an.cn2an(s, "normal")
    except (ValueError, KeyError, IndexError):
        return None
    return Decimal(f"{int(whole)}.{fraction}" if fraction else int(whole))
