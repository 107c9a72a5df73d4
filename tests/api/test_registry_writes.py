"""Writes to the registries: honours and standards added with API tokens."""

from datetime import date

from news.models import AuditLog
from quality.models import Award, Scheme, Standard
from tests.api import ApiTestCase, token_for, user_with_perms
from tests.factories import UserFactory
from tests.quality.factories import (
    AwardFactory,
    OrganisationFactory,
    SchemeFactory,
    StandardFactory,
)


class RegistryWriteChecks:
    """Checks shared by both endpoints, mixed into an ``ApiTestCase``; ``url``,
    ``model``, ``perm``, ``required``, ``second_row`` and ``payload()`` come from the
    test class."""

    url = ""
    model = None
    perm = ""

    @classmethod
    def setUpTestData(cls):
        app_label, codename = cls.perm.split(".")
        view = f"{app_label}.{codename.replace('add_', 'view_')}"
        cls.staff = user_with_perms("staff", cls.perm, view)
        cls.reader = user_with_perms("reader", view)
        cls.admin = UserFactory(username="admin", is_superuser=True, is_staff=True)

    def payload(self, **changes) -> dict:
        raise NotImplementedError

    def post(self, data: dict | None = None, **changes):
        body = self.payload(**changes) if data is None else data
        return self.client.post(self.url, body, format="json")

    def assert_rejected(self, response, field: str, message: str) -> None:
        """A 400 naming ``field`` with ``message`` in its errors."""
        self.assertEqual(response.status_code, 400, response.content)
        errors = response.json()
        self.assertIn(field, errors)
        self.assertIn(message, " ".join(errors[field]))

    def assert_nothing_written(self, rows_before: int) -> None:
        self.assertEqual(self.model.objects.count(), rows_before)
        self.assertFalse(AuditLog.objects.exists())

    def test_permissions(self):
        """Anonymous → 401, a token without the add permission → 403 (nothing
        written); a token with it or a superuser's → 201."""
        rows = self.model.objects.count()
        self.assertEqual(self.post().status_code, 401)
        self.auth(token_for(self.reader))
        response = self.post()
        self.assertEqual(response.status_code, 403)
        self.assertEqual(
            response.json()["detail"], "您没有执行该操作的权限。", response.content
        )
        self.assert_nothing_written(rows)
        self.auth(token_for(self.staff))
        self.assertEqual(self.post().status_code, 201)
        self.auth(token_for(self.admin))
        self.assertEqual(self.post(**self.second_row).status_code, 201)
        self.assertEqual(self.model.objects.count(), rows + 2)

    def test_reads_stay_public(self):
        """Adding writes did not close the list to anonymous readers."""
        self.assertEqual(self.client.get(self.url).status_code, 200)

    def test_unknown_field_is_400(self):
        """A misspelt field is named in the error, not silently dropped."""
        self.auth(token_for(self.staff))
        rows = self.model.objects.count()
        response = self.post(**{"colour": "红"})
        self.assert_rejected(response, "colour", "未知字段")
        self.assert_nothing_written(rows)

    def test_missing_required_field_is_400(self):
        self.auth(token_for(self.staff))
        rows = self.model.objects.count()
        for field in self.required:
            with self.subTest(field):
                data = self.payload()
                del data[field]
                self.assert_rejected(self.post(data), field, "该字段是必填项。")
        self.assert_nothing_written(rows)


