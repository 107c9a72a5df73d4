"""The article page's reads compiled once (news/prepared.py) give what the
QuerySets they are made of give, and the remembered links what ``reverse`` gives."""

from datetime import timedelta

from django.db import NotSupportedError
from django.db.models import prefetch_related_objects
from django.db.models.signals import post_init
from django.template import Context, Template, TemplateSyntaxError
from django.test import TestCase
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from news.models import (
    Article,
    Byline,
    Image,
    Tag,
    detail_prefetch,
    detail_prefetches,
    detail_row,
)
from news.prepared import SAMPLE_ID, LinkedRows, PreparedQuery, _plain_attributes
from tests.factories import ArticleFactory, BylineFactory, TagFactory
from yantai.links import id_url


class DetailReadsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory()
        cls.article.tags.set([TagFactory(name="乙"), TagFactory(name="甲")])
        for _ in range(3):
            BylineFactory(article=cls.article)

    def test_the_row_is_the_querysets_row_with_its_relations(self):
        """Every field and every select_related relation as the ORM reads them."""
        expected = Article.objects.published().for_detail_row().get(pk=self.article.pk)
        with self.assertNumQueries(1):
            article = detail_row(self.article.pk)
            channel = article.channel
            editor = article.responsible_editor
        # All but the plain text, which the page never prints: left unread.
        self.assertEqual(article.get_deferred_fields(), {"body_text"})
        fields = [
            f.attname for f in Article._meta.concrete_fields if f.name != "body_text"
        ]
        self.assertEqual(
            [getattr(article, f) for f in fields],
            [getattr(expected, f) for f in fields],
        )
        self.assertEqual(channel, expected.channel)
        self.assertEqual(channel.name, expected.channel.name)
        self.assertEqual(editor, expected.responsible_editor)
        self.assertIsInstance(
            article.updated_at.tzinfo, type(expected.updated_at.tzinfo)
        )

    def test_an_article_the_public_may_not_see_is_not_found(self):
        """published(): drafts, scheduled and expired articles give None, as the
        QuerySet gives nothing, at each run's own moment."""
        now = timezone.now()
        cases = {
            "draft": ArticleFactory(status=Article.Status.DRAFT),
            "scheduled": ArticleFactory(published_at=now + timedelta(minutes=5)),
            "expired": ArticleFactory(expires_at=now - timedelta(minutes=5)),
        }
        for name, article in cases.items():
            with self.subTest(name):
                self.assertFalse(Article.objects.published().filter(pk=article.pk))
                self.assertIsNone(detail_row(article.pk))
        self.assertIsNone(detail_row(SAMPLE_ID))
        self.assertIsNone(detail_row(2**63))  # past the column's range: no row
        Article.objects.filter(pk=cases["scheduled"].pk).update(
            published_at=now - timedelta(seconds=1)
        )
        self.assertEqual(detail_row(cases["scheduled"].pk), cases["scheduled"])

    def test_tags_and_bylines_are_the_prefetched_ones(self):
        """The same objects in the same order as ``detail_prefetches()`` gives
        them: from the row of ``detail_row`` without a query (``LinkedRows``), of
        another article by two queries; and no query when the page reads them."""
        # Orders against the ids, and a tie broken by id: Meta.ordering decides.
        for byline, order in zip(
            self.article.bylines.order_by("id"), (5, 1, 1), strict=True
        ):
            Byline.objects.filter(pk=byline.pk).update(order=order)
        expected = Article.objects.get(pk=self.article.pk)
        prefetch_related_objects([expected], *detail_prefetches())
        from_row = detail_row(self.article.pk)
        other = Article.objects.get(pk=self.article.pk)
        for article, queries in ((from_row, 0), (other, 2)):
            with self.subTest(queries=queries):
                with self.assertNumQueries(queries):
                    detail_prefetch(article)
                with self.assertNumQueries(0):
                    tags = [(t.pk, t.name, t.slug) for t in article.tags.all()]
                    bylines = [
                        (b.pk, b.role, b.prefix, b.order, b.person.name, b.article.pk)
                        for b in article.bylines.all()
                    ]
                    groups = article.byline_groups()
                self.assertEqual(
                    tags, [(t.pk, t.name, t.slug) for t in expected.tags.all()]
                )
                self.assertEqual(len(tags), 2)
                self.assertEqual(
                    bylines,
                    [
                        (b.pk, b.role, b.prefix, b.order, b.person.name, b.article.pk)
                        for b in expected.bylines.all()
                    ],
                )
                self.assertEqual([b[3] for b in bylines], [1, 1, 5])
                self.assertEqual(len(groups), len(expected.byline_groups()))
                self.assertIs(article.bylines.all()[0].article, article)

    def test_an_article_without_tags_or_bylines_has_empty_lists(self):
        """PostgreSQL's ``json_agg`` of no row is NULL, SQLite's ``[]``."""
        bare = ArticleFactory()
        article = detail_row(bare.pk)
        with self.assertNumQueries(0):
            detail_prefetch(article)
            self.assertEqual(list(article.tags.all()), [])
            self.assertEqual(list(article.bylines.all()), [])

    def test_linked_rows_refuse_a_field_json_does_not_carry(self):
        """A datetime would come back as text: refused when compiled, not read
        wrong."""
        rows = LinkedRows(Article, "events")
        with self.assertRaisesMessage(NotSupportedError, "ArticleEvent.created_at"):
            list(Article.objects.annotate(timeline=rows))

    def test_instances_hold_what_from_db_gives_them(self):
        """Made without ``Model.__init__``: the same values, deferred fields and
        state as the QuerySet's instances (``instance_maker``)."""
        expected = (
            Article.objects.published()
            .for_detail_row()
            .defer("body_text")
            .get(pk=self.article.pk)
        )
        article = detail_row(self.article.pk)
        detail_prefetch(article)

        def attributes(instance):
            return {
                k: v
                for k, v in instance.__dict__.items()
                if k not in ("_state", "_prefetched_objects_cache", "index_title")
            }

        self.assertEqual(attributes(article), attributes(expected))
        self.assertEqual(article.get_deferred_fields(), {"body_text"})
        tags = list(Tag.objects.filter(articles=self.article.pk))
        self.assertEqual(
            [attributes(t) for t in article.tags.all()], [attributes(t) for t in tags]
        )
        for made in (article, *article.tags.all(), *article.bylines.all()):
            self.assertFalse(made._state.adding)
            self.assertEqual(made._state.db, "default")

    def test_djangos_from_db_where_init_does_more_than_set_attributes(self):
        """A receiver of ``post_init`` (an ``ImageField``'s with width and height
        fields), or a descriptor that handles what is set (``FileDescriptor``)."""
        self.assertFalse(_plain_attributes(Image, ("id", "file")))
        self.assertTrue(_plain_attributes(Byline, ("id", "article_id", "role")))
        seen = []

        def receiver(sender, instance, **kwargs):
            seen.append(instance)

        post_init.connect(receiver, sender=Tag)
        self.addCleanup(post_init.disconnect, receiver, sender=Tag)
        article = detail_row(self.article.pk)
        detail_prefetch(article)
        self.assertEqual(len(seen), 2)  # the two tags, made by Django's __init__

    def test_a_sample_value_missing_from_the_statement_is_refused(self):
        query = PreparedQuery(lambda pk: Article.objects.all(), pk=SAMPLE_ID)
        with self.assertRaisesMessage(ValueError, "pk"):
            query.instances(pk=1)


