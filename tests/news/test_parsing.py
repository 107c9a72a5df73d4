"""Tests of ``news.parsing``: newspaper page text to title, time, body and byline.

The pages under ``pages/`` are one file per layout the importer meets; the seed is a
verbatim copy of the first page the project was given.
"""

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from django.test import SimpleTestCase

from news.parsing import (
    Credit,
    PageTextError,
    ParsedPage,
    parse_json_line,
    parse_page_text,
)

PAGES = Path(__file__).parent / "pages"
SHANGHAI = ZoneInfo("Asia/Shanghai")

# Page chrome of the seed: toolbar words, the teaser block after the byline and the
# site slogan. None of it belongs to the article.
SEED_CHROME = ("大字", "新闻推荐", "相关推荐", "烟台业达", "弘扬社会正气")

BODY = (
    "\n\n近日，烟台市市场监管局召开全市质量工作会议。\n\n会议部署了今年的重点任务。\n"
)


def parse_page(name: str) -> ParsedPage:
    return parse_page_text((PAGES / name).read_bytes())


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def paragraphs(page: ParsedPage) -> list[str]:
    return [block.text for block in page.blocks if block.type == "paragraph"]


class SeedPageTests(SimpleTestCase):
    """The seed article from 烟台日报 parses into the article a reader sees."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.page = parse_page("seed_000_b5b21bbd38acca12.txt")

    def test_title_source_and_time(self):
        """Title, source and the time in Asia/Shanghai come from the first lines."""
        self.assertEqual(
            self.page.title,
            "烟台市向高质量发展进军取得显著成效 参与制修订六百余项国家标准",
        )
        self.assertEqual(self.page.subtitle, "")
        self.assertEqual(self.page.source, "烟台日报")
        self.assertEqual(self.page.published_at, at(2021, 1, 7, 10, 36))
        self.assertEqual(
            self.page.published_at.isoformat(), "2021-01-07T10:36:00+08:00"
        )
        self.assertEqual(self.page.source_url, "")

    def test_headings_in_order(self):
        """The three short section titles are headings, in printed order."""
        self.assertEqual(
            self.page.headings(),
            [
                "科学规划顶层设计“基准线”",
                "3个国家级质检中心落户烟台",
                "工业产品质量合格率超97%",
            ],
        )

    def test_paragraphs(self):
        """The 13 body lines are 3 headings and 10 paragraphs, in printed order."""
        self.assertEqual(len(self.page.blocks), 13)
        texts = paragraphs(self.page)
        self.assertEqual(len(texts), 10)
        self.assertTrue(texts[0].startswith("质量提升促进城市竞争力"))
        self.assertTrue(texts[-1].startswith("讲好烟台品牌故事"))
        self.assertEqual(self.page.blocks[2].type, "heading")

    def test_lines_with_a_short_first_sentence_stay_paragraphs(self):
        """A line that opens with a short clause is a paragraph, not a heading."""
        starts = (
            "标准、计量、检验检测、认证认可。是质量提升工作的技术保障。",
            "共建共享",
        )
        for start in starts:
            with self.subTest(start=start):
                (block,) = [b for b in self.page.blocks if b.text.startswith(start)]
                self.assertEqual(block.type, "paragraph")

    def test_credits(self):
        """The byline gives the reporter with the group's prefix and the stringer."""
        self.assertEqual(
            self.page.credits,
            [Credit("记者", "逄苗", "YMG全媒体"), Credit("通讯员", "孙洪安", "")],
        )
        self.assertEqual(self.page.people(), {"记者": ["逄苗"], "通讯员": ["孙洪安"]})

    def test_page_chrome_is_dropped(self):
        """Toolbar words, teasers and slogans after the byline are in no block."""
        for word in SEED_CHROME:
            for block in self.page.blocks:
                with self.subTest(word=word, block=block.text[:10]):
                    self.assertNotIn(word, block.text)


