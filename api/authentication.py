"""Token authentication with hashed tokens; anything else in Authorization is refused.

There is deliberately no HTTP Basic authentication: a bogus Basic header would cost a
password hash per request (about 0.3 s), a CPU amplifier that throttling cannot stop
because throttling runs after authentication. A Basic header is refused here, before
any hashing, with 401.

Every refusal counts as one anonymous request of its client (``count_failure``):
past the anonymous rate, a bad credential gets 429 with Retry-After, not 401.
"""

from __future__ import annotations

import hmac
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from .models import ApiToken, token_hash
from .throttling import ApiThrottled, FailedAuthenticationThrottle

KEYWORDS = ("token", "bearer")
# Writing last_used_at on every request would turn every read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Token <secret>`` or ``Authorization: Bearer <secret>``."""

    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request)
        if not header:
            return None
        try:
            return self.authenticate_header_value(header)
        except exceptions.AuthenticationFailed:
            self.count_failure(request)
            raise

    def authenticate_header_value(self, header: bytes):
        parts = header.split()
        scheme = parts[0].decode("latin-1").lower()
        if scheme not in KEYWORDS:
            raise exceptions.AuthenticationFailed(
                _("不支持此认证方式，请使用“Authorization: Token <令牌>”。")
            )
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("认证头格式错误：令牌缺失或含空格。")
            )
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("令牌无效。")) from None
        return self.authenticate_secret(secret)

    def authenticate_secret(self, secret: str):
        prefix = secret.split(".", 1)[0]
        token = (
            ApiToken.objects.active()
            .select_related("user")
            .filter(prefix=prefix[:16])
            .first()
        )
        if token is None or not hmac.compare_digest(token.key_hash, token_hash(secret)):
            raise exceptions.AuthenticationFailed(_("令牌无效或已吊销。"))
        now = timezone.now()
        if (
            token.last_used_at is None
            or now - token.last_used_at > LAST_USED_RESOLUTION
        ):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return (token.user, token)

    @staticmethod
    def count_failure(request) -> None:
        """Count a refusal as an anonymous request; past the rate, 429 instead of 401."""
        throttle = FailedAuthenticationThrottle()
        if not throttle.allow_request(request, None):
            raise ApiThrottled(throttle.wait(), failed_authentication=True)

    def authenticate_header(self, request):
        return self.keyword


class SessionAuthentication(authentication.SessionAuthentication):
    """DRF's, with its CSRF refusal in Chinese (DRF's is an untranslated
    "CSRF Failed: CSRF cookie not set.")."""

    def enforce_csrf(self, request):
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied:
            raise exceptions.PermissionDenied(
                _(
                    "CSRF 校验失败：在浏览器中登录后写入，须带上 CSRF 令牌"
                    "（X-CSRFToken 请求头）；其他程序请改用接口令牌。"
                )
            ) from None
