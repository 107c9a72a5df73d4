from django.urls import path

from . import views

app_name = "news"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("news/<int:pk>/", views.ArticleView.as_view(), name="article-detail"),
    path(
        "news/channel/<str:slug>/", views.ChannelView.as_view(), name="channel-detail"
    ),
    path("news/tag/<str:slug>/", views.TagView.as_view(), name="tag-detail"),
    path("news/person/<str:slug>/", views.PersonView.as_view(), name="person-detail"),
]