class VariantPageTests(SimpleTestCase):
    """Each page layout under ``pages/`` gives its article, and only its article."""

    # file -> title, subtitle, source, published_at, headings, paragraph count,
    # credits, words of the page around the article that must be in no block.
    EXPECTED = {
        "labels_fullwidth_colons.txt": (
            "烟台市5家单位入选省级标准化试点",
            "",
            "胶东在线",
            at(2021, 12, 30, 16, 45, 12),
            [],
            3,
            [Credit("作者", "刘晓东"), Credit("责任编辑", "王五")],
            ("浏览次数", "纠错", "版权所有"),
        ),
        "halfwidth_colons_seconds.txt": (
            "烟台开展“计量惠民”服务进社区活动",
            "",
            "水母网",
            at(2021, 5, 20, 9, 5, 30),
            [],
            3,
            [Credit("作者", "孙静"), Credit("编辑", "李娜")],
            ("扫一扫", "分享到", "相关推荐", "三表"),
        ),
        "chinese_date.txt": (
            "烟台打造质量品牌“新名片”",
            "",
            "烟台日报",
            at(2021, 1, 7, 10, 36),
            ["品牌培育成效明显", "质量基础持续夯实"],
            3,
            [Credit("记者", "张三", "本报")],
            ("来源", "本报记者", "上一篇", "下一篇"),
        ),
        "time_before_source.txt": (
            "芝罘区启动“放心消费示范街区”创建",
            "",
            "水母网",
            at(2021, 12, 30, 16, 45),
            [],
            3,
            [Credit("记者", "赵倩", "水母网")],
            ("字体", "打印", "热点推荐", "天然气"),
        ),
        "parenthesised_byline.txt": (
            "烟台市出台质量提升三年行动方案",
            "",
            "烟台日报",
            at(2021, 3, 15, 10, 20),
            [],
            3,
            [
                Credit("记者", "刘晓东"),
                Credit("实习生", "陈静"),
                Credit("通讯员", "孙洪安"),
            ],
            ("相关新闻", "相关阅读", "全市质量工作会议", "通过验收", "考核结果"),
        ),
        "byline_top_reported.txt": (
            "莱阳梨标准化生产基地扩至3万亩",
            "",
            "烟台晚报",
            at(2021, 4, 2, 8, 30),
            [],
            3,
            [
                Credit("记者", "苗青", "YMG全媒体"),
                Credit("通讯员", "王聪"),
                Credit("通讯员", "李娜"),
            ],
            ("报道", "中字", "A+", "分享到", "出品"),
        ),
        "editor_line.txt": (
            "福山区食品生产企业全部实现“阳光工厂”",
            "",
            "烟台日报",
            at(2021, 6, 18, 15, 0),
            [],
            3,
            [
                Credit("记者", "王伟"),
                Credit("摄影", "李强"),
                Credit("责任编辑", "王五"),
            ],
            ("李强", "王五", "返回顶部", "版权所有"),
        ),
        "subtitle.txt": (
            "以质取胜 擦亮城市品质底色",
            "烟台市质量强市建设工作纪实",
            "烟台日报",
            at(2021, 9, 10, 7, 50),
            ["一、顶层设计持续完善", "二、质量基础不断夯实"],
            3,
            [Credit("记者", "逄苗", "YMG全媒体")],
            ("——", "小字", "分享到", "逄苗"),
        ),
        "crlf_bom.txt": (
            "烟台市检验检测机构数量突破300家",
            "",
            "烟台日报",
            at(2021, 11, 3, 8, 15),
            ["服务能力稳步提升"],
            3,
            [Credit("记者", "张三")],
            ("\ufeff", "\r", "\u3000", "文/图", "上一篇"),
        ),
        "related_chrome.txt": (
            "烟台发布2021年第一批产品质量监督抽查结果",
            "",
            "烟台市市场监督管理局",
            at(2021, 4, 26, 14, 30),
            [],
            3,
            [],
            ("相关新闻", "相关阅读", "电动自行车", "96.8%", "抽查计划"),
        ),
        "no_headings.txt": (
            "烟台市首家“质量小站”在开发区挂牌",
            "",
            "烟台日报",
            at(2021, 8, 12, 11, 5),
            [],
            4,
            [
                Credit("摄影", "孙洪安"),
                Credit("记者", "张三", "大众日报"),
                Credit("通讯员", "李四", "本报"),
            ],
            ("孙洪安", "大众日报", "网友评论"),
        ),
        "lead_dateline.txt": (
            "烟台2家企业获山东省省长质量奖",
            "",
            "烟台日报",
            at(2021, 1, 7, 0, 0),
            [],
            2,
            [Credit("记者", "张三"), Credit("通讯员", "李四")],
            ("原文链接", "http", "推荐阅读", "评审工作"),
        ),
    }

    def test_every_page_file_is_covered(self):
        """Each file under ``pages/`` other than the seed has its expectations here."""
        files = {path.name for path in PAGES.glob("*.txt")}
        self.assertEqual(files - {"seed_000_b5b21bbd38acca12.txt"}, set(self.EXPECTED))
        self.assertGreaterEqual(len(self.EXPECTED), 10)

    def test_pages(self):
        """Title, subtitle, source, time, headings, paragraphs and credits match."""
        for name, expected in self.EXPECTED.items():
            title, subtitle, source, published_at, headings, count, credits, _ = (
                expected
            )
            with self.subTest(page=name):
                page = parse_page(name)
                self.assertEqual(page.title, title)
                self.assertEqual(page.subtitle, subtitle)
                self.assertEqual(page.source, source)
                self.assertEqual(page.published_at, published_at)
                self.assertEqual(page.published_at.tzinfo, SHANGHAI)
                self.assertEqual(page.headings(), headings)
                self.assertEqual(len(paragraphs(page)), count)
                self.assertEqual(page.credits, credits)

    def test_page_chrome_is_dropped(self):
        """Meta words, bylines, toolbars and teasers are in no block."""
        for name, expected in self.EXPECTED.items():
            page = parse_page(name)
            for word in expected[-1]:
                with self.subTest(page=name, word=word):
                    self.assertFalse([b.text for b in page.blocks if word in b.text])


