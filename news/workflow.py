"""三审 editorial workflow: who may move an article from which state to which.

Every path that changes an article's state (admin buttons, bulk actions, the API,
the import command) goes through the services here, which check the actor's
permission and the current state, record the transition and a revision, and write
the audit log. Content edits are ``news.services.article_update``.

An article on the site has a live version (the row: what every public page, feed,
search result and API response shows) and may have a draft over it (a revision,
``Article.draft_revision``, whose review state is ``Article.draft_status``). The
transitions below move the draft when there is one; only ``article_publish``
and ``article_unpublish`` change what readers see.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yantai.html import html_to_text
from yantai.text import join_list, join_sentences, stored_language

from . import notify, pagecache
from .accessibility import check_body, publication_note
from .models import (
    Article,
    ArticleEvent,
    AuditLog,
    Channel,
    Revision,
    SensitiveWord,
)
from .revisions import (
    CONTENT_KEYS,
    Gone,
    article_from_snapshot,
    article_snapshot,
    content_equal,
    content_saved_in,
    minute_text,
    revision_create,
    snapshot_images_missing,
    snapshot_tags,
    snapshots_gone,
    time_text,
    user_display_name,
    working_snapshot,
)
from .services import (
    ArticleConflict,
    article_discard_draft,
    article_update,
    article_write_content,
    audit_record,
    draft_write,
)

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

    Editing an article on the site only makes a draft over it, so editors may; work
    under review is edited by its reviewers, drafts by their editors.
    """
    if not user.has_perm("news.change_article"):
        return False
    if article is None or user.has_perm(PERM_PUBLISH):
        return True
    if article.editorial_status in REVIEW_STATES:
        return user.has_perm(PERM_REVIEW)
    return True


def duty_conflict(user: User, article: Article) -> str:
    """Why ``user`` may not approve ``article`` now ("" when they may).

    Separation of duties (``EDITORIAL_SEPARATION_OF_DUTIES``, on by default): the
    person who sent the work to review approves neither 初审 nor 复审, and 初审 and
    复审 are done by two different people. Counted from the latest 送审.
    """
    submitter, first_reviewer = _duty_holders(article)
    if submitter is not None and user.pk == submitter:
        return _("送审人不能审核自己送审的稿件，请由其他审核人员审核。")
    if first_reviewer is not None and user.pk == first_reviewer:
        return _("初审和复审须由不同的人完成：您已做过这篇稿件的初审。")
    return ""


def _duty_holders(article: Article) -> tuple[int | None, int | None]:
    """The user ids separation of duties keeps from approving ``article`` now:
    whoever sent it to review (in 初审 and 复审), and who did its 初审 (in 复审);
    None for each when the rule is off or does not apply. One query at most."""
    if not getattr(settings, "EDITORIAL_SEPARATION_OF_DUTIES", True):
        return None, None
    state = article.editorial_status
    if state not in (S.REVIEW_1, S.REVIEW_2):
        return None, None
    submitter, first_reviewer = None, None
    for event in article.events.order_by("-id").only("action", "from_status", "by"):
        if event.action == "approve" and event.from_status == S.REVIEW_1:
            first_reviewer = event.by_id
        if event.action == "submit":
            submitter = event.by_id
            break
    return submitter, (first_reviewer if state == S.REVIEW_2 else None)


def allowed_actions(user: User, article: Article) -> list[str]:
    """The transitions ``user`` may start on ``article`` now (for the buttons)."""
    if article.has_scheduled_draft:
        # The approved draft is frozen until it goes live: 终审 may only call it
        # back (取消定时) or take the live article off the site, which cancels it.
        if article.status == S.PUBLISHED and user.has_perm(PERM_PUBLISH):
            return ["cancel_schedule", "unpublish"]
        return []
    state = article.editorial_status
    actions = []
    if state in (S.DRAFT, S.UNPUBLISHED) and user.has_perm(PERM_SUBMIT):
        actions.append("submit")
    if (
        state in (S.REVIEW_1, S.REVIEW_2)
        and user.has_perm(PERM_REVIEW)
        and not duty_conflict(user, article)
    ):
        actions += ["approve", "reject"]
    elif state in (S.REVIEW_1, S.REVIEW_2) and user.has_perm(PERM_REVIEW):
        actions.append("reject")
    if state == S.REVIEW_3 and user.has_perm(PERM_PUBLISH):
        actions += ["publish", "reject"]
    if state == S.UNPUBLISHED and user.has_perm(PERM_PUBLISH):
        actions.append("publish")
    if article.status == S.PUBLISHED and user.has_perm(PERM_PUBLISH):
        actions.append("unpublish")
    if article.has_draft and (
        user.has_perm(PERM_PUBLISH)
        or (state == S.DRAFT and user.has_perm("news.change_article"))
    ):
        actions.append("discard")
    return actions


