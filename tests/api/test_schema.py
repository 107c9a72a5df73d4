"""The OpenAPI schema is valid and complete, the docs are served by us, and
schemathesis finds neither server errors nor responses that break the schema."""

import html
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import connection
from django.test import LiveServerTestCase, override_settings
from django.utils.translation import trans_real
from openapi_spec_validator import validate

from news.models import Article
from tests.api import ApiTestCase, token_for, user_with_perms
from tests.api.test_hardening import NO_THROTTLE, SerialisedLiveServerThread
from tests.factories import ArticleFactory, BylineFactory, TagFactory
from tests.quality.factories import AwardFactory, StandardFactory

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"


def undescribed(schema: dict) -> list[tuple]:
    """Parameters and properties of ``schema`` without a description."""
    missing = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if not parameter.get("description"):
                    missing.append((path, method, parameter["name"]))

    def walk(component: str, node: dict, trail: str) -> None:
        for name, prop in node.get("properties", {}).items():
            if "$ref" not in prop and not prop.get("description"):
                missing.append((component, trail + name))
            walk(component, prop, f"{trail}{name}.")
            if isinstance(prop.get("items"), dict):
                walk(component, prop["items"], f"{trail}{name}[].")

    for component, node in schema["components"]["schemas"].items():
        walk(component, node, "")
    return missing


CJK = re.compile(r"[\u3400-\u9fff]")
ENGLISH = re.compile(r"[A-Za-z]{2,}[,;:]? [a-z]{2,}")
# drf-spectacular's translation of "A unique integer value identifying this {name}."
# with the model's name between spaces: "标识此 文章 的 唯一整数值。"
SPACED = re.compile(r"此 \S+ 的|\S \S+ 的 ")


