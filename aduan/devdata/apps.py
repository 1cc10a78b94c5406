from django.apps import AppConfig


class DevdataConfig(AppConfig):
    name = "aduan.devdata"
    label = "devdata"
    verbose_name = "Development and benchmark data"
