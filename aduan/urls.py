from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from aduan.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="core-healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    # The admin signs in through our login (lockout and second factor), never its own form.
    path("admin/login/", RedirectView.as_view(pattern_name="accounts:login", query_string=True)),
    path("admin/", admin.site.urls),
    path("api/v1/", include("aduan.api.urls")),
    path("open311/", include("aduan.open311.urls")),
    path("federation/v1/", include("aduan.federation.urls")),
    path("akun/", include("aduan.accounts.urls")),
    path("petugas/", include("aduan.workspace.urls")),
    path("statistik/", include("aduan.stats.urls")),
    path("", include("aduan.portal.urls")),
]
