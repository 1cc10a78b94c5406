from django.contrib import admin
from django.urls import path

from aduan.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="core-healthz"),
    path("admin/", admin.site.urls),
]
