"""Writes of the news app: every write of an article goes through here or workflow.py.

The admin, the API, the import command and the bulk actions call these functions
and nothing else; each runs in one transaction, checks the actor's permission and
records a revision and an audit entry.
"""

from __future__ import annotations

import hashlib
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import OperationalError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yantai.locks import is_busy, waiting_at_most
from yantai.text import join_list, stored, stored_language

from .models import (
    Article,
    ArticleDailyViews,
    ArticleEvent,
    AuditLog,
    Byline,
    Channel,
    Image,
    NotificationSetting,
    Person,
    Revision,
    SiteSettings,
    Tag,
)
from .parsing import ParsedPage
from .revisions import (
    CONTENT_KEYS,
    DATETIME_FIELDS,
    FK_FIELDS,
    SNAPSHOT_FIELDS,
    article_from_snapshot,
    article_snapshot,
    content_equal,
    field_label,
    revision_create,
    snapshot_display,
    time_text,
    working_snapshot,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def named_messages(error: ValidationError) -> list[str]:
    """The messages of an article's ``ValidationError``, each after its field's
    name as editors know it ("标题：…"), not the column's ("title: …")."""
    if not hasattr(error, "error_dict"):
        return error.messages
    named = []
    for name, errors in error.message_dict.items():
        try:
            label = Article._meta.get_field(name).verbose_name
        except FieldDoesNotExist:
            label = ""
        named += [f"{label}：{message}" if label else message for message in errors]
    return named


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
        source=page.source,
        source_url=page.source_url,
        published_at=page.published_at,
        body=page_body_html(page),
        channel=channel,
        status=Article.Status.DRAFT,
    )


IMPORTED_FIELDS = (
    "title",
    "subtitle",
    "source",
    "source_url",
    "published_at",
    "body",
    "channel",
)


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
    _write_bylines(
        article,
        [
            {"person": None, "name": name, "role": role, "prefix": prefix, "order": i}
            for i, (role, name, prefix) in enumerate(_unique_credits(credits))
        ],
    )


# --- one write path for article content ---------------------------------------------


REVIEW_STATES = (
    Article.Status.REVIEW_1,
    Article.Status.REVIEW_2,
    Article.Status.REVIEW_3,
)


class ArticleConflict(ValidationError):
    """Somebody saved the article after the version the writer started from."""


@dataclass
class SaveResult:
    article: Article
    changed: bool
    drafted: bool  # went to the draft over the live version, not the row


def content_from_values(*, base: dict, values: dict) -> dict:
    """``base`` (a snapshot) with ``values`` from a form or serializer applied.

    Values may be model instances, ids, datetimes or querysets, as forms give them;
    the result is a snapshot (JSON-ready), normalised so that equal content compares
    equal whatever path it came through.
    """
    data = dict(base)
    for name, value in values.items():
        if name in FK_FIELDS:
            data[name] = getattr(value, "pk", value)
            if name == "channel":
                channel = value if isinstance(value, Channel) else None
                if channel is None and value is not None:
                    channel = Channel.objects.filter(pk=value).first()
                data["channel_name"] = channel.name if channel else ""
        elif name in DATETIME_FIELDS:
            if isinstance(value, str):
                value = datetime.fromisoformat(value)
            data[name] = time_text(value)
        elif name == "tags":
            # Named, with their ids (which a rename keeps: ``snapshot_tags``).
            tags = {
                t if isinstance(t, str) else t.name: None
                if isinstance(t, str)
                else t.pk
                for t in (value or [])
            }
            if unknown := [n for n, pk in tags.items() if pk is None]:
                tags.update(
                    Tag.objects.filter(name__in=unknown).values_list("name", "pk")
                )
            data["tags"] = sorted(tags)
            data["tag_ids"] = {n: tags[n] for n in sorted(tags) if tags[n] is not None}
        elif name == "related_articles":
            data["related_articles"] = sorted(
                {getattr(a, "pk", a) for a in (value or [])}
            )
        elif name == "bylines":
            data["bylines"] = _normal_bylines(value or [])
        elif name in SNAPSHOT_FIELDS:
            data[name] = value
        else:
            raise ValueError(f"not an article content field: {name}")
    return data