class MetaLineTests(SimpleTestCase):
    """The publication time and source come from the line after the title."""

    def parse_meta(self, meta: str) -> ParsedPage:
        return parse_page_text("烟台市召开全市质量工作会议\n" + meta + BODY)

    def test_date_and_time_forms(self):
        """Dates with -, /, . or 年月日, with or without seconds and spaces, parse."""
        cases = {
            "烟台日报 2021-01-07 10:36 大字": at(2021, 1, 7, 10, 36),
            "2021年01月07日 10:36 来源：烟台日报": at(2021, 1, 7, 10, 36),
            "2021年1月7日10:36 来源：烟台日报": at(2021, 1, 7, 10, 36),
            "2021/01/07 10:36 来源：烟台日报": at(2021, 1, 7, 10, 36),
            "2021.01.07 10:36 来源：烟台日报": at(2021, 1, 7, 10, 36),
            "来源：烟台日报　发布时间：２０２１－０１－０７　１０：３６：０９": at(
                2021, 1, 7, 10, 36, 9
            ),
            "来源:烟台日报 时间:2021-1-7 9:05:30": at(2021, 1, 7, 9, 5, 30),
            "烟台日报 2021年1月7日 10时36分": at(2021, 1, 7, 10, 36),
            "烟台日报 2021-01-07": at(2021, 1, 7, 0, 0),
        }
        for meta, published_at in cases.items():
            with self.subTest(meta=meta):
                page = self.parse_meta(meta)
                self.assertEqual(page.published_at, published_at)
                self.assertEqual(page.source, "烟台日报")

    def test_page_chrome_in_the_meta_line_is_not_the_source(self):
        """Font-size buttons, counters and share words are not part of the source."""
        meta = (
            "烟台日报 2021-01-07 10:36 【字号：大 中 小】 A+ A- 打印 收藏 浏览次数：123"
        )
        self.assertEqual(self.parse_meta(meta).source, "烟台日报")

    def test_labelled_people_become_credits(self):
        """作者, 编辑 and 责任编辑 in the meta line are credits with that role."""
        page = self.parse_meta(
            "来源：胶东在线 作者：刘晓东 编辑：李娜 责任编辑：王五 "
            "发布时间：2021-12-30 16:45"
        )
        self.assertEqual(page.source, "胶东在线")
        self.assertEqual(
            page.people(), {"作者": ["刘晓东"], "编辑": ["李娜"], "责任编辑": ["王五"]}
        )

    def test_missing_source_is_empty(self):
        """A meta line with only a time leaves the source to the importer's default."""
        page = self.parse_meta("发布时间：2021-12-30 16:45 打印")
        self.assertEqual(page.source, "")
        self.assertEqual(page.published_at, at(2021, 12, 30, 16, 45))

    def test_source_on_its_own_line(self):
        """A bare name above a meta line without a source is the source."""
        page = self.parse_meta("烟台日报\n2021-01-07 10:36")
        self.assertEqual(page.source, "烟台日报")
        self.assertEqual(page.subtitle, "")

    def test_date_in_the_title_is_not_the_meta_line(self):
        """A title that starts with a date is a title; the next line has the time."""
        page = parse_page_text(
            "2021年1月7日烟台市召开全市质量大会\n烟台日报 2021-01-08 10:36" + BODY
        )
        self.assertEqual(page.title, "2021年1月7日烟台市召开全市质量大会")
        self.assertEqual(page.published_at, at(2021, 1, 8, 10, 36))

    def test_source_url(self):
        """A "原文链接：" line gives source_url and is not part of the article."""
        page = parse_page("lead_dateline.txt")
        self.assertEqual(
            page.source_url,
            "http://www.shm.com.cn/ytrb/html/2021-01/07/content_1234567.htm",
        )
        page = self.parse_meta(
            "来源网址：https://www.ytrb.cn/a/1.html\n烟台日报 2021-01-07 10:36"
        )
        self.assertEqual(page.source_url, "https://www.ytrb.cn/a/1.html")
        self.assertEqual(len(page.blocks), 2)


