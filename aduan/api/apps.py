from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_save


def _service_account_saved(sender, instance, update_fields=None, **kwargs):
    """A deactivated (or reactivated) service account: the keys each process remembers
    carry the account, so publish a new reference version and every process reads the
    key and its account again on its next request. A sign-in (which saves only
    `last_login`) costs nothing."""
    from aduan.core import refcache

    from .models import ApiKey

    if update_fields is not None and "is_active" not in update_fields:
        return
    if ApiKey.objects.filter(user_id=instance.pk).exists():
        refcache.bump()


class ApiConfig(AppConfig):
    name = "aduan.api"
    label = "api"

    def ready(self):
        from aduan.core import refcache

        from .models import ApiKey

        # An admin revoking or editing a key: every process forgets the keys it remembers.
        refcache.connect(ApiKey)
        post_save.connect(
            _service_account_saved,
            sender=settings.AUTH_USER_MODEL,
            dispatch_uid="api-service-account-saved",
        )
