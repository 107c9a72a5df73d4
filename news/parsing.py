"""Parse the plain text of a newspaper web page into an article.

The text is what a browser's "save as text" or a copy from the page gives: a title,
a line with the source and the publication time, the body (paragraphs and short
section headings), a byline, and then whatever the site prints around the article
(font-size buttons, share bars, teasers of other articles, slogans). This module turns
it into a :class:`ParsedPage`, or raises :class:`PageTextError` with a Chinese message
an editor can act on. It knows nothing about the database: the importer maps the
result onto models.
"""

import json
import re
import unicodedata
from codecs import BOM_UTF16_BE, BOM_UTF16_LE
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from yantai.text import decode_text

SHANGHAI = ZoneInfo("Asia/Shanghai")

# The meta line must be among the first few non-empty lines (title included): further
# down, a line with a date is a sentence of the body, not the page header.
META_SEARCH_LINES = 5
HEADING_MAX_CHARS = 30

# Role words as printed, mapped to the role a Credit stores. A longer word comes
# before the shorter one it starts with ("摄影记者" before "摄影"), so that it wins.
ROLE_NAMES = {
    "摄影记者": "摄影",
    "责任编辑": "责任编辑",
    "通讯员": "通讯员",
    "实习生": "实习生",
    "责编": "责任编辑",
    "记者": "记者",
    "摄影": "摄影",
    "编辑": "编辑",
    "作者": "作者",
    "撰稿": "作者",
    "文/图": "作者",
    "图/文": "作者",
    "文": "作者",
    "图": "摄影",
    "摄": "摄影",
}
# Staff printed in the same line as the byline but not credited on our pages.
IGNORED_ROLES = ("审核", "校对", "审校", "终审", "监制", "统筹", "签发", "策划")

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"

# Single-character roles (文, 图, 摄) are also ordinary characters inside names such
# as 李文: they count as roles only as a separate word or before a slash or colon.
_ROLE_RE = re.compile(
    "(?P<role>"
    + "|".join(
        re.escape(role).replace("/", r"\s*/\s*") for role in ROLE_NAMES if len(role) > 1
    )
    + "|"
    + "|".join(IGNORED_ROLES)
    + r"|(?<![^\s/])[文图摄](?=\s*[/:]|\s))"
)
# A person's name: 2-4 Han characters, a compound surname with a longer given name,
# or a transliterated minority name joined with "·".
_NAME_RE = re.compile(
    rf"[{_HAN}]{{2,4}}"
    rf"|(?:欧阳|司马|上官|诸葛|东方|皇甫|尉迟|公孙|慕容|令狐|夏侯|长孙|宇文|司徒|端木)[{_HAN}]{{3}}"
    rf"|[{_HAN}]{{1,8}}(?:·[{_HAN}]{{1,8}})+"
)
# Text glued to a role in mid-line ("大众日报记者 张三 本报通讯员 李四") is taken for
# an organisation or rank prefix only when it reads like one; otherwise it is a name
# printed without a space ("记者王伟摄影李强").
_PREFIX_RE = re.compile(
    rf"(?:[A-Za-z]+[{_HAN}]*|[{_HAN}]*(?:全媒体|融媒体|传媒|日报|晚报|报社|新闻|中心|报|社|台|网))?"
    rf"(?:特约|见习|首席|主任|资深|实习|驻[{_HAN}]{{1,4}})?"
)
_NAME_SEPARATORS_RE = re.compile(r"[\s、，,;；]+")
# "本报讯（记者 张三）", "新华社北京1月7日电 记者 张三": the dateline before a byline.
_DATELINE_RE = re.compile(r"^[^\s（(，。,]{0,20}?[讯电]\s*(?=[（(]|\s)")
# The first paragraph of many papers opens with the dateline and the byline in
# parentheses: "本报讯（记者 张三 通讯员 李四）烟台市……".
_LEAD_BYLINE_RE = re.compile(
    r"^(?:[^\s（(，。,]{0,20}?[讯电])?\s*[（(]([^（）()]{2,60})[）)]"
)
_REPORTED_RE = re.compile(r"\s*(?:报道|报导)$")
_PHOTO_SUFFIX_RE = re.compile(r"\s+摄$")
_BRACKETS = "（）()【】[]〔〕"
# Printed before a byline by some papers: "□ 本报记者 张三", "◎ 水母网记者 李四".
_BYLINE_BULLETS = "□■●◆◎"
# The correction link news portals print beside the editor's name at the end of an
# article: "【纠错】 责任编辑：王五", "[纠错] 【责任编辑：王五】".
_CORRECTION_RE = re.compile(r"^[【\[]纠错[】\]]\s*")
_CORRECTION_STARTS = ("【纠错", "[纠错")
# Lines that belong to the page around the article, not its text: if one is found
# among the body lines and no rule above placed it, it is reported, not kept.
_UNPLACED_RE = re.compile(
    r"打印本页|关闭窗口|分享到|扫一扫|纠错|相关推荐|责任编辑|责编|"
    r"(?:来源|稿源|编辑|作者|记者|通讯员|摄影|原标题|原文|发布时间|浏览次数)\s*:"
)
UNPLACED_MAX_CHARS = 60