class SubtitleTests(SimpleTestCase):
    """A line between title and meta line, printed as a subtitle, is the subtitle."""

    def test_subtitle_forms(self):
        """Dash, parentheses and 副题 label are dropped from the subtitle's text."""
        cases = (
            "——烟台市质量强市建设工作纪实",
            "—烟台市质量强市建设工作纪实",
            "（烟台市质量强市建设工作纪实）",
            "副题：烟台市质量强市建设工作纪实",
        )
        for line in cases:
            with self.subTest(line=line):
                page = parse_page_text(
                    f"以质取胜 擦亮城市品质底色\n{line}\n烟台日报 2021-09-10 07:50"
                    + BODY
                )
                self.assertEqual(page.subtitle, "烟台市质量强市建设工作纪实")
                self.assertEqual(len(page.blocks), 2)

    def test_subtitle_after_the_meta_line(self):
        """A dash line opening the body is the subtitle, not a paragraph."""
        page = parse_page_text(
            "以质取胜\n烟台日报 2021-09-10 07:50\n——烟台市质量强市建设工作纪实" + BODY
        )
        self.assertEqual(page.subtitle, "烟台市质量强市建设工作纪实")
        self.assertEqual(len(page.blocks), 2)


class BylineTests(SimpleTestCase):
    """Bylines give credits and end the article wherever the site prints them."""

    def parse_body(self, body: str) -> ParsedPage:
        return parse_page_text(
            "烟台市召开全市质量工作会议\n烟台日报 2021-01-07 10:36\n" + body
        )

    def test_byline_forms(self):
        """Prefixes, several names, aliases and brackets are read into credits."""
        cases = {
            "记者 王伟 摄影 李强": [Credit("记者", "王伟"), Credit("摄影", "李强")],
            "记者王伟 摄影李强": [Credit("记者", "王伟"), Credit("摄影", "李强")],
            "本报记者 张三": [Credit("记者", "张三", "本报")],
            "文/图 记者 张三": [Credit("记者", "张三")],
            "文/张三 图/李四": [Credit("作者", "张三"), Credit("摄影", "李四")],
            "通讯员 孙洪安 王聪": [
                Credit("通讯员", "孙洪安"),
                Credit("通讯员", "王聪"),
            ],
            "通讯员 孙洪安，王聪、欧阳晓东": [
                Credit("通讯员", "孙洪安"),
                Credit("通讯员", "王聪"),
                Credit("通讯员", "欧阳晓东"),
            ],
            "(记者 刘晓东 责编 王五)": [
                Credit("记者", "刘晓东"),
                Credit("责任编辑", "王五"),
            ],
            "【责任编辑：王五】": [Credit("责任编辑", "王五")],
            "大众日报记者 张三 本报通讯员 李四": [
                Credit("记者", "张三", "大众日报"),
                Credit("通讯员", "李四", "本报"),
            ],
            "编辑：李娜 校对：赵倩 审核：王五": [Credit("编辑", "李娜")],
            "新华社北京1月7日电 记者 张三": [Credit("记者", "张三")],
        }
        for byline, credits in cases.items():
            with self.subTest(byline=byline):
                page = self.parse_body(
                    "会议部署了今年的重点任务。\n" + byline + "\n烟台新闻网"
                )
                self.assertEqual(page.credits, credits)
                self.assertEqual(len(page.blocks), 1)

    def test_byline_before_the_body_does_not_end_it(self):
        """A byline right after the meta line, with or without 报道, opens the body."""
        for byline in ("记者 张三 报道", "YMG全媒体记者 张三", "（记者 张三）"):
            with self.subTest(byline=byline):
                page = self.parse_body(byline + "\n第一段。\n第二段。")
                self.assertEqual(paragraphs(page), ["第一段。", "第二段。"])
                self.assertEqual(page.people(), {"记者": ["张三"]})

    def test_lines_after_the_byline_are_dropped(self):
        """After the byline and the editor lines under it, nothing is the article."""
        page = self.parse_body(
            "会议部署了今年的重点任务。\n记者 张三\n（责任编辑：王五）\n"
            "烟台新闻，弘扬社会正气。"
        )
        self.assertEqual(paragraphs(page), ["会议部署了今年的重点任务。"])
        self.assertEqual(page.people(), {"记者": ["张三"], "责任编辑": ["王五"]})

    def test_photo_credit_does_not_end_the_body(self):
        """A photo credit such as "记者 张三 摄" is 摄影 and does not end the body."""
        page = self.parse_body("第一段。\n记者 张三 摄\n第二段。")
        self.assertEqual(paragraphs(page), ["第一段。", "第二段。"])
        self.assertEqual(page.credits, [Credit("摄影", "张三")])

    def test_lead_byline_in_the_first_paragraph(self):
        """An opening "本报讯（记者 张三）" gives credits; the paragraph keeps it."""
        page = parse_page("lead_dateline.txt")
        self.assertTrue(
            paragraphs(page)[0].startswith("本报讯（记者 张三 通讯员 李四）")
        )
        self.assertEqual(page.people(), {"记者": ["张三"], "通讯员": ["李四"]})

    def test_role_words_in_a_heading_are_no_byline(self):
        """A heading such as "记者手记" is no byline: a role glued to a word is not."""
        page = self.parse_body("第一段。\n记者手记\n第二段。\n记者 张三")
        self.assertEqual(page.headings(), ["记者手记"])
        self.assertEqual(page.credits, [Credit("记者", "张三")])

    def test_people_lists_each_name_once(self):
        """A name printed twice for one role is listed once."""
        page = self.parse_body("记者 张三 报道\n第一段。\n记者 张三 李四")
        self.assertEqual(page.people(), {"记者": ["张三", "李四"]})


