"""Sitemaps: articles, channels, tags, and a Google news sitemap of the last two days.

``yantai/urls.py`` holds the ``sitemaps`` dict, so other apps add their sections there.
"""

from datetime import timedelta

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.db.models.functions import Greatest
from django.utils import timezone

from .models import Article, Channel, Tag

# When readers' copy of an article last changed: its last edit, or its publication
# if later (a scheduled article written days before it is due appears then, and so
# changes its channel's and tags' lists).
_ARTICLE_CHANGED = Greatest("articles__updated_at", "articles__published_at")


def article_changed(article: Article):
    """``_ARTICLE_CHANGED`` of one article."""
    return max(article.updated_at, article.published_at)


class ArticleSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8
    limit = 5000

    def items(self):
        return (
            Article.objects.published()
            .only("id", "updated_at", "published_at")
            .order_by("-published_at", "-id")
        )

    def lastmod(self, item: Article):
        return article_changed(item)


class ChannelSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.6

    def items(self):
        # lastmod: the newest published article of the channel, in the same query.
        return (
            Channel.objects.filter(articles__in=Article.objects.published())
            .annotate(last=Max(_ARTICLE_CHANGED))
            .order_by("order", "id")
        )

    def lastmod(self, item: Channel):
        return item.last


class TagSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.4

    def items(self):
        return (
            Tag.objects.filter(articles__in=Article.objects.published())
            .annotate(last=Max(_ARTICLE_CHANGED))
            .order_by("name")
        )

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
            .only("id", "title", "updated_at", "published_at")
            .order_by("-published_at", "-id")
        )