def _check(user: User | None, article: Article, action: str) -> None:
    if user is None:
        return  # the operator (demo loader, migrations): no account
    if not user.is_authenticated or not user.is_active:
        raise PermissionDenied(_("请先登录。"))
    if action in allowed_actions(user, article):
        return
    needed = {
        "submit": PERM_SUBMIT,
        "approve": PERM_REVIEW,
        "reject": PERM_PUBLISH
        if article.editorial_status == S.REVIEW_3
        else PERM_REVIEW,
        "publish": PERM_PUBLISH,
        "unpublish": PERM_PUBLISH,
        "cancel_schedule": PERM_PUBLISH,
    }[action]
    if not user.has_perm(needed):
        raise PermissionDenied(
            _("您没有权限对“%(title)s”执行此操作。") % {"title": article.title}
        )
    if article.has_scheduled_draft:
        raise WorkflowError(scheduled_refusal(article), code="scheduled")
    if action == "cancel_schedule":
        raise WorkflowError(
            _("“%(title)s”没有定时发布的修改稿。") % {"title": article.title}
        )
    if action == "approve" and (why := duty_conflict(user, article)):
        raise PermissionDenied(why)
    raise WorkflowError(
        _("“%(title)s”当前状态为“%(status)s”，不能执行此操作。")
        % {"title": article.title, "status": article.get_editorial_status_display()}
    )


def scheduled_refusal(article: Article) -> str:
    """Why the work on ``article`` cannot change now: its draft is scheduled."""
    return _(
        "“%(title)s”的修改稿已定时于 %(at)s 发布，定时期间不能修改或操作修改稿："
        "请先取消定时（回到待终审）。"
    ) % {"title": article.title, "at": minute_text(article.draft_go_live_at)}


def _lock(article: Article, expected_version: int | None = None) -> Article:
    """The row of ``article``, locked; ``expected_version``: the version the actor
    saw (the admin's page), refused if anyone has changed the article since."""
    locked = (
        Article.objects.select_for_update(of=("self",))
        .select_related("draft_revision", "live_revision")
        .get(pk=article.pk)
    )
    version_check(locked, expected_version)
    return locked


def version_check(locked: Article, expected_version: int | None) -> None:
    if expected_version is not None and locked.version != expected_version:
        raise ArticleConflict(
            _(
                "操作被拒绝：您打开这篇文章之后，别人已经修改了它（现在是版本 %(now)d，"
                "您看到的是版本 %(was)d）。请重新打开页面，核对后再操作。"
            )
            % {"now": locked.version, "was": expected_version},
            code="conflict",
        )


def _record(
    *,
    article: Article,
    by: User | None,
    action: str,
    from_status: str,
    to_status: str,
    comment: str,
    audit_action: str,
    summary: str,
) -> None:
    ArticleEvent.objects.create(
        article=article,
        action=action,
        from_status=from_status,
        to_status=to_status,
        comment=comment,
        by=by if by is not None and by.is_authenticated else None,
    )
    audit_record(
        user=by,
        action=audit_action,
        obj=article,
        summary=f"{summary}{'：' + comment if comment else ''}",
    )


def _transition(
    *,
    article: Article,
    by: User,
    action: str,
    to: str,
    comment: str,
    audit_action: str,
    expected_version: int | None = None,
) -> Article:
    """Move the editors' work to ``to``: the draft over a live article, else the row.

    Neither changes what readers see (publication and withdrawal are their own
    services below), so the row is written with ``update()``: no re-index, no
    cached page made stale, the live row's ``updated_at`` untouched.
    """
    locked = _lock(article, expected_version)
    _check(by, locked, action)
    from_status = locked.editorial_status
    with stored_language():
        summary = f"{S(from_status).label} → {S(to).label}"
    if locked.has_draft:
        draft_write(
            locked=locked,
            by=by,
            summary=summary,
            content=locked.draft_revision.snapshot,
            state=to,
        )
    else:
        locked.version += 1
        locked.status = to
        Article.objects.filter(pk=locked.pk).update(version=locked.version, status=to)
        revision_create(article=locked, by=by, summary=summary)
    _record(
        article=locked,
        by=by,
        action=action,
        from_status=from_status,
        to_status=to,
        comment=comment,
        audit_action=audit_action,
        summary=summary,
    )
    # Callers keep using the object they passed in; bring it up to date.
    article.refresh_from_db()
    _notify(article=article, by=by, action=action, comment=comment)
    return article


def _submitter(article: Article) -> int | None:
    """Who sent the work to review last (their user id), if anyone did."""
    return (
        article.events.filter(action="submit")
        .order_by("-id")
        .values_list("by", flat=True)
        .first()
    )


