"""The rules for a reporter's identity and contact details, each written once: the NIK, the
mobile phone number and the e-mail address.

Every channel uses these functions: account registration, the guest contact form, counter
and phone entry in the workspace, the REST API, Open311, and the domain's own check of a
new report (`validate_submission`). Each returns the value in the form that is stored, or
raises a Django ValidationError with a translatable message.
"""

import csv
import re
from functools import cache

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import InvalidComponent, InvalidFormat, InvalidLength
from stdnum.id import nik as stdnum_nik

# ------------------------------------------------------------------------------------ NIK


@cache
def province_codes() -> frozenset[str]:
    """The two-digit codes of today's provinces, from the Kemendagri data the regions are
    loaded from (the file, not the table, so the rule does not depend on loaded data)."""
    from aduan.regions.loading import DEFAULT_DATA_DIR, open_data_file

    with open_data_file(DEFAULT_DATA_DIR, "provinces") as handle:
        return frozenset(row["code"] for row in csv.DictReader(handle))


def clean_nik(value) -> str:
    """The NIK (Nomor Induk Kependudukan) as 16 digits, "" when none is given.

    python-stdnum's `stdnum.id.nik` checks the structure PPKKCC DDMMYY SSSS: 16 digits, a
    real date of birth in digits 7-12 (women's day of birth plus 40) and a known province
    in the first two digits. stdnum's province list predates Kalimantan Utara (65, 2012)
    and the Papua provinces of 2022 (92-96), whose residents' NIKs are as valid as anyone's,
    so a province code from the current Kemendagri list is accepted too. The regency and
    district digits are not checked: a NIK keeps the codes of the place and time it was
    issued, and regencies have been split and renumbered since.
    """
    number = stdnum_nik.compact(str(value or ""))
    if not number:
        return ""
    try:
        return stdnum_nik.validate(number)
    except InvalidLength:  # a subclass of InvalidFormat: first
        raise ValidationError(_("NIK harus 16 digit."), code="invalid_nik") from None
    except InvalidFormat:
        raise ValidationError(_("NIK hanya berisi angka."), code="invalid_nik") from None
    except InvalidComponent:
        pass
    try:
        stdnum_nik.get_birth_date(number)
    except InvalidComponent:
        raise ValidationError(
            _(
                "NIK tidak valid: digit ke-7 sampai ke-12 harus tanggal lahir (HHBBTT; "
                "tanggal ditambah 40 untuk perempuan)."
            ),
            code="invalid_nik",
        ) from None
    if number[:2] in province_codes():
        return number
    raise ValidationError(
        _("NIK tidak valid: dua digit pertama bukan kode provinsi."), code="invalid_nik"
    )


# ---------------------------------------------------------------------------------- phone

# An Indonesian mobile number without its trunk prefix 0: "8", the operator digit (081x,
# 082x, 083x, 085x, 087x, 088x, 089x; 080x are toll-free and premium numbers), then the
# subscriber: 9 to 12 digits in all, 10 to 13 with the leading 0 (the national numbering
# plan, as in libphonenumber's metadata for ID).
MOBILE_NATIONAL = re.compile(r"8[1-35-9]\d{7,10}", re.ASCII)
# Fixed lines: an area code 2x-9x (021 Jakarta, 0549 Sangatta, ...) and the subscriber.
FIXED_NATIONAL = re.compile(r"[2-79]\d{6,10}", re.ASCII)
SEPARATORS = re.compile(r"[\s\-.()/]")

PHONE_INVALID = _("Nomor HP tidak valid. Tulis nomor seluler Indonesia, mis. 0812 3456 7890.")


def clean_phone(value) -> str:
    """An Indonesian mobile number in E.164 form ("+6281234567890"), "" when none is given.

    Accepts what people write: 0812-3456-7890, +62 812 3456 7890, 62812..., 0062812...,
    +62 (0)812..., or 812... without the leading zero. Only mobile numbers are accepted:
    the number is where the reporter's confirmation and updates go by SMS."""
    text = str(value or "").strip()
    if not text:
        return ""
    compact = SEPARATORS.sub("", text)
    if not re.fullmatch(r"\+?\d+", compact, re.ASCII):
        raise ValidationError(PHONE_INVALID, code="invalid_phone")
    if compact.startswith("+"):
        international = compact[1:]
    elif compact.startswith("00"):
        international = compact[2:]
    else:
        international = None
    if international is not None:
        if not international.startswith("62"):
            raise ValidationError(
                _(
                    "Hanya nomor seluler Indonesia (+62) yang dapat menerima SMS dari Aduan; "
                    "tulis nomor HP Indonesia, mis. 0812 3456 7890."
                ),
                code="foreign_phone",
            )
        national = international[2:]
    elif compact.startswith("62"):
        national = compact[2:]
    elif compact.startswith("0"):
        national = compact[1:]
    else:
        national = compact
    # "+62 (0)812...": the trunk zero written after the country code.
    if national.startswith("0"):
        national = national[1:]
    if MOBILE_NATIONAL.fullmatch(national):
        return "+62" + national
    if FIXED_NATIONAL.fullmatch(national):
        raise ValidationError(
            _(
                "Ini nomor telepon rumah atau kantor; SMS hanya dapat dikirim ke nomor HP "
                "(diawali 08), mis. 0812 3456 7890."
            ),
            code="landline_phone",
        )
    raise ValidationError(PHONE_INVALID, code="invalid_phone")


# --------------------------------------------------------------------------------- e-mail

EMAIL_MAX = 254


def clean_email(value) -> str:
    """An e-mail address, trimmed, "" when none is given."""
    email = str(value or "").strip()
    if not email:
        return ""
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(_("Alamat surel tidak valid."), code="invalid_email") from None
    if len(email) > EMAIL_MAX:
        raise ValidationError(_("Alamat surel tidak valid."), code="invalid_email")
    return email
