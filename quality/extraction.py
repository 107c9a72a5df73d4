"""Find quantitative statements ("figures") in Chinese news text.

"共参与制修订604项国家标准" holds one figure: 604, unit 项, subject 国家标准, as of
the publication date. ``extract_figures`` returns every such figure with its hedge
(余, 以上, 约 …), the bounds the hedge implies and the period it refers to.

The work is a pipeline of small steps, one function each:

0. ``_find_periods``  period phrases (截至目前, 2019年, 去年上半年, 近两年来 …),
   resolved to dates against the publication date. Step 6 needs them and step 1 must
   skip them.
1. ``_mask_non_figures`` blank out every span whose digits are not counts: period
   phrases, dates, times, ordinals, codes, phone numbers, 《titles》 and set phrases.
   Blanking rather than deleting keeps offsets, so positions still point into the input.
2. ``_find_numbers``  Arabic, Chinese and mixed numerals, 百分之… percentages.
3. ``_attach_units``  the measure word or %, the hedge around the number and the
   bounds it implies; lists that share one unit ("604、650和350项").
   ``_merge_ranges`` folds "3至5家" into one figure.
4. ``_is_figure``     drop what is still no figure: no unit, 一 used as "a", 千 in
   "百城千业万企", durations such as "3个月".
5. ``_attach_subjects`` what each figure counts: the words after the unit
   ("604项国家标准") or, failing those, before the number ("食品抽检1700批次");
   then what lists share ("3个国家级、5个省级质检中心", "…分别为3个、5个") and what
   a clause leaves out ("企业3000家，2019年新增200家").
6. ``_attach_periods`` the nearest period phrase before the figure in its sentence.

Every step is a heuristic tuned on the seed article and the articles in
bench/extraction_gold.json; docs/benchmarks.md has the measured precision and recall.

Pure Python: no Django imports, so the admin, services and benchmarks can all call it.
"""

import functools
import re
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

from yantai.jieba import Jieba
from yantai.text import (
    CHINESE_DIGITS,
    CHINESE_PLACES,
    parse_chinese_number,
    to_halfwidth,
)


@dataclass(frozen=True)
class Figure:
    """One quantitative statement found in a text."""

    quote: str  # the clause the figure was found in, a substring of the input
    value: Decimal
    comparator: str  # "=", "~", ">", ">=", "<" or "<="
    lower: Decimal | None
    upper: Decimal | None
    unit: str
    subject: str
    period_start: date | None  # None: the figure is an instant at period_end
    period_end: date
    start: int  # offset of the number in the input
    end: int  # offset just past the unit or trailing hedge

    def as_dict(self) -> dict:
        """Return the figure as JSON-ready data (numbers as numbers, dates as ISO)."""
        start = self.period_start.isoformat() if self.period_start else None
        return {
            "quote": self.quote,
            "value": _json_number(self.value),
            "comparator": self.comparator,
            "lower": _json_number(self.lower),
            "upper": _json_number(self.upper),
            "unit": self.unit,
            "subject": self.subject,
            "period_start": start,
            "period_end": self.period_end.isoformat(),
        }


def _json_number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def extract_figures(text: str, published_on: date) -> list[Figure]:
    """Return the figures stated in ``text``, in order of appearance.

    Periods that the text leaves open ("目前", "去年上半年", no phrase at all) are
    resolved against ``published_on``.
    """
    norm = to_halfwidth(text)
    periods = list(_find_periods(norm, published_on))
    masked = _mask_non_figures(norm, periods)
    mentions = _find_numbers(masked)
    _attach_units(masked, mentions)
    mentions = [m for m in _merge_ranges(masked, mentions) if _is_figure(masked, m)]
    _attach_subjects(norm, masked, mentions, periods)
    _attach_periods(norm, mentions, periods, published_on)
    return [m.to_figure(text) for m in mentions]


class _Scanner:
    """A pattern searched only where a match can begin: ``finditer`` gives what the
    compiled pattern's own ``finditer`` gives, faster.

    sre tries a pattern at every position of the text unless it can tell which
    characters a match begins with, and it cannot for a pattern that opens with a
    look-behind or an optional group (_PERIOD_RE tried at each of a 3,000-character
    body's positions: 1.45 ms; only where ``first`` finds a character: 0.20 ms).
    ``first`` is a character class holding every character a match of ``pattern``
    can begin with (tests/quality/test_extraction.py reads each pattern with sre's
    parser to check it, and compares the matches of both ways over the extraction's
    cases). None of these patterns matches the empty string, so, as in
    ``finditer``, the next search starts where a match ends.
    """

    def __init__(self, pattern: str, first: str, flags: int = 0):
        self.pattern = re.compile(pattern, flags)
        self.first = re.compile(first)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        search, match = self.first.search, self.pattern.match
        pos = 0
        while (found := search(text, pos)) is not None:
            at = found.start()
            m = match(text, at)
            if m is None:
                pos = at + 1
            else:
                yield m
                pos = m.end()


# --- Step 0: period phrases ------------------------------------------------------

