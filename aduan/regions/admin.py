from django.contrib import admin

from .models import GeoPlace, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent", "timezone"]
    list_filter = ["level", "timezone"]
    # "^code" is a prefix search, so "64.08" lists Kutai Timur and everything in it.
    search_fields = ["^code", "name"]
    raw_id_fields = ["parent"]
    list_select_related = ["parent"]
    ordering = ["code"]


@admin.register(GeoPlace)
class GeoPlaceAdmin(admin.ModelAdmin):
    list_display = ["name", "latitude", "longitude", "regency", "district", "source"]
    list_filter = ["source"]
    search_fields = ["name", "^regency__code"]
    raw_id_fields = ["regency", "district"]
    list_select_related = ["regency", "district"]
