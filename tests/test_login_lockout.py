"""Admin login lockout (django-axes): by account, by client address, behind proxies.

The production settings are tested as they are: AXES_FAILURE_LIMIT 10 and a 15-minute
cool-off (the defaults of yantai.settings; tests/settings.py does not change them).
"""

import base64
import os
import runpy
from pathlib import Path

from axes.helpers import get_client_ip_address
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import RequestFactory, TestCase, override_settings
from rest_framework.throttling import AnonRateThrottle

LOGIN = "/admin/login/"
PASSWORD = "right-horse-battery-7"
SETTINGS_FILE = Path(settings.BASE_DIR) / "yantai" / "settings.py"
LOCKED = "登录已被暂时锁定"
WAIT = "请在 15 分钟后再试。"


def proxy_settings(num_proxies: int) -> dict:
    """The client-address settings yantai.settings makes of DJANGO_NUM_PROXIES."""
    old = os.environ.get("DJANGO_NUM_PROXIES")
    os.environ["DJANGO_NUM_PROXIES"] = str(num_proxies)
    try:
        module = runpy.run_path(str(SETTINGS_FILE))
    finally:
        if old is None:
            del os.environ["DJANGO_NUM_PROXIES"]
        else:
            os.environ["DJANGO_NUM_PROXIES"] = old
    names = ["AXES_IPWARE_PROXY_COUNT", "AXES_IPWARE_META_PRECEDENCE_ORDER"]
    values = {name: module[name] for name in names}
    values["REST_FRAMEWORK"] = module["REST_FRAMEWORK"]
    return values


class LoginLockoutTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = get_user_model().objects.create_user(
            "editor", password=PASSWORD, is_staff=True
        )

    def login(self, username, password, address="192.0.2.1", **extra):
        return self.client.post(
            LOGIN,
            {"username": username, "password": password, "next": "/admin/"},
            REMOTE_ADDR=address,
            **extra,
        )

    def assert_logged_in(self, response):
        self.assertEqual(response.status_code, 302)
        self.assertEqual(response["Location"], "/admin/")
        self.assertEqual(self.client.session["_auth_user_id"], str(self.user.pk))

    def assert_locked_out(self, response):
        self.assertEqual(response.status_code, 429)
        body = response.content.decode()
        self.assertIn(LOCKED, body)
        self.assertIn(WAIT, body)
        self.assertEqual(response["Retry-After"], "900")
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_production_values(self):
        self.assertEqual(settings.AXES_FAILURE_LIMIT, 10)
        self.assertEqual(settings.AXES_COOLOFF_TIME.total_seconds(), 900)
        self.assertEqual(settings.AXES_LOCKOUT_PARAMETERS, ["username", "ip_address"])
        self.assertEqual(
            settings.AUTHENTICATION_BACKENDS[0], "axes.backends.AxesStandaloneBackend"
        )
        self.assertEqual(settings.MIDDLEWARE[-1], "axes.middleware.AxesMiddleware")

    def test_nine_failures_do_not_lock_and_a_success_resets_them(self):
        for i in range(9):
            self.assertEqual(
                self.login("editor", "wrong", f"198.51.100.{i}").status_code, 200
            )
        self.assert_logged_in(self.login("editor", PASSWORD))
        self.assertFalse(AccessAttempt.objects.filter(username="editor").exists())

    def test_ten_wrong_passwords_from_ten_addresses_lock_the_account(self):
        for i in range(9):
            self.assertEqual(
                self.login("editor", "wrong", f"198.51.100.{i}").status_code, 200
            )
        self.assert_locked_out(self.login("editor", "wrong", "198.51.100.9"))
        # The right password, from an address that never failed, is refused too.
        self.assert_locked_out(self.login("editor", PASSWORD, "203.0.113.50"))
        # Another account from those addresses is not locked.
        other = get_user_model().objects.create_user("other", password=PASSWORD)
        other.is_staff = True
        other.save()
        response = self.login("other", PASSWORD, "203.0.113.51")
        self.assertEqual(response.status_code, 302)

    def test_one_address_trying_many_accounts_is_locked_out(self):
        for i in range(10):
            self.login(f"guess{i}", "wrong", "192.0.2.66")
        # That address is refused even with a real account's right password ...
        self.assert_locked_out(self.login("editor", PASSWORD, "192.0.2.66"))
        # ... while the account itself, from elsewhere, is not locked.
        self.assert_logged_in(self.login("editor", PASSWORD, "192.0.2.67"))

    def test_a_superuser_unlocks_by_deleting_the_attempts(self):
        for i in range(10):
            self.login("editor", "wrong", f"198.51.100.{i}")
        self.assert_locked_out(self.login("editor", PASSWORD))

        admin = get_user_model().objects.create_superuser("boss", password="x")
        boss = self.client_class()
        boss.force_login(admin)
        index = boss.get("/admin/")
        self.assertContains(index, "登录保护")
        self.assertContains(index, "登录失败记录")
        changelist = boss.get("/admin/axes/accessattempt/?q=editor")
        self.assertContains(changelist, "账号已锁定（删除该账号的记录即解锁）")
        ids = list(
            AccessAttempt.objects.filter(username="editor").values_list("pk", flat=True)
        )
        self.assertEqual(len(ids), 11)  # ten wrong passwords, one refused right one
        response = boss.post(
            "/admin/axes/accessattempt/",
            {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
        )
        self.assertEqual(response.status_code, 302)
        self.assertFalse(AccessAttempt.objects.filter(username="editor").exists())

        self.assert_logged_in(self.login("editor", PASSWORD))

    def test_the_admin_lists_locked_addresses_and_unlocks_them(self):
        for i in range(10):
            self.login(f"guess{i}", "wrong", "192.0.2.66")
        self.login("editor", "wrong", "192.0.2.67")
        admin = get_user_model().objects.create_superuser("boss", password="x")
        boss = self.client_class()
        boss.force_login(admin)
        locked = boss.get("/admin/axes/accessattempt/?locked_out=yes")
        self.assertContains(locked, "地址已锁定（删除该地址的记录即解锁）", count=10)
        self.assertNotContains(locked, "192.0.2.67")
        ids = list(
            AccessAttempt.objects.filter(ip_address="192.0.2.66").values_list(
                "pk", flat=True
            )
        )
        boss.post(
            "/admin/axes/accessattempt/",
            {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
        )
        self.assert_logged_in(self.login("editor", PASSWORD, "192.0.2.66"))

    def test_the_api_offers_no_way_around_the_lock(self):
        for i in range(10):
            self.login("editor", "wrong", f"198.51.100.{i}")
        self.assert_locked_out(self.login("editor", PASSWORD))
        # The session login of the browsable API is this admin login: no session came
        # out of it, so the API sees an anonymous client ...
        self.assertEqual(self.client.get("/api/v1/drafts/").status_code, 401)
        # ... and the API takes no password at all: Basic with the right one is 401.
        basic = base64.b64encode(f"editor:{PASSWORD}".encode()).decode()
        response = self.client.get(
            "/api/v1/drafts/", HTTP_AUTHORIZATION=f"Basic {basic}"
        )
        self.assertEqual(response.status_code, 401)

    def test_staff_without_the_permission_cannot_see_or_unlock(self):
        staff = self.client_class()
        staff.force_login(self.user)
        self.assertEqual(staff.get("/admin/axes/accessattempt/").status_code, 403)


class ClientAddressTests(TestCase):
    """DJANGO_NUM_PROXIES → the address axes locks on, the same one the API throttles."""

    def address(self, num_proxies, forwarded=None, remote="10.0.0.3"):
        extra = {"REMOTE_ADDR": remote}
        if forwarded is not None:
            extra["HTTP_X_FORWARDED_FOR"] = forwarded
        request = RequestFactory().post(LOGIN, **extra)
        values = proxy_settings(num_proxies)
        with override_settings(**values):
            axes_address = get_client_ip_address(request)
            drf_address = AnonRateThrottle().get_ident(request)
        self.assertEqual(axes_address, drf_address)
        return axes_address

    def test_no_proxy_uses_remote_addr_and_ignores_forwarded_for(self):
        self.assertEqual(self.address(0, "203.0.113.7"), "10.0.0.3")
        self.assertEqual(self.address(0), "10.0.0.3")

    def test_one_proxy_takes_the_last_forwarded_entry(self):
        self.assertEqual(self.address(1, "203.0.113.7"), "203.0.113.7")
        # A client-forged prefix is not believed.
        self.assertEqual(self.address(1, "6.6.6.6, 203.0.113.7"), "203.0.113.7")

    def test_two_proxies_take_the_second_from_the_right(self):
        self.assertEqual(
            self.address(2, "6.6.6.6, 203.0.113.7, 10.0.0.2"), "203.0.113.7"
        )
        self.assertEqual(self.address(2, "203.0.113.7, 10.0.0.2"), "203.0.113.7")

    def test_lockout_behind_a_proxy_keys_on_the_forwarded_client(self):
        get_user_model().objects.create_user("editor", password=PASSWORD, is_staff=True)
        with override_settings(**proxy_settings(1)):
            for i in range(10):
                self.client.post(
                    LOGIN,
                    {"username": f"guess{i}", "password": "wrong"},
                    REMOTE_ADDR="10.0.0.3",
                    HTTP_X_FORWARDED_FOR=f"6.6.6.{i}, 198.51.100.5",
                )
            response = self.client.post(
                LOGIN,
                {"username": "editor", "password": PASSWORD},
                REMOTE_ADDR="10.0.0.3",
                HTTP_X_FORWARDED_FOR="198.51.100.5",
            )
            self.assertEqual(response.status_code, 429)
            self.assertContains(response, LOCKED, status_code=429)
            # Another client behind the same proxy is not locked out.
            response = self.client.post(
                LOGIN,
                {"username": "editor", "password": PASSWORD},
                REMOTE_ADDR="10.0.0.3",
                HTTP_X_FORWARDED_FOR="198.51.100.6",
            )
            self.assertEqual(response.status_code, 302)
