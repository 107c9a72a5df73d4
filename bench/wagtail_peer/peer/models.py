"""The peer's pages: a channel index and an article, as a Wagtail site would model the
shared dataset's rows (bench/data/dataset-*.jsonl).

The body is a StreamField of heading and paragraph blocks rather than a RichTextField:
the dataset's body already is a list of typed blocks ({"type": "heading"|"paragraph",
"text": …}), which is exactly what StreamField stores (Wagtail's bakerydemo models its
bodies the same way), and it needs no HTML building or sanitising on import. The blocks
are CharBlock/TextBlock (plain text, as the dataset is) and are searchable through
StreamField's own get_searchable_content.

Reporters and correspondents are CharFields (names joined by spaces): the dataset has
one to three names each, and an inline model would add two more tables written per
article; the cheaper choice is the one generous to the peer.
"""

import os

from django.db import models
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail import blocks
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

# 相关文章: "tags" (articles sharing a tag, newest first: what our page means by
# related), "siblings" (the newest articles of the same channel) or "previous" (the five
# before it in its channel's tree order: one index range, the cheapest list a Wagtail
# site would call related). bench/wagtail_serving.py --related sets it.
RELATED = os.environ.get("PEER_RELATED", "tags")


class ChannelPage(Page):
    """One of the dataset's channels (市场监管, 质量强市 …): the parent of its articles."""

    subpage_types = ["peer.ArticlePage"]


class ArticlePageTag(TaggedItemBase):
    content_object = ParentalKey(
        "peer.ArticlePage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class ArticlePage(Page):
    summary = models.TextField(blank=True)
    body = StreamField(
        [
            ("heading", blocks.CharBlock(form_classname="title")),
            ("paragraph", blocks.TextBlock()),
        ]
    )
    # Indexed: the 5 latest of every article page are ordered by it.
    published_at = models.DateTimeField(db_index=True)
    source = models.CharField(max_length=100, blank=True)
    reporters = models.CharField(max_length=200, blank=True)
    correspondents = models.CharField(max_length=200, blank=True)
    tags = ClusterTaggableManager(through=ArticlePageTag, blank=True)

    parent_page_types = ["peer.ChannelPage"]
    subpage_types = []

    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
    ]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Listings leave the bodies unloaded (Wagtail's defer_streamfields()).
        live = ArticlePage.objects.live().defer_streamfields()
        if RELATED == "previous":
            # The five siblings just before it in the tree, nearest first: a range of
            # treebeard's path index. The tree's order is the import's, the dataset's
            # (not by date): five articles of the same channel, nothing more.
            related = self.get_prev_siblings().live().specific().defer_streamfields()
        elif RELATED == "siblings":
            # The newest of the same channel.
            related = live.sibling_of(self, inclusive=False).order_by("-published_at")
        else:
            related = live.filter(tags__in=self.tags.all()).exclude(pk=self.pk)
            related = related.distinct().order_by("-published_at")
        context["related"] = related[:5]
        context["latest"] = live.order_by("-published_at")[:5]
        return context
