from django.apps import AppConfig


class QualityConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "quality"

    def ready(self):
        from . import signals  # noqa: F401  figure marks of article pages
