from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import PersonalDataAccess, Reporter, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "role", "agency", "home_node", "is_active", "last_login"]
    list_filter = ["role", "is_active", "home_node", "agency"]
    fieldsets = BaseUserAdmin.fieldsets + (
        ("Aduan", {"fields": ("role", "agency", "scope_region", "language", "home_node")}),
    )
    readonly_fields = ["home_node"]
    raw_id_fields = ["agency", "scope_region"]


@admin.register(Reporter)
class ReporterAdmin(admin.ModelAdmin):
    # Personal data is not shown in the admin: staff read it through the report
    # workspace, where each read is logged.
    list_display = ["uuid", "user", "contact_verified_at", "created_at"]
    exclude = ["name", "nik", "phone", "email", "email_lookup", "phone_lookup"]
    readonly_fields = ["uuid", "user", "contact_verified_at", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "reporter", "report", "fields", "purpose"]
    list_filter = ["purpose"]
    readonly_fields = ["at", "user", "reporter", "report", "fields", "purpose"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