_CN_INT = "[零〇一二两三四五六七八九十]+"
_INT = rf"(?:\d{{1,2}}|{_CN_INT})"
_YEAR = r"(?:19|20)\d{2}"
# What may follow a year: half, quarter, month(s), day, year end. Each alternative
# has its own group so that _resolve_period can tell them apart.
_SUB_PERIOD = (
    r"(?P<half>上半年|下半年)|(?P<q3>前三季度)"
    rf"|第?(?P<quarter>[一二三四1-4])季度|(?P<whole>全年)"
    rf"|(?:1|一)月?(?:份)?[-—～~至到](?P<month_to>{_INT})月(?:份)?"
    rf"|前(?P<months>{_INT})个?月"
    rf"|(?P<month>{_INT})月(?:份)?(?:(?P<day>{_INT})[日号])?(?P<month_edge>底|末)?"
    r"|(?P<edge>底|末|初)"
)
_PERIOD_RE = _Scanner(
    rf"""
    (?<![比较与])(?<!高于)(?<!低于)  # "比去年同期", "与上年相比": a baseline
    (?P<until>截至|截止到?)?   # "截至X": an instant at the end of X
    (?:
        (?P<now>目前|当前|现在|至今|迄今|如今)
      | (?P<y1>{_YEAR})年?\s*[-—～~至到]\s*(?P<y2>{_YEAR})年
      | (?:(?P<year>{_YEAR})年度?|(?<!以)(?P<rel>今年|去年|前年|上年|本年)度?)
        (?:{_SUB_PERIOD})?
      | (?P<bare_half>上半年|下半年)|(?P<bare_q3>前三季度)
      | 第?(?P<bare_quarter>[一二三四])季度
      | (?:1|一)月?(?:份)?[-—～~至到](?P<bare_month_to>{_INT})月(?:份)?
      | (?P<bare_month>{_INT})月(?:份)?(?:(?P<bare_day>{_INT})[日号])?
        (?P<bare_month_edge>底|末)?
      | (?:自|从)(?P<since_year>{_YEAR})年[^，。；\d]{{0,6}}?以来
      | 近(?P<recent>{_INT})多?年(?:多)?(?:来|以来)?
      | 连续(?P<streak>{_INT})年
      | (?P<years_back>{_INT})多?年多?(?:来|以来)
      | [“"]?十(?P<plan>[一二三四五六七八九])五[”"]?(?:期间|时期)?
    )
    (?P<since>以来)?
    """,
    # What each alternative above begins with: 截(至); 目当现至迄如; a year or _INT
    # (digits, 零〇一二两三四五六七八九十); 今去前上本; 上下(半年); 前(三季度);
    # 第 or 一二三四(季度); 1一(月); 自从; 近; 连; “" or 十(五).
    r'[截目当现至迄如今去前上本下第自从近连“"十零〇一二两三四五六七八九\d]',
    re.VERBOSE,
)


@dataclass(frozen=True)
class _Period:
    start: int  # span in the text
    end: int
    period_start: date | None
    period_end: date


def _find_periods(text: str, published_on: date) -> Iterator[_Period]:
    for match in _PERIOD_RE.finditer(text):
        try:
            resolved = _resolve_period(match, published_on)
        except ValueError:  # "2月30日", "13月": not a date after all
            continue
        if resolved is not None:
            yield _Period(match.start(), match.end(), *resolved)


def _resolve_period(
    match: re.Match[str], published_on: date
) -> tuple[date | None, date] | None:
    g = match.groupdict()
    if g["now"]:
        return None, published_on
    if g["y1"]:
        start, end = date(int(g["y1"]), 1, 1), date(int(g["y2"]), 12, 31)
    elif g["year"] or g["rel"]:
        year = (
            int(g["year"])
            if g["year"]
            else published_on.year + _RELATIVE_YEARS[g["rel"]]
        )
        start, end = _sub_period(year, g)
    elif bare := {k[5:]: v for k, v in g.items() if k.startswith("bare_") and v}:
        # No year given: the period of that name in the publication year, or the
        # year before if it would only begin after publication.
        start, end = _sub_period(published_on.year, bare)
        if (start or end) > published_on:
            start, end = _sub_period(published_on.year - 1, bare)
    elif g["since_year"]:  # "自2012年设立以来"
        return date(int(g["since_year"]), 1, 1), published_on
    elif g["recent"] or g["years_back"] or g["streak"]:  # 近两年来, 连续5年
        years = _small_int(g["recent"] or g["years_back"] or g["streak"])
        return _years_before(published_on, years), published_on
    elif g["plan"]:
        # 十一五 is 2006–2010; each later five-year plan follows on.
        first = 2006 + 5 * (_small_int(g["plan"]) - 1)
        start, end = date(first, 1, 1), date(first + 4, 12, 31)
    else:  # pragma: no cover - every alternative of _PERIOD_RE sets a group
        return None
    if g["since"]:  # "2019年以来", "6月1日以来": from then until publication
        return start or end, published_on
    if start is None:  # 年底, 6月29日: a day, not a span
        return None, min(end, published_on) if g["until"] else end
    if g["until"]:
        return None, min(end, published_on)
    return start, end


_RELATIVE_YEARS = {"今年": 0, "本年": 0, "去年": -1, "上年": -1, "前年": -2}
_QUARTERS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def _sub_period(year: int, g: dict) -> tuple[date | None, date]:
    """The part of ``year`` that the sub-period groups name (all of it if none)."""
    if g.get("half") == "上半年":
        return date(year, 1, 1), date(year, 6, 30)
    if g.get("half") == "下半年":
        return date(year, 7, 1), date(year, 12, 31)
    if g.get("q3"):
        return date(year, 1, 1), date(year, 9, 30)
    if g.get("quarter"):
        q = _QUARTERS[g["quarter"]]
        return date(year, 3 * q - 2, 1), _month_end(year, 3 * q)
    if g.get("month_to"):
        return date(year, 1, 1), _month_end(year, _small_int(g["month_to"]))
    if g.get("months"):
        return date(year, 1, 1), _month_end(year, _small_int(g["months"]))
    if g.get("month"):
        month = _small_int(g["month"])
        if g.get("day"):
            return None, date(year, month, _small_int(g["day"]))
        if g.get("month_edge"):
            return None, _month_end(year, month)
        return date(year, month, 1), _month_end(year, month)
    if g.get("edge") in ("底", "末"):
        return None, date(year, 12, 31)
    if g.get("edge") == "初":
        return None, date(year, 1, 1)
    return date(year, 1, 1), date(year, 12, 31)


