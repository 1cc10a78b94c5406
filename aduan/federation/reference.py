"""Reference data flows from the node that is its authority.

- Central is the authority for the category tree and for every agency that is not a unit
  of a government hosted on a regional node, including which node hosts an agency.
- A regional node is the authority for the units of the governments it hosts and for the
  routing rules of those governments.

Each node publishes what it is the authority for (`export_reference`) with an ETag; a
peer pulls it (`sync_reference`), applies it idempotently by global key, and deactivates
what the authority no longer lists (rows are never deleted: reports point at them).
Regions themselves are loaded on every node from the same published data file."""

import hashlib
import json

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from aduan.agencies.models import Agency, AgencyKind, RoutingRule
from aduan.categories.models import Category
from aduan.regions.models import Region

from . import client
from .models import NodeRole, Peer


def _is_regional_unit(agency: Agency) -> bool:
    return agency.kind == AgencyKind.UNIT and bool(agency.parent_id and agency.parent.node)


def _agency_wire(agency: Agency) -> dict:
    return {
        "uuid": str(agency.uuid),
        "name": agency.name,
        "short_name": agency.short_name,
        "kind": agency.kind,
        "parent": str(agency.parent.uuid) if agency.parent_id else None,
        "jurisdiction": sorted(r.code for r in agency.jurisdiction.all()),
        "categories": sorted(c.slug for c in agency.categories.all()),
        "timezone": agency.timezone,
        "verifies_own_region": agency.verifies_own_region,
        "email": agency.email,
        "is_active": agency.is_active,
        "node": agency.node,
    }


def export_reference() -> dict:
    agencies = Agency.objects.select_related("parent").prefetch_related(
        "jurisdiction", "categories"
    )
    data: dict = {"node": settings.NODE_ID, "role": settings.NODE_ROLE}
    if settings.NODE_ROLE == NodeRole.CENTRAL:
        data["categories"] = [
            {
                "slug": c.slug,
                "name": c.name,
                "name_en": c.name_en,
                "parent": c.parent.slug if c.parent_id else None,
                "is_active": c.is_active,
                "sort_order": c.sort_order,
            }
            # Roots first, so that a receiver always knows a child's parent.
            for c in sorted(
                Category.objects.select_related("parent"),
                key=lambda c: (c.parent_id is not None, c.pk),
            )
        ]
        data["agencies"] = [_agency_wire(a) for a in agencies if not _is_regional_unit(a)]
        data["rules"] = []
    else:
        hosted = [a for a in agencies if a.kind == AgencyKind.UNIT and a.parent_id]
        hosted = [a for a in hosted if a.parent.node == settings.NODE_ID]
        data["categories"] = []
        data["agencies"] = [_agency_wire(a) for a in hosted]
        data["rules"] = [
            {
                "uuid": str(rule.uuid),
                "category": rule.category.slug if rule.category_id else None,
                "region": rule.region_id,
                "agency": str(rule.agency.uuid),
                "unit": str(rule.unit.uuid) if rule.unit_id else None,
                "priority": rule.priority,
                "is_active": rule.is_active,
                "note": rule.note,
            }
            for rule in RoutingRule.objects.filter(agency__node=settings.NODE_ID).select_related(
                "category", "agency", "unit"
            )
        ]
    body = json.dumps(data, sort_keys=True, separators=(",", ":"))
    data["etag"] = hashlib.sha256(body.encode()).hexdigest()
    return data


def sync_reference(peer: Peer, *, force: bool = False) -> bool:
    """Pull `peer`'s reference data if it changed; True when something was applied."""
    params = {} if force or not peer.reference_etag else {"etag": peer.reference_etag}
    status, data = client.call(peer, "GET", "/reference", params=params)
    if status == 304 or (isinstance(data, dict) and data.get("unchanged")):
        Peer.objects.filter(pk=peer.pk).update(reference_synced_at=timezone.now())
        return False
    if status != 200:
        raise client.PeerError(f"reference: HTTP {status}", status=status, data=data)
    apply_reference(peer, data)
    Peer.objects.filter(pk=peer.pk).update(
        reference_etag=data.get("etag", ""), reference_synced_at=timezone.now()
    )
    peer.reference_etag = data.get("etag", "")
    return True