class HeadingTests(SimpleTestCase):
    """Short unpunctuated lines between paragraphs are section headings."""

    def parse_body(self, body: str) -> ParsedPage:
        return parse_page_text(
            "烟台市召开全市质量工作会议\n烟台日报 2021-01-07 10:36\n" + body
        )

    def test_sentences_and_clauses_are_paragraphs(self):
        """A short line with sentence or clause punctuation is a paragraph."""
        for line in (
            "会议结束。",
            "他说：",
            "质量怎么抓？",
            "一是抓标准；",
            "二是抓品牌，",
        ):
            with self.subTest(line=line):
                page = self.parse_body(f"第一段。\n{line}\n第二段。")
                self.assertEqual(page.headings(), [])

    def test_first_and_last_lines_are_paragraphs(self):
        """The lead and the closing line are paragraphs however short they are."""
        page = self.parse_body("本报讯\n第一段。\n质量强市")
        self.assertEqual(page.headings(), [])
        self.assertEqual(len(page.blocks), 3)

    def test_unreadable_byline_is_no_heading(self):
        """A byline with names run together is a paragraph, not a heading."""
        page = self.parse_body("第一段。\n记者 张三 通讯员 王聪慕英军韩志刚\n第二段。")
        self.assertEqual(page.headings(), [])

    def test_numbered_first_line_is_a_heading(self):
        """A numbered line ("一、") is a heading even as the first body line."""
        page = self.parse_body("一、总体要求\n第一段。")
        self.assertEqual(page.headings(), ["一、总体要求"])

    def test_long_lines_and_captions_are_paragraphs(self):
        """Over 30 characters, in brackets or a photo caption: a paragraph."""
        long_line = (
            "烟台市坚持质量第一效益优先推动质量强市建设不断取得新进展新成效新突破"
        )
        captions = ("（图片由烟台市市场监管局提供）", "图为会议现场")
        for line in (long_line, *captions):
            with self.subTest(line=line):
                page = self.parse_body(f"第一段。\n{line}\n第二段。")
                self.assertEqual(page.headings(), [])


