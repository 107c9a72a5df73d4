"""Article revisions: full snapshots, readable diffs and purging old ones."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from yantai.html import html_to_text
from yantai.text import stored

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
EXTRA_LABELS = {
    "tags": _("标签"),
    "bylines": _("署名"),
    "status": _("状态"),
    "related_articles": _("相关新闻（编辑指定）"),
}
# What an editor writes: a snapshot without the workflow state.
CONTENT_KEYS = (*SNAPSHOT_FIELDS, "tags", "bylines", "related_articles")


def person_name(user) -> str:
    """A staff member's name as a Chinese page prints it: 姓 then 名 without a
    space (张三), a name in Latin letters as written (John Smith); '' for an
    account without a name."""
    if user is None:
        return ""
    first, last = user.first_name.strip(), user.last_name.strip()
    if first and last and (first + last).isascii():
        return f"{first} {last}"
    return f"{last}{first}"


def user_display_name(user) -> str:
    """A person's name for the admin and stored records (``person_name``), else
    the username."""
    if user is None:
        return str(_("系统"))
    return person_name(user) or user.get_username()


def field_label(name: str) -> str:
    """The editor-facing name of a snapshot key (``title`` → 标题)."""
    if name in EXTRA_LABELS:
        return str(EXTRA_LABELS[name])
    return str(Article._meta.get_field(name).verbose_name)


def time_text(value: datetime | None) -> str | None:
    """A time as snapshots keep it: ISO 8601 in UTC, so equal times compare equal."""
    return value.astimezone(UTC).isoformat() if value else None


def minute_text(at: datetime) -> str:
    """``at`` as the timeline, messages and mails give a time: Beijing time, to the
    minute."""
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M")


def article_snapshot(article: Article) -> dict:
    """Everything an editor can change about ``article``, as JSON-ready data."""
    data: dict = {}
    for name in SNAPSHOT_FIELDS:
        if name in FK_FIELDS:
            data[name] = getattr(article, f"{name}_id")
        elif name in DATETIME_FIELDS:
            data[name] = time_text(getattr(article, name))
        else:
            data[name] = getattr(article, name)
    data["channel_name"] = article.channel.name if article.channel_id else ""
    data["status"] = article.status
    # What a caller prefetched (``prefetch_related("tags", "bylines__person",
    # "related_articles")``: the bulk 终审发布's page) is read without a query.
    prefetched = getattr(article, "_prefetched_objects_cache", {})
    if "tags" in prefetched:
        tags = {tag.name: tag.pk for tag in article.tags.all()}
    else:
        tags = dict(article.tags.values_list("name", "pk"))
    data["tags"] = sorted(tags)
    data["tag_ids"] = {name: tags[name] for name in sorted(tags)}
    if "bylines" in prefetched:
        bylines = sorted(article.bylines.all(), key=lambda b: (b.order, b.pk))
    else:
        bylines = article.bylines.select_related("person").order_by("order", "id")
    data["bylines"] = [
        {
            "person": b.person_id,
            "name": b.person.name,
            "role": b.role,
            "prefix": b.prefix,
            "order": b.order,
        }
        for b in bylines
    ]
    if "related_articles" in prefetched:
        related = [a.pk for a in article.related_articles.all()]
    else:
        related = article.related_articles.values_list("pk", flat=True)
    data["related_articles"] = sorted(related)
    return data


def working_snapshot(article: Article) -> dict:
    """The editors' working copy of ``article``: its draft, else the row itself."""
    if article.draft_revision_id:
        data = dict(article.draft_revision.snapshot)
        data["status"] = article.draft_status
        data.setdefault("related_articles", [])
        return data
    return article_snapshot(article)


def working_copy(article: Article) -> Article:
    """``article`` as its editors see it: the draft's content over the row's state.

    The article itself when it has no draft. The copy keeps the row's workflow
    fields (``status``, ``draft_status``, ``version``…), so permission checks and
    buttons read it like the row; saving it is never done (services write).
    """
    if not article.draft_revision_id:
        return article
    copy = article_from_snapshot(article, article.draft_revision.snapshot)
    copy.status = article.status
    return copy


def content_equal(old: dict, new: dict) -> bool:
    """Whether two snapshots hold the same content (the workflow state aside)."""
    return all(old.get(k) == new.get(k) for k in CONTENT_KEYS)


def _prefetched(queryset, objects: list):
    queryset._result_cache = objects
    queryset._prefetch_done = True
    return queryset


