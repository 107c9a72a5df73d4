"""Failed token authentications count against the anonymous rate of their client.

DRF authenticates before it throttles, so a request whose token is refused (401)
never reached the throttles: guessing tokens was unlimited.
"""

from django.conf import settings
from django.test import override_settings

from tests.api import ApiTestCase, token_for, user_with_perms

URL = "/api/v1/tags/"


def rates(anon="3/min", user="100/min", proxies=0):
    return override_settings(
        REST_FRAMEWORK={
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"anon": anon, "user": user},
            "NUM_PROXIES": proxies,
        }
    )


class FailedTokenThrottleTests(ApiTestCase):
    def get(self, authorization, address="203.0.113.7", **extra):
        return self.client.get(
            URL, HTTP_AUTHORIZATION=authorization, REMOTE_ADDR=address, **extra
        )

    def test_bad_tokens_beyond_the_anonymous_rate_are_429(self):
        with rates(anon="3/min"):
            responses = [self.get(f"Token bad.{i}") for i in range(5)]
        codes = [r.status_code for r in responses]
        self.assertEqual(codes, [401, 401, 401, 429, 429])
        throttled = responses[-1]
        self.assertIn("Retry-After", throttled)
        self.assertGreater(int(throttled["Retry-After"]), 0)
        self.assertEqual(
            throttled.json()["detail"],
            f"认证失败次数过多，请 {throttled['Retry-After']} 秒后再试。",
        )

    def test_every_refused_scheme_counts(self):
        with rates(anon="3/min"):
            codes = [
                self.get(header).status_code
                for header in [
                    "Basic dXNlcjpwYXNz",
                    "Token a b",
                    "Bearer nope",
                    "Token again",
                ]
            ]
        self.assertEqual(codes, [401, 401, 401, 429])

    def test_failures_and_anonymous_reads_share_one_budget(self):
        with rates(anon="3/min"):
            ok = [self.client.get(URL, REMOTE_ADDR="203.0.113.7").status_code]
            ok += [self.get(f"Token bad.{i}").status_code for i in range(2)]
            after = self.client.get(URL, REMOTE_ADDR="203.0.113.7")
        self.assertEqual(ok, [200, 401, 401])
        self.assertEqual(after.status_code, 429)

    def test_another_client_is_not_throttled(self):
        with rates(anon="2/min"):
            for i in range(3):
                self.get(f"Token bad.{i}")
            other = self.get("Token bad.x", address="203.0.113.8")
        self.assertEqual(other.status_code, 401)

    def test_behind_a_proxy_the_forwarded_client_is_counted(self):
        with rates(anon="2/min", proxies=1):
            codes = [
                self.get(
                    f"Token bad.{i}",
                    address="10.0.0.1",
                    HTTP_X_FORWARDED_FOR=f"198.51.100.{i}, 203.0.113.7",
                ).status_code
                for i in range(3)
            ]
        self.assertEqual(codes, [401, 401, 429])

    def test_a_valid_token_is_not_counted_as_anonymous(self):
        secret = token_for(user_with_perms("reader", "news.view_article"))
        with rates(anon="1/min", user="100/min"):
            codes = [self.get(f"Token {secret}").status_code for _ in range(3)]
        self.assertEqual(codes, [200, 200, 200])