def _normal_bylines(rows: list[dict]) -> list[dict]:
    """Bylines as snapshots keep them: person id and name, in printed order."""
    out, seen = [], set()
    for row in sorted(rows, key=lambda r: r.get("order") or 0):
        person = row.get("person")
        if isinstance(person, Person):
            person_id, name = person.pk, person.name
        else:
            person_id = person
            name = row.get("name") or ""
            if not person_id and name:
                # Named only (imported page text): the person of that name, as
                # person_get_or_create() will pick when the bylines are written.
                person_id = (
                    Person.objects.filter(name=name)
                    .order_by("id")
                    .values_list("pk", flat=True)
                    .first()
                )
            if person_id and not name:
                name = (
                    Person.objects.filter(pk=person_id)
                    .values_list("name", flat=True)
                    .first()
                    or ""
                )
        if (person_id or name, row["role"]) in seen:
            continue
        seen.add((person_id or name, row["role"]))
        out.append(
            {
                "person": person_id,
                "name": name,
                "role": row["role"],
                "prefix": row.get("prefix") or "",
                "order": len(out),
            }
        )
    return out


def _checked_content(article: Article, content: dict) -> dict:
    """Derive (slug, summary, clean body) and validate ``content`` as the model would.

    Raises ``ValidationError`` with the model's messages; returns the snapshot of the
    validated copy, so drafts hold exactly what a save of the row would hold.
    """
    copy = article_from_snapshot(article, content)
    copy.fill_derived_fields()
    copy.full_clean(exclude=["version", "import_key", "status", "draft_status"])
    result = dict(content)
    for name in ("slug", "summary", "body"):
        result[name] = getattr(copy, name)
    return result


def _write_bylines(article: Article, bylines: list[dict]) -> None:
    current = [
        (b.person_id, b.role, b.prefix, b.order)
        for b in article.bylines.order_by("order", "id")
    ]
    rows = []
    for order, b in enumerate(bylines):
        person_id = b.get("person")
        if not person_id:  # named only (page text): the person of that name
            person_id = person_get_or_create(name=b["name"]).pk
        elif not Person.objects.filter(pk=person_id).exists():
            # The person it named was deleted since: a person of that name of its
            # own, never a namesake (another 张伟, whose page would list it).
            person_id = Person.objects.create(name=b["name"]).pk
        rows.append((person_id, b["role"], b.get("prefix") or "", order))
    if rows == current:
        return  # no delete/insert: no signals, no re-index
    article.bylines.all().delete()
    Byline.objects.bulk_create(
        Byline(article=article, person_id=p, role=r, prefix=x, order=o)
        for p, r, x, o in rows
    )


def article_write_content(*, article: Article, content: dict) -> None:
    """Write ``content`` (a snapshot) into the row of ``article`` and its relations.

    Used by the services below only: for an article on the site that is publishing.
    """

    for name in SNAPSHOT_FIELDS:
        if name in FK_FIELDS:
            setattr(article, f"{name}_id", content.get(name))
        elif name in DATETIME_FIELDS:
            value = content.get(name)
            setattr(article, name, datetime.fromisoformat(value) if value else None)
        else:
            setattr(article, name, content.get(name, getattr(article, name)))
    if not Channel.objects.filter(pk=article.channel_id).exists():
        raise ValidationError(_("该版本的栏目已被删除，请先选择栏目。"))
    # Images and users deleted since are dropped rather than failing the write.
    if article.cover_id and not Image.objects.filter(pk=article.cover_id).exists():
        article.cover_id = None
    if (
        article.responsible_editor_id
        and not get_user_model()
        .objects.filter(pk=article.responsible_editor_id)
        .exists()
    ):
        article.responsible_editor_id = None
    article.full_clean(exclude=["version", "import_key", "cover", "responsible_editor"])
    article.save()
    tags = Tag.objects.filter(name__in=content.get("tags", []))
    if set(article.tags.values_list("pk", flat=True)) != {t.pk for t in tags}:
        article.tags.set(tags)
    related = Article.objects.filter(
        pk__in=content.get("related_articles", [])
    ).exclude(pk=article.pk)
    if set(article.related_articles.values_list("pk", flat=True)) != {
        a.pk for a in related
    }:
        article.related_articles.set(related)
    _write_bylines(article, content.get("bylines", []))