def _small_int(s: str) -> int:
    value = parse_chinese_number(s)
    if value is None:
        raise ValueError(s)
    return int(value)


def _month_end(year: int, month: int) -> date:
    if not 1 <= month <= 12:
        raise ValueError(month)
    first_of_next = date(year + month // 12, month % 12 + 1, 1)
    return first_of_next - timedelta(days=1)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


# --- Step 1: spans that are not figures ---------------------------------------------

_MASK = "\x00"  # never a digit, unit, hedge or separator
_NUMERAL_CHARS = rf"\d{CHINESE_DIGITS}{CHINESE_PLACES}"
_NON_FIGURE_RES = (
    # 《…》 titles name documents; "《关于实施“品质品牌”战略…》" holds no data.
    re.compile(r"《[^》\n]*》"),
    # Dates and times the period grammar does not resolve: 2021-01-07, 10:36, 上午9时.
    re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}"),
    re.compile(r"\d{1,2}[:：]\d{2}(?:[:：]\d{2})?"),
    _Scanner(
        rf"(?:上午|下午|晚上|凌晨|中午|早上)?[{_NUMERAL_CHARS}]{{1,3}}[时点]半",
        rf"[上下晚凌中早{_NUMERAL_CHARS}]",
    ),
    re.compile(rf"(?:上午|下午|晚上|凌晨|中午|早上)[{_NUMERAL_CHARS}]{{1,3}}[时点]"),
    re.compile(rf"[{_NUMERAL_CHARS}]{{1,3}}[时点][{_NUMERAL_CHARS}]{{1,3}}分"),
    # Years in Chinese digits (二〇二一年) and a year standing alone before 年.
    re.compile(r"[〇零一二三四五六七八九]{4}年度?"),
    re.compile(r"\d{4}年度?"),
    # Ordinals and ranks: 第三, 第1名, 位列全省第二, 前3名, 第十二条 (but 目前3名 is a
    # count).
    re.compile(rf"第[{_NUMERAL_CHARS}]+"),
    _Scanner(rf"(?<![目此之提当事])[前后][{_NUMERAL_CHARS}]+[名位强]", "[前后]"),
    # Phone numbers: 0535-6666666, (0535)6666666, 13800000000, 400-123-4567, and any
    # digit run after 电话/热线/传真; 11+ digit runs are identifiers, not counts.
    re.compile(r"(?:电话|热线|传真|手机|联系方式)[:：]?\s*[\d\-—－()（） ]{7,}"),
    re.compile(r"[(（]?0\d{2,3}[)）-]\d{7,8}"),
    re.compile(r"400-?\d{3}-?\d{4}"),
    re.compile(r"\d{11,}"),
    # Codes: GB/T 19001-2016, DB37/T 1234, ISO9001, 5G, PM2.5, 3·15, 鲁政发〔2020〕12号.
    re.compile(
        r"(?:统一社会信用代码|信用代码|邮编|邮政编码|编号|证号|文号)[:：]?\s*[0-9A-Za-z\-]+"
    ),
    re.compile(r"[A-Za-z][A-Za-z/.]*\s?\d[\dA-Za-z.\-:/—]*(?:\s\d[\dA-Za-z.\-:/—]*)?"),
    re.compile(r"\d+(?:\.\d+)?[A-Za-z][\dA-Za-z.\-/]*"),
    re.compile(r"[〔\[(（]\d{4}[〕\])）]\d*号?"),
    re.compile(r"\d+号"),
    re.compile(r"\d+·\d+"),
    # Set phrases where a numeral is part of a word, not a count.
    re.compile(
        "一大批|一系列|一批批|一揽子|一站式|一次性|一条龙|一体化|一把手|一件事|"
        "一户一档|一企一策|一人一档|一网通办|千家万户|千方百计|百城千业万企|"
        "三个代表|两个维护|两个确立|两个一百年|四个意识|四个自信|四个全面|五位一体|"
        "三品一标|一带一路|一成不变"
    ),
)


def _mask_non_figures(text: str, periods: list[_Period]) -> str:
    chars = list(text)
    spans = [(p.start, p.end) for p in periods]
    spans += [m.span() for regex in _NON_FIGURE_RES for m in regex.finditer(text)]
    for start, end in spans:
        chars[start:end] = _MASK * (end - start)
    return "".join(chars)


# --- Step 2: numbers --------------------------------------------------------------

_ARABIC = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_MULTIPLIER = "万亿|千万|百万|亿|万|千|百"
_NUMBER_RE = _Scanner(
    rf"(?P<percent>百分之)?(?P<numeral>"
    rf"(?:{_ARABIC})(?:(?:{_MULTIPLIER})(?:\d+(?:{_MULTIPLIER}))*)?"
    rf"|[{CHINESE_DIGITS}{CHINESE_PLACES}]+(?:点[{CHINESE_DIGITS}]+[万亿]?)?"
    r")(?![\d.])",
    rf"[\d{CHINESE_DIGITS}{CHINESE_PLACES}]",  # 百 (of 百分之) among the places
)


