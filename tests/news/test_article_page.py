"""The article page to a news portal's standard (issue #15, §2).

The toolbar (【打印】【分享】【关闭】), the meta line with roles, 责任编辑 at the end,
English labels with no "None", discreet figure marks (none in headings, one card per
figure) and the 本文数据 box, within the page's query budget.
"""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.core.cache import cache, caches
from django.test import TestCase
from django.utils import translation
from django.utils.html import strip_tags

from news.models import Byline
from quality.figure_review import figure_proposal_confirm, figure_proposals_extract
from quality.models import FigureProposal
from tests.factories import ArticleFactory, BylineFactory, PersonFactory, UserFactory
from tests.quality.factories import IndicatorFactory, RegionFactory, UnitFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The Chinese labels of the article page, none of which an English page shows.
LABELS = [
    "来源",
    "发布时间",
    "更新时间",
    "浏览次数",
    "责任编辑",
    "编辑",
    "记者",
    "通讯员",
    "摄影",
    "分享",
    "打印",
    "关闭",
    "本文网址",
    "复制链接",
    "上一篇",
    "下一篇",
    "没有了",
    "延伸阅读",
]
# 604项 three times (a heading, its paragraph, a recap): one figure; 约1700批次 a
# hedged figure of a half year.
FIGURED_BODY = (
    "<h2>604项国家标准出自烟台</h2>"
    "<p>截至2020年底，烟台市共参与制修订604项国家标准。</p>"
    "<p>2020年上半年，烟台市完成食品抽检约1700批次。</p>"
    "<p>回顾全年，参与制修订604项国家标准的成绩来之不易。</p>"
)


def figured_article(**fields):
    """A published article whose figures staff confirmed: 604项 (in a heading, its
    paragraph and a recap, all the same figure) and 约1700批次."""
    article = ArticleFactory(
        body=FIGURED_BODY,
        published_at=datetime(2021, 1, 7, 10, 36, tzinfo=SHANGHAI),
        **fields,
    )
    figure_proposals_extract(article=article)
    region = RegionFactory()
    staff = UserFactory(username="reviewer", is_staff=True)
    standards = IndicatorFactory(code="standards_national", name="参与制修订国家标准")
    sampling = IndicatorFactory(
        code="food_sampling", name="食品抽检批次", unit=UnitFactory(symbol="批次")
    )
    proposals = FigureProposal.objects.filter(article=article)
    # Staff set the period of the 604项 the text gives without one (as the review
    # form lets them): every mention is then the figure of 2020年底.
    proposals.filter(raw_text="604项").update(
        period_start=None, period_end=date(2020, 12, 31)
    )
    for proposal in proposals.order_by("start"):
        indicator = standards if proposal.raw_text == "604项" else sampling
        figure_proposal_confirm(
            proposal=proposal, indicator=indicator, region=region, by=staff
        )
    return article


def element(html: str, css_class: str, tag: str = r"\w+") -> str:
    """The first element with ``css_class`` (not nested in one of its own tag)."""
    match = re.search(
        rf'<({tag})\b[^>]*class="[^"]*\b{css_class}\b[^"]*"[^>]*>.*?</\1>', html, re.S
    )
    assert match, f"no .{css_class} in the page"
    return match.group(0)


class PageTestCase(TestCase):
    def setUp(self):
        # A request to /en/… leaves English active in this thread: the URLs the
        # tests build are the Chinese ones.
        translation.activate("zh-hans")
        self.addCleanup(translation.deactivate)
        cache.clear()
        caches["shared"].clear()
        caches["pages"].clear()


class ArticleToolbarTests(PageTestCase):
    def setUp(self):
        super().setUp()
        self.article = ArticleFactory(source="烟台日报")

    def test_toolbar_has_print_share_and_close(self):
        """【打印】 and 【关闭】 are buttons hidden until the script shows them; 【分享】
        is a link to the share box, which prints the address as text."""
        html = self.client.get(self.article.get_absolute_url()).content.decode()
        tools = element(html, "article-tools", "div")
        self.assertRegex(
            tools, r'<button type="button" class="tool tool-print" hidden>'
        )
        self.assertRegex(
            tools, r'<button type="button" class="tool tool-close" hidden>'
        )
        self.assertIn('<a class="tool tool-share" href="#share">分享</a>', tools)
        self.assertEqual(strip_tags(tools).split(), ["打印", "分享", "关闭"])
        share = element(html, "share", "section")
        self.assertIn('id="share"', share)
        url = f"http://testserver/news/{self.article.pk}/"
        self.assertIn(f'<span class="url">{url}</span>', share)
        self.assertRegex(share, r'<button type="button" class="copy-link"[^>]* hidden>')
        self.assertIn('data-done="链接已复制', share)
        self.assertIn("<img src=", share)  # the WeChat QR code
        self.assertIn("js/article-tools.js", html)
        self.assertIn("css/article.css", html)

    def test_no_inline_script_or_style(self):
        """The CSP allows no inline code: the toolbar is wired by a file."""
        html = self.client.get(self.article.get_absolute_url()).content.decode()
        self.assertNotRegex(html, r"<script(?![^>]*\b(src|type=\"application/)\b)")
        self.assertNotRegex(html, r"<style\b|\sstyle=\"|\son[a-z]+=")


