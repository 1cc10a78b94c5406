from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import BlockKind, Message, SenderBlock


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Received messages: what happened to each. The sender and the text are personal
    data and are not shown here; staff read a report's messages in its workspace."""

    list_display = [
        "received_at",
        "channel",
        "gateway",
        "kind",
        "status",
        "command",
        "report",
        "outcome",
    ]
    list_filter = ["channel", "gateway", "kind", "status", "command"]
    exclude = ["sender", "text", "sender_lookup", "text_lookup"]
    readonly_fields = [
        "uuid",
        "channel",
        "gateway",
        "provider_id",
        "kind",
        "received_at",
        "status",
        "command",
        "report",
        "outcome",
    ]

    actions = ["block_senders"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Blokir pengirim pesan terpilih"))
    def block_senders(self, request, queryset):
        for channel, lookup in set(queryset.values_list("channel", "sender_lookup")):
            SenderBlock.objects.get_or_create(
                channel=channel,
                kind=BlockKind.BLOCKED,
                address_lookup=lookup,
                defaults={"reason": f"blocked by {request.user.username}"[:200]},
            )


@admin.register(SenderBlock)
class SenderBlockAdmin(admin.ModelAdmin):
    list_display = ["created_at", "channel", "kind", "reason"]
    list_filter = ["channel", "kind"]
    readonly_fields = ["address_lookup", "created_at"]

    def has_add_permission(self, request):
        # Added from a message ("block this sender"), since only the hash is stored.
        return False
