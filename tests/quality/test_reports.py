"""The annual quality report (issue #17): content, files, versions, permissions.

The demo (news and quality) is loaded as ``./run`` loads it; its 2020 definition is
the report under test. Files go to a temporary MEDIA_ROOT. PDFs are read back with
poppler's pdftotext, Word files with python-docx.
"""

import re
import shutil
import subprocess
import tempfile
from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import docx
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import translation

from news import demo as news_demo
from quality import demo
from quality.models import (
    Indicator,
    Observation,
    Region,
    Report,
    ReportChapter,
    ReportItem,
    ReportVersion,
)
from quality.reports import (
    ReportError,
    report_body_html,
    report_content,
    report_generate,
)
from quality.services import observation_correct, observation_create
from tests.factories import UserFactory, staff_in_group
from tests.news.test_language_of_parts import unmarked_chinese
from tests.quality.test_public_pages import english_text

MEDIA = tempfile.mkdtemp(prefix="report-tests-")

# Every figure of the demo's 2020 report as the sources write it, with its period.
DEMO_FIGURES = [
    ("参与制修订国家标准", "截至2021年1月7日", "604项"),
    ("参与制修订行业标准", "截至2021年1月7日", "650项"),
    ("参与制修订省地方标准", "截至2021年1月7日", "350项"),
    ("山东名牌产品", "截至2017年底", "180个"),
    ("山东名牌产品", "截至2021年1月7日", "181个"),
    ("全国质量标杆", "截至2021年1月7日", "3个"),
    ("市级社会公用计量标准", "截至2021年1月7日", "242项"),
    ("国家级质检中心", "截至2021年1月7日", "3个"),
    ("省级质检中心", "截至2021年1月7日", "5个"),
    ("山东省服务名牌", "截至2017年底", "53个"),
    ("山东省服务名牌", "截至2021年1月7日", "79个"),
    ("工业产品质量合格率", "2019年至2020年", "97%以上"),
    ("食品抽检批次", "2020年上半年", "1700批次"),
]
CHAPTERS = ["标准化", "品牌建设", "计量", "检验检测", "服务业标准化", "质量监管"]


