"""Applying a peer's batch of events: verify every chain, append exactly once, keep the
report's replicated state, and never drop anything.

For each report in the batch, in order of sequence number:
- an event we already have must be the very same (same hash): otherwise the two nodes'
  histories forked, which is raised to the admins and the event is kept aside;
- the next event must link to our last one (`prev`) and its own digest must match: a
  broken link or altered content is refused, raised and kept aside;
- an event beyond the next one means some are missing (a gap): it is kept in
  PendingEvent and the missing ones are pulled from the sender by the worker.
The report's state (status, agency, deadlines, ...) is taken from the batch only when our
history has reached exactly the event that state follows, so a report row never claims
more than its history shows. The whole batch and the peer's cursor commit together.
"""

import contextlib
import logging
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from aduan.accounts.models import Reporter, Role, User
from aduan.agencies.models import Agency
from aduan.categories.models import Category
from aduan.regions.models import Region
from aduan.reports import tracking
from aduan.reports.events import GENESIS, event_digest, seal_of
from aduan.reports.models import Attachment, Report, ReportEvent
from aduan.reports.signals import report_changed, snapshot

from . import wire
from .alerts import raise_alert
from .models import AlertKind, BlobFetch, NodeRole, Peer, PendingEvent
from .rows import insert as insert_rows

logger = logging.getLogger(__name__)


class CursorMismatch(Exception):
    """The batch does not continue where we are: the sender must resend from `position`."""

    def __init__(self, position: int):
        super().__init__(f"expected a batch after {position}")
        self.position = position


class RetryLater(Exception):
    """Something the batch refers to is not here yet (e.g. an agency the reference data
    has not brought): nothing was applied, the sender retries later."""


class Refused(Exception):
    """The batch is malformed or claims what the sender may not claim."""


@dataclass
class ApplyStats:
    applied: int = 0
    duplicates: int = 0
    kept_aside: int = 0
    reports: set = field(default_factory=set)
    heads: dict = field(default_factory=dict)  # report uuid -> head after this apply


