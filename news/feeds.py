"""RSS 2.0 and Atom feeds, site-wide and per channel."""

from django.contrib.syndication.views import Feed
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import Article, Byline, Channel

FEED_SIZE = 30


def feed_articles(channel: Channel | None = None):
    """The newest published articles (of ``channel``), in two queries."""
    articles = Article.objects.published()
    if channel is not None:
        articles = articles.filter(channel=channel)
    return (
        articles.select_related("channel")
        .defer("body", "body_text")
        .prefetch_related(
            Prefetch("bylines", queryset=Byline.objects.select_related("person"))
        )
        .order_by("-published_at", "-id")[:FEED_SIZE]
    )


class LatestRssFeed(Feed):
    def __call__(self, request, *args, **kwargs):
        """Without Django's ``Last-Modified`` (the newest item's time): a feed is a
        list, and that time goes back when its newest article is withdrawn, so a
        client asking only ``If-Modified-Since`` would keep a feed listing it. The
        ETag (``yantai.httpcache``) is exact."""
        response = super().__call__(request, *args, **kwargs)
        del response["Last-Modified"]
        return response

    title = _("品质烟台 · 最新文章")
    description = _(
        "烟台市质量发展新闻：标准化、品牌、计量、检验检测、认证认可、质量监管。"
    )

    def link(self):
        return reverse("news:home")

    def items(self):
        return feed_articles()

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        return item.summary

    # In Beijing time: RSS's pubDate and lastBuildDate then carry +0800 and Atom's
    # published/updated +08:00, the times readers know (the database's are UTC).
    def item_pubdate(self, item: Article):
        return timezone.localtime(item.published_at)

    def item_updateddate(self, item: Article):
        return timezone.localtime(item.updated_at)

    def author_name(self) -> str:
        """The feed's author, whom Atom gives an entry that names none (an article
        with no byline and no source): the site."""
        return gettext("品质烟台")

    def item_author_name(self, item: Article) -> str | None:
        names = [b.person.name for b in item.bylines.all()]
        return "、".join(dict.fromkeys(names)) or item.source or None

    def item_categories(self, item: Article):
        return [item.channel.name]

    # No item_guid: the syndication framework then uses the item's absolute link as
    # RSS <guid> (a permalink) and Atom <id>; feed validators reject a bare path.


class ChineseEntriesAtom1Feed(Atom1Feed):
    """Atom whose entries, Chinese articles, say so (xml:lang="zh-Hans") in a feed
    of another language (/en/feeds/…: English titles, Chinese items). RSS 2.0 has
    no language per item: its <language> stays the feed's own."""

    def item_attributes(self, item):
        attrs = super().item_attributes(item)
        if not (self.feed["language"] or "").lower().startswith("zh"):
            attrs["xml:lang"] = "zh-Hans"
        return attrs


class LatestAtomFeed(LatestRssFeed):
    feed_type = ChineseEntriesAtom1Feed
    subtitle = LatestRssFeed.description


class ChannelRssFeed(LatestRssFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Channel, slug=slug)

    def title(self, obj: Channel) -> str:
        return _("品质烟台 · %(channel)s") % {"channel": obj.name}

    def description(self, obj: Channel) -> str:
        return obj.description or self.title(obj)

    def link(self, obj: Channel) -> str:
        return obj.get_absolute_url()

    def items(self, obj: Channel):
        return feed_articles(channel=obj)


class ChannelAtomFeed(ChannelRssFeed):
    feed_type = ChineseEntriesAtom1Feed

    def subtitle(self, obj: Channel) -> str:
        return self.description(obj)
