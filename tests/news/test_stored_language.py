"""Texts stored for the newsroom are Chinese whatever the writer's language.

Revision summaries (历史), timeline notes (流转记录) and 操作日志 summaries are one
government record, read by the Chinese newsroom: an editor in an English admin, an
API client sending ``Accept-Language: en`` or a command under ``override("en")``
stores them in ``LANGUAGE_CODE`` (``yantai.text.stored_language``), while what the
response says to that writer stays English.
"""

from django.contrib.messages import get_messages
from django.test import TestCase
from django.utils import timezone, translation

from news.models import Article, ArticleEvent, AuditLog, Revision, SensitiveWord
from news.preview import preview_link_create
from news.workflow import WorkflowError, article_publish, article_submit
from tests.api import ApiTestCase, token_for, user_with_perms
from tests.factories import ArticleFactory, ChannelFactory, staff_in_group
from tests.news.test_accessibility_admin import BAD_BODY
from tests.news.test_bulk_publish import confirm_data
from tests.news.test_import_bulk import SEED, run

S = Article.Status
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
# The publication's note on the body's 无障碍检查 findings (news.accessibility).
NOW = timezone.now().replace(microsecond=0)
BARRIERS = "发布时有 2 项无障碍提示：链接文字没有说明去向、标题级别跳级"


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def latest_summary(article) -> str:
    return Revision.objects.filter(article=article).order_by("-pk")[0].summary


def latest_audit(article) -> AuditLog:
    return AuditLog.objects.filter(object_id=str(article.pk)).order_by("-pk")[0]


class EnglishAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.channel = ChannelFactory()
        cls.editor = staff_in_group("editor", "编辑")
        cls.publisher = staff_in_group("publisher", "终审发布")

    def form_data(self, article, **overrides):
        from tests.news.test_accessibility_admin import SaveWarningTests

        return SaveWarningTests.form_data(self, article, **overrides)

    def test_a_save_in_english_stores_a_chinese_summary(self):
        article = ArticleFactory(channel=self.channel, status=S.DRAFT, published_at=NOW)
        self.client.force_login(self.editor)
        response = self.client.post(
            f"/admin/news/article/{article.pk}/change/",
            self.form_data(article, title="新的标题", body="<p>新的正文。</p>"),
            follow=True,
            **EN,
        )
        self.assertEqual(response.status_code, 200)
        self.assertTrue(
            any("was changed successfully" in m for m in texts(response)),
            texts(response),
        )
        self.assertEqual(latest_summary(article), "修改：标题、正文")
        entry = latest_audit(article)
        self.assertEqual(
            (entry.object_type, entry.summary), ("文章", "修改：标题、正文")
        )

    def test_a_save_of_a_live_article_notes_its_draft_in_chinese(self):
        article = ArticleFactory(
            channel=self.channel, status=S.PUBLISHED, published_at=NOW
        )
        self.client.force_login(self.editor)
        self.client.post(
            f"/admin/news/article/{article.pk}/change/",
            self.form_data(article, body="<p>修改稿。</p>"),
            **EN,
        )
        event = ArticleEvent.objects.get(article=article, action="edit")
        self.assertEqual(event.comment, "新建修改稿，线上版本不变。修改：正文")

    def test_publishing_with_findings_in_english(self):
        article = ArticleFactory(channel=self.channel, status=S.REVIEW_3, body=BAD_BODY)
        self.client.force_login(self.publisher)
        response = self.client.post(
            f"/admin/news/article/{article.pk}/transition/",
            {"action": "publish", "expected_version": article.version},
            follow=True,
            **EN,
        )
        article.refresh_from_db()
        self.assertEqual(article.status, S.PUBLISHED)
        self.assertTrue(
            any(
                m.startswith("The accessibility check found 2") for m in texts(response)
            ),
            texts(response),
        )
        event = ArticleEvent.objects.get(article=article, action="publish")
        self.assertEqual(event.comment, BARRIERS)
        self.assertEqual(latest_summary(article), "待终审 → 已发布")
        self.assertEqual(latest_audit(article).summary, f"待终审 → 已发布：{BARRIERS}")

    def test_bulk_publication_in_english(self):
        article = ArticleFactory(
            channel=self.channel, status=S.REVIEW_3, body=BAD_BODY, title="有问题"
        )
        self.client.force_login(self.publisher)
        page = self.client.post(
            "/admin/news/article/",
            {"action": "publish_selected", "_selected_action": [article.pk]},
            **EN,
        )
        self.assertEqual(page.status_code, 200)
        response = self.client.post(
            "/admin/news/article/", confirm_data(page), follow=True, **EN
        )
        self.assertIn("“有问题”: Publish done.", texts(response))
        event = ArticleEvent.objects.get(article=article, action="publish")
        self.assertEqual(event.comment, BARRIERS)
        self.assertEqual(latest_summary(article), "待终审 → 已发布")

    def test_bulk_submission_in_english(self):
        article = ArticleFactory(channel=self.channel, status=S.DRAFT, title="草稿一")
        self.client.force_login(self.editor)
        response = self.client.post(
            "/admin/news/article/",
            {"action": "submit_selected", "_selected_action": [article.pk]},
            follow=True,
            **EN,
        )
        self.assertIn("“草稿一”: Submit for review done.", texts(response))
        self.assertEqual(latest_summary(article), "草稿 → 待初审")
        self.assertEqual(latest_audit(article).summary, "草稿 → 待初审")
        event = ArticleEvent.objects.get(article=article, action="submit")
        self.assertEqual(
            (event.get_from_status_display(), event.get_to_status_display()),
            ("草稿", "待初审"),
        )

    def test_bulk_move_in_english(self):
        article = ArticleFactory(channel=self.channel, status=S.DRAFT)
        other = ChannelFactory(name="质量强市")
        self.client.force_login(self.editor)
        self.client.post(
            "/admin/news/article/",
            {
                "action": "move_to_channel",
                "channel": other.pk,
                "_selected_action": [article.pk],
            },
            **EN,
        )
        self.assertEqual(latest_summary(article), "移动栏目：质量强市")

    def test_revoking_a_preview_link_in_english(self):
        article = ArticleFactory(channel=self.channel, status=S.DRAFT)
        link = preview_link_create(article=article, by=self.editor)
        self.client.force_login(self.editor)
        response = self.client.post(
            f"/admin/news/article/{article.pk}/share/",
            {"revoke": link.pk},
            follow=True,
            **EN,
        )
        self.assertIn("Preview links revoked.", texts(response))
        self.assertEqual(latest_audit(article).summary, "撤销预览链接")

    def test_the_baseline_revision_in_english(self):
        article = ArticleFactory(channel=self.channel, status=S.DRAFT)
        Revision.objects.filter(article=article).delete()
        self.client.force_login(self.editor)
        response = self.client.get(f"/admin/news/article/{article.pk}/change/", **EN)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(latest_summary(article), "初始版本")


