"""Who sees which report, and whose personal data (docs/DESIGN.md, Identity and
privacy).

The public sees published reports that are not confidential; staff see their scope; an
anonymous reporter's identity reaches only the admins who verify; every staff read of
personal data is logged; personal data is encrypted at rest and its keys can be rotated.
"""

import io
import uuid

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.http import Http404

from aduan.accounts.crypto import lookup_hash
from aduan.accounts.models import PersonalDataAccess, Reporter
from aduan.notifications.models import Notification
from aduan.reports import actions as a
from aduan.reports import tracking
from aduan.reports.access import (
    Identity,
    get_report_for,
    public_reports,
    reporter_actor_from_secret,
    reporter_identity,
    visible_reports,
)
from aduan.reports.models import PUBLISHED_STATUSES, Status

ALL_STATUSES = (
    "submitted",
    "on_hold",
    "archived",
    "withdrawn",
    "dispositioned",
    "returned",
    "in_progress",
    "responded",
    "closed",
)
PUBLISHED = {"dispositioned", "returned", "in_progress", "responded", "closed"}
SITI = Identity(
    name="Siti Aminah", nik="6408041234567890", phone="081234567890", email="siti@example.com"
)


def test_published_means_forwarded_at_least_once():
    assert {str(s) for s in PUBLISHED_STATUSES} == PUBLISHED


# ------------------------------------------------------------------------------ the public


def test_the_public_sees_only_published_reports_that_are_not_confidential(world):
    open_reports = {status: world.report_in(status) for status in ALL_STATUSES}
    confidential = {
        status: world.report_in(status, is_confidential=True) for status in ALL_STATUSES
    }

    expected = {open_reports[s].pk for s in PUBLISHED}
    assert set(public_reports().values_list("pk", flat=True)) == expected
    assert set(visible_reports(None).values_list("pk", flat=True)) == expected
    # Another citizen sees what the public sees, nothing more.
    assert set(visible_reports(world.outsider).values_list("pk", flat=True)) == expected
    for status in ALL_STATUSES:
        assert open_reports[status].is_published == (status in PUBLISHED)
        assert not confidential[status].is_published


@pytest.mark.parametrize("status", ALL_STATUSES)
def test_a_confidential_report_is_never_public(world, status):
    report = world.report_in(status, is_confidential=True)

    assert not public_reports().filter(pk=report.pk).exists()
    assert not visible_reports(None).filter(pk=report.pk).exists()
    with pytest.raises(Http404):
        get_report_for(None, report.tracking_number)
    with pytest.raises(Http404):
        get_report_for(world.outsider, report.tracking_number)
    # Its reporter still follows it.
    assert get_report_for(world.citizen, report.tracking_number) == report


@pytest.mark.parametrize("status", ["submitted", "on_hold", "archived", "withdrawn"])
def test_a_report_never_forwarded_is_not_public(world, status):
    report = world.report_in(status)

    with pytest.raises(Http404):
        get_report_for(None, report.tracking_number)
    with pytest.raises(Http404):
        get_report_for(world.outsider, str(report.uuid))


def test_the_public_finds_a_published_report_by_its_number(world):
    report = world.report_in("in_progress")
    assert get_report_for(None, report.tracking_number) == report


# ------------------------------------------------------------------------------ staff scope


def test_an_outsider_gets_not_found_for_a_report_that_is_not_public(world):
    submitted = world.report_in("submitted")
    confidential = world.report_in("in_progress", is_confidential=True)

    for report in (submitted, confidential):
        with pytest.raises(Http404):
            get_report_for(world.outsider, report.tracking_number)
        with pytest.raises(Http404):
            get_report_for(world.outsider, str(report.uuid))


@pytest.mark.parametrize("persona", ["other_admin", "other_officer", "dlh_officer"])
def test_staff_outside_the_receiving_unit_get_not_found(world, persona):
    disposed = world.report_in("dispositioned", is_confidential=True)  # to Dinas PU Kutim
    submitted = world.report_in("submitted")
    who = getattr(world, persona)

    for report in (disposed, submitted):
        with pytest.raises(Http404):
            get_report_for(who, report.tracking_number)
        with pytest.raises(Http404):
            get_report_for(who, str(report.uuid))


def test_the_receiving_unit_and_agency_and_the_national_admin_see_a_disposed_report(world):
    report = world.report_in("dispositioned", is_confidential=True)

    for who in (world.officer, world.agency_admin, world.national_admin, world.citizen):
        assert get_report_for(who, report.tracking_number) == report


