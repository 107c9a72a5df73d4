"""The mail queue (yantai/mailqueue.py): in the admin for superusers only, in
Chinese, read-only; its sender as deployed (deploy/systemd/yantai-mail*)."""

import os
import re
import shutil
import smtplib
import subprocess
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

from django.contrib.auth.models import Permission
from django.core import mail
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command, get_commands
from django.db.migrations.recorder import MigrationRecorder
from django.test import SimpleTestCase, TestCase
from django.utils import timezone
from mailer.models import PRIORITY_DEFERRED, Message, MessageLog

from tests.factories import UserFactory, staff_in_group
from tests.news.test_workflow_mail import send_queue
from tests.test_health import default_database, sqlite_settings, unreachable_database
from yantai import mailtransport

KEEP_QUEUED = "yantai.mailtransport.KeepQueuedBackend"

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
SYSTEMD = DEPLOY / "systemd"
PAGES = (
    "/admin/mailer/",
    "/admin/mailer/message/",
    "/admin/mailer/messagelog/",
)


def queue(subject: str = "【品质烟台】待您初审：《质量月》") -> Message:
    message = Message()
    message.email = EmailMessage(
        subject, "您好：\n请审核。\n", "cms@example.gov.cn", ["r@example.gov.cn"]
    )
    message.save()
    return message


class MailQueueAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.superuser = UserFactory(
            username="root", is_staff=True, is_superuser=True, email="root@x.cn"
        )
        cls.publisher = staff_in_group("publisher", "终审发布")
        # Staff given django-mailer's own permissions directly: still not for them.
        cls.granted = staff_in_group("granted", "编辑")
        cls.granted.user_permissions.add(
            *Permission.objects.filter(content_type__app_label="mailer")
        )
        cls.message = queue()

    def test_superusers_see_the_queue_in_chinese(self):
        self.client.force_login(self.superuser)
        index = self.client.get("/admin/")
        self.assertContains(index, "邮件队列")
        self.assertContains(index, "待发邮件")
        page = self.client.get("/admin/mailer/message/")
        self.assertEqual(page.status_code, 200)
        for text in (
            "收件人",
            "邮件主题",
            "状态",
            "待发送",
            "r@example.gov.cn",
            "质量月",
        ):
            self.assertContains(page, text)
        self.assertNotContains(page, "Send selected")
        detail = self.client.get(f"/admin/mailer/message/{self.message.pk}/change/")
        self.assertContains(detail, "请审核。")
        for url in PAGES:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 200)
        # No 停发地址 page: the queue's writer does not read that list.
        self.assertEqual(
            self.client.get("/admin/mailer/dontsendentry/").status_code, 404
        )

    def test_other_staff_see_no_message_whatever_their_permissions(self):
        for user in (self.publisher, self.granted):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertNotContains(self.client.get("/admin/"), "邮件队列")
                for url in (
                    *PAGES,
                    f"/admin/mailer/message/{self.message.pk}/change/",
                    f"/admin/mailer/message/{self.message.pk}/delete/",
                ):
                    response = self.client.get(url)
                    self.assertIn(response.status_code, (403, 404), url)
                    self.assertNotContains(
                        response, "r@example.gov.cn", status_code=response.status_code
                    )
                response = self.client.post(
                    "/admin/mailer/message/",
                    {
                        "action": "delete_selected",
                        "_selected_action": [self.message.pk],
                    },
                )
                self.assertEqual(response.status_code, 403)
                self.assertTrue(Message.objects.filter(pk=self.message.pk).exists())

    def test_anonymous_visitors_are_sent_to_the_login(self):
        for url in PAGES:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 302)
                self.assertIn("/admin/login/", response["Location"])

    def test_nothing_is_added_or_edited_by_hand(self):
        """The queue is written by the code that sends mail; a superuser reads it
        and may delete a mail that should not go."""
        self.client.force_login(self.superuser)
        self.assertEqual(self.client.get("/admin/mailer/message/add/").status_code, 403)
        self.client.post(
            f"/admin/mailer/message/{self.message.pk}/change/",
            {"message_data": "x", "priority": "1"},
        )
        self.message.refresh_from_db()
        self.assertEqual(self.message.email.subject, "【品质烟台】待您初审：《质量月》")
        self.assertFalse(MessageLog.objects.exists())
        response = self.client.post(
            f"/admin/mailer/message/{self.message.pk}/delete/", {"post": "yes"}
        )
        self.assertEqual(response.status_code, 302)
        self.assertFalse(Message.objects.exists())


class SenderDeploymentTests(SimpleTestCase):
    """The sender shipped in deploy/ (systemd timers) runs commands this site has,
    on the schedule docs/deployment.md gives."""

    def test_units_name_real_commands(self):
        known = get_commands()
        commands = set()
        for path in sorted(SYSTEMD.glob("yantai-mail*")):
            text = path.read_text(encoding="utf-8")
            with self.subTest(path=path.name):
                for command in re.findall(r"manage\.py (\w+)", text):
                    self.assertIn(command, known)
                    commands.add(command)
        self.assertEqual(commands, {"send_mail", "retry_deferred", "purge_mail_log"})

    def test_send_every_minute_retry_every_ten(self):
        schedule = {
            name: re.search(
                r"^OnCalendar=(.+)$", (SYSTEMD / name).read_text("utf-8"), re.M
            ).group(1)
            for name in ("yantai-mail.timer", "yantai-mail-retry.timer")
        }
        self.assertEqual(
            schedule,
            {"yantai-mail.timer": "minutely", "yantai-mail-retry.timer": "*:0/10"},
        )
        for name, command in (
            ("yantai-mail.service", "send_mail"),
            ("yantai-mail-retry.service", "retry_deferred"),
        ):
            text = (SYSTEMD / name).read_text("utf-8")
            self.assertIn("Type=oneshot", text)
            self.assertIn(f"manage.py {command}", text)