def _notify(
    *,
    article: Article,
    by: User,
    action: str,
    comment: str,
    at: datetime | None = None,
    revised: bool = False,
) -> None:
    """Mail the people the transition ``action`` of ``article`` (now in its new
    state) concerns, queued in its transaction (``news.notify``): whoever may take
    the next review step, less those ``duty_conflict`` keeps from it; the
    submitter (and the last writer of the work) of work sent back; the submitter
    of work published or scheduled, and the users who are one of its bylined
    people (我的通知; ``revised``: a new version of a live article, its 更新时间
    set by this publication). Never ``by``."""
    if action in ("submit", "approve"):
        state = article.editorial_status
        perm = PERM_PUBLISH if state == S.REVIEW_3 else PERM_REVIEW
        kept_from = [pk for pk in _duty_holders(article) if pk is not None]
        users = list(
            notify.users_with_perm(perm, exclude=[by.pk, *kept_from]).values_list(
                "pk", flat=True
            )
        )
        kind = {S.REVIEW_1: "review_1", S.REVIEW_2: "review_2"}.get(state, "review_3")
    elif action == "reject":
        saved = content_saved_in(article)
        users = [_submitter(article), saved.created_by_id if saved else None]
        kind = "reject"
    elif action in ("publish", "schedule"):
        users = [_submitter(article), *notify.bylined_users(article)]
        kind = "publish_revision" if revised and action == "publish" else action
    else:
        return
    notify.workflow_mail(
        kind=kind,
        article=article,
        title=work_title(article),
        by=by,
        user_ids=users,
        comment=comment,
        at=at,
    )


@transaction.atomic
def article_submit(
    *,
    article: Article,
    by: User,
    comment: str = "",
    expected_version: int | None = None,
) -> Article:
    """Send a draft to 初审 (待初审)."""
    return _transition(
        article=article,
        by=by,
        action="submit",
        to=S.REVIEW_1,
        comment=comment,
        audit_action=AuditLog.Action.SUBMIT,
        expected_version=expected_version,
    )


@transaction.atomic
def article_approve(
    *,
    article: Article,
    by: User,
    comment: str = "",
    expected_version: int | None = None,
) -> Article:
    """初审 → 复审, 复审 → 终审. The 终审 approval is ``article_publish``."""
    state = _lock(article, expected_version).editorial_status
    to = S.REVIEW_2 if state == S.REVIEW_1 else S.REVIEW_3
    return _transition(
        article=article,
        by=by,
        action="approve",
        to=to,
        comment=comment,
        audit_action=AuditLog.Action.APPROVE,
        expected_version=expected_version,
    )


@transaction.atomic
def article_reject(
    *, article: Article, by: User, comment: str, expected_version: int | None = None
) -> Article:
    """Send work under review back to draft; the reason is required."""
    if not comment.strip():
        raise ValidationError({"comment": _("退回时必须填写退回意见。")})
    return _transition(
        article=article,
        by=by,
        action="reject",
        to=S.DRAFT,
        comment=comment.strip(),
        audit_action=AuditLog.Action.REJECT,
        expected_version=expected_version,
    )


@transaction.atomic
def article_publish(
    *,
    article: Article,
    by: User,
    comment: str = "",
    at: datetime | None = None,
    override_reason: str = "",
    expected_version: int | None = None,
) -> Article:
    """终审: publish now, or at ``at`` / a future ``published_at`` (定时发布).

    What is published is the editors' work: the draft over a live article replaces
    the live version in this one transaction. 发布时间 is the article's own time: a
    time it already has (imported or typed) is kept, a first publication without
    one takes now; republishing a revised draft keeps it and sets 更新时间.
    Blocked while the 错敏字 check finds something, unless ``override_reason`` says
    why the wording is right; the reason is recorded with the transition. Tags,
    related articles and byline people the work names that were deleted since are
    published without (``snapshots_gone``): the timeline names them, and so does
    the returned article's ``gone_on_publish``, for the caller to tell the user. A
    channel deleted since refuses the publication.
    """
    return article_publish_content(
        article=article,
        by=by,
        comment=comment,
        at=at,
        override_reason=override_reason,
        expected_version=expected_version,
    )


