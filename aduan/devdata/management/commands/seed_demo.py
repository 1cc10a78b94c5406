"""Load the demo: Kutai Timur's government, staff and citizen accounts, and ~200 reports.

    python manage.py seed_demo                 # seed (idempotent; DEBUG only)
    python manage.py seed_demo --count 50      # fewer reports
    python manage.py seed_demo --print-logins  # the demo accounts and their password

Never for production: it refuses to run when DEBUG is off unless given --force, and every
demo account shares one password (DEMO_PASSWORD, default "aduan-demo-2026").

Idempotent: agencies, units, routing rules, canned responses and accounts are matched by
name or username and brought back to the demo state; reports are created only when no
demo report exists yet, all of them in one transaction, so an interrupted run leaves none.

Every report state is reached through the domain actions, as in production. To spread the
reports over the past four months, each action runs with the clock passed in
(`aduan.core.clock.frozen(moment)`): the actions, the audit events they append, the
automatic `created_at`/`updated_at` columns and the notification outbox all read that
clock, so every timestamp of a report agrees with its history. Afterwards the deadline
scan runs once at the real time, which flags overdue reports and escalates them exactly as
the worker would.
"""

import datetime as dt
import math
import os
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from string import Formatter
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import F, Max

from aduan.accounts.models import Reporter, Role, User
from aduan.agencies.models import Agency, AgencyKind, CannedResponse, RoutingRule
from aduan.agencies.routing import suggest_route
from aduan.categories.models import Category
from aduan.core import clock
from aduan.devdata import demo_data as demo
from aduan.notifications.models import Notification, NotificationStatus
from aduan.regions.models import Region, RegionLevel
from aduan.reports import actions
from aduan.reports.actors import Actor
from aduan.reports.models import Channel, Report, Status
from aduan.reports.sla import scan_deadlines

DEFAULT_PASSWORD = "aduan-demo-2026"  # noqa: S105 - the documented demo password
SEED = 2026
WITA = ZoneInfo("Asia/Makassar")
# Reports are spread over about this many days before now.
MAX_AGE_DAYS = 125
# Plans with these indexes always show a feature, so even `--count 30` has each of them:
# the second "submitted" report carries only a map pin (region to be suggested).
PINNED_INDEX = 12
ANONYMOUS_INDEXES = (2, 6)
CONFIDENTIAL_INDEX = 5
# ... and every channel: the first report is warga.sangatta's own (it marks the demo as
# loaded, see demo_reports_exist()), others come by phone, at the counter, over the API.
FORCED_MODES = {0: "account", 3: "phone", 7: "counter", 10: "api"}
# How reports arrive: a citizen's account (web or app), a guest on the web, staff entry at
# Diskominfo's counter or the call centre, a guest through a regional app's API.
REPORTER_MODES = {"account": 35, "guest": 35, "counter": 10, "phone": 10, "api": 10}


def demo_password() -> str:
    return os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD


# ---------------------------------------------------------------------------- organisation


@dataclass
class Organisation:
    agencies: dict[str, Agency] = field(default_factory=dict)
    units: dict[str, Agency] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    # agency pk -> its admin; unit pk -> its officer
    admin_of: dict[int, User] = field(default_factory=dict)
    officer_of: dict[int, User] = field(default_factory=dict)
    categories: dict[str, Category] = field(default_factory=dict)
    citizens: list[User] = field(default_factory=list)

    @property
    def national_admin(self) -> User:
        return self.users[demo.NATIONAL.admin]

    def handler(self, report: Report) -> User:
        """Whoever works on the report now: the unit's officer, else the agency's admin."""
        if report.unit_id:
            return self.officer_of[report.unit_id]
        return self.admin_of[report.agency_id]


def _regions(codes) -> list[Region]:
    return list(Region.objects.filter(code__in=list(codes)).order_by("code"))


def _upsert_agency(name: str, kind: str, parent: Agency | None, **fields) -> Agency:
    agency, _ = Agency.objects.update_or_create(
        name=name, kind=kind, parent=parent, defaults={**fields, "is_active": True}
    )
    return agency


class UserFactory:
    """Creates demo users with the demo password, hashing it once (Argon2 is slow by
    design; two dozen accounts would otherwise cost seconds). Existing accounts keep
    their password but get their demo role, agency and names back."""

    def __init__(self, password: str):
        self._password = password
        self._hash: str | None = None

    def upsert(self, username: str, role: str, **fields) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            if self._hash is None:
                self._hash = make_password(self._password)
            user = User(username=username, password=self._hash)
        user.role = role
        user.is_active = True
        for name, value in fields.items():
            setattr(user, name, value)
        user.save()
        return user


