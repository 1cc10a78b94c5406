"""Two small tables of the bare reference, created by `bench/intake.py` (`ensure_tables`)
in the benchmark database and emptied after each run; not Aduan's tables."""

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


TABLES_SQL = [
    "CREATE SEQUENCE IF NOT EXISTS bench_bare_tracking_seq",
    "CREATE TABLE IF NOT EXISTS bench_bare_report (id bigserial PRIMARY KEY, "
    "tracking_number varchar(32) NOT NULL UNIQUE, title varchar(200) NOT NULL, "
    "body text NOT NULL, region_code varchar(13) NOT NULL, "
    "submitted_at timestamptz NOT NULL)",
    "CREATE TABLE IF NOT EXISTS bench_bare_event (id bigserial PRIMARY KEY, "
    "report_id bigint NOT NULL REFERENCES bench_bare_report (id) ON DELETE CASCADE, "
    "kind varchar(24) NOT NULL, at timestamptz NOT NULL)",
    "CREATE INDEX IF NOT EXISTS bench_bare_event_report ON bench_bare_event (report_id)",
]
DROP_SQL = [
    "DROP TABLE IF EXISTS bench_bare_event",
    "DROP TABLE IF EXISTS bench_bare_report",
    "DROP SEQUENCE IF EXISTS bench_bare_tracking_seq",
]
