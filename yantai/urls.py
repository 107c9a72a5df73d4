from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from . import views

admin.site.site_header = "品质烟台 · 内容管理"
admin.site.site_title = "品质烟台"
admin.site.index_title = "内容管理"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("news.urls")),
]

if settings.SERVE_MEDIA:
    # Small deployments serve uploads from Django; larger ones let the web server do it.
    urlpatterns += [
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})
    ]
