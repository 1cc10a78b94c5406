"""Two small tables of the bare reference, created by `bench/intake.py` (`bare/tables.py`)
in the benchmark database and dropped after each run; not Aduan's tables."""

from django.db import models


class BareReport(models.Model):
    tracking_number = models.CharField(max_length=32, unique=True)
    title = models.CharField(max_length=200)
    body = models.TextField()
    region_code = models.CharField(max_length=13)
    submitted_at = models.DateTimeField()

    class Meta:
        managed = False
        db_table = "bench_bare_report"

    def __str__(self) -> str:
        return self.tracking_number


class BareEvent(models.Model):
    report = models.ForeignKey(BareReport, on_delete=models.CASCADE)
    kind = models.CharField(max_length=24)
    at = models.DateTimeField()

    class Meta:
        managed = False
        db_table = "bench_bare_event"

    def __str__(self) -> str:
        return self.kind
