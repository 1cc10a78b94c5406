from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "aduan.api"
    label = "api"

    def ready(self):
        from aduan.core import refcache

        from .models import ApiKey

        # An admin revoking or editing a key: every process forgets the keys it remembers.
        refcache.connect(ApiKey)
