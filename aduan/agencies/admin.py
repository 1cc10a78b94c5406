from django.contrib import admin

from .models import Agency, CannedResponse, RoutingRule


class RoutingRuleInline(admin.TabularInline):
    model = RoutingRule
    fk_name = "agency"
    extra = 0
    raw_id_fields = ["category", "region", "unit"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "parent", "timezone", "is_active"]
    list_filter = ["kind", "is_active", "timezone"]
    search_fields = ["name", "short_name"]
    # Regions are many (83k villages): pick them by code, not from a list.
    raw_id_fields = ["parent", "jurisdiction"]
    filter_horizontal = ["categories"]
    inlines = [RoutingRuleInline]


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "category", "region", "agency", "unit", "priority", "is_active"]
    list_filter = ["is_active", "agency"]
    raw_id_fields = ["category", "region", "agency", "unit"]


@admin.register(CannedResponse)
class CannedResponseAdmin(admin.ModelAdmin):
    list_display = ["title", "agency"]
    list_filter = ["agency"]
    search_fields = ["title", "body"]
