from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "aduan.stats"
    label = "stats"
    verbose_name = "Statistik"

    def ready(self):
        from aduan.reports.signals import report_changed

        from .maintenance import on_report_changed

        report_changed.connect(on_report_changed, dispatch_uid="stats.on_report_changed")
