"""Every error of the API is a JSON body with a Chinese message, whatever went
wrong: an id that does not exist, a body the parser cannot read, a body too big."""

import json
import re

import django_filters
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.test import override_settings
from rest_framework import permissions, viewsets
from rest_framework.test import APIClient, APIRequestFactory

from api.views import ApiViewMixin
from news.models import Tag
from news.serializers import TagSerializer
from tests.api import ApiTestCase, token_for, user_with_perms
from tests.factories import ArticleFactory
from tests.quality.factories import ObservationFactory

CHINESE = re.compile(r"[\u4e00-\u9fff]")


class NotFoundTests(ApiTestCase):
    """A detail URL of an id that does not exist: 404 with a Chinese ``detail``
    (Django's "No Observation matches the given query." reached the client)."""

    def test_every_detail_404_is_in_chinese(self):
        ArticleFactory()
        ObservationFactory()
        self.auth(token_for(user_with_perms("editor", "news.view_article")))
        for path in (
            "/api/v1/articles/999/",
            "/api/v1/observations/999/",
            "/api/v1/drafts/999/",
            "/api/v1/standards/999/",
            "/api/v1/regions/999/",
        ):
            with self.subTest(path):
                response = self.client.get(path)
                self.assertEqual(response.status_code, 404)
                detail = response.json()["detail"]
                self.assertRegex(detail, CHINESE)
                self.assertNotIn("matches the given query", detail)


class UnreadableBodyTests(ApiTestCase):
    """A body that is not a JSON object: 400, ``detail`` in Chinese (DRF answered
    "JSON parse error - Expecting property name …" and, for ``null``, "No data
    provided")."""

    def setUp(self):
        super().setUp()
        self.auth(token_for(user_with_perms("staff", "quality.add_observation")))

    def post(self, body: str):
        return self.client.generic(
            "POST", "/api/v1/observations/", body, content_type="application/json"
        )

    def test_malformed_json_names_the_place_in_chinese(self):
        response = self.post('{"value": 1,\n "raw_text" 2}')
        self.assertEqual(response.status_code, 400)
        detail = response.json()["detail"]
        self.assertRegex(detail, CHINESE)
        self.assertIn("第 2 行", detail)
        self.assertNotIn("parse error", detail)

    def test_non_standard_numbers_are_refused_in_chinese(self):
        for body in ('{"value": NaN}', '{"value": Infinity}'):
            with self.subTest(body):
                response = self.post(body)
                self.assertEqual(response.status_code, 400)
                self.assertRegex(response.json()["detail"], CHINESE)

    def test_a_body_that_is_not_an_object_is_one_chinese_message(self):
        for body in ("null", "[1, 2]", "3", '"text"', "true"):
            with self.subTest(body):
                response = self.post(body)
                self.assertEqual(response.status_code, 400)
                detail = response.json()["detail"]
                self.assertIn("JSON 对象", detail)


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000, DATA_UPLOAD_MAX_NUMBER_FIELDS=10)
class OversizedBodyTests(ApiTestCase):
    """A body past Django's limits: a JSON error in Chinese (it was Django's HTML
    400 page), 413 for too many bytes."""

    def setUp(self):
        super().setUp()
        self.auth(token_for(user_with_perms("staff", "quality.add_observation")))

    def test_too_many_bytes_is_a_json_413(self):
        body = json.dumps({"raw_text": "x" * 2000})
        response = self.client.generic(
            "POST", "/api/v1/observations/", body, content_type="application/json"
        )
        self.assertEqual(response.status_code, 413)
        self.assertEqual(response["Content-Type"], "application/json")
        self.assertRegex(response.json()["detail"], CHINESE)

    def test_too_many_form_fields_is_a_json_400(self):
        body = "&".join(f"f{i}=1" for i in range(20))
        response = self.client.generic(
            "POST",
            "/api/v1/observations/",
            body,
            content_type="application/x-www-form-urlencoded",
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response["Content-Type"], "application/json")
        self.assertRegex(response.json()["detail"], CHINESE)


class CsrfTests(ApiTestCase):
    """A signed-in browser's write without a CSRF token: 403 in Chinese (DRF
    answered "CSRF Failed: CSRF cookie not set.")."""

    def test_missing_csrf_token_is_refused_in_chinese(self):
        client = APIClient(enforce_csrf_checks=True)
        client.force_login(user_with_perms("staff", "quality.add_observation"))
        response = client.post("/api/v1/observations/", {}, format="json")
        self.assertEqual(response.status_code, 403)
        detail = response.json()["detail"]
        self.assertRegex(detail, CHINESE)
        self.assertIn("CSRF", detail)
        self.assertNotIn("Failed", detail)


class RejectingTagFilter(django_filters.FilterSet):
    """A filter whose method refuses its value with Django's ValidationError, as a
    lookup on a typed column or a model's own parsing does."""

    code = django_filters.CharFilter(method="filter_code")

    class Meta:
        model = Tag
        fields: list[str] = []

    def filter_code(self, queryset, name, value):
        raise DjangoValidationError(
            "编号“%(code)s”格式不对。", code="bad_code", params={"code": value}
        )


class CleaningTagViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Lists tags through ``RejectingTagFilter``; ``create`` runs a model's
    ``full_clean`` (or raises a non-field error) outside any serializer."""

    queryset = Tag.objects.all()
    serializer_class = TagSerializer
    filterset_class = RejectingTagFilter
    permission_classes = [permissions.AllowAny]

    def create(self, request):
        if request.data.get("whole"):
            raise DjangoValidationError(
                {NON_FIELD_ERRORS: ["同名标签已存在。"], "name": ["名称太长。"]}
            )
        with transaction.atomic():
            Tag.objects.create(name="先写入的标签", slug="first")
            Tag(name="", slug="not a slug").full_clean()


class DjangoValidationErrorTests(ApiTestCase):
    """A Django ValidationError met during a request is a 400 in DRF's shape with
    its Chinese message: the filter backend turned a filter's into a bare JSON list
    (``["…"]``), and one raised anywhere else was a 500."""

    factory = APIRequestFactory()

    def call(self, request, action):
        return CleaningTagViewSet.as_view({request.method.lower(): action})(request)

    def test_a_filter_refusing_its_value_is_a_400_in_drf_shape(self):
        response = self.call(self.factory.get("/tags/", {"code": "A-1"}), "list")
        response.render()
        self.assertEqual(response.status_code, 400)
        # Keyed by the query parameter, as a value its filter's form refuses.
        self.assertEqual(
            json.loads(response.content), {"code": ["code: 编号“A-1”格式不对。"]}
        )

    def test_a_model_clean_is_a_400_naming_each_field_and_writes_nothing(self):
        response = self.call(self.factory.post("/tags/", {}, format="json"), "create")
        response.render()
        self.assertEqual(response.status_code, 400)
        body = json.loads(response.content)
        self.assertEqual(set(body), {"name", "slug"})
        self.assertEqual(body["name"], ["此字段不能为空。"])
        self.assertRegex(body["slug"][0], CHINESE)
        self.assertFalse(Tag.objects.exists())

    def test_a_non_field_error_is_non_field_errors(self):
        request = self.factory.post("/tags/", {"whole": True}, format="json")
        response = self.call(request, "create")
        response.render()
        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            json.loads(response.content),
            {"non_field_errors": ["同名标签已存在。"], "name": ["名称太长。"]},
        )
