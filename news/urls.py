from django.urls import path, register_converter

from . import feeds, views


class TextConverter:
    """A path segment of any text but NUL, which no PostgreSQL text column holds:
    a URL with it names no channel, tag or person and is a 404, never a query."""

    regex = "[^/\\x00]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(TextConverter, "text")

app_name = "news"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("reading/", views.reading_preferences, name="reading-preferences"),
    path("news/<int:pk>/", views.ArticleView.as_view(), name="article-detail"),
    path("news/<int:pk>/preview/", views.article_preview, name="article-preview"),
    path(
        "news/<int:pk>/preview/revision/<int:revision_id>/",
        views.article_preview,
        name="article-preview-revision",
    ),
    path("preview/<str:signed>/", views.article_shared_preview, name="article-share"),
    path("news/<int:pk>/view", views.article_view_beacon, name="article-view"),
    path("news/<int:pk>/qr.svg", views.article_qr, name="article-qr"),
    path("news/archive/", views.ArchiveIndexView.as_view(), name="archive"),
    path("sitemap/", views.SiteMapView.as_view(), name="site-map"),
    path(
        "news/<int:year>/<int:month>/",
        views.MonthArchiveView.as_view(),
        name="archive-month",
    ),
    path(
        "news/channel/<text:slug>/", views.ChannelView.as_view(), name="channel-detail"
    ),
    path("news/tag/<text:slug>/", views.TagView.as_view(), name="tag-detail"),
    path("news/person/<text:slug>/", views.PersonView.as_view(), name="person-detail"),
    path("feeds/rss/", feeds.LatestRssFeed(), name="feed-rss"),
    path("feeds/atom/", feeds.LatestAtomFeed(), name="feed-atom"),
    path("feeds/channel/<text:slug>/rss/", feeds.ChannelRssFeed(), name="channel-rss"),
    path(
        "feeds/channel/<text:slug>/atom/", feeds.ChannelAtomFeed(), name="channel-atom"
    ),
]
