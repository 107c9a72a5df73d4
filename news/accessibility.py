"""无障碍检查: what in an article body fails the accessibility rules.

GB/T 37668-2019 and the 适老化及无障碍改造 rules are mostly met by the templates; what
editors write can still fail them. ``check_body`` reads a body (the sanitiser's
output, ``yantai.html.ALLOWED_TAGS``: headings h2–h4 only, no styles or colours, so
no colour rule) and lists what fails, with few and certain rules:

- ``image-alt``: an image without alt text. An empty alt is right only for a
  decorative library image (``news.body_images`` gives those an empty one);
- ``image-alt-filename``: an alt text that is a file name (``IMG_2031.JPG``);
- ``heading-order``: a heading more than one level below the one before; the
  article's title is the page's ``h1``, so the body's first heading is an ``h2``;
- ``heading-empty``: a heading without text;
- ``heading-duplicate``: a heading with the same level and text as the one before;
- ``link-vague`` / ``link-url`` / ``link-empty``: a link whose text says nothing of
  where it goes (“点击这里”, “更多”), is a bare web address, or is empty;
- ``table-header``: a table without header cells (``th``);
- ``bold-paragraph``: a whole paragraph of ``BOLD_PARAGRAPH_MIN_CHARS`` or more in bold.

Findings are advice: saving and publishing go on (see docs/architecture.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

from django.apps import apps
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yantai.text import join_list, stored_language

from .body_images import library_image_id

BOLD_PARAGRAPH_MIN_CHARS = 50
# Shown of a paragraph, a table or a long text in ``Finding.where``.
EXCERPT_CHARS = 20

RULES = {
    "image-alt": gettext_lazy(
        "图片缺少替代文字：请在 alt 中描述图片内容（纯装饰图片请在图片库中勾选“装饰性”）。"
    ),
    "image-alt-filename": gettext_lazy(
        "图片的替代文字是文件名：请改为描述图片内容的文字。"
    ),
    "heading-empty": gettext_lazy("标题没有文字：请填写标题或删除这一行。"),
    "heading-duplicate": gettext_lazy(
        "与上一个标题重复：连续两个同级标题文字相同，请删除或修改其中一个。"
    ),
    "link-vague": gettext_lazy(
        "链接文字没有说明链接去向：请用目标的名称作链接文字，不用“点击这里”“更多”等。"
    ),
    "link-url": gettext_lazy("链接文字是网址：请改用链接目标的名称。"),
    "link-empty": gettext_lazy("链接没有文字：读屏软件无法读出链接去向。"),
    "table-header": gettext_lazy(
        "表格没有表头：请把第一行（或第一列）设为表头单元格。"
    ),
    "bold-paragraph": gettext_lazy(
        "整段加粗：大段粗体难以阅读，请只加粗关键词，小标题请用标题格式。"
    ),
}

# Each rule in a few words, for the note a publication leaves in the timeline
# (``publication_note``).
RULE_NAMES = {
    "image-alt": gettext_lazy("图片缺少替代文字"),
    "image-alt-filename": gettext_lazy("替代文字是文件名"),
    "heading-order": gettext_lazy("标题级别跳级"),
    "heading-empty": gettext_lazy("标题没有文字"),
    "heading-duplicate": gettext_lazy("标题重复"),
    "link-vague": gettext_lazy("链接文字没有说明去向"),
    "link-url": gettext_lazy("链接文字是网址"),
    "link-empty": gettext_lazy("链接没有文字"),
    "table-header": gettext_lazy("表格没有表头"),
    "bold-paragraph": gettext_lazy("整段加粗"),
}

# Link texts that name no destination, compared without spaces, case and the
# arrows and brackets around them (“更多>>”, “【详情】”).
VAGUE_LINK_TEXTS = frozenset(
    {
        "点击这里",
        "点击此处",
        "点这里",
        "点此",
        "点击",
        "这里",
        "此处",
        "更多",
        "详情",
        "详细",
        "链接",
        "查看",
        "查看更多",
        "查看详情",
        "了解更多",
        "阅读全文",
        "clickhere",
        "here",
        "more",
        "readmore",
        "link",
        "details",
    }
)
_LINK_DECORATION = re.compile(r"[\s>»›<«‹【】\[\]（）()…:：。.!！]+")
_BARE_URL = re.compile(r"^(https?://|www\.)\S+$", re.I)
_FILE_NAME = re.compile(r"^\S+\.(jpe?g|png|gif|webp|bmp|tiff?|svg)$", re.I)
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_BOLD = {"strong", "b"}


@dataclass(frozen=True)
class Finding:
    rule: str  # one of RULES
    message: str  # what is wrong and what to do, in the active language
    where: str  # what it is about: the heading's text, the image, the link …


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS] + "…"


def _finding(rule: str, where: str, message: str = "") -> Finding:
    return Finding(rule, message or str(RULES[rule]), where)


class _Reader(HTMLParser):
    """One pass over the body, collecting what the rules look at."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.findings: list[Finding] = []
        self.heading: dict | None = None  # the heading being read
        self.last_heading: tuple[int, str] = (1, "")  # the title is the page's h1
        self.link: dict | None = None
        self.paragraph: dict | None = None
        self.bold_depth = 0
        self.tables: list[dict] = []
        # Images with an empty alt and a library id: decorative ones are right.
        self.empty_library_alts: list[tuple[int, Finding]] = []

    def add(self, finding: Finding) -> None:
        self.findings.append(finding)

    def text_of(self, data: str) -> None:
        for part in (self.heading, self.link, self.paragraph, *self.tables[-1:]):
            if part is not None:
                part["text"] += data
        if self.paragraph is not None and data.strip():
            self.paragraph["plain" if not self.bold_depth else "bold"] += len(
                "".join(data.split())
            )

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in _HEADINGS:
            self.heading = {"level": _HEADINGS[tag], "tag": tag, "text": ""}
        elif tag == "a" and attrs.get("href"):
            self.link = {"href": attrs["href"], "text": ""}
        elif tag == "p":
            self.paragraph = {"text": "", "plain": 0, "bold": 0}
            self.bold_depth = 0
        elif tag in _BOLD:
            self.bold_depth += 1
        elif tag == "table":
            self.tables.append(
                {"text": "", "caption": "", "th": 0, "in_caption": False}
            )
        elif tag == "th" and self.tables:
            self.tables[-1]["th"] += 1
        elif tag == "caption" and self.tables:
            self.tables[-1]["in_caption"] = True
        elif tag == "img":
            self.image(attrs)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in _HEADINGS and self.heading is not None:
            self.end_heading(self.heading)
            self.heading = None
        elif tag == "a" and self.link is not None:
            self.end_link(self.link)
            self.link = None
        elif tag == "p" and self.paragraph is not None:
            self.end_paragraph(self.paragraph)
            self.paragraph = None
        elif tag in _BOLD and self.bold_depth:
            self.bold_depth -= 1
        elif tag == "caption" and self.tables:
            self.tables[-1]["in_caption"] = False
        elif tag == "table" and self.tables:
            table = self.tables.pop()
            if not table["th"]:
                self.add(
                    _finding(
                        "table-header",
                        _("表格“%(text)s”")
                        % {"text": _excerpt(table["caption"] or table["text"])},
                    )
                )

    def handle_data(self, data):
        self.text_of(data)
        if self.tables and self.tables[-1]["in_caption"]:
            self.tables[-1]["caption"] += data

    def image(self, attrs: dict) -> None:
        src = attrs.get("src") or attrs.get("srcset") or ""
        alt = attrs.get("alt")
        if alt and alt.strip():
            # An image inside a link or heading speaks for it with its alt.
            self.text_of(alt)
            if _FILE_NAME.match(alt.strip()):
                self.add(
                    _finding(
                        "image-alt-filename",
                        _("图片 %(src)s（替代文字：%(alt)s）")
                        % {"src": src, "alt": alt.strip()},
                    )
                )
            return
        finding = _finding("image-alt", _("图片 %(src)s") % {"src": src})
        self.add(finding)
        # The id as news.body_images reads it: a value that cannot be one ("²",
        # "１", 19 digits) is an image outside the library, there and here.
        library_id = library_image_id(attrs.get("data-file") or "")
        if alt is not None and library_id is not None:
            self.empty_library_alts.append((library_id, finding))

    def end_heading(self, heading: dict) -> None:
        text = " ".join(heading["text"].split())
        where = f"{heading['tag']}“{_excerpt(text)}”"
        level, previous_text = self.last_heading
        if not text:
            self.add(_finding("heading-empty", heading["tag"]))
        elif heading["level"] > level + 1:
            self.add(
                _finding(
                    "heading-order",
                    where,
                    str(
                        _(
                            "标题级别跳级：从 h%(was)d 直接到 h%(now)d，"
                            "请改为 h%(should)d（文章标题是 h1，正文从 h2 开始）。"
                        )
                        % {
                            "was": level,
                            "now": heading["level"],
                            "should": level + 1,
                        }
                    ),
                )
            )
        elif heading["level"] == level and text == previous_text:
            self.add(_finding("heading-duplicate", where))
        if text:
            self.last_heading = (heading["level"], text)

    def end_link(self, link: dict) -> None:
        text = " ".join(link["text"].split())
        where = _("链接“%(text)s”（%(href)s）") % {
            "text": _excerpt(text),
            "href": link["href"],
        }
        if not text:
            self.add(_finding("link-empty", where))
        elif _LINK_DECORATION.sub("", text).lower() in VAGUE_LINK_TEXTS:
            self.add(_finding("link-vague", where))
        elif _BARE_URL.match(text):
            self.add(_finding("link-url", where))

    def end_paragraph(self, paragraph: dict) -> None:
        if not paragraph["plain"] and paragraph["bold"] >= BOLD_PARAGRAPH_MIN_CHARS:
            self.add(
                _finding(
                    "bold-paragraph",
                    _("段落“%(text)s”") % {"text": _excerpt(paragraph["text"])},
                )
            )


