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

Rollups (`ROLLUPS`) are the same tables with fewer key columns: each row is the sum of the
rows of its base table that agree on the rollup's keys. They are kept by the same receiver
in the same statement, and `queries.table_for` reads the smallest one that holds every
column a query filters or groups by (an "aggregate navigator"), so a national view sums a
few thousand rows instead of one row per report.
"""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Now

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
            # A province's figures for one topic by type, channel and regency: no rollup
            # holds those columns together, so they come from here.
            models.Index(
                fields=["province_code", "category_id", "month"], name="stats_cube_place_topic"
            ),
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


# ------------------------------------------------------------------ rollups


def _rollup(
    name: str,
    base: type[models.Model],
    keys: tuple[str, ...],
    measures: tuple[str, ...],
    *,
    short: str,
    doc: str,
    indexes: dict[str, tuple[tuple[str, ...], Q | None]] | None = None,
) -> type[models.Model]:
    """A model summing `base` over `keys` (a subset of its key columns; the first is the
    month or day, by which `check_stats` compares), with `indexes` ({suffix: (fields,
    partial condition or None)}) named `stats_<short>_<suffix>`.

    Fields are copied from the base model so both always agree on types and defaults."""
    base_fields = {f.name for f in base._meta.fields}
    assert set(keys) <= base_fields and keys[0] in ("month", "day"), keys
    meta = type(
        "Meta",
        (),
        {
            "constraints": [models.UniqueConstraint(fields=keys, name=f"stats_{short}_key")],
            "indexes": [
                models.Index(
                    fields=list(fields), name=f"stats_{short}_{suffix}", condition=condition
                )
                for suffix, (fields, condition) in (indexes or {}).items()
            ],
        },
    )
    attrs = {"__module__": __name__, "__doc__": doc, "Meta": meta}
    for column in keys + measures:
        attrs[column] = base._meta.get_field(column).clone()
    return type(name, (models.Model,), attrs)


# The rollups below were chosen by measuring the benchmark database (1,000,000 generated
# reports; docs/STATISTICS.md, "Performance"): national and province views, with or
# without a topic, and every dashboard scope read rollups of at most ~90,000 rows (the
# topic durations: ~470,000) that their filters narrow further through an index. Regency
# and kecamatan views, a province's type/channel/regency charts for one topic, and the
# confidentiality flag read the base tables through their indexes. Every rollup keeps the category or the province (or both) so that simultaneous
# submissions rarely meet on one row: the row lock of an upsert is held to the commit.
_BY_PLACE = {"place": (("province_code", "month"), None)}
_BY_TOPIC = {"topic": (("category_id", "month"), None)}
_BY_AGENCY = {"agency": (("agency_id", "month"), None), "unit": (("unit_id", "month"), None)}

AgencyRollup = _rollup(
    "AgencyRollup",
    ReportCube,
    ("month", "province_code", "agency_id", "unit_id", "status"),
    CUBE_MEASURES,
    short="r_agency",
    doc="Reports by month, province, agency, unit and status: the figures per agency.",
)
TopicRollup = _rollup(
    "TopicRollup",
    ReportCube,
    ("month", "category_id", "report_type", "channel", "status"),
    CUBE_MEASURES,
    short="r_topic",
    doc="Reports by month, category, type, channel and status: national breakdowns.",
    indexes=_BY_TOPIC,
)
RegionRollup = _rollup(
    "RegionRollup",
    ReportCube,
    ("month", "province_code", "regency_code"),
    CUBE_MEASURES,
    short="r_region",
    doc="Reports by month, province and regency: the regencies of a province.",
    indexes=_BY_PLACE,
)
ProvinceRollup = _rollup(
    "ProvinceRollup",
    ReportCube,
    ("month", "province_code", "report_type", "channel", "status"),
    CUBE_MEASURES,
    short="r_province",
    doc="Reports by month, province, type, channel and status: a province's breakdowns.",
    indexes=_BY_PLACE,
)
ChannelRollup = _rollup(
    "ChannelRollup",
    ReportCube,
    ("month", "province_code", "agency_id", "unit_id", "report_type", "channel", "status"),
    CUBE_MEASURES,
    short="r_channel",
    doc="Reports by month, province, agency, unit, type, channel and status: the breakdowns "
    "of an agency or a unit.",
    indexes=_BY_PLACE | _BY_AGENCY,
)
AgencyTopicRollup = _rollup(
    "AgencyTopicRollup",
    ReportCube,
    ("month", "province_code", "category_id", "agency_id", "unit_id", "status"),
    CUBE_MEASURES,
    short="r_ag_topic",
    doc="Reports by month, province, category, agency, unit and status.",
    indexes=_BY_PLACE
    | _BY_TOPIC
    | _BY_AGENCY
    | {
        # Overdue and open reports "now" (whatever the period) for one topic.
        "overdue": (("category_id",), Q(overdue__gt=0)),
        "open": (("category_id",), Q(pending__gt=0)),
    },
)
AgencyDurations = _rollup(
    "AgencyDurations",
    DurationCube,
    ("month", "province_code", "agency_id", "unit_id", "measure", "bucket"),
    DURATION_MEASURES,
    short="r_dur",
    doc="Duration histograms by month, province, agency and unit.",
)
AgencyTopicDurations = _rollup(
    "AgencyTopicDurations",
    DurationCube,
    ("month", "province_code", "category_id", "agency_id", "unit_id", "measure", "bucket"),
    DURATION_MEASURES,
    short="r_dur_topic",
    doc="Duration histograms by month, province, category, agency and unit.",
    indexes=_BY_PLACE
    | _BY_AGENCY
    | {
        # A topic's histograms per agency are tens of thousands of cells: an index holding
        # every column the query reads (the count included) answers without the table.
        "topic": (("category_id", "month", "agency_id", "measure", "bucket", "reports"), None)
    },
)
AgencyFlow = _rollup(
    "AgencyFlow",
    DailyFlow,
    ("day", "province_code", "agency_id", "unit_id"),
    FLOW_MEASURES,
    short="r_flow",
    doc="Reports received and closed per day, province, agency and unit.",
)

# Rollup name -> (base table, model), smallest first within a base table: the navigator
# (`queries.table_for`) reads the first one that has every column a query needs.
ROLLUPS: dict[str, tuple[str, type[models.Model]]] = {
    "cube_agency": ("cube", AgencyRollup),
    "cube_topic": ("cube", TopicRollup),
    "cube_region": ("cube", RegionRollup),
    "cube_province": ("cube", ProvinceRollup),
    "cube_channel": ("cube", ChannelRollup),
    "cube_agency_topic": ("cube", AgencyTopicRollup),
    "duration_agency": ("duration", AgencyDurations),
    "duration_agency_topic": ("duration", AgencyTopicDurations),
    "flow_agency": ("flow", AgencyFlow),
}


class StatsDelta(models.Model):
    """A change to the aggregates not yet added to them: written by the action that
    changed a report, in the action's transaction, and folded into the aggregate tables by
    the worker (`deltas.fold`), which deletes it in the transaction that adds it.

    `rows` is the change to the base tables as JSON (`deltas.encode`): a list of
    `[table, [key ...], {measure: amount}]`, the rollups being derived when folding. A
    delta exists exactly as long as its change is committed and not yet in the tables,
    so the aggregates plus the pending deltas always equal a recount."""

    id = models.BigAutoField(primary_key=True)
    rows = models.TextField()
    created_at = models.DateTimeField(db_default=Now())

    def __str__(self) -> str:
        return f"delta {self.pk}"


class StatsFold(models.Model):
    """One row (id 1): up to when the aggregates are complete. `as_of` is a moment at which
    no delta committed earlier was still pending; the statistics pages show it."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    as_of = models.DateTimeField()

    def __str__(self) -> str:
        return f"statistics complete as of {self.as_of}"
