"""终审发布所选文章 goes through a confirmation page, as 删除所选 does.

The page lists what will be published (title, who saved the work last and when,
its 送审 state) and carries each article's version; confirming publishes all of
them, or none when any was changed since the page was shown (named in the
message). Articles that cannot be published are named on the page and left as
they are. Only holders of the publish permission see the page or confirm it.
"""

from __future__ import annotations

import re

from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.test import TestCase

from news.models import Article, ArticleEvent, AuditLog, Revision, SensitiveWord
from news.services import article_update
from news.workflow import article_approve, article_submit, articles_publish
from tests.factories import ArticleFactory, ChannelFactory, UserFactory, staff_in_group

S = Article.Status
CHANGELIST = "/admin/news/article/"


def hidden_inputs(html: str) -> list[tuple[str, str]]:
    """(name, value) of the hidden inputs of a page, in order, as a browser posts them."""
    found = []
    for tag in re.findall(r"<input\b[^>]*>", html):
        if 'type="hidden"' not in tag:
            continue
        name = re.search(r'name="([^"]*)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and name.group(1) != "csrfmiddlewaretoken":
            found.append((name.group(1), value.group(1) if value else ""))
    return found


def confirm_data(response) -> dict:
    """What the confirmation page's form posts back."""
    data: dict[str, list[str]] = {}
    for name, value in hidden_inputs(response.content.decode()):
        data.setdefault(name, []).append(value)
    return data


def state() -> tuple:
    """Everything a publication writes: rows, revisions, events, audit entries."""
    return (
        list(
            Article.objects.order_by("pk").values_list(
                "pk",
                "status",
                "draft_status",
                "version",
                "title",
                "body",
                "published_at",
                "draft_revision_id",
                "live_revision_id",
                "responsible_editor_id",
            )
        ),
        Revision.objects.count(),
        ArticleEvent.objects.count(),
        AuditLog.objects.count(),
    )


class BulkPublishTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.channel = ChannelFactory()
        cls.editor = staff_in_group("editor", "编辑")
        cls.reviewer = staff_in_group("reviewer", "审核")
        cls.second = staff_in_group("second", "审核")
        cls.publisher = staff_in_group("publisher", "终审发布")
        cls.editor.last_name, cls.editor.first_name = "李", "四"
        cls.editor.save()

    def ready(self, title: str) -> Article:
        """A new article in 待终审 (no live version)."""
        return ArticleFactory(channel=self.channel, status=S.REVIEW_3, title=title)

    def ready_draft_over_live(self, title: str) -> Article:
        """A live article whose draft (edited by 李四) is in 待终审."""
        live = ArticleFactory(channel=self.channel, status=S.PUBLISHED, title=title)
        article_update(
            article=live,
            by=self.editor,
            values={"body": "<p>修改稿的正文。</p>"},
        )
        article_submit(article=live, by=self.editor)
        article_approve(article=live, by=self.reviewer)
        article_approve(article=live, by=self.second)
        live.refresh_from_db()
        self.assertEqual(live.draft_status, S.REVIEW_3)
        return live

    def choose(self, articles, user=None):
        """Step one: the action chosen on the list."""
        if user is not None:
            self.client.force_login(user)
        return self.client.post(
            CHANGELIST,
            {
                "action": "publish_selected",
                "index": "0",
                "_selected_action": [a.pk for a in articles],
            },
        )

    def confirm(self, data: dict, user=None):
        """Step two: the confirmation page's form posted."""
        if user is not None:
            self.client.force_login(user)
        return self.client.post(CHANGELIST, data, follow=True)

    def said(self, response) -> str:
        return " ".join(str(m) for m in get_messages(response.wsgi_request))


class ConfirmationPageTests(BulkPublishTestCase):
    def test_the_page_shows_what_will_be_published_and_publishes_nothing(self):
        new = self.ready("新文章待终审")
        live = self.ready_draft_over_live("线上文章")
        before = state()
        response = self.choose([new, live], self.publisher)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "新文章待终审")
        self.assertContains(response, "线上文章")
        self.assertContains(response, "待终审")
        self.assertContains(response, "李四")  # who saved the draft's content
        self.assertContains(response, "确认发布")
        data = confirm_data(response)
        self.assertEqual(
            data[f"version_{live.pk}"], [str(Article.objects.get(pk=live.pk).version)]
        )
        self.assertEqual(state(), before)

    def test_confirming_publishes_every_article(self):
        new = self.ready("新文章待终审")
        live = self.ready_draft_over_live("线上文章")
        page = self.choose([new, live], self.publisher)
        self.assertEqual(page.status_code, 200)
        response = self.confirm(confirm_data(page))
        self.assertEqual(response.status_code, 200)
        said = self.said(response)
        self.assertIn("“新文章待终审”已发布。", said)
        self.assertIn("“线上文章”已发布。", said)
        new.refresh_from_db()
        live.refresh_from_db()
        self.assertEqual((new.status, new.draft_status), (S.PUBLISHED, ""))
        self.assertEqual((live.status, live.draft_status), (S.PUBLISHED, ""))
        self.assertEqual(live.body, "<p>修改稿的正文。</p>")
        self.assertEqual(live.responsible_editor, self.publisher)

    def test_articles_that_cannot_be_published_are_named_and_left_alone(self):
        ready = self.ready("可发布")
        early = ArticleFactory(channel=self.channel, status=S.DRAFT, title="还是草稿")
        response = self.choose([ready, early], self.publisher)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "还是草稿")
        self.assertContains(response, "不能执行此操作")
        data = confirm_data(response)
        self.assertNotIn(f"version_{early.pk}", data)
        self.assertNotIn(str(early.pk), data["_selected_action"])
        response = self.confirm(data)
        ready.refresh_from_db()
        early.refresh_from_db()
        self.assertEqual((ready.status, early.status), (S.PUBLISHED, S.DRAFT))

    def test_nothing_publishable_shows_no_page(self):
        early = ArticleFactory(channel=self.channel, status=S.DRAFT, title="还是草稿")
        before = state()
        response = self.choose([early], self.publisher)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(self.said(response).startswith("“还是草稿”未能发布"))
        self.assertEqual(state(), before)


