"""Sitemaps: articles, channels, tags, and a Google news sitemap of the last two days.

``yantai/urls.py`` holds the ``sitemaps`` dict, so other apps add their sections there.
"""

from datetime import timedelta

from django.contrib.sitemaps import Sitemap
from django.db.models import Case, F, Max, Q, Value, When
from django.db.models.functions import Greatest, Least
from django.db.models.lookups import Exact, LessThanOrEqual
from django.utils import timezone

from .models import Article, Channel, Tag


def _changed(now):
    """When readers' copy of an article (``articles__``) last changed, as of
    ``now``: its last edit, or its publication if later (a scheduled article
    written days before it is due appears then, and so changes its channel's and
    tags' lists); or when it left those lists: its 下线时间 once passed, or its
    withdrawal (撤下 writes the row, so ``updated_at``), whichever came first."""
    return Case(
        When(
            _withdrawn(),
            then=Case(
                When(
                    _expired(now),
                    then=Least("articles__updated_at", "articles__expires_at"),
                ),
                default=F("articles__updated_at"),
            ),
        ),
        When(_expired(now), then=F("articles__expires_at")),
        default=Greatest("articles__updated_at", "articles__published_at"),
    )


# Lookups rather than Qs, whose joins Django makes outer ones.
def _expired(now):
    return LessThanOrEqual(F("articles__expires_at"), Value(now))


def _withdrawn():
    return Exact(F("articles__status"), Value(Article.Status.UNPUBLISHED))


def with_lastmod(queryset, now=None):
    """``queryset`` (channels or tags) with ``last``, the latest change of their
    articles readers have seen (``_changed``), those with a published article
    only: one aggregate over the articles that appeared, the few expired or
    withdrawn ones among them included (their leaving changed these lists).

    A withdrawn article edited since is back in 草稿 and no longer counted: if its
    withdrawal was the latest change, the ``lastmod`` goes back to the one before,
    and a crawler that has not read the page since the withdrawal may miss it
    (the timeline keeps when it was, but one more join for every sitemap read
    is not worth this case)."""
    now = now or timezone.now()
    # 1 for an article still public (no expiry, or a later one), 0 for an expired
    # or withdrawn one.
    public = Case(When(_expired(now), then=0), When(_withdrawn(), then=0), default=1)
    # Withdrawn after it appeared (one scheduled and withdrawn before its time
    # never was on these pages).
    shown = Article.objects.filter(
        Q(status=Article.Status.PUBLISHED)
        | Q(status=Article.Status.UNPUBLISHED, updated_at__gte=F("published_at")),
        published_at__lte=now,
    )
    return (
        queryset.filter(articles__in=shown)
        .annotate(last=Max(_changed(now)), public=Max(public))
        .filter(public=1)
    )


def article_changed(article: Article, now=None):
    """``_changed`` of one article readers have seen."""
    now = now or timezone.now()
    expired = article.expires_at is not None and article.expires_at <= now
    if article.status == Article.Status.UNPUBLISHED:
        return (
            min(article.updated_at, article.expires_at)
            if expired
            else article.updated_at
        )
    if expired:
        return article.expires_at
    return max(article.updated_at, article.published_at)


class ArticleSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8
    limit = 5000

    def items(self):
        return (
            Article.objects.published()
            .only("id", "status", "updated_at", "published_at", "expires_at")
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
            .only("id", "title", "status", "updated_at", "published_at", "expires_at")
            .order_by("-published_at", "-id")
        )
