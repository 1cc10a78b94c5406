"""The checkpoint a peer node sends (signed like every federation request), and the
newest checkpoint of this node for anyone (the public statistics and open data link it)."""

from django.http import JsonResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from aduan.federation.views import _json, signed

from . import checkpoints
from .models import PeerCheckpoint


@signed("POST")
def receive_checkpoint(request, peer):
    body = _json(request)
    if not checkpoints.checkpoint_from_peer(body, peer.public_key) or body["node"] != peer.node_id:
        return JsonResponse(
            {
                "error": "bad_checkpoint",
                "detail": "Titik periksa tidak sah atau tidak ditandatangani simpul ini. / "
                "The checkpoint is malformed or not signed by this node.",
            },
            status=400,
        )
    PeerCheckpoint.objects.get_or_create(
        node=peer.node_id, number=body["number"], defaults={"body": body}
    )
    return JsonResponse({"stored": True})


@require_GET
@cache_control(public=True, max_age=300)
def latest(request):
    body = checkpoints.latest_public()
    if body is None:
        return JsonResponse({"detail": "Belum ada titik periksa. / No checkpoint yet."}, status=404)
    response = JsonResponse(body, json_dumps_params={"indent": 2})
    response["Content-Disposition"] = 'inline; filename="rantai-audit.json"'
    return response
