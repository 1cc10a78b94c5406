"""Forms of the account pages: login (with lockout), the second factor, registration,
password change and reset. Labels are Indonesian msgids; the browser tests rely on "Nama pengguna",
"Kata sandi" and the button "Masuk", so keep them stable."""

import math

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.forms import PasswordChangeForm as DjangoPasswordChangeForm
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aduan.core.addresses import client_address

from .identity import clean_email, clean_phone
from .models import LoginFailure, Reporter, Role, User


def client_ip(request) -> str | None:
    """The client's address (`aduan.core.addresses.client_address`, which honours
    TRUSTED_PROXIES)."""
    return client_address(request)


# A browser that signed in to an account before carries this cookie (signed, naming the
# account only by its keyed hash): failures on the username from elsewhere never keep
# it out (`LoginFailure.locked_until`).
KNOWN_DEVICE_COOKIE = "aduan_perangkat"
KNOWN_DEVICE_SALT = "aduan.accounts.known-device"
KNOWN_DEVICE_MAX_AGE = 365 * 24 * 3600


def is_known_device(request, username: str) -> bool:
    raw = request.COOKIES.get(KNOWN_DEVICE_COOKIE)
    if not raw:
        return False
    try:
        hashes = signing.loads(raw, salt=KNOWN_DEVICE_SALT, max_age=KNOWN_DEVICE_MAX_AGE)
    except signing.BadSignature:
        return False
    return isinstance(hashes, list) and LoginFailure.hash_username(username) in hashes