class ChromeTests(SimpleTestCase):
    """Page toolbars and teaser blocks are dropped."""

    def parse_body(self, body: str) -> ParsedPage:
        return parse_page_text(
            "烟台市召开全市质量工作会议\n烟台日报 2021-01-07 10:36\n" + body
        )

    def test_toolbar_lines_anywhere(self):
        """Lines of only 大字/中字/小字, 打印, 关闭, 扫一扫 are dropped wherever."""
        page = self.parse_body(
            "大字 中字 小字\n第一段。\n打印\n第二段。\n"
            "【关闭】\n扫一扫 手机阅读\n第三段。"
        )
        self.assertEqual(paragraphs(page), ["第一段。", "第二段。", "第三段。"])

    def test_share_bar_above_the_body_is_skipped(self):
        """A share bar before the first paragraph is a toolbar; after one, an end."""
        page = self.parse_body("分享到：\n第一段。\n第二段。\n分享到：\n烟台新闻网")
        self.assertEqual(paragraphs(page), ["第一段。", "第二段。"])

    def test_section_markers_end_the_article(self):
        """From a marker line such as 相关新闻 or 上一篇 on, nothing is the article."""
        markers = (
            "新闻推荐",
            "相关新闻：",
            "【纠错】",
            "上一篇：烟台召开会议",
            "返回顶部",
        )
        for marker in markers:
            with self.subTest(marker=marker):
                page = self.parse_body(f"第一段。\n第二段。\n{marker}\n烟台召开会议")
                self.assertEqual(paragraphs(page), ["第一段。", "第二段。"])

    def test_sentence_starting_with_a_marker_word_is_kept(self):
        """A paragraph that merely begins with "相关新闻" is not a marker."""
        page = self.parse_body("第一段。\n相关新闻发布会上，负责人介绍了情况。")
        self.assertEqual(len(paragraphs(page)), 2)


class EncodingTests(SimpleTestCase):
    """Bytes are read as UTF-8, with or without BOM, with any line endings."""

    def test_crlf_and_bom(self):
        """A CRLF file with a BOM and U+3000 indents parses like an LF one."""
        raw = (PAGES / "crlf_bom.txt").read_bytes()
        self.assertTrue(raw.startswith(b"\xef\xbb\xbf"))
        self.assertIn(b"\r\n", raw)
        crlf = parse_page_text(raw)
        lf = parse_page_text(raw.decode("utf-8-sig").replace("\r\n", "\n"))
        self.assertEqual(crlf, lf)
        self.assertTrue(crlf.blocks[0].text.startswith("记者从烟台市"))

    def test_str_and_bytes_agree(self):
        """A str and its UTF-8 bytes give the same page."""
        text = (PAGES / "chinese_date.txt").read_text(encoding="utf-8")
        self.assertEqual(parse_page_text(text), parse_page_text(text.encode()))