@transaction.atomic
def draft_write(
    *, locked: Article, by: User | None, summary: str, content: dict, state: str, **row
) -> Revision:
    """Make ``content`` in ``state`` the new draft revision over the locked row
    (its version moved on), with ``row``'s other draft fields. Not save(): the row
    is the live version; its updated_at, signals (search index, page cache) and
    everything readers see stay as they are."""
    locked.version += 1
    revision = revision_create(
        article=locked, by=by, summary=summary, snapshot={**content, "status": state}
    )
    Article.objects.filter(pk=locked.pk).update(
        version=locked.version, draft_revision=revision, draft_status=state, **row
    )
    locked.draft_revision, locked.draft_status = revision, state
    for field, value in row.items():
        setattr(locked, field, value)
    return revision


def article_create(
    *,
    by: User | None,
    values: dict,
    summary: str = "",
    audit_action: str = AuditLog.Action.CREATE,
    import_key: str | None = None,
) -> Article:
    """A new draft with ``values`` (form or serializer values), its first revision
    and an audit entry. Every new article starts as a draft."""
    from .workflow import can_edit

    if by is not None and not can_edit(by):
        raise PermissionDenied(_("您没有新建文章的权限。"))
    base = {"bylines": [], "tags": [], "related_articles": []}
    content = content_from_values(base=base, values=values)
    article = Article(status=Article.Status.DRAFT, import_key=import_key, version=1)
    article.channel_id = content.get("channel")
    content = _checked_content(article, content)
    article_write_content(article=article, content=content)
    with stored_language():
        summary = summary or str(_("新建"))
    revision_create(article=article, by=by, summary=summary)
    audit_record(user=by, action=audit_action, obj=article, summary=summary)
    return article


@transaction.atomic
def article_update(
    *,
    article: Article,
    by: User | None,
    values: dict,
    summary: str = "",
    expected_version: int | None = None,
    audit_action: str = AuditLog.Action.EDIT,
    check_permission: bool = True,
    back_to_draft: bool = False,
) -> SaveResult:
    """Save an editor's changes of ``article``.

    A draft or an article under review changes in place. An article on the site
    (or one that already has a draft) keeps its live version untouched: the
    changes go to its draft revision, which goes through review and replaces the
    live version only when 终审 publishes it. A withdrawn article that is changed
    goes back to draft, so that nothing unreviewed can be republished. Saving what
    is already there writes nothing. ``back_to_draft``: the work returns to 草稿
    whatever its review state (a restored old version is reviewed again).
    """
    from .workflow import can_edit

    locked = (
        Article.objects.select_for_update(of=("self",))
        .select_related("draft_revision")
        .get(pk=article.pk)
    )
    if check_permission and (by is None or not can_edit(by, locked)):
        raise PermissionDenied(
            _("您不能修改处于“%(status)s”状态的“%(title)s”。")
            % {
                "status": locked.get_editorial_status_display(),
                "title": locked.title,
            }
        )
    if expected_version is not None and locked.version != expected_version:
        raise ArticleConflict(
            _(
                "该文章已被他人修改（版本 %(now)d，您打开的是版本 %(was)d），请重新打开后再修改。"
            )
            % {"now": locked.version, "was": expected_version},
            code="conflict",
        )
    current = working_snapshot(locked)
    content = _checked_content(locked, content_from_values(base=current, values=values))
    unchanged = content_equal(current, content)
    if locked.has_scheduled_draft and not (unchanged and not back_to_draft):
        # 终审 approved this draft to go live at a set time: what goes live is
        # what was approved (docs/architecture.md, "Times").
        from .workflow import WorkflowError, scheduled_refusal

        raise WorkflowError(scheduled_refusal(locked), code="scheduled")
    if unchanged and not (back_to_draft and locked.editorial_status in REVIEW_STATES):
        _refresh(article, locked)
        return SaveResult(article, changed=False, drafted=locked.has_draft)
    with stored_language():
        changed = [
            field_label(k) for k in CONTENT_KEYS if current.get(k) != content.get(k)
        ]
        summary = summary or _("修改：%(fields)s") % {"fields": join_list(changed)}
    from_state = locked.editorial_status
    drafted = locked.edits_make_draft
    if drafted:
        state = locked.draft_status if locked.has_draft else Article.Status.DRAFT
        if back_to_draft:
            state = Article.Status.DRAFT
        draft_write(locked=locked, by=by, summary=summary, content=content, state=state)
    else:
        if locked.status == Article.Status.UNPUBLISHED or back_to_draft:
            locked.status = Article.Status.DRAFT
        locked.version += 1
        article_write_content(article=locked, content=content)
        revision_create(article=locked, by=by, summary=summary)
    if from_state != locked.editorial_status:
        note = summary
        if drafted and from_state == Article.Status.PUBLISHED:
            # Not "已发布 → 草稿": the article stays on the site; a draft begins.
            with stored_language():
                note = _("新建修改稿，线上版本不变。%(summary)s") % {"summary": summary}
            from_state = ""
        ArticleEvent.objects.create(
            article=locked,
            action="restore" if back_to_draft else "edit",
            from_status=from_state,
            to_status=locked.editorial_status,
            comment=note,
            by=by if by is not None and by.is_authenticated else None,
        )
    audit_record(user=by, action=audit_action, obj=locked, summary=summary)
    _refresh(article, locked)
    return SaveResult(article, changed=True, drafted=drafted)


