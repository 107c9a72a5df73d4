"""Rich text: the allow-list sanitiser and the body editor in the admin."""

from pathlib import Path

from django.conf import settings
from django.test import TestCase

from news.forms import RichTextField
from news.models import Article
from news.parsing import parse_page_text
from news.services import article_import_page
from tests.factories import ArticleFactory, ChannelFactory, UserFactory
from yantai.html import sanitize_html

SEED = (
    Path(settings.BASE_DIR) / "news" / "fixtures" / "pages" / "000_b5b21bbd38acca12.txt"
)

WORD_PASTE = """<html xmlns:o="urn:schemas-microsoft-com:office:office"><head>
<meta charset="utf-8"><style>p.MsoNormal{mso-style-parent:"";}</style>
<!--[if gte mso 9]><xml><w:WordDocument><w:View>Normal</w:View></w:WordDocument></xml>
<![endif]--></head><body lang=ZH-CN>
<h2 class=MsoTitle style='mso-outline-level:2'><span style='font-family:黑体;
mso-ascii-font-family:"Times New Roman"'>质量强市<o:p></o:p></span></h2>
<p class=MsoNormal style='text-indent:2em;mso-char-indent-count:2.0'><span lang=EN-US
style='font-size:12pt'><font face="宋体" color="red">烟台市</font></span><b
style='mso-bidi-font-weight:normal'><span style='color:red'>604</span></b><span>项标准</span>
<span style='mso-spacerun:yes'></span><span></span><o:p></o:p></p>
<p class=MsoNormal><o:p>&nbsp;</o:p></p>
<ul><li class=MsoNormal style='mso-list:l1'><span>列表项</span></li></ul>
</body></html>"""


def admin_post_data(response) -> dict:
    """POST data of an admin change form exactly as it was rendered (unchanged)."""
    data = {}
    forms = [response.context["adminform"].form]
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        forms.append(management)
        forms.extend(formset.formset.forms)
    for form in forms:
        for bound in form:
            value = bound.value()
            if value is None or value is False:
                continue
            if value is True:
                value = "on"
            widget = bound.field.widget
            if hasattr(widget, "widgets") and isinstance(value, (list, tuple)):
                continue
            if hasattr(widget, "decompress") and not isinstance(value, (list, tuple)):
                parts = widget.decompress(value)
                for i, part in enumerate(parts):
                    if part is not None:
                        data[f"{bound.html_name}_{i}"] = widget.widgets[i].format_value(
                            part
                        )
                continue
            if isinstance(value, (list, tuple)):
                data[bound.html_name] = [str(v) for v in value]
            else:
                data[bound.html_name] = str(value)
    return data


class SanitiserTests(TestCase):
    """The allow-list drops whatever could run or restyle, and keeps structure."""

    def test_script_is_removed_with_its_content(self):
        self.assertEqual(
            sanitize_html("<p>正文</p><script>alert(1)</script>"), "<p>正文</p>"
        )

    def test_event_handlers_are_removed(self):
        self.assertEqual(
            sanitize_html(
                '<p onclick="alert(1)">点</p><img src="/a.jpg" onerror="x()">'
            ),
            '<p>点</p><img src="/a.jpg">',
        )

    def test_javascript_and_data_urls_are_removed(self):
        for url in (
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            " javascript:alert(1)",
            "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
            "vbscript:msgbox(1)",
        ):
            with self.subTest(url=url):
                html = sanitize_html(f'<p><a href="{url}">链接</a></p>')
                self.assertEqual(html, '<p><a rel="noopener noreferrer">链接</a></p>')
        self.assertEqual(
            sanitize_html('<img src="data:image/svg+xml;base64,PHN2Zz4=" alt="x">'),
            '<img alt="x">',
        )

    def test_safe_links_keep_their_href(self):
        self.assertEqual(
            sanitize_html(
                '<a href="https://www.yantai.gov.cn/" target="_blank">市政府</a>'
            ),
            '<a href="https://www.yantai.gov.cn/" rel="noopener noreferrer">市政府</a>',
        )

    def test_style_and_class_attributes_are_removed(self):
        self.assertEqual(
            sanitize_html('<p style="color:red" class="x">红字</p>'), "<p>红字</p>"
        )

    def test_iframes_objects_and_forms_are_removed(self):
        html = sanitize_html(
            '<p>视频</p><iframe src="https://evil.example/"></iframe>'
            '<object data="x.swf"></object><form action="/x"><input name="a"></form>'
        )
        self.assertEqual(html, "<p>视频</p>")

    def test_word_paste_keeps_structure_and_drops_debris(self):
        html = sanitize_html(WORD_PASTE)
        self.assertEqual(
            html,
            "<h2>质量强市</h2>\n<p>烟台市<b>604</b>项标准\n</p>\n\n<ul><li>列表项</li></ul>",
        )
        for debris in ("mso-", "<o:p", "<font", "<span", "class=", "style=", "Normal"):
            self.assertNotIn(debris, html)

    def test_figures_tables_and_quotes_survive(self):
        html = (
            '<figure><img src="/media/images/a.jpg" alt="港口" width="640" height="427">'
            "<figcaption>烟台港（张三 摄）</figcaption></figure>"
            "<blockquote><p>引文</p></blockquote>"
            "<table><tbody><tr><th>指标</th><td>604</td></tr></tbody></table>"
            "<ol><li><p><strong>一</strong><em>二</em></p></li></ol>"
        )
        self.assertEqual(sanitize_html(html), html)

    def test_sanitising_twice_changes_nothing(self):
        once = sanitize_html(WORD_PASTE)
        self.assertEqual(sanitize_html(once), once)

    def test_every_model_save_sanitises(self):
        article = ArticleFactory(
            body='<p style="x" onclick="y()">正文</p><script>z</script>'
        )
        article.refresh_from_db()
        self.assertEqual(article.body, "<p>正文</p>")


