from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "api"
    verbose_name = _("接口")
    # api.schema (drf-spectacular's extensions) is not imported here: it is
    # DEFAULT_SCHEMA_CLASS's module, imported before any schema is made, and
    # importing it at setup imported DRF in every process (yantai.admin_app).
