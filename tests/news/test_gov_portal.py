"""The public pages against a Chinese government portal's conventions
(《政府网站发展指引》, 国办发〔2017〕47号, and its page metadata): the article page's
``<title>`` "文章标题_栏目_站点名" and metadata tags, the footer's 党政机关网站标识
and 版权声明/隐私声明 links — each shown only from data staff entered."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Permission
from django.core.cache import cache, caches
from django.core.exceptions import ValidationError
from django.test import TestCase, override_settings
from django.utils import translation
from django.utils.html import strip_tags

from news.models import AuditLog, SiteSettings
from tests.factories import ArticleFactory, ChannelFactory, UserFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")


def clear_caches():
    cache.clear()
    caches["shared"].clear()
    caches["pages"].clear()


def head(html: str) -> str:
    return html.split("</head>", 1)[0]


def meta(html: str, name: str) -> str | None:
    """The content of ``<meta name="name">`` in the page's head, None without one."""
    found = re.findall(rf'<meta name="{name}" content="([^"]*)">', head(html))
    assert len(found) <= 1, f"{name} more than once"
    return found[0] if found else None


class PageTestCase(TestCase):
    def setUp(self):
        translation.activate("zh-hans")
        self.addCleanup(translation.deactivate)
        clear_caches()

    def page(self, url: str) -> str:
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return response.content.decode()