class ChangedSinceTheConfirmationPageTests(BulkPublishTestCase):
    def test_a_draft_changed_before_the_confirmation_refuses_all(self):
        new = self.ready("新文章待终审")
        live = self.ready_draft_over_live("线上文章")
        data = confirm_data(self.choose([new, live], self.publisher))
        # Another 审核 user changes the draft while the page is open.
        article_update(
            article=live, by=self.reviewer, values={"body": "<p>别人改过的正文。</p>"}
        )
        before = state()
        response = self.confirm(data)
        said = self.said(response)
        self.assertIn("“线上文章”", said)
        self.assertIn("没有发布任何文章", said)
        self.assertNotIn("新文章待终审", said)
        self.assertNotIn("已发布。", said)
        self.assertEqual(state(), before)

    def test_a_failure_of_one_article_publishes_none(self):
        """A 错敏字 added to the list after the page was shown: that article is
        refused, and the others are not published either."""
        new = self.ready("新文章待终审")
        live = self.ready_draft_over_live("线上文章")
        data = confirm_data(self.choose([new, live], self.publisher))
        SensitiveWord.objects.create(wrong="修改稿", correct="修订稿")
        before = state()
        response = self.confirm(data)
        said = self.said(response)
        self.assertIn("“线上文章”", said)
        self.assertIn("错敏字", said)
        self.assertIn("没有发布任何文章", said)
        self.assertEqual(state(), before)

    def test_a_confirmation_without_versions_is_refused(self):
        new = self.ready("新文章待终审")
        self.client.force_login(self.publisher)
        before = state()
        response = self.confirm(
            {
                "action": "publish_selected",
                "_selected_action": [new.pk],
                "post": "yes",
            }
        )
        self.assertIn("缺少版本信息", self.said(response))
        self.assertEqual(state(), before)

    def test_a_bad_version_is_refused(self):
        new = self.ready("新文章待终审")
        self.client.force_login(self.publisher)
        before = state()
        # Digits to str.isdigit() that int() refuses ("²"), and more digits than
        # int() converts: a message, not a 500.
        for bad in ("第三版", "²", "1²", "9" * 5000):
            with self.subTest(bad=bad[:10]):
                response = self.confirm(
                    {
                        "action": "publish_selected",
                        "_selected_action": [new.pk],
                        "post": "yes",
                        f"version_{new.pk}": bad,
                    }
                )
                self.assertEqual(response.status_code, 200)
                self.assertIn("缺少版本信息", self.said(response))
                self.assertEqual(state(), before)


class ConfirmedSetTests(BulkPublishTestCase):
    def test_an_article_deleted_before_the_confirmation_refuses_all(self):
        new = self.ready("新文章待终审")
        doomed = self.ready("被删除的文章")
        data = confirm_data(self.choose([new, doomed], self.publisher))
        pk = doomed.pk
        doomed.delete()
        before = state()
        response = self.confirm(data)
        said = self.said(response)
        self.assertIn(f"编号 {pk} 的文章（已被删除）", said)
        self.assertIn("没有发布任何文章", said)
        self.assertEqual(state(), before)

    def test_the_service_refuses_a_user_without_the_permission(self):
        article = self.ready("新文章待终审")
        before = state()
        with self.assertRaisesMessage(PermissionDenied, "新文章待终审"):
            articles_publish(by=self.editor, versions={article.pk: article.version})
        self.assertEqual(state(), before)


class PermissionTests(BulkPublishTestCase):
    def confirmation_of(self, article) -> dict:
        data = confirm_data(self.choose([article], self.publisher))
        self.assertIn(f"version_{article.pk}", data)
        self.client.logout()
        return data

    def test_staff_without_the_permission_gets_no_page(self):
        article = self.ready("新文章待终审")
        for user in (self.editor, self.reviewer):
            with self.subTest(user=user.username):
                before = state()
                response = self.choose([article], user)
                self.assertNotContains(response, "确认发布", status_code=302)
                self.assertEqual(state(), before)

    def test_staff_without_the_permission_cannot_confirm(self):
        article = self.ready("新文章待终审")
        data = self.confirmation_of(article)
        for user in (self.editor, self.reviewer):
            with self.subTest(user=user.username):
                before = state()
                response = self.confirm(data, user)
                self.assertNotIn("已发布", self.said(response))
                self.assertEqual(state(), before)

    def test_a_permission_withdrawn_before_the_confirmation_is_refused(self):
        article = self.ready("新文章待终审")
        former = staff_in_group("former", "终审发布")
        data = confirm_data(self.choose([article], former))
        former.groups.clear()
        former.groups.add(self.editor.groups.get())
        before = state()
        response = self.confirm(data, UserFactory(username="former"))
        self.assertNotIn("已发布", self.said(response))
        self.assertEqual(state(), before)

    def test_anonymous_is_sent_to_log_in_on_both_steps(self):
        article = self.ready("新文章待终审")
        data = self.confirmation_of(article)
        before = state()
        response = self.choose([article])
        self.assertEqual(response.status_code, 302)
        self.assertIn("/login/", response["Location"])
        response = self.client.post(CHANGELIST, data)
        self.assertEqual(response.status_code, 302)
        self.assertIn("/login/", response["Location"])
        self.assertEqual(state(), before)
