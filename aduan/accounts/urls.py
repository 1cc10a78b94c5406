from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("masuk/", views.login_view, name="login"),
    path("masuk/kode/", views.login_otp_view, name="login-otp"),
    path("keluar/", views.logout_view, name="logout"),
    path("daftar/", views.register_view, name="register"),
    path("daftar/kode/", views.register_verify_view, name="register-verify"),
    path("kata-sandi/", views.password_change_view, name="password-change"),
    path("keamanan/", views.security_view, name="security"),
    # Forgotten password: by e-mail (a link) or by SMS (a code).
    path("lupa-sandi/", views.password_reset_view, name="password-reset"),
    path("lupa-sandi/terkirim/", views.password_reset_sent_view, name="password-reset-sent"),
    path("lupa-sandi/kode/", views.password_reset_code_view, name="password-reset-code"),
    path("lupa-sandi/sandi-baru/", views.password_reset_new_view, name="password-reset-new"),
    path(
        "lupa-sandi/<str:uidb64>/<str:token>/",
        views.password_reset_link_view,
        name="password-reset-link",
    ),
]
