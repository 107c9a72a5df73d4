"""An answer of the API repeats at most 20 characters of a value the client sent
and "…" (``yantai.text.echoed``), whatever its length: a query parameter's value, a
field of a request body, the name of an unknown field. A 5,000-character value
otherwise went whole into the JSON answer (and into every log that keeps it)."""

from django.conf import settings
from django.test import override_settings

from news.models import Article, AuditLog
from news.serializers import DraftSerializer
from quality.models import Award, Observation, Scheme, Standard
from quality.serializers import (
    HonourWriteSerializer,
    ObservationWriteSerializer,
    StandardWriteSerializer,
)
from tests.api import ApiTestCase, token_for, user_with_perms
from tests.api.test_hardening import endpoint_params, list_endpoints
from tests.factories import ChannelFactory, UserFactory
from tests.quality.factories import (
    IndicatorFactory,
    OrganisationFactory,
    RegionFactory,
    SchemeFactory,
)
from yantai.text import echoed

LONG = "x" * 5000
SHOWN = "x" * 20 + "…"
# A value that is all digits: an id, or a code a field reads as a number (one of
# over 4,300 digits is no number to Python's int, refused without repeating it).
DIGITS = "9" * 300
SHOWN_DIGITS = "9" * 20 + "…"
NO_THROTTLE = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {}}


def echoes_more(response, value: str) -> bool:
    """Whether ``response`` repeats more than 20 characters of ``value``."""
    return value[:21] in response.content.decode()


@override_settings(REST_FRAMEWORK=NO_THROTTLE)
class OrderingTests(ApiTestCase):
    """``?ordering=`` names the field it cannot sort by: its start only."""

    def test_an_unknown_ordering_is_repeated_by_its_start(self):
        for language, message in (
            ("zh-hans", f"不能按“{SHOWN}”排序。可用：id、name。"),
            ("en", f"Cannot sort by “{SHOWN}”. Available: id, name."),
        ):
            with self.subTest(language):
                response = self.client.get(
                    "/api/v1/tags/",
                    {"ordering": LONG},
                    HTTP_ACCEPT_LANGUAGE=language,
                )
                self.assertEqual(response.status_code, 400)
                self.assertEqual(response.json(), {"ordering": [message]})


class UnknownFieldTests(ApiTestCase):
    """A body's unknown field is named by its start, as an unknown query parameter
    is (``api.filters.StrictFilterBackend``)."""

    @classmethod
    def setUpTestData(cls):
        cls.staff = user_with_perms(
            "staff", "quality.add_standard", "quality.view_standard"
        )

    def test_an_unknown_field_is_named_by_its_start(self):
        self.auth(token_for(self.staff))
        body = {
            "code": "GB/T 19001-2016",
            "title": "质量管理体系 要求",
            "kind": "national",
            LONG: "1",
        }
        for language, message in (
            ("zh-hans", "未知字段；可写字段："),
            ("en", "Unknown field; writable fields: "),
        ):
            with self.subTest(language):
                response = self.client.post(
                    "/api/v1/standards/",
                    body,
                    format="json",
                    HTTP_ACCEPT_LANGUAGE=language,
                )
                self.assertEqual(response.status_code, 400)
                self.assertEqual(list(response.json()), [SHOWN])
                self.assertTrue(response.json()[SHOWN][0].startswith(message))
        self.assertFalse(Standard.objects.exists())
        self.assertFalse(AuditLog.objects.exists())


