"""An answer of the API repeats at most 20 characters of a value the client sent
and "…" (``yantai.text.echoed``), whatever its length: a query parameter's value, a
field of a request body, the name of an unknown field. A 5,000-character value
otherwise went whole into the JSON answer (and into every log that keeps it)."""

from django.conf import settings
from django.test import override_settings

from news.models import AuditLog
from quality.models import Standard
from tests.api import ApiTestCase, token_for, user_with_perms
from tests.api.test_hardening import endpoint_params, list_endpoints
from tests.factories import UserFactory

LONG = "x" * 5000
SHOWN = "x" * 20 + "…"
# A value that is all digits: an id, or a code a field reads as a number.
DIGITS = "9" * 5000
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
