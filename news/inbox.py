"""我的工作台: what waits for the signed-in editor, one box per role.

Shown on the admin home (``{% editorial_inbox %}`` in ``templates/admin/index.html``).
Each box holds its count and the ``LIMIT`` articles worked on most recently, and
costs one query whatever the number of articles:

- 待我初审 / 待我复审 (``news.review_article``): work in 初审 / 复审 that the user may
  approve. With ``EDITORIAL_SEPARATION_OF_DUTIES`` on, work they sent to review,
  and in 复审 work they approved in 初审, is left out: ``duty_conflict`` forbids
  them to approve it, so it waits for someone else (they may still reject it from
  the article page).
- 待我终审 (``news.publish_article``): work in 终审, less the drafts 终审 has
  already scheduled (定时发布: approved, waiting for their time).
- 我的草稿 (``news.change_article``): drafts whose latest version (revision) the
  user saved, except those sent back by a reviewer, which are in 被退回.
- 被退回 (``news.submit_article``): drafts whose latest transition is a 退回 and
  whose latest 送审 was the user's, until they send them to review again.

A draft over a live article counts by the draft's state, like everywhere in the
workflow (``Article.objects.in_editorial_state``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Window
from django.utils.translation import gettext as _

from .models import Article, ArticleEvent, ArticleQuerySet, Revision
from .workflow import PERM_PUBLISH, PERM_REVIEW, PERM_SUBMIT

if TYPE_CHECKING:
    from django.contrib.auth.models import User

S = Article.Status
LIMIT = 10


@dataclass
class Box:
    """One box of the inbox: ``count`` articles, the newest ``articles`` listed.

    ``note`` says what is left out of it (separation of duties), if anything.
    """

    key: str
    title: str
    help_text: str
    count: int
    articles: list[Article]
    note: str = ""


def _latest_event() -> QuerySet[ArticleEvent]:
    return ArticleEvent.objects.filter(article=OuterRef("pk")).order_by("-id")


def _latest_revision() -> QuerySet[Revision]:
    return Revision.objects.filter(article=OuterRef("pk")).order_by("-id")


def _not_by(field: str, user: User) -> Q:
    # ``exclude(field=pk)`` would also drop the rows where the subquery is NULL (no
    # such event, or one by the operator, who has no account): NOT (NULL = pk) is
    # not true in SQL.
    return Q(**{f"{field}__isnull": True}) | ~Q(**{field: user.pk})


def _separation() -> bool:
    return getattr(settings, "EDITORIAL_SEPARATION_OF_DUTIES", True)


def review_queue(user: User, state: str) -> ArticleQuerySet:
    """Work in ``state`` (初审 or 复审) that ``user`` may approve.

    The QuerySet twin of ``not duty_conflict(user, article)`` for these states:
    the latest 送审 was not theirs, and in 复审 the latest 初审 approval (the one
    since that 送审: review only moves on from a 送审) not either.
    """
    articles = Article.objects.in_editorial_state(state)
    if not _separation():
        return articles
    articles = articles.annotate(
        submitted_by=Subquery(_latest_event().filter(action="submit").values("by")[:1])
    ).filter(_not_by("submitted_by", user))
    if state == S.REVIEW_2:
        articles = articles.annotate(
            first_reviewed_by=Subquery(
                _latest_event()
                .filter(action="approve", from_status=S.REVIEW_1)
                .values("by")[:1]
            )
        ).filter(_not_by("first_reviewed_by", user))
    return articles


def own_drafts(user: User) -> ArticleQuerySet:
    """Drafts whose latest version ``user`` saved, not sent back by a reviewer."""
    return (
        Article.objects.in_editorial_state(S.DRAFT)
        .annotate(
            saved_by=Subquery(_latest_revision().values("created_by")[:1]),
            last_action=Subquery(_latest_event().values("action")[:1]),
        )
        .filter(Q(last_action__isnull=True) | ~Q(last_action="reject"))
        .filter(saved_by=user.pk)
    )


def sent_back(user: User) -> ArticleQuerySet:
    """Drafts sent back by a reviewer (latest event a 退回) that ``user`` submitted."""
    return (
        Article.objects.in_editorial_state(S.DRAFT)
        .annotate(
            last_action=Subquery(_latest_event().values("action")[:1]),
            submitted_by=Subquery(
                _latest_event().filter(action="submit").values("by")[:1]
            ),
        )
        .filter(last_action="reject", submitted_by=user.pk)
    )


def _box(
    key: str, title: str, help_text: str, articles: ArticleQuerySet, note: str = ""
) -> Box:
    # The count rides on the listed rows as a window over the whole filtered set
    # (computed before LIMIT), so a box is one query, not a count plus a list.
    rows = list(
        articles.annotate(
            worked_at=Subquery(_latest_revision().values("created_at")[:1]),
            total=Window(Count("pk")),
        )
        .only("id", "title", "status", "draft_status", "draft_revision")
        .order_by(F("worked_at").desc(nulls_last=True), "-pk")[:LIMIT]
    )
    return Box(
        key=key,
        title=title,
        help_text=help_text,
        count=rows[0].total if rows else 0,
        articles=rows,
        note=note,
    )


def inbox_for(user: User) -> list[Box]:
    """The boxes ``user``'s permissions give them, in the order work flows.

    Empty for a user without any permission in the news app. One query a box
    (plus the user's permissions, if not loaded yet).
    """
    if not user.is_active or not user.has_module_perms("news"):
        return []
    separation = _separation()
    boxes = []
    if user.has_perm(PERM_REVIEW):
        boxes.append(
            _box(
                "review1",
                _("待我初审"),
                _("待初审的稿件，含已发布文章的修改稿。"),
                review_queue(user, S.REVIEW_1),
                _("您送审的稿件须由其他审核人员初审，不在此列。") if separation else "",
            )
        )
        boxes.append(
            _box(
                "review2",
                _("待我复审"),
                _("已通过初审、待复审的稿件。"),
                review_queue(user, S.REVIEW_2),
                _("您送审或做过初审的稿件须由其他人复审，不在此列。")
                if separation
                else "",
            )
        )
    if user.has_perm(PERM_PUBLISH):
        boxes.append(
            _box(
                "review3",
                _("待我终审"),
                _("已通过复审、待终审发布的稿件。"),
                # A draft 终审 scheduled is approved: it waits for its time.
                Article.objects.in_editorial_state(S.REVIEW_3).filter(
                    draft_go_live_at__isnull=True
                ),
            )
        )
    if user.has_perm("news.change_article"):
        boxes.append(
            _box(
                "drafts",
                _("我的草稿"),
                _(
                    "最近一次由您保存的草稿，含已发布文章的修改稿；被退回的稿件见“被退回”。"
                ),
                own_drafts(user),
            )
        )
    if user.has_perm(PERM_SUBMIT):
        boxes.append(
            _box(
                "rejected",
                _("被退回"),
                _("您送审后被退回、还未重新送审的稿件：请按退回意见修改后再送审。"),
                sent_back(user),
            )
        )
    return boxes