# Dates as Chinese sites print them: 2021-01-07, 2021/1/7, 2021.01.07, 2021年1月7日,
# with an optional time 10:36, 10:36:12 or 10时36分. Matched on NFKC text, so full-width
# digits and colons are already ASCII. Out-of-range numbers (2021-13-45 99:99) match on
# purpose: such a line is a broken meta line, to be reported, not skipped.
_DATETIME_RE = re.compile(
    r"(?<!\d)(?P<year>\d{4})\s*[-/.年]\s*(?P<month>\d{1,2})\s*[-/.月]\s*"
    r"(?P<day>\d{1,2})(?!\d)\s*日?"
    r"(?:\s*T?\s*(?P<hour>\d{1,2})\s*[:时]\s*(?P<minute>\d{1,2})(?!\d)\s*分?"
    r"(?:\s*:\s*(?P<second>\d{1,2})|\s*(?P<second_cn>\d{1,2})\s*秒)?(?!\d))?"
)
# Field labels of meta lines ("来源：胶东在线 作者：刘晓东 发布时间：…"), on NFKC text.
_LABEL_RE = re.compile(
    r"(?P<label>来源|稿源|出处|作者|撰稿|责任编辑|责编|编辑|记者|通讯员|"
    r"发布时间|发布日期|发表时间|更新时间|时间|日期|"
    r"浏览次数|浏览量|浏览|点击数|点击量|点击|阅读数|阅读量|阅读|字号|字体)\s*:\s*"
)
_SOURCE_LABELS = ("来源", "稿源", "出处")
_CREDIT_LABELS = {
    "作者": "作者",
    "撰稿": "作者",
    "责任编辑": "责任编辑",
    "责编": "责任编辑",
    "编辑": "编辑",
    "记者": "记者",
    "通讯员": "通讯员",
}
# Words of the page's toolbars ("大字 中字 小字", "【打印】【关闭】", "A+ A-"): dropped
# from the meta line, and a line made only of them is dropped wherever it appears.
_CHROME_WORD_RE = re.compile(
    r"大字|中字|小字|大|中|小|默认|字号|字体|[大中小]字号|[大中小]字体|"
    r"A\+|A-|A|打印|打印本页|关闭|关闭窗口|"
    r"收藏|分享|分享到:?|微信|微博|QQ|QQ空间|朋友圈|扫一扫|完|\d+"
)
# The characters a line of toolbar words can start with: the first of each word
# above, and the brackets and colons _is_chrome_line reads as spaces.
_CHROME_STARTS = frozenset(
    {word[0] for word in _CHROME_WORD_RE.pattern.split("|")} | set(_BRACKETS + "|｜丨:")
)
# Punctuation of sentences, which neither a toolbar word nor its separators hold
# (NFKC leaves each of them one of these or ","): a line with one is no toolbar line.
_NOT_CHROME_MARKS = "。，,、“”"
# Headings of what the site prints after the article; from one of them on, nothing
# belongs to the article. A marker is the whole line or is followed by a separator,
# so a sentence that merely starts with "相关新闻" is not cut.
_SECTION_MARKERS = (
    "新闻推荐|相关推荐|相关新闻|相关阅读|推荐阅读|热点推荐|热门推荐|精彩推荐|"
    "延伸阅读|相关文章|猜你喜欢|更多新闻|热点新闻|网友评论|我要评论|上一篇|下一篇|"
    "纠错|返回顶部|责任编辑|责编|版权声明|免责声明"
)
_SECTION_MARKER_RE = re.compile(
    rf"^[【\[]?(?:{_SECTION_MARKERS})[】\]]?(?:$|[\s:：>》|｜])"
)
# The characters a section marker line can start with: most body lines start with
# none of them and are not matched at all.
_SECTION_STARTS = frozenset(
    {word[0] for word in _SECTION_MARKERS.split("|")} | {"【", "["}
)
_SOURCE_URL_RE = re.compile(
    r"^(?:原文链接|原文地址|原文网址|来源网址|来源链接|本文链接|文章链接)\s*[:：]\s*"
    r"(?P<url>https?://\S+)"
)
_SENTENCE_PUNCTUATION = "。！？；!?;…"
_CLAUSE_END = "：:，,、"
# "一、", "（二）", "3." open a numbered section heading, even as the first body line.
_NUMBERED_RE = re.compile(
    r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|\d+[.、．])"
)
# Photo captions printed on a line of their own: "图为…", "图：…", "图片：…".
_CAPTION_RE = re.compile(r"^(?:图为|图片\s*[:：]|图\s*[:：]|[（(]?图[）)])")
_SUBTITLE_DASH_RE = re.compile(r"^(?:[—－─-]{1,2})\s*")
_SUBTITLE_LABEL_RE = re.compile(r"^(?:副题|副标题|引题|肩题)\s*[:：]\s*")
_SPACES_RE = re.compile(r"\s+")
# Control characters other than tab, line feed, form feed and carriage return.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")
# Characters that print as nothing and come along when text is copied from a web
# page: zero-width space, word joiner, zero-width no-break space (a BOM inside the
# text), soft hyphen, the direction marks and embeddings. Kept, they split a title
# that looks the same in two ("同一篇"), break the time of a meta line and make
# paragraphs of nothing. The zero-width joiner and non-joiner stay: emoji and other
# scripts need them.
_INVISIBLE_RE = re.compile("[\u00ad\u200b\u200e\u200f\u202a-\u202e\u2060\ufeff]")


