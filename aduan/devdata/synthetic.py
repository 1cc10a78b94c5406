"""Synthetic national-scale reports for benchmarks (`manage.py generate_reports`).

Text is composed from the demo corpora (demo_data.py: topics × places ×
details), regions are weighted by population (Java-heavy), categories follow the demo topic
weights (infrastructure, environment, health and civil registration first), timestamps span
three years, and every lifecycle status appears with a consistent, hash-chained event
history and working-day deadlines.

This is a data generator, like a restore: it bypasses the domain actions and writes rows in
bulk (COPY on PostgreSQL, bulk_create on SQLite). It never sends notifications and never
fires `report_changed`; read models are rebuilt afterwards (`rebuild_stats`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import uuid
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.core.serializers.json import DjangoJSONEncoder

from aduan.devdata import demo_data as demo
from aduan.reports.events import GENESIS
from aduan.workdays.calendar import add_working_days, working_days_between

UTC = dt.UTC

# Share of reports per province (Kemendagri code), roughly the 2020 census population in
# per mille; Java first. Provinces not listed get weight 3.
PROVINCE_WEIGHTS = {
    "11": 19, "12": 55, "13": 20, "14": 24, "15": 13, "16": 31, "17": 7, "18": 33,
    "19": 5, "21": 8, "31": 39, "32": 180, "33": 136, "34": 14, "35": 150, "36": 44,
    "51": 16, "52": 20, "53": 20, "61": 20, "62": 10, "63": 15, "64": 14, "65": 3,
    "71": 10, "72": 11, "73": 34, "74": 10, "75": 4, "76": 5, "81": 7, "82": 5,
    "91": 4, "92": 4, "94": 4,
}  # fmt: skip
# Extra weight for Kutai Timur so the demo agency's inbox holds a realistic regency load.
KUTIM_SHARE = 0.03

STREETS = (
    "Jalan Merdeka", "Jalan Sudirman", "Jalan Ahmad Yani", "Jalan Diponegoro",
    "Jalan Gatot Subroto", "Jalan Pahlawan", "Jalan Veteran", "Jalan Imam Bonjol",
    "Jalan Pemuda", "Jalan Kartini", "Jalan Hasanuddin", "Jalan Pattimura",
    "Jalan Cut Nyak Dien", "Jalan Teuku Umar", "Jalan Sisingamangaraja", "Jalan Raya Pasar",
    "Jalan Lingkar Selatan", "Jalan Poros Desa", "Jalan Kebon Jeruk", "Jalan Melati",
)  # fmt: skip
LANDMARKS = (
    "Pasar Induk", "Puskesmas Kecamatan", "Kantor Camat", "Masjid Raya", "Terminal Bus",
    "Alun-alun", "RSUD", "Kantor Desa", "Lapangan Sepak Bola", "Pelabuhan Rakyat",
    "SMA Negeri 1", "Gereja Pusat", "Stasiun", "Jembatan Gantung", "Balai Warga",
)  # fmt: skip
RIVERS = ("Sungai Besar", "Kali Anyar", "Sungai Kecil", "Kali Bening", "Sungai Tengah")

STATUSES_OPEN_AGE_DAYS = 75  # open reports were submitted within this many days

# name, weight, steps after submission (each a step key below), open?
SCENARIOS = (
    ("submitted", 5, (), True),
    ("on_hold_verify", 2, ("hold_national",), True),
    ("dispositioned", 4, ("dispose",), True),
    ("dispositioned_unit", 3, ("dispose", "forward"), True),
    ("on_hold_unit", 1.5, ("dispose", "forward", "acknowledge", "hold_unit"), True),
    ("returned", 1.5, ("dispose", "forward", "return_unit"), True),
    ("in_progress", 7, ("dispose", "forward", "acknowledge"), True),
    ("in_progress_redisposed", 1, ("dispose", "return_agency", "redispose", "acknowledge"), True),
    ("responded", 5, ("dispose", "forward", "acknowledge", "follow_up"), True),
    ("closed_rated", 26, ("dispose", "forward", "acknowledge", "follow_up", "accept"), False),
    ("closed_auto", 14, ("dispose", "forward", "acknowledge", "follow_up", "auto_close"), False),
    (
        "closed_after_reply",
        5,
        ("dispose", "acknowledge", "follow_up", "reply", "follow_up", "accept"),
        False,
    ),
    (
        "closed_after_hold",
        3,
        ("hold_national", "add_info", "dispose", "acknowledge", "follow_up", "accept"),
        False,
    ),
    ("closed_admin", 4, ("dispose", "forward", "acknowledge", "follow_up", "close_admin"), False),
    ("archived", 7, ("archive",), False),
    ("archived_incomplete", 2, ("hold_national", "archive_incomplete"), False),
    ("withdrawn", 2, ("withdraw",), False),
    ("withdrawn_late", 1, ("dispose", "acknowledge", "withdraw"), False),
)

STEP_GAPS_HOURS = {
    "hold_national": (3, 50),
    "dispose": (2, 70),
    "redispose": (2, 40),
    "forward": (1, 30),
    "acknowledge": (2, 60),
    "hold_unit": (24, 120),
    "add_info": (5, 72),
    "follow_up": (24, 240),
    "reply": (5, 96),
    "accept": (3, 150),
    "close_admin": (120, 300),
    "auto_close": (340, 420),
    "return_unit": (3, 72),
    "return_agency": (2, 48),
    "archive": (3, 72),
    "archive_incomplete": (240, 400),
    "withdraw": (5, 200),
}
CHANNELS = (
    ("web", 52), ("api", 14), ("sms", 10), ("email", 6), ("counter", 8), ("phone", 6),
    ("open311", 4),
)  # fmt: skip
ARCHIVE_REASONS = (
    ("spam", 3), ("unintelligible", 2), ("not_public_service", 3), ("out_of_scope", 3),
    ("abusive", 1),
)  # fmt: skip
FOLLOW_UP_GENERIC = (
    "Terima kasih atas laporannya. Petugas telah meninjau lokasi pada {date} dan perbaikan "
    "dijadwalkan dalam dua minggu.",
    "Laporan telah kami tindak lanjuti bersama perangkat kecamatan; pekerjaan selesai pada "
    "{date}. Mohon kabari kami bila masalah muncul kembali.",
    "Permasalahan ini sudah masuk rencana kerja tahun anggaran berjalan. Tim teknis mulai "
    "bekerja pada {date}.",
)


@dataclass
class Target:
    """Where a report goes: its region and the agency (and unit, and staff) handling it."""

    region_code: str
    region_label: str
    district_name: str
    tz: str
    agency: object
    units: list
    admin_id: int | None
    officers: dict  # unit id -> officer user id
    local: object = None  # a demo District for Kutai Timur places


@dataclass
class World:
    """Everything looked up once before generation."""

    national_admin_id: int
    categories: dict  # slug -> id
    topics: list
    topic_weights: list
    places: list  # (weight, kind, data)
    reporter_ids: list[int]
    node: str
    extra: dict = field(default_factory=dict)


class DeadlineCache:
    """Working-day arithmetic is per local day: cache it per (local date, zone, days)."""

    def __init__(self):
        self.add_cache: dict = {}
        self.between_cache: dict = {}

    def add(self, start: dt.datetime, days: int, tz: str) -> dt.datetime:
        key = (start.astimezone(_zone(tz)).date(), tz, days)
        hit = self.add_cache.get(key)
        if hit is None:
            hit = self.add_cache[key] = add_working_days(start, days, tz, None)
        return hit

    def between(self, start: dt.datetime, end: dt.datetime, tz: str) -> int:
        zone = _zone(tz)
        key = (start.astimezone(zone).date(), end.astimezone(zone).date(), tz)
        hit = self.between_cache.get(key)
        if hit is None:
            hit = self.between_cache[key] = working_days_between(start, end, tz, None)
        return hit


_ZONES: dict = {}


def _zone(tz: str):
    from zoneinfo import ZoneInfo

    zone = _ZONES.get(tz)
    if zone is None:
        zone = _ZONES[tz] = ZoneInfo(tz)
    return zone


class _Template(dict):
    def __missing__(self, key):
        return "{" + key + "}"


def fill(template: str, context: dict) -> str:
    return template.format_map(_Template(context))


def digest(event: dict, report_uuid: str) -> str:
    """The same canonical digest as aduan.reports.events.event_digest, on a plain dict."""
    body = {
        "report": report_uuid,
        "uuid": event["uuid"],
        "seq": event["seq"],
        "type": event["type"],
        "visibility": event["visibility"],
        "actor": event["actor_id"],
        "actor_role": event["actor_role"],
        "at": event["at"].isoformat(),
        "from": event["from_status"],
        "to": event["to_status"],
        "payload": event["payload"],
        "origin": event["origin_node"],
        "prev": event["prev_hash"],
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class Generator:
    """Produces (report row, [event rows]) dicts; the command writes them in batches."""

    def __init__(self, world: World, *, seed, now: dt.datetime, origin_node: str):
        self.world = world
        self.rng = random.Random(seed)
        self.now = now
        self.origin = origin_node
        self.deadlines = DeadlineCache()
        self.scenarios = SCENARIOS
        self.scenario_weights = [s[1] for s in SCENARIOS]
        self.place_weights = [p[0] for p in world.places]
        self.channel_names = [c for c, _ in CHANNELS]
        self.channel_weights = [w for _, w in CHANNELS]
        self.start = now - dt.timedelta(days=3 * 365)

    # -- helpers ------------------------------------------------------------------------

    def _uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def _submitted_at(self, is_open: bool) -> dt.datetime:
        rng = self.rng
        if is_open:
            age = rng.uniform(0.02, STATUSES_OPEN_AGE_DAYS) * 86400
        else:
            # Volume grows over the years: more recent days are likelier (triangular).
            age = (1 - rng.triangular(0, 1, 1)) * 3 * 365 * 86400 + 20 * 86400
        moment = self.now - dt.timedelta(seconds=age)
        return moment.replace(microsecond=rng.randrange(0, 1_000_000, 1000))

    def _context(self, target: Target) -> dict:
        rng = self.rng
        local = target.local
        if local is not None:
            road, landmark, river = (
                rng.choice(local.roads),
                rng.choice(local.landmarks),
                rng.choice(local.rivers),
            )
        else:
            road = rng.choice(STREETS)
            landmark = f"{rng.choice(LANDMARKS)} {target.district_name}"
            river = rng.choice(RIVERS)
        return {
            "road": road,
            "landmark": landmark,
            "river": river,
            "village": target.region_label,
            "district": target.district_name,
            "school": f"SDN {rng.randint(1, 30):02d} {target.district_name}",
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

    def _date_id(self, moment: dt.datetime) -> str:
        return f"{moment.day} {demo.MONTHS_ID[moment.month - 1]} {moment.year}"

    # -- one report ---------------------------------------------------------------------

    def report(self, report_id: int, tracking_number: str) -> tuple[dict, list[dict]]:
        rng, world = self.rng, self.world
        name, _, steps, is_open = rng.choices(self.scenarios, self.scenario_weights)[0]
        place = rng.choices(world.places, self.place_weights)[0]
        target: Target = place[1]()
        submitted = self._submitted_at(is_open)
        archived = any(s.startswith("archive") for s in steps)

        if archived and rng.random() < 0.6:
            reason, title, body, note = rng.choice(demo.ARCHIVE_STORIES)
            context = self._context(target)
            title, body = fill(title, context), fill(body, context)
            topic = None
        elif archived:
            reason = "incomplete"
            title, body = rng.choice(demo.INCOMPLETE_STORIES)
            note = "Pelapor tidak melengkapi informasi."
            topic = None
        else:
            reason = note = ""
            topic = rng.choices(world.topics, world.topic_weights)[0]
            context = self._context(target)
            story = rng.randrange(len(topic.titles))
            title = fill(topic.titles[story], context)[:200]
            parts = [topic.openers[story % len(topic.openers)]]
            parts += rng.sample(topic.details, k=min(len(topic.details), rng.choice((1, 1, 2))))
            if topic.impacts and rng.random() < 0.6:
                parts.append(rng.choice(topic.impacts))
            parts.append(rng.choice(demo.BODY_CLOSINGS))
            body = fill(" ".join(p for p in parts if p), context)
        if archived and name == "archived_incomplete":
            reason = "incomplete"
        if archived and not reason:
            reason = rng.choices([r for r, _ in ARCHIVE_REASONS], [w for _, w in ARCHIVE_REASONS])[
                0
            ]

        report_type = topic.report_type if topic else "complaint"
        category_id = world.categories.get(topic.category) if topic else None
        channel = rng.choices(self.channel_names, self.channel_weights)[0]
        needs_inspection = bool(topic and topic.needs_inspection and report_type == "complaint")
        r = {
            "id": report_id,
            "uuid": self._uuid(),
            "tracking_number": tracking_number,
            "owner_node": world.node,
            "report_type": report_type,
            "title": title,
            "body": body,
            "incident_date": (submitted - dt.timedelta(days=rng.randint(0, 14))).date(),
            "channel": channel,
            "region_id": target.region_code,
            "province_code": target.region_code[:2],
            "regency_code": target.region_code[:5] if len(target.region_code) >= 5 else "",
            "suggested_region_id": None,
            "region_suggestion_reason": "",
            "latitude": None,
            "longitude": None,
            "address": "",
            "media_url": "",
            "category_id": category_id,
            "is_anonymous": rng.random() < 0.15,
            "is_confidential": rng.random() < (topic.confidential_share if topic else 0.03),
            "reporter_id": rng.choice(world.reporter_ids),
            "access_token_hash": f"{rng.getrandbits(256):064x}",
            "status": "submitted",
            "status_before_hold": "",
            "agency_id": None,
            "unit_id": None,
            "returned_to": "",
            "needs_inspection": needs_inspection,
            "archive_reason": "",
            "duplicate_of_id": None,
            "rating": None,
            "rating_comment": "",
            "appeal_used": False,
            "escalation_level": 0,
            "is_escalated": False,
            "created_at": submitted,
            "updated_at": submitted,
            "submitted_at": submitted,
            "verified_at": None,
            "dispositioned_at": None,
            "first_response_at": None,
            "responded_at": None,
            "closed_at": None,
            "paused_at": None,
            "verify_due_at": None,
            "first_response_due_at": None,
            "completion_due_at": None,
            "reply_due_at": None,
            "next_due_at": None,
            "is_overdue": False,
            "last_event_seq": 0,
            "last_event_hash": "",
        }
        events: list[dict] = []
        tz = target.tz
        dl = self.deadlines

        def event(type_, at, actor_id, role, payload, *, vis="public", frm="", to=""):
            e = {
                "uuid": self._uuid(),
                "report_id": report_id,
                "seq": r["last_event_seq"] + 1,
                "type": type_,
                "visibility": vis,
                "actor_id": actor_id,
                "actor_role": role,
                "at": at,
                "from_status": frm,
                "to_status": to,
                "payload": payload,
                "origin_node": self.origin,
                "prev_hash": r["last_event_hash"] or GENESIS,
            }
            e["hash"] = digest(e, r["uuid"])
            r["last_event_seq"], r["last_event_hash"] = e["seq"], e["hash"]
            r["updated_at"] = at
            events.append(e)

        def move(to):
            frm = r["status"]
            r["status"] = to
            return frm

        r["verify_due_at"] = dl.add(submitted, 3, tz)
        event(
            "submitted",
            submitted,
            None,
            "reporter",
            {"channel": channel, "report_type": report_type},
            to="submitted",
        )
        national = world.national_admin_id
        moment = submitted
        unit = None
        context = None
        for step in steps:
            low, high = STEP_GAPS_HOURS[step]
            moment = moment + dt.timedelta(hours=rng.uniform(low, high))
            if step == "hold_national" or step == "hold_unit":
                actor, role = (
                    (national, "national_admin")
                    if step == "hold_national"
                    else (target.officers.get(unit.pk) if unit else target.admin_id, "unit_officer")
                )
                pool = (
                    demo.HOLD_QUESTIONS_VERIFY
                    if step == "hold_national"
                    else demo.HOLD_QUESTIONS_UNIT
                )
                r["status_before_hold"] = r["status"]
                r["paused_at"] = moment
                frm = move("on_hold")
                event(
                    "put_on_hold", moment, actor, role, {"question": rng.choice(pool)},
                    vis="parties", frm=frm, to="on_hold",
                )  # fmt: skip
            elif step == "add_info":
                shift = dl.between(r["paused_at"], moment, tz)
                for f in ("verify_due_at", "first_response_due_at", "completion_due_at"):
                    due = r[f]
                    if shift and due is not None and due > r["paused_at"]:
                        r[f] = dl.add(due, shift, tz)
                r["paused_at"] = None
                frm = move(r["status_before_hold"] or "submitted")
                r["status_before_hold"] = ""
                event(
                    "information_added", moment, None, "reporter",
                    {"text": rng.choice(demo.ADDED_INFORMATION), "deadline_shift_working_days": shift},
                    vis="parties", frm=frm, to=r["status"],
                )  # fmt: skip
            elif step in ("dispose", "redispose"):
                agency = target.agency
                r["agency_id"] = agency.pk
                r["returned_to"] = ""
                r["verified_at"] = r["verified_at"] or moment
                r["dispositioned_at"] = moment
                r["first_response_due_at"] = dl.add(moment, 5, tz)
                completion = 60 if needs_inspection else (14 if report_type == "complaint" else 5)
                r["completion_due_at"] = dl.add(moment, completion, tz)
                frm = move("dispositioned")
                if step == "dispose":
                    event(
                        "dispositioned", moment, national, "national_admin",
                        {"agency": str(agency.uuid), "agency_name": agency.name,
                         "unit": None, "unit_name": None},
                        frm=frm, to="dispositioned",
                    )  # fmt: skip
                else:
                    event(
                        "redispositioned", moment, national, "national_admin",
                        {"agency": str(agency.uuid), "agency_name": agency.name,
                         "unit": None, "unit_name": None,
                         "note": rng.choice(demo.REDISPOSE_NOTES)},
                        frm=frm, to="dispositioned",
                    )  # fmt: skip
            elif step == "forward":
                if target.units:
                    unit = rng.choice(target.units)
                    r["unit_id"] = unit.pk
                    event(
                        "forwarded", moment, target.admin_id, "agency_admin",
                        {"unit": str(unit.uuid), "unit_name": unit.name, "previous_unit": None},
                        frm=r["status"], to=r["status"],
                    )  # fmt: skip
            elif step == "acknowledge":
                actor = target.officers.get(unit.pk) if unit else target.admin_id
                role = "unit_officer" if unit else "agency_admin"
                frm = move("in_progress")
                event("acknowledged", moment, actor, role, {}, frm=frm, to="in_progress")
            elif step in ("return_unit", "return_agency"):
                returned_to = "agency" if step == "return_unit" and unit else "national"
                by = unit or target.agency
                actor = target.officers.get(unit.pk) if unit else target.admin_id
                role = "unit_officer" if unit else "agency_admin"
                r["returned_to"] = returned_to
                r["unit_id"] = None
                unit = None
                frm = move("returned")
                event(
                    "returned", moment, actor, role,
                    {"reason": "Bukan kewenangan unit kami; mohon diteruskan ke instansi yang tepat.",
                     "returned_to": returned_to, "from": by.name},
                    frm=frm, to="returned",
                )  # fmt: skip
            elif step == "follow_up":
                if context is None:
                    context = self._context(target)
                context["date"] = self._date_id(moment)
                pool = topic.followups if topic and topic.followups else FOLLOW_UP_GENERIC
                if r["first_response_at"] is not None:
                    pool = demo.SECOND_FOLLOW_UPS
                text = fill(rng.choice(pool), context)
                actor = target.officers.get(unit.pk) if unit else target.admin_id
                role = "unit_officer" if unit else "agency_admin"
                r["first_response_at"] = r["first_response_at"] or moment
                r["responded_at"] = moment
                r["reply_due_at"] = dl.add(moment, 10, tz)
                frm = move("responded")
                by = (unit or target.agency).name
                event(
                    "follow_up", moment, actor, role, {"text": text, "by": by},
                    frm=frm, to="responded",
                )  # fmt: skip
            elif step == "reply":
                r["reply_due_at"] = None
                frm = move("in_progress")
                event(
                    "reporter_replied", moment, None, "reporter",
                    {"text": rng.choice(demo.REPORTER_REPLIES)},
                    vis="parties", frm=frm, to="in_progress",
                )  # fmt: skip
            elif step == "accept":
                r["closed_at"] = moment
                r["reply_due_at"] = None
                frm = move("closed")
                event("accepted", moment, None, "reporter", {}, frm=frm, to="closed")
                if rng.random() < 0.75:
                    rating = rng.choices((1, 2, 3, 4, 5), (4, 5, 12, 35, 44))[0]
                    comments = demo.RATING_COMMENTS.get(rating) or ("",)
                    comment = rng.choice(comments)
                    r["rating"], r["rating_comment"] = rating, comment
                    event("rated", moment, None, "reporter", {"rating": rating, "comment": comment})
            elif step == "auto_close":
                moment = max(moment, r["reply_due_at"] + dt.timedelta(minutes=rng.randint(1, 600)))
                r["closed_at"] = moment
                r["reply_due_at"] = None
                frm = move("closed")
                event("auto_closed", moment, None, "system", {}, frm=frm, to="closed")
            elif step == "close_admin":
                r["closed_at"] = moment
                r["reply_due_at"] = None
                frm = move("closed")
                event(
                    "closed", moment, national, "national_admin",
                    {"note": rng.choice(demo.ADMIN_CLOSE_NOTES)}, frm=frm, to="closed",
                )  # fmt: skip
            elif step in ("archive", "archive_incomplete"):
                r["archive_reason"] = reason
                r["closed_at"] = moment
                r["paused_at"] = None
                r["status_before_hold"] = ""
                frm = move("archived")
                event(
                    "archived", moment, national, "national_admin",
                    {"reason": reason, "duplicate_of": None, "note": note},
                    vis="parties", frm=frm, to="archived",
                )  # fmt: skip
            elif step == "withdraw":
                r["closed_at"] = moment
                r["paused_at"] = None
                frm = move("withdrawn")
                event(
                    "withdrawn", moment, None, "reporter",
                    {"reason": rng.choice(demo.WITHDRAW_REASONS)},
                    vis="parties", frm=frm, to="withdrawn",
                )  # fmt: skip
        if moment > self.now:
            # Open reports submitted moments ago: keep every event in the past.
            raise _Retry
        _refresh_next_due(r, self.now)
        return r, events

    def report_retrying(self, report_id: int, tracking_number: str):
        while True:
            try:
                return self.report(report_id, tracking_number)
            except _Retry:
                continue


class _Retry(Exception):
    pass


def _refresh_next_due(r: dict, now: dt.datetime) -> None:
    from aduan.reports.deadlines import refresh_next_due

    obj = SimpleNamespace(**r)
    refresh_next_due(obj, now)
    r["next_due_at"], r["is_overdue"] = obj.next_due_at, obj.is_overdue