def _refresh(article: Article, locked: Article) -> None:
    """Bring the caller's object up to date with the stored row."""
    if article is not locked:
        article.refresh_from_db()
        for cache in ("_prefetched_objects_cache",):
            article.__dict__.pop(cache, None)


@transaction.atomic
def article_discard_draft(
    *,
    article: Article,
    by: User,
    comment: str = "",
    expected_version: int | None = None,
) -> Article:
    """Drop the unpublished changes of a live article (they stay in 历史).

    Recorded as a new revision holding the live content (and a version), on the
    timeline and in the audit log."""
    from .workflow import (
        PERM_PUBLISH,
        WorkflowError,
        can_edit,
        scheduled_refusal,
        version_check,
    )

    locked = Article.objects.select_for_update().get(pk=article.pk)
    version_check(locked, expected_version)
    if not locked.has_draft:
        raise WorkflowError(_("这篇文章没有未发布的修改。"))
    if locked.has_scheduled_draft:
        raise WorkflowError(scheduled_refusal(locked), code="scheduled")
    state = locked.draft_status
    allowed = by.has_perm(PERM_PUBLISH) or (
        state == Article.Status.DRAFT and can_edit(by, locked)
    )
    if not allowed:
        raise PermissionDenied(_("只有终审发布人员可以放弃送审中的修改稿。"))
    locked.version += 1
    Article.objects.filter(pk=locked.pk).update(
        draft_revision=None, draft_status="", version=locked.version
    )
    locked.draft_revision, locked.draft_status = None, ""
    with stored_language():
        note = str(_("放弃修改稿，线上版本不变"))
        summary = str(_("放弃未发布的修改"))
    # A step of the history like the others: the working copy is the live version
    # again, as this revision says. A change form opened before it (showing the
    # draft) is then refused as one opened before any other change would be,
    # instead of saving the discarded draft back.
    revision_create(article=locked, by=by, summary=note)
    ArticleEvent.objects.create(
        article=locked,
        action="discard",
        from_status=state,
        to_status=locked.status,
        comment=f"{note}：{comment.strip()}" if comment.strip() else note,
        by=by,
    )
    audit_record(
        user=by,
        action=AuditLog.Action.EDIT,
        obj=locked,
        summary=summary,
    )
    _refresh(article, locked)
    return article


# --- deletion -------------------------------------------------------------------

