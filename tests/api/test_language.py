"""The API answers in the client's language: English for ``Accept-Language: en``,
Chinese without the header, for Chinese and for languages the site does not have.

Every response under /api/ says its language (``Content-Language``) and that it
depends on the header (``Vary: Accept-Language``); an ETag names the language, so
that a 304 never confirms one language's body to a client of the other. The texts
asserted are the .po's (ours in locale/en, DRF's own in its zh_Hans catalogue).
"""

import json

from django.conf import settings
from django.db import OperationalError
from django.test import override_settings
from django.urls import path
from django.utils import translation

from news.models import Article
from tests.api import ApiTestCase, token_for, user_with_perms
from tests.api.test_auth import EDITOR_PERMS
from tests.factories import ArticleFactory, ChannelFactory, TagFactory
from tests.test_health import (
    ON_POSTGRES,
    closed_port,
    default_database,
    sqlite_settings,
)
from yantai import urls as site_urls

DRAFTS = "/api/v1/drafts/"
ARTICLES = "/api/v1/articles/"
BAD_BODY = '<h2>概况</h2><p>通知见<a href="https://a.cn/x">这里</a></p>'
THROTTLED = {
    **settings.REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {"anon": "1/min", "user": "1/min"},
}
# Accept-Language values and the language each gets.
CHINESE_HEADERS = ("", "zh", "zh-CN", "zh-CN,zh;q=0.9,en;q=0.8", "fr", "*")
ENGLISH_HEADERS = ("en", "en-GB,en;q=0.9", "fr,en;q=0.5")


def busy(request):
    """A view meeting SQLite's lock past its busy timeout outside DRF."""
    raise OperationalError("database is locked")


# The site's URLs plus one under /api/ that is not a DRF view, for the 503 of
# yantai.middleware.DatabaseBusyMiddleware.
urlpatterns = [path("api/busy/", busy), *site_urls.urlpatterns]


