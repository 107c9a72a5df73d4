from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "quality"
    verbose_name = _("质量数据")

    def ready(self):
        # Figure marks of article pages, written with the change that causes them
        # into news' ArticleFigures (news never imports quality).
        from news import frontcache as news_frontcache

        from . import frontcache, signals  # noqa: F401

        # The data pages citing an article, refreshed in nginx and purged from the
        # CDNs with the article's own pages (news never imports quality).
        news_frontcache.add_article_pages(frontcache.article_pages)