#: Titles a refusal names before it only counts the rest.
REFUSAL_TITLES = 5


def article_delete_refusal(*, by: User, articles) -> str:
    """Why ``by`` may not delete ``articles`` ("" when they may).

    An article that was ever published is part of the site's record: it is taken
    off the site with 撤下 (撤稿), and only a superuser deletes it.
    """
    if not by.has_perm("news.delete_article"):
        return str(_("您没有删除文章的权限。"))
    if by.is_superuser:
        return ""
    titles = list(
        Article.objects.filter(pk__in=[a.pk for a in articles])
        .ever_published()
        .order_by("pk")
        .values_list("title", flat=True)
    )
    if not titles:
        return ""
    shown = join_list(f"“{t}”" for t in titles[:REFUSAL_TITLES])
    if len(titles) > REFUSAL_TITLES:
        shown += "…"
    return str(
        _(
            "%(titles)s（共 %(n)d 篇）已经发布过，不能删除：发布过的文章要保留发布记录。"
            "要让文章从网站上消失，请使用“撤下”（撤稿）；确需删除的，请联系超级用户。"
            "没有删除任何文章。"
        )
        % {"titles": shown, "n": len(titles)}
    )


def last_published_content(article: Article) -> dict:
    """The content ``article`` last had on the site, as a snapshot.

    The live revision; else (published before revisions marked the live one) the
    latest revision saved while it was on the site or at its withdrawal; else the
    row, which a publication writes.
    """
    from .models import Revision

    if article.live_revision_id:
        return dict(article.live_revision.snapshot)
    revisions = Revision.objects.filter(article=article).order_by("-created_at", "-id")
    revision = (
        revisions.filter(is_live=True).first()
        or revisions.filter(
            snapshot__status__in=[Article.Status.PUBLISHED, Article.Status.UNPUBLISHED]
        ).first()
    )
    return dict(revision.snapshot) if revision else article_snapshot(article)


@transaction.atomic
def articles_delete(*, articles, by: User) -> int:
    """Delete ``articles`` (objects or a QuerySet), all or none; returns how many.

    Refused (``PermissionDenied``, nothing deleted) without the delete permission,
    and for anyone but a superuser when one of them was ever published
    (``article_delete_refusal``). Each deletion is audited; one of an article that
    was published keeps its last published content, who deleted it and when in
    the entry's ``snapshot``, since its revisions and timeline go with it.
    """
    pks = [a.pk for a in articles]
    locked = list(
        Article.objects.select_for_update(of=("self",))
        .select_related("live_revision")
        .filter(pk__in=pks)
        .order_by("pk")
    )
    why = article_delete_refusal(by=by, articles=locked)
    if why:
        raise PermissionDenied(why)
    published = set(
        Article.objects.filter(pk__in=pks).ever_published().values_list("pk", flat=True)
    )
    now = timezone.now()
    for article in locked:
        if article.pk not in published:
            audit_record(user=by, action=AuditLog.Action.DELETE, obj=article)
            continue
        content = last_published_content(article)
        with stored_language():
            summary = str(
                _(
                    "删除发布过的文章“%(title)s”（发布时间 %(at)s）；"
                    "最后发布的内容保存在本条记录的“删除前的内容”中。"
                )
                % {
                    "title": content.get("title") or article.title,
                    "at": snapshot_display(content, "published_at"),
                }
            )
        audit_record(
            user=by,
            action=AuditLog.Action.DELETE,
            obj=article,
            summary=summary,
            snapshot={
                "article": article.pk,
                "status": article.status,
                "published": content,
                "deleted_by": by.get_username(),
                "deleted_at": now.isoformat(),
            },
        )
    reset = _sanctioned.set(frozenset(a.pk for a in locked))
    try:
        Article.objects.filter(pk__in=[a.pk for a in locked]).delete()
    finally:
        _sanctioned.reset(reset)
    return len(locked)


# The articles ``articles_delete`` has just checked and audited: the only ones the
# pre_delete guard (``article_delete_guard``) lets go without looking.
_sanctioned: ContextVar[frozenset[int]] = ContextVar(
    "news_articles_sanctioned", default=frozenset()
)


