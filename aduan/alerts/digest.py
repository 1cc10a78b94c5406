"""The alert digests, sent by the worker (docs/ALERTS.md).

Each run reads the report events that came after the high-water mark (`AlertState`), in
stream order, and writes one digest per subscriber listing the published reports in their
areas and categories that are new or changed, with what happened. The digests, the outbox
rows and their delivery job, and the new mark are written in one transaction: a run that
fails sends nothing and moves nothing, a run that commits has queued every digest, and the
outbox delivers them after commit (at least once, `aduan.notifications.service`).

Why stream positions and not event ids: ids are handed out before their transactions
commit, so an event with a lower id than one already seen may still appear; positions are
given only to committed events, in order (`aduan.federation.sequencer`). A run gives any
committed events their positions first, so alerts need no federation to be configured.

Only public data goes out: the report must be published now (`access.public_reports`),
only its public events are told, and it is placed by `reports.public`: an anonymous report
matches a regency's subscriptions but never a district's or a radius's, since its
district and point are not public."""

import datetime as dt
import json
import logging
import math
from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext as _

from aduan.notifications.models import Notification, NotificationChannel
from aduan.portal import display
from aduan.regions.models import Region
from aduan.reports.access import public_reports
from aduan.reports.models import EventType, Report, ReportEvent, Visibility
from aduan.reports.public import public_location, public_region

from . import subscriptions
from .models import AlertState, AreaKind, Subscription

logger = logging.getLogger(__name__)

# Events read per transaction, and transactions per run (a backlog is caught up over runs).
BATCH = 5000
MAX_BATCHES_PER_RUN = 20
# Reports listed in one digest; beyond, the digest says how many more there are.
MAX_REPORTS_PER_DIGEST = 25
# Digests written per insert.
FLUSH_EVERY = 500
# Events of a report's history before it is published: the "new report" line covers them.
NOT_ALERTED = {EventType.SUBMITTED, EventType.VERIFIED, EventType.REGION_SUGGESTED}
EXCERPT = 300
EARTH_RADIUS_M = 6_371_000
METRES_PER_DEGREE = 111_320


def when_in_words(moment: dt.datetime, zone: str) -> str:
    """'Kamis, 12 Maret 2026 pukul 23.30 WITA' in the active language."""
    local = moment.astimezone(ZoneInfo(zone))
    abbreviation = display.ZONE_ABBREVIATIONS.get(zone, "")
    return _("%(date)s pukul %(time)s") % {
        "date": dateformat.format(local, "l, j F Y"),
        "time": dateformat.format(local, "H.i"),
    } + (f" {abbreviation}" if abbreviation else "")


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


@dataclass
class Item:
    """One published report of the batch, as the public may know it."""

    report: Report
    regency: str
    district: str
    point: tuple[float, float] | None
    category_ids: set[int]
    # (at, entry dict) of its public events in the batch, oldest first.
    events: list[tuple[dt.datetime, dict]] = field(default_factory=list)
    is_new: bool = False
    region_name: str = ""
    category_name: str = ""


def _items(events: list[ReportEvent]) -> dict[int, Item]:
    by_report: dict[int, list[ReportEvent]] = defaultdict(list)
    for event in events:
        by_report[event.report_id].append(event)
    reports = (
        public_reports()
        .filter(pk__in=by_report)
        .select_related("category", "category__parent", "region", "agency", "unit")
    )
    items = {}
    for report in reports:
        location = public_location(report)
        code = location.region_code
        point = None
        if location.latitude is not None and location.longitude is not None:
            point = (float(location.latitude), float(location.longitude))
        item = Item(
            report=report,
            regency=code[:5] if len(code) >= 5 else "",
            district=location.district_code,
            point=point,
            category_ids=set(report.category.ancestor_ids()) if report.category_id else set(),
        )
        region = public_region(report, location)
        item.region_name = region.name if region is not None else ""
        item.category_name = display.category_name(report.category)
        zone = display.zone_of(report)
        for event in by_report[report.pk]:
            if event.type == EventType.DISPOSITIONED:
                item.is_new = True
            entry = display._entry(event, False, zone)
            text = entry.text or entry.quote
            if len(text) > EXCERPT:
                text = text[:EXCERPT].rsplit(" ", 1)[0] + " …"
            item.events.append(
                (
                    event.at,
                    {"title": entry.title, "when": when_in_words(event.at, zone), "text": text},
                )
            )
        items[report.pk] = item
    return items