@transaction.atomic
def article_publish_content(
    *,
    article: Article,
    by: User | None,
    comment: str = "",
    at: datetime | None = None,
    override_reason: str = "",
    via: str = "",
    reviewed: bool = True,
    expected_version: int | None = None,
) -> Article:
    """``article_publish``; ``by=None`` is the operator (demo content, no account).

    ``reviewed=False`` is the import command's ``--publish`` (moving an archive that
    was edited and approved elsewhere): the 终审发布 permission is still required and
    the 错敏字 check still applies, but not the 三审 steps before.
    """
    locked = _lock(article, expected_version)
    if reviewed:
        _check(by, locked, "publish")
    elif by is not None and not by.has_perm(PERM_PUBLISH):
        raise PermissionDenied(
            _("您没有权限对“%(title)s”执行此操作。") % {"title": locked.title}
        )
    if locked.has_scheduled_draft:
        # The import's publication (``reviewed=False``) does not pass ``_check``.
        raise WorkflowError(scheduled_refusal(locked), code="scheduled")
    content = working_snapshot(locked)
    work = article_from_snapshot(locked, content)
    now = timezone.now().replace(microsecond=0)
    findings, published_at = _publish_checks(
        locked, work, now=now, at=at, override_reason=override_reason
    )
    scheduled = published_at > now
    notes = [comment.strip()] if comment.strip() else []
    if via:
        notes.append(via)
    with stored_language():
        if findings:
            notes.append(
                _("错敏字强制发布理由：%(reason)s（%(list)s）")
                % {"reason": override_reason.strip(), "list": findings_text(findings)}
            )
        if scheduled:
            notes.append(_("定时发布：%(at)s") % {"at": minute_text(published_at)})
        # 无障碍检查 findings do not block (docs/architecture.md), but the timeline
        # keeps them; a scheduled publication's: the body that will go live.
        if barriers := publication_note(check_body(work.body)):
            notes.append(barriers)
    gone = _note_gone(content, notes)
    if scheduled and locked.is_published:
        scheduled_article = _schedule_draft(
            article=article,
            locked=locked,
            by=by,
            content=content,
            at=published_at,
            comment=comment,
            notes=notes,
        )
        scheduled_article.gone_on_publish = gone
        return scheduled_article
    revised = _go_live(
        locked=locked,
        by=by,
        responsible=by,
        content=content,
        published_at=published_at,
        revised_at=now,
        action="schedule" if scheduled else "publish",
        notes=notes,
    )
    article.refresh_from_db()
    article.gone_on_publish = gone
    if by is not None:
        _notify(
            article=article,
            by=by,
            action="schedule" if scheduled else "publish",
            comment=comment.strip(),
            at=published_at,
            revised=revised,
        )
    return article


def _note_gone(content: dict, notes: list) -> list[Gone]:
    """What ``content`` names that was deleted since (``snapshots_gone``), added to
    the publication's ``notes``: it is published without them, and says so
    (nothing can bring them back; refusing would only hold up the rest)."""
    gone = snapshots_gone([content])[0]
    if gone:
        with stored_language():
            notes.append(gone_note(gone))
    return gone


def gone_note(gone: list[Gone]) -> str:
    """The timeline's note of what a publication left out (``snapshots_gone``)."""
    return _("发布前已被删除：%(list)s") % {"list": join_list(gone)}


def gone_warning(title: str, gone: list[Gone]) -> str:
    """What the publisher is told of ``gone`` after publishing ``title`` (or, on
    the bulk confirmation page, before: it will be so)."""
    return _("“%(title)s”：以下内容已被删除：%(list)s") % {
        "title": title,
        "list": join_list(gone),
    }


def _go_live(
    *,
    locked: Article,
    by: User | None,
    responsible: User | None,
    content: dict,
    published_at: datetime,
    revised_at: datetime,
    action: str,
    notes: list,
) -> bool:
    """Make ``content`` (the editors' work) the live version of the locked row:
    the row, its relations, the pages beside it, a live revision and the record
    (``action`` by ``by``); ``responsible``: the 责任编辑 it names. Whether it is
    a new version of a live article (its 更新时间 set to ``revised_at``)."""
    content = {**content, "published_at": time_text(published_at)}
    if responsible is not None:
        content["responsible_editor"] = responsible.pk
    if locked.live_revision_id:
        previous = locked.live_revision.snapshot
    elif locked.has_draft and locked.status == S.PUBLISHED:
        # Published before revisions marked the live one: the row is that version.
        previous = article_snapshot(locked)
    else:
        previous = None
    revised = previous is not None and not content_equal(
        {**previous, "responsible_editor": None, "published_at": None},
        {**content, "responsible_editor": None, "published_at": None},
    )
    if revised:
        locked.revised_at = revised_at
    from_status = locked.editorial_status
    # Where the article stood on the site before (scheduled counts: it is some
    # article's next one): the pages beside that place change too.
    was = (
        (locked.channel_id, locked.published_at)
        if locked.status == S.PUBLISHED
        else None
    )
    locked.status = S.PUBLISHED
    locked.draft_revision = None
    locked.draft_status = ""
    locked.draft_go_live_at = None
    locked.version += 1
    article_write_content(article=locked, content=content)
    pagecache.article_neighbours_touch(locked, was=was)
    with stored_language():
        summary = f"{S(from_status).label} → {S.PUBLISHED.label}"
    revision_create(article=locked, by=by, summary=summary, is_live=True)
    _record(
        article=locked,
        by=by,
        action=action,
        from_status=from_status,
        to_status=S.PUBLISHED,
        comment="\n".join(str(n) for n in notes),
        audit_action=AuditLog.Action.SCHEDULE
        if action == "schedule"
        else AuditLog.Action.PUBLISH,
        summary=summary,
    )
    return revised