def article_delete_guard(article: Article, using: str) -> None:
    """Refuse (``ProtectedError``, naming it) the deletion of ``article`` when it
    was ever published, unless ``articles_delete`` is deleting it: connected to
    ``pre_delete`` (``news.signals``), so an instance's ``delete()``, a QuerySet's
    and a cascade of the deletion collector (a script's, the shell's) are refused
    too, before any row is deleted. A never-published draft goes freely."""
    if article.pk in _sanctioned.get():
        return
    if not Article.objects.using(using).filter(pk=article.pk).ever_published().exists():
        return
    raise models.ProtectedError(
        str(
            _(
                "文章“%(title)s”（编号 %(id)s）已经发布过，不能直接删除：发布过的文章要"
                "保留发布记录。要让文章从网站上消失，请使用“撤下”（撤稿）；确需删除的，"
                "请由超级用户在管理后台删除，删除前的内容会保存在操作日志中。"
                "没有删除任何文章。"
            )
            % {"title": article.title, "id": article.pk}
        ),
        {article},
    )


def _record_kept(article_id: int, title: str, what, obj) -> models.ProtectedError:
    return models.ProtectedError(
        str(
            _(
                "文章“%(title)s”（编号 %(id)s）的%(what)s是发布记录的一部分，不能删除："
                "发布过的文章要保留发布记录。只有超级用户在管理后台删除整篇文章时，"
                "它才随文章一起删除。没有删除任何内容。"
            )
            % {"title": title, "id": article_id, "what": what}
        ),
        {obj},
    )


def _with_its_article(origin) -> bool:
    """Whether the deletion started from articles (``origin``: the instance or
    QuerySet ``delete()`` was called on): their revisions and timeline go with
    them, and ``article_delete_guard`` judges the articles themselves."""
    if isinstance(origin, models.QuerySet):
        return origin.model is Article
    return isinstance(origin, Article)


def revision_delete_guard(revision: Revision, using: str, origin=None) -> None:
    """Refuse (``ProtectedError``) the deletion of an article's live revision (the
    one marked ``is_live`` or its ``live_revision``), but with its article: a script
    that deleted it, and the timeline's publications, would leave an article in
    草稿 that no longer counts as ever published and so could be deleted. As the
    row says, not the object in memory: one query a revision."""
    if revision.article_id in _sanctioned.get() or _with_its_article(origin):
        return
    live = (
        Revision.objects.using(using)
        .filter(pk=revision.pk)
        .filter(
            models.Q(is_live=True)
            | models.Q(
                models.Exists(
                    Article.objects.filter(live_revision=models.OuterRef("pk"))
                )
            )
        )
        .values_list("article_id", "article__title", "version")
        .first()
    )
    if live is None:
        return
    article_id, title, version = live
    what = _("线上版本（第 %(version)s 版）") % {"version": version}
    raise _record_kept(article_id, title, what, revision)


def event_delete_guard(event: ArticleEvent, using: str, origin=None) -> None:
    """Refuse (``ProtectedError``) the deletion of a publication on an article's
    timeline (发布、定时发布、撤下: ``ArticleEvent.PUBLICATIONS``), but with its
    article: the other half of the record ``revision_delete_guard`` keeps. Other
    steps (送审、审核…) go freely, after one query."""
    if event.article_id in _sanctioned.get() or _with_its_article(origin):
        return
    publication = (
        ArticleEvent.objects.using(using)
        .filter(pk=event.pk, action__in=ArticleEvent.PUBLICATIONS)
        .values_list("article_id", "article__title", "action")
        .first()
    )
    if publication is None:
        return
    article_id, title, action = publication
    what = _("流转记录中的“%(action)s”") % {"action": AuditLog.Action(action).label}
    raise _record_kept(article_id, title, what, event)


# --- import of page text ----------------------------------------------------------


