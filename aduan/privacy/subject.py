"""Who is asking about their data: a signed-in account holder, or a guest who proved the
e-mail address or phone number they reported with (the "my reports" grant,
`portal.grants`). Everything the privacy pages read or change is found from here."""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from aduan.accounts.crypto import lookup_hash
from aduan.accounts.identity import clean_phone
from aduan.accounts.models import Reporter, User, normalise_phone
from aduan.notifications.models import NotificationChannel
from aduan.reports.models import Report


@dataclass
class Contacts:
    """A person's e-mail addresses and phone numbers (normalised), from which the keyed
    hashes of every table are computed without decrypting any of them."""

    emails: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)

    def add_email(self, value: str) -> None:
        value = (value or "").strip().lower()
        if value:
            self.emails.add(value)

    def add_phone(self, value: str) -> None:
        try:
            phone = clean_phone(value)
        except ValidationError:
            return
        if phone:
            self.phones.add(phone)

    def verification_lookups(self) -> set[str]:
        # `portal.verification.normalise_address`: lower-case e-mail, E.164 phone.
        return {lookup_hash(a) for a in self.emails | self.phones}

    def message_lookups(self) -> set[str]:
        # `channels.intake.address_key`: the e-mail address, the phone's digits.
        return {lookup_hash(e) for e in self.emails} | {
            lookup_hash(normalise_phone(p)) for p in self.phones
        }

    def subscriber_lookups(self) -> set[str]:
        return {lookup_hash(e) for e in self.emails}


@dataclass
class Subject:
    user: User | None
    reporter_ids: list[int]
    contacts: Contacts
    # For a guest: how the page names the proved contact (masked).
    label: str = ""

    @property
    def key(self) -> str:
        """Names the person in the admin's report without personal data."""
        return f"user:{self.user.uuid}" if self.user else "contact"

    def reporters(self) -> QuerySet[Reporter]:
        return Reporter.objects.filter(pk__in=self.reporter_ids)

    def reports(self) -> QuerySet[Report]:
        return Report.objects.filter(reporter_id__in=self.reporter_ids)


def _local_reporters(qs: QuerySet[Reporter]) -> list[int]:
    """Reporters whose contacts this node holds: those of reports submitted here (a copy
    of another node's reporter is erased where it was collected, docs/PRIVACY.md)."""
    local = Report.objects.filter(origin_node=settings.NODE_ID).values("reporter_id")
    return list(
        qs.filter(Q(pk__in=local) | Q(reports__isnull=True)).distinct().values_list("pk", flat=True)
    )


def for_user(user: User) -> Subject:
    contacts = Contacts()
    contacts.add_email(user.email)
    reporter_ids = _local_reporters(Reporter.objects.filter(user=user))
    for reporter in Reporter.objects.filter(pk__in=reporter_ids):
        contacts.add_email(reporter.email)
        contacts.add_phone(reporter.phone)
    return Subject(user=user, reporter_ids=reporter_ids, contacts=contacts)


def for_contact(channel: str, address: str, *, label: str = "") -> Subject:
    """The reporters without an account who gave this contact (like the "my reports"
    grant: an account holder's data is reached by signing in)."""
    contacts = Contacts()
    if channel == NotificationChannel.EMAIL:
        contacts.add_email(address)
        reporters = Reporter.objects.filter(
            email_lookup__in=[lookup_hash(e) for e in contacts.emails]
        )
    else:
        contacts.add_phone(address)
        reporters = Reporter.objects.filter(
            phone_lookup__in=[lookup_hash(normalise_phone(p)) for p in contacts.phones]
        )
    reporter_ids = _local_reporters(reporters.filter(user__isnull=True))
    return Subject(user=None, reporter_ids=reporter_ids, contacts=contacts, label=label)


def subject_for(request) -> Subject | None:
    """The person this request speaks for, or None (neither signed in nor holding a
    grant). Staff accounts have no citizen data here."""
    from aduan.portal import grants
    from aduan.portal.views.recovery import guest_contact_label

    user = request.user
    if user.is_authenticated:
        return for_user(user)
    record = grants.granted_contact(request)
    if record is None:
        return None
    return for_contact(record.channel, record.address, label=guest_contact_label(record))


def for_reporter(reporter: Reporter) -> Subject:
    """One reporter row as it is (a copy of another node's reporter included): for the
    operator's command and the retention schedule."""
    contacts = Contacts()
    contacts.add_email(reporter.email)
    contacts.add_phone(reporter.phone)
    return Subject(user=None, reporter_ids=[reporter.pk], contacts=contacts)
