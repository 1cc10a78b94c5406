from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FederationConfig(AppConfig):
    name = "aduan.federation"
    label = "federation"
    verbose_name = _("Federasi simpul")
    default_auto_field = "django.db.models.BigAutoField"
