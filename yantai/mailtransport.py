"""Where the mail queue's sender (``manage.py send_mail``) hands each mail when no
mail server is configured: nowhere, and the mail stays queued.

With no ``EMAIL_HOST`` (and ``DJANGO_DEBUG`` off) django-mailer would need some
transport; Django's dummy backend "sends" every mail, so ``send_mail`` emptied the
queue and logged each mail as sent while nothing left the machine. With
``KeepQueuedBackend`` every attempt fails with ``MailNotConfigured``, which
``handle_delivery_exception`` (``MAILER_ERROR_HANDLER``) answers by leaving the
message as it is: not deferred, no retry counted, no failure logged per mail, and
one warning a process (``send_mail`` runs in its own, every minute). Once
``EMAIL_HOST`` is set, the next ``send_mail`` sends them all. Every other error
goes to django-mailer's own handler (deferred and logged).

``queue_problem()`` tells ``/healthz`` (and so whoever watches it) when the queue
is not draining: a mail waiting longer than ``MAIL_QUEUE_ALERT_MINUTES``, or one
that ``retry_deferred`` has given up on (``MAILER_EMAIL_MAX_RETRIES`` attempts).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone
from mailer import engine
from mailer.models import Message

logger = logging.getLogger(__name__)
_warned = [False]  # this process has said why mail stays queued

NOT_CONFIGURED = (
    "未设置 EMAIL_HOST：邮件保留在队列中，设置后由 send_mail 发送"
    " / EMAIL_HOST is not set: mail stays queued until it is, then send_mail sends it"
)


class MailNotConfigured(Exception):
    """No mail server is configured: nothing may be sent."""


class KeepQueuedBackend(BaseEmailBackend):
    """A transport that refuses every mail (``MailNotConfigured``)."""

    def open(self):
        raise MailNotConfigured(NOT_CONFIGURED)

    def send_messages(self, email_messages):
        raise MailNotConfigured(NOT_CONFIGURED)


def handle_delivery_exception(connection, message, exc):
    """django-mailer's error handler: a mail that could not go for want of a
    server is left queued untouched; anything else as django-mailer does."""
    if isinstance(exc, MailNotConfigured):
        if not _warned[0]:
            _warned[0] = True
            logger.warning(NOT_CONFIGURED)
        return None, "deferred"  # counted so; the row itself is not changed
    return engine.handle_delivery_exception(connection, message, exc)


def queue_problem() -> str | None:
    """None while the mail queue drains, else what is wrong with it:
    ``"undeliverable"``, a mail ``retry_deferred`` no longer retries (it stays in
    待发邮件 for a superuser to see); ``"delayed"``, a mail queued longer than
    ``MAIL_QUEUE_ALERT_MINUTES`` (no server set, a server that refuses or does not
    answer, or ``send_mail`` not running). Two ``EXISTS`` on a table that holds
    only the mail not yet sent."""
    given_up = Message.objects.deferred().filter(
        retry_count__gte=settings.MAILER_EMAIL_MAX_RETRIES
    )
    if given_up.exists():
        return "undeliverable"
    waited = timedelta(minutes=settings.MAIL_QUEUE_ALERT_MINUTES)
    if Message.objects.filter(when_added__lt=timezone.now() - waited).exists():
        return "delayed"
    return None
