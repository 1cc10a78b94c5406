from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_search_index(sender, using, **kwargs):
    from django.db import connections

    from . import search

    search.ensure_index(connections[using])


class ReportsConfig(AppConfig):
    name = "aduan.reports"
    label = "reports"

    def ready(self):
        post_migrate.connect(_ensure_search_index, sender=self)