def article_from_snapshot(
    article: Article, snapshot: dict, *, lookups: bool = True
) -> Article:
    """An unsaved copy of ``article`` showing ``snapshot`` (previews, forms, the API).

    Related rows (tags, bylines, related articles) come from the snapshot too, placed
    in the prefetch cache so templates and serializers render them without touching
    the live article. ``lookups=False``: none of them, and the snapshot's channel,
    cover and 责任编辑 ids taken as they are — a copy for reading its own fields
    only (the checks of a bulk 终审发布's page), with no query.
    """
    from .models import Byline, Channel, Image, Person, Tag

    copy = Article(pk=article.pk, status=snapshot.get("status") or article.status)
    copy._state.adding = article._state.adding
    copy._state.db = article._state.db
    for name in (
        "import_key",
        "version",
        "view_count",
        "created_at",
        "updated_at",
        "revised_at",
        "live_revision_id",
        "draft_revision_id",
        "draft_status",
        "draft_go_live_at",
    ):
        setattr(copy, name, getattr(article, name))
    for name in SNAPSHOT_FIELDS:
        if name in FK_FIELDS:
            setattr(copy, f"{name}_id", snapshot.get(name))
        elif name in DATETIME_FIELDS:
            value = snapshot.get(name)
            setattr(copy, name, datetime.fromisoformat(value) if value else None)
        else:
            setattr(copy, name, snapshot.get(name, getattr(article, name)))
    if not lookups:
        return copy
    if not Channel.objects.filter(pk=copy.channel_id).exists():
        copy.channel_id = article.channel_id
    if copy.cover_id and not Image.objects.filter(pk=copy.cover_id).exists():
        copy.cover_id = None
    if (
        copy.responsible_editor_id
        and not get_user_model().objects.filter(pk=copy.responsible_editor_id).exists()
    ):
        copy.responsible_editor_id = None
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
    related = list(Article.objects.filter(pk__in=snapshot.get("related_articles", [])))
    copy._prefetched_objects_cache = {
        "tags": _prefetched(Tag.objects.none(), tags),
        "bylines": _prefetched(Byline.objects.none(), bylines),
        "related_articles": _prefetched(Article.objects.none(), related),
    }
    return copy


def content_saved_in(
    article: Article,
    *,
    work: dict | None = None,
    newest_first: list[Revision] | None = None,
    window: int | None = None,
) -> Revision | None:
    """The revision that saved the content of ``article``'s work (its draft, else
    the row) as it is now: who last changed what would be published, and when.

    Later revisions that only moved the work through review hold the same content
    and are passed over; so is a withdrawal of the live version recorded between
    the steps of a draft over it. ``article``: the row, with its draft; ``work``
    its ``working_snapshot`` and ``newest_first`` its revisions (with
    ``created_by``, by ``-version, -id``) when the caller read them already;
    ``window``: ``newest_first`` holds only that many of the newest, and a walk that
    reaches its end without finding where the content changed reads the rest.
    """
    if work is None:
        work = working_snapshot(article)
    if newest_first is None:
        newest_first = article.revisions.select_related("created_by").order_by(
            "-version", "-id"
        )
    saved = None
    walked = 0
    for revision in newest_first:
        walked += 1
        if content_equal(revision.snapshot, work):
            saved = revision
        elif not (
            article.draft_revision_id
            and revision.snapshot.get("status") == Article.Status.UNPUBLISHED
        ):
            return saved
    if window is not None and walked >= window:
        return content_saved_in(article, work=work)  # older ones may hold it
    return saved


def snapshot_tags(snapshot: dict) -> tuple[list, list[str]]:
    """The tags ``snapshot`` names, as they are now, and the names not found.

    A snapshot names its tags (``tags``) and, since they are kept, their ids
    (``tag_ids``, name → id): a tag renamed since is found by its id under its new
    name. A name without an id (a revision saved before ids were kept) is looked up
    as it is; one that no longer exists (renamed or deleted since) is returned in
    the second list, for the caller to report.
    """
    from .models import Tag

    names = snapshot.get("tags") or []
    ids = snapshot.get("tag_ids") or {}
    by_id = Tag.objects.in_bulk([ids[n] for n in names if n in ids])
    by_name = Tag.objects.in_bulk(names, field_name="name")
    tags, missing = {}, []
    for name in names:
        tag = by_id.get(ids.get(name)) or by_name.get(name)
        if tag is None:
            missing.append(name)
        else:
            tags[tag.pk] = tag
    return list(tags.values()), missing


def snapshot_images_missing(snapshot: dict) -> list[str]:
    """The images ``snapshot`` uses that are no longer in the library, described
    as the snapshot records them: its cover by id, each body image by id and the
    alt text the body gives it. Empty when every image is there.

    An image only an older revision uses may be deleted (``news.images``): a
    restore of that revision checks here first (``workflow.revision_restore``).
    """
    from .body_images import body_library_images
    from .models import Image

    cover = snapshot.get("cover")
    in_body = body_library_images(snapshot.get("body") or "")
    existing = set(
        Image.objects.filter(
            pk__in=[pk for pk, _alt in in_body] + ([cover] if cover else [])
        ).values_list("pk", flat=True)
    )
    missing = []
    if cover and cover not in existing:
        missing.append(str(_("封面图（编号 %(pk)s）") % {"pk": cover}))
    for pk, alt in in_body:
        if pk in existing:
            continue
        missing.append(
            str(_("正文中的图片“%(alt)s”（编号 %(pk)s）") % {"alt": alt, "pk": pk})
            if alt
            else str(_("正文中的图片（编号 %(pk)s）") % {"pk": pk})
        )
    return missing