class InvisibleCharacterTests(SimpleTestCase):
    """Characters that print as nothing, copied along with a web page's text, are
    dropped: the page reads as its clean copy (the same title, so the same article
    again; the meta line's time; no paragraph of nothing)."""

    CLEAN = "测试样稿：某会议召开\n烟台日报 2021-01-07 10:36\n近日，某会议召开。\n会议部署了工作。\n"

    def test_page_text(self):
        dirty = (
            "测试样稿：某\u200b会议\u2060召开\n"
            "\u200b烟台日报 2021-01-07\u200b 10:36\u200e\n"
            "\u3000\u3000近日，\ufeff某会议\u00ad召开。\n"
            "\u200b\n"
            "会议部署了\u202a工作\u202c。\n"
        )
        for data in (dirty, dirty.encode()):
            with self.subTest(type=type(data).__name__):
                self.assertEqual(parse_page_text(data), parse_page_text(self.CLEAN))

    def test_emoji_joiners_stay(self):
        page = parse_page_text(self.CLEAN.replace("工作", "工作👨\u200d👩\u200d👧"))
        self.assertIn("👨\u200d👩\u200d👧", page.blocks[-1].text)

    def test_json_line(self):
        record = {
            "title": "测试样稿：某\u200b会议召开",
            "source": "\u200b烟台日报",
            "published_at": "2021-01-07 10:36",
            "body": [
                {"type": "paragraph", "text": "近日，某会议\u00ad召开。"},
                {"type": "paragraph", "text": "\u200b"},
                {"type": "paragraph", "text": "会议部署了工作。"},
            ],
        }
        page = parse_json_line(json.dumps(record).encode(), 1)
        clean = parse_page_text(self.CLEAN)
        self.assertEqual(
            (page.title, page.source, page.published_at, page.blocks),
            (clean.title, clean.source, clean.published_at, clean.blocks),
        )


class MalformedPageTests(SimpleTestCase):
    """Input that is no news page raises PageTextError naming problem and line."""

    def assertPageError(self, data: str | bytes, message: str, line: int | None):
        with self.assertRaises(PageTextError) as caught:
            parse_page_text(data)
        self.assertEqual(caught.exception.line, line)
        self.assertIn(message, str(caught.exception))
        if line is not None:
            self.assertTrue(str(caught.exception).startswith(f"第 {line} 行："))

    def test_empty_file(self):
        """An empty file is refused as empty."""
        self.assertPageError(b"", "文件为空", None)

    def test_whitespace_only(self):
        """Spaces, U+3000 and blank lines only count as empty."""
        self.assertPageError(" \r\n\u3000\n\t\n".encode(), "文件为空", None)

    def test_no_title(self):
        """A page starting with its meta line has no title."""
        self.assertPageError("\n烟台日报 2021-01-07 10:36\n" + BODY, "缺少标题", 2)

    def test_no_meta_line(self):
        """Without a date near the top, the error points at the line after the title."""
        self.assertPageError(
            "烟台市召开全市质量工作会议\n\n近日会议召开。\n会议部署任务。",
            "缺少来源和时间行",
            3,
        )

    def test_unparseable_time(self):
        """Month 13 and hour 99 are named with the text as printed."""
        with self.assertRaises(PageTextError) as caught:
            parse_page_text(
                "烟台市召开全市质量工作会议\n\n烟台日报 2021-13-45 99:99" + BODY
            )
        self.assertEqual(
            str(caught.exception), "第 3 行：无法识别的时间“2021-13-45 99:99”"
        )
        self.assertEqual(caught.exception.line, 3)

    def test_impossible_date(self):
        """February 30th is refused, saying the month has no such day."""
        self.assertPageError(
            "烟台市召开全市质量工作会议\n烟台日报 2021-02-30 10:36" + BODY,
            "无法识别的时间“2021-02-30 10:36”（2021 年 2 月没有 30 日）",
            2,
        )

    def test_binary_file(self):
        """A PNG is refused as not a UTF-8 text file."""
        png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10"
        self.assertPageError(png, "不是 UTF-8 文本文件", None)

    def test_gbk_file(self):
        """A page saved in GBK (Notepad's ANSI on a Chinese Windows) reads as its
        UTF-8 copy does."""
        text = "烟台市召开全市质量工作会议\n\n烟台日报 2021-01-07 10:36" + BODY
        self.assertEqual(
            parse_page_text(text.encode("gbk")), parse_page_text(text.encode())
        )

    def test_utf16_file(self):
        """A page saved as Notepad's "Unicode" (UTF-16 with its byte-order mark,
        NUL bytes and all) reads as its UTF-8 copy does."""
        text = "烟台市召开全市质量工作会议\n\n烟台日报 2021-01-07 10:36" + BODY
        self.assertEqual(
            parse_page_text(text.encode("utf-16")), parse_page_text(text.encode())
        )

    def test_neither_utf8_nor_chinese_gbk(self):
        """Bytes that are not UTF-8 and read as rare characters in GBK (Latin-1)
        are refused, naming the first line that is not UTF-8."""
        data = "烟台市召开全市质量工作会议\n\n".encode() + (
            "Müller 2021-01-07 10:36" + BODY
        ).encode("latin-1", "replace")
        self.assertPageError(data, "既不是 UTF-8 也不是 GBK 编码的中文文本文件", 3)

    def test_empty_body(self):
        """A page whose meta line is followed only by teasers has no body."""
        self.assertPageError(
            "烟台市召开全市质量工作会议\n烟台日报 2021-01-07 10:36 大字\n"
            "新闻推荐\n烟台业达",
            "正文为空",
            3,
        )

    def test_messages_are_chinese(self):
        """Every error message is in Chinese for the editor who uploaded the file."""
        for data in (b"", b"\x00", "标题\n".encode(), "烟台日报 2021-01-07".encode()):
            with self.subTest(data=data), self.assertRaises(PageTextError) as caught:
                parse_page_text(data)
            self.assertRegex(caught.exception.message, "[\u4e00-\u9fff]")


