from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "aduan.core"
    label = "core"

    def ready(self):
        from django.conf import settings
        from django.core.signals import request_finished, request_started
        from django_tasks.signals import task_started
        from PIL import Image

        from aduan.categories.models import Category
        from aduan.regions.models import Region

        from . import checks, language, refcache, uploads  # noqa: F401 - checks register

        refcache.connect(Category, Region)
        language.connect()
        # Each web request and each background task reads the reference version afresh
        # (once, at its first lookup), so it sees every change committed before it began.
        request_started.connect(refcache.refresh, dispatch_uid="refcache-request")
        task_started.connect(refcache.refresh, dispatch_uid="refcache-task")
        # One pixel budget for all the images of a request (uploads.py); Pillow's own
        # ceiling follows the per-image limit for every image opened anywhere.
        request_started.connect(uploads.request_pixel_budget, dispatch_uid="upload-budget")
        request_finished.connect(uploads.end_request_pixel_budget, dispatch_uid="upload-budget")
        Image.MAX_IMAGE_PIXELS = getattr(
            settings, "ATTACHMENT_MAX_PIXELS", uploads.DEFAULT_MAX_PIXELS
        )
