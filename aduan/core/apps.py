from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "aduan.core"
    label = "core"

    def ready(self):
        from aduan.categories.models import Category
        from aduan.regions.models import Region

        from . import language, refcache

        refcache.connect(Category, Region)
        language.connect()