class PageTextError(ValueError):
    """Raised with a Chinese message naming the problem.

    ``line`` is the 1-based line number the message is about, or ``None``.
    """

    def __init__(self, message: str, line: int | None = None):
        self.message = message
        self.line = line
        super().__init__(f"第 {line} 行：{message}" if line is not None else message)


@dataclass
class Block:
    """One block of the article body, in reading order."""

    type: str  # "heading" or "paragraph"
    text: str


@dataclass
class Credit:
    """A person named in the byline or the meta line, with the role printed."""

    role: str  # 记者, 通讯员, 实习生, 摄影, 编辑, 责任编辑 or 作者
    name: str
    prefix: str = ""  # organisation or rank printed before the role, e.g. "YMG全媒体"


@dataclass
class ParsedPage:
    """What a news page says about its article; ``published_at`` is Asia/Shanghai."""

    title: str
    subtitle: str
    source: str
    published_at: datetime
    blocks: list[Block]
    credits: list[Credit]
    source_url: str = ""
    # Lines among the body that look like page furniture or a byline but that no
    # rule could place: (line number, text). Left out of the body; the importer
    # reports them.
    unplaced: list[tuple[int, str]] = field(default_factory=list)
    # Only a JSON line names them: the channel (name or 网址名) and the tags.
    channel: str = ""
    tags: list[str] = field(default_factory=list)

    def people(self) -> dict[str, list[str]]:
        """Return role -> names, in printed order, each name once per role."""
        people: dict[str, list[str]] = {}
        for credit in self.credits:
            names = people.setdefault(credit.role, [])
            if credit.name not in names:
                names.append(credit.name)
        return people

    def headings(self) -> list[str]:
        """Return the section headings of the body, in order."""
        return [block.text for block in self.blocks if block.type == "heading"]


class _Line(NamedTuple):
    number: int  # 1-based, as an editor counts lines
    text: str


class _Meta(NamedTuple):
    source: str
    published_at: datetime
    credits: list[Credit]


def parse_page_text(text: str | bytes) -> ParsedPage:
    """Parse the text of a news page; raise :class:`PageTextError` if it is not one."""
    lines = _split_lines(_decode(text))
    if not lines:
        raise PageTextError("文件为空")
    # "://": in every source URL line, in next to no other line (no match tried).
    url_lines = [
        line for line in lines if "://" in line.text and _SOURCE_URL_RE.match(line.text)
    ]
    source_url = _SOURCE_URL_RE.match(url_lines[0].text)["url"] if url_lines else ""
    lines = [line for line in lines if line not in url_lines]

    title = lines[0]
    _check_title(title)
    meta_index = _find_meta_line(lines)
    meta = _parse_meta_line(lines[meta_index])
    body_start = meta_index + 1
    while body_start < len(lines) and _LABEL_RE.match(_nfkc(lines[body_start].text)):
        body_start += 1
    labels = _parse_header(lines[meta_index + 1 : body_start], has_source=True)
    header = _parse_header(
        lines[1:meta_index], has_source=bool(meta.source or labels.source)
    )

    body, body_credits, late_subtitle, unplaced = _split_body(lines[body_start:])
    if not body:
        raise PageTextError(
            "正文为空（来源和时间行之后没有正文段落）", lines[meta_index].number + 1
        )
    return ParsedPage(
        title=title.text,
        subtitle=" ".join(header.subtitle_parts) or late_subtitle,
        source=meta.source or labels.source or header.source,
        published_at=meta.published_at,
        blocks=_classify_blocks(body),
        credits=_unique(header.credits + meta.credits + labels.credits + body_credits),
        source_url=source_url,
        unplaced=[(line.number, line.text) for line in unplaced],
    )