def descriptions(node, trail: str = ""):
    """(where, text) of every ``description`` in the schema."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "description" and isinstance(value, str):
                yield trail, value
            else:
                yield from descriptions(value, f"{trail}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from descriptions(value, f"{trail}[{i}]")


def not_chinese(text: str) -> bool:
    """No Chinese at all, or English prose: two English words in a row ("Public
    indicators", "Honour schemes (山东名牌产品 …)"). Codes and names in Chinese
    text ("响应头 ETag 用于…", "national（国家级）", inline code) are fine."""
    text = re.sub(r"`[^`]*`", "", text)
    return not CJK.search(text) or bool(ENGLISH.search(text))


# What an English text may quote in Chinese: inline code, “…” and (…) examples
# ("Written in Chinese, e.g. “2020年”", "About (约, 近, 左右)").
QUOTED = re.compile(r"`[^`]*`|“[^”]*”|\([^)]*\)")


def texts(schema: dict):
    """(where, text) of the title, every description and every summary."""
    yield "/info/title", schema["info"]["title"]
    yield from descriptions(schema)
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if "summary" in operation:
                yield f"{path} {method} summary", operation["summary"]


def not_english(text: str) -> bool:
    return bool(CJK.search(QUOTED.sub("", text)))


class SchemaTests(ApiTestCase):
    """/api/schema/ is valid OpenAPI 3 with every field and parameter described."""

    def schema(self) -> dict:
        response = self.client.get("/api/schema/", {"format": "json"})
        self.assertEqual(response.status_code, 200)
        return response.json()

    def test_schema_is_valid_openapi_3(self):
        schema = self.schema()
        self.assertTrue(schema["openapi"].startswith("3."))
        validate(schema)

    def test_every_field_and_parameter_is_described(self):
        self.assertEqual(undescribed(self.schema()), [])

    def test_every_description_is_chinese(self):
        self.maxDiff = None
        # Operations took the viewsets' English docstrings ("Public indicators."),
        # components the serializers'; the id parameter read "标识此 文章 的 唯一整数值".
        bad = [
            (where, text[:60])
            for where, text in descriptions(self.schema())
            if not_chinese(text) or SPACED.search(text)
        ]
        self.assertEqual(bad, [])

    def test_documents_token_auth_and_not_basic(self):
        schemes = self.schema()["components"]["securitySchemes"]
        self.assertIn("tokenAuth", schemes)
        self.assertNotIn("basicAuth", schemes)

    def test_list_endpoints_document_paging_and_filters(self):
        parameters = {
            p["name"]
            for p in self.schema()["paths"]["/api/v1/articles/"]["get"]["parameters"]
        }
        for name in ("page", "page_size", "limit", "offset", "ordering", "q", "tag"):
            self.assertIn(name, parameters)


class SchemaLanguageTests(ApiTestCase):
    """The schema in English for ``?lang=en`` or ``Accept-Language: en``, Chinese
    otherwise; one language's texts never stay behind in the other's schema."""

    def schema(self, **extra) -> dict:
        response = self.client.get("/api/schema/", {"format": "json", **extra})
        self.assertEqual(response.status_code, 200)
        return response.json()

    def assertEnglish(self, schema: dict):
        self.maxDiff = None
        bad = [(where, text[:60]) for where, text in texts(schema) if not_english(text)]
        self.assertEqual(bad, [])

    def assertChinese(self, schema: dict):
        self.maxDiff = None
        bad = [
            (where, text[:60])
            for where, text in texts(schema)
            if not_chinese(text) and not where.endswith("/title")
        ]
        self.assertEqual(bad, [])

    def test_lang_en_is_english(self):
        schema = self.schema(lang="en")
        self.assertEqual(schema["info"]["title"], "Quality Yantai API")
        self.assertEnglish(schema)

    def test_accept_language_en_is_english(self):
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en-GB,en;q=0.9"
        response = self.client.get("/api/schema/", {"format": "json"})
        self.assertEnglish(response.json())
        self.assertEqual(response["Content-Language"], "en")
        self.assertIn("Accept-Language", response["Vary"])

    def test_chinese_by_default_and_for_chinese_readers(self):
        for header in ("", "zh-CN,zh;q=0.9,en;q=0.8", "fr"):
            with self.subTest(header):
                response = self.client.get(
                    "/api/schema/", {"format": "json"}, HTTP_ACCEPT_LANGUAGE=header
                )
                self.assertEqual(response.json()["info"]["title"], "品质烟台 API")
                self.assertEqual(response["Content-Language"], "zh-hans")

    def test_neither_language_leaks_into_the_other(self):
        zh = self.schema()
        en = self.schema(lang="en")
        zh_again = self.schema()
        en_again = self.schema(lang="en")
        self.assertChinese(zh)
        self.assertEnglish(en)
        self.assertEqual(zh_again, zh)
        self.assertEqual(en_again, en)

    def test_english_first_then_chinese(self):
        en = self.schema(lang="en")
        zh = self.schema()
        self.assertEnglish(en)
        self.assertChinese(zh)

    def test_an_unknown_lang_is_chinese_and_loads_no_catalogue(self):
        # drf-spectacular activated any ?lang= value: Django builds and keeps a
        # catalogue for each code it is asked for, one more per request.
        self.schema(lang="en")
        before = len(trans_real._translations)
        for code in ("xx-1", "xx-2", "de"):
            with self.subTest(code):
                self.assertEqual(
                    self.schema(lang=code)["info"]["title"], "品质烟台 API"
                )
        self.assertEqual(len(trans_real._translations), before)

    def test_docs_page_is_in_its_language_and_loads_the_schema_in_it(self):
        page = self.client.get("/api/docs/", {"lang": "en"})
        self.assertIn("<title>Quality Yantai API</title>", page.content.decode())
        script_url = re.search(r'src="([^"]*script=[^"]*)"', page.content.decode())[1]
        script = self.client.get(html.unescape(script_url)).content.decode()
        url = json.loads(re.search(r"url: (\"[^\"]*\")", script)[1])
        self.assertEqual(url, "/api/schema/?lang=en")
        # Without ?lang= the page and the schema it loads follow Accept-Language.
        page = self.client.get("/api/docs/", HTTP_ACCEPT_LANGUAGE="en")
        self.assertIn("<title>Quality Yantai API</title>", page.content.decode())
        self.assertIn("Accept-Language", page["Vary"])
        chinese = self.client.get("/api/docs/").content.decode()
        self.assertIn("<title>品质烟台 API</title>", chinese)


class DocsTests(ApiTestCase):
    """Swagger UI at /api/docs/ loads its assets from our own static files."""

    def test_docs_use_local_assets_only(self):
        response = self.client.get("/api/docs/")
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        assets = re.findall(r'(?:src|href)="([^"]+)"', html)
        self.assertTrue(assets)
        for url in assets:
            with self.subTest(url):
                if url == "/api/docs/?script=":
                    # The page's own set-up script, served by the same view so
                    # the CSP needs no inline script: same origin, no CDN.
                    script = self.client.get(url)
                    self.assertEqual(script.status_code, 200)
                    self.assertIn("javascript", script["Content-Type"])
                    self.assertIn("SwaggerUIBundle", script.content.decode())
                    self.assertNotIn("cdn", script.content.decode().lower())
                    continue
                self.assertTrue(url.startswith(settings.STATIC_URL), url)
                path = url.removeprefix(settings.STATIC_URL)
                self.assertIsNotNone(finders.find(path), url)
        self.assertNotIn("cdn", html.lower())


@override_settings(REST_FRAMEWORK=NO_THROTTLE)
class SchemathesisTests(LiveServerTestCase):
    """schemathesis against the live schema: 0 server errors, 0 schema violations."""

    @classmethod
    def setUpClass(cls):
        if connection.vendor == "sqlite":
            cls.server_thread_class = SerialisedLiveServerThread
        super().setUpClass()

    def test_schemathesis_finds_nothing(self):
        article = ArticleFactory()
        article.tags.add(TagFactory(name="质量"))
        BylineFactory(article=article)
        ArticleFactory(status=Article.Status.DRAFT)
        # Rows the honour and standard writes can refer to (scheme, organisation).
        AwardFactory()
        StandardFactory()
        editor = user_with_perms(
            "editor",
            "news.view_article",
            "news.add_article",
            "news.change_article",
            "news.submit_article",
            "quality.add_award",
            "quality.add_standard",
        )
        secret = token_for(editor)
        with tempfile.TemporaryDirectory() as workdir:
            result = subprocess.run(
                [
                    str(SCHEMATHESIS),
                    "run",
                    f"{self.live_server_url}/api/schema/?format=json",
                    "--checks",
                    "not_a_server_error,response_schema_conformance,"
                    "content_type_conformance",
                    # The coverage phase (boundary values of every parameter) takes
                    # about 4 minutes: .ci/run adds it on its SQLite run with
                    # SCHEMATHESIS_PHASES=examples,coverage,fuzzing,stateful.
                    "--phases",
                    os.environ.get("SCHEMATHESIS_PHASES", "examples,fuzzing,stateful"),
                    "--max-examples",
                    os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "8"),
                    # A fixed seed keeps CI reproducible; longer campaigns with other
                    # seeds: SCHEMATHESIS_SEED=… SCHEMATHESIS_MAX_EXAMPLES=200.
                    "--seed",
                    os.environ.get("SCHEMATHESIS_SEED", "20261128"),
                    "--workers",
                    "1",
                    "--request-timeout",
                    "30",
                    "--header",
                    f"Authorization: Token {secret}",
                ],
                cwd=workdir,
                capture_output=True,
                text=True,
                timeout=900,  # the coverage phase alone takes ~4 min
            )
        output = result.stdout + result.stderr
        self.assertEqual(result.returncode, 0, output[:8000])
        self.assertRegex(output, r"\d+ generated, \d+ passed")
        self.assertNotIn("Server error", output)
        self.assertNotIn("violates schema", output)