def _matching_subscriptions(items: dict[int, Item]):
    regencies = {item.regency for item in items.values() if item.regency}
    districts = {item.district for item in items.values() if item.district}
    points = [item.point for item in items.values() if item.point]
    q = Q(area_kind=AreaKind.REGENCY, region_code__in=regencies) | Q(
        area_kind=AreaKind.DISTRICT, region_code__in=districts
    )
    if points:
        lat_margin = subscriptions.MAX_RADIUS_M / METRES_PER_DEGREE
        widest = max(abs(lat) for lat, _lon in points) + lat_margin
        lon_margin = lat_margin / max(math.cos(math.radians(min(widest, 89.0))), 0.01)
        q |= Q(
            area_kind=AreaKind.RADIUS,
            latitude__gte=min(lat for lat, _lon in points) - lat_margin,
            latitude__lte=max(lat for lat, _lon in points) + lat_margin,
            longitude__gte=min(lon for _lat, lon in points) - lon_margin,
            longitude__lte=max(lon for _lat, lon in points) + lon_margin,
        )
    return (
        Subscription.objects.filter(confirmed_at__isnull=False)
        .filter(q)
        .select_related("subscriber", "category")
        .order_by("subscriber_id", "id")
        .iterator(chunk_size=2000)
    )


def _matches(subscription: Subscription, item: Item) -> bool:
    if subscription.category_id and subscription.category_id not in item.category_ids:
        return False
    if subscription.area_kind == AreaKind.REGENCY:
        return item.regency == subscription.region_code
    if subscription.area_kind == AreaKind.DISTRICT:
        return item.district == subscription.region_code
    if item.point is None:
        return False
    distance = distance_m(float(subscription.latitude), float(subscription.longitude), *item.point)
    return distance <= subscription.radius_m


class _Index:
    """The batch's items by the keys subscriptions look them up with."""

    def __init__(self, items: dict[int, Item]):
        self.by_regency: dict[str, list[Item]] = defaultdict(list)
        self.by_district: dict[str, list[Item]] = defaultdict(list)
        self.with_point = [item for item in items.values() if item.point]
        for item in items.values():
            if item.regency:
                self.by_regency[item.regency].append(item)
            if item.district:
                self.by_district[item.district].append(item)

    def candidates(self, subscription: Subscription) -> list[Item]:
        if subscription.area_kind == AreaKind.REGENCY:
            return self.by_regency.get(subscription.region_code, [])
        if subscription.area_kind == AreaKind.DISTRICT:
            return self.by_district.get(subscription.region_code, [])
        return self.with_point


def _digest(
    subscriber, matched: list[tuple[Subscription, list[Item]]], region_names: dict[str, str]
) -> Notification | None:
    """One subscriber's digest: each report once, with the events that came after the
    subscription that matched it was confirmed."""
    chosen: dict[int, tuple[Item, dt.datetime]] = {}
    for subscription, items in matched:
        for item in items:
            since = subscription.confirmed_at
            if item.report.pk in chosen:
                since = min(since, chosen[item.report.pk][1])
            chosen[item.report.pk] = (item, since)
    reports = []
    for item, since in chosen.values():
        events = [(at, entry) for at, entry in item.events if at >= since]
        if not events:
            continue
        report = item.report
        reports.append(
            {
                "tracking_number": report.tracking_number,
                "title": report.title,
                "url": subscriptions.absolute(
                    reverse("portal:report-detail", args=[report.tracking_number])
                ),
                "region": item.region_name,
                "category": item.category_name,
                "status": str(report.get_status_display()),
                "handler": display.handler_name(report),
                "is_new": item.is_new,
                "events": [entry for _at, entry in events],
                "last": events[-1][0].isoformat(),
            }
        )
    if not reports:
        return None
    reports.sort(key=lambda row: row["last"], reverse=True)
    shown, more = reports[:MAX_REPORTS_PER_DIGEST], len(reports) - MAX_REPORTS_PER_DIGEST
    all_url = subscriptions.unsubscribe_url(subscriptions.unsubscribe_all_token(subscriber))
    return Notification(
        audience="subscriber",
        channel=NotificationChannel.EMAIL,
        address=subscriber.email,
        template="alert_digest",
        context={
            "site_url": settings.SITE_URL,
            "reports": shown,
            "count": len(reports),
            "new_count": sum(1 for row in reports if row["is_new"]),
            "more": max(more, 0),
            "list_url": subscriptions.absolute(reverse("portal:report-list")),
        },
        # Unsubscribe links are credentials: encrypted with the other private values. The
        # one-click link (List-Unsubscribe) ends every subscription of the address.
        private_context=json.dumps(
            {
                "unsubscribe_url": all_url,
                "subscriptions": [
                    {
                        "description": subscriptions.describe(subscription, region_names),
                        "unsubscribe_url": subscriptions.unsubscribe_url(
                            subscriptions.unsubscribe_token(subscription)
                        ),
                    }
                    for subscription, _items in matched
                ],
            }
        ),
    )