@dataclass
class _Mention:
    """A number on its way to becoming a ``Figure``; the steps fill it in."""

    start: int
    numeral_end: int
    numeral: str
    is_percent: bool
    prefix: str = ""  # hedge before the number: 超, 约, 不足 …
    infix: str = ""  # hedge between number and unit: 余, 多, 来
    multiplier: str = ""  # 万 in "30多万人"
    unit: str = ""
    postfix: str = ""  # hedge after the unit: 以上, 左右 …
    end: int = 0
    value: Decimal = Decimal(0)
    comparator: str = "="
    lower: Decimal | None = None
    upper: Decimal | None = None
    range_start: int | None = None  # set when "3至5家" was merged into this mention
    is_baseline: bool = False  # "比2020年的13410批次"
    baseline_year: int | None = None
    # Lists: "3个国家级、5个省级…" links the two mentions; the connector between them
    # ends the first item's segment and starts the second's.
    list_prev: "_Mention | None" = None
    list_next: "_Mention | None" = None
    segment_start: int = 0
    segment_end: int = 0
    quote_span: tuple[int, int] = (0, 0)
    subject: str = ""
    period_start: date | None = None
    period_end: date | None = None

    @property
    def hedge_start(self) -> int:
        return (self.range_start or self.start) - len(self.prefix)

    def to_figure(self, text: str) -> Figure:
        start, end = self.quote_span
        return Figure(
            quote=text[start:end].strip(),
            value=self.value,
            comparator=self.comparator,
            lower=self.lower,
            upper=self.upper,
            unit=self.unit,
            subject=self.subject,
            period_start=self.period_start,
            period_end=self.period_end,
            start=self.range_start if self.range_start is not None else self.start,
            end=self.end,
        )


def _find_numbers(masked: str) -> list[_Mention]:
    return [
        _Mention(
            start=m.start(),
            numeral_end=m.end(),
            numeral=m.group("numeral"),
            is_percent=bool(m.group("percent")),
        )
        for m in _NUMBER_RE.finditer(masked)
    ]


# --- Step 3: unit and hedge -------------------------------------------------------

# Measure words and units. Sorted longest first, so that 批次 wins over 批.
# fmt: off
_UNITS = sorted((
    "个百分点", "百分点", "批次", "人次", "家次", "户次", "件次", "场次", "台次",
    "台套", "台件", "部门", "美元", "元",
    "项", "个", "家", "名", "批", "人", "件", "次", "吨", "台", "套", "座", "所",
    "户", "条", "种", "处", "场", "期", "支", "辆", "艘", "部", "位", "款", "类",
    "张", "份", "起", "宗", "株", "头", "只", "间", "栋", "大类", "亩", "公顷",
    "平方公里", "平方米", "公里", "千米", "米", "千克", "公斤", "千瓦", "倍", "%",
), key=len, reverse=True)
# fmt: on
_MONEY_UNITS = ("元", "美元")  # 万元 and 亿元 stay units: 3.5亿元 is 3.5 亿元
_RELATIVE_UNITS = ("%", "百分点", "倍")
_TAIL_RE = re.compile(
    r"(?P<infix>余|多|来)?"
    rf"(?P<multiplier>{_MULTIPLIER})?"
    rf"(?P<unit>{'|'.join(map(re.escape, _UNITS))}"
    r"|成(?![为立员果效本功交绩熟品就]))"  # 七成 is 70%; 成为, 成立 … are words
    r"(?!间)"  # 期间 is a period, not 期 the unit
    r"(?P<per>/(?:十万|百万|千|万|百)?(?:人|户|家))?"  # a rate: 6.4批次/千人
    r"(?P<postfix>以上|以下|以内|左右|上下(?!游))?"  # 上下游 is "the supply chain"
)
_PERCENT_TAIL_RE = re.compile(r"(?P<postfix>以上|以下|以内|左右|上下(?!游))?")
# Read right to left from the number; the longest hedge that ends there wins because
# the regex finds the leftmost start.
_PREFIX_RE = re.compile(
    "(?:不超过|不多于|不少于|不低于|超过|超出|至少|最多|至多|多于|少于|不足|不到|"
    "大约|约为|将近|接近|逾|超|(?<![节制公契预])约|(?<![最附临邻亲])近|上)$"
)
_COMPARATORS = {
    **dict.fromkeys(("余", "多", "超过", "超出", "超", "逾", "多于"), ">"),
    **dict.fromkeys(("以上", "不低于", "不少于", "至少", "上"), ">="),
    **dict.fromkeys(
        ("约", "大约", "约为", "近", "将近", "接近", "左右", "上下", "来"), "~"
    ),
    **dict.fromkeys(("不足", "不到", "少于"), "<"),
    **dict.fromkeys(("以下", "以内", "不超过", "不多于", "最多", "至多"), "<="),
}
_SCALE = {
    "万亿": Decimal(10) ** 12,
    "千万": Decimal(10) ** 7,
    "百万": Decimal(10) ** 6,
    "亿": Decimal(10) ** 8,
    "万": Decimal(10) ** 4,
    "千": Decimal(10) ** 3,
    "百": Decimal(10) ** 2,
}
# Between two list items: "604项国家标准、650项…", "3个国家级和5个…".
_CONNECTOR_RE = re.compile(r"、|以及|和|及|与|或")
_LIST_CONNECTOR_RE = re.compile(rf"(?:{_CONNECTOR_RE.pattern})$")
_RANGE_CONNECTOR_RE = re.compile(r"[至到~～\-—－]")


