from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "aduan.regions"
    label = "regions"

    def ready(self):
        from django.db.models.signals import post_save

        from .models import Region
        from .search import rebuild_tokens

        def region_saved(sender, instance, **kwargs):
            # A region added or renamed in the admin is found by its new name at once.
            rebuild_tokens([instance.code])

        post_save.connect(region_saved, sender=Region, dispatch_uid="regions-search-tokens")
