"""Account pages: login (password, then the authenticator code for staff who set one up),
logout, citizen registration, password change and the staff security page (TOTP)."""

import datetime as dt
from base64 import b32encode

import qrcode
import qrcode.image.svg
from cryptography.fernet import InvalidToken
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.hashers import make_password
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_decode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from aduan.notifications.models import NotificationChannel
from aduan.portal import verification
from aduan.portal.codestep import code_step, intro_text
from aduan.portal.models import Purpose

from . import recovery
from .crypto import decrypt, encrypt
from .forms import (
    ContactChoiceForm,
    LoginForm,
    NewPasswordForm,
    OTPForm,
    PasswordChangeForm,
    RegistrationForm,
    client_ip,
    create_citizen_account,
    is_known_device,
    lockout_message,
    remember_device,
)
from .middleware import CONFIRMED_KEY, second_factor_required
from .models import LoginFailure, User

# Between the password and the authenticator code the user is not logged in yet; the
# session only remembers who passed the first step, for a few minutes.
OTP_PENDING_KEY = "accounts_otp_pending"
OTP_PENDING_SECONDS = 300
# Between the registration form and its code: the username, the password's hash, the
# verification that the code belongs to.
REGISTRATION_PENDING_KEY = "accounts_registration_pending"


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
        LoginFailure.clear(form.cleaned_data["username"], client_ip(request))
        auth_login(request, user)  # rotates the session key
        response = redirect(_landing(user, next_url))
        remember_device(request, response, user.username)
        return response
    status = 200 if request.method == "GET" else (429 if form.locked else 400)
    return render(request, "accounts/login.html", {"form": form, "next": next_url}, status=status)


