"""Previews of unpublished articles: staff previews of revisions, share links."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from django.core import signing
from django.urls import reverse
from django.utils import timezone

from .models import Article, AuditLog, PreviewLink
from .revisions import article_from_snapshot  # noqa: F401 - re-exported
from .services import audit_record

if TYPE_CHECKING:
    from django.contrib.auth.models import User

SALT = "news.preview-link"


def preview_link_create(
    *, article: Article, by: User, valid_for: timedelta = timedelta(days=3)
) -> PreviewLink:
    """A new revocable share link for ``article``, valid for ``valid_for``."""
    link = PreviewLink.objects.create(
        article=article,
        token=secrets.token_urlsafe(24),
        expires_at=timezone.now() + valid_for,
        created_by=by,
    )
    audit_record(
        user=by,
        action=AuditLog.Action.SHARE,
        obj=article,
        summary=f"生成预览链接，有效至 {timezone.localtime(link.expires_at):%Y-%m-%d %H:%M}",
    )
    return link


def preview_link_url(link: PreviewLink) -> str:
    """The signed path of ``link``: a tampered or foreign token never verifies."""
    signed = signing.dumps({"t": link.token, "a": link.article_id}, salt=SALT)
    return reverse("news:article-share", kwargs={"signed": signed})


def preview_link_resolve(signed: str) -> PreviewLink | None:
    """The valid link behind ``signed`` (``PreviewLink.objects.valid()``: also its
    creator still active and allowed to share), else ``None``. One query."""
    try:
        data = signing.loads(signed, salt=SALT)
    except signing.BadSignature:
        return None
    return (
        PreviewLink.objects.valid()
        .select_related("article")
        .filter(token=data.get("t"), article_id=data.get("a"))
        .first()
    )