class HonourWriteTests(RegistryWriteChecks, ApiTestCase):
    """POST /api/v1/honours/ adds an honour through ``award_create``."""

    url = "/api/v1/honours/"
    model = Award
    perm = "quality.add_award"
    required = ("scheme", "organisation")
    second_row = {"subject": "苹果"}

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.scheme = SchemeFactory(name="山东名牌产品", level="provincial")
        cls.certification = SchemeFactory(
            name="ISO 9001", kind=Scheme.Kind.CERTIFICATION, level="national"
        )
        cls.organisation = OrganisationFactory(name="烟台张裕葡萄酿酒股份有限公司")

    def payload(self, **changes) -> dict:
        data = {
            "scheme": self.scheme.pk,
            "organisation": self.organisation.pk,
            "subject": "葡萄酒",
            "number": "",
            "year": 2020,
            "issued_on": "2020-12-20",
            "valid_from": "2021-01-01",
            "valid_to": "2023-12-31",
        }
        data.update(changes)
        return data

    def test_staff_adds_honour_audited(self):
        """One honour and one audit row; the answer is the honour as read back."""
        self.auth(token_for(self.staff))
        response = self.post()
        self.assertEqual(response.status_code, 201, response.content)
        award = Award.objects.get()
        body = response.json()
        self.assertEqual(body["id"], award.pk)
        self.assertEqual(body["scheme"]["name"], "山东名牌产品")
        self.assertEqual(body["organisation"], "烟台张裕葡萄酿酒股份有限公司")
        # Recorded 有效; read today, after its 有效期止 (2023-12-31), it is 过期.
        self.assertEqual(award.status, Award.Status.ACTIVE)
        self.assertEqual(body["status"], Award.Status.EXPIRED)
        self.assertEqual(
            (award.valid_from, award.valid_to), (date(2021, 1, 1), date(2023, 12, 31))
        )
        log = AuditLog.objects.get()
        self.assertEqual(
            (log.user, log.action, log.object_id),
            (self.staff, AuditLog.Action.CREATE, str(award.pk)),
        )
        self.assertEqual(self.client.get(f"{self.url}{award.pk}/").status_code, 200)

    def test_added_in_english_is_audited_in_chinese(self):
        """The 操作日志 entry of an English client's write is Chinese
        (``yantai.text.stored_language``); the answer's words are English."""
        self.auth(token_for(self.staff))
        response = self.client.post(
            self.url, self.payload(), format="json", HTTP_ACCEPT_LANGUAGE="en"
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response["Content-Language"], "en")
        log = AuditLog.objects.get()
        self.assertEqual((log.object_type, log.summary), ("证书/荣誉", "通过接口新增"))

    def test_certification_scheme_is_400(self):
        """The honours endpoint files honours only, never certificates."""
        self.auth(token_for(self.staff))
        response = self.post(scheme=self.certification.pk)
        self.assert_rejected(
            response,
            "scheme",
            "项目“ISO 9001”属于“认证”类，这里只能选择“荣誉”类项目。",
        )
        self.assert_nothing_written(0)

    def test_bad_input_is_400_and_nothing_written(self):
        AwardFactory(scheme=self.scheme, organisation=self.organisation, number="001")
        self.auth(token_for(self.staff))
        for changes, field, message in (
            (
                {"valid_from": "2024-01-01", "valid_to": "2023-12-31"},
                "non_field_errors",
                "有效期起不能晚于有效期止。",
            ),
            ({"organisation": 999999}, "organisation", "编号为 999999 的单位不存在。"),
            ({"scheme": 999999}, "scheme", "编号为 999999 的项目不存在。"),
            ({"number": "001"}, "non_field_errors", "这个项目下已有相同编号的证书。"),
            ({"year": 99999}, "year", "32767"),
            ({"valid_to": "2023-02-30"}, "valid_to", "日期格式错误"),
            ({"status": "gold"}, "status", "不是合法选项"),
        ):
            with self.subTest(changes):
                self.assert_rejected(self.post(**changes), field, message)
        self.assertEqual(Award.objects.count(), 1)
        self.assertFalse(AuditLog.objects.exists())

    def test_an_id_with_a_fraction_is_400_not_truncated(self):
        """``"scheme": 1.5`` was the scheme of id 1 (the database's int()): an id
        that is not a whole number is refused, naming the field; 1.0 is 1."""
        self.auth(token_for(self.staff))
        for field in ("scheme", "organisation"):
            with self.subTest(field):
                pk = getattr(self, field).pk
                self.assert_rejected(self.post(**{field: pk + 0.5}), field, "主键")
        self.assert_nothing_written(0)
        self.assertEqual(self.post(scheme=float(self.scheme.pk)).status_code, 201)


