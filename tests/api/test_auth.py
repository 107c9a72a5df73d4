"""API tokens, refused authentication schemes, and writes under the admin's rules."""

from unittest import mock

from django.contrib.auth.hashers import MD5PasswordHasher
from django.contrib.auth.models import Permission
from django.test import TestCase
from django.utils import timezone

from api.models import ApiToken, token_hash
from api.services import api_token_create
from news.models import Article, AuditLog
from tests.api import ApiTestCase, token_for, user_with_perms
from tests.factories import (
    ArticleFactory,
    ChannelFactory,
    TagFactory,
    UserFactory,
    staff_in_group,
)

DRAFTS = "/api/v1/drafts/"
EDITOR_PERMS = (
    "news.view_article",
    "news.add_article",
    "news.change_article",
    "news.submit_article",
)


class ApiTokenModelTests(TestCase):
    """Tokens are stored as prefix + SHA-256; the secret exists only once."""

    def test_secret_is_not_stored(self):
        user = UserFactory()
        token, secret = api_token_create(user=user, name="统计局同步")
        token.refresh_from_db()
        self.assertTrue(secret.startswith(token.prefix + "."))
        self.assertEqual(token.key_hash, token_hash(secret))
        stored = [str(v) for v in ApiToken.objects.values_list().get()]
        self.assertFalse(any(secret in v for v in stored))
        self.assertGreaterEqual(len(secret), 40)

    def test_active_agrees_with_is_active(self):
        user = UserFactory()
        live, _ = api_token_create(user=user, name="a")
        revoked, _ = api_token_create(user=user, name="b")
        revoked.is_revoked = True
        revoked.save()
        inactive_owner = UserFactory(is_active=False)
        dead, _ = api_token_create(user=inactive_owner, name="c")
        active_ids = set(ApiToken.objects.active().values_list("pk", flat=True))
        self.assertEqual(
            active_ids, {t.pk for t in ApiToken.objects.all() if t.is_active}
        )
        self.assertEqual(active_ids, {live.pk})


class ApiTokenAdminTests(TestCase):
    """Tokens are created and revoked in the admin; the secret is shown once."""

    @classmethod
    def setUpTestData(cls):
        cls.admin = UserFactory(username="boss", is_staff=True, is_superuser=True)
        cls.owner = UserFactory(username="sync")

    def setUp(self):
        self.client.force_login(self.admin)

    def test_create_shows_secret_once(self):
        response = self.client.post(
            "/admin/api/apitoken/add/",
            {"user": self.owner.pk, "name": "统计局同步"},
            follow=True,
        )
        self.assertEqual(response.status_code, 200)
        token = ApiToken.objects.get()
        messages = [str(m) for m in response.context["messages"]]
        secret = next(m for m in messages if "只显示这一次" in m).rsplit("：", 1)[1]
        self.assertEqual(token.key_hash, token_hash(secret))
        self.assertEqual(token.user, self.owner)
        # The change page never shows it again.
        page = self.client.get(f"/admin/api/apitoken/{token.pk}/change/")
        self.assertNotContains(page, secret)
        self.assertNotContains(page, token.key_hash)

    def test_revoke_action(self):
        token, secret = api_token_create(user=self.owner, name="x")
        response = self.client.post(
            "/admin/api/apitoken/",
            {"action": "revoke_selected", "_selected_action": [token.pk]},
            follow=True,
        )
        self.assertContains(response, "已吊销 1 个令牌")
        token.refresh_from_db()
        self.assertTrue(token.is_revoked)
        self.client.logout()
        api = self.client.get("/api/v1/drafts/", HTTP_AUTHORIZATION=f"Token {secret}")
        self.assertEqual(api.status_code, 401)


