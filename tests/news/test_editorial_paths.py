"""Paths around the editorial workflow that lost editors' work or put on the site
what 终审 had not published (a second audit of every writing path)."""

from io import StringIO

from django.conf import settings
from django.core.management import call_command
from django.test import TestCase

from news.models import Article, Tag
from news.services import article_update
from news.workflow import (
    article_approve,
    article_publish,
    article_submit,
    article_unpublish,
)
from tests.factories import ArticleFactory, ChannelFactory, TagFactory, staff_in_group

S = Article.Status
SEED = next((settings.BASE_DIR / "news" / "fixtures" / "pages").glob("*.txt"))


class ImportPublishKeepsWithdrawalsTests(TestCase):
    """Re-running ``import_article --publish`` over an archive must not bring back an
    article 终审 has taken off the site (撤稿)."""

    @classmethod
    def setUpTestData(cls):
        cls.channel = ChannelFactory(name="烟台新闻", slug="烟台新闻")
        cls.editor = staff_in_group("editor", "编辑")
        cls.publisher = staff_in_group("publisher", "终审发布")

    def run_import(self) -> str:
        err = StringIO()
        call_command(
            "import_article",
            "--publish",
            "--as",
            "publisher",
            str(SEED),
            stdout=StringIO(),
            stderr=err,
        )
        return err.getvalue()

    def test_reimport_does_not_republish_a_withdrawn_article(self):
        self.run_import()
        article = Article.objects.get()
        article_unpublish(article=article, by=self.publisher, comment="撤稿")
        out = self.run_import()
        article.refresh_from_db()
        self.assertEqual(article.status, S.UNPUBLISHED, "withdrawn article came back")
        self.assertIn("已撤下", out)

    def test_reimport_does_not_publish_a_withdrawn_article_being_revised(self):
        """Withdrawn, then edited (back to 草稿) and sent to review: the editors'
        unreviewed work must not go on the site with the import."""
        self.run_import()
        article = Article.objects.get()
        article_unpublish(article=article, by=self.publisher, comment="撤稿")
        article_update(article=article, by=self.editor, values={"kicker": "未审引题"})
        article_submit(article=article, by=self.editor)
        self.run_import()
        article.refresh_from_db()
        self.assertEqual(article.status, S.REVIEW_1)
        self.assertFalse(
            Article.objects.published().filter(kicker="未审引题").exists(),
            "unreviewed work went on the site",
        )


class TagRenameKeepsDraftTagsTests(TestCase):
    """Renaming a tag changes its name on the pages showing it (docs/architecture.md);
    it must not take the tag off an article whose draft is published afterwards."""

    @classmethod
    def setUpTestData(cls):
        cls.channel = ChannelFactory()
        cls.editor = staff_in_group("editor", "编辑")
        cls.reviewer = staff_in_group("reviewer", "审核")
        cls.reviewer2 = staff_in_group("reviewer2", "审核")
        cls.publisher = staff_in_group("publisher", "终审发布")

    def test_publishing_a_draft_after_a_tag_rename_keeps_the_tag(self):
        tag = TagFactory(name="质量月")
        article = ArticleFactory(channel=self.channel)
        article.tags.add(tag)
        article_update(
            article=article, by=self.editor, values={"title": "修改后的标题"}
        )
        tag.name = "全国质量月"
        tag.save()
        article_submit(article=article, by=self.editor)
        article_approve(article=article, by=self.reviewer)
        article_approve(article=article, by=self.reviewer2)
        article_publish(article=article, by=self.publisher)
        article.refresh_from_db()
        self.assertEqual(article.title, "修改后的标题")
        self.assertEqual(
            list(article.tags.values_list("name", flat=True)),
            ["全国质量月"],
            "the renamed tag was dropped from the article",
        )
        self.assertTrue(Tag.objects.filter(name="全国质量月").exists())


