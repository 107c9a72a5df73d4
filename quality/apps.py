from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "quality"
    verbose_name = _("质量数据")

    def ready(self):
        # Figure marks of article pages, written with the change that causes them
        # into news' ArticleFigures (news never imports quality).
        from . import signals  # noqa: F401