@dataclass(frozen=True)
class Gone:
    """Something a snapshot names that was deleted since (``snapshots_gone``),
    told in the active language when it is turned into text."""

    kind: str  # "tag", "related" or "person"
    name: str  # the tag's or person's name, the article's id

    def __str__(self) -> str:
        if self.kind == "tag":
            return str(_("标签“%(name)s”（发布时不含）") % {"name": self.name})
        if self.kind == "related":
            return str(_("相关新闻（编号 %(pk)s，发布时不含）") % {"pk": self.name})
        return str(_("署名人员“%(name)s”（署名按姓名保留）") % {"name": self.name})


def snapshots_gone(snapshots: list[dict]) -> list[list[Gone]]:
    """For each of ``snapshots``, what it names that was deleted since and a
    publication of it cannot bring back: its tags (by name, as
    ``news.services.article_write_content`` links them), its related articles (by
    id) and the people of its bylines (the byline itself is written under the
    same name, with a new person of that name, never a namesake). Empty lists when
    nothing is gone. Three queries whatever the number of snapshots.

    Covers and body images are not here: one a pending draft uses cannot be
    deleted (``news.images``); a deleted channel refuses the publication.
    """
    from .models import Person, Tag

    def each(key: str) -> list:
        return [v for s in snapshots for v in s.get(key) or []]

    tags = set(
        Tag.objects.filter(name__in=set(each("tags"))).values_list("name", flat=True)
    )
    articles = set(
        Article.objects.filter(pk__in=set(each("related_articles"))).values_list(
            "pk", flat=True
        )
    )
    people = set(
        Person.objects.filter(
            pk__in={b["person"] for b in each("bylines") if b.get("person")}
        ).values_list("pk", flat=True)
    )
    return [
        [Gone("tag", n) for n in s.get("tags") or [] if n not in tags]
        + [
            Gone("related", str(pk))
            for pk in s.get("related_articles") or []
            if pk not in articles
        ]
        + [
            Gone("person", b.get("name") or "")
            for b in s.get("bylines") or []
            if b.get("person") and b["person"] not in people
        ]
        for s in snapshots
    ]


def revision_create(
    *,
    article: Article,
    by: User | None,
    summary: str = "",
    is_live: bool = False,
    snapshot: dict | None = None,
) -> Revision:
    """Store ``snapshot`` (default: ``article`` as it is now in the database).

    ``is_live``: this revision is what readers now see; the article points at it
    (``live_revision``) and no other revision of the article is marked live.
    """
    if is_live:
        article.revisions.filter(is_live=True).update(is_live=False)
    revision = Revision.objects.create(
        article=article,
        version=article.version,
        snapshot=snapshot if snapshot is not None else article_snapshot(article),
        summary=stored(summary)[:200],  # a lazy text too, in Chinese
        is_live=is_live,
        created_by=by if by is not None and by.is_authenticated else None,
    )
    if is_live:
        Article.objects.filter(pk=article.pk).update(live_revision=revision)
        article.live_revision = revision
    return revision


def drafts_tag_renamed(*, old: str, new: str) -> None:
    """Rename tag ``old`` to ``new`` in the editors' current drafts.

    Snapshots hold tags by name; the live rows link them by id and follow a rename
    at once. A draft still naming the old tag would drop it when 终审 publishes the
    draft (or an editor saves its form). Only the drafts being worked on change:
    older revisions keep the name they were saved with.
    """
    drafts = Revision.objects.filter(
        pk__in=Article.objects.filter(draft_revision__isnull=False).values(
            "draft_revision"
        )
    )
    for revision in drafts:
        tags = revision.snapshot.get("tags") or []
        if old in tags:
            revision.snapshot["tags"] = sorted({new if t == old else t for t in tags})
            ids = revision.snapshot.get("tag_ids")
            if ids and old in ids:
                ids[new] = ids.pop(old)
                revision.snapshot["tag_ids"] = dict(sorted(ids.items()))
            revision.save(update_fields=["snapshot"])


# Diffed as whole values (before → after): a date or a name changed character by
# character reads as nonsense. Lists are diffed item by item, one item a line.
WHOLE_VALUE_FIELDS = {*DATETIME_FIELDS, *FK_FIELDS, "status", "is_featured"}
LIST_FIELDS = {"bylines", "related_articles"}


