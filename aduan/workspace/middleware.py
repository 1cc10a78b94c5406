"""Staff sessions end after a period of inactivity.

SESSION_COOKIE_AGE bounds a session's total length (8 hours, a working day); a staff
session additionally ends after STAFF_IDLE_TIMEOUT seconds (default 30 minutes) without a
request, so a workstation left signed in at a counter does not expose reporters' personal
data. Citizens are not affected.

Place after AuthenticationMiddleware and MessageMiddleware:
    "aduan.workspace.middleware.StaffIdleTimeoutMiddleware"
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.utils.translation import gettext as _

LAST_SEEN_KEY = "staff_last_seen"
DEFAULT_IDLE_TIMEOUT = 30 * 60
# Write the timestamp at most this often, so not every request saves the session.
TOUCH_INTERVAL = 60


class StaffIdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "is_staff_role", False):
            timeout = getattr(settings, "STAFF_IDLE_TIMEOUT", DEFAULT_IDLE_TIMEOUT)
            now = time.time()
            last_seen = request.session.get(LAST_SEEN_KEY)
            if isinstance(last_seen, int | float) and now - last_seen > timeout:
                logout(request)
                messages.info(
                    request,
                    _(
                        "Sesi Anda berakhir karena tidak aktif selama %(minutes)d menit. Silakan masuk lagi."
                    )
                    % {"minutes": timeout // 60},
                )
                if request.method == "GET":
                    return redirect_to_login(request.get_full_path())
                return redirect(settings.LOGIN_URL)
            if not isinstance(last_seen, int | float) or now - last_seen >= TOUCH_INTERVAL:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)