def _schedule_draft(
    *,
    article: Article,
    locked: Article,
    by: User | None,
    content: dict,
    at: datetime,
    comment: str,
    notes: list,
) -> Article:
    """终审 of the draft over a live article for the later time ``at`` (定时发布):
    the draft is approved and frozen; the live version stays on the site, as it
    is, until ``article_go_live`` (``publish_scheduled``) swaps the draft in."""
    from_status = locked.editorial_status
    with stored_language():
        summary = _("%(state)s → 定时发布（%(at)s）") % {
            "state": S(from_status).label,
            "at": minute_text(at),
        }
    # The draft as it was (a 发布时间 typed into it too, for 取消定时 to give back);
    # its author: who approved it, whose name the publication will carry.
    draft_write(
        locked=locked,
        by=by,
        summary=summary,
        content=content,
        state=S.REVIEW_3,
        draft_go_live_at=at,
    )
    _record(
        article=locked,
        by=by,
        action="schedule",
        from_status=from_status,
        to_status=S.PUBLISHED,
        comment="\n".join(str(n) for n in notes),
        audit_action=AuditLog.Action.SCHEDULE,
        summary=summary,
    )
    article.refresh_from_db()
    if by is not None:
        _notify(
            article=article, by=by, action="schedule", comment=comment.strip(), at=at
        )
    return article


@transaction.atomic
def article_cancel_schedule(
    *,
    article: Article,
    by: User,
    comment: str = "",
    expected_version: int | None = None,
) -> Article:
    """取消定时: the scheduled draft goes back to 待终审, as it was before 终审;
    the live version stays on the site."""
    locked = _lock(article, expected_version)
    _check(by, locked, "cancel_schedule")
    _unschedule(locked, by=by, comment=comment, action="cancel_schedule")
    article.refresh_from_db()
    return article


def _unschedule(locked: Article, *, by: User | None, comment: str, action: str) -> None:
    """Call the scheduled draft of ``locked`` back to 待终审 (a revision, the
    timeline and 操作日志 say so): 取消定时, or the live article withdrawn."""
    with stored_language():
        summary = _("取消定时发布（原定 %(at)s）→ %(state)s") % {
            "at": minute_text(locked.draft_go_live_at),
            "state": S.REVIEW_3.label,
        }
    draft_write(
        locked=locked,
        by=by,
        summary=summary,
        content=locked.draft_revision.snapshot,
        state=S.REVIEW_3,
        draft_go_live_at=None,
    )
    _record(
        article=locked,
        by=by,
        action=action,
        from_status=S.REVIEW_3,
        to_status=S.REVIEW_3,
        # The timeline shows 待终审 → 待终审: the note says what happened.
        comment=f"{summary}：{comment.strip()}" if comment.strip() else summary,
        audit_action=AuditLog.Action.CANCEL_SCHEDULE,
        summary=summary,
    )


@transaction.atomic
def article_go_live(*, article: Article, now: datetime | None = None) -> bool:
    """Publish the scheduled draft of ``article`` if its time has come (the
    ``publish_scheduled`` command); False when there is nothing to do (any more:
    published by another run, cancelled, not yet due).

    The same path as ``article_publish``: the row, search index, caches, figures,
    a live revision, the mail to the submitter. 发布时间 stays the article's own;
    更新时间 is the scheduled time, not the moment the command ran. The 错敏字 check
    was done when 终审 scheduled it (an override reason recorded then) and is not
    repeated: the draft has been frozen since, and nobody is there to answer a
    new finding; a word added to the list meanwhile is for the next edit.
    """
    now = now or timezone.now()
    locked = _lock(article)
    if not (locked.has_scheduled_draft and locked.has_draft):
        return False
    if locked.draft_go_live_at > now:
        return False
    at = locked.draft_go_live_at
    approver = locked.draft_revision.created_by
    with stored_language():
        note = _("定时发布到时自动上线（定于 %(at)s，终审：%(who)s）") % {
            "at": minute_text(at),
            "who": user_display_name(approver) if approver else _("系统"),
        }
    content = working_snapshot(locked)
    notes = [note]
    _note_gone(content, notes)
    typed = content.get("published_at")
    typed = datetime.fromisoformat(typed) if typed else None
    revised = _go_live(
        locked=locked,
        by=None,
        responsible=approver,
        content=content,
        # A revision does not move the article's own time (docs/architecture.md):
        # a 发布时间 typed into the draft that is not before the scheduled time was
        # the schedule, not a new 发布时间.
        published_at=typed if typed and typed < at else (locked.published_at or at),
        revised_at=at,
        action="publish",
        notes=notes,
    )
    article.refresh_from_db()
    if approver is not None:
        _notify(
            article=article,
            by=approver,
            action="publish",
            comment="",
            revised=revised,
        )
    return True


@dataclass
class GoLiveResult:
    published: list[Article]
    failed: list[tuple[Article, str]]  # the article and why it was not published


def scheduled_drafts_publish(*, now: datetime | None = None) -> GoLiveResult:
    """Publish every scheduled draft due at ``now`` (``article_go_live``), each in
    its own transaction, so that one refused leaves the others to go live.

    Safe to run on several servers at once: each row is locked for its publication
    and one locked by another run is skipped (``skip_locked``, where the database
    has it; SQLite serialises writers, and the row read again under the lock says
    whether it is still due), so every draft goes live once.
    """
    now = now or timezone.now()
    result = GoLiveResult([], [])
    for pk in list(Article.objects.go_live_due(now).values_list("pk", flat=True)):
        try:
            with transaction.atomic():
                row = (
                    Article.objects.select_for_update(skip_locked=True, of=("self",))
                    .filter(pk=pk)
                    .first()
                )
                if row is not None and article_go_live(article=row, now=now):
                    result.published.append(row)
        except ValidationError as error:
            row = Article.objects.filter(pk=pk).first()
            if row is not None:
                result.failed.append((row, join_sentences(error.messages)))
    return result