def pdf_text(path: str) -> str:
    """The PDF's text as pdftotext reads it, lines joined (a table cell may wrap)."""
    out = subprocess.run(
        [shutil.which("pdftotext") or "pdftotext", "-enc", "UTF-8", path, "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return out.replace("\n", "")


def docx_parts(path: str) -> tuple[list[tuple[str, str]], list[list[list[str]]], str]:
    document = docx.Document(path)
    headings = [
        (p.style.name, p.text)
        for p in document.paragraphs
        if p.style.name.startswith(("Heading", "Title"))
    ]
    tables = [
        [[cell.text for cell in row.cells] for row in table.rows]
        for table in document.tables
    ]
    text = "\n".join(p.text for p in document.paragraphs)
    return headings, tables, text


def media_files() -> set[Path]:
    return {p for p in Path(MEDIA).rglob("*") if p.is_file()}


class DemoReportMixin:
    @classmethod
    def setUpTestData(cls):
        news_demo.load()
        demo.load()
        cls.report = Report.objects.get(year=demo.REPORT_YEAR)
        cls.yantai = Region.objects.get(code="370600")


@override_settings(MEDIA_ROOT=MEDIA)
class ReportContentTests(DemoReportMixin, TestCase):
    def test_demo_definition_prints_every_figure_with_period_and_source(self):
        """Each demo figure is printed as written (hedge included), with its period
        and a numbered note naming the source's title, date and address."""
        content = report_content(self.report)
        self.assertEqual([c.title for c in content.chapters], CHAPTERS)
        printed = {
            (block.title, f.period, f.text): f.note
            for chapter in content.chapters
            for block in chapter.blocks
            for f in block.figures
        }
        for figure in DEMO_FIGURES:
            self.assertIn(figure, printed)
        notes = {n.number: n.text for n in content.notes}
        seed = notes[printed[("参与制修订国家标准", "截至2021年1月7日", "604项")]]
        self.assertIn(f"烟台日报《{demo.SEED_TITLE}》", seed)
        self.assertIn("2021年1月7日", seed)
        self.assertIn("/news/", seed)
        brands = notes[printed[("山东名牌产品", "截至2017年底", "180个")]]
        self.assertIn("《山东烟台品牌建设又获新突破》，2018年1月16日，http://", brands)
        self.assertEqual(content.pending, [])

    def test_unconfirmed_source_goes_to_pending_not_print(self):
        """A figure whose outside source has no address is listed as 待核实 and is
        not in the printed body."""
        indicator = Indicator.objects.get(code="standards_international")
        observation_create(
            indicator=indicator,
            region=self.yantai,
            period="@2020-12-31",
            value=Decimal("12"),
            raw_text="12项",
            source_publisher="某报",
            source_title="未核实的稿件",
            source_on=date(2021, 1, 2),
            status=Observation.Status.CONFIRMED,
        )
        chapter = self.report.chapters.get(title="标准化")
        ReportItem.objects.create(chapter=chapter, indicator=indicator, order=9)
        content = report_content(self.report)
        self.assertEqual(len(content.pending), 1)
        pending = content.pending[0]
        self.assertEqual(
            (pending.indicator, pending.text, pending.reason),
            ("牵头或参与完成国际标准", "12项", "外部来源缺少网址"),
        )
        body = report_body_html(content)
        self.assertNotIn("12项", body)
        self.assertNotIn("未核实的稿件", body)

    def test_item_without_figure_in_window_is_pending(self):
        """An indicator with no figure in the report's period is 待核实, not a blank."""
        chapter = self.report.chapters.get(title="标准化")
        indicator = Indicator.objects.get(code="standards_all_levels")  # 2021 only
        ReportItem.objects.create(chapter=chapter, indicator=indicator, order=9)
        content = report_content(self.report)
        self.assertEqual(
            [(p.indicator, p.reason) for p in content.pending],
            [("主导或参与完成国家、行业和地方标准", "报告期内没有该指标的数字")],
        )

    def test_change_only_between_like_periods_and_scope_change_footnoted(self):
        """同比 between 2020 and 2019 (same length, exact); none for 2020H1 against
        a year; an item naming the old 口径's indicator gets a footnote."""
        indicator = Indicator.objects.get(code="sampling_food_batches")
        source = {
            "source_publisher": "烟台市市场监督管理局",
            "source_title": "年度抽检情况",
            "source_on": date(2021, 1, 5),
            "source_url": "https://example.gov.cn/a",
            "status": Observation.Status.CONFIRMED,
        }
        for code, value in (("2019", "3000"), ("2020", "3300"), ("2019H1", "1500")):
            observation_create(
                indicator=indicator,
                region=self.yantai,
                period=code,
                value=Decimal(value),
                raw_text=f"{value}批次",
                **source,
            )
        item = ReportItem.objects.get(indicator=indicator)
        item.years = 2
        item.previous_scope = Indicator.objects.get(code="sampling_goods_batches")
        item.save()
        content = report_content(self.report)
        block = next(
            b for c in content.chapters for b in c.blocks if b.indicator == indicator
        )
        changes = {(f.period, f.text): f.change for f in block.figures}
        self.assertEqual(changes[("2020年", "3300批次")], "增长10.0%")
        self.assertEqual(changes[("2019年", "3000批次")], "")
        # 2020H1 (1700) is compared with 2019H1 only, never with a whole year.
        self.assertEqual(changes[("2020年上半年", "1700批次")], "增长13.3%")
        self.assertTrue(any("统计口径有调整" in f for f in block.footnotes))
        hedged = next(
            b
            for c in content.chapters
            for b in c.blocks
            if b.indicator.code == "industrial_pass_rate"
        )
        self.assertEqual(hedged.figures[0].change, "")

    def test_bar_by_region(self):
        """柱状图（按地区）: the latest period's figures of the city's divisions."""
        indicator = Indicator.objects.get(code="measurement_standards")
        for code, value in (("370602", "40"), ("370681", "25")):
            observation_create(
                indicator=indicator,
                region=Region.objects.get(code=code),
                period="@2020-12-31",
                value=Decimal(value),
                raw_text=f"{value}项",
                source_publisher="烟台市市场监督管理局",
                source_title="计量工作情况",
                source_on=date(2021, 1, 3),
                source_url="https://example.gov.cn/m",
                status=Observation.Status.CONFIRMED,
            )
        item = ReportItem.objects.get(indicator=indicator)
        item.display = ReportItem.Display.BAR_REGION
        item.save()
        content = report_content(self.report)
        block = next(
            b for c in content.chapters for b in c.blocks if b.indicator == indicator
        )
        # The latest period in the window is the seed article's (the city's 242项).
        self.assertEqual(
            [(f.region, f.text) for f in block.figures], [("烟台市", "242项")]
        )
        self.assertIn("<svg", block.svg)

    def test_definition_without_chapters_is_refused(self):
        """A definition with no chapter: a Chinese message, nothing written."""
        empty = Report.objects.create(year=2019, title="空报告", region=self.yantai)
        before = media_files()
        with self.assertRaisesMessage(ReportError, "报告定义还没有章节"):
            report_generate(report=empty)
        self.assertFalse(ReportVersion.objects.exists())
        self.assertEqual(media_files(), before)

    def test_unknown_year_and_format_from_the_command(self):
        """build_report with an unknown year or format: Chinese message, no version."""
        with self.assertRaisesMessage(CommandError, "没有 2031 年的报告定义"):
            call_command("build_report", year="2031", stdout=StringIO())
        with self.assertRaisesMessage(CommandError, "年度应为四位数字"):
            call_command("build_report", year="二〇二〇", stdout=StringIO())
        with self.assertRaisesMessage(CommandError, "不支持的格式：odt"):
            call_command(
                "build_report", year="2020", formats=["odt"], stdout=StringIO()
            )
        with (
            translation.override("en"),
            self.assertRaisesMessage(
                CommandError, "Unsupported format: odt, rtf (choose html, pdf or docx)."
            ),
        ):
            call_command(
                "build_report", year="2020", formats=["odt", "rtf"], stdout=StringIO()
            )
        self.assertFalse(ReportVersion.objects.exists())

    def test_intro_and_notes_are_sanitised(self):
        chapter = ReportChapter.objects.create(
            report=self.report,
            title="测试",
            intro='<p onclick="x()">导语<script>alert(1)</script></p>',
        )
        self.report.closing_notes = "<p>说明<img src=x onerror=alert(1)></p>"
        self.report.save()
        self.assertEqual(chapter.intro, "<p>导语</p>")
        self.assertNotIn("onerror", Report.objects.get(pk=self.report.pk).closing_notes)


@override_settings(MEDIA_ROOT=MEDIA)
class ReportFilesTests(DemoReportMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.version = report_generate(report=cls.report)

    def test_pdf_holds_every_chapter_figure_and_source(self):
        text = pdf_text(self.version.pdf_file.path)
        self.assertIn(demo.REPORT_TITLE, text)
        self.assertIn("目录", text)
        for title in CHAPTERS:
            self.assertIn(title, text)
        for _name, period, figure in DEMO_FIGURES:
            self.assertIn(figure, text)
            self.assertIn(period, text)
        self.assertIn("资料来源", text)
        self.assertIn(f"[1] 烟台日报《{demo.SEED_TITLE}》，2021年1月7日", text)
        self.assertIn(
            "[2] 质检报刊社《山东烟台品牌建设又获新突破》，2018年1月16日", text
        )

    def test_generating_the_pdf_leaves_pillow_strict_for_uploads(self):
        """Importing WeasyPrint turns on Pillow's LOAD_TRUNCATED_IMAGES for the
        whole process; a worker that made a report must still refuse truncated
        uploads (tests/news/test_images.py)."""
        from PIL import ImageFile  # noqa: PLC0415

        self.assertFalse(ImageFile.LOAD_TRUNCATED_IMAGES)

    def test_pdf_has_contents_with_page_numbers_and_running_headers(self):
        """目录 lists each chapter with its page (CSS target-counter); every page
        after the cover carries the report's title and its number."""
        layout = subprocess.run(
            ["pdftotext", "-layout", self.version.pdf_file.path, "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        pages = layout.split("\f")
        pages = [p for p in pages if p.strip()]
        toc = {
            m.group(1): int(m.group(2))
            for m in re.finditer(r"^(\S+) \.{3,}\s*(\d+)$", pages[1], re.M)
        }
        self.assertEqual(list(toc)[: len(CHAPTERS)], CHAPTERS)
        for title, number in toc.items():
            self.assertIn(title, pages[number - 1], title)
        for number, page in enumerate(pages[1:], start=2):
            self.assertIn(demo.REPORT_TITLE, page)
            self.assertIn(f"{number} / {len(pages)}", page)

    def test_pdf_embeds_the_chinese_font(self):
        fonts = subprocess.run(
            ["pdffonts", self.version.pdf_file.path],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        line = next(line for line in fonts.splitlines() if "CJK" in line)
        self.assertIn("Noto-Sans-CJK-SC", line)
        self.assertIn(" yes yes ", line)  # embedded, subset

    def test_word_has_headings_tables_figures_and_charts(self):
        headings, tables, text = docx_parts(self.version.docx_file.path)
        self.assertIn(("Title", demo.REPORT_TITLE), headings)
        level1 = [t for style, t in headings if style == "Heading 1"]
        self.assertEqual(level1, [*CHAPTERS, "说明", "资料来源"])
        cells = "\n".join(c for table in tables for row in table for c in row)
        everything = text + "\n" + cells
        for _name, period, figure in DEMO_FIGURES:
            self.assertIn(figure, everything)
            self.assertIn(period, everything)
        self.assertIn(["截至2017年底", "53个", "—", "[2]"], tables[1])
        self.assertIn(f"[1] 烟台日报《{demo.SEED_TITLE}》", text)
        images = docx.Document(self.version.docx_file.path).inline_shapes
        self.assertEqual(len(images), 1)  # the one line chart (山东名牌产品)

    def test_version_records_who_when_and_which_data(self):
        version = self.version
        self.assertEqual(version.number, 1)
        self.assertIsNone(version.generated_by)
        self.assertEqual(
            version.observation_count,
            Observation.objects.filter(
                indicator__in=ReportItem.objects.values("indicator")
            ).count(),
        )
        self.assertTrue(version.html_file.name.endswith(".html"))
        self.assertIn("604项", Path(version.html_file.path).read_text())

    def test_correction_after_generation_leaves_the_stored_report(self):
        """A published version keeps the old figure; a regeneration shows the new."""
        old = Observation.objects.preferred().get(
            indicator__code="measurement_standards"
        )
        observation_correct(
            observation=old,
            reason="原文更正",
            value=Decimal("245"),
            raw_text="245项",
        )
        stored = ReportVersion.objects.get(pk=self.version.pk)
        self.assertIn("242项", stored.body_html)
        self.assertIn("242项", pdf_text(stored.pdf_file.path))
        self.assertNotIn("245项", pdf_text(stored.pdf_file.path))
        again = report_generate(report=self.report, formats=("pdf", "docx"))
        self.assertEqual(again.number, 2)
        self.assertNotEqual(again.data_stamp, stored.data_stamp)
        self.assertIn("245项", again.body_html)
        self.assertIn("245项", pdf_text(again.pdf_file.path))
        self.assertIn("245项", docx_parts(again.docx_file.path)[2])
        self.assertFalse(again.html_file)
        page = self.client.get(reverse("quality:report-detail", args=[2020]))
        self.assertContains(page, "245项")
        self.assertContains(page, again.pdf_file.url)

    def test_public_page_links_the_files(self):
        response = self.client.get(reverse("quality:report-detail", args=[2020]))
        self.assertContains(response, demo.REPORT_TITLE)
        self.assertContains(response, self.version.pdf_file.url)
        self.assertContains(response, self.version.docx_file.url)
        self.assertContains(response, "97%以上")
        listing = self.client.get(reverse("quality:report-list"))
        self.assertContains(listing, self.report.get_absolute_url())
        dashboard = self.client.get(reverse("quality:dashboard"))
        self.assertContains(dashboard, reverse("quality:report-list"))

    def test_public_pages_query_budget(self):
        """The report page: the registry menu's probe and one query for the latest
        version with its report (the channel menu is cached by then)."""
        self.client.get(reverse("quality:dashboard"))  # warm the channel menu
        with self.assertNumQueries(2):
            self.client.get(reverse("quality:report-detail", args=[2020]))
        with self.assertNumQueries(2):
            self.client.get(reverse("quality:report-list"))

    def test_command_writes_the_chosen_format(self):
        out = StringIO()
        call_command("build_report", year="2020", formats=["docx"], stdout=out)
        version = ReportVersion.objects.get(number=2)
        self.assertTrue(version.docx_file)
        self.assertFalse(version.pdf_file)
        self.assertIn(version.docx_file.path, out.getvalue())


@override_settings(MEDIA_ROOT=MEDIA)
class ReportPublicPageTests(DemoReportMixin, TestCase):
    def test_not_generated_is_404(self):
        response = self.client.get(reverse("quality:report-detail", args=[2020]))
        self.assertEqual(response.status_code, 404)
        response = self.client.get(reverse("quality:report-detail", args=[2031]))
        self.assertEqual(response.status_code, 404)
        listing = self.client.get(reverse("quality:report-list"))
        self.assertContains(listing, "年度报告正在编制中")


@override_settings(MEDIA_ROOT=MEDIA)
class ReportEnglishPageTests(DemoReportMixin, TestCase):
    """/en/quality/reports/…: the report is Chinese content in an English page."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.version = report_generate(report=cls.report, formats=("html",))

    def setUp(self):
        self.addCleanup(translation.activate, settings.LANGUAGE_CODE)

    def main(self, url):
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertIn('<html lang="en">', html)
        return "<body><main" + html.split("<main", 1)[1].split("</main>", 1)[0]

    def test_the_pages_words_are_english_and_the_report_marked_chinese(self):
        for url in ("/en/quality/reports/", "/en/quality/reports/2020/"):
            with self.subTest(url=url):
                main = self.main(url)
                self.assertEqual(unmarked_chinese(main), [])
                # and no English of the page's own inside the Chinese report
                self.assertEqual(english_text(main).count("年"), 0)
        main = self.main("/en/quality/reports/2020/")
        meta = re.search(r'<p class="report-meta".*?</p>', main, re.S)[0]
        self.assertIn("Data as of 7 January 2021", meta)
        self.assertNotIn('lang="zh-Hans"><p class="report-meta"', main)
        zh_parts = re.findall(r'<[^>]+lang="zh-Hans"[^>]*>', main)
        self.assertTrue(zh_parts)
        self.assertNotIn("report-meta", "".join(zh_parts))


# The template's words, in English: none belongs in the published Chinese document.
ENGLISH_WORDS = (
    "Sources",
    "Period",
    "Year on year",
    "Contents",
    "Unit: ",
    "Chart: ",
    "Quality Yantai",
    "/en/",
)


@override_settings(MEDIA_ROOT=MEDIA)
class ReportGeneratedInEnglishTests(DemoReportMixin, TestCase):
    """The stored document is the Chinese official one whatever the language it is
    generated in: the English page shows it as Chinese (lang="zh-Hans")."""

    def setUp(self):
        self.addCleanup(translation.activate, settings.LANGUAGE_CODE)

    def assert_chinese(self, text: str, *headings: str):
        for heading in headings:
            self.assertIn(heading, text)
        self.assertEqual([w for w in ENGLISH_WORDS if w in text], [])

    def test_generated_under_english_is_the_chinese_document(self):
        with translation.override("en"):
            version = report_generate(report=self.report)
        self.assert_chinese(
            version.body_html, '<th scope="col">期间</th>', "同比", ">资料来源</h2>"
        )
        html = Path(version.html_file.path).read_text(encoding="utf-8")
        self.assert_chinese(html, ">目录</h2>", ">资料来源</h2>")
        headings, tables, text = docx_parts(version.docx_file.path)
        self.assert_chinese(
            repr((headings, tables, text)), "'资料来源'", "'期间'", "单位："
        )
        self.assert_chinese(pdf_text(version.pdf_file.path), "资料来源", "目录")
        # and the English page shows that stored body, marked Chinese
        response = self.client.get("/en/quality/reports/2020/")
        self.assertContains(response, "Data as of 7 January 2021")
        self.assertContains(response, '<th scope="col">期间</th>', html=False)

    def test_an_english_admin_generates_the_chinese_document(self):
        self.client.force_login(staff_in_group("data-editor", "数据编辑"))
        response = self.client.post(
            reverse("admin:quality_report_preview", args=[self.report.pk]),
            follow=True,
            HTTP_ACCEPT_LANGUAGE="en",
        )
        self.assertContains(response, f"Generated “{self.report.title}”, version 1.")
        version = ReportVersion.objects.get()
        self.assert_chinese(version.body_html, '<th scope="col">期间</th>')

    def test_an_english_admin_previews_the_chinese_document(self):
        """The preview shows the body the generated document will have (Chinese,
        marked so), while the admin around it is in the editor's language."""
        self.client.force_login(staff_in_group("data-editor", "数据编辑"))
        response = self.client.get(
            reverse("admin:quality_report_preview", args=[self.report.pk]),
            HTTP_ACCEPT_LANGUAGE="en",
        )
        self.assertEqual(response.status_code, 200)
        body = re.search(
            r'<article class="module report-body" lang="zh-Hans">(.*?)</article>',
            response.content.decode(),
            re.S,
        )[1]
        self.assert_chinese(body, '<th scope="col">期间</th>', ">资料来源</h2>")
        self.assertContains(response, "Generate report")

    def test_an_english_admin_reads_a_refused_preview_in_english(self):
        empty = Report.objects.create(year=2019, title="空报告", region=self.yantai)
        self.client.force_login(staff_in_group("data-editor", "数据编辑"))
        response = self.client.get(
            reverse("admin:quality_report_preview", args=[empty.pk]),
            HTTP_ACCEPT_LANGUAGE="en",
        )
        self.assertContains(response, "The report definition has no")

    def test_a_refusal_stays_in_the_users_language(self):
        empty = Report.objects.create(year=2019, title="空报告", region=self.yantai)
        with (
            translation.override("en"),
            self.assertRaisesMessage(ReportError, "The report definition has no"),
        ):
            report_generate(report=empty, formats=("html",))
        self.assertFalse(ReportVersion.objects.exists())


@override_settings(MEDIA_ROOT=MEDIA)
class ReportPermissionTests(DemoReportMixin, TestCase):
    """Who may generate: anonymous no, staff without the permission no, 数据编辑 yes."""

    def preview_url(self):
        return reverse("admin:quality_report_preview", args=[self.report.pk])

    def action(self):
        return self.client.post(
            reverse("admin:quality_report_changelist"),
            {"action": "generate_selected", "_selected_action": [self.report.pk]},
        )

    def test_group_holds_the_permission(self):
        codenames = set(
            Group.objects.get(name="数据编辑").permissions.values_list(
                "codename", flat=True
            )
        )
        self.assertLessEqual(
            {"generate_report", "view_report", "view_reportversion"}, codenames
        )
        self.assertNotIn("change_report", codenames)

    def test_anonymous(self):
        response = self.client.post(self.preview_url())
        self.assertEqual(response.status_code, 302)
        self.assertIn("/admin/login/", response["Location"])
        self.assertEqual(self.action().status_code, 302)
        self.assertFalse(ReportVersion.objects.exists())

    def test_staff_without_permission(self):
        user = staff_in_group("reader", None)
        user.user_permissions.add(
            *Group.objects.get(name="数据编辑")
            .permissions.filter(codename="view_report")
            .all()
        )
        self.client.force_login(user)
        self.assertEqual(self.client.get(self.preview_url()).status_code, 200)
        self.assertEqual(self.client.post(self.preview_url()).status_code, 403)
        changelist = self.client.get(reverse("admin:quality_report_changelist"))
        self.assertNotContains(changelist, "generate_selected")
        self.action()
        self.assertFalse(ReportVersion.objects.exists())

    def test_data_editor_generates(self):
        user = staff_in_group("data-editor", "数据编辑")
        self.client.force_login(user)
        preview = self.client.get(self.preview_url())
        self.assertContains(preview, "待核实（0）")
        self.assertContains(preview, "生成报告")
        response = self.action()
        self.assertEqual(response.status_code, 302)
        version = ReportVersion.objects.get()
        self.assertEqual(version.generated_by, user)
        self.assertTrue(version.pdf_file and version.docx_file)
        response = self.client.post(self.preview_url(), follow=True)
        self.assertContains(response, "第2版")
        self.assertEqual(ReportVersion.objects.count(), 2)

    def test_preview_lists_pending(self):
        """The admin preview shows the 待核实 box with the figure and the reason."""
        indicator = Indicator.objects.get(code="standards_all_levels")
        chapter = self.report.chapters.get(title="标准化")
        ReportItem.objects.create(chapter=chapter, indicator=indicator, order=9)
        self.client.force_login(UserFactory(is_staff=True, is_superuser=True))
        preview = self.client.get(self.preview_url())
        self.assertContains(preview, "待核实（1）")
        self.assertContains(preview, "报告期内没有该指标的数字")

    def test_empty_definition_in_the_admin(self):
        """No chapters: the preview says so in Chinese, 生成报告 writes nothing."""
        empty = Report.objects.create(year=2019, title="空报告", region=self.yantai)
        self.client.force_login(staff_in_group("data-editor", "数据编辑"))
        url = reverse("admin:quality_report_preview", args=[empty.pk])
        preview = self.client.get(url)
        self.assertContains(preview, "报告定义还没有章节")
        response = self.client.post(url, follow=True)
        self.assertContains(response, "报告定义还没有章节")
        response = self.client.post(
            reverse("admin:quality_report_changelist"),
            {"action": "generate_selected", "_selected_action": [empty.pk]},
            follow=True,
        )
        self.assertContains(response, "报告定义还没有章节")
        self.assertFalse(ReportVersion.objects.exists())

    def test_admin_pages_render(self):
        self.client.force_login(UserFactory(is_staff=True, is_superuser=True))
        for url in (
            reverse("admin:quality_report_changelist"),
            reverse("admin:quality_report_add"),
            reverse("admin:quality_report_change", args=[self.report.pk]),
            reverse("admin:quality_reportchapter_add"),
            reverse("admin:quality_reportversion_changelist"),
        ):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 200)

    def test_superuser_edits_a_chapter(self):
        """The definition is edited in the admin; the intro is sanitised on save."""
        self.client.force_login(UserFactory(is_staff=True, is_superuser=True))
        chapter = self.report.chapters.get(title="计量")
        url = reverse("admin:quality_reportchapter_change", args=[chapter.pk])
        self.assertEqual(self.client.get(url).status_code, 200)
        item = chapter.items.get()
        response = self.client.post(
            url,
            {
                "report": self.report.pk,
                "order": 2,
                "title": "计量工作",
                "intro": "<p>计量<script>x</script></p>",
                "items-TOTAL_FORMS": 1,
                "items-INITIAL_FORMS": 1,
                "items-0-id": item.pk,
                "items-0-chapter": chapter.pk,
                "items-0-order": 0,
                "items-0-indicator": item.indicator_id,
                "items-0-display": "headline",
                "items-0-years": 1,
            },
        )
        self.assertEqual(response.status_code, 302, response.content[:2000])
        chapter.refresh_from_db()
        self.assertEqual((chapter.title, chapter.intro), ("计量工作", "<p>计量</p>"))


def tearDownModule():
    shutil.rmtree(MEDIA, ignore_errors=True)
