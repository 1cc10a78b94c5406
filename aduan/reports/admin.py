from django.contrib import admin

from .models import Attachment, Report, ReportEvent


class ReadOnlyEventInline(admin.TabularInline):
    model = ReportEvent
    extra = 0
    can_delete = False
    fields = ["seq", "type", "visibility", "actor_role", "at", "from_status", "to_status"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Read-only: every change of a report goes through the domain actions (the staff
    workspace), never through the admin, so the history stays complete."""

    list_display = [
        "tracking_number",
        "title",
        "status",
        "report_type",
        "agency",
        "unit",
        "submitted_at",
        "is_overdue",
    ]
    list_filter = [
        "status",
        "report_type",
        "channel",
        "is_overdue",
        "is_confidential",
        "is_anonymous",
    ]
    search_fields = ["tracking_number", "title"]
    date_hierarchy = "submitted_at"
    inlines = [ReadOnlyEventInline]
    exclude = ["reporter", "access_token_hash"]
    show_full_result_count = False
    list_select_related = ["agency", "unit"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name not in self.exclude]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["name", "report", "kind", "size", "visibility", "created_at"]
    list_filter = ["kind", "visibility"]
    readonly_fields = [
        "report",
        "event",
        "file",
        "name",
        "content_type",
        "extension",
        "kind",
        "size",
        "sha256",
        "visibility",
        "uploaded_by_reporter",
    ]

    def has_add_permission(self, request):
        return False