def remember_device(request, response, username: str) -> None:
    """Mark this browser as one the account signed in from (a few accounts per browser)."""
    try:
        hashes = signing.loads(
            request.COOKIES.get(KNOWN_DEVICE_COOKIE, ""),
            salt=KNOWN_DEVICE_SALT,
            max_age=KNOWN_DEVICE_MAX_AGE,
        )
    except signing.BadSignature:
        hashes = []
    if not isinstance(hashes, list):
        hashes = []
    mine = LoginFailure.hash_username(username)
    hashes = [mine] + [h for h in hashes if h != mine][:4]
    response.set_cookie(
        KNOWN_DEVICE_COOKIE,
        signing.dumps(hashes, salt=KNOWN_DEVICE_SALT),
        max_age=KNOWN_DEVICE_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def lockout_message(until) -> str:
    minutes = max(1, math.ceil((until - timezone.now()).total_seconds() / 60))
    return _(
        "Terlalu banyak percobaan masuk yang gagal. Demi keamanan, coba lagi dalam "
        "%(minutes)d menit."
    ) % {"minutes": minutes}


class LoginForm(forms.Form):
    """Username and password, refused while the login throttle makes this username or
    this address wait (growing delays, `LoginFailure.locked_until`).

    Failures are counted per typed username whether or not the account exists, and the
    same messages are shown either way, so the form never reveals which usernames exist."""

    username = forms.CharField(
        label=_("Nama pengguna"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("Kata sandi"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, request, *args, **kwargs):
        self.request = request
        self.user = None
        self.locked = False
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        username = (cleaned.get("username") or "").strip()
        password = cleaned.get("password")
        if not username or not password:
            return cleaned
        ip = client_ip(self.request)
        now = timezone.now()
        known = is_known_device(self.request, username)
        until = LoginFailure.locked_until(username, ip, now, known_device=known)
        if until is not None:
            # Refused without checking (or counting) the password: a guess made while
            # waiting tells nothing and does not make the wait longer.
            self.locked = True
            raise forms.ValidationError(lockout_message(until), code="locked")
        user = authenticate(self.request, username=username, password=password)
        if user is None:
            LoginFailure.record(username, ip, now)
            until = LoginFailure.locked_until(username, ip, now, known_device=known)
            if until is not None:
                self.locked = True
                raise forms.ValidationError(lockout_message(until), code="locked")
            raise forms.ValidationError(
                _("Nama pengguna atau kata sandi salah."), code="invalid_login"
            )
        self.user = user
        return cleaned


class OTPForm(forms.Form):
    code = forms.CharField(
        label=_("Kode autentikator"),
        max_length=12,
        help_text=_("Enam angka dari aplikasi autentikator di ponsel Anda."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"}
        ),
    )

    def __init__(self, *args, device=None, **kwargs):
        self.device = device
        super().__init__(*args, **kwargs)

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not code.isdigit():
            raise forms.ValidationError(_("Kode hanya berisi angka."), code="invalid")
        if self.device is None or not self.device.verify_token(code):
            raise forms.ValidationError(
                _("Kode salah atau sudah kedaluwarsa. Coba kode terbaru."), code="wrong_code"
            )
        return code


class ContactChoiceForm(forms.Form):
    """One contact: an e-mail address or a mobile number (one code goes to one address).
    Used wherever a contact is proved or named: registration, password reset, the secret
    link sent again, a guest's own reports."""

    email = forms.CharField(
        label=_("Surel"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Nomor HP"),
        help_text=_("Untuk SMS, mis. 0812 3456 7890."),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )

    def clean_email(self):
        return clean_email(self.cleaned_data["email"])

    def clean_phone(self):
        return clean_phone(self.cleaned_data["phone"])

    def clean(self):
        cleaned = super().clean()
        email, phone = cleaned.get("email"), cleaned.get("phone")
        if self.errors.get("email") or self.errors.get("phone"):
            return cleaned
        if not email and not phone:
            self.add_error("email", _("Isi surel atau nomor telepon."))
        elif email and phone:
            self.add_error(
                "phone",
                _("Isi salah satu saja: kode dikirim ke satu alamat, surel atau nomor HP."),
            )
        return cleaned

    def contact(self):
        from aduan.notifications.models import NotificationChannel
        from aduan.portal.verification import Contact

        if self.cleaned_data.get("email"):
            return Contact(NotificationChannel.EMAIL, self.cleaned_data["email"])
        return Contact(NotificationChannel.SMS, self.cleaned_data["phone"])


class RegistrationForm(ContactChoiceForm):
    """A citizen account: username, name, an e-mail address or a phone number, password.
    The account is created only once the contact is proved with a code
    (`views.register_verify_view`); the name and contact are then stored encrypted on
    the Reporter, not on the User row."""

    username = forms.CharField(
        label=_("Nama pengguna"),
        max_length=150,
        help_text=_("Huruf, angka, dan @ . + - _ saja."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    name = forms.CharField(
        label=_("Nama lengkap"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password1 = forms.CharField(
        label=_("Kata sandi baru"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Minimal 10 karakter; jangan hanya angka atau kata yang umum."),
    )
    password2 = forms.CharField(
        label=_("Ulangi kata sandi"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_username(self):
        username = User.normalize_username(self.cleaned_data["username"].strip())
        User.username_validator(username)
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(
                _("Nama pengguna ini sudah dipakai. Pilih yang lain."), code="taken"
            )
        return username

    field_order = ["username", "name", "email", "phone", "password1", "password2"]

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("Kedua kata sandi tidak sama."))
        elif p1:
            candidate = User(
                username=cleaned.get("username") or "", first_name=cleaned.get("name") or ""
            )
            try:
                password_validation.validate_password(p1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


@transaction.atomic
def create_citizen_account(username: str, password_hash: str, verification) -> User | None:
    """The account of a registration whose contact `verification` was just proved: the
    user, and the reporter record with the name and the verified contact. None when the
    username was taken meanwhile (the unique index decides, not an earlier check)."""
    from django.db import IntegrityError

    from aduan.notifications.models import NotificationChannel

    if User.objects.filter(username__iexact=username).exists():
        return None
    user = User(username=username, role=Role.CITIZEN, password=password_hash)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        return None
    by_email = verification.channel == NotificationChannel.EMAIL
    Reporter.objects.create(
        user=user,
        name=verification.name,
        email=verification.address if by_email else "",
        phone="" if by_email else verification.address,
        contact_verified_at=verification.verified_at,
    )
    return user


class NewPasswordForm(forms.Form):
    """The new password after a reset; with a choice of account when the proved phone
    number belongs to several (the person proved the number, so may see their names)."""

    account = forms.ChoiceField(label=_("Akun"), required=False)
    password1 = forms.CharField(
        label=_("Kata sandi baru"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Minimal 10 karakter; jangan hanya angka atau kata yang umum."),
    )
    password2 = forms.CharField(
        label=_("Ulangi kata sandi baru"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, users, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.users = {str(user.pk): user for user in users}
        if len(self.users) > 1:
            self.fields["account"].required = True
            self.fields["account"].choices = [("", _("— Pilih akun —"))] + [
                (pk, user.username) for pk, user in self.users.items()
            ]
        else:
            del self.fields["account"]

    @property
    def user(self) -> User | None:
        if len(self.users) == 1:
            return next(iter(self.users.values()))
        return self.users.get(self.cleaned_data.get("account") or "")

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("Kedua kata sandi tidak sama."))
        elif p1 and self.user is not None:
            try:
                password_validation.validate_password(p1, self.user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned

    def save(self) -> User:
        user = self.user
        user.set_password(self.cleaned_data["password1"])
        user.save(update_fields=["password"])
        return user


class PasswordChangeForm(DjangoPasswordChangeForm):
    """Django's form with the project's Indonesian labels."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("Kata sandi saat ini")
        self.fields["new_password1"].label = _("Kata sandi baru")
        self.fields["new_password1"].help_text = _(
            "Minimal 10 karakter; jangan hanya angka atau kata yang umum."
        )
        self.fields["new_password2"].label = _("Ulangi kata sandi baru")
