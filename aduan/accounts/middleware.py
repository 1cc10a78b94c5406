"""Two-step verification required for some staff roles (`TWO_FACTOR_REQUIRED_ROLES`; in
production the national and agency admins by default): a member of such a role without a
confirmed authenticator app is sent to set one up before any other page. Place after
AuthenticationMiddleware and MessageMiddleware."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

# Set in the session once the account is known to have a confirmed device: one query per
# session rather than per request. The security page drops it when the device goes.
CONFIRMED_KEY = "second_factor_ok"


def second_factor_required(user) -> bool:
    return getattr(user, "is_staff_role", False) and user.role in set(
        settings.TWO_FACTOR_REQUIRED_ROLES
    )


class RequireSecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and second_factor_required(user)
            and not request.session.get(CONFIRMED_KEY)
        ):
            from .views import confirmed_device

            if confirmed_device(user) is not None:
                request.session[CONFIRMED_KEY] = True
            elif not self._allowed(request.path):
                messages.warning(
                    request,
                    _(
                        "Peran Anda wajib memakai verifikasi dua langkah. Pasang aplikasi "
                        "autentikator dulu; setelah itu semua halaman petugas terbuka."
                    ),
                )
                return redirect("accounts:security")
        return self.get_response(request)

    @staticmethod
    def _allowed(path: str) -> bool:
        open_paths = (
            reverse("accounts:security"),
            reverse("accounts:logout"),
            reverse("set_language"),
            settings.STATIC_URL,
            "/healthz",
        )
        return path.startswith(open_paths)
