"""The NIK, phone and e-mail rules that every channel shares, and how stored phone numbers
are found again."""

import pytest
from django.core.exceptions import ValidationError

from aduan.accounts.crypto import lookup_hash
from aduan.accounts.identity import clean_email, clean_nik, clean_phone
from aduan.accounts.models import Reporter, normalise_phone
from aduan.core.i18n import in_both
from aduan.notifications.models import NotificationChannel
from aduan.portal.verification import normalise_address


def refusal(rule, value) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        rule(value)
    return caught.value


# ------------------------------------------------------------------------------------ NIK


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("6408041708450001", "6408041708450001"),  # a man born 17 August 1945
        ("6408045708900001", "6408045708900001"),  # a woman: day of birth + 40
        ("6408 0457 0890 0001", "6408045708900001"),  # as printed on the KTP
        ("6408-0457-0890-0001", "6408045708900001"),
        ("6501012902000007", "6501012902000007"),  # Kalimantan Utara, born 29 Feb 2000
        ("9301011203850002", "9301011203850002"),  # Papua Selatan (2022)
        ("", ""),
    ],
)
def test_a_real_nik_is_accepted_and_stored_as_sixteen_digits(typed, stored):
    assert clean_nik(typed) == stored


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("64080417084500O1", "hanya berisi angka"),
        ("640804170845", "16 digit"),
        ("64080417084500011", "16 digit"),
        ("6408041234567891", "tanggal lahir"),  # month 34
        ("6408043102850001", "tanggal lahir"),  # 31 February
        ("6408040008450001", "tanggal lahir"),  # day 0
        ("9908041708450001", "kode provinsi"),
        ("0008041708450001", "kode provinsi"),
    ],
)
def test_a_number_that_cannot_be_a_nik_is_refused_with_the_reason(typed, words):
    error = refusal(clean_nik, typed)
    assert error.code == "invalid_nik"
    indonesian, english = in_both(error.message)
    assert words in indonesian
    assert english != indonesian


# ---------------------------------------------------------------------------------- phone


@pytest.mark.parametrize(
    "typed",
    [
        "081234567890",
        "0812-3456-7890",
        "0812 3456 7890",
        "(0812) 3456.7890",
        "+6281234567890",
        "+62 812-3456-7890",
        "+62 (0)812 3456 7890",
        "6281234567890",
        "006281234567890",
        "81234567890",
    ],
)
def test_every_spelling_of_a_mobile_number_is_stored_in_one_form(typed):
    assert clean_phone(typed) == "+6281234567890"


def test_short_and_long_mobile_numbers_are_accepted():
    assert clean_phone("0811 123 456") == "+62811123456"  # 10 digits with the 0
    assert clean_phone("0896 1234 56789") == "+62896123456789"  # 13 digits with the 0
    assert clean_phone("   ") == ""


@pytest.mark.parametrize(
    ("typed", "code", "english"),
    [
        ("+44 20 7946 0000", "foreign_phone", "Only Indonesian mobile numbers (+62)"),
        ("0060 12 345 6789", "foreign_phone", "Only Indonesian mobile numbers (+62)"),
        ("021 555 1234", "landline_phone", "landline"),
        ("(0549) 21234", "landline_phone", "landline"),
        ("0812 345", "invalid_phone", "Invalid mobile number"),
        ("0812 3456 7890 1234", "invalid_phone", "Invalid mobile number"),
        ("0800 123 4567", "invalid_phone", "Invalid mobile number"),  # toll-free
        ("telepon saya", "invalid_phone", "Invalid mobile number"),
        ("0812/3456/78x0", "invalid_phone", "Invalid mobile number"),
    ],
)
def test_a_number_that_cannot_receive_sms_is_refused_with_the_reason(typed, code, english):
    error = refusal(clean_phone, typed)
    assert error.code == code
    assert english in in_both(error.message)[1]


# --------------------------------------------------------------------------------- e-mail


def test_an_email_address_is_trimmed_and_checked():
    assert clean_email("  dewi@example.com ") == "dewi@example.com"
    assert clean_email("") == ""
    assert refusal(clean_email, "bukan surel").code == "invalid_email"
    assert refusal(clean_email, "a@" + "b" * 250 + ".id").code == "invalid_email"


# ------------------------------------------------------------------------- finding numbers


def test_rows_stored_before_the_rule_are_found_under_the_same_key(db):
    """Reporters saved before phone numbers were normalised keep the spelling they were
    typed in; their blind-index key is the one a normalised number gets, so nothing needs
    rewriting and nobody is lost."""
    old = Reporter.objects.create(phone="0812-3456-7890")
    older = Reporter.objects.create(phone="62 812 3456 7890")
    new = Reporter.objects.create(phone=clean_phone("0812 3456 7890"))

    assert new.phone == "+6281234567890"
    key = lookup_hash(normalise_phone(clean_phone("+62 812 3456 7890")))
    assert set(Reporter.objects.filter(phone_lookup=key)) == {old, older, new}


def test_a_verification_code_goes_to_one_address_however_the_number_is_written():
    addresses = {
        normalise_address(NotificationChannel.SMS, typed)
        for typed in ("0812 3456 7890", "+62 812-3456-7890", "6281234567890")
    }
    assert addresses == {"+6281234567890"}
