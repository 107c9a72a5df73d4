"""三审 mails: who acts next is told by email (as Wagtail tells its moderators).

``news.workflow`` decides who is told of each transition (the people who may take
the next step, the submitter of work sent back or published, and the staff who
said on 我的通知 that they are one of a published article's bylined people) and calls
``workflow_mail`` inside its transaction; the mails are queued there, in the
database (django-mailer's ``Message``), with the transition they tell of: a
transition that is rolled back (a bulk 终审发布 refused as a whole) queues nothing,
and a committed one always has its mails. ``manage.py send_mail`` (every minute,
deploy/systemd/yantai-mail.timer) sends the queue.

- One message per recipient: nobody sees who else was told.
- Never the person who acted, nor a user who is inactive, not staff, without an
  email address, or who switched the mails off on 我的通知 (``NotificationSetting``).
- In the site's language (Chinese), plain text, with the absolute address of the
  article in the admin (and on the site, once published) under ``SITE_URL``.
- No editor waits for a mail server: a server that refuses or does not answer
  (``EMAIL_TIMEOUT``) defers the message in the queue (logged in django-mailer's
  ``MessageLog``) and ``retry_deferred`` puts it back for the next ``send_mail``.

Where mail goes is set from the environment (``EMAIL_HOST`` …, yantai/settings.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Article, NotificationSetting
from .revisions import minute_text, user_display_name

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# The queue, named here rather than read from EMAIL_BACKEND: the mails must be
# written in the transition's transaction whatever transport is configured (the
# test runner, for one, swaps EMAIL_BACKEND for its own).
QUEUE_BACKEND = "mailer.backend.DbBackend"


def mailable_users() -> QuerySet:
    """The users a 三审 mail may go to: active staff with an address who have not
    switched the mails off."""
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .exclude(email="")
        .exclude(notification_setting__workflow_email=False)
    )


def bylined_users(article) -> list[int]:
    """The users who said on 我的通知 that they are one of ``article``'s bylined
    people (``NotificationSetting.person``): told of its publication too. A user
    named twice comes twice; ``workflow_mail`` mails each user once."""
    return list(
        NotificationSetting.objects.filter(
            person__bylines__article=article
        ).values_list("user_id", flat=True)
    )


def users_with_perm(perm: str, *, exclude: Iterable[int] = ()) -> QuerySet:
    """``mailable_users`` who hold ``perm`` through a group or their own
    permissions, less ``exclude`` (user ids); the superusers only when no one else
    is left. A superuser holds every permission, and was mailed every step of every
    article; a site whose superuser alone reviews still hears of work waiting."""
    User = get_user_model()
    mailable = mailable_users().exclude(pk__in=list(exclude)).order_by("pk")

    def holders(include_superusers: bool) -> QuerySet:
        return User.objects.with_perm(
            perm,
            include_superusers=include_superusers,
            backend="django.contrib.auth.backends.ModelBackend",
        ).values("pk")

    granted = mailable.filter(pk__in=holders(False))
    if granted.exists():
        return granted
    return mailable.filter(pk__in=holders(True))


@dataclass
class Mail:
    subject: str
    lead: str  # what happened and what is asked of the reader
    comment_label: str = ""
    comment: str = ""
    public_url: str = ""


# Each kind of mail: its subject, its lead (what happened and what is asked of the
# reader) and the label of the comment it carries (None: it carries the public
# address instead).
_KINDS = {
    "review_1": (
        gettext_lazy("【品质烟台】待您初审：《%(title)s》"),
        gettext_lazy("%(actor)s 把稿件《%(title)s》送交初审，请您审核。"),
        gettext_lazy("送审说明"),
    ),
    "review_2": (
        gettext_lazy("【品质烟台】待您复审：《%(title)s》"),
        gettext_lazy("稿件《%(title)s》已由 %(actor)s 初审通过，请您复审。"),
        gettext_lazy("初审意见"),
    ),
    "review_3": (
        gettext_lazy("【品质烟台】待您终审：《%(title)s》"),
        gettext_lazy("稿件《%(title)s》已由 %(actor)s 复审通过，请您终审发布。"),
        gettext_lazy("复审意见"),
    ),
    "reject": (
        gettext_lazy("【品质烟台】稿件被退回：《%(title)s》"),
        gettext_lazy(
            "稿件《%(title)s》被 %(actor)s 退回，请按退回意见修改后重新送审。"
        ),
        gettext_lazy("退回意见"),
    ),
    "schedule": (
        gettext_lazy("【品质烟台】稿件已定时发布：《%(title)s》"),
        gettext_lazy("稿件《%(title)s》已由 %(actor)s 终审，定于 %(at)s 发布。"),
        None,
    ),
    "publish": (
        gettext_lazy("【品质烟台】稿件已发布：《%(title)s》"),
        gettext_lazy("稿件《%(title)s》已由 %(actor)s 终审发布。"),
        None,
    ),
    # A new version of an article that was on the site (its 更新时间 set by this
    # publication): readers already had the old one.
    "publish_revision": (
        gettext_lazy("【品质烟台】稿件已发布修订：《%(title)s》"),
        gettext_lazy("稿件《%(title)s》的修订已由 %(actor)s 终审发布。"),
        None,
    ),
}


def _compose(
    kind: str, *, title: str, actor: str, comment: str, url: str, at: datetime | None
) -> Mail:
    subject, lead, comment_label = _KINDS.get(kind, _KINDS["publish"])
    values = {"title": title, "actor": actor}
    if at is not None:
        values["at"] = minute_text(at)
    if comment_label is None:
        return Mail(str(subject % values), str(lead % values), public_url=url)
    return Mail(str(subject % values), str(lead % values), str(comment_label), comment)


def _body(mail: Mail, *, name: str, admin_url: str, mine_url: str) -> str:
    lines = [_("%(name)s，您好：") % {"name": name}, "", mail.lead]
    if mail.comment:
        lines += ["", f"{mail.comment_label}：{mail.comment}"]
    if mail.public_url:
        lines += ["", _("网站上的地址：%(url)s") % {"url": mail.public_url}]
    lines += [
        "",
        _("在内容管理后台打开这篇稿件：%(url)s") % {"url": admin_url},
        "",
        "-- ",
        _("本邮件由品质烟台内容管理系统自动发送，请勿直接回复。"),
        _("不想再收到这类邮件，可在后台“我的通知”中关闭：%(url)s") % {"url": mine_url},
    ]
    return "\n".join(lines) + "\n"


def workflow_mail(
    *,
    kind: str,
    article: Article,
    title: str,
    by: User,
    user_ids,
    comment: str = "",
    at: datetime | None = None,
) -> int:
    """Queue, in the caller's transaction, the mails telling ``user_ids`` (less
    the actor ``by`` and those ``mailable_users`` leaves out) of the transition
    ``kind`` of ``article``; how many were queued.

    ``kind``: review_1 / review_2 / review_3 (the work waits for them), reject,
    publish, publish_revision (a live article's new version), schedule (``at``:
    when it goes live)."""
    users = list(
        mailable_users()
        .filter(pk__in=[pk for pk in user_ids if pk is not None])
        .exclude(pk=by.pk)
        .order_by("pk")
    )
    if not users:
        return 0
    site = settings.SITE_URL.rstrip("/")
    admin_url = site + reverse("admin:news_article_change", args=[article.pk])
    mine_url = site + reverse("my-notifications")
    public_url = (
        site + article.get_absolute_url()
        if kind in ("publish", "publish_revision", "schedule")
        else ""
    )
    messages = []
    # The site's language whatever the actor's page was in: the readers' own
    # language is not known.
    with translation.override(settings.LANGUAGE_CODE):
        mail = _compose(
            kind,
            title=title,
            actor=user_display_name(by),
            comment=comment,
            url=public_url,
            at=at,
        )
        for user in users:
            body = _body(
                mail,
                name=user_display_name(user),
                admin_url=admin_url,
                mine_url=mine_url,
            )
            messages.append(
                EmailMessage(
                    mail.subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]
                )
            )
    # One INSERT for them all (bulk_create), in the caller's transaction.
    return get_connection(QUEUE_BACKEND).send_messages(messages)