class ApiTokenDelegationTests(TestCase):
    """A token acts with every permission of its owner: whoever may add tokens but
    is no superuser gives them only to owners with no permission they lack."""

    @classmethod
    def setUpTestData(cls):
        cls.root = UserFactory(username="root", is_staff=True, is_superuser=True)
        cls.keeper = user_with_perms(
            "keeper", "api.add_apitoken", "api.view_apitoken", "news.view_article"
        )
        cls.keeper.is_staff = True
        cls.keeper.save()
        cls.reader = user_with_perms("reader", "news.view_article")
        cls.publisher = staff_in_group("publisher", "终审发布")

    def setUp(self):
        self.client.force_login(self.keeper)

    def add(self, owner):
        return self.client.post(
            "/admin/api/apitoken/add/", {"user": owner.pk, "name": "同步"}
        )

    def test_no_token_for_a_superuser_or_a_stronger_account(self):
        for owner in (self.root, self.publisher):
            with self.subTest(owner=owner.username):
                response = self.add(owner)
                self.assertEqual(response.status_code, 200)
                self.assertContains(
                    response, "您不能为拥有您所没有的权限的用户创建令牌"
                )
                self.assertFalse(ApiToken.objects.filter(user=owner).exists())

    def test_token_for_oneself_or_a_weaker_account(self):
        for owner in (self.keeper, self.reader):
            with self.subTest(owner=owner.username):
                self.assertEqual(self.add(owner).status_code, 302)
                self.assertTrue(ApiToken.objects.filter(user=owner).exists())

    def test_a_superuser_gives_tokens_to_anyone(self):
        self.client.force_login(self.root)
        self.assertEqual(self.add(self.publisher).status_code, 302)
        self.assertTrue(ApiToken.objects.filter(user=self.publisher).exists())


class TokenAuthenticationTests(ApiTestCase):
    """``Token`` and ``Bearer`` work; bad, revoked and Basic credentials are 401."""

    @classmethod
    def setUpTestData(cls):
        cls.user = user_with_perms("reader", "news.view_article")
        cls.token, cls.secret = api_token_create(user=cls.user, name="t")

    def test_token_and_bearer(self):
        for scheme in ("Token", "Bearer", "token"):
            with self.subTest(scheme):
                response = self.client.get(
                    DRAFTS, HTTP_AUTHORIZATION=f"{scheme} {self.secret}"
                )
                self.assertEqual(response.status_code, 200)
        self.token.refresh_from_db()
        self.assertIsNotNone(self.token.last_used_at)

    def test_bad_tokens_are_401(self):
        prefix = self.token.prefix
        for header in (
            "Token nope",
            f"Token {prefix}.wrong",
            f"Token {self.secret}x",
            "Token",
            "Token a b",
            f"Token {self.secret[:-1]}\u00e9",
        ):
            with self.subTest(header):
                response = self.client.get(DRAFTS, HTTP_AUTHORIZATION=header)
                self.assertEqual(response.status_code, 401)
                self.assertEqual(response["WWW-Authenticate"], "Token")

    def test_revoked_token_is_401(self):
        self.token.is_revoked = True
        self.token.save()
        response = self.client.get(DRAFTS, HTTP_AUTHORIZATION=f"Token {self.secret}")
        self.assertEqual(response.status_code, 401)
        self.assertIn("吊销", response.json()["detail"])

    def test_basic_is_refused_without_hashing_a_password(self):
        """A Basic header never reaches a password hasher (no CPU amplifier)."""
        with (
            mock.patch.object(
                MD5PasswordHasher, "verify", side_effect=AssertionError
            ) as verify,
            mock.patch(
                "django.contrib.auth.backends.ModelBackend.authenticate",
                side_effect=AssertionError,
            ) as authenticate,
        ):
            for url in ("/api/v1/articles/", DRAFTS):
                response = self.client.get(
                    url, HTTP_AUTHORIZATION="Basic cmVhZGVyOnB3LWZvci10ZXN0cy1vbmx5"
                )
                self.assertEqual(response.status_code, 401)
                self.assertIn("不支持", response.json()["detail"])
        verify.assert_not_called()
        authenticate.assert_not_called()

    def test_anonymous_cannot_read_drafts(self):
        self.assertEqual(self.client.get(DRAFTS).status_code, 401)