def _decode(text: str | bytes) -> str:
    """Return ``text`` as a string (bytes: UTF-8, or GBK — ``yantai.text.decode_text``),
    refusing binary files and other encodings."""
    if isinstance(text, bytes):
        if b"\x00" in text and not text.startswith((BOM_UTF16_LE, BOM_UTF16_BE)):
            raise PageTextError("不是 UTF-8 文本文件（含有 NUL 字节，像是二进制文件）")
        try:
            text = decode_text(text)  # UTF-8, or GBK as Chinese Windows saves it
        except UnicodeDecodeError as error:
            line = text[: error.start].count(b"\n") + 1
            raise PageTextError(
                "既不是 UTF-8 也不是 GBK 编码的中文文本文件（这一行有无法按 UTF-8 "
                "解码的字节，按 GBK 读出的又不像中文），请另存为 UTF-8",
                line,
            ) from None
    text = _visible(text)
    # Tab, line feed and carriage return aside, control characters do not occur in
    # text a person saved from a browser: the file is something else.
    if _CONTROL_RE.search(text):
        raise PageTextError("不是 UTF-8 文本文件（含有控制字符，像是二进制文件）")
    return text


def _split_lines(text: str) -> list[_Line]:
    """Return the non-empty lines, stripped, with runs of spaces made one space.

    Lines made only of toolbar words ("大字", "打印", "扫一扫") are dropped here, so
    that every later step sees only lines that may carry content.
    """
    raw_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines = []
    for number, raw in enumerate(raw_lines, start=1):
        # str.split() splits on what \s matches (str.isspace: U+3000, the
        # ideographic space, and NBSP, the indents of Chinese pages, too) and drops
        # the ends: the same as _SPACES_RE.sub(" ", raw).strip(), at a fraction of
        # the regex's cost on a page's 2,500 characters.
        line = " ".join(raw.split())
        if line and not _is_chrome_line(line):
            lines.append(_Line(number, line))
    return lines


def _nfkc(text: str) -> str:
    """Return ``text`` with full-width digits, letters and colons made ASCII."""
    return unicodedata.normalize("NFKC", text)


def _is_chrome_line(text: str) -> bool:
    """Tell whether a line is only page toolbar words, such as "大字 中字 小字"."""
    if text.startswith("扫一扫"):
        return True
    if text.startswith("分享到"):
        return False  # where it stands decides: see _split_body()
    if "\u4e00" <= text[0] <= "\u9fff" and text[0] not in _CHROME_STARTS:
        # Most lines: a Han character (NFKC leaves it as it is) that neither
        # starts a toolbar word nor separates words, so the first word is none.
        return False
    if any(mark in text for mark in _NOT_CHROME_MARKS):
        # A sentence's punctuation (also after NFKC) is in no toolbar word.
        return False
    words = _words(_nfkc(text).replace(":", " "))
    return bool(words) and all(_CHROME_WORD_RE.fullmatch(word) for word in words)


def _words(text: str) -> list[str]:
    """Split on spaces and on the brackets toolbars wrap their words in."""
    for bracket in _BRACKETS + "|｜丨":
        text = text.replace(bracket, " ")
    return text.split()


def _check_title(title: _Line) -> None:
    """Refuse a first line that is plainly not a title."""
    if _looks_like_meta(title.text):
        raise PageTextError(
            f"缺少标题（第一行“{title.text}”是来源和时间行）", title.number
        )
    if _parse_byline(title.text) is not None:
        raise PageTextError(f"缺少标题（第一行“{title.text}”是作者署名）", title.number)


def _looks_like_meta(text: str) -> bool:
    """Tell whether a first line is a meta line rather than a title with a date.

    "2021年1月7日烟台市召开质量大会" is a title; a time, a label or little more than
    the date besides ("烟台日报 2021-01-07") make a meta line.
    """
    if _LABEL_RE.match(_nfkc(text)):
        return True
    match = _datetime_match(text)
    if match is None:
        return False
    rest = _nfkc(text)[: match.start()] + " " + _nfkc(text)[match.end() :]
    return match["hour"] is not None or len("".join(_content_words(rest))) <= 10


def _find_meta_line(lines: list[_Line]) -> int:
    """Return the index of the line carrying the publication time.

    A line with a time wins over an earlier one with only a date, which may be a
    subtitle such as "——2021年1月7日全市质量大会侧记".
    """
    candidates = [
        (index, match)
        for index, line in enumerate(lines[1:META_SEARCH_LINES], start=1)
        if not _is_dash_subtitle(line.text) and (match := _datetime_match(line.text))
    ]
    for index, match in candidates:
        if match["hour"] is not None:
            return index
    if candidates:
        return candidates[0][0]
    line = lines[1].number if len(lines) > 1 else lines[0].number + 1
    raise PageTextError(
        "缺少来源和时间行（标题后的几行里没有发布时间，"
        "应形如“烟台日报 2021-01-07 10:36”）",
        line,
    )


