"""Public pages of the news app."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    Subquery,
)
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

from .models import Article, Channel, Person, Tag

LATEST_CACHE_SECONDS = 30
PAGE_SIZE = 20


def latest_articles(limit: int = 8) -> list[Article]:
    """Newest published articles, shared by every page for a few seconds.

    Cached briefly: the sidebar of every page needs it, and a few seconds of delay on a
    sidebar is worth a query saved on each page view.
    """
    key = f"news:latest:{limit}"
    articles = cache.get(key)
    if articles is None:
        articles = list(Article.objects.published().for_listing()[:limit])
        cache.set(key, articles, LATEST_CACHE_SECONDS)
    return articles


class PublishedMixin:
    """Public views start from the one published QuerySet."""

    paginate_by = PAGE_SIZE

    def get_queryset(self):
        return Article.objects.published().for_listing()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["channels"] = channel_menu()
        return context


def channel_menu() -> list[Channel]:
    channels = cache.get("news:channels")
    if channels is None:
        channels = list(Channel.objects.all())
        cache.set("news:channels", channels, LATEST_CACHE_SECONDS)
    return channels


class HomeView(PublishedMixin, ListView):
    template_name = "news/home.html"
    context_object_name = "articles"


class ChannelView(PublishedMixin, ListView):
    template_name = "news/channel_detail.html"
    context_object_name = "articles"

    def get_queryset(self):
        self.channel = get_object_or_404(Channel, slug=self.kwargs["slug"])
        return super().get_queryset().filter(channel=self.channel)

    def get_context_data(self, **kwargs):
        return super().get_context_data(channel=self.channel, **kwargs)


class TagView(PublishedMixin, ListView):
    template_name = "news/tag_detail.html"
    context_object_name = "articles"

    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return super().get_queryset().filter(tags=self.tag)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


class PersonView(PublishedMixin, ListView):
    template_name = "news/person_detail.html"
    context_object_name = "articles"

    def get_queryset(self):
        self.person = get_object_or_404(Person, slug=self.kwargs["slug"])
        return super().get_queryset().filter(bylines__person=self.person).distinct()

    def get_context_data(self, **kwargs):
        return super().get_context_data(person=self.person, **kwargs)


class ArticleView(DetailView):
    template_name = "news/article_detail.html"
    context_object_name = "article"

    def get_queryset(self):
        return Article.objects.published().for_detail()

    def get_context_data(self, **kwargs):
        article = self.object
        context = super().get_context_data(**kwargs)
        lists = article_neighbours_and_related(article)
        context.update(
            neighbours=lists,
            related=lists["related"],
            latest=[a for a in latest_articles(6) if a.pk != article.pk][:5],
            channels=channel_menu(),
        )
        return context


def article_neighbours_and_related(article: Article, limit: int = 5) -> dict:
    """上一篇/下一篇 in the channel and 相关新闻, together in one query.

    相关新闻 ranks editor's picks first, then the articles sharing the most tags.
    One statement with scalar and ``IN`` subqueries keeps the article page within its
    query budget (SQLite forbids ``LIMIT`` inside ``UNION`` parts, so no union).
    """
    published = Article.objects.published()
    tag_ids = [tag.pk for tag in article.tags.all()]
    picked = Article.related_articles.through.objects.filter(
        from_article_id=article.pk, to_article_id=OuterRef("pk")
    )
    in_channel = published.filter(channel_id=article.channel_id)
    older = in_channel.filter(
        Q(published_at__lt=article.published_at)
        | Q(published_at=article.published_at, id__lt=article.id)
    ).order_by("-published_at", "-id")
    newer = in_channel.filter(
        Q(published_at__gt=article.published_at)
        | Q(published_at=article.published_at, id__gt=article.id)
    ).order_by("published_at", "id")
    related = (
        published.filter(Q(Exists(picked)) | Q(tags__in=tag_ids))
        .exclude(pk=article.pk)
        .annotate(
            is_pick=Exists(picked), shared=Count("tags", filter=Q(tags__in=tag_ids))
        )
        .order_by("-is_pick", "-shared", "-published_at", "-id")
    )
    is_older = Q(pk=Subquery(older.values("pk")[:1]))
    is_newer = Q(pk=Subquery(newer.values("pk")[:1]))
    is_related = Q(pk__in=Subquery(related.values("pk")[:limit]))
    rows = (
        published.filter(is_older | is_newer | is_related)
        .annotate(
            is_older=ExpressionWrapper(is_older, output_field=BooleanField()),
            is_newer=ExpressionWrapper(is_newer, output_field=BooleanField()),
            is_related=ExpressionWrapper(is_related, output_field=BooleanField()),
            is_pick=Exists(picked),
            shared=Count("tags", filter=Q(tags__in=tag_ids)),
        )
        .only("id", "title", "published_at")
    )
    found: dict = {"previous": None, "next": None, "related": []}
    for row in rows:
        if row.is_older:
            found["previous"] = row
        if row.is_newer:
            found["next"] = row
        if row.is_related:
            found["related"].append(row)
    found["related"].sort(
        key=lambda a: (a.is_pick, a.shared, a.published_at, a.id), reverse=True
    )
    return found