@dataclass
class ImportResult:
    article: Article
    created: bool
    changed: bool
    drafted: bool  # the article is on the site: the import became its draft
    published: bool
    # Not published though asked: editors' unreviewed draft over the live article.
    held: bool = False
    # Not published though asked: 终审 took the article off the site (撤稿).
    withdrawn: bool = False


@transaction.atomic
def article_import(
    *,
    page: ParsedPage,
    channel: Channel,
    publish: bool = False,
    by: User | None = None,
) -> ImportResult:
    """Create or update the article of an imported page through the one write path.

    Re-importing the same page (same title and time) updates its article: a draft or
    an article under review in place, an article on the site as a draft over its
    live version ("已生成待审草稿，线上版本不变"). An unchanged page writes nothing.
    ``by`` needs the change permission (add, for a new article) like the admin's
    form; ``None`` is the operator (the demo loader). ``publish`` (the command line,
    for migrating archives) needs the 终审发布 permission and passes the 错敏字 check
    like a publication in the admin. It never puts back on the site an article
    that 终审 has taken off (已撤下, or being revised since): ``withdrawn``.
    """
    from .workflow import PERM_PUBLISH, article_publish_content

    if by is not None:
        if not by.has_perm("news.change_article"):
            raise PermissionDenied(
                _("%(user)s 没有修改文章的权限，不能导入。")
                % {"user": by.get_username()}
            )
        if publish and not by.has_perm(PERM_PUBLISH):
            raise PermissionDenied(
                _("%(user)s 没有“终审发布”权限，不能直接发布。")
                % {"user": by.get_username()}
            )
    key = page_import_key(page)
    draft = article_draft_from_page(page=page, channel=channel)
    values = {name: getattr(draft, name) for name in IMPORTED_FIELDS}
    values["bylines"] = [
        {"person": None, "name": name, "role": role, "prefix": prefix, "order": i}
        for i, (role, name, prefix) in enumerate(
            _unique_credits([(c.role, c.name, c.prefix) for c in page.credits])
        )
    ]
    if page.tags:
        # A JSON line's tags (page text has none) are content like the rest: they
        # join the same revision, and are published with it.
        for name in page.tags:
            Tag.objects.get_or_create(name=name)
        values["tags"] = page.tags
    article = Article.objects.filter(import_key=key).first()
    if article is None:
        if by is not None and not by.has_perm("news.add_article"):
            raise PermissionDenied(_("您没有新建文章的权限。"))
        article = article_create(
            by=by,
            values=values,
            summary=stored(_("导入")),
            audit_action=AuditLog.Action.IMPORT,
            import_key=key,
        )
        result = ImportResult(article, True, True, False, False)
    else:
        # Editors' work over the live article, not yet through 终审: publishing the
        # import would put it on the site with the import's content, unreviewed.
        pending = article.status == Article.Status.PUBLISHED and bool(
            article.draft_revision_id
        )
        # Taken off the site by 终审 (撤稿), maybe edited and in review since: the
        # archive's content may join the work, but only 终审 puts it back.
        withdrawn = article.status == Article.Status.UNPUBLISHED or (
            article.status != Article.Status.PUBLISHED
            and article.events.filter(action="unpublish").exists()
        )
        saved = article_update(
            article=article,
            by=by,
            values=values,
            summary=stored(_("重新导入网页文本")),
            audit_action=AuditLog.Action.IMPORT,
            check_permission=by is not None,
        )
        result = ImportResult(article, False, saved.changed, saved.drafted, False)
        if publish and pending:
            result.held = True
            return result
        if publish and withdrawn:
            result.withdrawn = True
            return result
    if publish and article.editorial_status != Article.Status.PUBLISHED:
        article_publish_content(
            article=article, by=by, via=stored(_("导入并发布")), reviewed=False
        )
        result.published = True
        result.changed = True
    return result


def article_import_page(
    *,
    page: ParsedPage,
    channel: Channel,
    publish: bool = False,
    by: User | None = None,
) -> tuple[Article, bool]:
    """``article_import`` for callers that only need the article and whether it is new."""
    result = article_import(page=page, channel=channel, publish=publish, by=by)
    return result.article, result.created