def build_organisation(write) -> Organisation:
    """Agencies, units, routing rules, canned responses and accounts (idempotent)."""
    org = Organisation()
    org.categories = {c.slug: c for c in Category.objects.all()}
    missing_categories = {
        slug
        for spec in demo.AGENCIES
        for unit in spec.units
        for slug in unit.categories
        if slug not in org.categories
    }
    if missing_categories:
        raise CommandError(f"Kategori belum ada / categories missing: {sorted(missing_categories)}")
    factory = UserFactory(demo_password())

    for spec in demo.AGENCIES:
        jurisdiction = _regions(spec.jurisdiction)
        if spec.jurisdiction and not jurisdiction:
            write(f"  ! {spec.short_name}: wilayah {spec.jurisdiction} tidak ada, dilewati")
            continue
        agency = _upsert_agency(
            spec.name,
            spec.kind,
            None,
            short_name=spec.short_name,
            timezone=spec.timezone,
            email=spec.email,
            verifies_own_region=False,
        )
        agency.jurisdiction.set(jurisdiction)
        agency.categories.set([org.categories[s] for s in spec.categories])
        org.agencies[spec.key] = agency
        first, last = spec.admin_name
        role = Role.NATIONAL_ADMIN if spec.kind == AgencyKind.NATIONAL else Role.AGENCY_ADMIN
        admin = factory.upsert(
            spec.admin,
            role,
            agency=agency,
            first_name=first,
            last_name=last,
            email=f"{spec.admin}@example.org",
            scope_region=None,
        )
        org.users[spec.admin] = admin
        org.admin_of[agency.pk] = admin
        for unit_spec in spec.units:
            unit_regions = _regions(unit_spec.jurisdiction) if unit_spec.jurisdiction else []
            if unit_spec.jurisdiction and not unit_regions:
                write(f"  ! {unit_spec.short_name}: wilayah tidak ada, dilewati")
                continue
            unit = _upsert_agency(
                unit_spec.name,
                AgencyKind.UNIT,
                agency,
                short_name=unit_spec.short_name,
                timezone=spec.timezone,
                email="",
                verifies_own_region=False,
            )
            unit.jurisdiction.set(unit_regions)
            unit.categories.set([org.categories[s] for s in unit_spec.categories])
            org.units[unit_spec.key] = unit
            officer = factory.upsert(
                unit_spec.officer,
                Role.UNIT_OFFICER,
                agency=unit,
                first_name="Petugas",
                last_name=unit_spec.short_name,
                email=f"{unit_spec.officer}@example.org",
                scope_region=None,
            )
            org.users[unit_spec.officer] = officer
            org.officer_of[unit.pk] = officer

    if "national" not in org.agencies or "kutim" not in org.agencies:
        raise CommandError(
            "Wilayah 64.08 (Kutai Timur) belum dimuat: jalankan `manage.py load_regions`. / "
            "Region 64.08 is missing: run `manage.py load_regions` first."
        )

    _seed_routing_rules(org)
    for title, body in demo.CANNED_RESPONSES:
        CannedResponse.objects.update_or_create(
            agency=org.agencies["kutim"], title=title, defaults={"body": body}
        )

    for username, first, last, scope in demo.SUPERVISORS:
        region = Region.objects.filter(code=scope).first()
        org.users[username] = factory.upsert(
            username,
            Role.SUPERVISOR,
            agency=None,
            scope_region=region,
            first_name=first,
            last_name=last,
            email=f"{username}@example.org",
        )
    # For /admin/ only; no e-mail, so it receives no staff notifications.
    org.users[demo.SUPERUSER] = factory.upsert(
        demo.SUPERUSER,
        Role.NATIONAL_ADMIN,
        agency=org.agencies["national"],
        is_staff=True,
        is_superuser=True,
        first_name="Super",
        last_name="Admin",
        email="",
    )
    for citizen in demo.CITIZENS:
        first, _, last = citizen.name.partition(" ")
        user = factory.upsert(
            citizen.username,
            Role.CITIZEN,
            agency=None,
            scope_region=None,
            first_name=first,
            last_name=last,
            email=citizen.email,
        )
        Reporter.objects.get_or_create(
            user=user,
            defaults={
                "name": citizen.name,
                "nik": citizen.nik,
                "phone": citizen.phone,
                "email": citizen.email,
                "contact_verified_at": clock.now(),
            },
        )
        org.users[citizen.username] = user
        org.citizens.append(user)
    return org


def _seed_routing_rules(org: Organisation) -> None:
    kutim_region = Region.objects.get(code="64.08")
    regions = {r.code: r for r in Region.objects.filter(code__in=["64", "64.08", "64.72"])}
    wanted: list[tuple[str, Region, Agency, Agency | None, str]] = []
    for spec in demo.KUTIM.units:
        unit = org.units.get(spec.key)
        if unit is None:
            continue
        for slug in spec.categories:
            if spec.jurisdiction:
                # A kecamatan office answers only for its own district.
                for region in unit.jurisdiction.all():
                    wanted.append((slug, region, org.agencies["kutim"], unit, "kecamatan"))
            else:
                wanted.append((slug, kutim_region, org.agencies["kutim"], unit, ""))
    for slug, unit_key in demo.PARENT_RULES_KUTIM.items():
        wanted.append(
            (slug, kutim_region, org.agencies["kutim"], org.units[unit_key], "kategori induk")
        )
    for slug, code, agency_key, unit_key in demo.EXTRA_RULES:
        if code not in regions or agency_key not in org.agencies:
            continue
        unit = org.units.get(unit_key) if unit_key else None
        wanted.append((slug, regions[code], org.agencies[agency_key], unit, ""))
    for slug, region, agency, unit, note in wanted:
        RoutingRule.objects.update_or_create(
            category=org.categories[slug],
            region=region,
            agency=agency,
            unit=unit,
            defaults={"priority": 100, "is_active": True, "note": note},
        )


