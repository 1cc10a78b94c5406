"""Incrementally maintained aggregates of reports (docs/STATISTICS.md).

Every report contributes to exactly one row of `ReportCube`, to at most one row of
`DurationCube` per measured duration, and to at most three rows of `DailyFlow`. The
`report_changed` signal (sent inside each domain action's transaction) subtracts the
report's old contribution and adds the new one (`maintenance.py`), so the tables always
equal a recount from the reports table (`manage.py check_stats`).

Key columns never hold NULL ("" or 0 mean "none") so that the unique constraint also
holds for reports without a region, category, agency or unit, and an upsert finds its row.
Ids are plain integers rather than foreign keys: an aggregate must not block deleting a
category or an agency, and joins are done in Python from small reference tables.
"""

from django.db import models
from django.db.models import Q

# Columns that identify a cube row, in the order of the unique constraint.
CUBE_KEYS = (
    "month",
    "province_code",
    "regency_code",
    "district_code",
    "category_id",
    "agency_id",
    "unit_id",
    "report_type",
    "channel",
    "status",
    "is_confidential",
)
CUBE_MEASURES = (
    "reports",
    "pending",
    "closed",
    "handled",
    "forwarded",
    "responded",
    "responded_on_time",
    "unanswered_overdue",
    "closed_on_time",
    "overdue",
    "escalated",
    "anonymous",
    "rated",
    "rating_sum",
)

DURATION_KEYS = (
    "month",
    "province_code",
    "regency_code",
    "district_code",
    "category_id",
    "agency_id",
    "unit_id",
    "report_type",
    "measure",
    "bucket",
)
DURATION_MEASURES = ("reports",)

FLOW_KEYS = ("day", "province_code", "regency_code", "agency_id", "unit_id")
FLOW_MEASURES = ("received", "closed", "ended")


class ReportCube(models.Model):
    """Report counts and deadline measures by submission month and every dimension the
    statistics pages filter or group by."""

    # First day of the submission month, in Western Indonesian Time (Asia/Jakarta).
    month = models.DateField()
    province_code = models.CharField(max_length=2, blank=True)
    regency_code = models.CharField(max_length=5, blank=True)
    # The kecamatan (first 8 characters of a district or village code), "" when coarser.
    district_code = models.CharField(max_length=8, blank=True)
    category_id = models.IntegerField(default=0)
    agency_id = models.IntegerField(default=0)
    unit_id = models.IntegerField(default=0)
    report_type = models.CharField(max_length=24)
    channel = models.CharField(max_length=12)
    status = models.CharField(max_length=16)
    is_confidential = models.BooleanField(default=False)

    reports = models.IntegerField(default=0)
    # Derived from the status, stored so that a grouping need not also group by status:
    # still open; closed (Selesai); forwarded to an agency and not withdrawn (the
    # denominator of the completion rate).
    pending = models.IntegerField(default=0)
    closed = models.IntegerField(default=0)
    handled = models.IntegerField(default=0)
    # Disposed to an agency at least once (dispositioned_at is set).
    forwarded = models.IntegerField(default=0)
    # Has a first follow-up, and got it no later than its first-response deadline.
    responded = models.IntegerField(default=0)
    responded_on_time = models.IntegerField(default=0)
    # Still waiting for a first follow-up while flagged overdue.
    unanswered_overdue = models.IntegerField(default=0)
    # Closed (Selesai) no later than the completion deadline.
    closed_on_time = models.IntegerField(default=0)
    overdue = models.IntegerField(default=0)
    escalated = models.IntegerField(default=0)
    anonymous = models.IntegerField(default=0)
    rated = models.IntegerField(default=0)
    rating_sum = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=CUBE_KEYS, name="stats_cube_key")]
        indexes = [
            models.Index(
                fields=["province_code", "regency_code", "month"], name="stats_cube_region"
            ),
            models.Index(fields=["agency_id", "month"], name="stats_cube_agency"),
            models.Index(fields=["unit_id", "month"], name="stats_cube_unit"),
            # The public list of agencies with overdue reports reads only these rows.
            models.Index(
                fields=["agency_id", "unit_id"],
                name="stats_cube_overdue",
                condition=Q(overdue__gt=0),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.regency_code or self.province_code} {self.status}"


class DurationCube(models.Model):
    """Histograms of durations, so that medians can be computed from aggregates.

    measure "first_response": hours from disposition to the first follow-up;
    measure "closure": hours from submission to closing (status Selesai).
    `bucket` indexes `buckets.BOUNDS_HOURS`."""

    month = models.DateField()
    province_code = models.CharField(max_length=2, blank=True)
    regency_code = models.CharField(max_length=5, blank=True)
    district_code = models.CharField(max_length=8, blank=True)
    category_id = models.IntegerField(default=0)
    agency_id = models.IntegerField(default=0)
    unit_id = models.IntegerField(default=0)
    report_type = models.CharField(max_length=24)
    measure = models.CharField(max_length=16)
    bucket = models.SmallIntegerField()
    reports = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=DURATION_KEYS, name="stats_duration_key")]
        indexes = [
            models.Index(
                fields=["province_code", "regency_code", "month"], name="stats_duration_region"
            ),
            models.Index(fields=["agency_id", "month"], name="stats_duration_agency"),
            models.Index(fields=["unit_id", "month"], name="stats_duration_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.measure}[{self.bucket}]"


class DailyFlow(models.Model):
    """Reports received and closed per day (Asia/Jakarta), for "incoming vs closed"."""

    day = models.DateField()
    province_code = models.CharField(max_length=2, blank=True)
    regency_code = models.CharField(max_length=5, blank=True)
    agency_id = models.IntegerField(default=0)
    unit_id = models.IntegerField(default=0)
    # Submitted that day (attributed to the report's current agency and unit).
    received = models.IntegerField(default=0)
    # Closed (Selesai) that day.
    closed = models.IntegerField(default=0)
    # Archived or withdrawn that day.
    ended = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=FLOW_KEYS, name="stats_flow_key")]
        indexes = [
            models.Index(fields=["agency_id", "day"], name="stats_flow_agency"),
            models.Index(fields=["unit_id", "day"], name="stats_flow_unit"),
            models.Index(fields=["province_code", "regency_code", "day"], name="stats_flow_region"),
        ]

    def __str__(self) -> str:
        return f"{self.day} +{self.received} -{self.closed}"