class ArticleHeadTests(PageTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.channel = ChannelFactory(name="质量监管")
        # 02:36 UTC is 10:36 in Beijing: the PubDate is Beijing time.
        cls.article = ArticleFactory(
            channel=cls.channel,
            title="计量检定站揭牌 <新>",
            source="烟台日报",
            published_at=datetime(2021, 1, 7, 2, 36, tzinfo=ZoneInfo("UTC")),
        )

    def test_title_is_article_channel_site(self):
        html = self.page(self.article.get_absolute_url())
        self.assertIn(
            "<title>计量检定站揭牌 &lt;新&gt;_质量监管_品质烟台</title>", html
        )
        english = self.page("/en" + self.article.get_absolute_url())
        self.assertIn(
            "<title>计量检定站揭牌 &lt;新&gt;_质量监管_Quality Yantai</title>", english
        )

    def test_government_metadata_from_the_article(self):
        html = self.page(self.article.get_absolute_url())
        self.assertEqual(meta(html, "SiteName"), "品质烟台")
        self.assertEqual(meta(html, "ColumnName"), "质量监管")
        self.assertEqual(meta(html, "ArticleTitle"), "计量检定站揭牌 &lt;新&gt;")
        self.assertEqual(meta(html, "PubDate"), "2021-01-07 10:36")
        self.assertEqual(meta(html, "ContentSource"), "烟台日报")
        english = self.page("/en" + self.article.get_absolute_url())
        self.assertEqual(meta(english, "SiteName"), "Quality Yantai")
        self.assertEqual(meta(english, "ColumnName"), "质量监管")
        self.assertEqual(meta(english, "PubDate"), "2021-01-07 10:36")

    def test_no_source_no_content_source(self):
        """An article without a 来源 gets no ContentSource (none is made up)."""
        own = ArticleFactory(channel=self.channel, source="")
        html = self.page(own.get_absolute_url())
        self.assertIsNone(meta(html, "ContentSource"))
        self.assertEqual(meta(html, "ArticleTitle"), own.title)

    def test_other_pages_carry_the_site_name_and_a_channel_its_column(self):
        home = self.page("/")
        self.assertEqual(meta(home, "SiteName"), "品质烟台")
        self.assertIsNone(meta(home, "ColumnName"))
        self.assertIsNone(meta(home, "ArticleTitle"))
        channel = self.page(self.channel.get_absolute_url())
        self.assertEqual(meta(channel, "ColumnName"), "质量监管")
        self.assertIsNone(meta(channel, "PubDate"))

    @override_settings(ALLOWED_HOSTS=["quality.example.gov.cn"])
    def test_the_site_domain_on_every_page_without_the_port(self):
        for url in (
            "/",
            self.channel.get_absolute_url(),
            self.article.get_absolute_url(),
        ):
            with self.subTest(url=url):
                html = self.client.get(url, HTTP_HOST="Quality.Example.gov.cn:8443")
                self.assertEqual(
                    meta(html.content.decode(), "SiteDomain"), "quality.example.gov.cn"
                )

    def test_the_site_id_code_only_once_entered_and_kept_current_in_cached_pages(
        self,
    ):
        """The 政府网站标识码 comes from 站点设置, as the footer's: an article page
        kept whole in the page cache shows a new code without being rendered."""
        url = self.article.get_absolute_url()
        for page in (self.page("/"), self.page(url)):
            self.assertIsNone(meta(page, "SiteIDCode"))
        with self.captureOnCommitCallbacks(execute=True):
            settings = SiteSettings.objects.create(site_code="3706000001")
        self.assertEqual(meta(self.page(url), "SiteIDCode"), "3706000001")
        self.assertEqual(meta(self.page("/en" + url), "SiteIDCode"), "3706000001")
        settings.site_code = "bm37000002"
        with self.captureOnCommitCallbacks(execute=True):
            settings.save()
        with self.assertNumQueries(1):  # the article's row: the page was kept
            response = self.client.get(url)
        self.assertEqual(response.templates, [])
        html = response.content.decode()
        self.assertEqual(meta(html, "SiteIDCode"), "bm37000002")
        self.assertIn("政府网站标识码：bm37000002", footer(html))
        self.assertEqual(meta(self.page("/"), "SiteIDCode"), "bm37000002")

    def test_query_count_unchanged(self):
        """The tags come from what the page already has: cold caches, the same
        statements as before (the budget is 6)."""
        with self.assertNumQueries(4):
            self.client.get(self.article.get_absolute_url())


def footer(html: str) -> str:
    return html.split('<footer class="site-footer">', 1)[1].split("</footer>", 1)[0]


class FooterMarkAndNoticesTests(PageTestCase):
    """党政机关网站标识 (the 开办单位 mark's record page at conac.cn) and the
    版权声明/隐私声明 links: in the footer only when staff have entered them."""

    FILLED = {
        "conac_url": "https://bszs.conac.cn/sitename?method=show&id=0A1B2C3D",
        "copyright_url": "/news/12/",
        "privacy_url": "https://www.yantai.gov.cn/privacy.html",
    }

    def test_empty_settings_show_none_of_them(self):
        for prefix in ["", "/en"]:
            with self.subTest(prefix=prefix):
                bottom = footer(self.page(prefix + "/"))
                for text in [
                    "党政机关",
                    "版权声明",
                    "隐私声明",
                    "conac",
                    "Copyright",
                    "Privacy",
                ]:
                    self.assertNotIn(text, bottom)
        SiteSettings.objects.create(host_organisation="烟台市市场监督管理局")
        clear_caches()
        bottom = footer(self.page("/"))
        self.assertIn("主办单位：烟台市市场监督管理局", bottom)
        for text in ["党政机关", "版权声明", "隐私声明", "conac"]:
            self.assertNotIn(text, bottom)

    def test_filled_settings_are_linked_in_both_languages(self):
        with self.captureOnCommitCallbacks(execute=True):
            SiteSettings.objects.create(**self.FILLED)
        article = ArticleFactory()
        for url in ["/", article.get_absolute_url()]:
            bottom = footer(self.page(url))
            self.assertInHTML(
                '<a class="conac-mark" href="https://bszs.conac.cn/sitename?'
                'method=show&amp;id=0A1B2C3D" rel="noopener noreferrer">'
                "党政机关网站标识</a>",
                bottom,
            )
            self.assertInHTML('<a href="/news/12/">版权声明</a>', bottom)
            self.assertInHTML(
                '<a href="https://www.yantai.gov.cn/privacy.html">隐私声明</a>', bottom
            )
        english = footer(self.page("/en/"))
        self.assertIn("Party and government website mark</a>", english)
        self.assertInHTML('<a href="/news/12/">Copyright notice</a>', english)
        self.assertInHTML(
            '<a href="https://www.yantai.gov.cn/privacy.html">Privacy notice</a>',
            english,
        )

    def test_bad_addresses_are_refused_with_chinese_messages(self):
        bad = {
            "conac_url": ("https://example.com/conac.cn/x", "党政机关网站标识的链接"),
            "copyright_url": ("javascript:alert(1)", "版权声明的地址"),
            "privacy_url": ("//evil.example/", "隐私声明的地址"),
        }
        for field, (value, message) in bad.items():
            with self.subTest(field=field):
                with self.assertRaises(ValidationError) as caught:
                    SiteSettings(**{field: value}).full_clean()
                self.assertIn(message, " ".join(caught.exception.message_dict[field]))
        SiteSettings(**self.FILLED).full_clean()


class SiteSettingsAdminNewFieldsTests(TestCase):
    url = "/admin/news/sitesettings/1/change/"

    def setUp(self):
        translation.activate("zh-hans")
        self.addCleanup(translation.deactivate)
        SiteSettings.objects.create(host_organisation="甲")

    def post(self, **fields):
        return self.client.post(self.url, {"host_organisation": "甲", **fields})

    def test_help_texts_in_chinese(self):
        root = UserFactory(username="root", is_staff=True, is_superuser=True)
        self.client.force_login(root)
        page = self.client.get(self.url).content.decode()
        for text in [
            "党政机关网站标识链接",
            "bszs.conac.cn",
            "未取得标识的网站请留空",
            "版权声明页面",
            "隐私声明页面",
            "可填本站路径",
        ]:
            self.assertIn(text, page)

    def test_bad_address_refused_and_nothing_saved(self):
        root = UserFactory(username="root", is_staff=True, is_superuser=True)
        self.client.force_login(root)
        response = self.post(copyright_url="javascript:alert(1)")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "版权声明的地址")
        self.assertEqual(SiteSettings.objects.get().copyright_url, "")
        self.assertFalse(AuditLog.objects.exists())

    def test_permission_matrix(self):
        value = FooterMarkAndNoticesTests.FILLED["conac_url"]
        response = self.post(conac_url=value)  # anonymous
        self.assertEqual(response.status_code, 302)
        self.assertIn("/login/", response["Location"])
        self.assertEqual(SiteSettings.objects.get().conac_url, "")
        editor = UserFactory(username="editor", is_staff=True)
        self.client.force_login(editor)
        self.assertEqual(self.post(conac_url=value).status_code, 403)
        self.assertEqual(SiteSettings.objects.get().conac_url, "")
        editor.user_permissions.add(
            Permission.objects.get(codename="change_sitesettings")
        )
        self.assertEqual(self.post(conac_url=value).status_code, 302)
        self.assertEqual(SiteSettings.objects.get().conac_url, value)


