"""三审 email notifications (news/notify.py), through the real mail path.

The mails are queued in the transaction of the transition (django-mailer's
``Message``), not sent in the request: the tests read the queue, and what
``manage.py send_mail`` delivers from it to the locmem backend (``mail.outbox``)
or to a mail server that does not answer.
"""

import socket
import time
from datetime import timedelta
from smtplib import SMTPException

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.test import TestCase, override_settings
from django.utils import timezone
from mailer.models import PRIORITY_DEFERRED, RESULT_FAILURE, Message, MessageLog

from news.models import Article, Byline, NotificationSetting, Person
from news.workflow import (
    article_approve,
    article_publish,
    article_reject,
    article_submit,
    articles_publish,
)
from tests.api import ApiTestCase, token_for
from tests.factories import (
    ArticleFactory,
    BylineFactory,
    PersonFactory,
    UserFactory,
    staff_in_group,
)

S = Article.Status
SITE = "https://quality.example.gov.cn"


class FailingBackend(BaseEmailBackend):
    """A mail server that refuses every message."""

    def send_messages(self, email_messages):
        raise SMTPException("550 mailbox unavailable")


def staff(username, group, **kwargs):
    user = staff_in_group(username, group)
    user.email = kwargs.pop("email", f"{username}@example.gov.cn")
    for key, value in kwargs.items():
        setattr(user, key, value)
    user.save()
    return user


LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


def queued():
    """The mails waiting in the queue (``EmailMessage``s), oldest first."""
    return [m.email for m in Message.objects.order_by("pk")]


def sent_to():
    """Who the queued mails are for."""
    return sorted(address for m in queued() for address in m.to)


def send_queue(backend: str = LOCMEM) -> None:
    """What the sender (``manage.py send_mail``) does every minute."""
    with override_settings(MAILER_EMAIL_BACKEND=backend):
        call_command("send_mail")


