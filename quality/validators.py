"""Validators for codes printed on Chinese documents, and for quotes of articles."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GB 32100-2015 《法人和其他组织统一社会信用代码编码规则》: 31 characters, no I O S V Z.
CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_CODE_RE = re.compile(rf"^[{CREDIT_CODE_CHARSET}]{{18}}$")


def credit_code_check_character(first17: str) -> str:
    """The 18th character of a 统一社会信用代码 whose first 17 are ``first17``.

    Each character counts as its index in the charset; the weighted sum modulo 31 is
    subtracted from 31, and 31 itself becomes 0 (GB 32100-2015, 5.3 and appendix).
    """
    if len(first17) != 17 or any(ch not in CREDIT_CODE_CHARSET for ch in first17):
        raise ValueError("需要 17 位代码字符")
    total = sum(
        CREDIT_CODE_CHARSET.index(ch) * weight
        for ch, weight in zip(first17, CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    """Reject anything that is not a well-formed 18-character code with a correct check."""
    code = (value or "").strip().upper()
    if not _CREDIT_CODE_RE.match(code):
        raise ValidationError(
            _("统一社会信用代码应为 18 位数字或大写字母（不含 I、O、S、V、Z）。"),
            code="credit_code_format",
        )
    expected = credit_code_check_character(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _("统一社会信用代码校验位不正确：最后一位应为 %(expected)s。"),
            code="credit_code_check",
            params={"expected": expected},
        )


_NUMBER = r"\d+(?:\.\d+)*"
_YEAR = r"[-—‑]\d{4}"
# One pattern per Standard.Kind. Industry codes are two capital letters other than the
# prefixes of the other kinds (GB national, DB local, T/ group, Q/ enterprise).
# ASCII digits only (``re.ASCII``): a code in full-width digits would be a second
# row for the same standard. Matched whole (``fullmatch``: no line break after it).
STANDARD_CODE_PATTERNS = {
    kind: re.compile(pattern, re.ASCII)
    for kind, pattern in {
        "national": rf"GB(?:/[TZ])? {_NUMBER}{_YEAR}",
        "industry": rf"(?!GB|DB)[A-Z]{{2}}(?:/T)? {_NUMBER}{_YEAR}",
        "local": rf"DB\d{{2}}(?:\d{{2}})?(?:/T)? {_NUMBER}{_YEAR}",
        "group": rf"T/[A-Z0-9]{{2,12}} {_NUMBER}{_YEAR}",
        "enterprise": rf"Q/\S+ {_NUMBER}(?:{_YEAR})?",
    }.items()
}
# The dashes printed before a year (一字线, non-breaking hyphen): stored as "-",
# so that GB/T 19001—2016 is the GB/T 19001-2016 already registered.
_PRINTED_DASHES = str.maketrans({"—": "-", "‑": "-"})


def normalise_standard_code(code: str) -> str:
    """``code`` with the printed dashes written as "-"."""
    return code.translate(_PRINTED_DASHES)


STANDARD_CODE_EXAMPLES = {
    "national": "GB 2760-2014、GB/T 19001-2016、GB/Z 24294-2009",
    "industry": "QB/T 1234-2020、SN/T 0001-2016",
    "local": "DB37/T 1234-2020、DB3706/T 12-2021",
    "group": "T/CAS 115-2005",
    "enterprise": "Q/YTWH 001-2020",
}


def validate_standard_code(code: str, kind: str) -> None:
    """Check a standard code against the pattern of its kind (national, local …)."""
    pattern = STANDARD_CODE_PATTERNS.get(kind)
    if pattern is None:
        raise ValidationError(_("未知的标准类型。"), code="standard_kind")
    if not pattern.fullmatch(code or ""):
        raise ValidationError(
            _("标准编号“%(code)s”与所选类型不符，应形如 %(examples)s。"),
            code="standard_code",
            params={"code": code, "examples": STANDARD_CODE_EXAMPLES[kind]},
        )


def quote_in_text(quote: str, text: str) -> bool:
    """Whether an article's live text (``Article.body_text``) holds ``quote`` as it
    is written: no folding of spaces or full-width characters.

    The one comparison of a quote with an article: the figure marks keep a confirmed
    figure while the text holds its quote (``figure_links.article_figure_marks``),
    and a new observation citing the article must quote it
    (:func:`validate_quote_in_article`).
    """
    return quote in text


def validate_quote_in_article(quote: str, title: str, text: str) -> None:
    """Refuse a non-empty ``quote`` that neither the article's title (a figure of
    the headline: the seed article's 六百余项) nor its live ``text`` holds."""
    if quote and not (quote_in_text(quote, text) or quote in title):
        raise ValidationError(
            _("原文引文不在来源文章的标题或正文中，请照录包含这个数字的原句。"),
            code="quote_not_in_article",
        )