class RichTextFieldTests(TestCase):
    def test_form_field_cleans_with_the_site_sanitiser(self):
        field = RichTextField(required=False)
        self.assertEqual(
            field.clean('<h2 class="MsoTitle">标题</h2><p><font>字</font></p>'),
            "<h2>标题</h2><p>字</p>",
        )


class ArticleBodyAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.admin = UserFactory(username="root", is_staff=True, is_superuser=True)
        cls.channel = ChannelFactory(name="质量强市")
        page = parse_page_text(SEED.read_text(encoding="utf-8"))
        cls.article, _ = article_import_page(page=page, channel=cls.channel)

    def setUp(self):
        self.client.force_login(self.admin)
        self.url = f"/admin/news/article/{self.article.pk}/change/"

    def test_change_form_uses_the_editor_for_the_body_only(self):
        response = self.client.get(self.url)
        form = response.context["adminform"].form
        self.assertIsInstance(form.fields["body"], RichTextField)
        self.assertNotIsInstance(form.fields["summary"], RichTextField)
        self.assertContains(response, "data-django-prose-editor-configurable")
        self.assertContains(response, "django_prose_editor/editor.js")
        self.assertNotContains(response, "cdn")

    def test_seed_body_round_trips_unchanged(self):
        """Open the imported seed article, save it without changes: same body."""
        body = Article.objects.get(pk=self.article.pk).body
        self.assertIn("<h2>", body)
        self.assertIn("<p>", body)
        data = admin_post_data(self.client.get(self.url))
        response = self.client.post(self.url, data)
        self.assertEqual(
            response.status_code,
            302,
            getattr(response, "context", None)
            and response.context["adminform"].form.errors,
        )
        self.assertEqual(Article.objects.get(pk=self.article.pk).body, body)

    def test_admin_save_cleans_a_word_paste(self):
        data = admin_post_data(self.client.get(self.url))
        data["body"] = WORD_PASTE
        response = self.client.post(self.url, data)
        self.assertEqual(response.status_code, 302)
        body = Article.objects.get(pk=self.article.pk).body
        self.assertTrue(body.startswith("<h2>质量强市</h2>"))
        self.assertIn("<b>604</b>", body)
        for debris in ("mso-", "<o:p", "<font", "<span", "class=", "style="):
            self.assertNotIn(debris, body)

    def test_admin_save_drops_scripts_and_handlers(self):
        data = admin_post_data(self.client.get(self.url))
        data["body"] = (
            '<h2>标题</h2><p onmouseover="steal()">段落<script>alert(1)</script></p>'
            '<p><a href="javascript:alert(1)">链接</a></p>'
        )
        self.client.post(self.url, data)
        self.assertEqual(
            Article.objects.get(pk=self.article.pk).body,
            '<h2>标题</h2><p>段落</p><p><a rel="noopener noreferrer">链接</a></p>',
        )
