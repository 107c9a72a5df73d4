"""``extract_figures --all``: the figures of every published article proposed for
review through the review's own service, once."""

from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import TestCase

from news.models import Article
from quality.extraction import extract_figures
from quality.figure_review import article_published_on
from quality.models import FigureProposal
from tests.factories import published_sample_pages

SEED = (
    Path(settings.BASE_DIR) / "news" / "fixtures" / "pages" / "000_b5b21bbd38acca12.txt"
)


def run(*args) -> str:
    out = StringIO()
    call_command("extract_figures", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


class ExtractAllTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        published_sample_pages([SEED])

    def test_every_published_article_once(self):
        article = Article.objects.get()
        expected = extract_figures(article.body_text, article_published_on(article))
        self.assertGreater(len(expected), 5)
        out = run("--all", "--jobs", "2")
        self.assertIn(f"已处理 1 篇文章，新增 {len(expected)} 条待审核的数据建议", out)
        self.assertEqual(
            sorted(FigureProposal.objects.values_list("quote", "value", "unit")),
            sorted((f.quote, f.value, f.unit) for f in expected),
        )
        out = run("--all")
        self.assertIn("新增 0 条", out)
        self.assertEqual(FigureProposal.objects.count(), len(expected))

    def test_all_and_a_file_are_exclusive(self):
        with self.assertRaisesMessage(CommandError, "--all 与文件名不能同时给出"):
            run("--all", str(SEED))
        with self.assertRaisesMessage(CommandError, "或用 --all"):
            run()
