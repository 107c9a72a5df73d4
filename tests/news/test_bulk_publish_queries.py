"""The bulk 终审发布 confirmation page reads what it shows (who saved each work last
and when, its 送审 state, its latest step, whether it can be published) in a
constant number of queries whatever the selection: select-all on a list of
hundreds shows at once."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from news.models import Article
from news.workflow import articles_publish
from tests.factories import BylineFactory, TagFactory

from .test_bulk_publish import CHANGELIST, BulkPublishTestCase, S, confirm_data


class ConfirmationPageQueriesTests(BulkPublishTestCase):
    def selection(self, n: int) -> list[Article]:
        """``n`` articles, every other one a draft over a live version; each with
        a tag and a byline (what a snapshot reads)."""
        articles = []
        for number in range(n):
            if number % 2:
                article = self.ready_draft_over_live(f"线上文章 {number}")
            else:
                article = self.ready(f"新文章 {number}")
            article.tags.add(TagFactory())
            BylineFactory(article=article)
            articles.append(article)
        return articles

    def page_queries(self, articles) -> int:
        self.client.force_login(self.publisher)
        self.choose(articles)  # the session, the user: not what is counted
        with CaptureQueriesContext(connection) as queries:
            response = self.choose(articles)
        self.assertEqual(response.status_code, 200)
        for article in articles:
            self.assertContains(response, article.title)
        self.page = response
        return len(queries)

    def test_the_page_reads_the_same_for_2_and_for_30_articles(self):
        two = self.page_queries(self.selection(2))
        thirty = self.page_queries(self.selection(30))
        self.assertEqual(thirty, two)

    def test_the_page_shows_the_same_as_before(self):
        articles = self.selection(2)
        self.page_queries(articles)
        self.assertContains(self.page, "李四")  # who saved the draft's content
        self.assertContains(self.page, "待终审")
        self.assertContains(self.page, "终审")

    def test_confirming_costs_what_publishing_costs(self):
        """The confirming POST reads nothing per article beyond what the
        publications themselves need (``articles_publish`` of the same kind of
        selection): the difference is the same for 2 and for 30 articles."""
        self.client.force_login(self.publisher)
        self.choose(self.selection(1))  # the session, the user: warm
        overhead = {}
        for n in (2, 30):
            articles = self.selection(n)
            data = confirm_data(self.choose(articles))
            with CaptureQueriesContext(connection) as posted:
                response = self.client.post(CHANGELIST, data)
            self.assertEqual(response.status_code, 302)
            self.assertEqual(
                set(
                    Article.objects.filter(pk__in=[a.pk for a in articles]).values_list(
                        "status", flat=True
                    )
                ),
                {S.PUBLISHED},
            )
            same = self.selection(n)
            versions = {a.pk: Article.objects.get(pk=a.pk).version for a in same}
            # A user as the request has it: permissions not yet read.
            by = get_user_model().objects.get(pk=self.publisher.pk)
            with CaptureQueriesContext(connection) as published:
                articles_publish(by=by, versions=versions)
            overhead[n] = len(posted) - len(published)
        self.assertEqual(overhead[30], overhead[2], overhead)