class LanguageTestCase(ApiTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.channel = ChannelFactory(name="质量强市", slug="zlqs")
        cls.editor = user_with_perms("editor", *EDITOR_PERMS)
        cls.reader = user_with_perms("reader", "news.view_article")
        cls.draft = ArticleFactory(
            status=Article.Status.DRAFT, channel=cls.channel, body=BAD_BODY
        )
        cls.article = ArticleFactory(status=Article.Status.PUBLISHED)
        TagFactory(name="标准", slug="std")

    def assertSpeaks(self, request, chinese, english, status: int, key=None):
        """``request(header)`` answers ``status`` with ``chinese`` for every
        Chinese (or unknown) header, ``english`` for every English one: the whole
        JSON body, or its ``key``."""
        for header, expected, language in [
            *((h, chinese, "zh-hans") for h in CHINESE_HEADERS),
            *((h, english, "en") for h in ENGLISH_HEADERS),
        ]:
            with self.subTest(header=header):
                cache_clear()
                response = request(header)
                self.assertEqual(response.status_code, status, response.content[:300])
                body = response.json()
                self.assertEqual(body[key] if key else body, expected)
                self.assertEqual(response["Content-Language"], language)
                self.assertIn("Accept-Language", response["Vary"])


def cache_clear():
    from django.core.cache import cache

    cache.clear()


class ErrorLanguageTests(LanguageTestCase):
    def test_400_of_the_filters(self):
        cases = [
            (
                "page=1&page=2",
                "page",
                ["参数“page”只能出现一次。"],
                ["Parameter “page” may appear only once."],
            ),
            (
                "page=0",
                "page",
                ["参数“page”必须是不太大的正整数。"],
                ["Parameter “page” must be a positive integer that is not too large."],
            ),
            (
                "ordering=nope",
                "ordering",
                ["不能按“nope”排序。可用：id、published_at、title。"],
                ["Cannot sort by “nope”. Available: id, published_at, title."],
            ),
            (
                "format=xml",
                "format",
                ["不支持的格式。可用：json、api、csv。"],
                ["Unsupported format. Available: json, api, csv."],
            ),
        ]
        for query, key, chinese, english in cases:
            with self.subTest(query):
                self.assertSpeaks(
                    lambda h, q=query: self.client.get(
                        f"{ARTICLES}?{q}", HTTP_ACCEPT_LANGUAGE=h
                    ),
                    chinese,
                    english,
                    400,
                    key,
                )
        self.assertSpeaks(
            lambda h: self.client.get(
                "/api/v1/indicators/?is_headline=yes", HTTP_ACCEPT_LANGUAGE=h
            ),
            ["is_headline: 只能是 true 或 false。"],
            ["is_headline: Must be true or false."],
            400,
            "is_headline",
        )
        unknown = self.client.get(f"{ARTICLES}?bogus=1", HTTP_ACCEPT_LANGUAGE="en")
        self.assertTrue(
            unknown.json()["bogus"][0].startswith(
                "Unknown query parameter “bogus”. Available: "
            )
        )
        # The names listed with commas in English, with "、" in Chinese.
        self.assertIn(": channel, format, ", unknown.json()["bogus"][0])
        self.assertNotIn("、", unknown.json()["bogus"][0])
        chinese = self.client.get(f"{ARTICLES}?bogus=1")
        self.assertIn("：channel、format、", chinese.json()["bogus"][0])
        fields = self.client.get(f"{ARTICLES}?ordering=x", HTTP_ACCEPT_LANGUAGE="en")
        self.assertNotIn("、", fields.json()["ordering"][0])

    def test_400_of_a_serializer_drf_and_ours(self):
        self.auth(token_for(self.editor))
        self.assertSpeaks(
            lambda h: self.client.post(
                DRAFTS, {"title": ""}, format="json", HTTP_ACCEPT_LANGUAGE=h
            ),
            {"title": ["该字段不能为空。"], "channel": ["该字段是必填项。"]},
            {
                "title": ["This field may not be blank."],
                "channel": ["This field is required."],
            },
            400,
        )
        self.assertSpeaks(
            lambda h: self.client.post(
                DRAFTS,
                {"title": "标题", "channel": "zlqs", "status": "published"},
                format="json",
                HTTP_ACCEPT_LANGUAGE=h,
            ),
            [
                "只读字段，不能修改（可原样传回读到的值）；可写字段：kicker、title、subtitle、"
                "summary、body、source、source_url、channel、tags、published_at、"
                "expires_at。"
            ],
            [
                "Read-only field; it cannot be changed (send back the value you read, or "
                "leave it out). Writable fields: kicker, title, subtitle, summary, "
                "body, source, source_url, channel, tags, published_at, expires_at."
            ],
            400,
            "status",
        )
        self.assertFalse(Article.objects.filter(title="标题").exists())

    def test_400_of_an_unreadable_body(self):
        self.auth(token_for(self.editor))
        self.assertSpeaks(
            lambda h: self.client.generic(
                "POST",
                DRAFTS,
                '{"title": ',
                content_type="application/json",
                HTTP_ACCEPT_LANGUAGE=h,
            ),
            "请求内容不是有效的 JSON：第 1 行第 11 列有误。",
            "The request body is not valid JSON: error at line 1, column 11.",
            400,
            "detail",
        )

    def test_400_of_unstorable_text_in_the_query(self):
        self.assertSpeaks(
            lambda h: self.client.get(f"{ARTICLES}?q=%00", HTTP_ACCEPT_LANGUAGE=h),
            "请求中含有无法处理的字符（如空字符），请检查链接或搜索词。",
            "The request contains characters that cannot be processed (such as a "
            "null character). Please check the link or search terms.",
            400,
            "detail",
        )

    def test_401(self):
        self.assertSpeaks(
            lambda h: self.client.get(
                ARTICLES, HTTP_AUTHORIZATION="Token nope", HTTP_ACCEPT_LANGUAGE=h
            ),
            "令牌无效或已吊销。",
            "Invalid or revoked token.",
            401,
            "detail",
        )
        self.assertSpeaks(
            lambda h: self.client.post(
                DRAFTS, {}, format="json", HTTP_ACCEPT_LANGUAGE=h
            ),
            "身份认证信息未提供。",
            "Authentication credentials were not provided.",
            401,
            "detail",
        )

    def test_403(self):
        self.auth(token_for(self.reader))
        self.assertSpeaks(
            lambda h: self.client.post(
                "/api/v1/observations/", {}, format="json", HTTP_ACCEPT_LANGUAGE=h
            ),
            "您没有执行该操作的权限。",
            "You do not have permission to perform this action.",
            403,
            "detail",
        )

    def test_404_of_an_id_and_of_an_address_no_endpoint_matches(self):
        for url in (f"{ARTICLES}999999/", "/api/v1/observations/1/x/"):
            with self.subTest(url):
                self.assertSpeaks(
                    lambda h, u=url: self.client.get(u, HTTP_ACCEPT_LANGUAGE=h),
                    "未找到。",
                    "Not found.",
                    404,
                    "detail",
                )

    def test_405(self):
        self.assertSpeaks(
            lambda h: self.client.delete(ARTICLES, HTTP_ACCEPT_LANGUAGE=h),
            "方法 “DELETE” 不被允许。",
            'Method "DELETE" not allowed.',
            405,
            "detail",
        )

    def test_406(self):
        self.assertSpeaks(
            lambda h: self.client.get(
                ARTICLES, HTTP_ACCEPT="application/xml", HTTP_ACCEPT_LANGUAGE=h
            ),
            "无法满足Accept HTTP头的请求。",
            "Could not satisfy the request Accept header.",
            406,
            "detail",
        )

    def test_412_and_428(self):
        self.auth(token_for(self.editor))
        url = f"{DRAFTS}{self.draft.pk}/"
        self.assertSpeaks(
            lambda h: self.client.patch(
                url, {"title": "改"}, format="json", HTTP_ACCEPT_LANGUAGE=h
            ),
            "修改前请先读取该条目，并在 If-Match 请求头中带上它的 ETag。",
            "Read the item first and send its ETag in the If-Match header before "
            "changing it.",
            428,
            "detail",
        )
        self.assertSpeaks(
            lambda h: self.client.patch(
                url,
                {"title": "改"},
                format="json",
                HTTP_IF_MATCH='"0-0-0"',
                HTTP_ACCEPT_LANGUAGE=h,
            ),
            "该条目已被他人修改（ETag 已过期），请重新读取后再修改。",
            "Someone else changed this item (the ETag is stale); read it again "
            "before changing it.",
            412,
            "detail",
        )

    @override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
    def test_413(self):
        self.auth(token_for(self.editor))
        body = json.dumps({"title": "x" * 2000})
        self.assertSpeaks(
            lambda h: self.client.generic(
                "POST",
                DRAFTS,
                body,
                content_type="application/json",
                HTTP_ACCEPT_LANGUAGE=h,
            ),
            "请求内容太大：最多 1,000 字节。",
            "The request body is too large: at most 1,000 bytes.",
            413,
            "detail",
        )

    def test_415(self):
        self.auth(token_for(self.editor))
        self.assertSpeaks(
            lambda h: self.client.generic(
                "POST", DRAFTS, "x", content_type="text/plain", HTTP_ACCEPT_LANGUAGE=h
            ),
            "不支持请求中的媒体类型 “text/plain”。",
            'Unsupported media type "text/plain" in request.',
            415,
            "detail",
        )

    def test_429(self):
        for header, expected in [
            # One sentence each: DRF's two, joined by a space, read "请求已被限流。
            # 预计 60 秒后可用。" in Chinese.
            ("", "请求过于频繁，请 60 秒后再试。"),
            ("fr", "请求过于频繁，请 60 秒后再试。"),
            ("en", "Too many requests; try again in 60 seconds."),
        ]:
            with self.subTest(header), override_settings(REST_FRAMEWORK=THROTTLED):
                cache_clear()
                self.client.get("/api/v1/tags/", HTTP_ACCEPT_LANGUAGE=header)
                response = self.client.get("/api/v1/tags/", HTTP_ACCEPT_LANGUAGE=header)
                self.assertEqual(response.status_code, 429)
                self.assertEqual(response.json()["detail"], expected)
                self.assertIn("Accept-Language", response["Vary"])
        # A refused credential past the rate: our own 429 message.
        with override_settings(REST_FRAMEWORK=THROTTLED):
            cache_clear()
            self.client.get(ARTICLES, HTTP_AUTHORIZATION="Token a")
            response = self.client.get(
                ARTICLES, HTTP_AUTHORIZATION="Token a", HTTP_ACCEPT_LANGUAGE="en"
            )
        self.assertEqual(response.status_code, 429)
        self.assertEqual(
            response.json()["detail"],
            "Too many failed authentications; try again in 60 seconds.",
        )
        with override_settings(REST_FRAMEWORK=THROTTLED):
            cache_clear()
            self.client.get(ARTICLES, HTTP_AUTHORIZATION="Token a")
            response = self.client.get(ARTICLES, HTTP_AUTHORIZATION="Token a")
        self.assertEqual(
            response.json()["detail"], "认证失败次数过多，请 60 秒后再试。"
        )

    def test_429_of_one_second(self):
        from api.throttling import ApiThrottled

        for language, expected in [
            ("zh-hans", "请求过于频繁，请 1 秒后再试。"),
            ("en", "Too many requests; try again in 1 second."),
        ]:
            with self.subTest(language), translation.override(language):
                self.assertEqual(str(ApiThrottled(0.2).detail), expected)

    def unreachable(self):
        if ON_POSTGRES:
            return default_database(
                HOST="127.0.0.1", PORT=closed_port(), CONN_MAX_AGE=0
            )
        return default_database(
            **sqlite_settings(settings.BASE_DIR / "nonexistent-dir" / "db.sqlite3")
        )

    def test_503_of_a_database_that_cannot_be_reached(self):
        self.client.raise_request_exception = False
        for header, expected in [
            ("fr", "数据库暂时无法访问，请稍后再试。"),
            ("en", "The database is temporarily unavailable. Please try again later."),
        ]:
            with self.subTest(header), self.unreachable():
                response = self.client.get(ARTICLES, HTTP_ACCEPT_LANGUAGE=header)
            self.assertEqual(response.status_code, 503)
            self.assertEqual(response.json(), {"detail": expected})
            self.assertIn("Accept-Language", response["Vary"])

    @override_settings(ROOT_URLCONF=__name__)
    def test_503_of_a_database_busy_outside_drf(self):
        english = (
            "The site is writing a large amount of data (a bulk import, for example): "
            "your request could not be completed and nothing of it was saved. Please "
            "try again shortly: go back with the browser's Back button and submit "
            "again; what you entered is usually still there."
        )
        self.assertSpeaks(
            lambda h: self.client.get("/api/busy/", HTTP_ACCEPT_LANGUAGE=h),
            "网站正在写入大量数据（例如批量导入），您的请求未能完成，也未保存任何内容。"
            "请稍后重试：用浏览器的“后退”返回上一页再提交，填写的内容通常仍在。",
            english,
            503,
            "detail",
        )


class FindingsLanguageTests(LanguageTestCase):
    def test_the_drafts_accessibility_findings(self):
        self.auth(token_for(self.reader))
        self.assertSpeaks(
            lambda h: self.client.get(
                f"{DRAFTS}{self.draft.pk}/", HTTP_ACCEPT_LANGUAGE=h
            ),
            [
                {
                    "rule": "link-vague",
                    "message": "链接文字没有说明链接去向：请用目标的名称作链接文字，"
                    "不用“点击这里”“更多”等。",
                    "where": "链接“这里”（https://a.cn/x）",
                }
            ],
            [
                {
                    "rule": "link-vague",
                    "message": "The link text does not say where the link goes: use "
                    'the name of its target as the text, not "click here", '
                    '"more" and the like.',
                    "where": 'Link "这里" (https://a.cn/x)',
                }
            ],
            200,
            "accessibility",
        )


class HeaderTests(LanguageTestCase):
    def test_every_api_response_says_its_language_and_varies_on_the_header(self):
        for url in (
            ARTICLES,
            f"{ARTICLES}{self.article.pk}/",
            "/api/v1/tags/",
            "/api/v1/",
        ):
            with self.subTest(url):
                zh = self.client.get(url)
                en = self.client.get(url, HTTP_ACCEPT_LANGUAGE="en")
                self.assertEqual(zh.status_code, 200)
                self.assertEqual(zh["Content-Language"], "zh-hans")
                self.assertEqual(en["Content-Language"], "en")
                for response in (zh, en):
                    self.assertIn("Accept-Language", response["Vary"])

    def test_data_stays_as_stored(self):
        zh = self.client.get(f"{ARTICLES}{self.article.pk}/").json()
        en = self.client.get(
            f"{ARTICLES}{self.article.pk}/", HTTP_ACCEPT_LANGUAGE="en"
        ).json()
        self.assertEqual(en, zh)

    def test_the_public_pages_still_do_not_negotiate(self):
        page = self.client.get(
            self.article.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en"
        )
        self.assertEqual(page.status_code, 200)
        self.assertEqual(page["Content-Language"], "zh-hans")
        self.assertNotIn("Accept-Language", page.get("Vary", ""))

    def test_a_query_lang_is_not_a_data_endpoint_parameter(self):
        # Only the schema and its docs take ?lang=; on data endpoints it is an
        # unknown parameter (400), answered in the header's language.
        response = self.client.get(f"{ARTICLES}?lang=en", HTTP_ACCEPT_LANGUAGE="en")
        self.assertEqual(response.status_code, 400)
        self.assertTrue(response.json()["lang"][0].startswith("Unknown query"))


class ETagLanguageTests(LanguageTestCase):
    def assertNoCrossing(self, url: str):
        zh = self.client.get(url)
        en = self.client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        self.assertEqual((zh.status_code, en.status_code), (200, 200))
        self.assertNotEqual(zh["ETag"], en["ETag"])
        # Each language's tag is confirmed in its own language only.
        crossed = self.client.get(
            url, HTTP_ACCEPT_LANGUAGE="en", HTTP_IF_NONE_MATCH=zh["ETag"]
        )
        self.assertEqual(crossed.status_code, 200)
        self.assertEqual(crossed.content, en.content)
        crossed = self.client.get(url, HTTP_IF_NONE_MATCH=en["ETag"])
        self.assertEqual(crossed.status_code, 200)
        self.assertEqual(crossed.content, zh.content)
        same = self.client.get(
            url, HTTP_ACCEPT_LANGUAGE="en", HTTP_IF_NONE_MATCH=en["ETag"]
        )
        self.assertEqual(same.status_code, 304)
        self.assertEqual(
            self.client.get(url, HTTP_IF_NONE_MATCH=zh["ETag"]).status_code, 304
        )
        return zh, en

    def test_a_draft_whose_findings_are_translated(self):
        self.auth(token_for(self.editor))
        zh, en = self.assertNoCrossing(f"{DRAFTS}{self.draft.pk}/")
        self.assertNotEqual(zh.content, en.content)

    def test_a_row_tag_and_a_body_hash(self):
        self.assertNoCrossing(f"{ARTICLES}{self.article.pk}/")
        self.assertNoCrossing("/api/v1/tags/")

    def test_either_languages_tag_is_a_valid_if_match(self):
        self.auth(token_for(self.editor))
        url = f"{DRAFTS}{self.draft.pk}/"
        en = self.client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        written = self.client.patch(
            url,
            {"title": "改一"},
            format="json",
            HTTP_IF_MATCH=en["ETag"],
            HTTP_ACCEPT_LANGUAGE="en",
        )
        self.assertEqual(written.status_code, 200, written.content)
        # The write's tag is the language's too, and the Chinese one of the
        # same version is as good.
        self.assertEqual(
            written["ETag"], self.client.get(url, HTTP_ACCEPT_LANGUAGE="en")["ETag"]
        )
        zh = self.client.get(url)
        written = self.client.patch(
            url,
            {"title": "改二"},
            format="json",
            HTTP_IF_MATCH=zh["ETag"],
            HTTP_ACCEPT_LANGUAGE="en",
        )
        self.assertEqual(written.status_code, 200, written.content)
        stale = self.client.patch(
            url, {"title": "改三"}, format="json", HTTP_IF_MATCH=en["ETag"]
        )
        self.assertEqual(stale.status_code, 412)
        self.draft.refresh_from_db()


class NoLeakTests(LanguageTestCase):
    def test_english_ends_with_its_request(self):
        response = self.client.get(f"{ARTICLES}999999/", HTTP_ACCEPT_LANGUAGE="en")
        self.assertEqual(response.json(), {"detail": "Not found."})
        # Translation is deactivated when the request ends: nothing run after it
        # in this thread (the next request's middlewares before the locale one)
        # speaks English.
        self.assertEqual(translation.get_language(), settings.LANGUAGE_CODE)
        response = self.client.get(f"{ARTICLES}999999/")
        self.assertEqual(response.json(), {"detail": "未找到。"})
        response = self.client.post(DRAFTS, {}, format="json")
        self.assertEqual(response.json(), {"detail": "身份认证信息未提供。"})


class BrowsableApiLanguageTests(LanguageTestCase):
    def test_the_browsable_api_names_its_page_in_the_language(self):
        for header, title in [
            ("", "<h1>标签列表</h1>"),
            ("fr", "<h1>标签列表</h1>"),
            ("en", "<h1>Tag list</h1>"),
        ]:
            with self.subTest(header):
                page = self.client.get(
                    "/api/v1/tags/",
                    HTTP_ACCEPT="text/html",
                    HTTP_ACCEPT_LANGUAGE=header,
                )
                self.assertContains(page, title)
        page = self.client.get(
            f"/api/v1/tags/{TagFactory().pk}/",
            HTTP_ACCEPT="text/html",
            HTTP_ACCEPT_LANGUAGE="en",
        )
        self.assertContains(page, "<h1>Tag detail</h1>")
