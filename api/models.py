"""API-wide models: per-user API tokens, stored hashed."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def token_hash(secret: str) -> str:
    """SHA-256 of a token secret.

    A plain hash (not a password hasher) is enough and is what keeps every request
    cheap: the secret is 256 random bits, so there is nothing to brute-force.
    """
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self) -> ApiTokenQuerySet:
        """Tokens that still authenticate: not revoked, owner still active."""
        return self.filter(is_revoked=False, user__is_active=True)


class ApiToken(models.Model):
    """A named API token of one user; only its prefix and SHA-256 hash are stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
        help_text=_("令牌以此用户的身份和权限访问接口。"),
    )
    name = models.CharField(
        _("名称"),
        max_length=100,
        help_text=_("用途说明，例如“市统计局数据同步”。"),
    )
    prefix = models.CharField(
        _("前缀"),
        max_length=16,
        unique=True,
        editable=False,
        help_text=_("令牌开头的公开部分，用于查找令牌。"),
    )
    key_hash = models.CharField(_("摘要"), max_length=64, editable=False)
    is_revoked = models.BooleanField(
        _("已吊销"), default=False, help_text=_("吊销后令牌立即失效，不能恢复。")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(
        _("最近使用"), null=True, blank=True, editable=False
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"

    @property
    def is_active(self) -> bool:
        """One-row twin of ``ApiTokenQuerySet.active``."""
        return not self.is_revoked and self.user.is_active
