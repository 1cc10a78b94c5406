from django.contrib import admin
from django.http import HttpRequest

from .models import Holiday


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    # Tuples: immutable class attributes (ruff RUF012).
    list_display = ("date", "name", "kind", "region", "is_working_day", "created_by")
    list_filter = (
        "kind",
        "is_working_day",
        # Empty region = national; a filter listing every region would be too long.
        ("region", admin.EmptyFieldListFilter),
    )
    search_fields = ("name", "name_en", "region__code", "region__name")
    date_hierarchy = "date"
    raw_id_fields = ("region",)
    readonly_fields = ("created_by", "created_at")
    list_select_related = ("region", "created_by")

    def save_model(self, request: HttpRequest, obj: Holiday, form, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