class EnglishApiTests(ApiTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.channel = ChannelFactory()
        cls.editor = user_with_perms(
            "api-editor",
            "news.view_article",
            "news.add_article",
            "news.change_article",
            "news.submit_article",
        )

    def setUp(self):
        super().setUp()
        self.auth(token_for(self.editor))

    def etag(self, url: str) -> str:
        return self.client.get(url, **EN)["ETag"]

    def test_a_post_in_english(self):
        response = self.client.post(
            "/api/v1/drafts/",
            {"title": "接口新稿", "body": "<p>正文</p>", "channel": self.channel.slug},
            format="json",
            **EN,
        )
        self.assertEqual(response.status_code, 201, response.content)
        article = Article.objects.get(title="接口新稿")
        self.assertEqual(latest_summary(article), "通过接口新建")
        entry = latest_audit(article)
        self.assertEqual((entry.object_type, entry.summary), ("文章", "通过接口新建"))

    def test_a_patch_in_english(self):
        article = ArticleFactory(channel=self.channel, status=S.DRAFT)
        url = f"/api/v1/drafts/{article.pk}/"
        response = self.client.patch(
            url,
            {"title": "接口改的标题"},
            format="json",
            HTTP_IF_MATCH=self.etag(url),
            **EN,
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(latest_summary(article), "通过接口修改")
        self.assertEqual(latest_audit(article).summary, "通过接口修改")
        # What the response says stays in the client's language.
        refused = self.client.patch(
            url, {"title": ""}, format="json", HTTP_IF_MATCH=self.etag(url), **EN
        )
        self.assertEqual(refused.status_code, 400)
        self.assertIn("This field may not be blank.", str(refused.json()))

    def test_a_submission_in_english(self):
        article = ArticleFactory(channel=self.channel, status=S.DRAFT)
        url = f"/api/v1/drafts/{article.pk}/"
        response = self.client.post(
            f"{url}submit/", {}, format="json", HTTP_IF_MATCH=self.etag(url), **EN
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(latest_summary(article), "草稿 → 待初审")
        self.assertEqual(latest_audit(article).summary, "草稿 → 待初审")


class EnglishServiceTests(TestCase):
    """Services and commands run inside ``translation.override("en")``."""

    @classmethod
    def setUpTestData(cls):
        cls.editor = staff_in_group("editor", "编辑")

    def test_a_workflow_step(self):
        article = ArticleFactory(status=S.DRAFT)
        with translation.override("en"):
            article_submit(article=article, by=self.editor, comment="请审")
        self.assertEqual(latest_summary(article), "草稿 → 待初审")
        self.assertEqual(latest_audit(article).summary, "草稿 → 待初审：请审")

    def test_the_import_command(self):
        with translation.override("en"):
            out, err, code = run("--no-progress", "--jobs", "1", str(SEED))
        self.assertEqual(code, 0, err)
        article = Article.objects.get()
        self.assertEqual(latest_summary(article), "导入")
        entry = AuditLog.objects.get(action=AuditLog.Action.IMPORT)
        self.assertEqual(entry.object_type, "文章")
        self.assertTrue(entry.summary.startswith("导入 1 篇："), entry.summary)

    def test_a_publication_over_the_wordcheck(self):
        SensitiveWord.objects.create(wrong="青岛", correct="烟台")
        publisher = staff_in_group("publisher", "终审发布")
        article = ArticleFactory(status=S.REVIEW_3, title="青岛新闻")
        with translation.override("en"):
            with self.assertRaises(WorkflowError) as refused:
                article_publish(article=article, by=publisher)
            article_publish(article=article, by=publisher, override_reason="专名")
        # The refusal named the field in English, the stored note in Chinese.
        self.assertIn("Title“青岛”", str(refused.exception.messages))
        event = ArticleEvent.objects.get(article=article, action="publish")
        self.assertEqual(
            event.comment, "错敏字强制发布理由：专名（标题“青岛”应为“烟台”）"
        )