def _attach_units(masked: str, mentions: list[_Mention]) -> None:
    for m in mentions:
        if m.is_percent:
            tail = _PERCENT_TAIL_RE.match(masked, m.numeral_end)
            m.unit = "%"
        else:
            tail = _TAIL_RE.match(masked, m.numeral_end)
            if tail:
                m.infix, m.multiplier = tail["infix"] or "", tail["multiplier"] or ""
                m.unit = tail["unit"] + (tail["per"] or "")
        m.postfix = (tail["postfix"] if tail else "") or ""
        m.end = tail.end() if tail else m.numeral_end
        prefix = _PREFIX_RE.search(masked, max(0, m.start - 4), m.start)
        # 上 is a hedge only before a bare 百/千/万: 上千家, not 线上3家.
        if prefix and (prefix.group() != "上" or _is_bare_place(m.numeral)):
            m.prefix = prefix.group()
    _share_units(masked, mentions)
    for m in mentions:
        _set_value(m)


def _share_units(masked: str, mentions: list[_Mention]) -> None:
    """Give "604、650和350项" the unit of its last item, right to left."""
    for m, following in reversed(list(pairwise(mentions))):
        between = masked[m.numeral_end : following.start - len(following.prefix)]
        if not m.unit and following.unit and _LIST_CONNECTOR_RE.fullmatch(between):
            m.unit, m.multiplier = following.unit, following.multiplier


def _set_value(m: _Mention) -> None:
    numeral, scale = m.numeral, _SCALE.get(m.multiplier, Decimal(1))
    if m.unit in _MONEY_UNITS:
        # Keep the newsroom's unit: 3.5亿元 is 3.5 亿元, 300余万元 is 300+ 万元.
        for suffix in ("万亿", "亿", "万"):
            if not m.multiplier and numeral.endswith(suffix) and numeral != suffix:
                numeral, m.multiplier = numeral[: -len(suffix)], suffix
                break
        m.unit, scale = m.multiplier + m.unit, Decimal(1)
    elif m.unit in ("个百分点", "百分点"):
        m.unit = "百分点"
    tenths = m.unit == "成"
    if tenths:  # 近七成 is ~70%
        m.unit, scale = "%", scale * 10
    base = parse_chinese_number(numeral)
    if base is None or (tenths and base > 10):
        m.unit = ""  # not a number after all ("万一", "十五成"); _is_figure drops it
        return
    m.value = _tidy(base * scale)
    hedge = m.infix or m.prefix or m.postfix
    m.comparator = _COMPARATORS.get(hedge, "=")
    if m.infix in ("余", "多"):
        # 六百余 → (600, 700): the next step of the last significant digit.
        step = Decimal(1).scaleb(base.normalize().as_tuple().exponent)
        m.lower, m.upper = m.value, _tidy((base + step) * scale)
    elif m.comparator in (">", ">="):
        m.lower = m.value
    elif m.comparator in ("<", "<="):
        m.upper = m.value


def _merge_ranges(masked: str, mentions: list[_Mention]) -> list[_Mention]:
    """Fold "3至5家" and "20%-30%" into one mention: "~", lower 3, upper 5, value 4."""
    merged: list[_Mention] = []
    for m in mentions:
        lower = _range_lower(masked, merged[-1], m) if merged else None
        if lower is None:
            merged.append(m)
            continue
        m.lower, m.upper, m.value = lower, m.value, _tidy((lower + m.value) / 2)
        m.comparator, m.range_start = "~", merged[-1].start
        merged[-1] = m
    return merged


def _range_lower(masked: str, first: _Mention, second: _Mention) -> Decimal | None:
    """The lower end when ``first`` and ``second`` make a range, else ``None``."""
    if (
        first.prefix
        or first.unit not in ("", second.unit)
        or second.comparator != "="
        or not _RANGE_CONNECTOR_RE.fullmatch(masked[first.end : second.start])
    ):
        return None
    lower = _tidy(first.value * _shared_multiplier(first, second))
    return lower if lower < second.value else None


def _shared_multiplier(first: _Mention, second: _Mention) -> Decimal:
    """The 万 in "1-3万人" scales the first number too (not in "3至5万元": 万元)."""
    if first.multiplier or first.numeral[-1] in _SCALE or second.unit[:1] in _SCALE:
        return Decimal(1)
    suffix = second.numeral[-1] if second.numeral[-1] in _SCALE else ""
    return _SCALE.get(second.multiplier, Decimal(1)) * _SCALE.get(suffix, Decimal(1))


def _tidy(value: Decimal) -> Decimal:
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


# --- Step 4: what is still not a figure ---------------------------------------------

# "3个月", "两个多小时": durations, not counts of things.
_DURATION_RE = re.compile(r"多?(?:月|工作日|小时|星期|季度|年头|周)")


def _is_figure(masked: str, m: _Mention) -> bool:
    if not m.unit:
        return False  # a number without unit or % is not a figure
    hedged = bool(m.prefix or m.infix)
    if m.numeral == "一" and not hedged and not m.is_percent:
        return False  # 一 as the article "a": 一项系统工程, 培育了一批企业
    if _is_bare_place(m.numeral) and not hedged and not m.is_percent:
        return False  # 千业万企, 万华: a bare 百/千/万 counts only in 百余家, 近千人
    if all(c in CHINESE_DIGITS for c in m.numeral) and len(m.numeral) > 1:
        return False  # 五一, 二〇二一: digit strings are names and years
    return not (m.unit == "个" and _DURATION_RE.match(masked, m.end))


def _is_bare_place(numeral: str) -> bool:
    return all(c in "百千万亿" for c in numeral)


# --- Step 5: subjects --------------------------------------------------------------

