"""Synthetic national-scale reports for benchmarks (`manage.py generate_reports`).

Text is composed from the demo corpora (demo_data.py: topics × places × details), regions
are weighted by population (Java-heavy), categories follow the demo topic weights
(infrastructure, environment, health and civil registration first), timestamps span three
years, and every lifecycle status appears with its event history and deadlines.

This is a data generator, like a restore: the command writes the rows in bulk (COPY on
PostgreSQL) instead of running a transaction per action, never sends notifications and
never fires `report_changed` (read models are rebuilt afterwards with `rebuild_stats`).
What the rows contain is nevertheless computed by the domain's own code, on the same
model objects the actions build:

- every event is made by `aduan.reports.events.chain_event`, so the history is chained
  and hashed exactly as `append_event` does and `verify_audit_chain` checks it;
- every deadline is set by `aduan.reports.deadlines` (`on_submitted`, `on_dispositioned`,
  `on_responded`, `pause`/`resume`, `refresh_next_due`) on the working-day calendar of the
  report's zone and region, holidays that admins added included.

Each step changes the report's fields as the action of the same name does; a test replays
generated histories through the real actions and compares the rows.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass

from aduan.accounts.models import Role
from aduan.devdata import demo_data as demo
from aduan.regions.models import Region
from aduan.reports import deadlines
from aduan.reports.actors import SYSTEM, Actor
from aduan.reports.events import chain_event
from aduan.reports.models import EventType, Report, ReportEvent, Status, Visibility

S, E, V = Status, EventType, Visibility
REPORTER = Actor()

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
    """Where a report goes: its region and the agency (and units, and staff) handling it."""

    region: Region
    region_label: str
    district_name: str
    agency: object
    units: list
    admin: Actor
    officers: dict  # unit id -> Actor of one of its officers
    local: object = None  # a demo District for Kutai Timur places


@dataclass
class World:
    """Everything looked up once before generation."""

    national_admin: Actor
    categories: dict  # slug -> id
    topics: list
    topic_weights: list
    places: list  # (weight, kind, data)
    reporter_ids: list[int]
    node: str


class _Template(dict):
    def __missing__(self, key):
        return "{" + key + "}"


def fill(template: str, context: dict) -> str:
    return template.format_map(_Template(context))


class Generator:
    """Produces (Report, [ReportEvent]) pairs, unsaved; the command writes them in batches."""

    def __init__(self, world: World, *, seed, now: dt.datetime):
        self.world = world
        self.rng = random.Random(seed)
        self.now = now
        self.scenarios = SCENARIOS
        self.scenario_weights = [s[1] for s in SCENARIOS]
        self.place_weights = [p[0] for p in world.places]
        self.channel_names = [c for c, _ in CHANNELS]
        self.channel_weights = [w for _, w in CHANNELS]

    # -- helpers ------------------------------------------------------------------------

    def _uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

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

    def report(self, report_id: int, tracking_number: str) -> tuple[Report, list[ReportEvent]]:
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
        channel = rng.choices(self.channel_names, self.channel_weights)[0]
        code = target.region.code
        report = Report(
            id=report_id,
            uuid=self._uuid(),
            tracking_number=tracking_number,
            owner_node=world.node,
            report_type=report_type,
            title=title,
            body=body,
            incident_date=(submitted - dt.timedelta(days=rng.randint(0, 14))).date(),
            channel=channel,
            region=target.region,
            province_code=code[:2],
            regency_code=code[:5] if len(code) >= 5 else "",
            category_id=world.categories.get(topic.category) if topic else None,
            is_anonymous=rng.random() < 0.15,
            is_confidential=rng.random() < (topic.confidential_share if topic else 0.03),
            reporter_id=rng.choice(world.reporter_ids),
            access_token_hash=f"{rng.getrandbits(256):064x}",
            status=S.SUBMITTED,
            # Marked when it is disposed (as dispose_report does), so never before that.
            needs_inspection=bool(
                topic
                and topic.needs_inspection
                and report_type == "complaint"
                and "dispose" in steps
            ),
            submitted_at=submitted,
            created_at=submitted,
        )
        events: list[ReportEvent] = []
        moment = submitted

        def event(type_, actor, payload=None, *, vis=V.PUBLIC, frm="", to=""):
            events.append(
                chain_event(
                    report,
                    type_,
                    actor=actor,
                    payload=payload,
                    visibility=vis,
                    from_status=frm,
                    to_status=to,
                    at=moment,
                )
            )
            report.updated_at = moment

        def move(to):
            frm = report.status
            report.status = to
            return frm

        def handler() -> Actor:
            """Whoever works on the report now: the unit's officer, else the agency admin."""
            if report.unit_id is not None:
                return target.officers.get(report.unit_id, target.admin)
            return target.admin

        deadlines.on_submitted(report, submitted)
        event(
            E.SUBMITTED,
            REPORTER,
            # As `submit_report` records it (what the row must go on saying).
            {
                "channel": channel,
                "report_type": report_type,
                "is_anonymous": report.is_anonymous,
                "is_confidential": report.is_confidential,
            },
            to=S.SUBMITTED,
        )
        national = world.national_admin
        context = None
        for step in steps:
            low, high = STEP_GAPS_HOURS[step]
            moment = moment + dt.timedelta(hours=rng.uniform(low, high))
            if step in ("hold_national", "hold_unit"):
                actor = national if step == "hold_national" else handler()
                pool = (
                    demo.HOLD_QUESTIONS_VERIFY
                    if step == "hold_national"
                    else demo.HOLD_QUESTIONS_UNIT
                )
                frm = move(S.ON_HOLD)
                report.status_before_hold = frm
                deadlines.pause(report, moment)
                event(
                    E.PUT_ON_HOLD, actor, {"question": rng.choice(pool)},
                    vis=V.PARTIES, frm=frm, to=S.ON_HOLD,
                )  # fmt: skip
            elif step == "add_info":
                frm = move(report.status_before_hold or S.SUBMITTED)
                report.status_before_hold = ""
                shift = deadlines.resume(report, moment)
                event(
                    E.INFORMATION_ADDED, REPORTER,
                    {"text": rng.choice(demo.ADDED_INFORMATION), "deadline_shift_working_days": shift},
                    vis=V.PARTIES, frm=frm, to=report.status,
                )  # fmt: skip
            elif step in ("dispose", "redispose"):
                agency = target.agency
                # As in redispose_report: the clocks restart only for another agency.
                restart = step == "dispose" or agency.pk != report.agency_id
                frm = move(S.DISPOSITIONED)
                report.agency, report.unit = agency, None
                report.returned_to = ""
                report.verified_at = report.verified_at or moment
                if restart:
                    report.dispositioned_at = moment
                    deadlines.on_dispositioned(report, moment)
                payload = {
                    "agency": str(agency.uuid),
                    "agency_name": agency.name,
                    "unit": None,
                    "unit_name": None,
                }
                if step == "dispose":
                    event(E.DISPOSITIONED, national, payload, frm=frm, to=S.DISPOSITIONED)
                else:
                    payload["note"] = rng.choice(demo.REDISPOSE_NOTES)
                    event(E.REDISPOSITIONED, national, payload, frm=frm, to=S.DISPOSITIONED)
            elif step == "forward":
                if target.units:
                    unit = rng.choice(target.units)
                    report.unit = unit
                    event(
                        E.FORWARDED, target.admin,
                        {"unit": str(unit.uuid), "unit_name": unit.name, "previous_unit": None},
                        frm=report.status, to=report.status,
                    )  # fmt: skip
            elif step == "acknowledge":
                actor = handler()
                frm = move(S.IN_PROGRESS)
                event(E.ACKNOWLEDGED, actor, frm=frm, to=S.IN_PROGRESS)
            elif step in ("return_unit", "return_agency"):
                actor = handler() if step == "return_unit" else target.admin
                by = report.unit or report.agency
                # As in return_not_authority: a unit returns to its agency, an agency to
                # the national admins.
                report.returned_to = "agency" if actor.role == Role.UNIT_OFFICER else "national"
                report.unit = None
                frm = move(S.RETURNED)
                event(
                    E.RETURNED, actor,
                    {"reason": "Bukan kewenangan unit kami; mohon diteruskan ke instansi yang tepat.",
                     "returned_to": report.returned_to, "from": by.name},
                    frm=frm, to=S.RETURNED,
                )  # fmt: skip
            elif step == "follow_up":
                if context is None:
                    context = self._context(target)
                context["date"] = self._date_id(moment)
                pool = topic.followups if topic and topic.followups else FOLLOW_UP_GENERIC
                if report.first_response_at is not None:
                    pool = demo.SECOND_FOLLOW_UPS
                text = fill(rng.choice(pool), context)
                actor = handler()
                report.first_response_at = report.first_response_at or moment
                report.responded_at = moment
                deadlines.on_responded(report, moment)
                frm = move(S.RESPONDED)
                event(
                    E.FOLLOW_UP, actor, {"text": text, "by": str(report.handling_agency)},
                    frm=frm, to=S.RESPONDED,
                )  # fmt: skip
            elif step == "reply":
                report.reply_due_at = None
                frm = move(S.IN_PROGRESS)
                event(
                    E.REPORTER_REPLIED, REPORTER, {"text": rng.choice(demo.REPORTER_REPLIES)},
                    vis=V.PARTIES, frm=frm, to=S.IN_PROGRESS,
                )  # fmt: skip
            elif step == "accept":
                report.closed_at = moment
                report.reply_due_at = None
                frm = move(S.CLOSED)
                event(E.ACCEPTED, REPORTER, frm=frm, to=S.CLOSED)
                if rng.random() < 0.75:
                    rating = rng.choices((1, 2, 3, 4, 5), (4, 5, 12, 35, 44))[0]
                    comment = rng.choice(demo.RATING_COMMENTS.get(rating) or ("",))
                    report.rating, report.rating_comment = rating, comment
                    event(E.RATED, REPORTER, {"rating": rating, "comment": comment})
            elif step == "auto_close":
                # The scan closes the report once the reply window has ended.
                moment = max(
                    moment, report.reply_due_at + dt.timedelta(minutes=rng.randint(1, 600))
                )
                report.closed_at = moment
                report.reply_due_at = None
                frm = move(S.CLOSED)
                event(E.AUTO_CLOSED, SYSTEM, frm=frm, to=S.CLOSED)
            elif step == "close_admin":
                report.closed_at = moment
                report.reply_due_at = None
                frm = move(S.CLOSED)
                event(
                    E.CLOSED, national, {"note": rng.choice(demo.ADMIN_CLOSE_NOTES)},
                    frm=frm, to=S.CLOSED,
                )  # fmt: skip
            elif step in ("archive", "archive_incomplete"):
                report.archive_reason = reason
                report.closed_at = moment
                report.paused_at = None
                report.status_before_hold = ""
                frm = move(S.ARCHIVED)
                event(
                    E.ARCHIVED, national, {"reason": reason, "duplicate_of": None, "note": note},
                    vis=V.PARTIES, frm=frm, to=S.ARCHIVED,
                )  # fmt: skip
            elif step == "withdraw":
                report.closed_at = moment
                report.paused_at = None
                frm = move(S.WITHDRAWN)
                event(
                    E.WITHDRAWN, REPORTER, {"reason": rng.choice(demo.WITHDRAW_REASONS)},
                    vis=V.PARTIES, frm=frm, to=S.WITHDRAWN,
                )  # fmt: skip
        if moment > self.now:
            # Open reports submitted moments ago: keep every event in the past.
            raise _Retry
        # The stored scan key and overdue flag as the worker's deadline scan leaves them.
        deadlines.refresh_next_due(report, self.now)
        return report, events

    def report_retrying(self, report_id: int, tracking_number: str):
        while True:
            try:
                return self.report(report_id, tracking_number)
            except _Retry:
                continue


class _Retry(Exception):
    pass