def _publish_checks(
    locked: Article,
    work: Article,
    *,
    now: datetime,
    at: datetime | None = None,
    override_reason: str = "",
    words: list[SensitiveWord] | None = None,
) -> tuple[list[Finding], datetime]:
    """What blocks publishing ``work`` (the working copy of ``locked``), raised as
    ``WorkflowError``; else its 错敏字 findings (overridden) and publication time
    (a future one over a live article schedules the draft: ``_schedule_draft``).
    ``words``: the active 错敏字, if the caller read them."""
    findings = wordcheck_article(work, words)
    if findings and not override_reason.strip():
        raise WorkflowError(
            _(
                "错敏字检查发现 %(n)d 处问题，请修改后再发布，或填写理由后强制发布：%(list)s"
            )
            % {"n": len(findings), "list": findings_text(findings)}
        )
    return findings, at or work.published_at or now


def publish_refusal(
    *,
    by: User,
    article: Article,
    work: Article | None = None,
    words: list[SensitiveWord] | None = None,
    channels: set[int] | None = None,
) -> str:
    """Why ``article_publish(article=article, by=by)`` would be refused now, "" if
    it would not (read only: the bulk 终审发布's confirmation page). ``article``: the
    row, with its ``draft_revision``; ``work`` its working copy as the snapshot has
    it (``lookups=False``), ``words`` the active 错敏字 and ``channels`` the ids of
    the existing channels among those the works name, when the caller has them
    (one read for a whole selection)."""
    try:
        _check(by, article, "publish")
        if work is None:
            content = working_snapshot(article)
            work = article_from_snapshot(article, content)
            channel_id = content.get("channel")
        else:
            channel_id = work.channel_id
        if channels is None:
            channels = set(
                Channel.objects.filter(pk=channel_id).values_list("pk", flat=True)
            )
        if channel_id not in channels:
            # Only a draft can name a deleted channel (an article's own is
            # protected); publishing it is refused (``article_write_content``).
            raise WorkflowError(_("该版本的栏目已被删除，请先选择栏目。"))
        _publish_checks(
            article, work, now=timezone.now().replace(microsecond=0), words=words
        )
    except (PermissionDenied, ValidationError) as error:
        if isinstance(error, ValidationError):
            return join_sentences(error.messages)
        return str(error)
    return ""


#: Revisions of each article the bulk 终审发布 confirmation page reads: who saved
#: the content is found among them unless the work went through more review steps
#: than this since (then that article's older revisions are read too).
CONFIRMATION_REVISIONS = 20


@dataclass
class PublishCandidate:
    """One article of a bulk 终审发布, as its confirmation page shows it."""

    article: Article  # the working copy: what would be published
    version: int
    state: str  # the 送审 state of the work (待终审…)
    content_by: str  # who saved the content that would be published, and when
    content_at: datetime | None
    step: str  # the work's latest revision: its summary (复审 → 待终审…) and who
    step_by: str
    refusal: str  # why it cannot be published ("" when it can)
    gone: list[Gone]  # what it names that was deleted since: published without
    # A draft over a live article with a future 发布时间: scheduled, not published
    # now (the live version stays until then).
    goes_live_at: datetime | None = None


