from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "aduan.core"
    label = "core"

    def ready(self):
        from django.core.signals import request_started
        from django_tasks.signals import task_started

        from aduan.categories.models import Category
        from aduan.regions.models import Region

        from . import language, refcache

        refcache.connect(Category, Region)
        language.connect()
        # Each web request and each background task reads the reference version afresh
        # (once, at its first lookup), so it sees every change committed before it began.
        request_started.connect(refcache.refresh, dispatch_uid="refcache-request")
        task_started.connect(refcache.refresh, dispatch_uid="refcache-task")