class ImportPublishTagsTests(TestCase):
    """A JSON line's tags are part of what ``--publish`` publishes: re-importing a
    published article whose tags changed must not leave them in a draft nobody
    wrote, which the next run then reports as an editor's pending work."""

    @classmethod
    def setUpTestData(cls):
        cls.channel = ChannelFactory(name="烟台新闻", slug="烟台新闻")
        cls.publisher = staff_in_group("publisher", "终审发布")

    def run_import(self, path) -> str:
        err = StringIO()
        call_command(
            "import_article",
            "--publish",
            "--as",
            "publisher",
            str(path),
            stdout=StringIO(),
            stderr=err,
        )
        return err.getvalue()

    def test_changed_tags_are_published_with_the_import(self):
        import json
        import tempfile
        from pathlib import Path

        record = {
            "title": "烟台市质量提升测试稿",
            "published_at": "2021-03-01T09:30:00+08:00",
            "body": "第一段。\n第二段。",
            "tags": ["质量提升"],
        }
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "a.jsonl"
            path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
            self.run_import(path)
            article = Article.objects.get()
            self.assertTrue(article.is_published)
            record["tags"] = ["质量提升", "标准化"]
            record["body"] = "第一段。\n第二段改了。"
            path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
            self.run_import(path)
            article.refresh_from_db()
            self.assertIn("第二段改了", article.body)
            self.assertEqual(
                sorted(article.tags.values_list("name", flat=True)),
                ["标准化", "质量提升"],
                "the file's tags were not published with its content",
            )
            self.assertIsNone(article.draft_revision_id, "a draft nobody wrote")
            err = self.run_import(path)
            self.assertNotIn("有编辑未审的修改稿", err)


class TransitionSeesTheVersionTests(TestCase):
    """终审 publishes what the page showed them: a draft changed by someone else
    after the page was opened is not published unseen by the 终审发布 button."""

    @classmethod
    def setUpTestData(cls):
        cls.channel = ChannelFactory()
        cls.editor = staff_in_group("editor", "编辑")
        cls.reviewer = staff_in_group("reviewer", "审核")
        cls.reviewer2 = staff_in_group("reviewer2", "审核")
        cls.publisher = staff_in_group("publisher", "终审发布")

    def test_publish_button_refuses_a_draft_changed_since_the_page_was_opened(self):
        import re

        article = ArticleFactory(channel=self.channel, title="线上标题")
        article_update(article=article, by=self.editor, values={"title": "审过的标题"})
        article_submit(article=article, by=self.editor)
        article_approve(article=article, by=self.reviewer)
        article_approve(article=article, by=self.reviewer2)
        self.client.force_login(self.publisher)
        page = self.client.get(f"/admin/news/article/{article.pk}/change/")
        form = re.search(
            r'<form method="post" action="[^"]*/transition/".*?</form>',
            page.content.decode(),
            re.S,
        ).group(0)
        fields = dict(
            re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form)
        )
        self.assertIn("expected_version", fields)
        # A reviewer rewrites the title while the page is open (in 待终审).
        article_update(
            article=article, by=self.reviewer, values={"title": "没人审过的标题"}
        )
        response = self.client.post(
            f"/admin/news/article/{article.pk}/transition/",
            {**fields, "action": "publish"},
            follow=True,
        )
        article.refresh_from_db()
        self.assertEqual(article.title, "线上标题", "an unseen draft was published")
        self.assertContains(response, "别人已经修改")
        # Opened again, the page's version is current and the button works.
        self.client.post(
            f"/admin/news/article/{article.pk}/transition/",
            {"expected_version": article.version, "action": "publish"},
        )
        article.refresh_from_db()
        self.assertEqual(article.title, "没人审过的标题")

    def test_a_version_that_is_no_number_is_refused_not_a_server_error(self):
        """ "²" passes ``str.isdigit`` but not ``int``: a hand-made POST got a 500."""
        from django.contrib.messages import get_messages

        article = ArticleFactory(channel=self.channel, title="待发布", status=S.DRAFT)
        article_submit(article=article, by=self.editor)
        article_approve(article=article, by=self.reviewer)
        article_approve(article=article, by=self.reviewer2)
        article.refresh_from_db()
        before = (article.status, article.version, article.title)
        self.client.force_login(self.publisher)
        for bad in ("²", "1²", "9" * 5000):
            with self.subTest(bad=bad[:10]):
                response = self.client.post(
                    f"/admin/news/article/{article.pk}/transition/",
                    {"expected_version": bad, "action": "publish"},
                )
                self.assertEqual(response.status_code, 302)
                self.assertIn(
                    "页面的版本信息无效，无法确认是否有人修改过：没有执行任何操作，"
                    "请刷新页面后重试。",
                    [str(m) for m in get_messages(response.wsgi_request)],
                )
                article.refresh_from_db()
                self.assertEqual(
                    (article.status, article.version, article.title), before
                )
