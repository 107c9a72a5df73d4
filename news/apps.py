from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "news"
    verbose_name = _("新闻")

    def ready(self):
        from . import signals  # noqa: F401  (connects the receivers)
