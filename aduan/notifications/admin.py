from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import DeadLetter, Notification, NotificationStatus


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "template",
        "channel",
        "audience",
        "status",
        "attempts",
        "delivery_status",
    ]
    list_filter = ["status", "channel", "delivery_status", "template", "audience"]
    # The address is personal data: never listed, searched or shown here.
    exclude = ["address", "private_context"]
    readonly_fields = [
        "report",
        "recipient_user",
        "audience",
        "channel",
        "template",
        "context",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "sent_at",
        "provider_id",
        "delivery_status",
        "delivery_updated_at",
        "fallback_of",
    ]


@admin.register(DeadLetter)
class DeadLetterAdmin(NotificationAdmin):
    """Messages given up for good, with the reason; an admin may send them again (after
    fixing the gateway's settings, say)."""

    list_display = ["created_at", "template", "channel", "audience", "attempts", "last_error"]
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Kirim ulang"))
    def send_again(self, request, queryset):
        from .tasks import deliver_notifications

        ids = list(queryset.values_list("pk", flat=True))
        Notification.objects.filter(pk__in=ids).update(
            status=NotificationStatus.PENDING, attempts=0, next_attempt_at=None
        )
        deliver_notifications.enqueue(ids)