def _datetime_match(text: str) -> re.Match[str] | None:
    """Find a date in a line that can be a meta line, not a sentence of the body."""
    if any(mark in text for mark in "。！？"):
        return None
    return _DATETIME_RE.search(_nfkc(text))


class _Header(NamedTuple):
    subtitle_parts: list[str]
    credits: list[Credit]
    source: str


def _parse_header(lines: list[_Line], *, has_source: bool) -> _Header:
    """Read the lines between the title and the meta line (or label lines after it).

    Such a line is a "来源：…" style label line, a byline, a subtitle, or, short and
    bare, the name of the source printed apart from the time when the meta line does
    not name it (``has_source`` false).
    """
    subtitle_parts: list[str] = []
    credits: list[Credit] = []
    sources: list[str] = []
    for line in lines:
        if _LABEL_RE.match(_nfkc(line.text)):
            fields = _parse_fields(_nfkc(line.text))
            credits += fields.credits
            sources.append(fields.source)
        elif (byline := _parse_byline(line.text)) is not None:
            credits += byline
        elif line.text.startswith("分享到"):
            continue
        elif _is_marked_subtitle(line.text):
            subtitle_parts.append(_clean_subtitle(line.text))
        elif not (has_source or sources) and _is_bare_name(line.text):
            sources.append(" ".join(_content_words(_nfkc(line.text))))
        else:
            subtitle_parts.append(_clean_subtitle(line.text))
    return _Header(subtitle_parts, credits, next(filter(None, sources), ""))


def _is_bare_name(text: str) -> bool:
    """Tell whether a line is short and unpunctuated, as a source name is."""
    return len(text) <= 20 and not any(
        mark in text for mark in _SENTENCE_PUNCTUATION + _CLAUSE_END
    )


def _is_marked_subtitle(text: str) -> bool:
    """Tell whether a line is printed the way subtitles are: after a dash, in
    parentheses, or labelled "副题："."""
    return (
        _is_dash_subtitle(text)
        or bool(_SUBTITLE_LABEL_RE.match(text))
        or (text[:1] in "（(" and text[-1:] in "）)")
    )


def _clean_subtitle(text: str) -> str:
    """Drop the dash, label or parentheses a subtitle is printed with."""
    text = _SUBTITLE_LABEL_RE.sub("", _SUBTITLE_DASH_RE.sub("", text))
    if text[:1] in "（(" and text[-1:] in "）)":
        text = text[1:-1]
    return text.strip()


def _is_dash_subtitle(text: str) -> bool:
    """Tell whether a line reads like "——烟台市质量强市工作纪实"."""
    return (
        text.startswith(("——", "—"))
        and len(text) <= HEADING_MAX_CHARS + 10
        and not any(mark in text for mark in _SENTENCE_PUNCTUATION)
    )


class _Fields(NamedTuple):
    source: str
    credits: list[Credit]


def _parse_meta_line(line: _Line) -> _Meta:
    """Read source, time and credits from a line such as "烟台日报 2021-01-07 10:36"."""
    text = _nfkc(line.text)
    match = _DATETIME_RE.search(text)
    published_at = _to_datetime(match, line.number)
    fields = _parse_fields(text[: match.start()] + " " + text[match.end() :])
    return _Meta(fields.source, published_at, fields.credits)


def _to_datetime(match: re.Match[str], line_number: int) -> datetime:
    """Turn a date match into an aware datetime in Asia/Shanghai, or say why not."""
    parts = {
        key: int(value) for key, value in match.groupdict().items() if value is not None
    }
    try:
        return datetime(
            parts["year"],
            parts["month"],
            parts["day"],
            parts.get("hour", 0),
            parts.get("minute", 0),
            parts.get("second", parts.get("second_cn", 0)),
            tzinfo=SHANGHAI,
        )
    except ValueError:
        pass
    printed = match.group(0).strip()
    if 1 <= parts["month"] <= 12 and parts["day"] > 0 and _time_is_valid(parts):
        # Only the day is wrong, as in 2021-02-30: say so, it is easy to miss.
        raise PageTextError(
            f"无法识别的时间“{printed}”"
            f"（{parts['year']} 年 {parts['month']} 月没有 {parts['day']} 日）",
            line_number,
        )
    raise PageTextError(f"无法识别的时间“{printed}”", line_number)


def _time_is_valid(parts: dict[str, int]) -> bool:
    second = parts.get("second", parts.get("second_cn", 0))
    return parts.get("hour", 0) < 24 and parts.get("minute", 0) < 60 and second < 60