class ArticleCreditsTests(PageTestCase):
    def setUp(self):
        super().setUp()
        editor = UserFactory(username="zhang", first_name="张三")
        self.article = ArticleFactory(source="烟台日报", responsible_editor=editor)
        for order, (name, role, prefix) in enumerate(
            [
                ("逄苗", Byline.Role.REPORTER, "YMG全媒体"),
                ("孙洪安", Byline.Role.CORRESPONDENT, ""),
                ("李明", Byline.Role.PHOTOGRAPHER, ""),
                ("王芳", Byline.Role.EDITOR, ""),
            ]
        ):
            BylineFactory(
                article=self.article,
                person=PersonFactory(name=name),
                role=role,
                prefix=prefix,
                order=order,
            )

    def page(self, prefix: str = "") -> str:
        response = self.client.get(prefix + self.article.get_absolute_url())
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_meta_line_names_each_person_with_their_role(self):
        meta = element(self.page(), "meta", "p")
        self.assertIn("来源：烟台日报", meta)
        self.assertIn("发布时间：", meta)
        self.assertEqual(
            strip_tags(element(meta, "byline", "span")),
            "YMG全媒体记者 逄苗 通讯员 孙洪安 摄影 李明",
        )
        self.assertNotIn("作者", meta)
        self.assertNotIn("王芳", meta)  # an editor, printed at the end

    def test_editors_are_named_at_the_end_of_the_article(self):
        html = self.page()
        editor = element(html, "responsible-editor", "p")
        self.assertEqual(strip_tags(editor), "责任编辑：张三 编辑：王芳")
        article = element(html, "article", "article")
        self.assertGreater(article.index("responsible-editor"), article.index("body"))
        self.assertEqual(article.count("王芳"), 1)

    def test_revised_article_shows_its_update_time(self):
        type(self.article).objects.filter(pk=self.article.pk).update(
            revised_at=datetime(2021, 2, 3, 9, 5, tzinfo=SHANGHAI)
        )
        meta = element(self.page(), "meta", "p")
        self.assertIn("更新时间：", meta)
        self.assertIn("2021-02-03 09:05", meta)

    def test_english_page_translates_every_label_and_never_prints_none(self):
        html = self.page("/en")
        article = element(html, "article", "article")
        text = strip_tags(article)
        meta = strip_tags(element(html, "meta", "p"))
        self.assertIn("Source: 烟台日报", meta)
        self.assertIn("Published: ", meta)
        self.assertIn(
            "YMG全媒体 Reporter 逄苗 Correspondent 孙洪安 Photographer 李明", meta
        )
        self.assertIn("Responsible editor: 张三 Editor: 王芳", text)
        self.assertEqual(
            strip_tags(element(html, "article-tools", "div")).split(),
            ["Print", "Share", "Close"],
        )
        # The article and its aside (the site's header and footer are not its).
        page = strip_tags(article + element(html, "article-aside", "aside"))
        for label in LABELS:
            with self.subTest(label=label):
                self.assertNotIn(label, page)
        # No neighbour in the channel: no 上一篇/下一篇 line at all, and no "None".
        self.assertNotIn("prev-next", html)
        self.assertNotRegex(strip_tags(html), r"\bNone\b")

    def test_english_page_links_an_existing_neighbour(self):
        older = ArticleFactory(
            channel=self.article.channel,
            title="较早的一篇",
            published_at=self.article.published_at.replace(year=2020),
        )
        older_url = older.get_absolute_url()
        nav = element(self.page("/en"), "prev-next", "nav")
        self.assertIn(f'href="/en{older_url}" rel="prev"', nav)
        self.assertNotIn("Next", nav)
        self.assertNotIn("None", nav)

    def test_chinese_page_says_there_is_no_neighbour(self):
        nav = element(self.page(), "prev-next", "nav")
        self.assertEqual(strip_tags(nav).split(), ["上一篇：没有了", "下一篇：没有了"])


