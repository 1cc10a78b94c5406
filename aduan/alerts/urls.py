"""Alerts and feeds. Paths are Indonesian like the portal's; the links in the mails
(`langganan/konfirmasi/…`, `langganan/berhenti/…`) must never change."""

from django.urls import path

from . import feeds, views

app_name = "alerts"

urlpatterns = [
    path("langganan/", views.subscribe, name="subscribe"),
    path("langganan/terkirim/", views.subscribe_sent, name="subscribe-sent"),
    path("langganan/konfirmasi/<str:token>/", views.confirm, name="confirm"),
    path("langganan/berhenti/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("umpan/laporan/", feeds.reports_feed, name="reports-feed"),
    path("umpan/laporan/<str:tracking_number>/", feeds.report_timeline_feed, name="report-feed"),
]
