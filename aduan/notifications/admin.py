from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "template", "channel", "audience", "status", "attempts"]
    list_filter = ["status", "channel", "template", "audience"]
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
    ]
