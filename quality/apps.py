from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "quality"
    verbose_name = _("质量数据")

    def ready(self):
        from news.extensions import register_figure_marks

        from . import signals  # noqa: F401  figure marks of article pages
        from .figure_links import cached_marks

        # news never imports quality: it reads an article's figures (API, page
        # cache) through this hook.
        register_figure_marks(cached_marks)
