"""无障碍检查 in the admin: the box on the article page, the warning on saving, and
publishing, which findings do not block (docs/architecture.md says why)."""

import json
import tempfile
from datetime import timedelta
from io import StringIO
from pathlib import Path

from django.contrib.messages import get_messages
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone

from news.accessibility import check_body
from news.models import Article, Channel
from news.services import article_update
from news.workflow import article_publish
from tests.factories import ArticleFactory, ChannelFactory, staff_in_group
from tests.news.test_bulk_publish import confirm_data

S = Article.Status
BAD_BODY = '<h2>概况</h2><p>通知见<a href="https://a.cn/x">这里</a></p><h4>细目</h4>'
GOOD_BODY = "<h2>概况</h2><p>烟台市共参与制修订604项国家标准。</p>"


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


class ChangePageBoxTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = staff_in_group("editor", "编辑")
        cls.publisher = staff_in_group("publisher", "终审发布")

    def page(self, article, user=None):
        self.client.force_login(user or self.editor)
        return self.client.get(f"/admin/news/article/{article.pk}/change/")

    def test_box_lists_the_findings_of_the_draft(self):
        article = ArticleFactory(status=S.DRAFT, body=BAD_BODY)
        response = self.page(article)
        self.assertContains(response, "无障碍检查")
        self.assertContains(response, "无障碍检查发现 2 处问题")
        self.assertContains(response, "链接文字没有说明链接去向")
        self.assertContains(response, "https://a.cn/x")
        self.assertContains(response, "标题级别跳级：从 h2 直接到 h4")
        self.assertContains(response, "h4“细目”")

    def test_an_image_whose_library_id_is_no_number_opens(self):
        # "²" is a digit to str.isdigit(), not to int(): the page opened, not a 500
        # (and the article could be opened again).
        article = ArticleFactory(
            status=S.DRAFT,
            body='<p>正文</p><p><img src="/a.jpg" alt="" data-file="²"></p>',
        )
        self.assertIn('data-file="²"', Article.objects.get(pk=article.pk).body)
        response = self.page(article)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "无障碍检查发现 1 处问题")
        self.assertContains(response, "图片缺少替代文字")

    def test_box_says_when_there_is_nothing(self):
        response = self.page(ArticleFactory(status=S.DRAFT, body=GOOD_BODY))
        self.assertContains(response, "无障碍检查：未发现问题。")
        self.assertNotContains(response, "无障碍检查发现")

    def test_draft_and_live_version_are_checked_apart(self):
        article = ArticleFactory(status=S.PUBLISHED, body=BAD_BODY)
        article_update(article=article, by=self.editor, values={"body": GOOD_BODY})
        article.refresh_from_db()
        self.assertTrue(article.has_draft)
        response = self.page(article)
        self.assertContains(response, "草稿：未发现问题。")
        self.assertContains(response, "线上版本：无障碍检查发现 2 处问题")

    def test_in_english(self):
        article = ArticleFactory(status=S.DRAFT, body=BAD_BODY)
        self.client.force_login(self.editor)
        response = self.client.get(
            f"/admin/news/article/{article.pk}/change/", HTTP_ACCEPT_LANGUAGE="en"
        )
        self.assertContains(response, "Accessibility check")
        self.assertContains(response, "The link text does not say where the link goes")

    def test_staff_without_the_permission_sees_no_page(self):
        article = ArticleFactory(status=S.DRAFT, body=BAD_BODY)
        response = self.page(article, staff_in_group("nobody", None))
        self.assertEqual(response.status_code, 403)

    def test_anonymous_is_sent_to_log_in(self):
        article = ArticleFactory(status=S.DRAFT, body=BAD_BODY)
        response = self.client.get(f"/admin/news/article/{article.pk}/change/")
        self.assertEqual(response.status_code, 302)
        self.assertIn("/login/", response["Location"])


class SaveWarningTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.channel = ChannelFactory()
        cls.editor = staff_in_group("editor", "编辑")

    def form_data(self, article, **overrides):
        published = timezone.localtime(article.published_at)
        return {
            "kicker": "",
            "title": article.title,
            "subtitle": "",
            "summary": article.summary,
            "body": article.body,
            "source": article.source,
            "source_url": "",
            "channel": article.channel_id,
            "published_at_0": published.strftime("%Y-%m-%d"),
            "published_at_1": published.strftime("%H:%M:%S"),
            "expires_at_0": "",
            "expires_at_1": "",
            "slug": article.slug,
            "expected_version": article.version,
            "bylines-TOTAL_FORMS": "0",
            "bylines-INITIAL_FORMS": "0",
            "bylines-MIN_NUM_FORMS": "0",
            "bylines-MAX_NUM_FORMS": "1000",
            **overrides,
        }

    def save(self, article, body):
        self.client.force_login(self.editor)
        return self.client.post(
            f"/admin/news/article/{article.pk}/change/",
            self.form_data(article, body=body),
            follow=True,
        )

    def test_saving_with_findings_saves_and_warns(self):
        article = ArticleFactory(channel=self.channel, status=S.DRAFT, body=GOOD_BODY)
        response = self.save(article, BAD_BODY)
        self.assertEqual(response.status_code, 200)
        article.refresh_from_db()
        self.assertIn("<h4>细目</h4>", article.body)
        warnings = [m for m in texts(response) if m.startswith("无障碍检查发现")]
        self.assertEqual(len(warnings), 1, texts(response))
        self.assertIn("2 处问题", warnings[0])
        self.assertIn("不影响保存", warnings[0])
        self.assertIn("链接“这里”（https://a.cn/x）", warnings[0])
        self.assertIn("h4“细目”", warnings[0])

    def test_saving_a_clean_body_gives_no_warning(self):
        article = ArticleFactory(channel=self.channel, status=S.DRAFT, body=BAD_BODY)
        response = self.save(article, GOOD_BODY)
        self.assertFalse([m for m in texts(response) if "无障碍" in m], texts(response))


class PublishingTests(TestCase):
    """Findings are advice: every way of publishing goes on, the admin says so."""

    @classmethod
    def setUpTestData(cls):
        cls.publisher = staff_in_group("publisher", "终审发布")

    def test_publish_button_publishes_and_warns(self):
        article = ArticleFactory(status=S.REVIEW_3, body=BAD_BODY)
        self.client.force_login(self.publisher)
        response = self.client.post(
            f"/admin/news/article/{article.pk}/transition/",
            {"action": "publish", "expected_version": article.version},
            follow=True,
        )
        article.refresh_from_db()
        self.assertEqual(article.status, S.PUBLISHED)
        self.assertTrue(
            any(
                m.startswith("无障碍检查发现 2 处问题") and "请尽快修改" in m
                for m in texts(response)
            ),
            texts(response),
        )

    def test_bulk_action_publishes(self):
        article = ArticleFactory(status=S.REVIEW_3, body=BAD_BODY, title="有问题")
        self.client.force_login(self.publisher)
        page = self.client.post(
            "/admin/news/article/",
            {"action": "publish_selected", "_selected_action": [article.pk]},
        )
        # The confirmation page (tests/news/test_bulk_publish.py), then its form.
        self.assertEqual(page.status_code, 200)
        response = self.client.post(
            "/admin/news/article/", confirm_data(page), follow=True
        )
        self.assertIn("“有问题”已发布。", texts(response))
        # Warned as a single publication is, naming the article.
        self.assertTrue(
            any(
                m.startswith("“有问题”：无障碍检查发现 2 处问题")
                and "请尽快修改" in m
                and "链接文字没有说明链接去向" in m
                for m in texts(response)
            ),
            texts(response),
        )
        article.refresh_from_db()
        self.assertEqual(article.status, S.PUBLISHED)

    def test_scheduled_publication_goes_on(self):
        article = ArticleFactory(status=S.REVIEW_3, body=BAD_BODY)
        at = timezone.now() + timedelta(days=1)
        article_publish(article=article, by=self.publisher, at=at)
        article.refresh_from_db()
        self.assertEqual((article.status, article.published_at), (S.PUBLISHED, at))

    def test_import_with_publish_goes_on(self):
        Channel.objects.create(name="质量强市", slug="zlqs")
        record = {
            "title": "质量工作会议召开",
            "published_at": "2021-03-01T09:30:00+08:00",
            "channel": "质量强市",
            "body": [
                {"type": "heading", "text": "会议要求"},
                {"type": "heading", "text": "会议要求"},
                {"type": "paragraph", "text": "这是测试用的一段。"},
            ],
        }
        folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        path = folder / "a.jsonl"
        path.write_text(json.dumps(record, ensure_ascii=False) + "\n", "utf-8")
        out, err = StringIO(), StringIO()
        call_command(
            "import_article",
            "--publish",
            "--as",
            "publisher",
            str(path),
            stdout=out,
            stderr=err,
        )
        article = Article.objects.get(title="质量工作会议召开")
        self.assertEqual(article.status, S.PUBLISHED)
        self.assertEqual(
            [f.rule for f in check_body(article.body)], ["heading-duplicate"]
        )