class NoMailServerTests(TestCase):
    """Without ``EMAIL_HOST`` (DEBUG off) the sender sends nothing and keeps every
    mail queued as it was, to go once a server is set (yantai/mailtransport.py).
    Django's dummy backend used to "send" them: the queue emptied, each mail
    logged as sent."""

    def setUp(self):
        self.addCleanup(setattr, mailtransport, "_warned", [False])
        mailtransport._warned = [False]

    def test_mail_stays_queued_untouched_until_a_server_is_set(self):
        first, second = queue("【品质烟台】一"), queue("【品质烟台】二")
        with self.assertLogs("yantai.mailtransport", "WARNING") as logs:
            for _ in range(2):  # two runs, a minute apart
                send_queue(KEEP_QUEUED)
        self.assertEqual(len(logs.records), 1)  # once a process, not once a mail
        self.assertIn("未设置 EMAIL_HOST", logs.output[0])
        self.assertEqual(mail.outbox, [])
        self.assertEqual(MessageLog.objects.count(), 0)
        kept = Message.objects.order_by("pk")
        self.assertEqual([m.pk for m in kept], [first.pk, second.pk])
        self.assertEqual(Message.objects.deferred().count(), 0)
        self.assertEqual([m.retry_count for m in kept], [0, 0])

        send_queue()  # EMAIL_HOST set: the next run sends them
        self.assertEqual(
            [m.subject for m in mail.outbox], ["【品质烟台】一", "【品质烟台】二"]
        )
        self.assertFalse(Message.objects.exists())

    def test_other_failures_are_deferred_and_logged_as_before(self):
        queue()
        send_queue(f"{__name__}.RefusingBackend")
        self.assertEqual(Message.objects.deferred().count(), 1)
        (log,) = MessageLog.objects.all()
        self.assertIn("550", log.log_message)


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPRecipientsRefused({"r@example.gov.cn": (550, b"no such")})


class QueueHealthTests(TestCase):
    """A queue that does not drain shows on /healthz (200, "degraded": every app
    server shares it), and a mail is retried about a day, not for ever."""

    def health(self) -> dict:
        response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 200)
        return response.json()

    def test_a_fresh_mail_is_no_problem(self):
        queue()
        self.assertEqual(self.health(), {"status": "ok"})

    def test_a_mail_waiting_past_the_alert_is_delayed(self):
        message = queue()
        Message.objects.filter(pk=message.pk).update(
            when_added=timezone.now() - timedelta(minutes=31)
        )
        self.assertEqual(self.health(), {"status": "degraded", "mail_queue": "delayed"})
        with self.settings(MAIL_QUEUE_ALERT_MINUTES=60):
            self.assertEqual(self.health(), {"status": "ok"})

    def test_a_mail_past_its_retries_is_kept_and_undeliverable(self):
        message = queue()
        send_queue(f"{__name__}.RefusingBackend")
        self.assertEqual(Message.objects.deferred().count(), 1)
        Message.objects.filter(pk=message.pk).update(retry_count=143)
        call_command("retry_deferred")  # the 144th attempt is still made …
        self.assertEqual(Message.objects.get(pk=message.pk).retry_count, 144)
        send_queue(f"{__name__}.RefusingBackend")
        self.assertEqual(
            self.health(), {"status": "degraded", "mail_queue": "undeliverable"}
        )
        call_command("retry_deferred")  # … and no other
        kept = Message.objects.get(pk=message.pk)
        self.assertEqual((kept.retry_count, kept.priority), (144, PRIORITY_DEFERRED))
        self.assertEqual(MessageLog.objects.count(), 2)

    def test_with_the_database_out_of_reach_it_alone_is_named(self):
        queue()
        Message.objects.update(when_added=timezone.now() - timedelta(days=1))
        with unreachable_database():
            response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 503)
        self.assertEqual(
            response.json(), {"status": "error", "database": "unreachable"}
        )

    def test_a_database_without_the_queue_table_is_named_not_a_500(self):
        """Before ``migrate`` has made the mail queue's table (a real database
        file with the health probe's table only)."""
        workdir = Path(tempfile.mkdtemp(prefix="yantai-mailqueue-"))
        self.addCleanup(shutil.rmtree, workdir, ignore_errors=True)
        settings_dict = sqlite_settings(workdir / "db.sqlite3")
        with default_database(**settings_dict) as db:
            MigrationRecorder(db).ensure_schema()
        with default_database(**settings_dict):
            self.assertEqual(
                self.health(), {"status": "degraded", "mail_queue": "unreadable"}
            )

        for name in ("MAILER_EMAIL_MAX_RETRIES", "MAIL_QUEUE_ALERT_MINUTES"):
            with self.subTest(name=name):
                run = subprocess.run(
                    [sys.executable, "-c", "import yantai.settings"],
                    env={**os.environ, name: "一天", "DJANGO_DEBUG": "1"},
                    capture_output=True,
                    text=True,
                )
                self.assertNotEqual(run.returncode, 0)
                self.assertIn(f"{name} 必须是不小于 0 的整数", run.stderr)
