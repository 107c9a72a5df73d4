"""Paths around the editorial workflow that lost editors' work or put on the site
what 终审 had not published (a second audit of every writing path)."""

from io import StringIO

from django.conf import settings
from django.core.management import call_command
from django.test import TestCase

from news.models import Article
from news.services import article_update
from news.workflow import article_submit, article_unpublish
from tests.factories import ChannelFactory, staff_in_group

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
