"""Request throttling for anonymous clients and token/session users.

Clients are told apart by ``REMOTE_ADDR``, or, behind ``NUM_PROXIES`` trusted proxies,
by the address the nearest trusted proxy saw (DRF's ``get_ident``). ``NUM_PROXIES`` is
always set explicitly in settings: DRF's default (``None``) keys on the whole
``X-Forwarded-For`` header, which a client can rotate to dodge every limit.
Rates are read at request time so that settings (and tests) can change them.

Every response a throttle counted tells the client its rate
(draft-ietf-httpapi-ratelimit-headers-10, the current draft: ``RateLimit-Policy:
"anon";q=300;w=60`` and ``RateLimit: "anon";r=297;t=42``). They are worked out from
the history the throttle has just read, no other cache access: ``r`` the requests
left in the window, ``t`` the seconds, rounded up, until its oldest counted request
leaves it and frees a slot (what the 429's ``Retry-After`` says too).
"""

from __future__ import annotations

import math

from django.core.cache import caches
from django.utils.connection import ConnectionProxy
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework import exceptions
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

# The throttles' findings on the Django request: scope → (quota, window seconds,
# requests left, seconds until a slot frees), for RateLimitHeadersMiddleware.
RATE_LIMITS = "api_rate_limits"


class ApiThrottled(exceptions.Throttled):
    """The API's 429: one sentence saying how long to wait, in the client's
    language. DRF's ``Throttled`` joins two with a space ("Request was throttled.
    Expected available in 60 seconds."), which reads "请求已被限流。 预计 60 秒后
    可用。" in Chinese. ``failed_authentication``: the refusals of credentials
    (``api.authentication``) were too many, rather than the requests."""

    def __init__(self, wait: float | None = None, *, failed_authentication=False):
        if wait is None:
            detail = (
                _("认证失败次数过多，请稍后再试。")
                if failed_authentication
                else _("请求过于频繁，请稍后再试。")
            )
        else:
            wait = math.ceil(wait)
            if failed_authentication:
                detail = ngettext(
                    "认证失败次数过多，请 %(wait)d 秒后再试。",
                    "认证失败次数过多，请 %(wait)d 秒后再试。",
                    wait,
                ) % {"wait": wait}
            else:
                detail = ngettext(
                    "请求过于频繁，请 %(wait)d 秒后再试。",
                    "请求过于频繁，请 %(wait)d 秒后再试。",
                    wait,
                ) % {"wait": wait}
        # APIException's, not Throttled's, which would add its second sentence.
        exceptions.APIException.__init__(self, detail)
        self.wait = wait


class RatesFromSettingsMixin:
    # Counters every worker process shares (settings.CACHES["shared"]); DRF's
    # default, the process-local cache, would multiply each limit by the workers.
    cache = ConnectionProxy(caches, "shared")

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        allowed = super().allow_request(request, view)
        if self.rate is not None and getattr(self, "key", None) is not None:
            left = max(0, self.num_requests - len(self.history))
            oldest = self.history[-1] if self.history else self.now
            reset = max(0, math.ceil(oldest + self.duration - self.now))
            django_request = getattr(request, "_request", request)
            limits = getattr(django_request, RATE_LIMITS, None)
            if limits is None:
                limits = {}
                setattr(django_request, RATE_LIMITS, limits)
            limits[self.scope] = (self.num_requests, self.duration, left, reset)
        return allowed


class RateLimitHeadersMiddleware:
    """``RateLimit-Policy`` and ``RateLimit`` on every response a throttle counted
    (the 401 of a refused credential and the 429 included); none elsewhere."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        limits = getattr(request, RATE_LIMITS, None)
        if limits:
            response["RateLimit-Policy"] = ", ".join(
                f'"{scope}";q={quota};w={window}'
                for scope, (quota, window, _left, _reset) in limits.items()
            )
            response["RateLimit"] = ", ".join(
                f'"{scope}";r={left};t={reset}'
                for scope, (_quota, _window, left, reset) in limits.items()
            )
        return response


class ApiAnonRateThrottle(RatesFromSettingsMixin, AnonRateThrottle):
    """Limits anonymous clients per address (scope ``anon``)."""


class ApiUserRateThrottle(RatesFromSettingsMixin, UserRateThrottle):
    """Limits signed-in and token clients per user (scope ``user``)."""

    def get_cache_key(self, request, view):
        # DRF's UserRateThrottle also counts anonymous clients, by address: the anon
        # throttle does that already, and a second counter is a second cache write.
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)


class FailedAuthenticationThrottle(ApiAnonRateThrottle):
    """Counts a refused credential as one anonymous request of its client.

    DRF authenticates before it throttles, so a request with a bad token was refused
    (401) before any throttle saw it, and guessing tokens was unlimited. The token
    authentication asks this throttle before it refuses: same scope and cache key as
    ``ApiAnonRateThrottle``, so refusals and anonymous reads share one budget.
    """

    def get_cache_key(self, request, view):
        # Not request.user: it is being worked out when this runs (it would recurse),
        # and a refused credential is anonymous by definition.
        return self.cache_format % {
            "scope": self.scope,
            "ident": self.get_ident(request),
        }