class _Resolver:
    """Global keys -> local rows, loaded in bulk once per batch."""

    def __init__(self, peer: Peer, batch: dict):
        self.peer = peer
        self.users_wire = batch.get("users") or {}
        self.reporters_wire = batch.get("reporters") or {}
        self._agencies: dict[str, Agency] = {}
        self._categories: dict[str, Category] = {}
        self._users: dict[str, User] = {}
        self._reporters: dict[str, Reporter] = {}
        self._reports: dict[str, Report] = {}
        self._regions: dict[str, Region] = {}
        self._locked: dict[str, Report] = {}
        self._prefetched: set[str] = set()
        self._reporters_looked_up: set[str] = set()
        # Reporters new here, inserted together just before the new reports naming them.
        self.new_reporters: list[Reporter] = []
        # Reports and events checked and ready, inserted together at the end of the batch.
        self.new_reports: list[Report] = []
        self.new_events: list[tuple[Report, list[ReportEvent]]] = []

    def prefetch(self, states: list[dict]) -> None:
        agency_keys = {s.get(f) for s in states for f in ("agency", "unit")} - {None}
        for agency in Agency.objects.filter(uuid__in=agency_keys):
            self._agencies[str(agency.uuid)] = agency
        slugs = {s.get("category") for s in states} - {None}
        for category in Category.objects.filter(slug__in=slugs):
            self._categories[category.slug] = category
        for user in User.objects.filter(uuid__in=list(self.users_wire)):
            self._users[str(user.uuid)] = user
        reporter_keys = {s.get("reporter") for s in states} - {None}
        for reporter in Reporter.objects.filter(uuid__in=reporter_keys):
            self._reporters[str(reporter.uuid)] = reporter
        self._reporters_looked_up = {str(key) for key in reporter_keys}
        codes = {s.get(f) for s in states for f in ("region", "suggested_region")} - {None}
        for region in Region.objects.filter(code__in=codes).only("code"):
            self._regions[region.code] = region
        # The reports this batch continues, locked in one statement (in id order, as
        # every writer locks them) instead of one query per report.
        uuids = [s["uuid"] for s in states if s.get("uuid")]
        for report in Report.objects.select_for_update().filter(uuid__in=uuids).order_by("pk"):
            self._locked[str(report.uuid)] = report
        self._prefetched = set(uuids)

    def add_new_report(self, report: Report) -> None:
        """A report new here, inserted with the batch's others (`insert_new_reports`)."""
        self.new_reports.append(report)
        self._locked[str(report.uuid)] = report
        self._prefetched.add(str(report.uuid))

    def insert_new_reports(self) -> None:
        self.insert_new_reporters()
        if self.new_reports:
            insert_rows(Report, self.new_reports)
            self.new_reports = []

    def insert_new_reporters(self) -> None:
        """One statement for the batch's new reporters (a report submitted at another node
        usually brings one), instead of one insert each."""
        if not self.new_reporters:
            return
        for reporter in self.new_reporters:
            reporter.set_lookups()  # what Reporter.save does; bulk_create does not call it
        insert_rows(Reporter, self.new_reporters)
        for reporter in self.new_reporters:
            if reporter.pk is None:  # a database that does not return new ids
                reporter.pk = Reporter.objects.values_list("pk", flat=True).get(uuid=reporter.uuid)
        self.new_reporters = []

    def locked_report(self, key: str) -> Report | None:
        """The report with this uuid, locked for this transaction, or None."""
        if key in self._prefetched:
            return self._locked.get(key)
        return Report.objects.select_for_update().filter(uuid=key).first()

    def __call__(self, field_name: str, key: str):
        if field_name in ("agency", "unit"):
            agency = self._agencies.get(key)
            if agency is None:
                agency = Agency.objects.filter(uuid=key).first()
                if agency is None:
                    raise RetryLater(f"unknown agency {key}")
                self._agencies[key] = agency
            return agency
        if field_name == "category":
            category = self._categories.get(key)
            if category is None:
                category = Category.objects.filter(slug=key).first()
                if category is None:
                    raise RetryLater(f"unknown category {key}")
                self._categories[key] = category
            return category
        if field_name in ("region", "suggested_region"):
            region = self._regions.get(key)
            if region is None:
                region = Region.objects.filter(code=key).only("code").first()
                if region is None:
                    raise RetryLater(f"unknown region {key}")
                self._regions[key] = region
            return region
        if field_name == "reporter":
            return self.reporter(key)
        if field_name == "assignee":
            return self.user(key)
        if field_name == "duplicate_of":
            if any(str(r.uuid) == key for r in self.new_reports):
                self.insert_new_reports()  # the original came in this very batch
            # The original may not have reached this node yet; the link follows with a
            # later state of the report (reconciliation resends it).
            return Report.objects.filter(uuid=key).only("pk").first()
        raise Refused(f"unknown reference field {field_name}")

    def reporter(self, key: str) -> Reporter:
        reporter = self._reporters.get(key)
        if reporter is None and key not in self._reporters_looked_up:
            reporter = Reporter.objects.filter(uuid=key).first()
        data = self.reporters_wire.get(key) or {}
        if reporter is None:
            # Not here (the batch's reporters were all looked up at once): inserted with
            # the new report that names it (`insert_new_reports`), in one statement.
            reporter = Reporter(uuid=key)
            self._apply_personal(reporter, data)
            self.new_reporters.append(reporter)
            self._reporters[key] = reporter
            return reporter
        elif (
            data.get("personal")
            and reporter.erased_at is None
            and not (reporter.email or reporter.phone or reporter.name)
        ):
            # Identity that may now be held here (e.g. delegated verification); never
            # again for a reporter erased here (docs/PRIVACY.md, Across nodes).
            self._apply_personal(reporter, data)
            reporter.save()
        return reporter

    @staticmethod
    def _apply_personal(reporter: Reporter, data: dict) -> None:
        if not data.get("personal"):
            return
        reporter.name = data.get("name") or ""
        reporter.nik = data.get("nik") or ""
        reporter.phone = data.get("phone") or ""
        reporter.email = data.get("email") or ""
        verified = data.get("contact_verified_at")
        reporter.contact_verified_at = parse_datetime(verified) if verified else None

    def user(self, key: str | None) -> User | None:
        if not key:
            return None
        user = self._users.get(key)
        if user is not None:
            return user
        data = self.users_wire.get(key)
        if data is None:
            raise Refused(f"event names account {key} without describing it")
        user = _shadow_user(self.peer, data)
        self._users[key] = user
        return user


