"""Small Chinese text helpers shared by the ``news`` and ``quality`` apps.

Kept generic on purpose: nothing here knows about articles or figures.
"""

import codecs
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from functools import cache

from django.conf import settings
from django.utils import translation
from django.utils.translation import pgettext

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
# "1,700", "12,345.5": thousands grouped by commas.
_GROUPED = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?"
_ARABIC_RE = re.compile(rf"{_GROUPED}|\d+(?:\.\d+)?")
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


# An id or a version as a form or an attribute sends it: ASCII digits, no more than
# a 64-bit column holds. ``str.isdigit`` takes "²", which ``int`` refuses; ``int``
# takes "１２" and "٣"; 19 digits overflow the column's query, and 4,301 and more
# are refused by ``int`` itself.
_PLAIN_ID = re.compile(r"[0-9]{1,18}")


def plain_id(value: str) -> int | None:
    """``value`` as an id or version, or None when it cannot be one."""
    return int(value) if _PLAIN_ID.fullmatch(value) else None


def to_simplified(text: str) -> str:
    """``text`` in simplified characters, by OpenCC's ``hk2s`` conversion: its
    phrases first, so that an ambiguous character follows its word (乾燥 → 干燥 but
    乾隆 stays, 頭髮 → 头发, 後來 → 后来, 皇后 stays), then single characters,
    Hong Kong's and Taiwan's forms included (煙臺 → 烟台, 裡面 → 里面, 衞生 → 卫生).
    Simplified text comes back as it is: over the 20,000 articles of the bench data
    set, none changes (tw2s changes 显著 into 显着, a lone 么 into 幺). An ASCII
    ``text`` is returned without a call.
    """
    return text if text.isascii() else _simplifier().convert(text)


@contextmanager
def stored_language() -> Iterator[None]:
    """Build the texts a record stores in the site's language (``LANGUAGE_CODE``,
    Chinese), whatever language the request or command runs in.

    Revision summaries, timeline notes, 操作日志 summaries and data-quality notes are
    read later by the whole newsroom, as a government record in one language: an
    editor working in an English admin, an API client sending ``Accept-Language:
    en`` or a command under ``override("en")`` must not leave English words in them.
    Only the stored text is built inside: what the response says (messages, errors)
    stays in the user's language.
    """
    with translation.override(settings.LANGUAGE_CODE):
        yield


def stored(text) -> str:
    """A lazy text (``gettext_lazy``) as a record stores it: in ``LANGUAGE_CODE``."""
    with stored_language():
        return str(text)


@cache
def _simplifier():
    # Imported when first needed, as cn2an below: only searches convert, and the
    # import and dictionaries cost ~15 ms.
    import opencc

    return opencc.OpenCC("hk2s")


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


# --- messages ---------------------------------------------------------------------


def join_list(items) -> str:
    """``items`` as a list inside a message of the active language: "甲、乙、丙" in
    Chinese, "a, b, c" in English (the separator is translated)."""
    # Translators: the separator of a list's items inside a sentence.
    return pgettext("list separator", "、").join(str(item) for item in items)


def join_sentences(messages) -> str:
    """Several messages (a validation error's, say) shown as one, in the active
    language: "甲；乙。" in Chinese, "A; b." in English (the separator is
    translated). Each message's own full stop is dropped but the last one's, so
    that English reads "A; b." rather than "A.; b."."""
    # Translators: the separator of several messages shown as one sentence.
    separator = pgettext("sentence separator", "；")
    parts = [text for text in (str(m).strip() for m in messages) if text]
    return separator.join([text.rstrip("。.") for text in parts[:-1]] + parts[-1:])


# How much of a value a message repeats (``echoed``).
ECHO_LENGTH = 20


def echoed(value, length: int = ECHO_LENGTH) -> str:
    """``value`` (what a user sent) as a message repeats it: its first ``length``
    characters, and "…" when there were more. A form field, query parameter or
    cell may hold megabytes, which a message would carry into the session, the
    page or the JSON answer."""
    value = str(value)
    return value if len(value) <= length else value[:length] + "…"


# --- text files: UTF-8, or the GBK that Chinese Windows saves ----------------------

# Runs of ASCII characters, removed to count what is left.
_ASCII_RUNS_RE = re.compile("[\x00-\x7f]+")
# Of the characters beyond ASCII in a GB18030 reading, the share of common ones below
# which the reading is taken for garbage. Common: GBK's symbol rows (first byte
# 0xA1–0xA9: punctuation, ℃, №, ㎡, 〇, pinyin …) and its GB2312 characters (both
# bytes 0xA1 or above), the characters of mainland Chinese text. The bytes of
# another encoding read as GB18030 make mostly rare ones (Latin-1's "é" before an
# ASCII letter reads as one of GBK's extension characters), mainland text nearly none.
_COMMON_SHARE = 0.95
# translate() tables: each byte made 1 if it is 0xA1 or above (0xA1–0xA9), else 0.
_HIGH_BYTES = bytes(int(b >= 0xA1) for b in range(256))
_SYMBOL_ROWS = bytes(int(0xA1 <= b <= 0xA9) for b in range(256))


