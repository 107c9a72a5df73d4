from datetime import timedelta

from django.db import IntegrityError, transaction
from django.test import TestCase
from django.utils import timezone

from news.models import Article, Byline
from tests.factories import ArticleFactory, BylineFactory, ChannelFactory, PersonFactory


class ArticlePublishedTests(TestCase):
    """``published()`` and ``is_published`` are the one public rule, and agree."""

    @classmethod
    def setUpTestData(cls):
        now = timezone.now()
        cls.live = ArticleFactory(title="已发布")
        cls.draft = ArticleFactory(title="草稿", status=Article.Status.DRAFT)
        cls.review = ArticleFactory(title="待审", status=Article.Status.REVIEW_2)
        cls.scheduled = ArticleFactory(
            title="定时", published_at=now + timedelta(days=1)
        )
        cls.expired = ArticleFactory(
            title="过期",
            published_at=now - timedelta(days=2),
            expires_at=now - timedelta(days=1),
        )
        cls.expiring = ArticleFactory(
            title="将下线",
            published_at=now - timedelta(days=2),
            expires_at=now + timedelta(days=1),
        )
        cls.unpublished = ArticleFactory(
            title="撤下", status=Article.Status.UNPUBLISHED
        )

    def test_only_due_published_unexpired_articles_are_public(self):
        titles = set(Article.objects.published().values_list("title", flat=True))
        self.assertEqual(titles, {"已发布", "将下线"})

    def test_queryset_and_property_agree(self):
        public = set(Article.objects.published().values_list("pk", flat=True))
        for article in Article.objects.all():
            with self.subTest(article=article.title):
                self.assertEqual(article.is_published, article.pk in public)


class ArticleSaveTests(TestCase):
    def test_body_is_sanitised_and_plain_text_derived(self):
        """Scripts, handlers and javascript: links never reach the database."""
        article = ArticleFactory(
            body=(
                '<h2 style="color:red">标题</h2><p onclick="x()">正文<script>alert(1)</script>'
                '<a href="javascript:alert(1)">链接</a></p><p><span></span></p>'
            )
        )
        article.refresh_from_db()
        self.assertEqual(
            article.body,
            '<h2>标题</h2><p>正文<a rel="noopener noreferrer">链接</a></p>',
        )
        self.assertEqual(article.body_text, "标题\n正文链接")

    def test_chinese_slug_and_summary_fallback(self):
        article = ArticleFactory(
            title="烟台 质量强市", summary="", body="<p>第一段。</p><p>第二段。</p>"
        )
        self.assertEqual(article.slug, "烟台-质量强市")
        self.assertEqual(article.summary, "第一段。")

    def test_url_is_stable_when_title_changes(self):
        article = ArticleFactory()
        url = article.get_absolute_url()
        article.title = "改过的标题"
        article.save()
        self.assertEqual(article.get_absolute_url(), url)
        self.assertEqual(url, f"/news/{article.pk}/")

    def test_expiry_must_follow_publication(self):
        article = ArticleFactory()
        article.expires_at = article.published_at - timedelta(minutes=1)
        with self.assertRaises(IntegrityError), transaction.atomic():
            article.save()


class BylineTests(TestCase):
    def test_groups_consecutive_roles_with_prefix(self):
        article = ArticleFactory()
        a, b, c = (PersonFactory(name=n) for n in ("逄苗", "王伟", "孙洪安"))
        BylineFactory(article=article, person=a, prefix="YMG全媒体", order=0)
        BylineFactory(article=article, person=b, prefix="YMG全媒体", order=1)
        BylineFactory(
            article=article, person=c, role=Byline.Role.CORRESPONDENT, order=2
        )
        groups = [
            (label, [x.person.name for x in items])
            for label, items in article.byline_groups()
        ]
        self.assertEqual(
            groups, [("YMG全媒体记者", ["逄苗", "王伟"]), ("通讯员", ["孙洪安"])]
        )

    def test_same_person_may_hold_different_roles_in_different_articles(self):
        person = PersonFactory(name="孙洪安")
        BylineFactory(person=person, role=Byline.Role.REPORTER)
        BylineFactory(person=person, role=Byline.Role.CORRESPONDENT)
        self.assertEqual(person.bylines.count(), 2)

    def test_person_slugs_are_unique_for_namesakes(self):
        first, second = PersonFactory(name="王伟"), PersonFactory(name="王伟")
        self.assertEqual(first.slug, "王伟")
        self.assertEqual(second.slug, "王伟-2")

    def test_channel_slug_from_chinese_name(self):
        self.assertEqual(ChannelFactory(name="质量强市", slug="").slug, "质量强市")


class ArticleTimeRangeTests(TestCase):
    """Times before 1901 (Beijing's +08:05:43 mean time) or after 2999 are refused
    by the model, so the admin form and the API both say so."""

    def test_out_of_range_times_are_refused(self):
        from datetime import datetime
        from zoneinfo import ZoneInfo

        from django.core.exceptions import ValidationError

        shanghai = ZoneInfo("Asia/Shanghai")
        article = ArticleFactory.build(channel=ChannelFactory())
        for field, value in (
            ("published_at", datetime(1900, 12, 31, 23, 0, tzinfo=shanghai)),
            ("expires_at", datetime(3000, 1, 1, tzinfo=shanghai)),
        ):
            with self.subTest(field):
                setattr(article, field, value)
                with self.assertRaises(ValidationError) as caught:
                    article.full_clean(exclude=["import_key"])
                self.assertIn("1901", caught.exception.message_dict[field][0])
                setattr(
                    article, field, None if field == "expires_at" else timezone.now()
                )
