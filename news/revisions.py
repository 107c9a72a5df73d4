"""Article revisions: full snapshots, readable diffs and purging old ones."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from yantai.html import html_to_text

from .models import Article, Revision

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Fields copied into and out of a snapshot, in the order a diff lists them.
SNAPSHOT_FIELDS = (
    "kicker",
    "title",
    "subtitle",
    "slug",
    "summary",
    "body",
    "source",
    "source_url",
    "channel",
    "cover",
    "published_at",
    "expires_at",
    "is_featured",
    "responsible_editor",
)
DATETIME_FIELDS = {"published_at", "expires_at"}
FK_FIELDS = {"channel", "cover", "responsible_editor"}
EXTRA_LABELS = {"tags": _("标签"), "bylines": _("署名"), "status": _("状态")}


def user_display_name(user) -> str:
    """A person's name as Chinese writes it (姓 then 名), else the username."""
    if user is None:
        return str(_("系统"))
    return f"{user.last_name}{user.first_name}".strip() or user.get_username()


def field_label(name: str) -> str:
    """The editor-facing name of a snapshot key (``title`` → 标题)."""
    if name in EXTRA_LABELS:
        return str(EXTRA_LABELS[name])
    return str(Article._meta.get_field(name).verbose_name)


def article_snapshot(article: Article) -> dict:
    """Everything an editor can change about ``article``, as JSON-ready data."""
    data: dict = {}
    for name in SNAPSHOT_FIELDS:
        if name in FK_FIELDS:
            data[name] = getattr(article, f"{name}_id")
        elif name in DATETIME_FIELDS:
            value = getattr(article, name)
            data[name] = value.isoformat() if value else None
        else:
            data[name] = getattr(article, name)
    data["channel_name"] = article.channel.name if article.channel_id else ""
    data["status"] = article.status
    data["tags"] = sorted(article.tags.values_list("name", flat=True))
    data["bylines"] = [
        {
            "person": b.person_id,
            "name": b.person.name,
            "role": b.role,
            "prefix": b.prefix,
            "order": b.order,
        }
        for b in article.bylines.select_related("person").order_by("order", "id")
    ]
    return data


def revision_create(
    *, article: Article, by: User | None, summary: str = "", is_live: bool = False
) -> Revision:
    """Store a snapshot of ``article`` as it is now in the database."""
    if is_live:
        article.revisions.filter(is_live=True).update(is_live=False)
    return Revision.objects.create(
        article=article,
        version=article.version,
        snapshot=article_snapshot(article),
        summary=summary[:200],
        is_live=is_live,
        created_by=by if by is not None and by.is_authenticated else None,
    )


def snapshot_display(snapshot: dict, name: str) -> str:
    """A snapshot value as text an editor can read."""
    value = snapshot.get(name)
    if name == "bylines":
        return "；".join(f"{b['prefix']}{b['role']} {b['name']}" for b in value or [])
    if name == "tags":
        return "、".join(value or [])
    if name == "channel":
        return snapshot.get("channel_name") or str(value or "")
    if name == "status":
        return str(Article.Status(value).label) if value else ""
    if name == "body":
        return html_to_text(value or "")
    if name in DATETIME_FIELDS:
        moment = parse_datetime(value) if value else None
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def snapshot_changes(old: dict, new: dict) -> list[str]:
    """Keys whose value differs between two snapshots."""
    keys = (*SNAPSHOT_FIELDS, "tags", "bylines", "status")
    return [k for k in keys if old.get(k) != new.get(k)]


def text_diff_html(old: str, new: str) -> SafeString:
    """``new`` against ``old`` with insertions in ``<ins>`` and deletions in ``<del>``.

    Chinese has no spaces between words, so the comparison is character by character.
    """
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    parts = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape(old[i1:i2]))
            continue
        if op in ("delete", "replace"):
            parts.append(f"<del>{escape(old[i1:i2])}</del>")
        if op in ("insert", "replace"):
            parts.append(f"<ins>{escape(new[j1:j2])}</ins>")
    return mark_safe("".join(parts).replace("\n", "<br>\n"))  # noqa: S308 - escaped


@dataclass
class FieldDiff:
    name: str
    label: str
    old: str
    new: str
    html: SafeString


def revision_diff(*, old: Revision, new: Revision) -> list[FieldDiff]:
    """The fields that differ between two revisions, each with a marked-up diff."""
    diffs = []
    for name in snapshot_changes(old.snapshot, new.snapshot):
        before = snapshot_display(old.snapshot, name)
        after = snapshot_display(new.snapshot, name)
        diffs.append(
            FieldDiff(
                name, field_label(name), before, after, text_diff_html(before, after)
            )
        )
    return diffs


@dataclass
class Change:
    """One field changed by someone after a given version."""

    field: str
    label: str
    by: str
    at: datetime


def changes_since(*, article: Article, version: int) -> list[Change]:
    """Every field changed after ``version`` of ``article``, with who and when."""
    revisions = list(article.revisions.order_by("version", "id"))
    previous = next((r for r in reversed(revisions) if r.version <= version), None)
    changes: list[Change] = []
    for revision in revisions:
        if revision.version <= version:
            continue
        before = previous.snapshot if previous else {}
        who = user_display_name(revision.created_by)
        changes.extend(
            Change(name, field_label(name), who, revision.created_at)
            for name in snapshot_changes(before, revision.snapshot)
        )
        previous = revision
    return changes


def revisions_purge(*, older_than_days: int, keep: int) -> int:
    """Delete revisions older than ``older_than_days`` beyond the newest ``keep``.

    The live (published) revision and the latest revision of every article are never
    deleted. Returns how many revisions were deleted.
    """
    cutoff = timezone.now() - timedelta(days=older_than_days)
    keep = max(keep, 1)
    deleted = 0
    article_ids = (
        Revision.objects.filter(created_at__lt=cutoff)
        .values_list("article_id", flat=True)
        .distinct()
    )
    for article_id in list(article_ids):
        revisions = Revision.objects.filter(article_id=article_id).order_by(
            "-created_at", "-id"
        )
        kept = list(revisions.values_list("pk", flat=True)[:keep])
        deleted += (
            revisions.filter(created_at__lt=cutoff, is_live=False)
            .exclude(pk__in=kept)
            .delete()[0]
        )
    return deleted
