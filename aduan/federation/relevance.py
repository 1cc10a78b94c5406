"""Which nodes hold which report.

Central holds every report. A regional node holds the reports it owns or where they were
submitted, the reports disposed to an agency (or unit) it hosts, and the undisposed reports
in the jurisdiction of a hosted agency that verifies its own region. Once a node held a
report it keeps receiving its events (see `Holding`)."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q

from aduan.agencies.models import Agency, AgencyKind

from .models import NodeRole, Peer


def central_id() -> str:
    if settings.NODE_ROLE == NodeRole.CENTRAL:
        return settings.NODE_ID
    peer = Peer.objects.filter(role=NodeRole.CENTRAL).values_list("node_id", flat=True).first()
    return peer or ""


@dataclass
class Hosting:
    """Where each hosted agency works, and the delegated verification areas per node."""

    central: str
    node_of_agency: dict[int, str]
    verification_areas: list[tuple[str, tuple[str, ...]]]

    @classmethod
    def load(cls) -> "Hosting":
        central = central_id()
        # A unit works where its government works unless it says otherwise.
        node_of_agency = {}
        for pk, node, parent_node in Agency.objects.filter(
            Q(node__gt="") | Q(parent__node__gt="")
        ).values_list("pk", "node", "parent__node"):
            node_of_agency[pk] = node or parent_node
        areas = []
        verifying = (
            Agency.objects.exclude(node="")
            .exclude(kind=AgencyKind.UNIT)
            .filter(verifies_own_region=True, is_active=True)
            .prefetch_related("jurisdiction")
        )
        for agency in verifying:
            codes = tuple(r.code for r in agency.jurisdiction.all())
            if codes:
                areas.append((agency.node, codes))
        return cls(central, node_of_agency, areas)

    def node_of(self, agency_id: int | None) -> str:
        """The node that works for this agency (central for one not hosted elsewhere)."""
        if agency_id is None:
            return ""
        return self.node_of_agency.get(agency_id) or self.central

    def nodes_for(self, row: dict) -> set[str]:
        """Every node that should hold a report, from its values: owner_node,
        origin_node, agency_id, unit_id, region_id."""
        nodes = {self.central, row.get("owner_node") or "", row.get("origin_node") or ""}
        nodes.add(self.node_of(row.get("agency_id")))
        nodes.add(self.node_of(row.get("unit_id")))
        region = row.get("region_id") or ""
        if row.get("agency_id") is None and region:
            for node, codes in self.verification_areas:
                if any(region == c or region.startswith(c + ".") for c in codes):
                    nodes.add(node)
        nodes.discard("")
        return nodes


def owner_for_agency(agency: Agency | None) -> str:
    """The node that must own a report handled by `agency` (or its unit)."""
    if agency is None:
        return settings.NODE_ID
    node = agency.node or (agency.parent.node if agency.is_unit and agency.parent_id else "")
    return node or central_id() or settings.NODE_ID
