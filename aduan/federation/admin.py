"""Peers, alerts and messages in the admin. Peers are paired with `manage.py pair_node`
(which checks the key's fingerprint); here they can be renamed, paused or resumed."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Message, Peer, SyncAlert
from .status import peer_status


@admin.register(Peer)
class PeerAdmin(admin.ModelAdmin):
    list_display = [
        "node_id",
        "role",
        "url",
        "is_active",
        "acked_position",
        "received_position",
        "backlog",
        "last_success_at",
        "failures",
        "last_error_at",
    ]
    list_filter = ["role", "is_active"]
    fields = [
        "node_id",
        "role",
        "name",
        "url",
        "is_active",
        "fingerprint",
        "public_key",
        "paired_at",
        "acked_position",
        "received_position",
        "last_success_at",
        "last_received_at",
        "failures",
        "next_attempt_at",
        "last_error",
        "last_error_at",
        "reference_synced_at",
        "last_reconciled_at",
        "last_reconcile_result",
    ]
    readonly_fields = [f for f in fields if f not in ("name", "url", "is_active")]

    def has_add_permission(self, request):
        return False  # pairing checks the fingerprint: manage.py pair_node

    def changelist_view(self, request, extra_context=None):
        from .status import node_status

        return super().changelist_view(request, {"status": node_status()} | (extra_context or {}))

    @admin.display(description=_("antrean"))
    def backlog(self, peer):
        from .sequencer import head_position

        return peer_status(peer, head_position(), timezone.now())["backlog_events"]


@admin.action(description=_("Tandai selesai ditangani"))
def resolve(modeladmin, request, queryset):
    queryset.filter(resolved_at__isnull=True).update(resolved_at=timezone.now())


@admin.register(SyncAlert)
class SyncAlertAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "peer", "report_uuid", "resolved_at"]
    list_filter = ["kind", "peer", "resolved_at"]
    readonly_fields = ["created_at", "kind", "peer", "report_uuid", "detail"]
    actions = [resolve]

    def has_add_permission(self, request):
        return False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "action", "target", "status", "attempts", "last_error"]
    list_filter = ["kind", "status", "target"]
    readonly_fields = [f.name for f in Message._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
