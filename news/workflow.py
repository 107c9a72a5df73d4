"""三审 editorial workflow: who may move an article from which state to which.

Every path that changes an article's state (admin buttons, bulk actions, later the
API) goes through the services here, which check the actor's permission and the
current state, record the transition and a revision, and write the audit log.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from yantai.html import html_to_text

from .models import (
    Article,
    ArticleEvent,
    AuditLog,
    Channel,
    Image,
    Revision,
    SensitiveWord,
)
from .revisions import SNAPSHOT_FIELDS, revision_create
from .services import audit_record

if TYPE_CHECKING:
    from django.contrib.auth.models import User

S = Article.Status
REVIEW_STATES = (S.REVIEW_1, S.REVIEW_2, S.REVIEW_3)
PERM_SUBMIT = "news.submit_article"
PERM_REVIEW = "news.review_article"
PERM_PUBLISH = "news.publish_article"


class WorkflowError(ValidationError):
    """A transition not allowed from the article's current state."""


def can_edit(user: User, article: Article | None = None) -> bool:
    """Whether ``user`` may change the content of ``article`` in its current state.

    Editing a live article changes what the public reads, so only 终审 may; an
    article under review is edited by its reviewers, a draft by its editors.
    """
    if not user.has_perm("news.change_article"):
        return False
    if article is None or user.has_perm(PERM_PUBLISH):
        return True
    if article.status in (S.DRAFT, S.UNPUBLISHED):
        return True
    if article.status in REVIEW_STATES:
        return user.has_perm(PERM_REVIEW)
    return False


def allowed_actions(user: User, article: Article) -> list[str]:
    """The transitions ``user`` may start on ``article`` now (for the buttons)."""
    status = article.status
    actions = []
    if status in (S.DRAFT, S.UNPUBLISHED) and user.has_perm(PERM_SUBMIT):
        actions.append("submit")
    if status in (S.REVIEW_1, S.REVIEW_2) and user.has_perm(PERM_REVIEW):
        actions += ["approve", "reject"]
    if status == S.REVIEW_3 and user.has_perm(PERM_PUBLISH):
        actions += ["publish", "reject"]
    if status == S.UNPUBLISHED and user.has_perm(PERM_PUBLISH):
        actions.append("publish")
    if status == S.PUBLISHED and user.has_perm(PERM_PUBLISH):
        actions.append("unpublish")
    return actions


def _check(user: User, article: Article, action: str) -> None:
    if not user.is_authenticated or not user.is_active:
        raise PermissionDenied(_("请先登录。"))
    if action in allowed_actions(user, article):
        return
    needed = {
        "submit": PERM_SUBMIT,
        "approve": PERM_REVIEW,
        "reject": PERM_PUBLISH if article.status == S.REVIEW_3 else PERM_REVIEW,
        "publish": PERM_PUBLISH,
        "unpublish": PERM_PUBLISH,
    }[action]
    if not user.has_perm(needed):
        raise PermissionDenied(
            _("您没有权限对“%(title)s”执行此操作。") % {"title": article.title}
        )
    raise WorkflowError(
        _("“%(title)s”当前状态为“%(status)s”，不能执行此操作。")
        % {"title": article.title, "status": article.get_status_display()}
    )


def _transition(
    *,
    article: Article,
    by: User,
    action: str,
    to: str,
    comment: str,
    audit_action: str,
    extra_fields: dict | None = None,
    event_action: str = "",
) -> Article:
    """Lock the row, move it to ``to``, record event, revision and audit entry."""
    locked = Article.objects.select_for_update().get(pk=article.pk)
    _check(by, locked, action)
    from_status = locked.status
    locked.status = to
    for name, value in (extra_fields or {}).items():
        setattr(locked, name, value)
    locked.version = F("version") + 1
    locked.full_clean(exclude=["version", "import_key"])
    locked.save()
    locked.refresh_from_db()
    ArticleEvent.objects.create(
        article=locked,
        action=event_action or action,
        from_status=from_status,
        to_status=to,
        comment=comment,
        by=by,
    )
    summary = f"{S(from_status).label} → {S(to).label}"
    revision_create(
        article=locked,
        by=by,
        summary=summary,
        is_live=to == S.PUBLISHED,
    )
    audit_record(
        user=by,
        action=audit_action,
        obj=locked,
        summary=f"{summary}{'：' + comment if comment else ''}",
    )
    # Callers keep using the object they passed in; bring it up to date.
    article.refresh_from_db()
    return article