@never_cache
def admin_login_view(request):
    """Where the admin sends whoever it does not let in. Someone not signed in goes to
    our login (throttle and second factor); someone signed in whose account may not use
    the admin is told so, instead of being sent to a login page that sends a signed-in
    person straight back to the admin (a redirect loop)."""
    from django.contrib import admin

    if not request.user.is_authenticated:
        target = resolve_url("accounts:login")
        query = request.META.get("QUERY_STRING", "")
        return HttpResponseRedirect(f"{target}?{query}" if query else target)
    if admin.site.has_permission(request):
        return redirect("admin:index")
    context = {"landing": _landing(request.user)}
    return render(request, "accounts/admin_refused.html", context, status=403)


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
        known = is_known_device(request, user.username)
        until = LoginFailure.locked_until(user.username, ip, now, known_device=known)
        if until is not None:
            request.session.pop(OTP_PENDING_KEY, None)
            messages.error(request, lockout_message(until))
            return redirect("accounts:login")
        if form.is_valid():
            request.session.pop(OTP_PENDING_KEY, None)
            LoginFailure.clear(user.username, ip)
            auth_login(request, user)
            response = redirect(_landing(user, pending.get("next", "")))
            remember_device(request, response, user.username)
            return response
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
    """Step one of registration: the form. Nothing is created yet; a code goes to the
    e-mail address or phone number, and the account exists once it is typed
    (`register_verify_view`), so every account starts with a proved contact."""
    if request.user.is_authenticated:
        return redirect(_landing(request.user))
    form = RegistrationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "accounts/register.html", {"form": form}, status=400)
        contact = form.contact()
        if not recovery.throttle("register", contact.address, client_ip(request)):
            form.add_error(None, recovery.too_many_requests())
            return render(request, "accounts/register.html", {"form": form}, status=429)
        try:
            record = verification.start_verification(
                contact,
                name=form.cleaned_data["name"].strip(),
                purpose=Purpose.REGISTRATION,
                requester=verification.requester_of(request),
            )
        except verification.VerificationError as exc:
            form.add_error(None, str(exc))
            return render(request, "accounts/register.html", {"form": form}, status=429)
        request.session[REGISTRATION_PENDING_KEY] = {
            "verification": str(record.uuid),
            "username": form.cleaned_data["username"],
            # The password's hash, never the password, and encrypted like personal data.
            "password": encrypt(make_password(form.cleaned_data["password1"])),
        }
        return redirect("accounts:register-verify")
    return render(request, "accounts/register.html", {"form": form})


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def register_verify_view(request):
    """Step two: the code. A right code creates the account and signs it in."""
    pending = request.session.get(REGISTRATION_PENDING_KEY) or {}
    record = verification.ContactVerification.objects.filter(
        uuid=pending.get("verification") or None, purpose=Purpose.REGISTRATION
    ).first()
    if record is None or request.user.is_authenticated:
        request.session.pop(REGISTRATION_PENDING_KEY, None)
        return redirect("accounts:register")

    def create(verified):
        try:
            password_hash = decrypt(pending["password"])
        except (InvalidToken, KeyError, ValueError):
            request.session.pop(REGISTRATION_PENDING_KEY, None)
            return redirect("accounts:register")
        user = create_citizen_account(pending.get("username", ""), password_hash, verified)
        request.session.pop(REGISTRATION_PENDING_KEY, None)
        if user is None:
            messages.error(
                request,
                _("Nama pengguna ini baru saja dipakai orang lain. Daftar lagi dengan nama lain."),
            )
            return redirect("accounts:register")
        auth_login(request, user)
        messages.success(
            request, _("Akun Anda sudah dibuat dan kontak Anda terverifikasi. Selamat datang!")
        )
        return redirect(resolve_url(settings.LOGIN_REDIRECT_URL))

    return code_step(
        request,
        record,
        title=_("Verifikasi kontak Anda"),
        intro=intro_text(
            record,
            sms=_(
                "Kami mengirim kode 6 angka lewat SMS ke {address} untuk menyelesaikan pendaftaran."
            ),
            email=_(
                "Kami mengirim kode 6 angka ke surel {address} untuk menyelesaikan pendaftaran. "
                "Periksa juga folder spam."
            ),
        ),
        on_verified=create,
        back_url=resolve_url("accounts:register"),
        back_label=_("Ubah data pendaftaran"),
    )


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
                    request.session[CONFIRMED_KEY] = True
                    messages.success(
                        request,
                        _(
                            "Verifikasi dua langkah aktif. Setiap kali masuk, Anda akan diminta kode."
                        ),
                    )
                elif action == "disable" and device is not None:
                    if second_factor_required(user):
                        messages.error(
                            request,
                            _(
                                "Peran Anda wajib memakai verifikasi dua langkah; aplikasi "
                                "autentikator hanya dapat diganti, tidak dimatikan."
                            ),
                        )
                        return redirect("accounts:security")
                    device.delete()
                    request.session.pop(CONFIRMED_KEY, None)
                    messages.success(request, _("Verifikasi dua langkah dinonaktifkan."))
                return redirect("accounts:security")
            status = 400
        else:
            return HttpResponseRedirect(resolve_url("accounts:security"))
    context = {
        "device": device,
        "pending": pending,
        "form": form,
        "required": second_factor_required(user),
    }
    if pending is not None:
        context["qr_svg"] = mark_safe(_qr_svg(pending.config_url))  # noqa: S308 (our own SVG)
        # The same secret as in the QR code, for typing into the app by hand.
        key = b32encode(pending.bin_key).decode("ascii")
        context["secret_groups"] = " ".join(key[i : i + 4] for i in range(0, len(key), 4))
    return render(request, "accounts/security.html", context, status=status)


# -- password reset -------------------------------------------------------------------------

# SMS: the verification whose code the person is asked for.
RESET_PENDING_KEY = "accounts_reset_pending"
# After the proof (the e-mail's link or the SMS code): which accounts may get a new password,
# for a few minutes; the link's token too, checked again when the password is set.
RESET_GRANT_KEY = "accounts_reset_grant"
RESET_GRANT_SECONDS = 900


@csrf_protect
@never_cache
def password_reset_view(request):
    """'Lupa kata sandi': an e-mail address (a link is sent) or a phone number (a code is
    sent). The answer is the same whether or not an account has that address."""
    if request.user.is_authenticated:
        return redirect("accounts:password-change")
    form = ContactChoiceForm(request.POST if request.method == "POST" else None)
    if request.method != "POST":
        return render(request, "accounts/password_reset.html", {"form": form})
    if not form.is_valid():
        return render(request, "accounts/password_reset.html", {"form": form}, status=400)
    contact = form.contact()
    if not recovery.throttle("password", contact.address.lower(), client_ip(request)):
        form.add_error(None, recovery.too_many_requests())
        return render(request, "accounts/password_reset.html", {"form": form}, status=429)
    if contact.channel == NotificationChannel.EMAIL:
        recovery.send_reset_links(contact.address)
        return redirect("accounts:password-reset-sent")
    has_account = recovery.accounts_with_phone(contact.address).exists()
    try:
        record = verification.start_verification(
            contact,
            purpose=Purpose.PASSWORD_RESET,
            send=has_account,
            requester=verification.requester_of(request),
        )
    except verification.VerificationError as exc:
        form.add_error(None, str(exc))
        return render(request, "accounts/password_reset.html", {"form": form}, status=429)
    request.session[RESET_PENDING_KEY] = str(record.uuid)
    return redirect("accounts:password-reset-code")