def _shadow_user(peer: Peer, data: dict) -> User:
    """A local copy of another node's account, named in histories; it cannot sign in."""
    home = data.get("node") or peer.node_id
    if home == settings.NODE_ID:
        # One of our own accounts we do not have yet: a government's staff moved to this
        # node arrive with `import_hosted`. Nothing is applied; the batch comes again.
        raise RetryLater(f"account {data.get('uuid')} of this node is not here yet")
    role = data.get("role") if data.get("role") in Role.values else Role.CITIZEN
    agency = Agency.objects.filter(uuid=data["agency"]).first() if data.get("agency") else None
    username = f"{home}~{data.get('username', '')}"[:150]
    user, _ = User.objects.get_or_create(
        uuid=data["uuid"],
        defaults={
            "username": username,
            "first_name": (data.get("first_name") or "")[:150],
            "last_name": (data.get("last_name") or "")[:150],
            "role": role,
            "agency": agency,
            "home_node": home,
            "password": make_password(None),
            "is_active": True,
        },
    )
    return user


def apply_batch(peer: Peer, batch: dict) -> tuple[int, ApplyStats]:
    """Apply one batch from `peer` and move its cursor; return (new position, stats)."""
    if batch.get("v") != wire.PROTOCOL_VERSION:
        raise Refused(f"unsupported protocol version {batch.get('v')!r}")
    try:
        after, last = int(batch["after"]), int(batch["last"])
        items = list(batch.get("reports") or [])
    except (KeyError, TypeError, ValueError) as exc:
        raise Refused(f"malformed batch: {exc}") from exc
    stats = ApplyStats()
    try:
        return _apply_batch(peer, after, last, items, batch, stats)
    except (IntegrityError, OperationalError) as exc:
        # Another transaction created the same row at the same moment (a pull, a repair),
        # or PostgreSQL chose this one to break a deadlock (statistics rows are shared):
        # nothing of this batch was kept, and the sender simply sends it again.
        raise RetryLater(f"concurrent apply: {exc}") from exc


def _apply_batch(peer, after, last, items, batch, stats) -> tuple[int, ApplyStats]:
    with transaction.atomic():
        locked = Peer.objects.select_for_update().get(pk=peer.pk)
        if after > locked.received_position:
            raise CursorMismatch(locked.received_position)
        if last <= locked.received_position:
            return locked.received_position, stats
        resolver = _Resolver(locked, batch)
        resolver.prefetch([item["state"] for item in items])
        attachments = _group_attachments(batch.get("attachments") or [])
        with statistics_batched():
            for item in items:
                apply_report(locked, item, resolver, attachments, stats)
            _flush(locked, resolver, attachments, stats)
        locked.received_position = last
        locked.last_received_at = timezone.now()
        locked.save(update_fields=["received_position", "last_received_at"])
    return last, stats


def apply_bundle(peer: Peer, data: dict) -> ApplyStats:
    """Apply reports pulled from, or repaired by, `peer` (outside the stream: no cursor)."""
    stats = ApplyStats()
    items = list(data.get("reports") or [])
    try:
        with transaction.atomic():
            resolver = _Resolver(peer, data)
            resolver.prefetch([item["state"] for item in items])
            attachments = _group_attachments(data.get("attachments") or [])
            with statistics_batched():
                for item in items:
                    apply_report(peer, item, resolver, attachments, stats)
                _flush(peer, resolver, attachments, stats)
    except (IntegrityError, OperationalError) as exc:
        raise RetryLater(f"concurrent apply: {exc}") from exc
    return stats


def _group_attachments(rows: list[dict]) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for row in rows:
        grouped.setdefault(row.get("event") or "", []).append(row)
    return grouped