_CLAUSE_BREAK_RE = re.compile(r"[，。；;：！？!?\n\r\t\u3000 ]|,(?!\d{3})|:(?!\d)")
_SENTENCE_BREAK_RE = re.compile(r"[。；;！？!?\n\r]")
# The vocabularies below are tables: keep them compact.
# fmt: off
# Words that make rjieba keep a domain term in one piece, so that trimming below never
# cuts into it ("社会公用计量标准总数" → … / 总数, not … 标准总 / 数).
_DOMAIN_WORDS = (
    "国家标准", "行业标准", "地方标准", "省地方标准", "团体标准", "企业标准",
    "国际标准", "山东名牌", "山东名牌产品", "名牌产品", "服务名牌", "质检中心",
    "合格率", "抽检合格率", "质量合格率", "社会公用计量标准", "计量标准",
    "质量标杆", "全国质量标杆", "标准化试点", "试点项目", "试点单位",
    "规上工业企业", "检验检测机构", "食品抽检", "驰名商标", "地理标志",
    "专项抽样", "质量奖", "市场主体", "全覆盖", "在用", "获此殊荣",
)
# The city, its districts and the agency: in "烟台市共有…" the place is the actor,
# not the subject. 市级 goes too: in a city's own news it is the default level.
_ACTORS = frozenset({
    "烟台", "烟台市", "全市", "我市", "本市", "该市", "全区", "全县", "芝罘区",
    "莱山区", "福山区", "牟平区", "蓬莱区", "龙口市", "莱阳市", "莱州市",
    "招远市", "栖霞市", "海阳市", "开发区", "高新区", "长岛", "市级", "该局",
    "该中心",
})
# Adverbs and verbs that end the actor's part of a clause: in "执法人员共发现问题农资"
# the subject starts after 共 and 发现.
_ACTOR_VERBS = frozenset({
    "共", "已", "已经", "又", "还", "均", "累计", "共计", "合计", "一共", "先后",
    "有", "共有", "现有", "已有", "拥有", "建有", "共建", "培育", "创建", "建成",
    "完成", "新增", "新建", "发现", "设立", "建立", "开展", "举办", "组织", "发放",
    "实现", "主导", "参与", "参与制", "制修订", "修订", "发布", "覆盖", "涉及",
})
# Words that may stand between the actor and the thing counted.
_LEADING_NOISE = _ACTOR_VERBS | frozenset({
    "也", "都", "再", "另", "另有", "还有", "又有", "其中", "同时", "此外", "总计",
    "全年", "培育出", "获得", "获评", "荣获", "认定", "制", "制定", "涌现",
    "涌现出", "成功", "了", "的", "达到", "达", "为", "是", "在", "于", "将", "并",
    "和", "及", "与", "目前", "截至", "分别",
})
_TRAILING_NOISE = frozenset({
    "总数", "总量", "数量", "数", "达到", "达到了", "达", "已经", "已", "为",
    "是", "有", "共", "共计", "累计", "合计", "总计", "保持在", "始终保持",
    "保持", "始终", "稳定在", "在", "均", "都", "分别", "分别为", "分别达到",
    "增至", "增加到", "提高到", "提升到", "提升至", "突破", "控制在", "控制",
    "维持在", "将", "了", "的", "和", "及", "与", "以及", "、",
})
# In the words after the unit, where the predicate starts: "3个国家级质检中心落户
# 烟台". Verbs of status (获评, 入选, 成为 …) are not here: in "3家企业获评全国质量
# 标杆" the honour is what is counted, so the subject keeps it.
_PREDICATES = frozenset({
    "落户", "位居", "落地", "参加", "参与", "纳入", "在", "为", "是", "已",
    "已经", "将", "均", "共", "正在", "并", "实现", "占", "达到", "达", "同比",
    "比", "较", "相比", "覆盖", "涉及", "其中", "之间", "全面", "基本", "顺利",
    "相继", "陆续", "先后", "全部", "联合", "开展", "设立", "予以", "进行", "完成",
    "获此殊荣", "全覆盖", "，", ",",
})
# fmt: on
# "3个国家级、5个省级质检中心": a level alone borrows the head noun of the next item.
_LEVEL_ONLY_RE = re.compile(r"(?:国家|省|市|县|区|国际|全国|全省)级?|\w{1,3}级")
_LEVEL_PREFIX_RE = re.compile(r"^\w{1,3}?级")
_CHANGE_RE = re.compile(r"同比|环比|[比较](?:上年|去年|年初)")
# "比2020年的13410批次": the figure is what the one before it is compared with.
_BASELINE_RE = re.compile(
    r"[比较](?:(?P<year>(?:19|20)\d{2})年|上年|去年)?(?:同期)?的$"
)
# "400多台（套）": a bracketed aside right after the unit says nothing of the subject.
_ASIDE_RE = re.compile(r"^[（(][^）)]*[）)]")
_EDGE_JUNK = " \t\u3000“”\"'‘’「」（）()、，,"


@functools.cache
def _segmenter() -> Jieba:
    # A private instance: adding our words to rjieba's default one would change how
    # the news app segments text for search.
    jieba = Jieba()
    for word in _DOMAIN_WORDS:
        jieba.add_word(word, None, None)
    return jieba


def _attach_subjects(
    norm: str, masked: str, mentions: list[_Mention], periods: list[_Period]
) -> None:
    _link_lists(masked, mentions)
    _subjects_from_own_words(norm, masked, mentions, periods)
    _subjects_from_other_figures(norm, mentions)


