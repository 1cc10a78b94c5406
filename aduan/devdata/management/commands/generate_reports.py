"""Generate realistic synthetic reports at national scale, for benchmarks.

    python manage.py generate_reports --count 1000000 [--seed 7] [--batch 5000]

Needs `load_regions`, `seed_categories` and `seed_demo` first (the demo agencies, units and
staff handle the reports; one provincial government per other province is added).

This is a data generator, like restoring a backup: it writes rows in bulk instead of
running one transaction per action (PostgreSQL COPY for reports and events, one
executemany INSERT on SQLite) in batches of `--batch` reports, so memory stays bounded.
The rows are nevertheless what the domain computes: the events come from
`aduan.reports.events.chain_event` (checked by `verify_audit_chain`), the deadlines from
`aduan.reports.deadlines` (see aduan/devdata/synthetic.py), and tracking numbers from a
reserved range of the node's sequence. Rows are written as built, `created_at` and
`updated_at` included (the submission and the last event). No notifications are sent and
`report_changed` is not fired: run `rebuild_stats` afterwards (done automatically when the
statistics app is installed).
"""

import datetime as dt
import io
import json
import random
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction

from aduan.accounts.crypto import lookup_hash
from aduan.accounts.models import Reporter, Role, User
from aduan.agencies.models import Agency, AgencyKind
from aduan.categories.models import Category
from aduan.core import clock
from aduan.devdata import demo_data as demo
from aduan.devdata import synthetic
from aduan.regions.models import Region, RegionLevel
from aduan.reports.actors import Actor
from aduan.reports.models import Report, ReportEvent, TrackingCounter
from aduan.reports.tracking import format_number, sequence_name

REPORTER_POOL = 3000


def _copy_text(value) -> str:
    """One value in PostgreSQL COPY text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            value = (
                value.replace("\\", "\\\\")
                .replace("\t", "\\t")
                .replace("\n", "\\n")
                .replace("\r", "\\r")
            )
        return value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return _copy_text(json.dumps(value, separators=(",", ":"), ensure_ascii=False))
    if isinstance(value, int | Decimal | uuid.UUID):
        return str(value)
    return _copy_text(str(value))


def _copy_payload(fields, objects) -> str:
    """The objects' field values, as they are, in PostgreSQL COPY text format."""
    attnames = [f.attname for f in fields]
    buf = io.StringIO()
    write = buf.write
    for obj in objects:
        values = obj.__dict__
        write("\t".join([_copy_text(values[a]) for a in attnames]))
        write("\n")
    return buf.getvalue()


