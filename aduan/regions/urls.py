from django.urls import path

from . import views

app_name = "regions"
urlpatterns = [
    path("cari.json", views.search, name="search"),
]