def _subjects_from_own_words(
    norm: str, masked: str, mentions: list[_Mention], periods: list[_Period]
) -> None:
    """Each figure's subject from the words of its own segment of the clause."""
    # Clauses are cut on the masked text, so the space in "GB/T 19001" is no break.
    breaks = [m.start() for m in _CLAUSE_BREAK_RE.finditer(masked)]
    for i, m in enumerate(mentions):
        prev = mentions[i - 1] if i else None
        nxt = mentions[i + 1] if i + 1 < len(mentions) else None
        k = bisect_left(breaks, m.start)
        start = m.segment_start if m.list_prev else (breaks[k - 1] + 1 if k else 0)
        k = bisect_left(breaks, m.end)
        clause_end = breaks[k] if k < len(breaks) else len(norm)
        end = m.segment_end if m.list_next else clause_end
        m.quote_span = (start, end)
        if prev is not None and prev.is_baseline and start <= prev.start:
            start = prev.end  # "比2020年的13410批次增加5152批次": 增加 is this one's
        after_end = min(end, nxt.hedge_start) if nxt is not None else end
        before = _without_periods(norm, start, m.hedge_start, periods)
        after = norm[m.end : max(after_end, m.end)]
        m.subject = _subject(before, after, relative=m.unit in _RELATIVE_UNITS)
        if baseline := _BASELINE_RE.search(before):
            m.is_baseline = True
            m.baseline_year = int(baseline["year"]) if baseline["year"] else None


def _subjects_from_other_figures(norm: str, mentions: list[_Mention]) -> None:
    """Complete subjects from the figures around them: lists, 分别, left-out words."""
    for m in reversed(mentions):  # right to left, so a chain of levels shares one head
        if m.list_next is not None:
            m.subject = _with_shared_head(m.subject, m.list_next.subject)
    _zip_respectively(norm, mentions)
    for prev, m in pairwise(mentions):
        if _SENTENCE_BREAK_RE.search(norm, prev.end, m.start):
            continue
        # Chinese leaves out what the sentence already said: "企业3000家，2019年新增
        # 200家", "分别达到604、650和350项" (when the items are not named), and
        # "抽检18562批次，比2020年的13410批次增加…" (a baseline for the same thing).
        if m.is_baseline or (
            not m.subject
            and (
                m.list_prev is prev
                or m.unit == prev.unit
                or m.unit in _RELATIVE_UNITS  # "总数33个，是2017年的5.5倍"
            )
        ):
            m.subject = prev.subject
        # "电梯3.2万台，同比增长8.5%": the change is the change of the figure before.
        elif _CHANGE_RE.match(m.subject) or prev.is_baseline:
            m.subject = prev.subject + m.subject


def _without_periods(norm: str, start: int, end: int, periods: list[_Period]) -> str:
    """``norm[start:end]`` less its period phrases: they say when, not what."""
    pieces, at = [], start
    for p in periods:
        if start <= p.start and p.end <= end:
            pieces.append(norm[at : p.start])
            at = p.end
    return "".join([*pieces, norm[at:end]])


def _link_lists(masked: str, mentions: list[_Mention]) -> None:
    """Link the items of "604项国家标准、650项行业标准和350项…" into one list.

    The connector is either the last thing before the next number ("国家标准、650") or
    the first thing after the previous figure ("国家级3个、省级5个").
    """
    for prev, m in pairwise(mentions):
        between = masked[prev.end : m.hedge_start]
        if _CLAUSE_BREAK_RE.search(between):
            continue
        if connector := _CONNECTOR_RE.match(between) or _LIST_CONNECTOR_RE.search(
            between
        ):
            prev.list_next, m.list_prev = m, prev
            prev.segment_end = prev.end + connector.start()
            m.segment_start = prev.end + connector.end()


def _subject(before: str, after: str, relative: bool) -> str:
    after_words = _cut_at_predicate(_words(_ASIDE_RE.sub("", after)))
    if _ends_with_predicate(after):
        # "1700批次合格率为98%": the words after introduce the next figure. Only what
        # comes before their 的 is ours: "4大类食品的不合格率分别为…".
        after_words = (
            after_words[: after_words.index("的")] if "的" in after_words else []
        )
    before_words = _words(before)
    # A rate comes after what it measures ("合格率97%"); the words after it are the
    # predicate ("百分之百完成整改").
    if relative and _trim(before_words):
        return _trim(before_words)
    if after_words:
        subject = _trim(after_words, before=False)
        head = _trim(before_words)
        if head.endswith("等"):  # 中药饮片等5个专项抽样: the examples belong to it
            subject = head + subject
        if subject:
            return subject
    return _trim(before_words)


def _words(s: str) -> list[str]:
    return [w for w in _segmenter().cut(s) if w.strip()]


def _cut_at_predicate(words: list[str]) -> list[str]:
    for i, w in enumerate(words):
        # rjieba joins adverb and verb ("全面落实"): check the first two characters too.
        if w in _PREDICATES or w[:2] in _PREDICATES:
            return words[:i]
    return words


def _ends_with_predicate(after: str) -> bool:
    words = _words(after)
    return bool(words) and words[-1] in {"为", "达", "达到", "是", "占", "超过", "约"}


def _trim(words: list[str], *, before: bool = True) -> str:
    """Join ``words`` without the actor, verbs and particles around the subject.

    ``before``: the words come before the number, so they may start with the actor
    ("烟台市", "执法人员共发现…") that is not part of what is counted.
    """
    start, end = 0, len(words)
    while end > start and (
        words[end - 1] in _TRAILING_NOISE or not words[end - 1].strip(_EDGE_JUNK)
    ):
        end -= 1
    if before:  # "执法人员共发现问题农资": what is counted follows the actor's verb
        verbs = [i for i in range(start, end - 1) if words[i] in _ACTOR_VERBS]
        start = verbs[-1] + 1 if verbs else start
    while start < end and (
        words[start] in _LEADING_NOISE
        or (before and words[start] in _ACTORS)
        or not words[start].strip(_EDGE_JUNK)
    ):
        start += 1
    subject = "".join(words[start:end]).strip(_EDGE_JUNK)
    if subject.count("“") != subject.count("”"):  # 三品一标”农产品认证
        subject = subject.replace("“", "").replace("”", "")
    return subject


