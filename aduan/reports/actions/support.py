"""Support: "Saya juga mengalami" (I have this problem too).

Before filing a report, a citizen is shown similar published reports nearby
(aduan/reports/similar.py) and may support one instead of filing the same problem again.
A support is counted on the report and is an event of its public history; it carries no
identity. One support per report and verified contact: the contact is proven with the
same 6-digit code as a guest's report (aduan/portal/verification.py) and reaches the
domain only as a keyed hash, `supporter_key()`.
"""

import hashlib
import hmac
import string

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy

from ..actors import PUBLIC, as_actor
from ..errors import DomainError, InvalidInput
from ..events import append_event
from ..models import EventType, Report, ReportSupport, Visibility
from ..workflow import check_condition
from .base import _begin, _now, _save

HEX = frozenset(string.hexdigits.lower())


class AlreadySupported(DomainError):
    code = "already_supported"
    status_code = 409

    def __init__(self):
        super().__init__(
            gettext_lazy("Anda sudah mendukung laporan ini; setiap kontak dihitung satu kali.")
        )


def supporter_key(report: Report, contact: str) -> str:
    """The keyed hash that stands for one verified contact on one report.

    HMAC-SHA256 under the personal-data look-up key, separated from the reporters' look-up
    hashes by its own purpose label and bound to the report's UUID: the same contact gives
    a different key on every report, and no key equals a reporter's `email_lookup` or
    `phone_lookup`. `contact` is the normalised address the code was sent to (an e-mail in
    lower case, a phone number in E.164 form)."""
    key = hashlib.sha256(
        b"aduan.reports.support\0" + settings.PERSONAL_DATA_LOOKUP_KEY.encode("utf-8")
    ).digest()
    message = f"{report.uuid}\0{contact.strip().lower()}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


@transaction.atomic
def support_report(report: Report, supporter: str, *, actor) -> Report:
    """Count one more person who has the problem of `report`, a published report still
    being handled, and append a public `supported` event (recorded as the public, without
    the account or contact of the supporter). `supporter` is `supporter_key()` of the
    supporter's verified contact; a second support with the same key is refused
    (AlreadySupported), as is a report the public cannot read."""
    actor = as_actor(actor)
    if not (isinstance(supporter, str) and len(supporter) == 64 and set(supporter) <= HEX):
        raise InvalidInput(
            gettext_lazy("Kunci pendukung tidak valid."), field="supporter", code="invalid"
        )
    now = _now()
    report, _ = _begin(report, "support", actor)
    check_condition("support", report)
    # Under the report's lock: two supports with the same key cannot both pass this check
    # (and the unique constraint backs it up).
    if ReportSupport.objects.filter(report=report, supporter=supporter).exists():
        raise AlreadySupported()
    ReportSupport.objects.create(report=report, supporter=supporter, at=now)
    report.support_count += 1
    append_event(
        report,
        EventType.SUPPORTED,
        actor=PUBLIC,
        at=now,
        visibility=Visibility.PUBLIC,
        payload={"count": report.support_count},
    )
    _save(report, now, "support_count")
    return report
