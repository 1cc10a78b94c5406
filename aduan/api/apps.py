from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "aduan.api"
    label = "api"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from . import keys
        from .models import ApiKey

        # An admin revoking or editing a key: this process forgets it at once.
        post_save.connect(keys.forget_cached_keys, sender=ApiKey, dispatch_uid="apikey-save")
        post_delete.connect(keys.forget_cached_keys, sender=ApiKey, dispatch_uid="apikey-del")