class Command(BaseCommand):
    help = "Generate N realistic synthetic reports with consistent events (bulk, for benchmarks)."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--batch", type=int, default=5000)
        parser.add_argument(
            "--no-stats", action="store_true", help="Do not run rebuild_stats afterwards."
        )

    def handle(self, *args, count, seed, batch, no_stats, **options):
        if count <= 0:
            raise CommandError("--count harus positif. / --count must be positive.")
        self._check_prerequisites()
        started = time.monotonic()
        world = self._world(seed)
        node = world.node
        now = clock.now()
        first_seq = self._reserve_tracking(node, count)
        first_id = self._reserve_ids(count)
        # The same seed on a fresh database gives the same reports; another run adds new
        # ones (the uuids depend on where the run starts).
        gen = synthetic.Generator(world, seed=f"{seed}-{first_id}", now=now)
        pg = connection.vendor == "postgresql"
        report_fields = list(Report._meta.concrete_fields)
        # Event ids come from the table's own sequence.
        event_fields = [f for f in ReportEvent._meta.concrete_fields if not f.primary_key]
        done = events_total = 0
        last_print = 0.0
        with BatchWriter() as writer:
            while done < count:
                size = min(batch, count - done)
                rows, events = [], []
                for i in range(size):
                    n = done + i
                    # The year in the number is the submission's year, as in submit_report;
                    # the per-node sequence runs on across years.
                    report, evs = gen.report_retrying(first_id + n, "")
                    report.tracking_number = format_number(
                        node, report.submitted_at.year, first_seq + n
                    )
                    rows.append(report)
                    events.extend(evs)
                writer.write([(Report, report_fields, rows), (ReportEvent, event_fields, events)])
                done += size
                events_total += len(events)
                elapsed = time.monotonic() - started
                if elapsed - last_print > 2 or done == count:
                    last_print = elapsed
                    self._progress(done, count, events_total, elapsed)
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"Selesai: {count} laporan dan {events_total} peristiwa dalam {elapsed:.1f} dtk. / "
            f"Done: {count} reports and {events_total} events in {elapsed:.1f} s."
        )
        if pg:
            with connection.cursor() as cursor:
                # VACUUM sets the visibility map after the bulk load, so counts and
                # keyset pages can use index-only scans (the inbox's verification-queue
                # count went from 26 ms to 0.4 ms at a million reports).
                # (VACUUM cannot run inside a transaction, e.g. in a test: then ANALYZE.)
                verb = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
                cursor.execute(f"{verb} {Report._meta.db_table}")
                cursor.execute(f"{verb} {ReportEvent._meta.db_table}")
        if not no_stats and apps.is_installed("aduan.stats"):
            t0 = time.monotonic()
            call_command("rebuild_stats", stdout=self.stdout)
            self.stdout.write(f"rebuild_stats: {time.monotonic() - t0:.1f} s")

    def _progress(self, done: int, count: int, events: int, elapsed: float) -> None:
        rate = done / elapsed if elapsed else 0
        eta = (count - done) / rate if rate else 0
        width = 30
        filled = int(width * done / count)
        self.stdout.write(
            f"[{'#' * filled}{'.' * (width - filled)}] {done:>9}/{count} laporan, "
            f"{events} peristiwa, {rate:,.0f} laporan/dtk, "
            f"ETA {eta:,.0f} dtk / reports, events, reports/s, ETA s"
        )
        sys.stdout.flush()

    # -- prerequisites and lookups ------------------------------------------------------

    def _check_prerequisites(self) -> None:
        missing = []
        if not Region.objects.filter(level=RegionLevel.REGENCY).exists():
            missing.append("load_regions")
        if not Category.objects.exists():
            missing.append("seed_categories")
        if (
            not Agency.objects.filter(name=demo.KUTIM.name).exists()
            or not User.objects.filter(username=demo.NATIONAL.admin).exists()
        ):
            missing.append("seed_demo")
        if missing:
            raise CommandError(
                "Jalankan dulu: " + ", ".join(missing) + " / Run first: " + ", ".join(missing)
            )

    def _world(self, seed: int) -> synthetic.World:
        national = Actor(user=User.objects.get(username=demo.NATIONAL.admin))
        categories = dict(Category.objects.values_list("slug", "id"))
        topics = [t for t in demo.TOPICS if t.category in categories]
        regions = {
            r.code: r
            for r in Region.objects.filter(level__lte=RegionLevel.DISTRICT).only(
                "code", "name", "level", "timezone", "parent_id"
            )
        }
        provinces = [r for r in regions.values() if r.level == RegionLevel.PROVINCE]
        regencies_of: dict[str, list] = {}
        districts_of: dict[str, list] = {}
        for r in regions.values():
            if r.level == RegionLevel.REGENCY:
                regencies_of.setdefault(r.code[:2], []).append(r)
            elif r.level == RegionLevel.DISTRICT:
                districts_of.setdefault(r.code[:5], []).append(r)
        agencies = self._province_agencies(provinces)
        kutim = Agency.objects.get(name=demo.KUTIM.name)
        kutim_units = list(Agency.objects.filter(parent=kutim, kind=AgencyKind.UNIT))
        officers, admins = {}, {}
        for user in User.objects.filter(
            role__in=[Role.UNIT_OFFICER, Role.AGENCY_ADMIN], agency__isnull=False, is_active=True
        ).order_by("id"):
            staff = officers if user.role == Role.UNIT_OFFICER else admins
            staff[user.agency_id] = Actor(user=user)
        samarinda = Agency.objects.filter(name=demo.SAMARINDA.name).first()
        places = []
        rng = random.Random(seed + 1)

        def title(name: str) -> str:
            return name.title() if name.isupper() else name

        def province_place(code, agency, units):
            regencies = regencies_of.get(code, [])

            def pick():
                regency = rng.choice(regencies)
                ds = districts_of.get(regency.code) or [regency]
                district = rng.choice(ds)
                owner, owner_units = agency, units
                if samarinda is not None and regency.code == "64.72":
                    owner = samarinda
                    owner_units = units_of.get(owner.pk, [])
                return synthetic.Target(
                    region=district,
                    region_label=f"Kecamatan {title(district.name)}",
                    district_name=title(district.name),
                    agency=owner,
                    units=owner_units,
                    admin=admins.get(owner.pk, national),
                    officers=officers,
                )

            return pick

        units_of: dict[int, list] = {}
        for unit in Agency.objects.filter(kind=AgencyKind.UNIT):
            units_of.setdefault(unit.parent_id, []).append(unit)
        total = 0.0
        for province in provinces:
            if not regencies_of.get(province.code):
                continue
            agency = agencies[province.code]
            weight = synthetic.PROVINCE_WEIGHTS.get(province.code, 3)
            total += weight
            places.append(
                (weight, province_place(province.code, agency, units_of.get(agency.pk, [])))
            )
        kutim_districts = [d for d in demo.KUTIM_DISTRICTS if d.code in regions]
        district_weights = [d.weight for d in kutim_districts]

        def kutim_place():
            d = rng.choices(kutim_districts, district_weights)[0]
            return synthetic.Target(
                region=regions[d.code],
                region_label=f"Kecamatan {d.name}",
                district_name=d.name,
                agency=kutim,
                units=kutim_units,
                admin=admins.get(kutim.pk, national),
                officers=officers,
                local=d,
            )

        if kutim_districts:
            places.append(
                (total * synthetic.KUTIM_SHARE / (1 - synthetic.KUTIM_SHARE), kutim_place)
            )
        return synthetic.World(
            national_admin=national,
            categories=categories,
            topics=topics,
            topic_weights=[t.weight for t in topics],
            places=places,
            reporter_ids=self._reporter_pool(seed),
            node=settings.NODE_ID.upper(),
        )

    def _province_agencies(self, provinces) -> dict:
        """The demo's Pemprov Kalimantan Timur, and one provincial government (with an
        agency admin) for each other province, created once."""
        by_name = {a.name: a for a in Agency.objects.filter(kind=AgencyKind.PROVINCE)}
        result = {}
        for province in provinces:
            name = (
                demo.KALTIM.name
                if province.code == "64"
                else f"Pemerintah Provinsi {province.name.title() if province.name.isupper() else province.name}"
            )
            agency = by_name.get(name)
            if agency is None:
                agency = Agency.objects.create(
                    name=name,
                    short_name=f"Pemprov {province.code}",
                    kind=AgencyKind.PROVINCE,
                    timezone=province.timezone,
                )
                agency.jurisdiction.add(province)
                user = User(
                    username=f"admin.prov{province.code}",
                    role=Role.AGENCY_ADMIN,
                    agency=agency,
                    first_name="Admin",
                    last_name=name[:150],
                )
                user.set_unusable_password()
                user.save()
            result[province.code] = agency
        return result

    def _reporter_pool(self, seed: int) -> list[int]:
        """A few thousand reporters, reused: encrypting personal data is the slow part."""
        existing = list(
            Reporter.objects.filter(user__isnull=True)
            .order_by("-id")
            .values_list("id", flat=True)[:REPORTER_POOL]
        )
        if len(existing) >= REPORTER_POOL:
            return existing
        rng = random.Random(seed + 2)
        new = []
        for _ in range(REPORTER_POOL - len(existing)):
            first = rng.choice(demo.GUEST_FIRST_NAMES)
            last = rng.choice(demo.GUEST_LAST_NAMES)
            email = f"{first}.{last}{rng.randint(1, 9999)}@example.com".lower()
            phone = rng.choice(demo.PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"
            reporter = Reporter(
                name=f"{first} {last}",
                nik="",
                email=email,
                phone=phone,
                contact_verified_at=clock.now(),
            )
            reporter.email_lookup = lookup_hash(email)
            reporter.phone_lookup = lookup_hash("62" + phone[1:])
            new.append(reporter)
        Reporter.objects.bulk_create(new, batch_size=1000)
        return existing + list(
            Reporter.objects.order_by("-id").values_list("id", flat=True)[: len(new)]
        )

    # -- reserved ranges ----------------------------------------------------------------

    def _reserve_tracking(self, node: str, count: int) -> int:
        """Reserve `count` numbers of the node's tracking sequence; return the first."""
        if connection.vendor == "postgresql":
            name = sequence_name(node)
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE SEQUENCE IF NOT EXISTS "{name}"')
                cursor.execute("SELECT pg_advisory_lock(hashtext(%s))", [name])
                try:
                    cursor.execute("SELECT nextval(%s)", [name])
                    first = cursor.fetchone()[0]
                    cursor.execute("SELECT setval(%s, %s)", [name, first + count - 1])
                finally:
                    cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [name])
            return first
        with transaction.atomic():
            counter, _ = TrackingCounter.objects.select_for_update().get_or_create(node=node)
            first = counter.value + 1
            counter.value += count
            counter.save(update_fields=["value"])
        return first

    def _reserve_ids(self, count: int) -> int:
        table = Report._meta.db_table
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
                seq = cursor.fetchone()[0]
                cursor.execute("SELECT pg_advisory_lock(hashtext(%s))", [seq])
                try:
                    cursor.execute("SELECT nextval(%s)", [seq])
                    first = cursor.fetchone()[0]
                    cursor.execute("SELECT setval(%s, %s)", [seq, first + count - 1])
                finally:
                    cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [seq])
                return first
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
            return cursor.fetchone()[0] + 1


