"""Request throttling for anonymous clients and token/session users.

Clients are told apart by ``REMOTE_ADDR``, or, behind ``NUM_PROXIES`` trusted proxies,
by the address the nearest trusted proxy saw (DRF's ``get_ident``). ``NUM_PROXIES`` is
always set explicitly in settings: DRF's default (``None``) keys on the whole
``X-Forwarded-For`` header, which a client can rotate to dodge every limit.
Rates are read at request time so that settings (and tests) can change them.
"""

from __future__ import annotations

from django.core.cache import caches
from django.utils.connection import ConnectionProxy
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class RatesFromSettingsMixin:
    # Counters every worker process shares (settings.CACHES["shared"]); DRF's
    # default, the process-local cache, would multiply each limit by the workers.
    cache = ConnectionProxy(caches, "shared")

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


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
