"""A reporter erased on this node is never filled in again from a peer's copy."""

from django.utils import timezone

from aduan.accounts.models import Reporter
from aduan.federation.inbound import _Resolver


def personal(reporter: Reporter) -> dict:
    return {
        str(reporter.uuid): {
            "uuid": str(reporter.uuid),
            "personal": True,
            "name": "Rahmat",
            "nik": "",
            "phone": "+6281234567890",
            "email": "rahmat@example.com",
            "contact_verified_at": None,
        }
    }


def test_an_erased_reporter_stays_empty_when_a_peer_sends_the_identity_again(db):
    erased = Reporter.objects.create(erased_at=timezone.now())
    resolver = _Resolver(None, {"reporters": personal(erased)})
    resolver.reporter(str(erased.uuid))
    erased.refresh_from_db()
    assert (erased.name, erased.phone, erased.email, erased.phone_lookup) == ("", "", "", "")


def test_a_copy_without_identity_is_still_filled_in_when_it_may_hold_it(db):
    copy = Reporter.objects.create()
    resolver = _Resolver(None, {"reporters": personal(copy)})
    resolver.reporter(str(copy.uuid))
    copy.refresh_from_db()
    assert (copy.name, copy.email) == ("Rahmat", "rahmat@example.com")
