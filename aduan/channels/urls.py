from django.urls import path

from . import views

urlpatterns = [
    path("<slug:channel>/<slug:name>/inbound", views.inbound, name="channels-inbound"),
    path(
        "<slug:channel>/<slug:name>/status",
        views.delivery_report,
        name="channels-delivery-report",
    ),
]