@override_settings(REST_FRAMEWORK=NO_THROTTLE)
class FilterTests(ApiTestCase):
    """Django's own messages of a FilterSet's fields ("Select a valid choice. %(value)s
    is not one of the available choices.") repeat the value's start."""

    def test_no_parameter_of_any_list_repeats_more_than_20_characters(self):
        admin = UserFactory(username="admin", is_superuser=True, is_staff=True)
        self.auth(token_for(admin))  # the drafts too
        for url, viewset in list_endpoints():
            for param in endpoint_params(viewset):
                for value in (LONG, DIGITS):
                    with self.subTest(url=url, param=param, value=value[0]):
                        response = self.client.get(url, {param: value})
                        self.assertEqual(response.status_code, 400)
                        self.assertFalse(
                            echoes_more(response, value), response.content[:200]
                        )

    def test_a_choice_filter_repeats_the_start_of_the_value(self):
        for language, message in (
            ("zh-hans", f"status: 选择一个有效的选项。 {SHOWN} 不在可用的选项中。"),
            (
                "en",
                f"status: Select a valid choice. {SHOWN} is not one of the "
                "available choices.",
            ),
        ):
            with self.subTest(language):
                response = self.client.get(
                    "/api/v1/observations/",
                    {"status": LONG},
                    HTTP_ACCEPT_LANGUAGE=language,
                )
                self.assertEqual(response.status_code, 400)
                self.assertEqual(response.json(), {"status": [message]})


class WriteTests(ApiTestCase):
    """DRF's own messages of a write's fields repeat the start of the value: a
    choice ('“{input}” 不是合法选项。'), a record named by its code ('属性 slug 为
    {value} 的对象不存在。') or by its id ('无效主键 “{pk_value}” － 对象不存在。'); and
    nothing is written."""

    @classmethod
    def setUpTestData(cls):
        cls.admin = UserFactory(username="admin", is_superuser=True, is_staff=True)
        cls.channel = ChannelFactory(name="质量强市")
        IndicatorFactory(code="standards_national")
        RegionFactory()
        cls.scheme = SchemeFactory(name="山东名牌产品", kind=Scheme.Kind.HONOUR)
        cls.organisation = OrganisationFactory(name="烟台张裕葡萄酿酒股份有限公司")

    def setUp(self):
        super().setUp()
        self.auth(token_for(self.admin))

    def writes(self):
        """(URL, serializer, a valid body, the model written) of each write."""
        return [
            (
                "/api/v1/drafts/",
                DraftSerializer,
                {"title": "新稿", "channel": self.channel.slug},
                Article,
            ),
            (
                "/api/v1/observations/",
                ObservationWriteSerializer,
                {
                    "indicator": "standards_national",
                    "region": "370600",
                    "period": "@2020-12-31",
                    "value": "604",
                    "raw_text": "604项",
                    "source_publisher": "烟台市市场监督管理局",
                    "source_title": "烟台市质量发展统计",
                },
                Observation,
            ),
            (
                "/api/v1/honours/",
                HonourWriteSerializer,
                {"scheme": self.scheme.pk, "organisation": self.organisation.pk},
                Award,
            ),
            (
                "/api/v1/standards/",
                StandardWriteSerializer,
                {
                    "code": "GB/T 19001-2016",
                    "title": "质量管理体系",
                    "kind": "national",
                },
                Standard,
            ),
        ]

    def post(self, url: str, body: dict, language: str = "zh-hans"):
        return self.client.post(url, body, format="json", HTTP_ACCEPT_LANGUAGE=language)

    def assert_refused(self, url, body, field, messages, model) -> None:
        """A 400 with ``messages`` (Chinese, English) for ``field``; nothing
        written."""
        rows = model.objects.count()
        for language, message in zip(("zh-hans", "en"), messages, strict=True):
            with self.subTest(field=field, language=language):
                response = self.post(url, body, language)
                self.assertEqual(response.status_code, 400, response.content[:200])
                self.assertEqual(response.json(), {field: [message]})
        self.assertEqual(model.objects.count(), rows)
        self.assertFalse(AuditLog.objects.exists())

    def test_no_field_of_any_write_repeats_more_than_20_characters(self):
        for url, serializer, body, model in self.writes():
            fields = [n for n, f in serializer().fields.items() if not f.read_only]
            for name in fields:
                for value in (LONG, DIGITS, [LONG], [DIGITS]):
                    with self.subTest(url=url, field=name, value=str(value)[:3]):
                        rows = model.objects.count()
                        response = self.post(url, {**body, name: value})
                        self.assertIn(response.status_code, (201, 400))
                        if response.status_code == 400:
                            self.assertEqual(model.objects.count(), rows)
                            self.assertFalse(
                                echoes_more(response, DIGITS)
                                or echoes_more(response, LONG),
                                response.content[:200],
                            )

    def test_a_choice_repeats_the_start_of_the_value(self):
        url, _serializer, body, model = self.writes()[1]
        self.assert_refused(
            url,
            {**body, "status": LONG},
            "status",
            (f"“{SHOWN}” 不是合法选项。", f'"{SHOWN}" is not a valid choice.'),
            model,
        )

    def test_a_code_repeats_the_start_of_the_value(self):
        url, _serializer, body, model = self.writes()[0]
        messages = (
            f"属性 slug 为 {SHOWN} 的对象不存在。",
            f"Object with slug={SHOWN} does not exist.",
        )
        # Over 200 characters the field refuses the value itself; under, DRF
        # looks it up.
        for value in (LONG, "x" * 150):
            self.assert_refused(
                url, {**body, "channel": value}, "channel", messages, model
            )
            self.assert_refused(url, {**body, "tags": [value]}, "tags", messages, model)
        url, _serializer, body, model = self.writes()[3]
        self.assert_refused(
            url,
            {**body, "replaced_by": "x" * 150},
            "replaced_by",
            (
                f"标准编号为“{SHOWN}”的标准不存在。",
                f"There is no standard with the code “{SHOWN}”.",
            ),
            model,
        )

    def test_an_id_repeats_the_start_of_the_value(self):
        url, _serializer, body, model = self.writes()[1]
        self.assert_refused(
            url,
            {**body, "article": DIGITS},
            "article",
            (
                f"无效主键 “{SHOWN_DIGITS}” － 对象不存在。",
                f'Invalid pk "{SHOWN_DIGITS}" - object does not exist.',
            ),
            model,
        )
        url, _serializer, body, model = self.writes()[2]
        # A JSON number as the id it reads as (1e300 is a whole number).
        for value, shown in ((DIGITS, SHOWN_DIGITS), (1e300, echoed(int(1e300)))):
            self.assert_refused(
                url,
                {**body, "scheme": value},
                "scheme",
                (
                    f"编号为 {shown} 的项目不存在。",
                    f"There is no scheme with id {shown}.",
                ),
                model,
            )