_RESPECTIVELY_RE = re.compile(r"分别(?P<verb>为|是|达到?|有|占|增长|下降|提高)?$")
_ITEM_SPLIT_RE = re.compile(r"、|以及|和|及|与")


def _with_shared_head(subject: str, following: str) -> str:
    """Complete a list item that names only a modifier from the item after it.

    "国家级" before "省级质检中心" → "国家级质检中心"; "食品" before "药品抽检合格率"
    → "食品抽检合格率". Other short items are left alone: in "企业和个体工商户" the
    first item is a noun of its own.
    """
    if _LEVEL_ONLY_RE.fullmatch(subject):
        return subject + _LEVEL_PREFIX_RE.sub("", following)
    words, following_words = _words(subject), _words(following)
    if following.endswith("率") and 0 < len(words) < len(following_words):
        return subject + "".join(following_words[len(words) :])
    return subject


def _zip_respectively(norm: str, mentions: list[_Mention]) -> None:
    """Pair the named items with the numbers in "国家级、省级质检中心分别为3个、5个"."""
    for m in mentions:
        if m.list_prev is not None:
            continue
        chain = [m]
        while chain[-1].list_next is not None:
            chain.append(chain[-1].list_next)
        before = norm[m.quote_span[0] : m.hedge_start].rstrip()
        match = _RESPECTIVELY_RE.search(before)
        if len(chain) < 2 or not match:
            continue
        named = before[: match.start()]
        items = [_trim(_words(s)) for s in _ITEM_SPLIT_RE.split(named)]
        if len(items) == len(chain):
            for k in range(len(items) - 2, -1, -1):
                items[k] = _with_shared_head(items[k], items[k + 1])
        elif not any(items):
            items = _respective_earlier(norm, mentions, chain, match["verb"] or "")
        else:
            items = _enumerated_before(norm, named, chain)
        if len(items) != len(chain) or not all(items):
            continue
        for item, member in zip(items, chain, strict=True):
            member.subject = item


def _respective_earlier(
    norm: str, mentions: list[_Mention], chain: list[_Mention], verb: str
) -> list[str]:
    """Subjects for "商品类投诉3120件，服务类投诉2312件，分别占57.4%和42.6%".

    With no items named before 分别, the numbers refer to as many figures just before
    them in the sentence.
    """
    head = mentions.index(chain[0])
    earlier = mentions[max(0, head - len(chain)) : head]
    if len(earlier) < len(chain) or _SENTENCE_BREAK_RE.search(
        norm, earlier[0].end, chain[0].start
    ):
        return []
    suffix = {"占": "占比", "为": "", "是": "", "有": "", "达": "", "达到": ""}
    return [e.subject + suffix.get(verb, verb) for e in earlier if e.subject]


# "乳制品等4大类食品的不合格率": the count of an enumeration that came before.
_ENUMERATION_COUNT_RE = re.compile(
    r"等(?P<n>[\d一二三四五六七八九十两]+)(?:大类|类|种|个|项)"
)


def _enumerated_before(norm: str, named: str, chain: list[_Mention]) -> list[str]:
    """Subjects for "粮食加工品，食用油、油脂及其制品，肉制品，乳制品等4大类食品的
    不合格率分别为0.35%、0.62%、0.71%、0.10%".

    The items are the last N pieces of the sentence before 等N类, cut at "，" (or at
    "、" when that gives too few); each gets the measure after the 的.
    """
    count = _ENUMERATION_COUNT_RE.search(named)
    if not count or parse_chinese_number(count["n"]) != len(chain):
        return []
    end = chain[0].quote_span[0] + named.index(count.group())
    start = max((b.end() for b in _SENTENCE_BREAK_RE.finditer(norm, 0, end)), default=0)
    enumeration = norm[start:end]
    pieces = enumeration.split("，")
    if len(pieces) < len(chain):
        pieces = re.split("、|，", enumeration)
    measure = named.rsplit("的", 1)[1] if "的" in named else ""
    return [_trim(_words(p)) + measure for p in pieces[-len(chain) :]]


# --- Step 6: periods ---------------------------------------------------------------


def _attach_periods(
    norm: str, mentions: list[_Mention], periods: list[_Period], published_on: date
) -> None:
    """Each figure takes the last period phrase before it in its sentence.

    Chinese puts the time before the predicate ("去年上半年又完成食品抽检1700批次"), so
    a phrase after a figure belongs to what follows it. No phrase: as of publication.
    """
    breaks = [m.start() for m in _SENTENCE_BREAK_RE.finditer(norm)]
    for prev, m in zip([None, *mentions], mentions, strict=False):
        k = bisect_left(breaks, m.start)
        sentence_start = breaks[k - 1] + 1 if k else 0
        found = [
            p for p in periods if sentence_start <= p.start and p.end <= m.hedge_start
        ]
        if m.baseline_year:  # "比2020年的13410批次" is 2020's figure
            m.period_start = date(m.baseline_year, 1, 1)
            m.period_end = date(m.baseline_year, 12, 31)
        elif m.unit == "倍" and prev is not None and prev.start >= sentence_start:
            # "总数达到33个，是2017年的5.5倍": the ratio is of the figure before; the
            # year in it is the baseline.
            m.period_start, m.period_end = prev.period_start, prev.period_end
        elif found:
            m.period_start, m.period_end = found[-1].period_start, found[-1].period_end
        else:
            m.period_start, m.period_end = None, published_on