def apply_report(
    peer: Peer, item: dict, resolver: _Resolver, attachments: dict, stats: ApplyStats
) -> Report | None:
    """Apply one report's events and, when our history has caught up, its state."""
    state = item["state"]
    events = sorted(item.get("events") or [], key=lambda e: e["seq"])
    report_uuid = state["uuid"]
    _check_claims(peer, state, events)
    report = resolver.locked_report(report_uuid)
    head = report.last_event_seq if report else 0
    head_hash = (report.last_event_hash if report else "") or GENESIS
    known = {}
    if report is not None and events and events[0]["seq"] <= head:
        known = dict(
            ReportEvent.objects.filter(
                report=report, seq__gte=events[0]["seq"], seq__lte=head
            ).values_list("seq", "hash")
        )
    fresh: list[ReportEvent] = []  # checked, to be stored exactly as checked
    for index, event in enumerate(events):
        seq = event["seq"]
        if seq <= head:
            if known.get(seq) == event["hash"]:
                stats.duplicates += 1
                continue
            _keep_aside(peer, report_uuid, events[index:], "fork")
            raise_alert(
                AlertKind.FORK,
                peer=peer.node_id,
                report_uuid=report_uuid,
                detail=f"event {seq} from {peer.node_id} differs from ours "
                f"({event['hash'][:12]} vs {str(known.get(seq))[:12]})",
            )
            stats.kept_aside += len(events) - index
            break
        if seq > head + 1:
            _keep_aside(peer, report_uuid, events[index:], "gap")
            stats.kept_aside += len(events) - index
            break
        row = wire.event_from_wire(event, None, None, peer.node_id)
        if event["prev"] != head_hash or event_digest(row, report_uuid) != event["hash"]:
            _keep_aside(peer, report_uuid, events[index:], "broken")
            raise_alert(
                AlertKind.BROKEN_CHAIN,
                peer=peer.node_id,
                report_uuid=report_uuid,
                detail=f"event {seq} from {peer.node_id} does not verify "
                f"({'broken link' if event['prev'] != head_hash else 'content changed'})",
            )
            stats.kept_aside += len(events) - index
            break
        row.seal = seal_of(report_uuid, seq, event["hash"])
        fresh.append(row)
        head, head_hash = seq, event["hash"]
    if report is None and not fresh:
        return None
    caught_up = head == state["last_event_seq"] and head_hash == state["last_event_hash"]
    before = None
    if report is None:
        # A new report is inserted once, already with the head its events will give it
        # (the state's when the history is complete, else as far as it goes here).
        report = Report(uuid=report_uuid, **wire.report_fields_from_wire(state, resolver))
        if not caught_up:
            report.last_event_seq, report.last_event_hash = head, head_hash
        resolver.add_new_report(report)
        _keep_numbering_ahead(report.tracking_number)
    else:
        before = snapshot(report)
    if fresh:
        for row in fresh:
            row.report = report
            row.actor = resolver.user(str(row.actor_uuid) if row.actor_uuid else None)
        # Written with the whole batch's (`_flush`), in one statement.
        resolver.new_events.append((report, fresh))
        stats.applied += len(fresh)
        stats.heads[report_uuid] = head
    if before is None:
        stats.reports.add(report_uuid)
        report_changed.send(sender=Report, report=report, before=None)
        return report
    take_state = caught_up and (fresh or _may_set_state(peer, report))
    if take_state:
        # A report's reporter never changes (and the wire may name them by a pseudonym).
        for name, value in wire.report_fields_from_wire(
            {**state, "reporter": None}, resolver
        ).items():
            if name != "reporter":
                setattr(report, name, value)
    else:
        # A new report whose later events are still on their way keeps the sender's
        # newest state; its head says how far its history goes here.
        report.last_event_seq, report.last_event_hash = head, head_hash
    if fresh or take_state:
        report.save()
        stats.reports.add(report_uuid)
        report_changed.send(sender=Report, report=report, before=before)
    return report


def _keep_numbering_ahead(number: str) -> None:
    """One of our own numbers coming back (we were restored from an older backup): the
    next number we give must be above it."""
    parsed = tracking.sequence_of(number)
    if parsed is not None and parsed[0] == settings.NODE_ID.upper():
        tracking.advance_sequence(parsed[0], parsed[1])