@transaction.atomic
def article_submit(*, article: Article, by: User, comment: str = "") -> Article:
    """Send a draft to 初审 (待初审)."""
    return _transition(
        article=article,
        by=by,
        action="submit",
        to=S.REVIEW_1,
        comment=comment,
        audit_action=AuditLog.Action.SUBMIT,
    )


@transaction.atomic
def article_approve(*, article: Article, by: User, comment: str = "") -> Article:
    """初审 → 复审, 复审 → 终审. The 终审 approval is ``article_publish``."""
    status = Article.objects.values_list("status", flat=True).get(pk=article.pk)
    to = S.REVIEW_2 if status == S.REVIEW_1 else S.REVIEW_3
    return _transition(
        article=article,
        by=by,
        action="approve",
        to=to,
        comment=comment,
        audit_action=AuditLog.Action.APPROVE,
    )


@transaction.atomic
def article_reject(*, article: Article, by: User, comment: str) -> Article:
    """Send an article under review back to draft; the reason is required."""
    if not comment.strip():
        raise ValidationError({"comment": _("退回时必须填写退回意见。")})
    return _transition(
        article=article,
        by=by,
        action="reject",
        to=S.DRAFT,
        comment=comment.strip(),
        audit_action=AuditLog.Action.REJECT,
    )


@transaction.atomic
def article_publish(
    *,
    article: Article,
    by: User,
    comment: str = "",
    at: datetime | None = None,
    override_reason: str = "",
) -> Article:
    """终审: publish now, or at ``at`` / a future ``published_at`` (定时发布).

    Blocked while the 错敏字 check finds something, unless ``override_reason`` says
    why the wording is right; the reason is recorded with the transition.
    """
    _check(by, article, "publish")
    findings = wordcheck_article(article)
    if findings and not override_reason.strip():
        raise WorkflowError(
            _(
                "错敏字检查发现 %(n)d 处问题，请修改后再发布，或填写理由后强制发布：%(list)s"
            )
            % {"n": len(findings), "list": findings_text(findings)}
        )
    now = timezone.now()
    published_at = at or article.published_at
    if published_at is None or (at is None and published_at <= now):
        published_at = now
    scheduled = published_at > now
    notes = [comment.strip()] if comment.strip() else []
    if findings:
        notes.append(
            _("错敏字强制发布理由：%(reason)s（%(list)s）")
            % {"reason": override_reason.strip(), "list": findings_text(findings)}
        )
    if scheduled:
        notes.append(
            _("定时发布：%(at)s")
            % {"at": timezone.localtime(published_at).strftime("%Y-%m-%d %H:%M")}
        )
    return _transition(
        article=article,
        by=by,
        action="publish",
        event_action="schedule" if scheduled else "publish",
        to=S.PUBLISHED,
        comment="\n".join(notes),
        audit_action=AuditLog.Action.SCHEDULE if scheduled else AuditLog.Action.PUBLISH,
        extra_fields={"published_at": published_at, "responsible_editor": by},
    )


@transaction.atomic
def article_unpublish(*, article: Article, by: User, comment: str = "") -> Article:
    """Take a published article off the site (已撤下)."""
    return _transition(
        article=article,
        by=by,
        action="unpublish",
        to=S.UNPUBLISHED,
        comment=comment,
        audit_action=AuditLog.Action.UNPUBLISH,
    )


@transaction.atomic
def article_move_to_channel(*, article: Article, by: User, channel: Channel) -> Article:
    """Move ``article`` to ``channel`` (an edit: same rules as the change form)."""
    locked = Article.objects.select_for_update().get(pk=article.pk)
    if not can_edit(by, locked):
        raise PermissionDenied(
            _("您没有权限修改“%(title)s”。") % {"title": locked.title}
        )
    if locked.channel_id == channel.pk:
        return locked
    old = locked.channel.name
    locked.channel = channel
    locked.version = F("version") + 1
    locked.save()
    locked.refresh_from_db()
    revision_create(article=locked, by=by, summary=_("移动栏目"))
    audit_record(
        user=by,
        action=AuditLog.Action.EDIT,
        obj=locked,
        summary=_("栏目：%(old)s → %(new)s") % {"old": old, "new": channel.name},
    )
    return locked