def _parse_fields(text: str) -> _Fields:
    """Read "来源：…", "作者：…" fields and unlabelled words from an NFKC meta text.

    Unlabelled words that are not toolbar chrome name the source ("烟台日报 2021-…"),
    unless they form a byline.
    """
    matches = list(_LABEL_RE.finditer(text))
    unlabelled = [text[: matches[0].start()] if matches else text]
    source = ""
    credits: list[Credit] = []
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        value = " ".join(_content_words(text[match.end() : end]))
        label = match["label"]
        if label in _SOURCE_LABELS:
            source = source or value
        elif label in _CREDIT_LABELS:
            credits += _credits_from_field(_CREDIT_LABELS[label], value)
        elif label in ("发布时间", "发布日期", "发表时间", "更新时间", "时间", "日期"):
            # The date was cut out of the line; what follows it is unlabelled.
            unlabelled.append(value)
    rest = " ".join(word for part in unlabelled for word in _content_words(part))
    if rest and (byline := _parse_byline(rest)) is not None:
        credits += byline
    elif rest:
        source = source or rest
    return _Fields(source, credits)


def _content_words(text: str) -> list[str]:
    return [word for word in _words(text) if not _CHROME_WORD_RE.fullmatch(word)]


def _credits_from_field(role: str, value: str) -> list[Credit]:
    """Credits of a labelled field.

    "作者：刘晓东", "编辑：王五 李四", or a byline as in "作者：本报记者 张三".
    """
    if (byline := _parse_byline(value)) is not None:
        return byline
    return [Credit(role, name) for name in _NAME_SEPARATORS_RE.split(value) if name]


def _split_body(
    lines: list[_Line],
) -> tuple[list[_Line], list[Credit], str, list[_Line]]:
    """Separate the article's body lines from bylines and the page around it.

    Returns the body lines, the credits printed in and after the body, a subtitle
    printed as the first body line ("——…"), if any, and the lines among the body
    that look like page furniture but could not be placed (left out of the body).
    """
    body: list[_Line] = []
    credits: list[Credit] = []
    unplaced: list[_Line] = []
    subtitle = ""
    rest = iter(lines)
    for line in rest:
        if line.text.startswith("分享到"):
            # A share bar above the article is a toolbar; below it, the page goes on
            # with things that are not the article.
            if body:
                break
            continue
        text = _without_correction(line.text)
        byline = _parse_byline(text) if text else None
        if byline is not None:
            credits += byline
            if body and not _is_photo_credit(text):
                credits += _trailing_credits(rest)
                break
            continue
        if text != line.text or (
            line.text[:1] in _SECTION_STARTS and _SECTION_MARKER_RE.match(line.text)
        ):
            break
        if not body and not subtitle and _is_dash_subtitle(line.text):
            subtitle = _clean_subtitle(line.text)
            continue
        if _is_unplaced(line.text):
            unplaced.append(line)
            continue
        if not body:
            credits += _lead_credits(line.text)
        body.append(line)
    return body, credits, subtitle, unplaced


def _without_correction(text: str) -> str:
    """``text`` less a leading "【纠错】" (the regex only where it can match)."""
    if text.startswith(_CORRECTION_STARTS):
        return _CORRECTION_RE.sub("", text)
    return text


def _is_unplaced(text: str) -> bool:
    """A short line with the words of page furniture or of a labelled byline."""
    return len(text) <= UNPLACED_MAX_CHARS and bool(_UNPLACED_RE.search(_nfkc(text)))


def _trailing_credits(lines: Iterator[_Line]) -> list[Credit]:
    """Credits on the lines right after the byline, such as "（责任编辑：王五）"."""
    credits: list[Credit] = []
    for line in lines:
        byline = _parse_byline(_without_correction(line.text))
        if byline is None:
            break
        credits += byline
    return credits


def _lead_credits(text: str) -> list[Credit]:
    """Credits in the opening "本报讯（记者 张三）" of a first paragraph."""
    match = _LEAD_BYLINE_RE.match(text)
    if match is None:
        return []
    return _parse_byline(f"({match.group(1)})") or []


def _is_photo_credit(text: str) -> bool:
    """Tell whether a byline is the credit of a photo ("记者 张三 摄").

    Such a line sits under a picture anywhere in the body and does not end it.
    """
    return bool(_PHOTO_SUFFIX_RE.search(_strip_brackets(_nfkc(text).strip())))


def _parse_byline(text: str) -> list[Credit] | None:
    """Return the credits of a byline line, or ``None`` if the line is not one.

    Strict on purpose, because a byline ends the article: every word must be a role,
    a prefix glued to a role, or a name after a role.
    """
    text = _nfkc(text).strip().lstrip(_BYLINE_BULLETS).strip()
    unwrapped = _strip_brackets(text)
    if not unwrapped or len(unwrapped) > 80:
        return None
    if dateline := _DATELINE_RE.match(unwrapped):
        # The dateline is no organisation prefix: "新华社北京1月7日电 记者 张三".
        rest = unwrapped[dateline.end() :].strip()
        return _parse_byline_words(_strip_brackets(rest), bracketed=rest[:1] == "(")
    return _parse_byline_words(unwrapped, bracketed=unwrapped != text)


