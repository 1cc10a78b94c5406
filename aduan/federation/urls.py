from django.urls import path

from aduan.audit import views as audit_views

from . import views

app_name = "federation"

urlpatterns = [
    path("hello", views.hello, name="hello"),
    path("events", views.events, name="events"),
    path("cursor", views.cursor, name="cursor"),
    path("reports", views.repair, name="repair"),
    path("reports/<uuid:report_uuid>/events", views.report_events, name="report-events"),
    path("blobs/<str:sha256>", views.blob, name="blob"),
    path("messages", views.message, name="messages"),
    path("reference", views.reference_data, name="reference"),
    path("reconcile", views.reconcile_days, name="reconcile"),
    # A peer's signed audit checkpoint, kept here out of its own database's reach.
    path("checkpoints", audit_views.receive_checkpoint, name="checkpoints"),
]
