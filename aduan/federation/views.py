"""The federation endpoints under /federation/v1/ (docs/FEDERATION.md).

Everything but `hello` needs a request signed by a paired peer; every answer is signed.
Errors are JSON: {"error": <stable code>, "detail": <text>}."""

import datetime as dt
import json
import logging

from django.conf import settings
from django.db import OperationalError
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from aduan.reports.models import Report

from . import inbound, keys, messages, outbound, reconcile, reference, signing, wire
from .alerts import raise_alert
from .blobs import blob_for
from .models import AlertKind, Holding, NodeRole, Peer
from .relevance import Hosting

logger = logging.getLogger(__name__)


def _error(status: int, code: str, detail: str = "") -> JsonResponse:
    return JsonResponse({"error": code, "detail": detail}, status=status)


def signed(*methods: str):
    """Verify the peer's signature, run the view with the peer, sign the answer."""

    def decorate(view):
        @csrf_exempt
        @never_cache
        def wrapper(request, *args, **kwargs):
            nonce = request.headers.get(signing.NONCE, "")
            if request.method not in methods:
                return signing.sign_response(_error(405, "method_not_allowed"), nonce)
            try:
                peer = signing.verify_request(request)
            except signing.SignatureError as exc:
                if exc.code == "bad_signature":
                    raise_alert(
                        AlertKind.BAD_SIGNATURE,
                        peer=request.headers.get(signing.FROM, "")[:12],
                        detail=f"request to {request.path} with a bad signature",
                    )
                return signing.sign_response(_error(401, exc.code, str(exc)), nonce)
            try:
                response = view(request, peer, *args, **kwargs)
            except (ValueError, KeyError, TypeError) as exc:
                response = _error(400, "bad_request", f"{type(exc).__name__}: {exc}")
            return signing.sign_response(response, nonce)

        return wrapper

    return decorate


def _json(request) -> dict:
    data = json.loads(request.body or b"{}")
    if not isinstance(data, dict):
        raise ValueError("the body must be a JSON object")
    return data


@require_GET
@never_cache
def hello(request):
    """What a node says about itself to anyone: enough to pair with it."""
    public_key = keys.public_key_b64()
    return JsonResponse(
        {
            "node_id": settings.NODE_ID,
            "role": settings.NODE_ROLE,
            "url": settings.SITE_URL,
            "public_key": public_key,
            "fingerprint": keys.fingerprint(public_key),
            "protocol": [wire.PROTOCOL_VERSION],
        }
    )


@signed("POST")
def events(request, peer: Peer):
    try:
        position, stats = inbound.apply_batch(peer, _json(request))
    except inbound.CursorMismatch as exc:
        return JsonResponse({"error": "cursor_mismatch", "position": exc.position}, status=409)
    except inbound.RetryLater as exc:
        # Most often reference data this node has not pulled yet: pull it next round.
        Peer.objects.filter(pk=peer.pk).update(reference_etag="", reference_synced_at=None)
        return _error(503, "retry_later", str(exc))
    except inbound.Refused as exc:
        raise_alert(AlertKind.REFUSED, peer=peer.node_id, detail=str(exc))
        return _error(422, "refused", str(exc))
    return JsonResponse(
        {
            "position": position,
            "applied": stats.applied,
            "duplicates": stats.duplicates,
            "kept_aside": stats.kept_aside,
        }
    )


@signed("GET")
def cursor(request, peer: Peer):
    return JsonResponse({"position": peer.received_position})


def may_hold(peer: Peer, report: Report) -> bool:
    if peer.role == NodeRole.CENTRAL:
        return True
    if Holding.objects.filter(node=peer.node_id, report=report).exists():
        return True
    row = {
        "owner_node": report.owner_node,
        "origin_node": report.origin_node,
        "agency_id": report.agency_id,
        "unit_id": report.unit_id,
        "region_id": report.region_id,
    }
    return peer.node_id in Hosting.load().nodes_for(row)


@signed("GET")
def report_events(request, peer: Peer, report_uuid):
    report = Report.objects.filter(uuid=report_uuid).first()
    if report is None or not may_hold(peer, report):
        return _error(404, "not_found")
    after = max(0, int(request.GET.get("after", "0")))
    return JsonResponse(
        {"v": wire.PROTOCOL_VERSION} | outbound.bundle(peer, {report.pk: after + 1}, echo=True)
    )


@signed("POST")
def repair(request, peer: Peer):
    try:
        stats = inbound.apply_bundle(peer, _json(request))
    except inbound.RetryLater as exc:
        return _error(503, "retry_later", str(exc))
    except inbound.Refused as exc:
        raise_alert(AlertKind.REFUSED, peer=peer.node_id, detail=str(exc))
        return _error(422, "refused", str(exc))
    return JsonResponse({"applied": stats.applied, "kept_aside": stats.kept_aside})


@signed("GET")
def blob(request, peer: Peer, sha256: str):
    attachment = blob_for(peer, sha256.lower())
    if attachment is None:
        return _error(404, "not_found")
    with attachment.file.open("rb") as handle:
        content = handle.read()
    return HttpResponse(content, content_type="application/octet-stream")


@signed("POST")
def message(request, peer: Peer):
    try:
        outcome = messages.apply_message(peer, _json(request))
    except inbound.Refused as exc:
        return JsonResponse({"status": "refused", "reason": str(exc)})
    except OperationalError as exc:
        # A deadlock broken against this transaction (shared statistics rows): nothing was
        # applied, the sender delivers the message again.
        return _error(503, "retry_later", str(exc))
    return JsonResponse(outcome)


@signed("GET")
def reference_data(request, peer: Peer):
    data = reference.export_reference()
    if request.GET.get("etag") == data["etag"]:
        return JsonResponse({"unchanged": True, "etag": data["etag"]})
    return JsonResponse(data)


@signed("POST")
def reconcile_days(request, peer: Peer):
    data = _json(request)
    days = data.get("days") or {}
    if not isinstance(days, dict):
        raise ValueError("days must be an object")
    span = data.get("span") or ["", ""]
    if (
        not isinstance(span, list)
        or len(span) != 2
        or not all(isinstance(day, str) for day in span)
    ):
        raise ValueError("span must be [after, through]")
    for day in span:
        if day:
            dt.date.fromisoformat(day)  # ValueError: refused as malformed
    return JsonResponse(reconcile.answer(peer, days, deep=bool(data.get("deep")), span=tuple(span)))