def _queue(digests: list[Notification]) -> int:
    from aduan.notifications.tasks import deliver_notifications

    if not digests:
        return 0
    created = Notification.objects.bulk_create(digests)
    deliver_notifications.enqueue([notification.pk for notification in created])
    return len(created)


def _write_digests(items: dict[int, Item]) -> int:
    if not items:
        return 0
    index = _Index(items)
    # The names of every area a matching region subscription can name (one query).
    codes = {code for item in items.values() for code in (item.regency, item.district) if code}
    region_names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    pending: list[Notification] = []
    written = 0
    current = None
    matched: list[tuple[Subscription, list[Item]]] = []

    def close():
        nonlocal written, pending
        if current is not None and matched:
            digest = _digest(current, matched, region_names)
            if digest is not None:
                pending.append(digest)
        if len(pending) >= FLUSH_EVERY:
            written += _queue(pending)
            pending = []

    for subscription in _matching_subscriptions(items):
        if current is None or subscription.subscriber_id != current.pk:
            close()
            current, matched = subscription.subscriber, []
        hits = [item for item in index.candidates(subscription) if _matches(subscription, item)]
        if hits:
            matched.append((subscription, hits))
    close()
    return written + _queue(pending)


def _sequence_events() -> None:
    from aduan.federation import sequencer

    while sequencer.sequence() >= 5000:
        pass


def run_batch() -> tuple[int, int]:
    """One transaction: the events after the mark (at most BATCH), their digests, the new
    mark. Returns (events read, digests queued)."""
    with transaction.atomic():
        state = AlertState.objects.select_for_update().filter(pk=1).first()
        if state is None:
            return 0, 0
        events = list(
            ReportEvent.objects.filter(position__gt=state.position)
            .order_by("position")
            .only("id", "report_id", "type", "visibility", "at", "payload", "position")[:BATCH]
        )
        if not events:
            return 0, 0
        alerted = [
            event
            for event in events
            if event.visibility == Visibility.PUBLIC and event.type not in NOT_ALERTED
        ]
        with translation.override("id"):
            written = _write_digests(_items(alerted)) if alerted else 0
        state.position = events[-1].position
        state.save(update_fields=["position"])
    return len(events), written


def send_alerts(*, force: bool = False, now: dt.datetime | None = None) -> dict:
    """The worker's periodic job: at most once every `ALERTS_DIGEST_MINUTES` (always with
    `force`), read the new events and queue the digests; purge stale unconfirmed
    subscriptions."""
    now = now or timezone.now()
    summary = {"events": 0, "digests": 0, "purged": 0, "ran": False}
    with transaction.atomic():
        state = AlertState.objects.select_for_update().filter(pk=1).first()
        if state is None:
            # No subscription was ever confirmed: nothing to send, and no mark to keep.
            return summary
        every = dt.timedelta(minutes=settings.ALERTS_DIGEST_MINUTES)
        if not force and state.last_run_at and now - state.last_run_at < every:
            return summary
        state.last_run_at = now
        state.save(update_fields=["last_run_at"])
    summary["ran"] = True
    _sequence_events()
    for _batch in range(MAX_BATCHES_PER_RUN):
        read, written = run_batch()
        summary["events"] += read
        summary["digests"] += written
        if read < BATCH:
            break
    summary["purged"] = subscriptions.purge_unconfirmed(now)
    if summary["digests"]:
        logger.info("alerts: %s digest(s) from %s event(s)", summary["digests"], summary["events"])
    return summary