def closed_port() -> int:
    """A local port nothing listens on: a mail server that is down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@override_settings(SITE_URL=SITE, EDITORIAL_SEPARATION_OF_DUTIES=True)
class RecipientTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = staff("editor", "编辑")
        cls.editor2 = staff("editor2", "编辑")
        cls.reviewer = staff("reviewer", "审核")
        cls.reviewer2 = staff("reviewer2", "审核")
        cls.publisher = staff("publisher", "终审发布")
        # Never mailed: no address, inactive, not staff.
        staff("noaddress", "审核", email="")
        staff("gone", "审核", is_active=False)
        staff("outsider", "审核", is_staff=False)

    def act(self, service, **kwargs):
        Message.objects.all().delete()
        # No on-commit callback runs in a TestCase: what is queued was written in
        # the transition's own transaction.
        service(**kwargs)
        return sent_to()

    def through_review(self, article, by=None):
        """送审 (by ``by``, the editor if not given), 初审 and 复审: 待终审."""
        article_submit(article=article, by=by or self.editor)
        article_approve(article=article, by=self.reviewer)
        article_approve(article=article, by=self.reviewer2)

    def test_each_transition_mails_the_next_people(self):
        article = ArticleFactory(status=S.DRAFT, title="烟台苹果质量抽检结果")
        # 送审: whoever may do 初审 (publishers may too), never the submitter.
        self.assertEqual(
            self.act(article_submit, article=article, by=self.editor),
            [
                "publisher@example.gov.cn",
                "reviewer2@example.gov.cn",
                "reviewer@example.gov.cn",
            ],
        )
        message = queued()[0]
        self.assertEqual(
            message.subject, "【品质烟台】待您初审：《烟台苹果质量抽检结果》"
        )
        self.assertIn(f"{SITE}/admin/news/article/{article.pk}/change/", message.body)
        self.assertIn("editor", message.body)
        self.assertEqual(len(message.to), 1)  # one message each, no one else's
        self.assertFalse(message.cc or message.bcc)
        # 初审 by reviewer: 复审 by another, so not reviewer (the actor, and the
        # separation of duties excludes them) nor the submitter.
        self.assertEqual(
            self.act(article_approve, article=article, by=self.reviewer),
            ["publisher@example.gov.cn", "reviewer2@example.gov.cn"],
        )
        self.assertEqual(
            queued()[0].subject, "【品质烟台】待您复审：《烟台苹果质量抽检结果》"
        )
        # 复审 by reviewer2: 终审发布 by the publishers.
        self.assertEqual(
            self.act(article_approve, article=article, by=self.reviewer2),
            ["publisher@example.gov.cn"],
        )
        self.assertEqual(
            queued()[0].subject, "【品质烟台】待您终审：《烟台苹果质量抽检结果》"
        )
        # 终审发布: the submitter, with the public address.
        self.assertEqual(
            self.act(article_publish, article=article, by=self.publisher),
            ["editor@example.gov.cn"],
        )
        self.assertEqual(
            queued()[0].subject, "【品质烟台】稿件已发布：《烟台苹果质量抽检结果》"
        )
        article.refresh_from_db()
        self.assertIn(SITE + article.get_absolute_url(), queued()[0].body)

    def test_a_scheduled_publication_tells_the_submitter_when(self):
        article = ArticleFactory(status=S.DRAFT, title="质量月活动安排")
        self.through_review(article)
        at = timezone.now() + timedelta(days=2)
        self.assertEqual(
            self.act(article_publish, article=article, by=self.publisher, at=at),
            ["editor@example.gov.cn"],
        )
        message = queued()[0]
        self.assertEqual(
            message.subject, "【品质烟台】稿件已定时发布：《质量月活动安排》"
        )
        shown = timezone.localtime(at).strftime("%Y-%m-%d %H:%M")
        self.assertIn(f"已由 publisher 终审，定于 {shown} 发布。", message.body)
        article.refresh_from_db()
        self.assertIn(SITE + article.get_absolute_url(), message.body)

    def test_a_revision_s_publication_says_it_is_one(self):
        """终审发布 of a draft over a live article (its 更新时间 set by this
        publication) tells the submitter the revision is on the site; publishing
        it again unchanged (after 撤下) is a plain publication."""
        from news.services import article_update
        from news.workflow import article_unpublish

        def walk(article):
            self.through_review(article)
            return self.act(article_publish, article=article, by=self.publisher)

        article = ArticleFactory(status=S.DRAFT, title="烟台质量发展报告")
        walk(article)
        self.assertEqual(
            queued()[0].subject, "【品质烟台】稿件已发布：《烟台质量发展报告》"
        )
        article_update(article=article, by=self.editor, values={"summary": "更正"})
        self.assertEqual(walk(article), ["editor@example.gov.cn"])
        message = queued()[0]
        self.assertEqual(
            message.subject, "【品质烟台】稿件已发布修订：《烟台质量发展报告》"
        )
        self.assertIn("的修订已由 publisher 终审发布。", message.body)
        article.refresh_from_db()
        self.assertIn(SITE + article.get_absolute_url(), message.body)
        revised_at = article.revised_at
        self.assertIsNotNone(revised_at)
        # Withdrawn and published again as it was: not a revision this time.
        article_unpublish(article=article, by=self.publisher)
        walk(article)
        self.assertEqual(
            queued()[0].subject, "【品质烟台】稿件已发布：《烟台质量发展报告》"
        )
        article.refresh_from_db()
        self.assertEqual(article.revised_at, revised_at)

    def test_the_recipients_cost_the_same_queries_however_many(self):
        """Separation of duties is worked out once per transition, not once per
        possible reviewer (a bulk 初审 of many articles would multiply it)."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        def queries_of_submit():
            article = ArticleFactory(status=S.DRAFT)
            Message.objects.all().delete()
            with CaptureQueriesContext(connection) as counted:
                article_submit(article=article, by=self.editor)
            return len(counted), Message.objects.count()

        queries_of_submit()  # the submitter's permissions, read once and kept
        few, mailed_few = queries_of_submit()
        for n in range(5):
            staff(f"extra-reviewer-{n}", "审核")
        many, mailed_many = queries_of_submit()
        self.assertEqual(mailed_many, mailed_few + 5)
        self.assertEqual(many, few)

    def test_reject_mails_the_submitter_and_the_last_writer_with_the_reason(self):
        article = ArticleFactory(status=S.DRAFT)
        from news.services import article_update

        article_update(article=article, by=self.editor2, values={"summary": "改"})
        article_submit(article=article, by=self.editor)
        self.assertEqual(
            self.act(
                article_reject, article=article, by=self.reviewer, comment="数据待核实"
            ),
            ["editor2@example.gov.cn", "editor@example.gov.cn"],
        )
        self.assertTrue(queued()[0].subject.startswith("【品质烟台】稿件被退回："))
        self.assertIn("数据待核实", queued()[0].body)

    def test_the_actor_is_never_mailed(self):
        """A publisher who sends their own work to review gets no mail of it."""
        article = ArticleFactory(status=S.DRAFT)
        self.assertNotIn(
            "publisher@example.gov.cn",
            self.act(article_submit, article=article, by=self.publisher),
        )
        # …nor of its publication, though they are its submitter.
        article_approve(article=article, by=self.reviewer)
        article_approve(article=article, by=self.reviewer2)
        self.assertEqual(
            self.act(article_publish, article=article, by=self.publisher), []
        )

    def test_staff_named_in_the_bylines_hear_of_the_publication(self):
        """Staff who said on 我的通知 which bylined person they are (a reporter
        whose copy an editor entered) are told of its scheduling and its
        publication; not of the review steps, not of a namesake's article, and not
        when they switched the mails off."""
        reporter = staff("reporter", None)  # no review permission at all
        namesake = staff("namesake", None)
        silent = staff("silent", None)
        wang = PersonFactory(name="王海", note="YMG全媒体")
        other_wang = PersonFactory(name="王海", note="通讯员单位")
        NotificationSetting.objects.create(user=reporter, person=wang)
        NotificationSetting.objects.create(user=namesake, person=other_wang)
        NotificationSetting.objects.create(
            user=silent, person=wang, workflow_email=False
        )
        article = ArticleFactory(status=S.DRAFT, title="烟台苹果品牌价值")
        BylineFactory(article=article, person=wang, role=Byline.Role.REPORTER)
        self.assertNotIn(
            "reporter@example.gov.cn",
            self.act(article_submit, article=article, by=self.editor),
        )
        article_approve(article=article, by=self.reviewer)
        article_approve(article=article, by=self.reviewer2)
        self.assertEqual(
            self.act(article_publish, article=article, by=self.publisher),
            ["editor@example.gov.cn", "reporter@example.gov.cn"],
        )
        mine = [m for m in queued() if m.to == ["reporter@example.gov.cn"]][0]
        self.assertEqual(mine.subject, "【品质烟台】稿件已发布：《烟台苹果品牌价值》")
        article.refresh_from_db()
        self.assertIn(SITE + article.get_absolute_url(), mine.body)
        # A reporter who is also the actor is not told of their own act.
        NotificationSetting.objects.create(user=self.publisher, person=wang)
        second = ArticleFactory(status=S.DRAFT, title="莱阳梨地理标志")
        # Named twice (记者 and 摄影): mailed once.
        BylineFactory(article=second, person=wang, role=Byline.Role.REPORTER)
        BylineFactory(article=second, person=wang, role=Byline.Role.PHOTOGRAPHER)
        self.through_review(second)
        at = timezone.now() + timedelta(days=1)
        self.assertEqual(
            self.act(article_publish, article=second, by=self.publisher, at=at),
            ["editor@example.gov.cn", "reporter@example.gov.cn"],
        )

    def test_opt_out_is_respected(self):
        NotificationSetting.objects.create(user=self.reviewer, workflow_email=False)
        article = ArticleFactory(status=S.DRAFT)
        self.assertEqual(
            self.act(article_submit, article=article, by=self.editor),
            ["publisher@example.gov.cn", "reviewer2@example.gov.cn"],
        )

    def test_a_user_given_the_permission_directly_is_mailed(self):
        user = UserFactory(username="direct", is_staff=True, email="d@example.gov.cn")
        user.user_permissions.add(Permission.objects.get(codename="review_article"))
        article = ArticleFactory(status=S.DRAFT)
        self.assertIn(
            "d@example.gov.cn",
            self.act(article_submit, article=article, by=self.editor),
        )

    def test_superusers_are_mailed_only_when_no_one_else_may_act(self):
        """A superuser holds every permission but is not a reviewer: mailed of a
        step only if no one who holds its permission by a group or directly is
        left to mail (a site whose superuser alone reviews); a superuser in the
        group is mailed as its members are."""
        UserFactory(
            username="root", is_staff=True, is_superuser=True, email="root@x.cn"
        )
        article = ArticleFactory(status=S.DRAFT)
        self.assertNotIn(
            "root@x.cn", self.act(article_submit, article=article, by=self.editor)
        )
        article_approve(article=article, by=self.reviewer)
        # 终审: the one publisher switched the mails off; the superuser is told.
        NotificationSetting.objects.create(user=self.publisher, workflow_email=False)
        self.assertEqual(
            self.act(article_approve, article=article, by=self.reviewer2),
            ["root@x.cn"],
        )
        member = UserFactory(
            username="root2", is_staff=True, is_superuser=True, email="root2@x.cn"
        )
        member.groups.add(Group.objects.get(name="终审发布"))
        article = ArticleFactory(status=S.REVIEW_2)
        self.assertEqual(
            self.act(article_approve, article=article, by=self.reviewer2),
            ["root2@x.cn"],
        )

    def test_nothing_is_sent_when_the_transaction_rolls_back(self):
        """A bulk 终审发布 is all or none: a refused article takes the others' mails
        back with their publication."""
        good = ArticleFactory(status=S.DRAFT)
        self.through_review(good)
        bad = ArticleFactory(status=S.DRAFT)
        good.refresh_from_db()
        Message.objects.all().delete()
        with self.assertRaises(ValidationError):
            articles_publish(
                by=self.publisher, versions={good.pk: good.version, bad.pk: bad.version}
            )
        self.assertFalse(Message.objects.exists())
        good.refresh_from_db()
        self.assertEqual(good.status, S.REVIEW_3)
        send_queue()
        self.assertEqual(mail.outbox, [])

    def test_the_sender_delivers_the_queue_as_queued(self):
        """``send_mail`` hands each queued mail to the mail server once, as it was
        written, and empties the queue."""
        article = ArticleFactory(status=S.DRAFT, title="质量提升行动")
        recipients = self.act(article_submit, article=article, by=self.editor)
        waiting = {m.to[0]: (m.subject, m.body) for m in queued()}
        send_queue()
        self.assertEqual(sorted(a for m in mail.outbox for a in m.to), recipients)
        for message in mail.outbox:
            self.assertEqual(len(message.to), 1)
            self.assertEqual(waiting[message.to[0]], (message.subject, message.body))
            self.assertEqual(message.from_email, settings.DEFAULT_FROM_EMAIL)
        self.assertFalse(Message.objects.exists())
        mail.outbox = []
        send_queue()  # sent once, never again
        self.assertEqual(mail.outbox, [])

    def test_a_refusing_mail_server_keeps_the_mail_for_a_retry(self):
        article = ArticleFactory(status=S.DRAFT)
        article_submit(article=article, by=self.editor)
        self.assertEqual(article.status, S.REVIEW_1)
        waiting = Message.objects.count()
        send_queue("tests.news.test_workflow_mail.FailingBackend")
        self.assertEqual(Message.objects.deferred().count(), waiting)
        failure = MessageLog.objects.filter(result=RESULT_FAILURE)
        self.assertEqual(failure.count(), waiting)
        self.assertIn("550 mailbox unavailable", failure.first().log_message)
        call_command("retry_deferred")
        send_queue()
        self.assertEqual(len(mail.outbox), waiting)
        self.assertFalse(Message.objects.exists())