class DraftWriteTests(ApiTestCase):
    """Editors write drafts with tokens under the same rules as the admin."""

    @classmethod
    def setUpTestData(cls):
        cls.channel = ChannelFactory(name="质量强市")
        cls.tag = TagFactory(name="标准")
        cls.editor = user_with_perms("editor", *EDITOR_PERMS)
        cls.reader = user_with_perms("reader", "news.view_article")

    def create(self, **data):
        payload = {"title": "新稿件", "channel": "质量强市", "body": "<p>正文</p>"}
        payload.update(data)
        return self.client.post(DRAFTS, payload, format="json")

    def test_editor_creates_draft_sanitised_and_audited(self):
        self.auth(token_for(self.editor))
        response = self.create(
            body='<p onclick="x()">正文<script>alert(1)</script></p>',
            tags=["标准"],
        )
        self.assertEqual(response.status_code, 201, response.content)
        article = Article.objects.get()
        self.assertEqual(article.status, Article.Status.DRAFT)
        self.assertNotIn("script", article.body)
        self.assertNotIn("onclick", article.body)
        self.assertEqual(list(article.tags.all()), [self.tag])
        self.assertEqual(response["ETag"].strip('"').split("-")[1], "1")
        log = AuditLog.objects.get()
        self.assertEqual(
            (log.user, log.action, log.object_id),
            (self.editor, AuditLog.Action.CREATE, str(article.pk)),
        )

    def test_drafts_are_never_kept_by_a_cache(self):
        self.auth(token_for(self.editor))
        created = self.create()
        pk = created.json()["id"]
        for response in (
            created,
            self.client.get(DRAFTS),
            self.client.get(f"{DRAFTS}{pk}/"),
        ):
            self.assertEqual(response["Cache-Control"], "private, no-store")
        # No Last-Modified: a draft over a live article writes no row.
        self.assertNotIn("Last-Modified", self.client.get(f"{DRAFTS}{pk}/"))

    def test_bad_draft_is_400_and_nothing_written(self):
        self.auth(token_for(self.editor))
        response = self.create(channel="没有这个栏目", title="")
        self.assertEqual(response.status_code, 400)
        self.assertIn("channel", response.json())
        self.assertIn("title", response.json())
        self.assertFalse(Article.objects.exists())
        self.assertFalse(AuditLog.objects.exists())

    def test_nul_bytes_are_400_not_a_database_error(self):
        """PostgreSQL rejects NUL in a lookup; found by schemathesis."""
        self.auth(token_for(self.editor))
        for data in ({"channel": "质量\x00"}, {"tags": ["\x00"]}, {"title": "a\x00"}):
            with self.subTest(data):
                response = self.create(**data)
                self.assertEqual(response.status_code, 400)
                self.assertIn(next(iter(data)), response.json())
        self.assertFalse(Article.objects.exists())

    def test_times_outside_1901_2999_are_400(self):
        """Before 1901 Beijing time had an offset of +08:05:43, which no RFC 3339
        reader accepts; found by schemathesis in a draft's ``published_at``."""
        self.auth(token_for(self.editor))
        for field, value in (
            ("published_at", "0223-11-28T06:18:56+08:00"),
            ("published_at", "9999-12-31T23:59:59+08:00"),
            ("expires_at", "1900-12-31T23:59:59+08:00"),
        ):
            with self.subTest(field=field, value=value):
                response = self.create(**{field: value})
                self.assertEqual(response.status_code, 400)
                self.assertIn("1901", str(response.json()[field]))
        self.assertFalse(Article.objects.exists())
        self.assertFalse(AuditLog.objects.exists())

    def test_unknown_field_is_400_naming_it(self):
        self.auth(token_for(self.editor))
        response = self.create(expiry="2030-01-01T00:00:00+08:00")
        self.assertEqual(response.status_code, 400)
        self.assertIn("未知字段", response.json()["expiry"][0])
        self.assertIn("expires_at", response.json()["expiry"][0])
        self.assertFalse(Article.objects.exists())

    def test_expires_at_is_written(self):
        self.auth(token_for(self.editor))
        response = self.create(expires_at="2030-01-01T00:00:00+08:00")
        self.assertEqual(response.status_code, 201, response.content)
        expires = timezone.localtime(Article.objects.get().expires_at)
        self.assertEqual((expires.year, expires.hour), (2030, 0))

    def test_reader_and_anonymous_cannot_write(self):
        response = self.create()
        self.assertEqual(response.status_code, 401)
        self.auth(token_for(self.reader))
        response = self.create()
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Article.objects.exists())

    def test_update_needs_if_match(self):
        article = ArticleFactory(status=Article.Status.DRAFT, channel=self.channel)
        self.auth(token_for(self.editor))
        url = f"{DRAFTS}{article.pk}/"
        etag = self.client.get(url)["ETag"]
        missing = self.client.patch(url, {"title": "改"}, format="json")
        self.assertEqual(missing.status_code, 428)
        stale = self.client.patch(
            url, {"title": "改"}, format="json", HTTP_IF_MATCH='"0-0-0"'
        )
        self.assertEqual(stale.status_code, 412)
        article.refresh_from_db()
        self.assertNotEqual(article.title, "改")
        ok = self.client.patch(url, {"title": "改"}, format="json", HTTP_IF_MATCH=etag)
        self.assertEqual(ok.status_code, 200, ok.content)
        article.refresh_from_db()
        self.assertEqual((article.title, article.version), ("改", 2))
        self.assertEqual(ok["ETag"], self.client.get(url)["ETag"])
        again = self.client.patch(
            url, {"title": "再改"}, format="json", HTTP_IF_MATCH=etag
        )
        self.assertEqual(again.status_code, 412)
        self.assertTrue(
            AuditLog.objects.filter(action=AuditLog.Action.EDIT, user=self.editor)
        )

    def test_status_is_read_only(self):
        """Sent back as read it is accepted; another value is a 400 naming it, not
        dropped without a word (the draft stays a draft either way)."""
        article = ArticleFactory(status=Article.Status.DRAFT, channel=self.channel)
        self.auth(token_for(self.editor))
        url = f"{DRAFTS}{article.pk}/"
        read = self.client.get(url)
        response = self.client.patch(
            url, {"status": "published"}, format="json", HTTP_IF_MATCH=read["ETag"]
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("只读字段", response.json()["status"][0])
        article.refresh_from_db()
        self.assertEqual((article.status, article.version), (Article.Status.DRAFT, 1))
        self.assertFalse(AuditLog.objects.exists())
        response = self.client.patch(
            url,
            {"status": read.json()["status"], "title": "改过的标题"},
            format="json",
            HTTP_IF_MATCH=read["ETag"],
        )
        self.assertEqual(response.status_code, 200, response.content)

    def test_a_new_draft_sent_with_a_status_is_400(self):
        self.auth(token_for(self.editor))
        response = self.create(status="published")
        self.assertEqual(response.status_code, 400)
        self.assertIn("只读字段", response.json()["status"][0])
        self.assertFalse(Article.objects.exists())

    def test_submit_through_workflow(self):
        article = ArticleFactory(status=Article.Status.DRAFT, channel=self.channel)
        self.auth(token_for(self.editor))
        url = f"{DRAFTS}{article.pk}/"
        etag = self.client.get(url)["ETag"]
        response = self.client.post(
            url + "submit/", {"comment": "请审"}, format="json", HTTP_IF_MATCH=etag
        )
        self.assertEqual(response.status_code, 200, response.content)
        article.refresh_from_db()
        self.assertEqual(article.status, Article.Status.REVIEW_1)
        self.assertTrue(AuditLog.objects.filter(action=AuditLog.Action.SUBMIT))
        # An 编辑 cannot edit it any more, let alone publish it.
        etag = self.client.get(url)["ETag"]
        response = self.client.patch(
            url, {"title": "偷改"}, format="json", HTTP_IF_MATCH=etag
        )
        self.assertEqual(response.status_code, 403)
        response = self.client.post(
            url + "submit/", {}, format="json", HTTP_IF_MATCH=etag
        )
        self.assertEqual(response.status_code, 400)
        article.refresh_from_db()
        self.assertEqual(article.status, Article.Status.REVIEW_1)

    def test_submit_needs_submit_permission(self):
        user = user_with_perms(
            "writer", "news.view_article", "news.add_article", "news.change_article"
        )
        article = ArticleFactory(status=Article.Status.DRAFT, channel=self.channel)
        self.auth(token_for(user))
        url = f"{DRAFTS}{article.pk}/"
        etag = self.client.get(url)["ETag"]
        response = self.client.post(
            url + "submit/", {}, format="json", HTTP_IF_MATCH=etag
        )
        self.assertEqual(response.status_code, 403)
        article.refresh_from_db()
        self.assertEqual(article.status, Article.Status.DRAFT)

    def test_published_articles_are_not_listed_as_drafts(self):
        article = ArticleFactory()
        self.auth(token_for(self.editor))
        listed = [a["id"] for a in self.client.get(DRAFTS).json()["results"]]
        self.assertNotIn(article.pk, listed)
        # By id, editors read it to edit it (an edit becomes a draft over it).
        response = self.client.get(f"{DRAFTS}{article.pk}/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["live_status"], "published")
        self.assertTrue(Permission.objects.filter(codename="publish_article"))