def test_an_agency_admin_does_not_see_reports_awaiting_national_verification(world):
    report = world.report_in("submitted")

    with pytest.raises(Http404):
        get_report_for(world.agency_admin, report.tracking_number)
    assert get_report_for(world.national_admin, report.tracking_number) == report


def test_an_agency_verifying_its_region_sees_the_reports_awaiting_it_only(world):
    world.pemkab.verifies_own_region = True
    world.pemkab.save()
    in_kutim = world.submit()
    in_paser = world.submit(region="64.01")

    assert get_report_for(world.agency_admin, in_kutim.tracking_number) == in_kutim
    with pytest.raises(Http404):
        get_report_for(world.agency_admin, in_paser.tracking_number)


def test_a_supervisor_reads_across_its_province_and_no_further(world):
    in_kaltim = world.report_in("submitted")
    in_jakarta = world.submit(region="31")

    assert get_report_for(world.supervisor, in_kaltim.tracking_number) == in_kaltim
    with pytest.raises(Http404):
        get_report_for(world.supervisor, in_jakarta.tracking_number)


# ------------------------------------------------------------------------------ finding by key


def test_a_report_is_found_by_its_number_however_it_is_typed_and_by_its_uuid(world):
    report = world.report_in("submitted")
    number = report.tracking_number  # e.g. PST-26-0000001-7
    compact = number.replace("-", "")

    for typed in (
        number,
        number.lower(),
        f"  {number}  ",
        number.replace("-", " "),
        compact,
        compact.lower(),
        " ".join(compact),
        str(report.uuid),
        str(report.uuid).upper(),
    ):
        assert get_report_for(world.national_admin, typed) == report, typed


def test_an_unknown_uuid_or_garbage_is_not_found(world):
    world.report_in("submitted")
    for key in (str(uuid.uuid4()), "laporan saya", "", "PST-26-0000001"):
        with pytest.raises(Http404):
            get_report_for(world.national_admin, key)


def _digit_positions(number: str) -> list[int]:
    return [i for i, ch in enumerate(number) if ch.isdigit()]


def test_every_single_digit_typo_of_a_real_number_matches_nothing(world):
    report = world.report_in("submitted")
    number = report.tracking_number

    typos = [
        number[:i] + d + number[i + 1 :]
        for i in _digit_positions(number)
        for d in "0123456789"
        if d != number[i]
    ]
    assert len(typos) == 9 * len(_digit_positions(number))
    for typo in typos:
        assert tracking.normalise(typo) is None, typo
        with pytest.raises(Http404):
            get_report_for(world.national_admin, typo)


def test_swapping_two_adjacent_digits_of_a_real_number_matches_nothing(world):
    # Enough reports that the sequence has varied digits to swap.
    numbers = [world.submit().tracking_number for _ in range(3)]
    swaps = 0
    for number in numbers:
        compact = number.replace("-", "")
        for i in range(len(compact) - 1):
            x, y = compact[i], compact[i + 1]
            if not (x.isdigit() and y.isdigit()) or x == y:
                continue
            swapped = compact[:i] + y + x + compact[i + 2 :]
            swaps += 1
            assert tracking.normalise(swapped) is None, (number, swapped)
            with pytest.raises(Http404):
                get_report_for(world.national_admin, swapped)
    assert swaps > 0


# ------------------------------------------------------------------------------ identity


def test_an_anonymous_reporter_is_known_only_to_the_national_admin(world):
    report = world.report_in("in_progress", is_anonymous=True)

    for who in (
        world.officer,
        world.dlh_officer,
        world.agency_admin,
        world.supervisor,
        world.other_admin,
        world.other_officer,
        world.outsider,
        None,
    ):
        assert reporter_identity(who, report) is None, who
    assert not PersonalDataAccess.objects.exists(), "a refused read is not a read"

    assert reporter_identity(world.national_admin, report) == SITI
    access = PersonalDataAccess.objects.get()
    assert (access.user, access.reporter, access.report) == (
        world.national_admin,
        report.reporter,
        report,
    )


def test_an_anonymous_report_awaiting_delegated_verification_shows_the_verifying_admin(world):
    world.pemkab.verifies_own_region = True
    world.pemkab.save()
    report = world.submit(is_anonymous=True)

    assert reporter_identity(world.agency_admin, report) == SITI
    assert reporter_identity(world.other_admin, report) is None
    assert reporter_identity(world.officer, report) is None


