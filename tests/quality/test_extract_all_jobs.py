"""``extract_figures --all --jobs N``: worker processes cut the text, the main process
writes; the proposals are the same as with one process, whatever the batch size."""

from io import StringIO

from django.core.management import CommandError, call_command
from django.test import TestCase

from news.models import Article, ArticleFigures
from quality.extraction import extract_figures
from quality.figure_review import (
    PROPOSAL_ROWS,
    _new_proposals,
    article_published_on,
    figure_proposals_extract,
    insert_proposal_rows,
)
from quality.models import FigureProposal
from tests.factories import Terminal, published_sample_pages

COMPARED = (
    "article_id",
    "quote",
    "start",
    "end",
    "raw_text",
    "value",
    "comparator",
    "lower",
    "upper",
    "unit",
    "subject",
    "period_start",
    "period_end",
    "indicator_id",
    "status",
)


def run(*args, stderr=None) -> str:
    out = StringIO()
    call_command(
        "extract_figures", "--all", *args, stdout=out, stderr=stderr or StringIO()
    )
    return out.getvalue()


def proposals() -> list[tuple]:
    return list(FigureProposal.objects.order_by("id").values_list("id", *COMPARED))


class ExtractAllInParallelTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        published_sample_pages()
        cls.count = Article.objects.published().count()

    def test_two_processes_store_what_one_stores(self):
        self.assertGreaterEqual(self.count, 10)
        out = run("--jobs", "1")
        one = [row[1:] for row in proposals()]
        self.assertGreater(len(one), 30)
        self.assertIn(f"已处理 {self.count} 篇文章，新增 {len(one)} 条", out)
        self.assertIn("1 个进程", out)
        for size in ("200", "3"):
            with self.subTest(batch_size=size):
                FigureProposal.objects.all().delete()
                out = run("--jobs", "2", "--batch-size", size)
                self.assertIn(f"已处理 {self.count} 篇文章，新增 {len(one)} 条", out)
                self.assertIn("2 个进程", out)
                self.assertEqual([row[1:] for row in proposals()], one)

    def test_the_batches_write_what_the_one_article_service_writes(self):
        """The admin's 提取数据 (one article, its own checks and saves) and
        ``--all`` (a few statements a batch) store the same proposals."""
        marks = list(ArticleFigures.objects.order_by("pk").values())
        for article in Article.objects.published().order_by("pk"):
            figure_proposals_extract(article=article)
        one = sorted(row[1:] for row in proposals())
        self.assertGreater(len(one), 30)
        FigureProposal.objects.all().delete()
        out = run("--jobs", "2", "--batch-size", "3")
        self.assertIn(f"新增 {len(one)} 条", out)
        self.assertEqual(sorted(row[1:] for row in proposals()), one)
        # Proposals awaiting review show on no page: the figure marks are as before.
        self.assertEqual(list(ArticleFigures.objects.order_by("pk").values()), marks)

    def test_a_figure_proposed_meanwhile_is_skipped_and_the_rest_go_in(self):
        """Someone opens 提取数据 between the batch's read of the proposals already
        there and its insert: the unique constraint refuses the batch, and each
        figure then goes in on its own, that one skipped."""
        articles = list(Article.objects.published().order_by("pk")[:3])
        found = [
            (a.pk, a.body_text, extract_figures(a.body_text, article_published_on(a)))
            for a in articles
        ]
        new = _new_proposals(found)
        meanwhile = figure_proposals_extract(article=articles[1])
        self.assertTrue(meanwhile)
        created = insert_proposal_rows(PROPOSAL_ROWS.values_of(new))
        self.assertEqual(created, len(new) - len(meanwhile))
        self.assertEqual(FigureProposal.objects.count(), len(new))
        # And again: nothing new, nothing doubled.
        again = PROPOSAL_ROWS.values_of(_new_proposals(found))
        self.assertEqual(insert_proposal_rows(again), 0)
        self.assertEqual(FigureProposal.objects.count(), len(new))

    def test_rerun_changes_nothing_and_says_so(self):
        run("--jobs", "2", "--batch-size", "4")
        before = proposals()
        self.assertTrue(before)
        out = run("--jobs", "2", "--batch-size", "4")
        self.assertIn(f"已处理 {self.count} 篇文章，新增 0 条待审核的数据建议", out)
        self.assertEqual(proposals(), before)

    def test_progress_bar_on_a_terminal_and_one_summary_line(self):
        terminal = Terminal()
        out = run("--jobs", "2", "--batch-size", "5", stderr=terminal)
        bar = terminal.getvalue()
        self.assertIn("提取", bar)
        self.assertIn(f"{self.count}/{self.count}", bar)
        self.assertEqual(out.count("\n"), 1)
        # Not on a terminal, or with --no-progress: the summary line only.
        quiet = Terminal()
        run("--jobs", "2", "--no-progress", stderr=quiet)
        self.assertEqual(quiet.getvalue(), "")

    def test_more_jobs_than_articles(self):
        out = run("--jobs", "64")
        self.assertIn(f"{self.count} 个进程", out)
        self.assertTrue(FigureProposal.objects.exists())

    def test_bad_numbers_are_refused(self):
        for args, message in [
            (("--jobs", "0"), "--jobs 须是正整数。"),
            (("--batch-size", "0"), "--batch-size 须是正整数。"),
        ]:
            with (
                self.subTest(args=args),
                self.assertRaisesMessage(CommandError, message),
            ):
                run(*args)
        self.assertFalse(FigureProposal.objects.exists())
