"""Previews of unpublished articles: staff previews of revisions, share links."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.core import signing
from django.urls import reverse
from django.utils import timezone

from .models import Article, AuditLog, Byline, Channel, Image, Person, PreviewLink, Tag
from .revisions import SNAPSHOT_FIELDS
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
    """The live, unexpired, unrevoked link behind ``signed``, else ``None``."""
    try:
        data = signing.loads(signed, salt=SALT)
    except signing.BadSignature:
        return None
    link = (
        PreviewLink.objects.select_related("article")
        .filter(token=data.get("t"), article_id=data.get("a"))
        .first()
    )
    return link if link is not None and link.is_valid else None


def _prefetched(queryset, objects: list):
    queryset._result_cache = objects
    queryset._prefetch_done = True
    return queryset


def article_from_snapshot(article: Article, snapshot: dict) -> Article:
    """An unsaved copy of ``article`` showing ``snapshot`` (for previewing revisions).

    Related rows (tags, bylines) come from the snapshot too, placed in the prefetch
    cache so the public template renders them without touching the live article.
    """
    copy = Article(pk=article.pk, status=snapshot.get("status", article.status))
    for name in SNAPSHOT_FIELDS:
        if name in ("channel", "cover", "responsible_editor"):
            setattr(copy, f"{name}_id", snapshot.get(name))
        elif name in ("published_at", "expires_at"):
            value = snapshot.get(name)
            setattr(copy, name, datetime.fromisoformat(value) if value else None)
        else:
            setattr(copy, name, snapshot.get(name, getattr(article, name)))
    if not Channel.objects.filter(pk=copy.channel_id).exists():
        copy.channel = article.channel
    if copy.cover_id and not Image.objects.filter(pk=copy.cover_id).exists():
        copy.cover_id = None
    tags = list(Tag.objects.filter(name__in=snapshot.get("tags", [])))
    people = Person.objects.in_bulk([b["person"] for b in snapshot.get("bylines", [])])
    bylines = [
        Byline(
            person=people.get(b["person"]) or Person(name=b["name"], slug="-"),
            role=b["role"],
            prefix=b["prefix"],
            order=b["order"],
        )
        for b in snapshot.get("bylines", [])
    ]
    copy._prefetched_objects_cache = {
        "tags": _prefetched(Tag.objects.none(), tags),
        "bylines": _prefetched(Byline.objects.none(), bylines),
    }
    return copy
