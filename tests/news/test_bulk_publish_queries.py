"""The bulk 终审发布 confirmation page reads what it shows (who saved each work last
and when, its 送审 state, its latest step, whether it can be published) in a
constant number of queries whatever the selection: select-all on a list of
hundreds shows at once."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext

from news.models import Article, Revision
from news.services import article_update
from news.workflow import (
    CONFIRMATION_REVISIONS,
    article_approve,
    article_reject,
    article_submit,
    articles_publish,
)
from tests.factories import ArticleFactory, BylineFactory, TagFactory, staff_in_group

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


class LongHistoryTests(BulkPublishTestCase):
    """An article sent back and forth for months has hundreds of revisions, each
    with its snapshot: the page reads each article's newest ones only, and older
    ones only when who saved the content is not found among them."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.other_editor = staff_in_group("editor2", "编辑")
        cls.other_editor.last_name, cls.other_editor.first_name = "王", "五"
        cls.other_editor.save()

    def written_by_li_si(self, title: str) -> Article:
        """A new article whose content 李四 saved, in 待终审."""
        article = ArticleFactory(channel=self.channel, status=S.DRAFT, title="初稿")
        article_update(article=article, by=self.editor, values={"title": title})
        self.to_final_review(article)
        return article

    def to_final_review(self, article: Article) -> None:
        article_submit(article=article, by=self.other_editor)
        article_approve(article=article, by=self.reviewer)
        article_approve(article=article, by=self.second)

    def sent_back(self, article: Article, rounds: int) -> None:
        """Sent back by 终审 and through review again ``rounds`` times, unchanged."""
        for _ in range(rounds):
            article_reject(article=article, by=self.publisher, comment="请再核实数据")
            self.to_final_review(article)

    def revisions_read(self, articles) -> int:
        self.client.force_login(self.publisher)
        made = []

        def count(sender, instance, **kwargs):
            made.append(instance)

        post_init.connect(count, sender=Revision)
        try:
            response = self.choose(articles)
        finally:
            post_init.disconnect(count, sender=Revision)
        self.assertEqual(response.status_code, 200)
        self.page = response
        return len(made)

    def test_a_long_history_is_not_read_whole(self):
        article = self.written_by_li_si("反复退回的稿")
        self.sent_back(article, rounds=10)
        # Changed last by 李四: the newest revisions say who saved the content.
        article_reject(article=article, by=self.publisher, comment="标题再改")
        article_update(article=article, by=self.editor, values={"title": "改好的稿"})
        self.to_final_review(article)
        self.assertGreater(article.revisions.count(), 2 * CONFIRMATION_REVISIONS)

        read = self.revisions_read([article])

        self.assertLessEqual(read, CONFIRMATION_REVISIONS)
        self.assertContains(self.page, "改好的稿")
        self.assertContains(self.page, "李四")

    def test_who_saved_the_content_is_found_past_the_newest_revisions(self):
        """The content was saved before more review steps than the page reads at
        first: that article's older revisions are read too, and the page names the
        writer, not whoever took it through review since."""
        article = self.written_by_li_si("改好的稿")
        self.sent_back(article, rounds=6)
        saved = article.revisions.filter(created_by=self.editor).latest("version")
        self.assertGreater(
            article.revisions.filter(version__gt=saved.version).count(),
            CONFIRMATION_REVISIONS,
        )

        self.revisions_read([article])

        self.assertContains(self.page, "改好的稿")
        self.assertContains(self.page, "李四")