def _may_set_state(peer: Peer, report: Report) -> bool:
    """Without new events, only central or the node that appended the report's last event
    may restate it (a regional node cannot rewrite a report it no longer works on)."""
    if peer.role == NodeRole.CENTRAL:
        return True
    return ReportEvent.objects.filter(
        report=report, seq=report.last_event_seq, origin_node=peer.node_id
    ).exists()


def _check_claims(peer: Peer, state: dict, events: list[dict]) -> None:
    """A regional node may only speak for the reports it owns and the events it appended;
    central relays the others' and is checked by their chains."""
    if peer.role == NodeRole.CENTRAL:
        return
    for event in events:
        # Its own events, or ours coming back to us after we lost them (a restore).
        if event.get("origin") not in (peer.node_id, settings.NODE_ID):
            raise Refused(f"{peer.node_id} relays event {event.get('uuid')} it did not append")
    if state.get("owner_node") not in (peer.node_id, settings.NODE_ID) and not events:
        raise Refused(f"{peer.node_id} sends the state of a report it does not own")


def _keep_aside(peer: Peer, report_uuid: str, events: list[dict], problem: str) -> None:
    now = timezone.now()
    PendingEvent.objects.bulk_create(
        [
            PendingEvent(
                source=peer.node_id,
                report_uuid=report_uuid,
                seq=e["seq"],
                data=e,
                problem=problem,
                received_at=now,
                next_attempt_at=now,
            )
            for e in events
        ],
        ignore_conflicts=True,
    )


def statistics_batched():
    """The statistics of a whole batch written once (when the statistics app is on)."""
    if apps.is_installed("aduan.stats"):
        from aduan.stats.maintenance import batched

        return batched()
    return contextlib.nullcontext()


def _flush(peer: Peer, resolver: _Resolver, attachments: dict, stats: ApplyStats) -> None:
    """Insert the events of every report of the batch, their attachments' rows, and let
    go of gap events the batch made unnecessary."""
    resolver.insert_new_reports()
    new = [event for _, events in resolver.new_events for event in events]
    if new:
        insert_rows(ReportEvent, new, batch_size=2000)
        for report, events in resolver.new_events:
            _store_attachment_rows(peer, report, events, attachments)
    resolver.new_events = []
    release_pending(stats.heads)


def release_pending(heads: dict[str, int]) -> None:
    """Gap events now at or below their report's head are done with (they were applied by
    a pull or came again): one query to find them for the whole batch, usually none."""
    if not heads:
        return
    waiting = PendingEvent.objects.filter(problem="gap", report_uuid__in=list(heads))
    done = [
        pk
        for pk, key, seq in waiting.values_list("pk", "report_uuid", "seq")
        if seq <= heads[str(key)]
    ]
    if done:
        PendingEvent.objects.filter(pk__in=done).delete()


def _store_attachment_rows(peer: Peer, report: Report, rows, attachments: dict) -> None:
    new = []
    for event in rows:
        for data in attachments.get(str(event.uuid), []):
            new.append(
                Attachment(
                    uuid=data["uuid"],
                    report=report,
                    event=event,
                    name=(data.get("name") or "")[:150],
                    content_type=data["content_type"][:40],
                    extension=data["extension"][:6],
                    kind=data["kind"][:10],
                    size=int(data["size"]),
                    sha256=data["sha256"],
                    visibility=data["visibility"],
                    uploaded_by_reporter=bool(data.get("uploaded_by_reporter")),
                )
            )
    if not new:
        return
    existing = set(
        Attachment.objects.filter(uuid__in=[a.uuid for a in new]).values_list("uuid", flat=True)
    )
    new = [a for a in new if a.uuid not in existing]
    Attachment.objects.bulk_create(new)
    created = Attachment.objects.filter(uuid__in=[a.uuid for a in new]).values_list("pk", flat=True)
    now = timezone.now()
    BlobFetch.objects.bulk_create(
        [BlobFetch(attachment_id=pk, source=peer.node_id, next_attempt_at=now) for pk in created],
        ignore_conflicts=True,
    )