class ChromeLineShortcutTests(SimpleTestCase):
    """``_is_chrome_line`` answers "no" at once for a line starting with a Han
    character that starts no toolbar word: the same answer as reading its words."""

    def test_every_han_character_gives_the_answer_of_the_words(self):
        from news import parsing

        def by_words(text: str) -> bool:
            words = parsing._words(parsing._nfkc(text).replace(":", " "))
            return bool(words) and all(
                parsing._CHROME_WORD_RE.fullmatch(word) for word in words
            )

        tails = ("", "字", "号 大字", "一扫", "享到", "体 打印", "】 【关闭")
        for code in range(0x4E00, 0xA000):
            for tail in tails:
                line = chr(code) + tail
                if line.startswith(("扫一扫", "分享到")):
                    continue
                if parsing._is_chrome_line(line) != by_words(line):
                    self.fail(f"{line!r}: the shortcut and the words disagree")


class JsonLineTimeTests(SimpleTestCase):
    """A JSON line's published_at: ISO 8601, or as another system's export writes a
    page's time; Asia/Shanghai unless it says otherwise."""

    def parse(self, published_at: str) -> datetime:
        record = {
            "title": "测试样稿：某会议召开",
            "published_at": published_at,
            "body": [{"type": "paragraph", "text": "一段测试文字。"}],
        }
        return parse_json_line(json.dumps(record, ensure_ascii=False).encode(), 7)

    def test_forms_read(self):
        at = datetime(2021, 3, 1, 9, 30, tzinfo=SHANGHAI)
        for text, expected in [
            ("2021-03-01T09:30:00+08:00", at),
            ("2021-03-01T01:30:00Z", at),
            ("2021-03-01 09:30", at),
            ("2021/03/01 09:30", at),
            ("2021年3月1日 09:30", at),
            ("２０２１年３月１日 ９:３０", at),
            ("2021年3月1日", at.replace(hour=0, minute=0)),
        ]:
            with self.subTest(text=text):
                self.assertEqual(self.parse(text).published_at, expected)

    def test_forms_refused(self):
        for text, message in [
            ("2021/02/30 09:30", "2021 年 2 月没有 30 日"),
            ("2021/03/01 09:30 烟台日报", "无法识别的时间“2021/03/01 09:30 烟台日报”"),
            ("昨天", "无法识别的时间“昨天”"),
            ("2021-03-01 25:00", "无法识别的时间"),
        ]:
            with self.subTest(text=text):
                with self.assertRaises(PageTextError) as caught:
                    self.parse(text)
                self.assertIn(message, str(caught.exception))
                self.assertEqual(caught.exception.line, 7)