def test_a_named_reporter_is_known_to_the_unit_and_agency_that_handle_the_report(world):
    report = world.report_in("in_progress")

    assert reporter_identity(world.officer, report) == SITI
    assert reporter_identity(world.agency_admin, report) == SITI
    assert reporter_identity(world.national_admin, report) == SITI
    for who in (world.dlh_officer, world.other_admin, world.other_officer, world.outsider, None):
        assert reporter_identity(who, report) is None, who


def test_every_staff_read_of_personal_data_is_logged_and_a_refused_one_is_not(world):
    report = world.report_in("in_progress")

    reporter_identity(world.officer, report, purpose="hubungi pelapor")
    reporter_identity(world.officer, report)
    reporter_identity(world.agency_admin, report)
    reporter_identity(world.dlh_officer, report)  # refused
    reporter_identity(world.other_admin, report)  # refused

    rows = list(
        PersonalDataAccess.objects.order_by("pk").values_list(
            "user__username", "reporter", "report", "purpose"
        )
    )
    assert rows == [
        ("petugas_pu", report.reporter_id, report.pk, "hubungi pelapor"),
        ("petugas_pu", report.reporter_id, report.pk, "view"),
        ("admin_kutim", report.reporter_id, report.pk, "view"),
    ]


def test_a_reporter_sees_their_own_identity_without_a_log_entry(world):
    report = world.report_in("in_progress", is_anonymous=True)

    assert reporter_identity(world.citizen, report) == SITI
    assert not PersonalDataAccess.objects.exists()


# ------------------------------------------------------------------------------ encryption at rest


def raw_reporters() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, nik, phone, email FROM accounts_reporter ORDER BY id")
        return [tuple(row) for row in cursor.fetchall()]


def raw_notifications() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT address, private_context FROM notifications_notification ORDER BY id"
        )
        return [tuple(row) for row in cursor.fetchall()]


def guest_submission():
    return a.submit_report(
        {
            "title": "Pungutan liar di loket KTP",
            "body": "Petugas meminta uang tambahan untuk mempercepat KTP elektronik.",
            "region": "64.08.04",
        },
        actor=None,
        reporter=a.ReporterDetails(
            name="Rahmat Hidayat",
            nik="6408 0412 0575 0003",
            phone="0813-5555-1234",
            email="Rahmat@Example.com",
        ),
    )


PLAINTEXTS = (
    "Siti",
    "6408041234567890",
    "081234567890",
    "siti@example.com",
    "Rahmat",
    "6408041205750003",
    "81355551234",
    "Rahmat@Example.com",
    "budi@example.com",
)


def test_personal_data_is_encrypted_at_rest(world):
    world.report_in("in_progress")
    guest_submission()

    stored = " ".join(str(cell) for row in raw_reporters() for cell in row)
    for plaintext in PLAINTEXTS:
        assert plaintext.lower() not in stored.lower(), plaintext
    # The application still reads it in clear.
    assert Reporter.objects.get(user=world.citizen).nik == "6408041234567890"


def test_notification_addresses_and_secrets_are_encrypted_at_rest(world):
    world.report_in("in_progress")
    result = guest_submission()
    reporter_addresses = set(
        Notification.objects.filter(audience="reporter").values_list("address", flat=True)
    )
    assert {"siti@example.com", "081234567890", "Rahmat@Example.com"} <= reporter_addresses

    stored = " ".join(str(cell) for row in raw_notifications() for cell in row)
    for plaintext in (*PLAINTEXTS, "petugas_pu@example.go.id", result.secret):
        assert plaintext.lower() not in stored.lower(), plaintext


def test_a_reporter_prints_without_personal_data(world):
    reporter = Reporter.objects.get(user=world.citizen)
    text = f"{reporter} {reporter!r}"
    for plaintext in ("Siti", "Aminah", "6408041234567890", "081234567890", "siti@example"):
        assert plaintext not in text


def test_rotating_keys_re_encrypts_everything_under_the_new_key(world, settings):
    world.report_in("in_progress")
    guest_submission()
    old_keys = list(settings.PERSONAL_DATA_KEYS)
    new_key = Fernet.generate_key().decode()
    settings.PERSONAL_DATA_KEYS = [new_key, *old_keys]
    before = (raw_reporters(), raw_notifications())

    call_command("rotate_encryption_keys", "--commit", stdout=io.StringIO())

    after = (raw_reporters(), raw_notifications())
    for rows_before, rows_after in zip(before, after, strict=True):
        for row_before, row_after in zip(rows_before, rows_after, strict=True):
            for cell_before, cell_after in zip(row_before, row_after, strict=True):
                if cell_before:
                    assert cell_after != cell_before

    settings.PERSONAL_DATA_KEYS = [new_key]
    siti = Reporter.objects.get(user=world.citizen)
    assert (siti.name, siti.nik, siti.phone, siti.email) == (
        SITI.name,
        SITI.nik,
        SITI.phone,
        SITI.email,
    )
    guest = Reporter.objects.get(email_lookup=lookup_hash("rahmat@example.com"))
    assert guest.name == "Rahmat Hidayat"
    assert "siti@example.com" in set(Notification.objects.values_list("address", flat=True))
    # And the old key alone no longer opens it.
    settings.PERSONAL_DATA_KEYS = old_keys
    with pytest.raises(ValueError):
        Reporter.objects.get(user=world.citizen)


