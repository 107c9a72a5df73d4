"""Writes of the news app that touch several rows."""

from __future__ import annotations

import hashlib
from html import escape
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from yantai.html import sanitize_html

from .models import Article, ArticleEvent, AuditLog, Byline, Channel, Person

if TYPE_CHECKING:
    from django.contrib.auth.models import User
from .parsing import ParsedPage


def page_import_key(page: ParsedPage) -> str:
    """Identity of an imported page: the same title and time is the same article."""
    raw = f"{page.title.strip()}|{page.published_at.isoformat()}"
    return hashlib.sha256(raw.encode()).hexdigest()


def page_body_html(page: ParsedPage) -> str:
    """Body blocks as the HTML the editor uses: headings stay ``<h2>``, paragraphs ``<p>``."""
    parts = []
    for block in page.blocks:
        tag = "h2" if block.type == "heading" else "p"
        parts.append(f"<{tag}>{escape(block.text, quote=False)}</{tag}>")
    return "".join(parts)


def person_get_or_create(*, name: str) -> Person:
    """The person named ``name``; the first of several namesakes if there are more."""
    person = Person.objects.filter(name=name).order_by("id").first()
    return person or Person.objects.create(name=name)


def article_draft_from_page(*, page: ParsedPage, channel: Channel) -> Article:
    """An unsaved draft prefilled from ``page`` (used by the admin's paste import)."""
    return Article(
        title=page.title,
        subtitle=page.subtitle,
        source=page.source or "烟台日报",
        source_url=page.source_url,
        published_at=page.published_at,
        body=page_body_html(page),
        channel=channel,
        status=Article.Status.DRAFT,
    )


@transaction.atomic
def article_import_page(
    *,
    page: ParsedPage,
    channel: Channel,
    publish: bool = False,
    by: User | None = None,
) -> tuple[Article, bool]:
    """Create or update the article of an imported page; return it and whether it is new.

    Re-importing the same page updates the article in place (never a duplicate) and
    replaces its bylines with the page's. Without ``publish`` (the only choice the
    admin offers) the result is always a draft: imported text that changes an article
    under review or on the site sends it back through review. ``publish`` is for the
    command line (migrations of old archives) and the demo content: ``by``, when given,
    must hold the 终审发布 permission, and the 错敏字 check applies as it does to a
    publication in the admin (no override here: fix the text, or publish in the admin
    with a reason).
    """
    from .workflow import PERM_PUBLISH, findings_text, wordcheck_article

    if publish and by is not None and not by.has_perm(PERM_PUBLISH):
        raise PermissionDenied(
            _("%(user)s 没有“终审发布”权限，不能直接发布。")
            % {"user": by.get_username()}
        )
    key = page_import_key(page)
    article = Article.objects.filter(import_key=key).first()
    created = article is None
    if created:
        article = Article(import_key=key)
    draft = article_draft_from_page(page=page, channel=channel)
    credits = [(c.role, c.name, c.prefix) for c in page.credits]
    if not created and not _page_changes(article, draft, credits, publish):
        return article, False
    for field in IMPORTED_FIELDS:
        setattr(article, field, getattr(draft, field))
    article.body = sanitize_html(article.body)
    from_status = article.status
    article.status = Article.Status.PUBLISHED if publish else Article.Status.DRAFT
    if not created:
        article.version += 1
    article.full_clean(exclude=["import_key"])
    if publish and (findings := wordcheck_article(article)):
        raise ValidationError(
            {"__all__": [_("错敏字检查未通过：%s") % findings_text(findings)]}
        )
    article.save()
    article_set_credits(article=article, credits=credits)
    from .revisions import revision_create

    revision_create(
        article=article,
        by=by,
        summary=str(_("导入")),
        is_live=article.status == Article.Status.PUBLISHED,
    )
    if not created and from_status != article.status:
        ArticleEvent.objects.create(
            article=article,
            action="import",
            from_status=from_status,
            to_status=article.status,
            comment=str(_("重新导入网页文本")),
            by=by if by is not None and by.is_authenticated else None,
        )
    audit_record(
        user=by,
        action=AuditLog.Action.IMPORT,
        obj=article,
        summary=str(_("新导入") if created else _("重新导入并更新")),
    )
    return article, created


IMPORTED_FIELDS = (
    "title",
    "subtitle",
    "source",
    "source_url",
    "published_at",
    "body",
    "channel",
)


def _page_changes(
    article: Article, draft: Article, credits: list[tuple[str, str, str]], publish: bool
) -> bool:
    """Whether importing the page again would change ``article`` (keeps re-runs no-ops)."""
    draft.body = sanitize_html(draft.body)
    if any(getattr(article, f) != getattr(draft, f) for f in IMPORTED_FIELDS):
        return True
    if publish and article.status != Article.Status.PUBLISHED:
        return True
    current = [
        (b.role, b.person.name, b.prefix)
        for b in article.bylines.select_related("person")
    ]
    return current != _unique_credits(credits)


def _unique_credits(credits: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    seen: set[tuple[str, str]] = set()
    unique = []
    for role, name, prefix in credits:
        if (name, role) not in seen:
            seen.add((name, role))
            unique.append((role, name, prefix))
    return unique


def article_set_credits(
    *, article: Article, credits: list[tuple[str, str, str]]
) -> None:
    """Replace the bylines of ``article`` with ``(role, name, prefix)`` in printed order."""
    article.bylines.all().delete()
    Byline.objects.bulk_create(
        Byline(
            article=article,
            person=person_get_or_create(name=name),
            role=role,
            prefix=prefix,
            order=order,
        )
        for order, (role, name, prefix) in enumerate(_unique_credits(credits))
    )


def audit_record(
    *,
    user: User | None,
    action: str,
    obj: models.Model | None = None,
    summary: str = "",
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditLog:
    """Record one editorial action (who, what, which object, what changed).

    Other apps call this for their own objects too (e.g. an image upload:
    ``audit_record(user=u, action=AuditLog.Action.UPLOAD, obj=image)``).
    """
    if obj is not None:
        object_type = object_type or obj._meta.verbose_name
        object_id = object_id or str(obj.pk or "")
        object_repr = object_repr or str(obj)
    return AuditLog.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        action=action,
        object_type=str(object_type)[:50],
        object_id=str(object_id)[:50],
        object_repr=str(object_repr)[:200],
        summary=summary,
    )
