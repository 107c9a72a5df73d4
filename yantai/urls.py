from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path, re_path
from django.views.generic import TemplateView
from django.views.static import serve
from drf_spectacular.views import SpectacularSwaggerSplitView

from api.views import SchemaView
from news import admin_notify
from news import sitemaps as news_sitemaps
from news import views as news_views
from news.pagecache import cache_public
from quality import sitemaps as quality_sitemaps

from . import admin_app, views

# Every app's admin module, imported here rather than at setup (yantai.admin_app).
admin_app.autodiscover()
admin.site.site_header = "品质烟台 · 内容管理"
admin.site.site_title = "品质烟台"
admin.site.index_title = "内容管理"

# /sitemap.xml sections; other apps add theirs here.
sitemaps = {
    "articles": news_sitemaps.ArticleSitemap,
    "channels": news_sitemaps.ChannelSitemap,
    "tags": news_sitemaps.TagSitemap,
    "data": quality_sitemaps.DataSitemap,
}
# Until a publication, withdrawal or rename, or an article becoming due or expiring
# (news.pagecache.cache_public), and at most this long.
SITEMAP_CACHE_SECONDS = 600

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
        name="robots-txt",
    ),
    path(
        "sitemap.xml",
        cache_public(SITEMAP_CACHE_SECONDS)(sitemap_views.index),
        {"sitemaps": sitemaps, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-news.xml",
        cache_public(SITEMAP_CACHE_SECONDS)(sitemap_views.sitemap),
        {
            "sitemaps": {"news": news_sitemaps.NewsSitemap},
            "template_name": "sitemaps/news.xml",
        },
        name="sitemap-news",
    ),
    path(
        "sitemap-<section>.xml",
        cache_public(SITEMAP_CACHE_SECONDS)(sitemap_views.sitemap),
        {"sitemaps": sitemaps},
        name="sitemap-section",
    ),
    # 我的通知: the signed-in staff user's own 三审 mails (news.admin_notify).
    path(
        "admin/my-notifications/",
        admin.site.admin_view(admin_notify.my_notifications_view),
        name="my-notifications",
    ),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("yantai.api_urls", namespace="api")),
    path("api/schema/", SchemaView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        # The split view serves its start-up script as a file: no inline script (CSP).
        SpectacularSwaggerSplitView.as_view(url_name="api-schema"),
        name="api-docs",
    ),
    # The Chinese noscript stylesheet of 字号/关怀版 at one address for every page.
    path("reading.css", news_views.reading_stylesheet, name="reading-css"),
]
# The public site: Chinese at /…, English at /en/… (the language is in the URL, not a
# cookie, so each URL is one page for every reader; yantai.httpcache).
urlpatterns += i18n_patterns(
    path("quality/", include("quality.urls")),
    path("", include("news.urls")),
    prefix_default_language=False,
)

handler404 = "news.views.page_not_found"
# The default 500 handler renders templates/500.html with no context and no database.
handler500 = "django.views.defaults.server_error"

if settings.SERVE_MEDIA:
    # Small deployments serve uploads from Django; larger ones let the web server do it.
    urlpatterns += [
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})
    ]
