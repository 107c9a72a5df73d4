"""What a draft names by id may be deleted before 终审 publishes it.

A draft over a live article keeps its tags, related articles and bylines' people
in its snapshot; the rows themselves can be deleted meanwhile (a tag, a person, a
never-published article a draft links to). Publishing goes on — nothing can bring
a deleted row back — but nothing is lost silently: the publisher is told which
ones (the publish button's message, the bulk confirmation page and its result)
and the timeline (审核记录) records them. A channel deleted meanwhile refuses the
publication, on the confirmation page already. Covers and body images cannot be
deleted while a draft uses them (tests/news/test_image_delete.py).
"""

from __future__ import annotations

from django.contrib.messages import get_messages
from django.test import TestCase

from news.models import Article, ArticleEvent, Byline, Person
from news.services import article_update
from news.workflow import article_approve, article_submit
from tests.factories import (
    ArticleFactory,
    BylineFactory,
    ChannelFactory,
    PersonFactory,
    TagFactory,
    staff_in_group,
)
from tests.news.test_bulk_publish import confirm_data

S = Article.Status
CHANGELIST = "/admin/news/article/"


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


class GoneSincePublishTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.channel = ChannelFactory()
        cls.editor = staff_in_group("editor", "编辑")
        cls.reviewer = staff_in_group("reviewer", "审核")
        cls.second = staff_in_group("second", "审核")
        cls.publisher = staff_in_group("publisher", "终审发布")

    def setUp(self):
        self.kept = TagFactory(name="质量强市")
        self.doomed = TagFactory(name="将被删除")
        self.live = ArticleFactory(
            channel=self.channel, status=S.PUBLISHED, title="线上文章"
        )
        self.live.tags.set([self.kept, self.doomed])

    def draft(self, values: dict) -> Article:
        """``values`` saved as a draft over the live article, taken to 待终审."""
        article_update(article=self.live, by=self.editor, values=values)
        article_submit(article=self.live, by=self.editor)
        article_approve(article=self.live, by=self.reviewer)
        article_approve(article=self.live, by=self.second)
        self.live.refresh_from_db()
        self.assertEqual(self.live.draft_status, S.REVIEW_3)
        return self.live

    def publish_button(self):
        self.client.force_login(self.publisher)
        return self.client.post(
            f"/admin/news/article/{self.live.pk}/transition/",
            {"action": "publish", "expected_version": self.live.version},
            follow=True,
        )

    def bulk_page(self):
        self.client.force_login(self.publisher)
        return self.client.post(
            CHANGELIST,
            {"action": "publish_selected", "_selected_action": [self.live.pk]},
        )

    def timeline_note(self) -> str:
        return (
            ArticleEvent.objects.filter(article=self.live, action="publish")
            .latest("id")
            .comment
        )


class DeletedTagTests(GoneSincePublishTestCase):
    def test_a_kept_tag_deleted_before_publishing_is_named(self):
        """The draft keeps both tags (its body changed); one is deleted."""
        self.draft({"body": "<p>修改稿的正文。</p>"})
        self.doomed.delete()
        response = self.publish_button()
        self.live.refresh_from_db()
        self.assertEqual(self.live.status, S.PUBLISHED)
        self.assertEqual(self.live.body, "<p>修改稿的正文。</p>")
        self.assertEqual(list(self.live.tags.all()), [self.kept])
        warning = [m for m in texts(response) if "已被删除" in m]
        self.assertEqual(len(warning), 1, texts(response))
        self.assertIn("标签“将被删除”", warning[0])
        self.assertNotIn("质量强市", warning[0])
        self.assertIn("标签“将被删除”", self.timeline_note())

    def test_a_tag_the_draft_adds_then_deleted_is_named(self):
        added = TagFactory(name="新加标签")
        self.draft({"tags": [self.kept, added]})
        added.delete()
        response = self.publish_button()
        self.live.refresh_from_db()
        self.assertEqual(list(self.live.tags.all()), [self.kept])
        self.assertTrue(
            any("标签“新加标签”" in m for m in texts(response)), texts(response)
        )
        self.assertIn("标签“新加标签”", self.timeline_note())

    def test_bulk_publication_names_it_on_the_page_and_after(self):
        self.draft({"body": "<p>修改稿的正文。</p>"})
        self.doomed.delete()
        page = self.bulk_page()
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "标签“将被删除”")
        response = self.client.post(CHANGELIST, confirm_data(page), follow=True)
        self.assertIn("“线上文章”已发布。", texts(response))
        self.assertTrue(
            any(
                m.startswith("“线上文章”") and "标签“将被删除”" in m
                for m in texts(response)
            ),
            texts(response),
        )
        self.live.refresh_from_db()
        self.assertEqual((self.live.status, self.live.draft_status), (S.PUBLISHED, ""))
        self.assertEqual(list(self.live.tags.all()), [self.kept])
        self.assertIn("标签“将被删除”", self.timeline_note())

    def test_nothing_deleted_says_nothing(self):
        self.draft({"body": "<p>修改稿的正文。</p>"})
        self.assertNotContains(self.bulk_page(), "已被删除")
        response = self.publish_button()
        self.assertFalse([m for m in texts(response) if "已被删除" in m])
        self.assertNotIn("已被删除", self.timeline_note())


