from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkdaysConfig(AppConfig):
    name = "aduan.workdays"
    label = "workdays"
    verbose_name = _("Hari kerja")

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the cache invalidation receivers)