def check_body(html: str | None) -> list[Finding]:
    """What in the body ``html`` fails the accessibility rules, in reading order.

    No query, except one when an image has an empty alt and a library id (to see
    whether the library marks it decorative).
    """
    return check_bodies([html])[0]


def check_bodies(htmls: list[str | None]) -> list[list[Finding]]:
    """``check_body`` of each of ``htmls``, with one query for all (only when an
    image has an empty alt and a library id): the bulk writer's batches."""
    readers = []
    for html in htmls:
        reader = _Reader()
        if html:
            reader.feed(html)
            reader.close()
        readers.append(reader)
    library = {pk for r in readers for pk, _f in r.empty_library_alts}
    if not library:
        return [reader.findings for reader in readers]
    # By name: news.models imports modules that may import this one.
    decorative = set(
        apps.get_model("news", "Image")
        .objects.filter(pk__in=library, is_decorative=True)
        .values_list("pk", flat=True)
    )
    checked = []
    for reader in readers:
        right = {id(f) for pk, f in reader.empty_library_alts if pk in decorative}
        checked.append([f for f in reader.findings if id(f) not in right])
    return checked


def publication_note(findings: list[Finding]) -> str:
    """What a publication's timeline entry says of the published body's findings
    ("" without any): how many, and of which rules. Stored: in Chinese whatever
    the language of the publication (``yantai.text.stored_language``)."""
    if not findings:
        return ""
    rules = dict.fromkeys(f.rule for f in findings)
    with stored_language():
        return _("发布时有 %(n)d 项无障碍提示：%(rules)s") % {
            "n": len(findings),
            "rules": join_list(RULE_NAMES[rule] for rule in rules),
        }


def findings_text(findings: list[Finding]) -> str:
    """The findings on one line, for a message."""
    return "；".join(f"{f.where}：{f.message}" for f in findings)