@transaction.atomic
def revision_restore(*, revision: Revision, by: User) -> Article:
    """Copy an old revision's content into the article as a new draft revision.

    History is never rewritten: the restore is itself a new revision, and the article
    goes back to draft so that the restored text is reviewed again.
    """
    article = Article.objects.select_for_update().get(pk=revision.article_id)
    if not can_edit(by, article):
        raise PermissionDenied(_("您没有权限恢复这篇文章的历史版本。"))
    data = revision.snapshot
    for name in SNAPSHOT_FIELDS:
        if name in ("channel", "cover", "responsible_editor"):
            setattr(article, f"{name}_id", data.get(name))
        elif name in ("published_at", "expires_at"):
            value = data.get(name)
            setattr(article, name, datetime.fromisoformat(value) if value else None)
        else:
            setattr(article, name, data.get(name, getattr(article, name)))
    if not Channel.objects.filter(pk=article.channel_id).exists():
        raise ValidationError(_("该版本的栏目已被删除，无法恢复。"))
    # Images and users deleted since are dropped rather than breaking the restore.
    if article.cover_id and not Image.objects.filter(pk=article.cover_id).exists():
        article.cover_id = None
    if (
        article.responsible_editor_id
        and not get_user_model()
        .objects.filter(pk=article.responsible_editor_id)
        .exists()
    ):
        article.responsible_editor_id = None
    from_status = article.status
    article.status = S.DRAFT
    article.version = F("version") + 1
    article.full_clean(exclude=["version", "import_key", "cover", "responsible_editor"])
    article.save()
    article.refresh_from_db()
    article.tags.set(article.tags.model.objects.filter(name__in=data.get("tags", [])))
    from .services import article_set_credits

    article_set_credits(
        article=article,
        credits=[(b["role"], b["name"], b["prefix"]) for b in data.get("bylines", [])],
    )
    summary = _("恢复第 %(v)d 版") % {"v": revision.version}
    revision_create(article=article, by=by, summary=summary)
    if from_status != S.DRAFT:
        ArticleEvent.objects.create(
            article=article,
            action="restore",
            from_status=from_status,
            to_status=S.DRAFT,
            comment=summary,
            by=by,
        )
    audit_record(user=by, action=AuditLog.Action.RESTORE, obj=article, summary=summary)
    return article


# --- 错敏字 check ----------------------------------------------------------------


@dataclass
class Finding:
    field: str
    wrong: str
    correct: str
    note: str
    context: str


def wordcheck_texts(texts: dict[str, str]) -> list[Finding]:
    """Every occurrence of an active 错敏字 in ``texts`` (label → text), in order."""
    words = list(SensitiveWord.objects.filter(is_active=True))
    findings = []
    for label, text in texts.items():
        if not text:
            continue
        for word in words:
            for match in re.finditer(re.escape(word.wrong), text):
                start, end = match.span()
                context = (
                    ("…" if start > 12 else "")
                    + text[max(0, start - 12) : end + 12].replace("\n", " ")
                    + ("…" if end + 12 < len(text) else "")
                )
                findings.append(
                    Finding(label, word.wrong, word.correct, word.note, context)
                )
    return findings


def wordcheck_article(article: Article) -> list[Finding]:
    """错敏字 in the title, subtitle, summary, body and captions of ``article``."""
    texts = {
        _("引题"): article.kicker,
        _("标题"): article.title,
        _("副题"): article.subtitle,
        _("摘要"): article.summary,
        # Body text includes the captions of images inside the body.
        _("正文"): html_to_text(article.body or ""),
    }
    if article.cover_id:
        texts[_("封面图说明")] = article.cover.caption
    return wordcheck_texts(texts)


def findings_text(findings: list[Finding]) -> str:
    return "；".join(
        f"{f.field}“{f.wrong}”应为“{f.correct}”"
        if f.correct
        else f"{f.field}“{f.wrong}”"
        for f in findings
    )
