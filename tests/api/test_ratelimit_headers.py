"""Every API response a throttle counted says how much of the client's rate is left
(draft-ietf-httpapi-ratelimit-headers: ``RateLimit-Policy`` and ``RateLimit``), and
so does the 429: before, a client learnt of its limit only when it hit it."""

from unittest import mock

from django.test import override_settings
from rest_framework.throttling import SimpleRateThrottle

from tests.api import ApiTestCase, token_for, user_with_perms
from tests.api.test_hardening import NO_THROTTLE
from tests.api.test_token_throttle import rates

URL = "/api/v1/tags/"


class Clock:
    """The throttles' clock (DRF's ``SimpleRateThrottle.timer``), set by the test."""

    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now


class RateLimitHeaderTests(ApiTestCase):
    def setUp(self):
        super().setUp()
        self.clock = Clock(1_000_000.0)
        patcher = mock.patch.object(
            SimpleRateThrottle, "timer", staticmethod(self.clock)
        )
        patcher.start()
        self.addCleanup(patcher.stop)

    def get(self, at: float, address="198.51.100.20", **extra):
        self.clock.now = 1_000_000.0 + at
        return self.client.get(URL, REMOTE_ADDR=address, **extra)

    def test_anonymous_remaining_falls_by_one_and_reset_is_the_oldest_slot(self):
        with rates(anon="3/min"):
            responses = [self.get(at) for at in (0, 10, 20.5, 30, 60)]
        self.assertEqual([r.status_code for r in responses], [200, 200, 200, 429, 200])
        for response in responses:
            self.assertEqual(response["RateLimit-Policy"], '"anon";q=3;w=60')
        self.assertEqual(
            [r["RateLimit"] for r in responses],
            [
                '"anon";r=2;t=60',
                '"anon";r=1;t=50',  # the request at 0 frees its slot at 60
                '"anon";r=0;t=40',  # 39.5 s, rounded up: never too early
                '"anon";r=0;t=30',
                '"anon";r=0;t=10',  # at 60 the first slot came free and was taken
            ],
        )

    def test_the_429_says_when_to_retry_and_the_same_in_ratelimit(self):
        with rates(anon="1/min"):
            self.get(0)
            throttled = self.get(20.5)
        self.assertEqual(throttled.status_code, 429)
        self.assertEqual(throttled["RateLimit"], '"anon";r=0;t=40')
        self.assertEqual(throttled["Retry-After"], "40")  # 39.5 s, rounded up

    def test_a_signed_in_client_sees_the_user_rate(self):
        secret = token_for(user_with_perms("reader"))
        with rates(anon="2/min", user="5/min"):
            first = self.get(0, HTTP_AUTHORIZATION=f"Token {secret}")
            second = self.get(1, HTTP_AUTHORIZATION=f"Token {secret}")
            anonymous = self.get(2)
        self.assertEqual(first["RateLimit-Policy"], '"user";q=5;w=60')
        self.assertEqual(first["RateLimit"], '"user";r=4;t=60')
        self.assertEqual(second["RateLimit"], '"user";r=3;t=59')
        # The token's requests were not taken from the address's anonymous rate.
        self.assertEqual(anonymous["RateLimit"], '"anon";r=1;t=60')

    def test_refused_credentials_count_and_say_so(self):
        with rates(anon="2/min"):
            codes, limits = [], []
            for at in (0, 1, 2):
                response = self.get(at, HTTP_AUTHORIZATION=f"Token bad.{at}")
                codes.append(response.status_code)
                limits.append(response["RateLimit"])
        self.assertEqual(codes, [401, 401, 429])
        self.assertEqual(
            limits, ['"anon";r=1;t=60', '"anon";r=0;t=59', '"anon";r=0;t=58']
        )

    def test_errors_the_throttle_counted_carry_them_too(self):
        with rates(anon="5/min"):
            response = self.client.get(
                "/api/v1/tags/", {"nope": "1"}, REMOTE_ADDR="198.51.100.21"
            )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response["RateLimit"], '"anon";r=4;t=60')

    @override_settings(REST_FRAMEWORK=NO_THROTTLE)
    def test_no_headers_where_no_throttle_counted(self):
        self.assertNotIn("RateLimit", self.get(0))
        self.assertNotIn("RateLimit-Policy", self.get(1))

    def test_no_headers_outside_the_api(self):
        response = self.client.get("/healthz")
        self.assertNotIn("RateLimit", response)

    def test_cross_origin_scripts_may_read_them(self):
        with rates(anon="5/min"):
            response = self.get(0, HTTP_ORIGIN="https://example.org")
        exposed = {
            h.strip().lower()
            for h in response["Access-Control-Expose-Headers"].split(",")
        }
        self.assertLessEqual({"ratelimit", "ratelimit-policy", "retry-after"}, exposed)
