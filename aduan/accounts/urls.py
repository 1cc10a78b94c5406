from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("masuk/", views.login_view, name="login"),
    path("masuk/kode/", views.login_otp_view, name="login-otp"),
    path("keluar/", views.logout_view, name="logout"),
    path("daftar/", views.register_view, name="register"),
    path("kata-sandi/", views.password_change_view, name="password-change"),
    path("keamanan/", views.security_view, name="security"),
]