def _strip_brackets(text: str) -> str:
    """Drop parentheses or 【】 that wrap the whole text."""
    while len(text) > 2 and text[0] in "(【[〔" and text[-1] in ")】]〕":
        text = text[1:-1].strip()
    return text


def _parse_byline_words(text: str, *, bracketed: bool) -> list[Credit] | None:
    # Each suffix looked for only where the text ends as it does ("$" also matches
    # before a final line feed): most lines end otherwise.
    reported = "报" in text[-3:] and _REPORTED_RE.search(text)
    is_photo = "摄" in text[-2:] and bool(_PHOTO_SUFFIX_RE.search(text))
    has_suffix = bool(reported) or is_photo
    if reported:
        text = _REPORTED_RE.sub("", text)
    if "摄" in text[-2:]:
        text = _PHOTO_SUFFIX_RE.sub("", text)
    roles = list(_ROLE_RE.finditer(text))
    if not roles:
        return None
    head = text[: roles[0].start()].strip()
    if head and not re.fullmatch(rf"[A-Za-z0-9{_HAN}]{{1,12}}", head):
        return None
    credits: list[Credit] = []
    prefix = head
    # Without a colon, a space, brackets or a suffix, "记者手记" or "编辑推荐" would
    # read as a role and a name: a byline with a name glued to its only role needs
    # some other sign that it is one.
    evidence = has_suffix or bracketed or bool(head) or len(roles) > 1
    for index, role_match in enumerate(roles):
        end = roles[index + 1].start() if index + 1 < len(roles) else len(text)
        chunk = text[role_match.end() : end]
        evidence = evidence or chunk[:1] in (" ", ":", "/")
        names, next_prefix = _split_names(chunk.lstrip(" :/"), is_last=end == len(text))
        if names is None:
            return None
        printed_role = re.sub(r"\s", "", role_match["role"])
        if printed_role in IGNORED_ROLES:
            pass
        elif not names:
            # "文/图 记者 张三", "图/记者 李四": a marker before the role that counts.
            if index + 1 == len(roles):
                return None
        else:
            role = "摄影" if is_photo else ROLE_NAMES[printed_role]
            credits += [Credit(role, name, prefix) for name in names]
        prefix = next_prefix
    if not credits or not evidence:
        return None
    return credits


def _split_names(chunk: str, *, is_last: bool) -> tuple[list[str] | None, str]:
    """Split the text after a role into names and the prefix of the next role.

    Returns ``(None, "")`` if a word is not a name.
    """
    glued = bool(chunk) and not chunk[-1].isspace() and not is_last
    words = [word for word in _NAME_SEPARATORS_RE.split(chunk) if word]
    next_prefix = ""
    if glued and words and _PREFIX_RE.fullmatch(words[-1]):
        next_prefix = words.pop()
    if not all(_NAME_RE.fullmatch(word) for word in words):
        return None, ""
    return words, next_prefix


def _classify_blocks(lines: list[_Line]) -> list[Block]:
    """Tell section headings from paragraphs."""
    last = len(lines) - 1
    blocks = []
    for index, line in enumerate(lines):
        is_heading = _is_heading(line.text, first=index == 0, last=index == last)
        blocks.append(Block("heading" if is_heading else "paragraph", line.text))
    return blocks


def _is_heading(text: str, *, first: bool, last: bool) -> bool:
    """A heading is short, is no sentence and introduces the paragraphs after it.

    The first body line is the lead, not a heading, unless it is numbered ("一、");
    the last line has nothing to introduce.
    """
    if last or (first and not _NUMBERED_RE.match(text)):
        return False
    if len(text) > HEADING_MAX_CHARS or text[-1] in _CLAUSE_END:
        return False
    if any(mark in text for mark in _SENTENCE_PUNCTUATION):
        return False
    # A line wholly in brackets is a caption or a note, such as "（图片由…提供）".
    if text[0] in "（(【[" and text[-1] in "）)】]":
        return False
    if _CAPTION_RE.match(text):
        return False
    # A byline our rules could not read ("记者 张三 通讯员 王聪慕英军") is still no
    # heading: a role word followed by a space or colon does not start a section.
    return not any(
        text[match.end() : match.end() + 1] in (" ", ":", "：")
        for match in _ROLE_RE.finditer(text)
    )


def _unique(credits: list[Credit]) -> list[Credit]:
    """Drop a credit printed twice (same role and name), keeping the first."""
    seen: set[tuple[str, str]] = set()
    unique = []
    for credit in credits:
        if (credit.role, credit.name) not in seen:
            seen.add((credit.role, credit.name))
            unique.append(credit)
    return unique