class RequestTests(ApiTestCase):
    """DRF's 415 repeats the start of the Content-Type, its 405 of the method."""

    @classmethod
    def setUpTestData(cls):
        cls.admin = UserFactory(username="admin", is_superuser=True, is_staff=True)
        cls.channel = ChannelFactory(name="质量强市")

    def test_an_unsupported_content_type_is_repeated_by_its_start(self):
        self.auth(token_for(self.admin))
        content_type = "application/" + LONG
        shown = echoed(content_type)
        for language, message in (
            ("zh-hans", f"不支持请求中的媒体类型 “{shown}”。"),
            ("en", f'Unsupported media type "{shown}" in request.'),
        ):
            with self.subTest(language):
                response = self.client.generic(
                    "POST",
                    "/api/v1/drafts/",
                    '{"title": "新稿", "channel": "质量强市"}',
                    content_type=content_type,
                    HTTP_ACCEPT_LANGUAGE=language,
                )
                self.assertEqual(response.status_code, 415)
                self.assertEqual(response.json(), {"detail": message})
        self.assertFalse(Article.objects.exists())

    def test_an_unknown_method_is_repeated_by_its_start(self):
        method = "X" * 5000
        shown = "X" * 20 + "…"
        # A viewset (api.views.ApiViewMixin) and the API root (DRF's own check,
        # after the permissions: a client with a token).
        self.auth(token_for(self.admin))
        for url in ("/api/v1/tags/", "/api/v1/"):
            for language, message in (
                ("zh-hans", f"方法 “{shown}” 不被允许。"),
                ("en", f'Method "{shown}" not allowed.'),
            ):
                with self.subTest(url=url, language=language):
                    response = self.client.generic(
                        method, url, HTTP_ACCEPT_LANGUAGE=language
                    )
                    self.assertEqual(response.status_code, 405)
                    self.assertEqual(response.json(), {"detail": message})
