"""A publication with 无障碍检查 findings goes on (docs/architecture.md says why) but
leaves a trace: the timeline event and the 操作日志 entry of the publication say
how many findings the published body had and of which rules, on every path — the
admin's 终审发布 button, the bulk 终审发布, a scheduled publication (the 定时发布
event: nothing is written when it goes live, and what goes live is that body),
``import_article --publish`` and the bulk writer it uses (``news.bulk``)."""

from __future__ import annotations

import json
import tempfile
from datetime import timedelta
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone

from news.models import Article, ArticleEvent, AuditLog, Channel
from news.workflow import article_publish, articles_publish
from tests.factories import ArticleFactory, staff_in_group

S = Article.Status
# Two images without alt text and a link whose text is its address: 3 findings.
BODY = (
    '<p><img src="/media/a.png"></p>'
    '<p>见<a href="https://a.cn/x">https://a.cn/x</a></p>'
    '<p><img src="/media/b.png"></p>'
)
NOTE = "发布时有 3 项无障碍提示：图片缺少替代文字、链接文字是网址"
GOOD_BODY = "<h2>概况</h2><p>烟台市共参与制修订604项国家标准。</p>"


class PublicationTraceTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.publisher = staff_in_group("publisher", "终审发布")

    def event(self, article) -> ArticleEvent:
        return ArticleEvent.objects.filter(article=article).latest("pk")

    def audit(self, article) -> AuditLog:
        return AuditLog.objects.filter(object_id=str(article.pk)).latest("pk")

    def test_the_admin_button_records_the_findings(self):
        article = ArticleFactory(status=S.REVIEW_3, body=BODY)
        self.client.force_login(self.publisher)
        response = self.client.post(
            f"/admin/news/article/{article.pk}/transition/",
            {"action": "publish", "expected_version": article.version},
        )
        self.assertEqual(response.status_code, 302)
        event = self.event(article)
        self.assertEqual((event.action, event.to_status), ("publish", S.PUBLISHED))
        self.assertIn(NOTE, event.comment)
        self.assertIn(NOTE, self.audit(article).summary)

    def test_the_bulk_publication_records_each_articles_findings(self):
        bad = ArticleFactory(status=S.REVIEW_3, body=BODY)
        good = ArticleFactory(status=S.REVIEW_3, body=GOOD_BODY)
        articles_publish(
            by=self.publisher, versions={bad.pk: bad.version, good.pk: good.version}
        )
        self.assertIn(NOTE, self.event(bad).comment)
        self.assertNotIn("无障碍", self.event(good).comment)
        self.assertNotIn("无障碍", self.audit(good).summary)

    def test_a_scheduled_publication_records_them_when_scheduled(self):
        article = ArticleFactory(status=S.REVIEW_3, body=BODY)
        article_publish(
            article=article, by=self.publisher, at=timezone.now() + timedelta(days=1)
        )
        event = self.event(article)
        self.assertEqual(event.action, "schedule")
        self.assertIn(NOTE, event.comment)
        self.assertIn("定时发布", event.comment)

    def test_a_comment_and_the_note_are_both_kept(self):
        article = ArticleFactory(status=S.REVIEW_3, body=BODY)
        article_publish(article=article, by=self.publisher, comment="同意发布")
        self.assertEqual(self.event(article).comment, f"同意发布\n{NOTE}")


class ImportTraceTests(TestCase):
    """``import_article --publish``: the bulk writer's events."""

    @classmethod
    def setUpTestData(cls):
        cls.publisher = staff_in_group("publisher", "终审发布")
        Channel.objects.create(name="质量强市", slug="zlqs")

    def import_pages(self, *bodies: list[dict]) -> None:
        folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        path = folder / "a.jsonl"
        lines = [
            json.dumps(
                {
                    "title": f"质量工作会议召开 {n}",
                    "published_at": "2021-03-01T09:30:00+08:00",
                    "channel": "质量强市",
                    "body": body,
                },
                ensure_ascii=False,
            )
            for n, body in enumerate(bodies)
        ]
        path.write_text("\n".join(lines) + "\n", "utf-8")
        call_command(
            "import_article",
            "--publish",
            "--as",
            "publisher",
            str(path),
            stdout=StringIO(),
        )

    def test_each_published_page_records_its_findings(self):
        twice = [{"type": "heading", "text": "会议要求"}] * 2
        plain = [{"type": "paragraph", "text": "这是测试用的一段。"}]
        self.import_pages(twice + plain, plain)
        first = Article.objects.get(title="质量工作会议召开 0")
        second = Article.objects.get(title="质量工作会议召开 1")
        events = {e.article_id: e for e in ArticleEvent.objects.all()}
        self.assertEqual(events[first.pk].action, "publish")
        self.assertIn("发布时有 1 项无障碍提示：标题重复", events[first.pk].comment)
        self.assertNotIn("无障碍", events[second.pk].comment)
        self.assertIn(
            f"（{first.pk}，发布时有 1 项无障碍提示：标题重复）",
            AuditLog.objects.get(action=AuditLog.Action.IMPORT).summary,
        )