def publish_candidates(*, by: User, articles) -> list[PublishCandidate]:
    """The articles of a bulk 终审发布 (their pks, or objects), each with what would
    be published and whether it can be (``publish_refusal``). Reads only, in the
    same number of queries whatever the selection (select-all on hundreds): the
    rows with their drafts, tags, bylines, related articles and newest revisions
    (``CONFIRMATION_REVISIONS`` of each; an article whose content was saved before
    more review steps than that reads the rest of its own), the covers and
    channels the works name, what they name that was deleted since
    (``snapshots_gone``) and the 错敏字 list, each read once."""
    from .models import Byline, Image, Revision
    from .revisions import content_saved_in, user_display_name

    rows = list(
        Article.objects.filter(pk__in=[getattr(a, "pk", a) for a in articles])
        .select_related("draft_revision__created_by", "channel")
        .prefetch_related(
            "tags",
            Prefetch("bylines", Byline.objects.select_related("person")),
            Prefetch("related_articles", Article.objects.only("pk")),
            # Only the newest of each (one windowed statement): an article's
            # history may run to hundreds of revisions, each with its snapshot.
            Prefetch(
                "revisions",
                Revision.objects.select_related("created_by").order_by(
                    "-version", "-id"
                )[:CONFIRMATION_REVISIONS],
                to_attr="newest_first",
            ),
        )
        .order_by("pk")
    )
    words = list(SensitiveWord.objects.filter(is_active=True))
    snapshots = {row.pk: working_snapshot(row) for row in rows}
    covers = Image.objects.in_bulk(
        {s["cover"] for s in snapshots.values() if s.get("cover")}
    )
    channels = set(
        Channel.objects.filter(
            pk__in={s.get("channel") for s in snapshots.values()}
        ).values_list("pk", flat=True)
    )
    gone = dict(zip(snapshots, snapshots_gone(list(snapshots.values())), strict=True))
    candidates = []
    for row in rows:
        work = article_from_snapshot(row, snapshots[row.pk], lookups=False)
        # What wordcheck_article reads of the cover (its caption); one deleted
        # since is no cover, as article_from_snapshot has it.
        work.cover = covers.get(work.cover_id)
        saved = content_saved_in(
            row,
            work=snapshots[row.pk],
            newest_first=row.newest_first,
            window=CONFIRMATION_REVISIONS,
        )
        latest = row.draft_revision or next(iter(row.newest_first), None)
        refusal = publish_refusal(
            by=by, article=row, work=work, words=words, channels=channels
        )
        scheduled = (
            row.is_published
            and work.published_at is not None
            and work.published_at > timezone.now()
        )
        work.status = row.status  # shown as working_copy shows it
        candidates.append(
            PublishCandidate(
                article=work if row.draft_revision_id else row,
                version=row.version,
                state=row.get_editorial_status_display(),
                content_by=user_display_name(saved.created_by) if saved else "",
                content_at=saved.created_at if saved else None,
                step=latest.summary if latest else "",
                step_by=user_display_name(latest.created_by) if latest else "",
                refusal=refusal,
                gone=gone[row.pk],
                goes_live_at=work.published_at if scheduled else None,
            )
        )
    return candidates


@transaction.atomic
def articles_publish(*, by: User, versions: dict[int, int]) -> list[Article]:
    """终审 of several articles at once (``versions``: pk → the version the 终审
    user confirmed), all or none.

    Refused, publishing nothing, when any article was changed (or deleted) since
    that version — the message names each — or when any cannot be published (its
    title and why): the user confirmed the set, not a part of it.
    """
    if not versions:
        raise ValidationError(_("没有选择要发布的文章。"), code="empty")
    locked = {
        a.pk: a
        for a in Article.objects.select_for_update(of=("self",))
        .select_related("draft_revision")
        .filter(pk__in=list(versions))
        .order_by("pk")
    }
    changed = []
    for pk, version in sorted(versions.items()):
        row = locked.get(pk)
        if row is None:
            changed.append(_("编号 %(pk)d 的文章（已被删除）") % {"pk": pk})
        elif row.version != version:
            changed.append(
                _("“%(title)s”（现在是版本 %(now)d，确认页上是版本 %(was)d）")
                % {"title": work_title(row), "now": row.version, "was": version}
            )
    if changed:
        raise ArticleConflict(
            _(
                "终审发布被拒绝：打开确认页之后，以下文章已被别人修改：%(list)s。"
                "没有发布任何文章；请重新选择文章，核对后再发布。"
            )
            % {"list": join_list(changed)},
            code="conflict",
        )
    published = []
    for pk, version in sorted(versions.items()):
        try:
            published.append(
                article_publish(article=locked[pk], by=by, expected_version=version)
            )
        except (PermissionDenied, ValidationError) as error:
            why = (
                join_sentences(error.messages)
                if isinstance(error, ValidationError)
                else str(error)
            )
            text = _(
                "终审发布被拒绝：“%(title)s”不能发布：%(why)s。没有发布任何文章。"
            ) % {"title": work_title(locked[pk]), "why": why.rstrip("。")}
            if isinstance(error, PermissionDenied):
                raise PermissionDenied(text) from error
            raise WorkflowError(text) from error
    return published


def work_title(article: Article) -> str:
    """The title of the editors' work on ``article``: its draft's, else its own."""
    if article.draft_revision_id:
        return article.draft_revision.snapshot.get("title") or article.title
    return article.title


@transaction.atomic
def article_unpublish(
    *,
    article: Article,
    by: User,
    comment: str = "",
    expected_version: int | None = None,
) -> Article:
    """Take a published article off the site (已撤下); a draft over it stays."""
    locked = _lock(article, expected_version)
    _check(by, locked, "unpublish")
    if locked.has_scheduled_draft:
        # Taken off the site, the article has no live version for the draft to
        # replace: the schedule ends, the draft waits at 待终审 again.
        with stored_language():
            why = str(_("文章已撤下"))
        _unschedule(locked, by=by, comment=why, action="cancel_schedule")
    locked.status = S.UNPUBLISHED
    locked.version += 1
    # updated_at too: the moment it left its channel's and tags' lists (sitemaps).
    locked.save(update_fields=["status", "version", "updated_at"])
    pagecache.article_neighbours_touch(locked)
    with stored_language():
        summary = f"{S.PUBLISHED.label} → {S.UNPUBLISHED.label}"
    revision_create(
        article=locked,
        by=by,
        summary=summary,
        snapshot={**article_snapshot(locked), "status": S.UNPUBLISHED},
    )
    _record(
        article=locked,
        by=by,
        action="unpublish",
        from_status=S.PUBLISHED,
        to_status=S.UNPUBLISHED,
        comment=comment,
        audit_action=AuditLog.Action.UNPUBLISH,
        summary=summary,
    )
    article.refresh_from_db()
    return article


