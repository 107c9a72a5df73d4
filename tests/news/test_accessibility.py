"""无障碍检查 of article bodies (``news.accessibility``): each rule both ways."""

from pathlib import Path

from django.test import SimpleTestCase, TestCase
from django.utils import translation

from news.accessibility import check_body
from news.models import Image
from news.parsing import parse_page_text
from news.services import page_body_html


def library_image(**fields) -> Image:
    return Image.objects.create(file="images/x.png", title="图", **fields)


def rules(html: str) -> list[str]:
    return [f.rule for f in check_body(html)]


class ImageAltTests(TestCase):
    def test_image_without_alt(self):
        findings = check_body('<p>前文</p><img src="/media/a.jpg">')
        self.assertEqual([f.rule for f in findings], ["image-alt"])
        self.assertIn("图片缺少替代文字", findings[0].message)
        self.assertIn("/media/a.jpg", findings[0].where)

    def test_image_with_alt(self):
        self.assertEqual(rules('<img src="/a.jpg" alt="烟台港集装箱码头">'), [])

    def test_empty_alt_outside_the_library_is_a_finding(self):
        self.assertEqual(rules('<img src="/a.jpg" alt="">'), ["image-alt"])
        self.assertEqual(rules('<img src="/a.jpg" alt="  ">'), ["image-alt"])

    def test_empty_alt_of_a_decorative_library_image_is_allowed(self):
        decorative = library_image(is_decorative=True, alt_text="")
        html = f'<img src="/a.jpg" alt="" data-file="{decorative.pk}">'
        with self.assertNumQueries(1):
            self.assertEqual(rules(html), [])

    def test_an_id_in_other_digits_is_no_library_image(self):
        # int() reads "１" and "١" as 1, news.body_images leaves such an image
        # unresolved: it is not the decorative image 1 here either.
        decorative = library_image(is_decorative=True, alt_text="")
        for digits in (str(decorative.pk), "０" + str(decorative.pk)):
            wide = digits.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
            with self.subTest(wide=wide):
                html = f'<img src="/a.jpg" alt="" data-file="{wide}">'
                self.assertEqual(rules(html), ["image-alt"])

    def test_empty_alt_of_an_informative_library_image(self):
        image = library_image(is_decorative=False, alt_text="码头")
        html = f'<picture><img src="/a.jpg" alt="" data-file="{image.pk}"></picture>'
        self.assertEqual(rules(html), ["image-alt"])
        # An image deleted from the library: nothing says it is decorative.
        self.assertEqual(
            rules('<img src="/a.jpg" alt="" data-file="999999">'), ["image-alt"]
        )

    def test_empty_alt_with_a_library_id_that_is_no_id(self):
        # Digits to str.isdigit() that int() refuses, or too many for a column.
        for bad in ("²", "1²", "9" * 5000, "9" * 19):
            with self.subTest(bad=bad[:10]):
                html = f'<img src="/a.jpg" alt="" data-file="{bad}">'
                with self.assertNumQueries(0):
                    self.assertEqual(rules(html), ["image-alt"])

    def test_no_query_without_an_empty_library_alt(self):
        with self.assertNumQueries(0):
            check_body('<img src="/a.jpg" alt="码头" data-file="3"><p>正文</p>')

    def test_file_name_as_alt(self):
        findings = check_body('<img src="/a.jpg" alt="IMG_2031.JPG">')
        self.assertEqual([f.rule for f in findings], ["image-alt-filename"])
        self.assertIn("IMG_2031.JPG", findings[0].where)
        self.assertEqual(rules('<img src="/a.jpg" alt="烟台.港口 夜景">'), [])