# ---------------------------------------------------------------------------- reports


class _Template(dict):
    """format_map() mapping that leaves unknown placeholders (e.g. {date}) in place."""

    def __missing__(self, key):
        return "{" + key + "}"


def fill(template: str, context: dict) -> str:
    return Formatter().vformat(template, (), _Template(context))


def format_date_id(moment: dt.datetime) -> str:
    local = moment.astimezone(WITA)
    return f"{local.day} {demo.MONTHS_ID[local.month - 1]} {local.year}"


@dataclass
class Place:
    district: demo.District
    region_code: str
    label: str  # "Desa Sepaso", "Kelurahan Teluk Lingga", or "Kecamatan Bengalon"
    is_kutim: bool


@dataclass
class Plan:
    index: int
    scenario: str
    rng: random.Random
    topic: demo.Topic | None
    place: Place
    context: dict
    data: dict
    true_category: str | None
    proper_title: str | None
    direct: bool
    mode: str  # account | guest | counter | phone | api
    citizen: User | None = None
    guest: actions.ReporterDetails | None = None
    archive_story: tuple | None = None
    story: int = 0  # index of the topic's title/opener pair
    original: "Plan | None" = None
    steps: list[tuple[dt.datetime, str]] = field(default_factory=list)
    report: Report | None = None
    failed: str = ""

    @property
    def needs(self) -> str:
        return demo.SCENARIOS[self.scenario].needs if self.scenario in demo.SCENARIOS else ""


def _snap(moment: dt.datetime, rng: random.Random, *, staff: bool) -> dt.datetime:
    """Move a moment forward into plausible hours (WITA): staff work 08-16 on weekdays,
    citizens write between 06 and 23. Only ever later, so a history keeps its order."""
    local = moment.astimezone(WITA)
    start, end = (8, 16) if staff else (6, 23)
    moved = False
    if local.hour >= end:
        local += dt.timedelta(days=1)
        moved = True
    elif local.hour < start:
        moved = True
    while staff and local.weekday() >= 5:
        local += dt.timedelta(days=1)
        moved = True
    if moved:
        local = local.replace(
            hour=rng.randint(start, end - 1), minute=rng.randint(0, 59), second=rng.randint(0, 59)
        )
    return local.astimezone(dt.UTC)