@transaction.atomic
def article_discard(
    *,
    article: Article,
    by: User,
    comment: str = "",
    expected_version: int | None = None,
) -> Article:
    """Drop the draft over a live article; the live version stays as it is."""
    return article_discard_draft(
        article=article, by=by, comment=comment, expected_version=expected_version
    )


@transaction.atomic
def article_move_to_channel(*, article: Article, by: User, channel: Channel) -> Article:
    """Move ``article`` to ``channel``: an edit like any other (a draft if live)."""
    with stored_language():
        summary = _("移动栏目：%(new)s") % {"new": channel.name}
    article_update(article=article, by=by, values={"channel": channel}, summary=summary)
    return article


@dataclass
class RestoreResult:
    article: Article
    # Tags the revision names that exist no more (renamed before revisions kept
    # tag ids, or deleted): not restored, and said so.
    tags_missing: list[str]


@transaction.atomic
def revision_restore(*, revision: Revision, by: User) -> RestoreResult:
    """Bring back an old revision's content as the article's new draft.

    History is never rewritten: the restore is itself a new revision. On a live
    article it becomes the draft over the live version (which stays on the site);
    otherwise the article goes back to 草稿. Either way it is reviewed again.
    Tags renamed since come back under their new names (``snapshot_tags``); those
    that cannot be found are named in the new revision's summary and the result.
    A revision whose cover or body images were deleted from the library since is
    not restored (``snapshot_images_missing``): refused, naming them, nothing written.
    """
    article = Article.objects.get(pk=revision.article_id)
    if not can_edit(by, article):
        raise PermissionDenied(_("您没有权限恢复这篇文章的历史版本。"))
    data = revision.snapshot
    if not Channel.objects.filter(pk=data.get("channel")).exists():
        raise ValidationError(_("该版本的栏目已被删除，无法恢复。"))
    if images_missing := snapshot_images_missing(data):
        # Restored, the work would show images that are gone (on the site once
        # published): refused, unlike a missing tag, which only drops a link.
        raise ValidationError(
            _(
                "第 %(v)d 版用到的图片已从图片库删除，无法恢复：%(images)s。"
                "没有恢复任何内容。如需该版的文字，可在预览或版本对比中查看后复制，"
                "图片请重新从图片库选择。"
            )
            % {"v": revision.version, "images": join_list(images_missing)},
            code="images_missing",
        )
    values = {k: data[k] for k in CONTENT_KEYS if k in data}
    values["tags"], missing = snapshot_tags(data)
    with stored_language():
        summary = _("恢复第 %(v)d 版") % {"v": revision.version}
        if missing:
            summary += _("（未能恢复的标签：%(tags)s）") % {"tags": join_list(missing)}
    article_update(
        article=article,
        by=by,
        values=values,
        summary=summary,
        audit_action=AuditLog.Action.RESTORE,
        back_to_draft=True,
    )
    return RestoreResult(article, missing)


# --- 错敏字 check ----------------------------------------------------------------


@dataclass
class Finding:
    field: str
    wrong: str
    correct: str
    note: str
    context: str


def wordcheck_texts(
    texts: dict[str, str], words: list[SensitiveWord] | None = None
) -> list[Finding]:
    """Every occurrence of an active 错敏字 in ``texts`` (label → text), in order.

    ``words``: the active words, read once by a caller checking many articles
    (``news.bulk``); read here when not given.
    """
    if words is None:
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


def wordcheck_article(
    article: Article, words: list[SensitiveWord] | None = None
) -> list[Finding]:
    """错敏字 in the title, subtitle, summary, body and captions of ``article``
    (``words``: as ``wordcheck_texts``)."""
    # Lazy labels: a message names the field in the user's language, a stored
    # note (错敏字强制发布理由) in Chinese.
    texts = {
        gettext_lazy("引题"): article.kicker,
        gettext_lazy("标题"): article.title,
        gettext_lazy("副题"): article.subtitle,
        gettext_lazy("摘要"): article.summary,
        # Body text includes the captions of images inside the body.
        gettext_lazy("正文"): html_to_text(article.body or ""),
    }
    if article.cover_id:
        texts[gettext_lazy("封面图说明")] = article.cover.caption
    return wordcheck_texts(texts, words)


def findings_text(findings: list[Finding]) -> str:
    return "；".join(
        f"{f.field}“{f.wrong}”应为“{f.correct}”"
        if f.correct
        else f"{f.field}“{f.wrong}”"
        for f in findings
    )