def _common_counts(text: str) -> tuple[int, int]:
    """(characters beyond ASCII, how many of them are common, as above)."""
    rest = _ASCII_RUNS_RE.sub("", text).encode("gbk", "ignore")  # two bytes each
    leads, trails = rest[0::2], rest[1::2]
    symbols = int.from_bytes(leads.translate(_SYMBOL_ROWS), "big")
    high = int.from_bytes(leads.translate(_HIGH_BYTES), "big")
    high &= int.from_bytes(trails.translate(_HIGH_BYTES), "big")
    beyond_ascii = len(text) - len(text.encode("ascii", "ignore"))
    return beyond_ascii, (symbols | high).bit_count()


def _reads_as_chinese(beyond_ascii: int, common: int) -> bool:
    return beyond_ascii > 0 and common >= _COMMON_SHARE * beyond_ascii


def decode_text(data: bytes) -> str:
    """``data`` as text: UTF-16 after its byte-order mark (Notepad's "Unicode"),
    UTF-8 (with or without one), else GB18030 when the bytes read as Chinese text
    in it — the GBK files that Notepad and Excel save on a Chinese Windows ("ANSI",
    "CSV (逗号分隔)"). Raises ``UnicodeDecodeError`` (UTF-8's, its position the
    first byte that is not UTF-8) when none fits."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")  # Notepad's "Unicode"; raises if it is not
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise error from None
        if not _reads_as_chinese(*_common_counts(text)):
            raise error from None
        return text


def file_encoding(file, chunk_size: int = 1 << 20) -> str | None:
    """The encoding ``decode_text`` would read the binary ``file`` with
    (``"utf-16"``, ``"utf-8-sig"`` or ``"gb18030"``), or None; read in chunks (a
    large file is not held in memory), and left at its start."""
    file.seek(0)
    if file.read(2) in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        file.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        beyond_ascii = common = 0
        try:
            while chunk := file.read(chunk_size):
                text = decoder.decode(chunk)
                if encoding == "gb18030":
                    counts = _common_counts(text)
                    beyond_ascii, common = beyond_ascii + counts[0], common + counts[1]
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        if encoding != "gb18030" or _reads_as_chinese(beyond_ascii, common):
            file.seek(0)
            return encoding
    file.seek(0)
    return None


# --- cells as a spreadsheet saves them --------------------------------------------

# "2021/3/1" (Excel's own on a Chinese system), "2021年3月1日", "2021.3.1", "2021-3-1".
_SPREADSHEET_DATE_RE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
)
# A signed number grouped by thousands, as Excel's 数值 format writes it.
_GROUPED_RE = re.compile(rf"[-+]?{_GROUPED}")
# A minus sign as Chinese input methods and typesetting write it: full-width (－) or
# Unicode's own (−); "＋" is the full-width plus.
_SIGNS = {"－": "-", "−": "-", "＋": "+"}
# The spaces a table groups thousands with ("1 700"): a space, a no-break space, a
# thin space, a narrow no-break space.
_GROUP_SPACES_RE = re.compile("[ \u00a0\u2009\u202f]")


def spreadsheet_date(text: str) -> str:
    """``text`` as an ISO date (``2021-03-01``) when it is a date written as a
    spreadsheet on a Chinese system writes it, else ``text`` unchanged (the field's
    own check then names what is wrong)."""
    match = _SPREADSHEET_DATE_RE.fullmatch(to_halfwidth(text.strip()))
    if match is None:
        return text
    try:
        return date(*(int(part) for part in match.groups())).isoformat()
    except ValueError:  # 2021/2/30
        return text


def spreadsheet_number(text: str) -> str:
    """``text`` stripped, its full-width digits and sign made ASCII and the commas
    or spaces of its thousands dropped, full-width commas too ("1,700", "1，700"
    and "1 700" → "1700", "－5" → "-5"; "1,7000" and "1 7000" stay, for the
    caller to refuse)."""
    plain = to_halfwidth(text.strip())
    if plain[:1] in _SIGNS:
        plain = _SIGNS[plain[0]] + plain[1:]
    grouped = _GROUP_SPACES_RE.sub(",", plain.replace("，", ","))
    return grouped.replace(",", "") if _GROUPED_RE.fullmatch(grouped) else plain