def _user_display(pk: int) -> str:
    user = get_user_model().objects.filter(pk=pk).first()
    if user is None:
        return str(_("已删除的用户（编号 %(pk)s）") % {"pk": pk})
    return user_display_name(user)


def _image_display(pk: int) -> str:
    from .models import Image

    title = Image.objects.filter(pk=pk).values_list("title", flat=True).first()
    if title is None:
        return str(_("已删除的图片（编号 %(pk)s）") % {"pk": pk})
    return title


def _byline_display(byline: dict) -> str:
    from .models import Person

    name = byline.get("name") or (
        Person.objects.filter(pk=byline.get("person"))
        .values_list("name", flat=True)
        .first()
    )
    if not name:
        name = str(_("已删除的人员（编号 %(pk)s）") % {"pk": byline.get("person")})
    return f"{byline.get('prefix', '')}{byline.get('role', '')} {name}".strip()


def _articles_display(pks: list[int]) -> str:
    titles = dict(Article.objects.filter(pk__in=pks).values_list("pk", "title"))
    return "\n".join(
        titles.get(pk) or str(_("已删除的文章（编号 %(pk)s）") % {"pk": pk})
        for pk in pks
    )


def snapshot_display(snapshot: dict, name: str) -> str:
    """A snapshot value as text an editor can read.

    Times in Beijing time to the second; people, the cover and related articles by
    name or title (what was deleted since by its id); lists one item a line.
    """
    value = snapshot.get(name)
    if name == "bylines":
        return "\n".join(_byline_display(b) for b in value or [])
    if name == "related_articles":
        return _articles_display(value or [])
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
        if moment is None:
            return ""
        beijing = timezone.get_default_timezone()
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, beijing)
        return timezone.localtime(moment, beijing).strftime("%Y-%m-%d %H:%M:%S")
    if value is None:
        return ""
    if name == "responsible_editor":
        return _user_display(value)
    if name == "cover":
        return _image_display(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def snapshot_changes(old: dict, new: dict) -> list[str]:
    """Keys whose value differs between two snapshots."""
    keys = (*SNAPSHOT_FIELDS, "tags", "bylines", "related_articles", "status")
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


def value_diff_html(old: str, new: str) -> SafeString:
    """``old`` → ``new`` whole, the old value in ``<del>``, the new one in ``<ins>``."""
    if not old:
        return format_html("<ins>{}</ins>", new)
    if not new:
        return format_html("<del>{}</del>", old)
    return format_html("<del>{}</del> → <ins>{}</ins>", old, new)


def lines_diff_html(old: str, new: str) -> SafeString:
    """Item by item (one a line): removed items in ``<del>``, added ones in ``<ins>``."""
    before, after = old.splitlines(), new.splitlines()
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    lines = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            lines.extend(escape(line) for line in before[i1:i2])
            continue
        if op in ("delete", "replace"):
            lines.extend(f"<del>{escape(line)}</del>" for line in before[i1:i2])
        if op in ("insert", "replace"):
            lines.extend(f"<ins>{escape(line)}</ins>" for line in after[j1:j2])
    return mark_safe("<br>\n".join(lines))  # noqa: S308 - escaped


@dataclass
class FieldDiff:
    name: str
    label: str
    old: str
    new: str
    html: SafeString


def revision_diff(*, old: Revision, new: Revision) -> list[FieldDiff]:
    """The fields that differ between two revisions, each with a marked-up diff."""
    return snapshot_diff(old=old.snapshot, new=new.snapshot)


def snapshot_diff(*, old: dict, new: dict) -> list[FieldDiff]:
    """The fields that differ between two snapshots, each with a marked-up diff."""
    diffs = []
    for name in snapshot_changes(old, new):
        before = snapshot_display(old, name)
        after = snapshot_display(new, name)
        if before == after:
            continue  # e.g. the same time written with and without microseconds
        if name in WHOLE_VALUE_FIELDS:
            html = value_diff_html(before, after)
        elif name in LIST_FIELDS:
            html = lines_diff_html(before, after)
        else:
            html = text_diff_html(before, after)
        diffs.append(FieldDiff(name, field_label(name), before, after, html))
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

    The live (published) revision, the editors' current draft (``draft_revision``:
    not always the latest, a withdrawal records one after it) and the latest revision
    of every article are never deleted (a live one's deletion would be refused
    anyway: ``news.services.revision_delete_guard``). Returns how many revisions
    were deleted.
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
        kept += [
            pk
            for pk in Article.objects.filter(pk=article_id)
            .values_list("draft_revision_id", "live_revision_id")
            .first()
            or ()
            if pk is not None
        ]
        deleted += (
            revisions.filter(created_at__lt=cutoff, is_live=False)
            .exclude(pk__in=kept)
            .delete()[0]
        )
    return deleted
