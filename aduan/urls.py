from django.contrib import admin
from django.urls import include, path

from aduan.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="core-healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("aduan.api.urls")),
    path("open311/", include("aduan.open311.urls")),
    path("akun/", include("aduan.accounts.urls")),
    path("petugas/", include("aduan.workspace.urls")),
    path("", include("aduan.portal.urls")),
]