class ResponsibleEditorTests(PageTestCase):
    """责任编辑 as a news page prints it: the editor's name, 姓 then 名 — never the
    login name of an account without one."""

    def editor_line(self, article, prefix: str = "") -> str:
        html = self.page(prefix + article.get_absolute_url())
        found = re.search(r'<p class="responsible-editor">(.*?)</p>', html, re.S)
        return strip_tags(found.group(1)).strip() if found else ""

    def test_chinese_name_in_chinese_order(self):
        editor = UserFactory(username="zhangsan", last_name="张", first_name="三")
        article = ArticleFactory(responsible_editor=editor)
        self.assertEqual(self.editor_line(article), "责任编辑：张三")
        self.assertEqual(self.editor_line(article, "/en"), "Responsible editor: 张三")

    def test_western_name_keeps_its_order(self):
        editor = UserFactory(username="js", first_name="John", last_name="Smith")
        article = ArticleFactory(responsible_editor=editor)
        self.assertEqual(self.editor_line(article), "责任编辑：John Smith")

    def test_an_account_without_a_name_prints_no_login_name(self):
        editor = UserFactory(username="admin01", first_name="", last_name="")
        article = ArticleFactory(responsible_editor=editor)
        for prefix in ["", "/en"]:
            with self.subTest(prefix=prefix):
                html = self.page(prefix + article.get_absolute_url())
                self.assertNotIn("admin01", html)
                self.assertNotIn("责任编辑", html)
                self.assertNotIn("Responsible editor", html)
                self.assertNotIn('class="responsible-editor"', html)


class ErrorReportLinkTests(PageTestCase):
    """“我为政府网站找错”, which 《政府网站发展指引》 puts in a government site's
    footer: a link to the address staff enter, only when entered."""

    URL = "https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code=3706000001"

    def test_shown_only_when_filled_in_both_languages(self):
        SiteSettings.objects.create(site_code="3706000001")
        clear_caches()
        for prefix in ["", "/en"]:
            bottom = footer(self.page(prefix + "/"))
            self.assertNotIn("找错", bottom)
            self.assertNotIn("jiucuo", bottom)
        with self.captureOnCommitCallbacks(execute=True):
            settings = SiteSettings.objects.get()
            settings.error_report_url = self.URL
            settings.save()
        link = (
            '<a class="error-report" href="https://zfwzgl.www.gov.cn/exposure/'
            'jiucuo.html?site_code=3706000001" rel="noopener noreferrer">{}</a>'
        )
        self.assertInHTML(link.format("我为政府网站找错"), footer(self.page("/")))
        self.assertInHTML(
            link.format("Report an error on this government website"),
            footer(self.page("/en/")),
        )

    def test_an_address_off_gov_cn_is_refused(self):
        with self.assertRaises(ValidationError) as caught:
            SiteSettings(error_report_url="https://gov.cn.example.com/x").full_clean()
        self.assertIn(
            "“我为政府网站找错”的链接",
            " ".join(caught.exception.message_dict["error_report_url"]),
        )
        SiteSettings(error_report_url=self.URL).full_clean()

    def test_help_text_in_the_admin(self):
        root = UserFactory(username="root", is_staff=True, is_superuser=True)
        self.client.force_login(root)
        self.client.post("/admin/news/sitesettings/add/", {"host_organisation": "甲"})
        page = self.client.get("/admin/news/sitesettings/1/change/").content.decode()
        self.assertIn("“我为政府网站找错”链接", page)
        self.assertIn("zfwzgl.www.gov.cn", page)

    def test_the_admin_and_records_name_people_the_same_way(self):
        """The timeline, presence and mails (``user_display_name``) write the
        name as the page prints it, and a login name only for an account
        without one."""
        from news.revisions import user_display_name

        cases = [
            (UserFactory(username="zs", last_name="张", first_name="三"), "张三"),
            (
                UserFactory(username="js2", first_name="John", last_name="Smith"),
                "John Smith",
            ),
            (UserFactory(username="admin02", first_name="", last_name=""), "admin02"),
        ]
        for user, name in cases:
            with self.subTest(user=user.username):
                self.assertEqual(user_display_name(user), name)