class BatchWriter:
    """Writes each batch, reports then their events, in one transaction: COPY on
    PostgreSQL, one executemany INSERT elsewhere (not bulk_create, whose pre_save would
    replace `created_at`/`updated_at` with the current time). Values go in as built.

    On PostgreSQL outside a transaction (a benchmark run, not a test) a batch is written by
    a second thread, on its own connection, while the caller generates the next one:
    generating is CPU-bound Python and COPY mostly waits on the server, so on two cores the
    two overlap. At most one batch is in flight, so memory stays bounded; a failed write is
    raised in the caller at its next `write` or at the end of the `with` block."""

    def __init__(self):
        self.pg = connection.vendor == "postgresql"
        background = self.pg and not connection.in_atomic_block
        self.thread = ThreadPoolExecutor(max_workers=1) if background else None
        self.pending = None

    def __enter__(self) -> "BatchWriter":
        return self

    def write(self, tables) -> None:
        """`tables`: [(model, fields, objects)], written in this order."""
        if self.pg:
            # Formatted here: the writer thread then only waits on the server.
            tables = [
                (model, fields, _copy_payload(fields, objs)) for model, fields, objs in tables
            ]
        self._wait()
        if self.thread is None:
            self._write(tables)
        else:
            self.pending = self.thread.submit(self._write, tables)

    def __exit__(self, exc_type, exc, tb) -> bool:
        if self.thread is not None:
            try:
                if exc_type is None:
                    self._wait()
            finally:
                # The writer thread's connection is its own: close it there.
                self.thread.submit(lambda: connections[DEFAULT_DB_ALIAS].close())
                self.thread.shutdown(wait=True)
        return False

    def _wait(self) -> None:
        pending, self.pending = self.pending, None
        if pending is not None:
            pending.result()

    def _write(self, tables) -> None:
        with transaction.atomic():
            for model, fields, data in tables:
                (_copy if self.pg else _insert)(model, fields, data)


def _copy(model, fields, payload: str) -> None:
    connection.ensure_connection()
    columns = ", ".join(f.column for f in fields)
    sql = f"COPY {model._meta.db_table} ({columns}) FROM STDIN"
    # Raw psycopg: its errors are raised as Django's (IntegrityError, ...) like the ORM's.
    with (
        connection.wrap_database_errors,
        connection.connection.cursor() as cursor,
        cursor.copy(sql) as copy,
    ):
        copy.write(payload)


def _insert(model, fields, objects) -> None:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"
    rows = [
        [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields] for obj in objects
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
