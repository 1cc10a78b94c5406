from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "aduan.alerts"
    label = "alerts"