class HeadingTests(SimpleTestCase):
    def test_body_starts_at_h2_under_the_title(self):
        self.assertEqual(rules("<h2>一、概况</h2><h3>（一）数据</h3>"), [])
        findings = check_body("<p>导语</p><h3>（一）数据</h3>")
        self.assertEqual([f.rule for f in findings], ["heading-order"])
        self.assertIn("（一）数据", findings[0].where)
        self.assertIn("h1", findings[0].message)

    def test_skipped_level(self):
        findings = check_body("<h2>一、概况</h2><p>文</p><h4>细目</h4>")
        self.assertEqual([f.rule for f in findings], ["heading-order"])
        self.assertIn("h2", findings[0].message)
        self.assertIn("h4", findings[0].message)

    def test_going_back_up_is_fine(self):
        self.assertEqual(rules("<h2>一</h2><h3>甲</h3><h4>子</h4><h2>二</h2>"), [])

    def test_empty_heading(self):
        for html in ("<h2></h2>", "<h2> &nbsp;\u3000</h2>", "<h3><br></h3>"):
            with self.subTest(html=html):
                self.assertIn("heading-empty", rules("<h2>一</h2>" + html))

    def test_heading_with_only_an_image_alt_is_not_empty(self):
        self.assertEqual(rules('<h2><img src="/l.png" alt="烟台市标志"></h2>'), [])

    def test_duplicate_consecutive_headings(self):
        findings = check_body("<h2>工作成效</h2><p>文</p><h2>工作成效</h2>")
        self.assertEqual([f.rule for f in findings], ["heading-duplicate"])
        self.assertIn("工作成效", findings[0].where)

    def test_same_text_not_consecutive_or_other_level(self):
        self.assertEqual(rules("<h2>问</h2><h2>答</h2><h2>问</h2>"), [])
        self.assertEqual(rules("<h2>做法</h2><h3>做法</h3>"), [])


class LinkTests(SimpleTestCase):
    def test_vague_link_text(self):
        for text in (
            "点击这里",
            "这里",
            "更多",
            "详情",
            "链接",
            "更多>>",
            " 点击此处 ",
            "Click here",
        ):
            with self.subTest(text=text):
                findings = check_body(
                    f'<p>通知见<a href="https://a.cn/x">{text}</a></p>'
                )
                self.assertEqual([f.rule for f in findings], ["link-vague"])
                self.assertIn("https://a.cn/x", findings[0].where)

    def test_descriptive_link_text(self):
        html = '<p>见<a href="https://a.cn/x">烟台市质量强市工作方案（全文）</a></p>'
        self.assertEqual(rules(html), [])
        self.assertEqual(rules('<p><a href="/x">更多质量政策解读</a></p>'), [])

    def test_bare_url_as_text(self):
        for text in ("https://www.yantai.gov.cn/art/1.html", "www.yantai.gov.cn"):
            with self.subTest(text=text):
                self.assertEqual(
                    rules(
                        f'<p>网址：<a href="https://www.yantai.gov.cn/">{text}</a></p>'
                    ),
                    ["link-url"],
                )

    def test_mail_address_as_text_is_fine(self):
        self.assertEqual(rules('<a href="mailto:zl@yt.cn">zl@yt.cn</a>'), [])

    def test_empty_link(self):
        self.assertEqual(rules('<p><a href="https://a.cn/"> </a></p>'), ["link-empty"])

    def test_image_link_is_named_by_its_alt(self):
        self.assertEqual(
            rules('<a href="/x"><img src="/i.png" alt="质量月活动专题"></a>'), []
        )
        self.assertEqual(
            rules('<a href="/x"><img src="/i.png" alt=""></a>'),
            ["image-alt", "link-empty"],
        )

    def test_anchor_without_href_is_not_a_link(self):
        self.assertEqual(rules("<p><a>这里</a></p>"), [])


class TableTests(SimpleTestCase):
    def test_table_without_header_cells(self):
        findings = check_body(
            "<table><caption>抽检结果</caption><tr><td>企业</td><td>结果</td></tr></table>"
        )
        self.assertEqual([f.rule for f in findings], ["table-header"])
        self.assertIn("抽检结果", findings[0].where)

    def test_table_with_header_cells(self):
        html = (
            "<table><thead><tr><th>企业</th><th>结果</th></tr></thead>"
            "<tbody><tr><td>甲</td><td>合格</td></tr></tbody></table>"
        )
        self.assertEqual(rules(html), [])