class RememberedLinksTests(TestCase):
    def test_id_url_is_reverse_in_each_language(self):
        for language in ("zh-hans", "en"):
            with self.subTest(language), translation.override(language):
                for pk in (1, 42, 123456789):
                    self.assertEqual(
                        id_url("news:article-detail", "pk", pk),
                        reverse("news:article-detail", kwargs={"pk": pk}),
                    )
        with self.assertRaises(NoReverseMatch):
            id_url("news:article-detail", "pk", None)

    def test_the_url_tag_renders_as_djangos(self):
        """``{% load fast_tags %}``: the same output as Django's ``{% url %}`` for
        arguments, keyword arguments, ``as``, escaping and a missing view."""
        body = (
            "{% url 'news:home' %}|{% url 'news:article-detail' 7 %}|"
            "{% url 'news:article-detail' pk=n %}|{% url 'news:archive-month' y m %}|"
            "{% url 'news:nothing' as missing %}[{{ missing }}]|"
            "{% url 'news:search' as s %}{{ s }}"
        )
        context = {"n": 8, "y": "2021", "m": "08"}
        for language in ("zh-hans", "en"):
            with self.subTest(language), translation.override(language):
                django = Template(body).render(Context(context))
                cached = Template("{% load fast_tags %}" + body).render(
                    Context(context)
                )
                self.assertEqual(cached, django)
                self.assertIn(reverse("news:article-detail", args=[8]), cached)
        with self.assertRaises(NoReverseMatch):
            Template("{% load fast_tags %}{% url 'news:nothing' %}").render(Context())
        with self.assertRaises(TemplateSyntaxError):
            Template("{% load fast_tags %}{% url %}")

    def test_the_translate_tag_renders_as_djangos(self):
        """``{% translate %}`` under ``fast_tags``: the same output as Django's for
        literals (with ``%``, quotes, markup), variables, filters, ``as``, ``noop``
        and ``context``, in each language."""
        body = (
            "{% translate '首页' %}|{% translate \"相关新闻\" %}|{% trans '首页' %}|"
            "{% translate '100% <b>' %}|{% translate \"it's\" %}|{% translate msg %}|"
            "{% translate '首页'|upper %}|{% translate '首页' as t %}[{{ t }}]|"
            "{% translate '首页' noop %}|{% translate 'May' context 'month name' %}"
        )
        context = {"msg": "首页 <i>"}
        for language in ("zh-hans", "en"):
            with self.subTest(language), translation.override(language):
                django = Template("{% load i18n %}" + body).render(Context(context))
                fast = Template("{% load i18n fast_tags %}" + body).render(
                    Context(context)
                )
                self.assertEqual(fast, django)
        with translation.override("en"):
            self.assertEqual(
                Template("{% load fast_tags %}{% translate '首页' %}").render(
                    Context()
                ),
                "Home",
            )