@transaction.atomic
def apply_reference(peer: Peer, data: dict) -> None:
    if peer.role == NodeRole.CENTRAL:
        _apply_categories(data.get("categories") or [])
        _apply_agencies(peer, data.get("agencies") or [], units_only=False)
    else:
        _apply_agencies(peer, data.get("agencies") or [], units_only=True)
        _apply_rules(peer, data.get("rules") or [])


def _apply_categories(rows: list[dict]) -> None:
    by_slug = {c.slug: c for c in Category.objects.all()}
    listed = set()
    for row in sorted(rows, key=lambda r: r.get("parent") is not None):
        listed.add(row["slug"])
        category = by_slug.get(row["slug"]) or Category(slug=row["slug"])
        category.name = row["name"]
        category.name_en = row.get("name_en", "")
        category.parent = by_slug.get(row["parent"]) if row.get("parent") else None
        category.is_active = row.get("is_active", True)
        category.sort_order = row.get("sort_order", 0)
        category.save()
        by_slug[category.slug] = category
    Category.objects.exclude(slug__in=listed).update(is_active=False)


def _apply_agencies(peer: Peer, rows: list[dict], *, units_only: bool) -> None:
    by_uuid = {str(a.uuid): a for a in Agency.objects.all()}
    categories = {c.slug: c for c in Category.objects.all()}
    pending = list(rows)
    # Parents before children, whatever the order of the list.
    for _ in range(4):
        later = []
        for row in pending:
            parent = by_uuid.get(row["parent"]) if row.get("parent") else None
            if row.get("parent") and parent is None:
                later.append(row)
                continue
            if units_only and (
                row["kind"] != AgencyKind.UNIT or parent is None or parent.node != peer.node_id
            ):
                continue  # a regional node speaks only for the units of what it hosts
            agency = by_uuid.get(row["uuid"]) or Agency(uuid=row["uuid"])
            agency.name = row["name"]
            agency.short_name = row.get("short_name", "")
            agency.kind = row["kind"]
            agency.parent = parent
            agency.timezone = row.get("timezone", agency.timezone)
            agency.verifies_own_region = bool(row.get("verifies_own_region"))
            agency.email = row.get("email", "")
            agency.is_active = bool(row.get("is_active", True))
            agency.node = row.get("node", "")
            agency.save()
            agency.jurisdiction.set(Region.objects.filter(code__in=row.get("jurisdiction", [])))
            agency.categories.set(
                [categories[s] for s in row.get("categories", []) if s in categories]
            )
            by_uuid[row["uuid"]] = agency
        pending = later
        if not pending:
            break


def _apply_rules(peer: Peer, rows: list[dict]) -> None:
    agencies = {str(a.uuid): a for a in Agency.objects.filter(node=peer.node_id)}
    agencies |= {str(a.uuid): a for a in Agency.objects.filter(parent__node=peer.node_id)}
    categories = {c.slug: c for c in Category.objects.all()}
    listed = set()
    for row in rows:
        agency = agencies.get(row["agency"])
        if agency is None:
            continue
        rule = RoutingRule.objects.filter(uuid=row["uuid"]).first() or RoutingRule(uuid=row["uuid"])
        rule.agency = agency
        rule.unit = agencies.get(row["unit"]) if row.get("unit") else None
        rule.category = categories.get(row["category"]) if row.get("category") else None
        rule.region = (
            Region.objects.filter(code=row["region"]).first() if row.get("region") else None
        )
        rule.priority = row.get("priority", 100)
        rule.is_active = bool(row.get("is_active", True))
        rule.note = row.get("note", "")[:200]
        rule.save()
        listed.add(row["uuid"])
    RoutingRule.objects.filter(agency__node=peer.node_id).exclude(uuid__in=listed).update(
        is_active=False
    )
