from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .intake import address_key
from .models import BlockKind, ChannelName, Message, SenderBlock


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


class SenderBlockForm(forms.ModelForm):
    """A block typed in by hand: the number or address is turned into its keyed hash on
    save and never stored (`intake.address_key`, the same key a message's sender gets)."""

    address = forms.CharField(
        label=_("Nomor telepon atau alamat surel"),
        max_length=254,
        help_text=_(
            "Tidak disimpan: hanya sidik kuncinya. Nomor boleh ditulis 0812..., +62812... "
            "atau 62812..."
        ),
    )

    class Meta:
        model = SenderBlock
        fields = ["channel", "kind", "reason"]

    def clean(self):
        cleaned = super().clean()
        channel, address = cleaned.get("channel"), cleaned.get("address", "")
        if not channel or not address:
            return cleaned
        stored, lookup = address_key(channel, address)
        if not stored:
            self.add_error(
                "address",
                _("Nomor atau alamat ini tidak sah untuk kanal %(channel)s.")
                % {"channel": ChannelName(channel).label},
            )
            return cleaned
        exists = SenderBlock.objects.filter(
            channel=channel, kind=cleaned.get("kind"), address_lookup=lookup
        )
        if exists.exists():
            self.add_error("address", _("Pengirim ini sudah ada di daftar."))
        self.instance.address_lookup = lookup
        return cleaned


@admin.register(SenderBlock)
class SenderBlockAdmin(admin.ModelAdmin):
    """Blocked senders and those who sent BERHENTI. A block is added from a message
    ("block the senders of the selected messages") or typed in here by hand."""

    list_display = ["created_at", "channel", "kind", "reason"]
    list_filter = ["channel", "kind"]
    readonly_fields = ["address_lookup", "created_at"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = SenderBlockForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["channel", "kind", "address", "reason"]
        return ["channel", "kind", "reason", "address_lookup", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["channel", "kind", "address_lookup", "created_at"]
