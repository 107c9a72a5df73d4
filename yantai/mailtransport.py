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
"""

from __future__ import annotations

import logging

from django.core.mail.backends.base import BaseEmailBackend
from mailer import engine

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