# --- JSON lines --------------------------------------------------------------------

# Roles of the "people" object of a JSON line (the ``--json`` output of the import
# command), and the shared benchmark dataset's "reporters" / "correspondents".
_JSON_ROLE_KEYS = {"reporters": "记者", "correspondents": "通讯员"}
_JSON_ROLES = frozenset(ROLE_NAMES.values())


def parse_json_line(text: str | bytes, line: int | None = None) -> ParsedPage:
    """Parse one JSON line of an archive export into a :class:`ParsedPage`.

    Keys: ``title``, ``published_at`` (ISO 8601; without an offset it is Beijing
    time) and ``body`` (a list of ``{"type": "heading"|"paragraph", "text": …}``, or
    text with one paragraph a line) are required; ``subtitle``, ``source``,
    ``source_url``, ``channel``, ``tags`` and ``people`` (role → names, as the
    ``--json`` output prints them; ``reporters`` and ``correspondents`` are read too)
    are optional. Raises :class:`PageTextError` with ``line`` for what is wrong.
    """
    try:
        record = json.loads(text)
    except (ValueError, UnicodeDecodeError) as error:
        raise PageTextError(f"不是有效的 JSON（{error}）", line) from None
    if not isinstance(record, dict):
        raise PageTextError("这一行应是一个 JSON 对象（{…}）", line)

    def text_of(key: str, *, required: bool = False) -> str:
        value = record.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise PageTextError(f"“{key}”应是文字", line)
        value = _one_line(value)
        if required and not value:
            raise PageTextError(f"缺少“{key}”", line)
        return value

    title = text_of("title", required=True)
    published = text_of("published_at", required=True)
    try:
        published_at = datetime.fromisoformat(published)
    except ValueError:
        # The forms a page's meta line may print ("2021/03/01 09:30",
        # "2021年3月1日 09:30"), as other systems' exports write them, as a whole.
        normal = _nfkc(published)
        match = _DATETIME_RE.search(normal)
        if match is None or match.group(0).strip() != normal:
            raise PageTextError(f"无法识别的时间“{published}”", line) from None
        published_at = _to_datetime(match, line)
    if published_at.tzinfo is None:
        published_at = published_at.replace(tzinfo=SHANGHAI)
    published_at = published_at.astimezone(SHANGHAI)
    blocks = _json_blocks(record.get("body"), line)
    if not blocks:
        raise PageTextError("正文为空（“body”里没有段落）", line)
    credits = []
    people = record.get("people") or {}
    if not isinstance(people, dict):
        raise PageTextError("“people”应是“角色: [姓名, …]”的对象", line)
    pairs = list(people.items()) + [
        (_JSON_ROLE_KEYS[key], record[key]) for key in _JSON_ROLE_KEYS if key in record
    ]
    for role, names in pairs:
        if role not in _JSON_ROLES:
            raise PageTextError(f"不认识的署名角色“{role}”", line)
        if isinstance(names, str):
            names = [names]
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise PageTextError(f"“{role}”的姓名应是文字列表", line)
        credits += [Credit(role, name.strip()) for name in names if name.strip()]
    tags = record.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise PageTextError("“tags”应是文字列表", line)
    return ParsedPage(
        title=title,
        subtitle=text_of("subtitle"),
        source=text_of("source"),
        published_at=published_at,
        blocks=blocks,
        credits=_unique(credits),
        source_url=text_of("source_url"),
        channel=text_of("channel"),
        tags=list(dict.fromkeys(t.strip() for t in tags if t.strip())),
    )


def _visible(text: str) -> str:
    """``text`` without the characters that print as nothing (``_INVISIBLE_RE``)."""
    if _INVISIBLE_RE.search(text):  # seldom: the search costs less than the sub
        text = _INVISIBLE_RE.sub("", text)
    return text


def _one_line(text: str) -> str:
    """A JSON value's text as a page's line is read: without the characters that
    print as nothing, runs of spaces made one, the ends stripped."""
    return _SPACES_RE.sub(" ", _visible(text)).strip()


def _json_blocks(body, line: int | None) -> list[Block]:
    if isinstance(body, str):
        texts = [_one_line(t) for t in body.splitlines()]
        return _classify_blocks([_Line(0, t) for t in texts if t])
    if not isinstance(body, list):
        raise PageTextError("“body”应是段落列表或文字", line)
    blocks = []
    for item in body:
        if not isinstance(item, dict) or item.get("type") not in (
            "heading",
            "paragraph",
        ):
            raise PageTextError(
                '“body”的每一项应形如 {"type": "paragraph", "text": …}', line
            )
        value = item.get("text")
        if not isinstance(value, str):
            raise PageTextError("“body”里段落的“text”应是文字", line)
        value = _one_line(value)
        if value:
            blocks.append(Block(item["type"], value))
    return blocks