def test_a_rotation_dry_run_changes_nothing(world, settings):
    world.report_in("in_progress")
    settings.PERSONAL_DATA_KEYS = [Fernet.generate_key().decode(), *settings.PERSONAL_DATA_KEYS]
    before = (raw_reporters(), raw_notifications())

    out = io.StringIO()
    call_command("rotate_encryption_keys", stdout=out)

    assert (raw_reporters(), raw_notifications()) == before
    assert "dry run" in out.getvalue()


# ------------------------------------------------------------------------------ guest reporters


def test_a_guest_submission_stores_the_reporter_encrypted(world):
    result = guest_submission()
    reporter = result.report.reporter
    reporter.refresh_from_db()

    assert reporter.user is None
    assert (reporter.name, reporter.nik, reporter.phone, reporter.email) == (
        "Rahmat Hidayat",
        "6408041205750003",
        "+6281355551234",
        "Rahmat@Example.com",
    )
    assert reporter.email_lookup == lookup_hash("rahmat@example.com")
    assert reporter.phone_lookup == lookup_hash("6281355551234")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, nik, phone, email FROM accounts_reporter WHERE id = %s", [reporter.pk]
        )
        raw = " ".join(cursor.fetchone())
    for plaintext in ("Rahmat", "6408041205750003", "5555", "example.com"):
        assert plaintext.lower() not in raw.lower()


def test_a_guest_proves_ownership_with_the_secret_of_the_tracking_link(world):
    result = guest_submission()
    number = result.report.tracking_number

    report, guest = reporter_actor_from_secret(number, result.secret)
    assert report == result.report
    assert guest.is_reporter_of(report)
    assert guest.user is None
    assert reporter_identity(guest, report).name == "Rahmat Hidayat"
    # The number may be typed loosely; the secret may not.
    assert reporter_actor_from_secret(number.lower().replace("-", " "), result.secret)[0] == report


def test_a_wrong_secret_is_not_found(world):
    result = guest_submission()
    other = guest_submission()
    number = result.report.tracking_number

    for secret in ("", "tebakan", result.secret[:-1], result.secret.upper(), other.secret):
        if secret == result.secret:
            continue
        with pytest.raises(Http404):
            reporter_actor_from_secret(number, secret)
    with pytest.raises(Http404):
        reporter_actor_from_secret(str(uuid.uuid4()), result.secret)


def test_the_secret_of_a_report_opens_only_that_report(world):
    first = guest_submission()
    second = guest_submission()

    with pytest.raises(Http404):
        reporter_actor_from_secret(second.report.tracking_number, first.secret)
    _, guest = reporter_actor_from_secret(first.report.tracking_number, first.secret)
    assert not guest.is_reporter_of(second.report)
    assert second.report.status == Status.SUBMITTED


def test_a_delegated_verifier_keeps_seeing_an_anonymous_reporter_after_disposing_to_itself(world):
    from aduan.reports.access import reporter_identity
    from aduan.reports.actions import dispose_report

    world.pemkab.verifies_own_region = True
    world.pemkab.save()
    report = world.submit(is_anonymous=True)
    report = dispose_report(report, world.pemkab, unit=world.dinas_pu, actor=world.agency_admin)
    assert reporter_identity(world.agency_admin, report).name == "Siti Aminah"
    assert reporter_identity(world.officer, report) is None


def test_a_forwarded_report_waiting_on_its_reporter_stays_public(world):
    from aduan.reports.access import public_reports
    from aduan.reports.actions import put_on_hold

    held_before_verification = world.report_in("on_hold")
    forwarded = world.report_in("dispositioned")
    forwarded = put_on_hold(forwarded, "Mohon foto terbaru.", actor=world.officer)
    public = set(public_reports())
    assert forwarded in public and forwarded.is_published
    assert held_before_verification not in public and not held_before_verification.is_published