class StandardWriteTests(RegistryWriteChecks, ApiTestCase):
    """POST /api/v1/standards/ adds a standard through ``standard_create``."""

    url = "/api/v1/standards/"
    model = Standard
    perm = "quality.add_standard"
    required = ("code", "title", "kind")
    second_row = {"code": "DB37/T 1234-2020", "kind": Standard.Kind.LOCAL}

    def payload(self, **changes) -> dict:
        data = {
            "code": "GB/T 19001-2016",
            "title": "质量管理体系 要求",
            "kind": Standard.Kind.NATIONAL,
            "issued_on": "2016-12-30",
            "effective_on": "2017-07-01",
        }
        data.update(changes)
        return data

    def test_staff_adds_standard_audited(self):
        """One standard and one audit row; ``replaced_by`` is given by its code."""
        newer = StandardFactory(code="GB/T 19001-2023")
        self.auth(token_for(self.staff))
        response = self.post(replaced_by="GB/T 19001-2023", status="withdrawn")
        self.assertEqual(response.status_code, 201, response.content)
        standard = Standard.objects.get(code="GB/T 19001-2016")
        body = response.json()
        self.assertEqual(body["id"], standard.pk)
        self.assertEqual(body["replaced_by"], "GB/T 19001-2023")
        self.assertEqual(body["status"], "withdrawn")
        self.assertEqual(standard.replaced_by, newer)
        log = AuditLog.objects.get()
        self.assertEqual(
            (log.user, log.action, log.object_id),
            (self.staff, AuditLog.Action.CREATE, str(standard.pk)),
        )

    def test_replaced_by_written_with_a_printed_dash_is_the_standard(self):
        """``replaced_by`` is looked up as a code is saved: GB/T 19001—2023 (一字线)
        or with a non-breaking hyphen names the registered GB/T 19001-2023."""
        newer = StandardFactory(code="GB/T 19001-2023")
        self.auth(token_for(self.staff))
        for number, dash in enumerate(("—", "‑")):
            with self.subTest(dash=dash):
                response = self.post(
                    code=f"GB/T 1900{number}-2016", replaced_by=f"GB/T 19001{dash}2023"
                )
                self.assertEqual(response.status_code, 201, response.content)
                self.assertEqual(response.json()["replaced_by"], "GB/T 19001-2023")
                standard = Standard.objects.get(code=f"GB/T 1900{number}-2016")
                self.assertEqual(standard.replaced_by, newer)

    def test_bad_input_is_400_and_nothing_written(self):
        StandardFactory(code="GB/T 30000-2020")
        self.auth(token_for(self.staff))
        for changes, field, message in (
            ({"code": "GB 12"}, "code", "标准编号“GB 12”与所选类型不符"),
            (
                {"code": "DB37/T 1234-2020"},
                "code",
                "标准编号“DB37/T 1234-2020”与所选类型不符，应形如 GB 2760-2014",
            ),
            (
                {"kind": Standard.Kind.LOCAL},
                "code",
                "应形如 DB37/T 1234-2020、DB3706/T 12-2021",
            ),
            (
                {"issued_on": "2017-07-02", "effective_on": "2017-07-01"},
                "non_field_errors",
                "发布日期不能晚于实施日期。",
            ),
            ({"code": "GB/T 30000-2020"}, "code", "已存在"),
            # The same code with a dash of print or full-width digits: the same
            # standard, not a second one.
            ({"code": "GB/T 30000—2020"}, "code", "已存在"),
            ({"code": "GB/T 30000‑2020"}, "code", "已存在"),
            ({"code": "GB/T ３００００-２０２０"}, "code", "与所选类型不符"),
            (
                {"replaced_by": "GB/T 99999-2099"},
                "replaced_by",
                "标准编号为“GB/T 99999-2099”的标准不存在。",
            ),
            # Full-width digits are refused when saving, so no standard has them:
            # not found, named as the client wrote it.
            (
                {"replaced_by": "GB/T ３００００-２０２０"},
                "replaced_by",
                "标准编号为“GB/T ３００００-２０２０”的标准不存在。",
            ),
            ({"kind": "military"}, "kind", "不是合法选项"),
            ({"title": ""}, "title", "该字段不能为空。"),
        ):
            with self.subTest(changes):
                self.assert_rejected(self.post(**changes), field, message)
        self.assertEqual(Standard.objects.count(), 1)
        self.assertFalse(AuditLog.objects.exists())

    def test_schema_documents_the_writes(self):
        """The create operations take the write bodies and answer 201 with the read
        serializer; anonymous reads stay documented as allowed."""
        schema = self.client.get("/api/schema/", {"format": "json"}).json()
        for path, request, answer in (
            ("/api/v1/honours/", "HonourWriteRequest", "Honour"),
            ("/api/v1/standards/", "StandardWriteRequest", "Standard"),
        ):
            with self.subTest(path):
                post = schema["paths"][path]["post"]
                body = post["requestBody"]["content"]["application/json"]["schema"]
                self.assertEqual(body["$ref"], f"#/components/schemas/{request}")
                created = post["responses"]["201"]["content"]["application/json"]
                self.assertEqual(
                    created["schema"]["$ref"], f"#/components/schemas/{answer}"
                )
                self.assertNotIn({}, post["security"])
                self.assertIn({}, schema["paths"][path]["get"]["security"])
