"""Account pages: login (password, then the authenticator code for staff who set one up),
logout, citizen registration, password change and the staff security page (TOTP)."""

import datetime as dt
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from .forms import (
    LoginForm,
    OTPForm,
    PasswordChangeForm,
    RegistrationForm,
    client_ip,
    lockout_message,
)
from .models import LoginFailure, User

# Between the password and the authenticator code the user is not logged in yet; the
# session only remembers who passed the first step, for a few minutes.
OTP_PENDING_KEY = "accounts_otp_pending"
OTP_PENDING_SECONDS = 300


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def _landing(user: User, next_url: str = "") -> str:
    if next_url:
        return next_url
    if user.is_staff_role:
        return resolve_url("workspace:inbox")
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def confirmed_device(user: User) -> TOTPDevice | None:
    """The staff member's authenticator app, once set up; a device counts only once confirmed,
    i.e. after its owner typed a correct code during setup."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request):
    if request.user.is_authenticated and request.method == "GET":
        return redirect(_landing(request.user, _safe_next(request)))
    next_url = _safe_next(request)
    form = LoginForm(request, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = form.user
        if user.is_staff_role and confirmed_device(user) is not None:
            request.session[OTP_PENDING_KEY] = {
                "user": user.pk,
                "at": timezone.now().isoformat(),
                "next": next_url,
            }
            return redirect("accounts:login-otp")
        LoginFailure.clear(form.cleaned_data["username"])
        auth_login(request, user)  # rotates the session key
        return redirect(_landing(user, next_url))
    status = 200 if request.method == "GET" else (429 if form.locked else 400)
    return render(request, "accounts/login.html", {"form": form, "next": next_url}, status=status)


def _pending_user(request) -> tuple[User | None, dict]:
    pending = request.session.get(OTP_PENDING_KEY) or {}
    try:
        started = dt.datetime.fromisoformat(pending["at"])
        user = User.objects.get(pk=pending["user"], is_active=True)
    except (KeyError, ValueError, TypeError, User.DoesNotExist):
        return None, {}
    if (timezone.now() - started).total_seconds() > OTP_PENDING_SECONDS:
        return None, {}
    return user, pending


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def login_otp_view(request):
    """Second step for staff with a confirmed authenticator: the 6-digit code."""
    user, pending = _pending_user(request)
    if user is None:
        request.session.pop(OTP_PENDING_KEY, None)
        messages.error(request, _("Sesi masuk berakhir. Silakan masuk lagi."))
        return redirect("accounts:login")
    device = confirmed_device(user)
    if device is None:
        request.session.pop(OTP_PENDING_KEY, None)
        return redirect("accounts:login")
    form = OTPForm(request.POST if request.method == "POST" else None, device=device)
    status = 200
    if request.method == "POST":
        now = timezone.now()
        ip = client_ip(request)
        until = LoginFailure.locked_until(user.username, ip, now)
        if until is not None:
            request.session.pop(OTP_PENDING_KEY, None)
            messages.error(request, lockout_message(until))
            return redirect("accounts:login")
        if form.is_valid():
            request.session.pop(OTP_PENDING_KEY, None)
            LoginFailure.clear(user.username)
            auth_login(request, user)
            return redirect(_landing(user, pending.get("next", "")))
        # A wrong code counts towards the same lockout as a wrong password.
        LoginFailure.record(user.username, ip, now)
        status = 400
    return render(request, "accounts/login_otp.html", {"form": form}, status=status)


@require_POST
def logout_view(request):
    auth_logout(request)
    messages.success(request, _("Anda sudah keluar."))
    return redirect("accounts:login")


@sensitive_post_parameters("password1", "password2")
@csrf_protect
@never_cache
def register_view(request):
    if request.user.is_authenticated:
        return redirect(_landing(request.user))
    form = RegistrationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            user = form.save()
            auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Akun Anda sudah dibuat. Selamat datang!"))
            return redirect(resolve_url(settings.LOGIN_REDIRECT_URL))
        return render(request, "accounts/register.html", {"form": form}, status=400)
    return render(request, "accounts/register.html", {"form": form})


@sensitive_post_parameters()
@login_required
@never_cache
def password_change_view(request):
    form = PasswordChangeForm(request.user, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            user = form.save()
            # Keep this session signed in; every other session of the user ends.
            update_session_auth_hash(request, user)
            messages.success(request, _("Kata sandi Anda sudah diganti."))
            return redirect("accounts:password-change")
        return render(request, "accounts/password_change.html", {"form": form}, status=400)
    return render(request, "accounts/password_change.html", {"form": form})


def _qr_svg(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    return image.to_string(encoding="unicode")


@sensitive_post_parameters("code")
@login_required
@never_cache
def security_view(request):
    """Set up, confirm or remove the authenticator app (staff only)."""
    user = request.user
    if not user.is_staff_role:
        raise Http404
    device = confirmed_device(user)
    pending = None if device else TOTPDevice.objects.filter(user=user).first()
    form = OTPForm(device=device or pending)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "start" and device is None:
            TOTPDevice.objects.filter(user=user).delete()
            TOTPDevice.objects.create(user=user, name=_("Aplikasi autentikator"), confirmed=False)
            return redirect("accounts:security")
        if action in ("confirm", "disable") and (device or pending):
            form = OTPForm(request.POST, device=device or pending)
            if form.is_valid():
                if action == "confirm" and pending is not None:
                    pending.confirmed = True
                    pending.save(update_fields=["confirmed"])
                    messages.success(
                        request,
                        _(
                            "Verifikasi dua langkah aktif. Setiap kali masuk, Anda akan diminta kode."
                        ),
                    )
                elif action == "disable" and device is not None:
                    device.delete()
                    messages.success(request, _("Verifikasi dua langkah dinonaktifkan."))
                return redirect("accounts:security")
            status = 400
        else:
            return HttpResponseRedirect(resolve_url("accounts:security"))
    context = {"device": device, "pending": pending, "form": form}
    if pending is not None:
        context["qr_svg"] = mark_safe(_qr_svg(pending.config_url))  # noqa: S308 (our own SVG)
        # The same secret as in the QR code, for typing into the app by hand.
        key = b32encode(pending.bin_key).decode("ascii")
        context["secret_groups"] = " ".join(key[i : i + 4] for i in range(0, len(key), 4))
    return render(request, "accounts/security.html", context, status=status)
