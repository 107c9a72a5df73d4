"""``warm_article_pages --jobs N``: worker processes fill the shared page cache."""

from io import StringIO

from django.core.cache import caches
from django.core.management import call_command
from django.test import TransactionTestCase

from tests.factories import ArticleFactory


class WarmInParallelTests(TransactionTestCase):
    """``warm_article_pages --jobs 2``: two processes fill the shared page cache."""

    def setUp(self):
        for alias in ("default", "pages", "shared"):
            caches[alias].clear()
            self.addCleanup(caches[alias].clear)

    def test_two_processes_fill_the_cache_for_every_page(self):
        articles = ArticleFactory.create_batch(120)
        out = StringIO()
        call_command(
            "warm_article_pages", "--host", "testserver", "--jobs", "2", stdout=out
        )
        self.assertIn("已生成 120 个文章页缓存，失败 0 个", out.getvalue())
        for article in (articles[0], articles[-1]):
            with self.assertNumQueries(1):
                response = self.client.get(article.get_absolute_url())
            self.assertContains(response, article.title)
