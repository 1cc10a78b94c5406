from django.contrib import admin
from django.urls import include, path

from aduan.accounts import views as account_views
from aduan.core import language
from aduan.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="core-healthz"),
    path("favicon.ico", core_views.favicon, name="core-favicon"),
    # The language switch (Django's, plus remembering the choice on the account).
    path("i18n/setlang/", language.set_language, name="set_language"),
    # The admin signs in through our login (throttle and second factor), never its own form;
    # a signed-in account without access to the admin is told so (no redirect loop).
    path("admin/login/", account_views.admin_login_view),
    path("admin/", admin.site.urls),
    path("api/v1/", include("aduan.api.urls")),
    path("open311/", include("aduan.open311.urls")),
    path("federation/v1/", include("aduan.federation.urls")),
    path("channels/", include("aduan.channels.urls")),
    path("akun/", include("aduan.accounts.urls")),
    path("petugas/", include("aduan.workspace.urls")),
    path("statistik/", include("aduan.stats.urls")),
    path("", include("aduan.alerts.urls")),
    path("data-saya/", include("aduan.privacy.urls")),
    # The region picker's search; the portal's region cascade lives under wilayah/ too.
    path("wilayah/", include("aduan.regions.urls")),
    path("", include("aduan.portal.urls")),
]