def audit_record(
    *,
    user: User | None,
    action: str,
    obj: models.Model | None = None,
    summary: str = "",
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    snapshot: dict | None = None,
) -> AuditLog:
    """Record one editorial action (who, what, which object, what changed).

    Other apps call this for their own objects too (e.g. an image upload:
    ``audit_record(user=u, action=AuditLog.Action.UPLOAD, obj=image)``).
    """
    if obj is not None:
        object_type = object_type or obj._meta.verbose_name
        object_id = object_id or str(obj.pk or "")
        object_repr = object_repr or obj
    # A lazy text (a model's verbose name, a summary) is stored in Chinese too.
    with stored_language():
        object_type, object_repr = str(object_type), str(object_repr)
        summary = str(summary)
    return AuditLog.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        action=action,
        object_type=object_type[:50],
        object_id=str(object_id)[:50],
        object_repr=object_repr[:200],
        summary=summary,
        snapshot=snapshot,
    )


#: How long a view beacon waits for another writer (a bulk import) on SQLite.
VIEW_WRITE_WAIT_SECONDS = 1.0


def article_count_view(*, article_id: int, reader: str) -> bool:
    """Add one view to published article ``article_id``, once per reader per period.

    ``reader`` is an opaque key of one client (news.views.reader_key). The mark that
    it was counted lives in the shared cache for ``VIEW_COUNT_PERIOD_SECONDS``, so
    every worker process sees it; ``add`` writes it only if it is not there yet.
    Returns whether a view was added.
    """
    key = f"news:viewed:{article_id}:{reader}"
    if not caches["shared"].add(key, 1, timeout=settings.VIEW_COUNT_PERIOD_SECONDS):
        return False
    try:
        # A reading is not worth a worker held for the length of a bulk import
        # (SQLite: one writer at a time): wait a second, else let it go uncounted.
        with waiting_at_most(VIEW_WRITE_WAIT_SECONDS):
            updated = (
                Article.objects.published()
                .filter(pk=article_id)
                .update(view_count=models.F("view_count") + 1)
            )
            if updated:
                _count_daily_view(article_id)
    except OperationalError as error:
        if not is_busy(error):
            raise
        return False
    return bool(updated)


def _count_daily_view(article_id: int) -> None:
    """One more reading of ``article_id`` today, for 阅读排行.

    One statement, an upsert (SQLite ≥ 3.24 and PostgreSQL spell it alike): the
    ORM's update-then-create takes two to four statements and a savepoint, and two
    first readers of the day would race to create the row.
    """
    q = connection.ops.quote_name
    table = q(ArticleDailyViews._meta.db_table)
    count = q("count")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({q('article_id')}, {q('day')}, {count}) "
            f"VALUES (%s, %s, 1) ON CONFLICT ({q('article_id')}, {q('day')}) "
            f"DO UPDATE SET {count} = {table}.{count} + 1",
            [article_id, timezone.localdate()],
        )


@transaction.atomic
def site_settings_save(
    *, site: SiteSettings, by=None, changed: list[str] | None = None
) -> SiteSettings:
    """Save the site's 站点设置 (the footer of every page) and record who changed
    what; the footer of every page, cached or not, follows at commit
    (``news.signals.site_settings_changed``)."""
    created = not SiteSettings.objects.filter(pk=SiteSettings.SINGLETON_ID).exists()
    site.full_clean()
    site.save()
    with stored_language():
        names = [
            str(SiteSettings._meta.get_field(f).verbose_name) for f in changed or []
        ]
    audit_record(
        user=by,
        action=AuditLog.Action.CREATE if created else AuditLog.Action.EDIT,
        obj=site,
        summary="、".join(names),
    )
    return site


def notification_setting_save(
    *, user, workflow_email: bool, person: Person | None
) -> NotificationSetting:
    """Switch ``user``'s own 三审 mails on or off, and say which ``person`` of the
    bylines they are (我的通知, ``news.notify``)."""
    setting, _created = NotificationSetting.objects.update_or_create(
        user=user, defaults={"workflow_email": workflow_email, "person": person}
    )
    return setting
