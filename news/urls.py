from django.urls import path

from . import feeds, views

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
    path(
        "news/<int:year>/<int:month>/",
        views.MonthArchiveView.as_view(),
        name="archive-month",
    ),
    path(
        "news/channel/<str:slug>/", views.ChannelView.as_view(), name="channel-detail"
    ),
    path("news/tag/<str:slug>/", views.TagView.as_view(), name="tag-detail"),
    path("news/person/<str:slug>/", views.PersonView.as_view(), name="person-detail"),
    path("feeds/rss/", feeds.LatestRssFeed(), name="feed-rss"),
    path("feeds/atom/", feeds.LatestAtomFeed(), name="feed-atom"),
    path("feeds/channel/<str:slug>/rss/", feeds.ChannelRssFeed(), name="channel-rss"),
    path(
        "feeds/channel/<str:slug>/atom/", feeds.ChannelAtomFeed(), name="channel-atom"
    ),
]
