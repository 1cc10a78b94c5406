from django.contrib import admin

from .models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "prefix",
        "agency",
        "can_submit",
        "rate_limit_per_minute",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["can_submit", "agency"]
    search_fields = ["name", "prefix"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        # Keys are issued with `manage.py create_api_key` so the secret is shown once.
        return False