class BoldParagraphTests(SimpleTestCase):
    long = "烟台市市场监督管理局组织开展了全市范围内的产品质量监督抽查工作，共抽查了二百批次产品，合格率达到百分之九十八。"

    def test_whole_long_paragraph_in_bold(self):
        for tag in ("strong", "b"):
            with self.subTest(tag=tag):
                findings = check_body(f"<p><{tag}>{self.long}</{tag}></p>")
                self.assertEqual([f.rule for f in findings], ["bold-paragraph"])
                self.assertIn(self.long[:10], findings[0].where)

    def test_bold_split_in_pieces_still_counts(self):
        half = len(self.long) // 2
        html = f"<p> <strong>{self.long[:half]}</strong><b><em>{self.long[half:]}</em></b></p>"
        self.assertEqual(rules(html), ["bold-paragraph"])

    def test_short_bold_line_and_partly_bold_paragraph(self):
        self.assertEqual(rules("<p><strong>一、总体要求</strong></p>"), [])
        self.assertEqual(rules(f"<p><strong>要点：</strong>{self.long}</p>"), [])


class MessagesTests(SimpleTestCase):
    def test_messages_in_english(self):
        html = (
            '<h3>甲</h3><h3></h3><img src="/a.jpg"><img src="/b.jpg" alt="a.png">'
            '<a href="/x">更多</a><a href="/y">http://a.cn</a><a href="/z"></a>'
            "<table><tr><td>1</td></tr></table><h3>甲</h3><h3>甲</h3>"
            f"<p><b>{BoldParagraphTests.long}</b></p>"
        )
        with translation.override("zh-hans"):
            chinese = check_body(html)
        with translation.override("en"):
            english = check_body(html)
        self.assertEqual(
            sorted({f.rule for f in english}),
            sorted(
                [
                    "bold-paragraph",
                    "heading-duplicate",
                    "heading-empty",
                    "heading-order",
                    "image-alt",
                    "image-alt-filename",
                    "link-empty",
                    "link-url",
                    "link-vague",
                    "table-header",
                ]
            ),
        )
        for zh, en in zip(chinese, english, strict=True):
            with self.subTest(rule=zh.rule):
                self.assertNotEqual(zh.message, en.message)
                self.assertTrue(en.message.isascii(), en.message)


class DemoContentTests(SimpleTestCase):
    def test_bundled_seed_pages_give_no_finding(self):
        pages = sorted(
            (Path(__file__).parents[2] / "news/fixtures/pages").glob("*.txt")
        )
        self.assertTrue(pages)
        for path in pages:
            with self.subTest(page=path.name):
                body = page_body_html(parse_page_text(path.read_bytes()))
                self.assertEqual(check_body(body), [])

    def test_empty_body(self):
        self.assertEqual(check_body(""), [])
        self.assertEqual(check_body(None), [])


class PublicationNoteTests(SimpleTestCase):
    def test_the_note_is_stored_in_chinese_in_any_language(self):
        """It goes on the timeline and into 操作日志 (docs/architecture.md: the
        language of stored records), so an English publisher writes it in Chinese."""
        from news.accessibility import publication_note

        findings = check_body(
            '<h2>概况</h2><h4>细目</h4><p><img src="/a.jpg" alt=""></p>'
        )
        self.assertEqual(
            publication_note(findings),
            "发布时有 2 项无障碍提示：标题级别跳级、图片缺少替代文字",
        )
        with translation.override("en"):
            note = publication_note(findings)
        self.assertEqual(
            note, "发布时有 2 项无障碍提示：标题级别跳级、图片缺少替代文字"
        )