class ArticleFigureTests(PageTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = figured_article(source="烟台日报")

    def page(self, prefix: str = "") -> str:
        return self.client.get(
            prefix + self.article.get_absolute_url()
        ).content.decode()

    def test_headings_carry_no_mark(self):
        body = element(self.page(), "body", "div")
        heading = re.search(r"<h2>(.*?)</h2>", body, re.S).group(1)
        self.assertEqual(heading, "604项国家标准出自烟台")

    def test_one_card_per_figure_the_other_mentions_only_link(self):
        body = element(self.page(), "body", "div")
        self.assertEqual(body.count('class="figure-card-toggle"'), 2)
        self.assertEqual(body.count('class="figure-card"'), 2)
        standards = re.findall(
            r'<a class="figure" href="/quality/indicators/standards_national/"', body
        )
        self.assertEqual(len(standards), 2)  # the paragraph and the recap
        recap = body.split("回顾全年")[1]
        self.assertIn('<a class="figure" ', recap)
        self.assertNotIn("figure-card", recap)

    def test_data_box_lists_each_figure_once_as_written_with_its_period(self):
        html = self.page()
        box = element(html, "article-data", "section")
        self.assertIn("本文数据", box)
        rows = [
            (href, strip_tags(name), value, period)
            for href, name, value, period in re.findall(
                r'<li><a href="([^"]+)">(.*?)</a><span class="value">(.*?)</span>'
                r'<span class="period">(.*?)</span></li>',
                box,
            )
        ]
        self.assertEqual(
            rows,
            [
                (
                    "/quality/indicators/standards_national/",
                    "参与制修订国家标准",
                    "604项",
                    "烟台市 · 截至2020年底",
                ),
                (
                    "/quality/indicators/food_sampling/",
                    "食品抽检批次",
                    "约1700批次",
                    "烟台市 · 2020年上半年",
                ),
            ],
        )
        # After the body, inside the article.
        article = element(html, "article", "article")
        self.assertGreater(article.index("article-data"), article.index('class="body"'))

    def test_data_box_printed_as_its_tag_renders_it(self):
        """The page prints the box only when the article has figures (the view
        tells), as the tag alone renders it; without figures, nothing of it."""
        from django.template import Context, Template

        from news.models import detail_prefetch, detail_row

        article = detail_row(self.article.pk)
        detail_prefetch(article)
        box = Template("{% load quality_tags %}{% article_data_box article %}").render(
            Context({"article": article})
        )
        self.assertIn("article-data", box)
        self.assertIn(box, self.page())
        plain = ArticleFactory(body="<p>没有数字。</p>")
        html = self.client.get(plain.get_absolute_url()).content.decode()
        self.assertNotIn("article-data", html)

    def test_data_box_in_english(self):
        box = element(self.page("/en"), "article-data", "section")
        self.assertIn("Data in this article", box)
        self.assertIn('href="/en/quality/indicators/food_sampling/"', box)

    def test_page_with_figures_and_data_box_stays_within_six_queries(self):
        """Cold caches: the article (with its marks, tags and bylines), neighbours
        and related, 最新文章, the channel menu — the box reads the marks: no
        query."""
        with self.assertNumQueries(4):
            response = self.client.get(self.article.get_absolute_url())
        self.assertContains(response, 'class="article-data"')

    def test_article_without_figures_has_no_data_box(self):
        plain = ArticleFactory(body="<p>没有数据的文章。</p>")
        html = self.client.get(plain.get_absolute_url()).content.decode()
        self.assertNotIn("article-data", html)
        self.assertNotIn("本文数据", html)

    def test_marks_stored_by_older_code_still_render(self):
        """Marks written before they carried display and period (until
        ``rebuild_figure_links`` runs) render the number as written, no period."""
        figures = self.article.figures
        figures.marks = [
            {k: v for k, v in mark.items() if k not in {"display", "period"}}
            for mark in figures.marks
        ]
        figures.save()
        box = element(self.page(), "article-data", "section")
        self.assertIn('<span class="value">1700批次</span>', box)
        self.assertNotIn("None", box)

    def test_marks_carry_the_figure_as_written_and_its_period(self):
        marks = self.article.figures.marks
        self.assertEqual(
            {(m["display"], m["period"]) for m in marks},
            {("604项", "截至2020年底"), ("约1700批次", "2020年上半年")},
        )


class ArticleFactsTests(TestCase):
    def test_view_count_and_times_as_the_template_prints_them(self):
        """``article_facts``' view count is what ``{{ article.view_count }}``
        printed, with and without thousands separators; the modified time is the
        revised one, else the published one."""
        from django.template import Context, Template

        from news.models import Article
        from news.views import article_facts

        when = datetime(2026, 3, 1, 8, 30, tzinfo=ZoneInfo("UTC"))
        later = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("UTC"))
        template = Template("{{ article.view_count }}")
        for separator in (False, True):
            for count in (0, 7, 1234567):
                with (
                    self.subTest(separator=separator, count=count),
                    self.settings(USE_THOUSAND_SEPARATOR=separator),
                    translation.override("en"),
                ):
                    article = Article(
                        pk=3, summary="", published_at=when, view_count=count
                    )
                    self.assertEqual(
                        article_facts(article)["views"],
                        template.render(Context({"article": article})),
                    )
        facts = article_facts(Article(pk=3, summary="", published_at=when))
        self.assertEqual(facts["modified_iso"], facts["published_iso"])
        revised = Article(pk=3, summary="", published_at=when, revised_at=later)
        facts = article_facts(revised)
        self.assertEqual(facts["modified_iso"], facts["revised_iso"])
        self.assertNotEqual(facts["modified_iso"], facts["published_iso"])