def password_reset_sent_view(request):
    minutes = int(recovery.RESET_LINK_LIFETIME.total_seconds() // 60)
    return render(request, "accounts/password_reset_sent.html", {"minutes": minutes})


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def password_reset_code_view(request):
    record = verification.ContactVerification.objects.filter(
        uuid=request.session.get(RESET_PENDING_KEY) or None, purpose=Purpose.PASSWORD_RESET
    ).first()
    if record is None:
        return redirect("accounts:password-reset")

    def grant(verified):
        users = list(recovery.accounts_with_phone(verified.address).values_list("pk", flat=True))
        request.session.pop(RESET_PENDING_KEY, None)
        _grant_reset(request, users)
        return redirect("accounts:password-reset-new")

    return code_step(
        request,
        record,
        title=_("Masukkan kode dari SMS"),
        intro=intro_text(
            record,
            sms=_(
                "Jika nomor {address} terdaftar pada akun Aduan, kami sudah mengirim kode 6 "
                "angka lewat SMS ke nomor itu."
            ),
            email=_(
                "Jika surel {address} terdaftar pada akun Aduan, kami sudah mengirim kode 6 "
                "angka ke surel itu."
            ),
        ),
        on_verified=grant,
        back_url=resolve_url("accounts:password-reset"),
        back_label=_("Pakai surel atau nomor lain"),
    )


def _grant_reset(request, user_ids: list[int], token: str = "") -> None:
    request.session[RESET_GRANT_KEY] = {
        "users": user_ids,
        "token": token,
        "at": timezone.now().isoformat(),
    }


def _reset_grant(request) -> tuple[list[User], str]:
    """The accounts this session may set a new password for, and the link's token."""
    grant = request.session.get(RESET_GRANT_KEY) or {}
    try:
        started = dt.datetime.fromisoformat(grant["at"])
        ids = [int(pk) for pk in grant["users"]]
    except (KeyError, ValueError, TypeError):
        return [], ""
    if (timezone.now() - started).total_seconds() > RESET_GRANT_SECONDS:
        return [], ""
    users = list(recovery.resettable(User.objects.filter(pk__in=ids)))
    token = grant.get("token") or ""
    if token and not all(recovery.reset_tokens.check_token(user, token) for user in users):
        return [], ""
    return users, token


@never_cache
def password_reset_link_view(request, uidb64, token):
    """The link from the e-mail. The token moves into the session and out of the address
    bar (browser history, the Referer of the next page)."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (ValueError, TypeError, OverflowError):
        pk = None
    user = recovery.resettable(User.objects.filter(pk=pk)).first() if pk else None
    if user is None or not recovery.reset_tokens.check_token(user, token):
        return render(request, "accounts/password_reset_invalid.html", status=400)
    _grant_reset(request, [user.pk], token)
    return redirect("accounts:password-reset-new")


@sensitive_post_parameters("password1", "password2")
@csrf_protect
@never_cache
def password_reset_new_view(request):
    """The new password. Then a citizen, or staff without an authenticator app, is signed
    in; staff with one type its code first, as at every sign-in."""
    users, _token = _reset_grant(request)
    if not users:
        request.session.pop(RESET_GRANT_KEY, None)
        messages.error(
            request, _("Waktu untuk mengganti kata sandi sudah habis. Silakan minta lagi.")
        )
        return redirect("accounts:password-reset")
    form = NewPasswordForm(users, request.POST if request.method == "POST" else None)
    if request.method != "POST":
        return render(request, "accounts/password_reset_new.html", {"form": form})
    if not form.is_valid():
        return render(request, "accounts/password_reset_new.html", {"form": form}, status=400)
    user = form.save()  # the new hash ends every session of the account, and the token
    request.session.pop(RESET_GRANT_KEY, None)
    if user.is_staff_role and confirmed_device(user) is not None:
        request.session[OTP_PENDING_KEY] = {
            "user": user.pk,
            "at": timezone.now().isoformat(),
            "next": "",
        }
        messages.success(
            request,
            _("Kata sandi Anda sudah diganti. Masukkan kode dari aplikasi autentikator."),
        )
        return redirect("accounts:login-otp")
    LoginFailure.clear(user.username)
    auth_login(request, user)
    messages.success(request, _("Kata sandi Anda sudah diganti. Anda sudah masuk."))
    return redirect(_landing(user))
