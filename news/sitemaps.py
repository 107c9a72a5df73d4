"""Sitemaps: articles, channels, tags, and a Google news sitemap of the last two days.

``yantai/urls.py`` holds the ``sitemaps`` dict, so other apps add their sections there.
"""

from datetime import timedelta

from django.contrib.sitemaps import Sitemap
from django.db.models import Case, F, Max, Value, When
from django.db.models.functions import Greatest
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone

from .models import Article, Channel, Tag


def _changed(now):
    """When readers' copy of an article (``articles__``) last changed, as of
    ``now``: its last edit, or its publication if later (a scheduled article
    written days before it is due appears then, and so changes its channel's and
    tags' lists), or its 下线时间 once passed (it left those lists then)."""
    return Case(
        When(_expired(now), then=F("articles__expires_at")),
        default=Greatest("articles__updated_at", "articles__published_at"),
    )


def _expired(now):
    # A lookup rather than a Q, whose joins Django makes outer ones.
    return LessThanOrEqual(F("articles__expires_at"), Value(now))


def with_lastmod(queryset, now=None):
    """``queryset`` (channels or tags) with ``last``, the latest change of their
    articles readers have seen (``_changed``), those with a published article
    only: one aggregate over the articles that appeared, the few expired ones
    among them included."""
    now = now or timezone.now()
    # 1 for an article still public (no expiry, or a later one), 0 for an expired
    # one.
    public = Case(When(_expired(now), then=0), default=1)
    return (
        queryset.filter(articles__in=Article.objects.appeared(now))
        .annotate(last=Max(_changed(now)), public=Max(public))
        .filter(public=1)
    )


def article_changed(article: Article, now=None):
    """``_changed`` of one article readers have seen."""
    now = now or timezone.now()
    if article.expires_at is not None and article.expires_at <= now:
        return article.expires_at
    return max(article.updated_at, article.published_at)


class ArticleSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8
    limit = 5000

    def items(self):
        return (
            Article.objects.published()
            .only("id", "updated_at", "published_at", "expires_at")
            .order_by("-published_at", "-id")
        )

    def lastmod(self, item: Article):
        return article_changed(item)


class ChannelSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.6

    def items(self):
        # lastmod: the latest change of the channel's articles, in the same query.
        return with_lastmod(Channel.objects.all()).order_by("order", "id")

    def lastmod(self, item: Channel):
        return item.last


class TagSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.4

    def items(self):
        return with_lastmod(Tag.objects.all()).order_by("name")

    def lastmod(self, item: Tag):
        return item.last


class NewsSitemap(ArticleSitemap):
    """Articles of the last two days, for the Google news sitemap format."""

    limit = 1000

    def items(self):
        since = timezone.now() - timedelta(days=2)
        return (
            Article.objects.published()
            .filter(published_at__gte=since)
            .only("id", "title", "updated_at", "published_at", "expires_at")
            .order_by("-published_at", "-id")
        )