class DemoReports:
    """Plans `count` reports (deterministically from the seed) and plays their histories
    through the domain actions in time order."""

    def __init__(self, org: Organisation, *, count: int, now: dt.datetime, write, seed: int = SEED):
        self.org = org
        self.count = count
        self.now = now
        self.write = write
        self.rng = random.Random(seed)
        self.seed = seed
        self.plans: list[Plan] = []
        self.failures: list[str] = []
        self._load_places()

    # -- places ------------------------------------------------------------------------

    def _load_places(self) -> None:
        specs = {d.code: d for d in demo.KUTIM_DISTRICTS + demo.SAMARINDA_DISTRICTS}
        present = set(Region.objects.filter(code__in=list(specs)).values_list("code", flat=True))
        villages: dict[str, list[Region]] = defaultdict(list)
        for village in Region.objects.filter(
            parent_id__in=list(present), level=RegionLevel.VILLAGE
        ).order_by("code"):
            villages[village.parent_id].append(village)
        self.villages = villages
        self.kutim_districts = [d for d in demo.KUTIM_DISTRICTS if d.code in present]
        self.samarinda_districts = (
            [d for d in demo.SAMARINDA_DISTRICTS if d.code in present]
            if "samarinda" in self.org.agencies
            else []
        )
        if not self.kutim_districts:
            # Only the regency is loaded: file every report at regency level.
            self.kutim_districts = [
                demo.District("64.08", "Kutai Timur", 1, *_first_texts(demo.KUTIM_DISTRICTS))
            ]
        self.district_names = dict(
            Region.objects.filter(code__in=list(present)).values_list("code", "name")
        )

    def _place(
        self, rng: random.Random, topic: demo.Topic | None, *, samarinda: bool, pinned: bool
    ) -> Place:
        every = self.samarinda_districts if samarinda else self.kutim_districts
        pool = every
        if not samarinda and topic is not None and topic.districts:
            pool = [d for d in every if d.code in topic.districts] or every
        if pinned:
            # A report filed with only a map pin needs a district we know the centre of.
            pool = [d for d in pool if d.center] or [d for d in every if d.center] or pool
        district = rng.choices(pool, weights=[d.weight for d in pool])[0]
        name = self.district_names.get(district.code, district.name)
        villages = self.villages.get(district.code)
        if villages:
            village = rng.choice(villages)
            kind = "Kelurahan" if village.code.split(".")[-1].startswith("1") else "Desa"
            label = f"{kind} {village.name.title() if village.name.isupper() else village.name}"
            code = village.code
        else:
            label, code = f"Kecamatan {name}", district.code
        return Place(district, code, label, is_kutim=not samarinda)

    # -- planning ----------------------------------------------------------------------

    def plan(self) -> list[Plan]:
        scenarios = list(demo.MANDATORY_SCENARIOS)
        names = list(demo.SCENARIOS)
        weights = [demo.SCENARIOS[n].weight for n in names]
        index = 0
        reports = 0
        while reports < self.count:
            name = (
                scenarios[index] if index < len(scenarios) else self.rng.choices(names, weights)[0]
            )
            if name == "duplicate" and reports + 2 > self.count:
                name = "closed_rated"
            plan = self._plan_one(index, name)
            self.plans.append(plan)
            reports += 1
            if name == "duplicate":
                self.plans.append(self._plan_duplicate(plan))
                reports += 1
            index += 1
        return self.plans

    def _pick_topic(self, rng: random.Random, needs: str) -> demo.Topic | None:
        if needs in ("archive", "incomplete"):
            return None
        pool = list(demo.TOPICS)
        if needs == "wrong_unit":
            pool = [t for t in pool if t.wrong_unit]
        elif needs == "agency_return":
            pool = [t for t in pool if t.agency_return and t.redirect[0] in self.org.agencies]
        elif needs == "duplicate":
            pool = [t for t in pool if t.report_type == "complaint"]
        return rng.choices(pool, weights=[t.weight for t in pool])[0]

    def _context(self, rng: random.Random, place: Place) -> dict:
        d = place.district
        district_name = self.district_names.get(d.code, d.name)
        school = rng.choice(
            [
                f"SDN 0{rng.randint(1, 30):02d} {district_name}",
                f"SMPN {rng.randint(1, 6)} {district_name}",
            ]
        )
        return {
            "road": rng.choice(d.roads),
            "landmark": rng.choice(d.landmarks),
            "river": rng.choice(d.rivers),
            "village": place.label,
            "district": district_name,
            "school": school,
            "km": rng.randint(2, 60),
            "meters": rng.randrange(30, 600, 10),
            "depth": rng.randint(15, 60),
            "months": rng.randint(2, 8),
            "days": rng.randint(2, 10),
            "weeks": rng.randint(1, 4),
            "hours": rng.randint(2, 8),
            "n": rng.randint(2, 12),
            "rt": f"{rng.randint(1, 30):02d}",
            "amount": f"{rng.choice([25, 50, 75, 100, 150, 250, 350, 500])}.000",
            "weekday": rng.choice(demo.WEEKDAYS_ID[:5]),
        }

    def _body(self, rng: random.Random, topic: demo.Topic, context: dict, story: int) -> str:
        parts = [topic.openers[story % len(topic.openers)]]
        parts += rng.sample(topic.details, k=min(len(topic.details), rng.choice([1, 1, 2])))
        if topic.impacts and rng.random() < 0.6:
            parts.append(rng.choice(topic.impacts))
        parts.append(rng.choice(demo.BODY_CLOSINGS))
        return fill(" ".join(p for p in parts if p), context)

    def _guest(self, rng: random.Random, when: dt.datetime) -> actions.ReporterDetails:
        first = rng.choice(demo.GUEST_FIRST_NAMES)
        last = rng.choice(demo.GUEST_LAST_NAMES)
        phone = rng.choice(demo.PHONE_PREFIXES) + "".join(str(rng.randint(0, 9)) for _ in range(8))
        has_email = rng.random() < 0.6
        has_phone = not has_email or rng.random() < 0.7
        return actions.ReporterDetails(
            name=f"{first} {last}",
            phone=phone if has_phone else "",
            email=f"{first}.{last}{rng.randint(1, 99)}@example.com".lower() if has_email else "",
            contact_verified_at=when,
        )

    def _plan_one(self, index: int, scenario_name: str) -> Plan:
        rng = random.Random(f"{self.seed}-{index}")
        scenario = demo.SCENARIOS[scenario_name]
        topic = self._pick_topic(rng, scenario.needs)
        samarinda = bool(
            topic
            and topic.samarinda
            and self.samarinda_districts
            and scenario.needs not in ("wrong_unit", "agency_return")
            and rng.random() < 0.12
        )
        place = self._place(rng, topic, samarinda=samarinda, pinned=index == PINNED_INDEX)
        context = self._context(rng, place)

        archive_story = None
        proper_title = None
        story = 0
        if scenario.needs == "archive":
            archive_story = demo.ARCHIVE_STORIES[index % len(demo.ARCHIVE_STORIES)]
            _, title, body, _ = archive_story
            title, body = fill(title, context), fill(body, context)
            report_type, category, submitted_category = "complaint", None, None
        elif scenario.needs == "incomplete":
            title, body = rng.choice(demo.INCOMPLETE_STORIES)
            report_type, category, submitted_category = "complaint", None, None
        else:
            story = rng.randrange(len(topic.titles))
            title = fill(topic.titles[story], context)
            title = title[0].upper() + title[1:]
            body = self._body(rng, topic, context, story)
            report_type, category = topic.report_type, topic.category
            roll = rng.random()
            submitted_category = None if roll < 0.08 else topic.parent if roll < 0.14 else category
            if rng.random() < 0.07:
                proper_title, title = title, title.upper() + "!!!"

        # Who reports, and through which channel.
        mode = rng.choices(list(REPORTER_MODES), weights=list(REPORTER_MODES.values()))[0]
        mode = FORCED_MODES.get(index, mode)
        if index == PINNED_INDEX and mode in ("counter", "phone"):
            mode = "guest"  # staff at a counter or on the phone type the region in
        citizen = None
        if mode == "account":
            if index == 0:
                citizen = self.org.users["warga.sangatta"]
            else:
                homes = list(zip(self.org.citizens, demo.CITIZENS, strict=True))
                local = [u for u, c in homes if place.region_code.startswith(c.district)]
                regency = [u for u, c in homes if c.district[:5] == place.region_code[:5]]
                citizen = rng.choice(local or regency or self.org.citizens)
        channel = {
            "account": Channel.API if rng.random() < 0.15 else Channel.WEB,
            "guest": Channel.WEB,
            "counter": Channel.COUNTER,
            "phone": Channel.PHONE,
            "api": Channel.API,
        }[mode]

        district = place.district
        coords_only = bool(
            district.center
            and mode not in ("counter", "phone")
            and scenario.needs not in ("archive", "incomplete")
            and (index == PINNED_INDEX or rng.random() < 0.07)
        )
        data = {
            "report_type": report_type,
            "title": title,
            "body": body,
            "category": submitted_category or "",
            "channel": channel,
            "region": "" if coords_only else place.region_code,
            "is_anonymous": index in ANONYMOUS_INDEXES or rng.random() < 0.12,
            "is_confidential": index == CONFIDENTIAL_INDEX
            or (topic is not None and rng.random() < topic.confidential_share),
        }
        if district.center and (coords_only or rng.random() < 0.25):
            lat, lon = district.center
            data["latitude"] = f"{lat + rng.uniform(-0.02, 0.02):.6f}"
            data["longitude"] = f"{lon + rng.uniform(-0.02, 0.02):.6f}"
            data["address"] = fill("Dekat {landmark}, {district}", context)

        plan = Plan(
            index=index,
            scenario=scenario_name,
            rng=rng,
            topic=topic,
            place=place,
            context=context,
            data=data,
            true_category=category,
            proper_title=proper_title,
            direct=rng.random() < 0.35,
            mode=mode,
            citizen=citizen,
            archive_story=archive_story,
            story=story,
        )
        steps = list(scenario.steps)
        if plan.direct and "dispose" in steps and "forward" in steps:
            steps.remove("forward")
        if "acknowledge" in steps and rng.random() < 0.3:
            steps.insert(steps.index("acknowledge") + 1, "note")
        self._schedule(plan, steps, scenario.last_age)
        if mode != "account":
            plan.guest = self._guest(rng, plan.steps[0][0])
        if data.get("incident_date") is None and topic is not None and rng.random() < 0.5:
            submitted = plan.steps[0][0].astimezone(WITA).date()
            data["incident_date"] = submitted - dt.timedelta(days=rng.randint(0, 14))
        return plan

    def _schedule(self, plan: Plan, steps: list[str], last_age: tuple[float, float]) -> None:
        rng = plan.rng
        gaps = [rng.uniform(*demo.STEP_GAPS_HOURS[s]) for s in steps]
        last_at = self.now - dt.timedelta(days=rng.uniform(*last_age))
        start = last_at - dt.timedelta(hours=sum(gaps))
        earliest = self.now - dt.timedelta(days=MAX_AGE_DAYS)
        start = max(start, earliest)
        staff_submit = plan.mode in ("counter", "phone")
        moment = _snap(start, rng, staff=staff_submit)
        times = [(moment, "submit")]
        for step, gap in zip(steps, gaps, strict=True):
            moment = moment + dt.timedelta(hours=gap)
            if step != "auto_close":
                moment = _snap(moment, rng, staff=step not in demo.REPORTER_STEPS)
            times.append((moment, step))
        # Snapping only moves forward; whole weeks back keep weekdays and hours intact.
        limit = self.now - dt.timedelta(minutes=10)
        weeks = math.ceil(max(0.0, (times[-1][0] - limit).total_seconds()) / (7 * 86400))
        shift = dt.timedelta(weeks=weeks)
        plan.steps = [(moment - shift, step) for moment, step in times]

    def _plan_duplicate(self, original: Plan) -> Plan:
        rng = random.Random(f"{self.seed}-dup-{original.index}")
        topic = original.topic
        context = dict(original.context)
        # Another citizen reports the same problem in the same place a little later.
        title = original.proper_title or original.data["title"]
        body = "Saya juga ingin melaporkan masalah yang sama. " + self._body(
            rng, topic, context, original.story
        )
        data = dict(original.data)
        data.update(
            title=title,
            body=body,
            is_anonymous=False,
            is_confidential=False,
            channel=Channel.WEB,
            region=original.place.region_code,
        )
        data.pop("latitude", None)
        data.pop("longitude", None)
        plan = Plan(
            index=original.index,
            scenario="duplicate_copy",
            rng=rng,
            topic=topic,
            place=original.place,
            context=context,
            data=data,
            true_category=original.true_category,
            proper_title=None,
            direct=False,
            mode="guest",
            original=original,
        )
        submitted = _snap(
            original.steps[0][0] + dt.timedelta(hours=rng.uniform(6, 60)), rng, staff=False
        )
        archived = _snap(submitted + dt.timedelta(hours=rng.uniform(3, 30)), rng, staff=True)
        limit = self.now - dt.timedelta(minutes=5)
        if archived > limit:
            submitted, archived = limit - dt.timedelta(hours=2), limit
        plan.steps = [(submitted, "submit"), (archived, "archive_duplicate")]
        plan.guest = self._guest(rng, submitted)
        return plan

    # -- playing -----------------------------------------------------------------------

    def run(self) -> None:
        timeline = sorted(
            (moment, order, step_no, plan, step)
            for order, plan in enumerate(self.plans)
            for step_no, (moment, step) in enumerate(plan.steps)
        )
        total = len(self.plans)
        made = 0
        every = max(1, total // 10)
        with transaction.atomic():
            for moment, _, _, plan, step in timeline:
                if plan.failed:
                    continue
                try:
                    with clock.frozen(moment):
                        self._step(plan, step, moment)
                except Exception as exc:  # noqa: BLE001 - report it, keep the other reports
                    plan.failed = f"{step}: {type(exc).__name__}: {exc}"
                    self.failures.append(f"#{plan.index} {plan.scenario} {plan.failed}")
                    continue
                if step == "submit":
                    made += 1
                    if made % every == 0 or made == total:
                        self.write(f"  {made}/{total} laporan / reports")

    def _reporter(self, plan: Plan):
        if plan.citizen is not None:
            return plan.citizen
        return Actor(reporter_id=plan.report.reporter_id)

    def _text(self, plan: Plan, options, moment: dt.datetime) -> str:
        rng = plan.rng
        dates = {
            "date": format_date_id(moment - dt.timedelta(days=rng.randint(0, 2))),
            "next_date": format_date_id(moment + dt.timedelta(days=rng.randint(3, 10))),
        }
        return fill(rng.choice(options), plan.context | dates)

    def _step(self, plan: Plan, step: str, moment: dt.datetime) -> None:
        org, rng, report = self.org, plan.rng, plan.report
        if step == "submit":
            if plan.mode == "counter":
                kutim = plan.place.is_kutim
                actor = org.users[demo.KUTIM.admin if kutim else demo.SAMARINDA.admin]
            elif plan.mode == "phone":
                actor = org.national_admin
            else:
                actor = plan.citizen
            plan.report = actions.submit_report(plan.data, actor=actor, reporter=plan.guest).report
            return
        if step in ("dispose", "dispose_agency"):
            self._dispose(plan, step)
        elif step in ("forward", "forward_wrong"):
            if step == "forward_wrong":
                unit = org.units[plan.topic.wrong_unit]
            else:
                if report.unit_id or report.status != Status.DISPOSITIONED:
                    return
                unit = suggest_route(report.category, report.region_id).unit
                if unit is None or unit.parent_id != report.agency_id:
                    return  # the agency handles it itself
            plan.report = actions.forward_to_unit(
                report, unit, actor=org.admin_of[report.agency_id]
            )
        elif step == "return_unit":
            plan.report = actions.return_not_authority(
                report, fill(plan.topic.unit_return, plan.context), actor=org.handler(report)
            )
        elif step == "redispose_agency":
            unit = suggest_route(report.category, report.region_id).unit
            if unit is None or unit.parent_id != report.agency_id:
                unit = org.units["pupr"]
            plan.report = actions.redispose_report(
                report,
                None,
                unit=unit,
                actor=org.admin_of[report.agency_id],
                note=rng.choice(demo.REDISPOSE_NOTES),
            )
        elif step == "return_agency":
            plan.report = actions.return_not_authority(
                report, fill(plan.topic.agency_return, plan.context), actor=org.handler(report)
            )
        elif step == "redispose_national":
            agency_key, unit_key = plan.topic.redirect
            plan.report = actions.redispose_report(
                report,
                org.agencies[agency_key],
                unit=org.units[unit_key] if unit_key else None,
                actor=org.national_admin,
                note=rng.choice(demo.REDISPOSE_NOTES),
            )
        elif step == "acknowledge":
            plan.report = actions.acknowledge_report(report, actor=org.handler(report))
        elif step == "note":
            text = self._text(plan, demo.INTERNAL_NOTES, moment)
            plan.report = actions.add_internal_note(report, text, actor=org.handler(report))
        elif step in ("follow_up", "follow_up_again", "follow_up_appeal"):
            options = {
                "follow_up": plan.topic.followups,
                "follow_up_again": demo.SECOND_FOLLOW_UPS,
                "follow_up_appeal": demo.APPEAL_FOLLOW_UPS,
            }[step]
            text = self._text(plan, options, moment)
            plan.report = actions.post_follow_up(report, text, actor=org.handler(report))
        elif step == "hold_unit":
            question = rng.choice(demo.HOLD_QUESTIONS_UNIT)
            plan.report = actions.put_on_hold(report, question, actor=org.handler(report))
        elif step == "hold_national":
            question = rng.choice(demo.HOLD_QUESTIONS_VERIFY)
            plan.report = actions.put_on_hold(report, question, actor=org.national_admin)
        elif step == "add_info":
            text = self._text(plan, demo.ADDED_INFORMATION, moment)
            plan.report = actions.add_information(report, text, actor=self._reporter(plan))
        elif step == "reply":
            text = rng.choice(demo.REPORTER_REPLIES)
            plan.report = actions.reporter_reply(report, text, actor=self._reporter(plan))
        elif step in ("accept", "accept_rated", "accept_low"):
            rating, comment = None, ""
            if step == "accept_rated":
                rating = rng.choices([5, 4, 3, 2, 1], weights=[40, 30, 15, 10, 5])[0]
            elif step == "accept_low":
                rating = rng.choice([1, 2])
            if rating is not None and rng.random() < 0.75:
                comment = rng.choice(demo.RATING_COMMENTS[rating])
            plan.report = actions.accept_response(
                report, actor=self._reporter(plan), rating=rating, comment=comment
            )
        elif step == "rate":
            rating = rng.choices([5, 4, 3], weights=[50, 35, 15])[0]
            plan.report = actions.rate_report(
                report,
                rating,
                actor=self._reporter(plan),
                comment=rng.choice(demo.RATING_COMMENTS[rating]),
            )
        elif step == "close_admin":
            plan.report = actions.close_report(
                report,
                actor=org.admin_of[report.agency_id],
                note=rng.choice(demo.ADMIN_CLOSE_NOTES),
            )
        elif step == "auto_close":
            report.refresh_from_db(fields=["reply_due_at", "status"])
            if report.reply_due_at is None:
                return
            # The silent reporter's window ends on the working-day calendar: wait for it.
            when = max(moment, report.reply_due_at + dt.timedelta(hours=rng.uniform(1, 6)))
            if when >= self.now - dt.timedelta(minutes=1):
                return  # still inside the window today; the deadline scan will decide
            with clock.frozen(when):
                closed = actions.auto_close_report(report, now=when)
            plan.report = closed or report
        elif step == "contest":
            reason = rng.choice(demo.CONTEST_REASONS)
            plan.report = actions.contest_response(report, reason, actor=self._reporter(plan))
        elif step == "archive":
            reason, _, _, note = plan.archive_story
            plan.report = actions.archive_report(
                report, reason, actor=org.national_admin, note=note
            )
        elif step == "archive_incomplete":
            plan.report = actions.archive_report(
                report,
                "incomplete",
                actor=org.national_admin,
                note="Pelapor tidak melengkapi informasi dalam 10 hari kerja.",
            )
        elif step == "archive_duplicate":
            original = plan.original.report
            plan.report = actions.archive_report(
                report,
                "duplicate",
                actor=org.national_admin,
                duplicate_of=original,
                note=f"Sama dengan laporan {original.tracking_number}.",
            )
        elif step == "withdraw":
            reason = rng.choice(demo.WITHDRAW_REASONS)
            plan.report = actions.withdraw_report(report, actor=self._reporter(plan), reason=reason)
        else:
            raise ValueError(step)

    def _dispose(self, plan: Plan, step: str) -> None:
        org, report = self.org, plan.report
        edits: dict = {}
        if report.region_id is None:
            edits["region"] = plan.place.region_code
        category = org.categories.get(plan.true_category) if plan.true_category else None
        if category is not None and report.category_id != category.pk:
            edits["category"] = category.slug
        if plan.proper_title:
            edits["title"] = plan.proper_title
        suggestion = suggest_route(category, plan.place.region_code)
        agency = suggestion.agency or org.agencies["kutim"]
        unit = suggestion.unit if step == "dispose" and plan.direct else None
        if unit is not None and unit.parent_id != agency.pk:
            unit = None
        if plan.needs in ("wrong_unit", "agency_return"):
            agency, unit = org.agencies["kutim"], None
        needs_inspection = None
        if (
            plan.topic is not None
            and plan.topic.needs_inspection
            and plan.topic.report_type == "complaint"
        ):
            needs_inspection = True
        plan.report = actions.dispose_report(
            report,
            agency,
            unit=unit,
            actor=org.national_admin,
            note=plan.rng.choice(demo.DISPOSITION_NOTES),
            needs_inspection=needs_inspection,
            **edits,
        )


def _first_texts(districts) -> tuple:
    first = districts[0]
    return first.roads, first.landmarks, first.rivers


def settle_demo_notifications(*, after_pk: int) -> int:
    """Mark the outbox rows the demo wrote as delivered, without delivering them.

    They are history, not news: a worker must not send months-old "your report was
    disposed" messages on its first run, and the guests' phone numbers are invented, so a
    real SMS gateway must never see them. The rows stay, so the notification history of
    each report is complete; their delivery tasks find nothing pending and skip."""
    return Notification.objects.filter(pk__gt=after_pk, status=NotificationStatus.PENDING).update(
        status=NotificationStatus.SENT, sent_at=F("created_at"), last_error=""
    )


def demo_reports_exist() -> bool:
    usernames = [c.username for c in demo.CITIZENS]
    return Report.objects.filter(reporter__user__username__in=usernames).exists()


# ---------------------------------------------------------------------------- command


ROLE_LABELS = {
    "superuser": "Superuser (/admin/)",
    Role.NATIONAL_ADMIN: "Admin nasional",
    Role.AGENCY_ADMIN: "Admin instansi",
    Role.UNIT_OFFICER: "Petugas unit",
    Role.SUPERVISOR: "Pengawas",
    Role.CITIZEN: "Warga",
}


def demo_usernames() -> list[str]:
    names = [demo.SUPERUSER]
    for spec in demo.AGENCIES:
        names.append(spec.admin)
    for spec in demo.AGENCIES:
        names += [unit.officer for unit in spec.units]
    names += [username for username, *_ in demo.SUPERVISORS]
    names += [citizen.username for citizen in demo.CITIZENS]
    return names


class Command(BaseCommand):
    help = "Load demo agencies, accounts and reports for Kutai Timur (development only)."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=200, help="Number of demo reports.")
        parser.add_argument(
            "--force", action="store_true", help="Run even when DEBUG is off (never in production)."
        )
        parser.add_argument(
            "--print-logins",
            action="store_true",
            help="Only print the demo accounts and their password.",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "seed_demo hanya untuk pengembangan: DEBUG mati. Gunakan --force bila yakin. / "
                "seed_demo is for development only and DEBUG is off; pass --force if you are sure."
            )
        if options["print_logins"]:
            self.print_logins()
            return
        if options["count"] < 0:
            raise CommandError("--count must not be negative")
        started = time.monotonic()
        call_command("seed_categories", stdout=self.stdout)
        with transaction.atomic():
            org = build_organisation(self.stdout.write)
        self.stdout.write(
            f"Instansi: {len(org.agencies)} pemerintah/lembaga, {len(org.units)} unit; "
            f"{len(org.users)} akun demo. / Agencies, units and demo accounts ready."
        )
        if demo_reports_exist():
            count = Report.objects.count()
            self.stdout.write(
                f"Laporan demo sudah ada ({count} laporan); tidak dibuat lagi. / "
                f"Demo reports exist already ({count}); none created."
            )
            return
        last_notification = Notification.objects.aggregate(last=Max("pk"))["last"] or 0
        builder = DemoReports(org, count=options["count"], now=clock.now(), write=self.stdout.write)
        builder.plan()
        self.stdout.write(f"Membuat {len(builder.plans)} laporan demo / creating demo reports ...")
        builder.run()
        for failure in builder.failures:
            self.stderr.write(f"  ! {failure}")
        scan = scan_deadlines(clock.now())
        settled = settle_demo_notifications(after_pk=last_notification)
        self.stdout.write(
            f"Pemindaian tenggat / deadline scan: {scan.auto_closed} ditutup otomatis, "
            f"{scan.reminders} pengingat, {scan.escalations} eskalasi."
        )
        self.stdout.write(
            f"{settled} notifikasi demo dicatat terkirim tanpa dikirim. / "
            f"{settled} demo notifications marked delivered without sending."
        )
        self.print_summary()
        self.stdout.write(f"Selesai dalam {time.monotonic() - started:.1f} dtk / done.")

    def print_summary(self) -> None:
        reports = Report.objects.all()
        by_status = Counter(reports.values_list("status", flat=True))
        labels = dict(Status.choices)
        parts = [f"{labels[s]} ({s}) {by_status.get(s, 0)}" for s in Status.values]
        self.stdout.write("Status: " + "; ".join(parts))
        self.stdout.write(
            "Lainnya / other: "
            f"anonim {reports.filter(is_anonymous=True).count()}, "
            f"rahasia {reports.filter(is_confidential=True).count()}, "
            f"tanpa wilayah (hanya koordinat) {reports.filter(region__isnull=True).count()}, "
            f"terlambat {reports.filter(is_overdue=True).count()}, "
            f"dieskalasi {reports.filter(is_escalated=True).count()}, "
            f"banding {reports.filter(appeal_used=True).count()}, "
            f"duplikat {reports.filter(duplicate_of__isnull=False).count()}, "
            f"dinilai {reports.filter(rating__isnull=False).count()}."
        )

    def print_logins(self) -> None:
        users = {u.username: u for u in User.objects.filter(username__in=demo_usernames())}
        if not users:
            self.stdout.write(
                "Akun demo belum ada: jalankan `manage.py seed_demo`. / "
                "No demo accounts yet: run `manage.py seed_demo`."
            )
            return
        password = demo_password()
        rows = []
        for username in demo_usernames():
            user = users.get(username)
            if user is None:
                continue
            role = "superuser" if user.is_superuser else user.role
            if user.agency_id:
                where = str(user.agency)
            elif user.scope_region_id:
                where = f"wilayah {user.scope_region_id}"
            else:
                where = ""
            label = ROLE_LABELS.get(role, role)
            rows.append((label, username, password, user.display_name, where))
        headers = (
            "Peran / role",
            "Pengguna / username",
            "Kata sandi / password",
            "Nama / name",
            "Instansi / scope",
        )
        widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
        line = "  ".join(f"{{:<{w}}}" for w in widths)
        self.stdout.write("Akun demo / demo accounts (DEMO_PASSWORD):")
        self.stdout.write(line.format(*headers).rstrip())
        self.stdout.write(line.format(*("-" * w for w in widths)).rstrip())
        for row in rows:
            self.stdout.write(line.format(*row).rstrip())