@override_settings(SITE_URL=SITE)
class EveryPathNotifiesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = staff("editor", "编辑")
        cls.reviewer = staff("reviewer", "审核")

    def test_admin_button(self):
        article = ArticleFactory(status=S.DRAFT)
        self.client.force_login(self.editor)
        response = self.client.post(
            f"/admin/news/article/{article.pk}/transition/", {"action": "submit"}
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(sent_to(), ["reviewer@example.gov.cn"])

    def test_a_mail_server_that_is_down_holds_no_one_up(self):
        """The transition succeeds at once; the mail waits in the queue, deferred
        by the sender, and goes once the server answers again."""
        article = ArticleFactory(status=S.DRAFT)
        self.client.force_login(self.editor)
        down = {
            "MAILER_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": closed_port(),
            "EMAIL_TIMEOUT": 5,
        }
        with override_settings(**down):
            started = time.monotonic()
            response = self.client.post(
                f"/admin/news/article/{article.pk}/transition/", {"action": "submit"}
            )
            took = time.monotonic() - started
            self.assertEqual(response.status_code, 302)
            self.assertLess(took, 3)
            article.refresh_from_db()
            self.assertEqual(article.status, S.REVIEW_1)
            self.assertEqual(sent_to(), ["reviewer@example.gov.cn"])
            call_command("send_mail")
        message = Message.objects.get()
        self.assertEqual(message.priority, PRIORITY_DEFERRED)
        self.assertTrue(MessageLog.objects.filter(result=RESULT_FAILURE).exists())
        self.assertEqual(mail.outbox, [])
        call_command("retry_deferred")
        send_queue()
        self.assertEqual([m.to for m in mail.outbox], [["reviewer@example.gov.cn"]])
        self.assertFalse(Message.objects.exists())

    def test_admin_bulk_action(self):
        articles = [ArticleFactory(status=S.REVIEW_1) for _ in range(2)]
        self.client.force_login(self.reviewer)
        staff("publisher", "终审发布")
        response = self.client.post(
            "/admin/news/article/",
            {
                "action": "approve_selected",
                "_selected_action": [a.pk for a in articles],
            },
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(
            sorted(m.subject for m in queued()),
            sorted(f"【品质烟台】待您复审：《{a.title}》" for a in articles),
        )
        self.assertEqual(sent_to(), ["publisher@example.gov.cn"] * 2)


@override_settings(SITE_URL=SITE)
class ApiSubmitNotifiesTests(ApiTestCase):
    def test_drafts_api_submit(self):
        editor = staff("editor", "编辑")
        staff("reviewer", "审核")
        article = ArticleFactory(status=S.DRAFT)
        self.auth(token_for(editor))
        url = f"/api/v1/drafts/{article.pk}/"
        etag = self.client.get(url)["ETag"]
        response = self.client.post(
            url + "submit/", {"comment": "请审"}, format="json", HTTP_IF_MATCH=etag
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(sent_to(), ["reviewer@example.gov.cn"])
        self.assertIn("请审", queued()[0].body)


MINE = "/admin/my-notifications/"


class MyNotificationsPageTests(TestCase):
    """我的通知: each staff user switches their own workflow mails on or off."""

    @classmethod
    def setUpTestData(cls):
        cls.reviewer = staff("reviewer", "审核")
        cls.other = staff("other", "审核")
        cls.no_group = staff("nogroup", None)

    def test_anonymous_and_non_staff_are_sent_to_the_login(self):
        reader = UserFactory(username="reader", email="r@example.gov.cn")
        for who in (None, reader):
            with self.subTest(who=who):
                self.client.logout()
                if who:
                    self.client.force_login(who)
                for response in (
                    self.client.get(MINE),
                    self.client.post(MINE, {"workflow_email": ""}),
                ):
                    self.assertEqual(response.status_code, 302)
                    self.assertIn("/admin/login/", response["Location"])
        self.assertFalse(NotificationSetting.objects.exists())

    def test_staff_switch_their_own_mails_off_and_on(self):
        for user in (self.reviewer, self.no_group):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                page = self.client.get(MINE)
                self.assertEqual(page.status_code, 200)
                self.assertContains(page, "我的通知")
                self.assertContains(page, user.email)
                response = self.client.post(MINE, {}, follow=True)  # box unticked
                self.assertContains(response, "通知设置已保存")
                self.assertFalse(
                    NotificationSetting.objects.get(user=user).workflow_email
                )
                self.client.post(MINE, {"workflow_email": "on"})
                self.assertTrue(
                    NotificationSetting.objects.get(user=user).workflow_email
                )
        # Nobody else's setting was written.
        self.assertFalse(NotificationSetting.objects.filter(user=self.other).exists())

    def test_staff_say_which_bylined_person_they_are(self):
        wang = PersonFactory(name="王海", note="YMG全媒体")
        PersonFactory(name="王海", note="通讯员单位")
        self.client.force_login(self.reviewer)
        page = self.client.get(MINE)
        self.assertContains(page, "署名中的我")
        self.assertContains(page, "王海（YMG全媒体）")
        self.assertContains(page, "王海（通讯员单位）")
        self.client.post(MINE, {"workflow_email": "on", "person": wang.pk})
        setting = NotificationSetting.objects.get(user=self.reviewer)
        self.assertEqual((setting.workflow_email, setting.person), (True, wang))
        # Emptied: no longer anyone of the bylines.
        self.client.post(MINE, {"workflow_email": "on", "person": ""})
        self.assertIsNone(NotificationSetting.objects.get(user=self.reviewer).person)
        # A person deleted since leaves the setting, with no one named.
        self.client.post(MINE, {"workflow_email": "on", "person": wang.pk})
        wang.delete()
        setting = NotificationSetting.objects.get(user=self.reviewer)
        self.assertEqual((setting.workflow_email, setting.person), (True, None))

    def test_a_person_that_is_not_there_is_refused_and_nothing_saved(self):
        wang = PersonFactory(name="王海")
        NotificationSetting.objects.create(
            user=self.reviewer, workflow_email=True, person=wang
        )
        self.client.force_login(self.reviewer)
        for bad in ("999999", "abc"):
            with self.subTest(person=bad):
                response = self.client.post(MINE, {"person": bad})  # mails off too
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "所选的人员不存在")
                self.assertNotContains(response, "通知设置已保存")
                setting = NotificationSetting.objects.get(user=self.reviewer)
                self.assertEqual((setting.workflow_email, setting.person), (True, wang))
        self.assertEqual(Person.objects.count(), 1)

    def test_a_user_without_an_address_is_told_so(self):
        self.client.force_login(staff("blank", "审核", email=""))
        self.assertContains(self.client.get(MINE), "没有填写电子邮箱")

    def test_the_page_changes_only_the_signed_in_user(self):
        """A user id smuggled into the form is ignored."""
        self.client.force_login(self.reviewer)
        self.client.post(MINE, {"user": self.other.pk})
        self.assertFalse(NotificationSetting.objects.filter(user=self.other).exists())
        self.assertFalse(
            NotificationSetting.objects.get(user=self.reviewer).workflow_email
        )