class DeletedRelatedArticleTests(GoneSincePublishTestCase):
    def test_a_related_article_deleted_before_publishing_is_named(self):
        other = ArticleFactory(channel=self.channel, status=S.DRAFT, title="草稿")
        self.draft({"related_articles": [other]})
        other_pk = other.pk
        other.delete()  # a never-published draft may be deleted
        page = self.bulk_page()
        self.assertContains(page, f"相关新闻（编号 {other_pk}，发布时不含）")
        response = self.publish_button()
        self.live.refresh_from_db()
        self.assertEqual(list(self.live.related_articles.all()), [])
        self.assertTrue(
            any(
                f"相关新闻（编号 {other_pk}，发布时不含）" in m for m in texts(response)
            ),
            texts(response),
        )
        self.assertIn(f"相关新闻（编号 {other_pk}，发布时不含）", self.timeline_note())


class DeletedPersonTests(GoneSincePublishTestCase):
    def test_a_person_of_the_bylines_deleted_before_publishing_is_named(self):
        """The byline keeps its name (a new person of that name), and
        the publisher is told the person it named was deleted."""
        BylineFactory(article=self.live, person=PersonFactory(name="王五"))
        person = PersonFactory(name="赵六", note="烟台日报")
        self.draft(
            {
                "bylines": [
                    {"person": p, "role": Byline.Role.REPORTER, "prefix": ""}
                    for p in [b.person for b in self.live.bylines.all()] + [person]
                ]
            }
        )
        person.delete()
        self.assertContains(self.bulk_page(), "署名人员“赵六”")
        response = self.publish_button()
        self.live.refresh_from_db()
        self.assertEqual(
            [b.person.name for b in self.live.bylines.order_by("order")],
            ["王五", "赵六"],
        )
        self.assertTrue(
            any("署名人员“赵六”" in m for m in texts(response)), texts(response)
        )
        self.assertIn("署名人员“赵六”", self.timeline_note())

    def test_a_deleted_persons_byline_never_goes_to_a_namesake(self):
        """Two people named 张伟: the one the draft names is deleted; the byline
        gets a 张伟 of its own, not the other one (whose page would list it)."""
        other = PersonFactory(name="张伟", note="市场监管局")
        named = PersonFactory(name="张伟", note="烟台日报")
        self.draft(
            {"bylines": [{"person": named, "role": Byline.Role.REPORTER, "prefix": ""}]}
        )
        named.delete()
        self.publish_button()
        self.live.refresh_from_db()
        (byline,) = self.live.bylines.all()
        self.assertEqual(byline.person.name, "张伟")
        self.assertNotEqual(byline.person_id, other.pk)
        self.assertEqual(byline.person.note, "")
        self.assertFalse(other.bylines.exists())
        self.assertEqual(Person.objects.filter(name="张伟").count(), 2)


class DeletedChannelTests(GoneSincePublishTestCase):
    def test_a_channel_deleted_before_publishing_refuses_clearly(self):
        moved = ChannelFactory(name="新栏目")
        self.draft({"channel": moved})
        moved.delete()  # no row is in it: the live article is still in its own
        version = Article.objects.get(pk=self.live.pk).version
        page = self.bulk_page()
        # Named on the page already (nothing publishable: the list, with why).
        self.assertIn("栏目已被删除", " ".join(texts(page)))
        response = self.publish_button()
        self.assertTrue(
            any("栏目已被删除" in m for m in texts(response)), texts(response)
        )
        self.live.refresh_from_db()
        self.assertEqual(
            (self.live.version, self.live.draft_status), (version, S.REVIEW_3)
        )
        self.assertEqual(self.live.channel, self.channel)
