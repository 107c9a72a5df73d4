"""The catalogs: English complete, Chinese never undoing Django's own, the admin Chinese.

``makemessages`` is run on a copy of the project (the real catalogs stay as they
are) and the copy's ``locale/en`` catalog must then have no empty and no fuzzy
entries — so a string added without running makemessages, or added and left
untranslated, fails here.

Our catalogs (``LOCALE_PATHS``) take precedence over every app's and Django's: an
entry for one of Django's msgids replaces Django's translation everywhere. The
admin's breadcrumb read "Home" in Chinese because ours had ``msgid "Home"`` with
``msgstr "Home"``.
"""

import gettext
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import django
import django_prose_editor
from django.apps import apps
from django.conf import settings
from django.test import SimpleTestCase, TestCase

from tests.factories import ArticleFactory, UserFactory

SKIP = shutil.ignore_patterns(
    ".venv",
    ".git",
    "var",
    "media",
    "staticfiles",
    "bench",
    "node_modules",
    "__pycache__",
    "*.sqlite3*",
    ".ruff_cache",
)


class EnglishCatalogTests(SimpleTestCase):
    maxDiff = None

    def test_every_string_is_extracted_and_translated(self):
        root = Path(settings.BASE_DIR)
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "project"
            shutil.copytree(root, copy, ignore=SKIP)
            subprocess.run(
                [
                    sys.executable,
                    "manage.py",
                    "makemessages",
                    "-l",
                    "en",
                    "--no-obsolete",
                    "-v",
                    "0",
                ],
                cwd=copy,
                check=True,
                timeout=300,
                env={
                    "PATH": "/usr/bin:/bin",
                    "DJANGO_SETTINGS_MODULE": "yantai.settings",
                    "DJANGO_SECRET_KEY": settings.SECRET_KEY,
                },
            )
            po = copy / "locale" / "en" / "LC_MESSAGES" / "django.po"
            untranslated = self.msgattrib(po, "--untranslated")
            fuzzy = self.msgattrib(po, "--only-fuzzy")
        self.assertEqual(untranslated, [], "untranslated: run makemessages -l en")
        self.assertEqual(fuzzy, [], "fuzzy: check and translate these")

    @staticmethod
    def msgattrib(po: Path, flag: str) -> list[str]:
        """The msgids ``msgattrib flag`` keeps, without the catalog header."""
        out = subprocess.run(
            ["msgattrib", flag, "--no-wrap", str(po)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        return [
            line[len('msgid "') : -1]
            for line in out.splitlines()
            if line.startswith('msgid "') and line != 'msgid ""'
        ]


def catalog(path: Path) -> dict[str, str]:
    """The translations of a compiled catalog (``.mo``), without its header."""
    with path.open("rb") as f:
        return {k: v for k, v in gettext.GNUTranslations(f)._catalog.items() if k}


def zh_hans(root: Path, domain: str) -> Path:
    return root / "zh_Hans" / "LC_MESSAGES" / f"{domain}.mo"


class ChineseCatalogTests(SimpleTestCase):
    def test_ours_do_not_replace_djangos_translations(self):
        """No msgid of Django or an installed app gets another Chinese text from us.

        Except the languages' names: the language links name each language in
        itself (“English”, not “英语”).
        """
        ours_root = Path(settings.BASE_DIR) / "locale"
        theirs_roots = [Path(django.__file__).parent / "conf" / "locale"] + [
            Path(app.path) / "locale"
            for app in apps.get_app_configs()
            if Path(app.path) != Path(settings.BASE_DIR) / app.label
        ]
        language_names = {str(name) for _code, name in settings.LANGUAGES}
        for domain in ("django", "djangojs"):
            ours = catalog(zh_hans(ours_root, domain))
            for root in theirs_roots:
                if not zh_hans(root, domain).exists():
                    continue
                theirs = catalog(zh_hans(root, domain))
                with self.subTest(domain=domain, catalog=str(root)):
                    self.assertEqual(
                        {
                            msgid: (text, theirs[msgid])
                            for msgid, text in ours.items()
                            if msgid in theirs
                            and text != theirs[msgid]
                            and msgid not in language_names
                        },
                        {},
                    )

    def test_every_editor_text_is_chinese(self):
        """Every text the body editor passes to gettext has a Chinese translation.

        The package's own (read from the sources in its source map) and the menu
        labels of static/js/editor-labels.js. makemessages sees only the latter and
        would mark the package's entries obsolete.
        """
        static = Path(django_prose_editor.__file__).parent / "static"
        source_map = json.loads(
            (static / "django_prose_editor" / "editor.js.map").read_text()
        )
        sources = [
            text
            for name, text in zip(
                source_map["sources"], source_map["sourcesContent"], strict=True
            )
            if name.startswith("src/")
        ]
        ours = (
            Path(settings.BASE_DIR) / "static" / "js" / "editor-labels.js"
        ).read_text()
        labels = re.search(r"const LABELS = \{(.*?)\n\}", ours, re.S).group(1)
        msgids = {
            *(
                m
                for text in sources
                for m in re.findall(r'gettext\(\s*"([^"]+)"', text)
            ),
            *re.findall(r'gettext\(\s*"([^"]+)"', ours),
            *re.findall(r': "([^"]+)",', labels),
        }
        self.assertIn("Image URL", msgids)
        self.assertIn("Heading 2", msgids)
        translations = catalog(zh_hans(Path(settings.BASE_DIR) / "locale", "djangojs"))
        missing = sorted(
            msgid
            for msgid in msgids
            if not re.search(r"[\u4e00-\u9fff]", translations.get(msgid, ""))
        )
        self.assertEqual(missing, [])


class AdminLanguageTests(TestCase):
    """The admin in Chinese: 首页 and the apps' Chinese names, no English."""

    @classmethod
    def setUpTestData(cls):
        cls.staff = UserFactory(username="staff", is_staff=True, is_superuser=True)
        cls.article = ArticleFactory()

    def setUp(self):
        self.client.force_login(self.staff)

    def get(self, url: str, language: str = "zh-CN,zh;q=0.9") -> str:
        response = self.client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    @staticmethod
    def breadcrumbs(html: str) -> str:
        """The breadcrumb trail as text: "首页 › 新闻 › 文章"."""
        trail = re.search(r'<div class="breadcrumbs">(.*?)</div>', html, re.S)
        text = re.sub(r"<[^>]+>", "", trail.group(1)).replace("&rsaquo;", "›")
        return re.sub(r"\s+", " ", text).strip()

    def test_index_names_the_apps_in_chinese(self):
        html = self.get("/admin/")
        apps_shown = re.findall(r"<caption>\s*<a[^>]*>(.*?)</a>", html)
        for name in ("新闻", "质量数据", "接口", "认证和授权"):
            self.assertIn(name, apps_shown)
        self.assertNotIn("Home", html)
        self.assertNotIn(">News<", html)
        self.assertNotIn(">Quality<", html)

    def test_breadcrumbs_start_at_首页(self):
        pk = self.article.pk
        pages = {
            f"/admin/news/article/{pk}/change/": "首页 › 新闻 › 文章 › ",
            f"/admin/news/article/{pk}/history/": "首页 › 新闻 › 文章 › ",
            "/admin/quality/": "首页 › 质量数据",
            "/admin/quality/indicator/": "首页 › 质量数据 › 指标",
        }
        for url, trail in pages.items():
            with self.subTest(url=url):
                html = self.get(url)
                self.assertTrue(self.breadcrumbs(html).startswith(trail))
                self.assertNotIn("Home", html)

    def test_english_admin_names_them_in_english(self):
        html = self.get("/admin/", language="en")
        apps_shown = re.findall(r"<caption>\s*<a[^>]*>(.*?)</a>", html)
        for name in ("News", "Quality data", "API"):
            self.assertIn(name, apps_shown)
        html = self.get(f"/admin/news/article/{self.article.pk}/history/", "en")
        self.assertTrue(self.breadcrumbs(html).startswith("Home › News › "))
