"""A random walk through the report lifecycle, driven by the real domain actions.

Used by the property test (aggregates equal a recount after any mix of actions) and by
tests that need varied data. Every choice comes from one `random.Random(seed)`, so a
failing seed replays exactly."""

import datetime as dt
import random
from collections import Counter

import time_machine

from aduan.agencies.models import Agency
from aduan.reports import actions as a
from aduan.reports.actors import Actor
from aduan.reports.errors import DomainError
from aduan.reports.models import OPEN_STATUSES, Report, Status
from aduan.reports.sla import scan_deadlines
from conftest import aware

REGIONS = ["64.08.04", "64.08.04.1001", "64.08.05", "64.08", "64.01", "64", "31", None]
CATEGORIES = ["jalan-rusak", "limbah", "infrastruktur", "lingkungan-hidup", None]
TYPES = ["complaint", "complaint", "aspiration", "information_request"]
CHANNELS = ["web", "web", "api", "sms", "open311"]


class Walk:
    def __init__(self, world, seed: int):
        self.w = world
        self.rng = random.Random(seed)
        self.reports: list[int] = []
        self.done = 0
        # Actions that succeeded, by name, and what the deadline scans did.
        self.performed: Counter = Counter()
        self.refused = 0
        self.admins = {
            world.pemkab.pk: world.agency_admin,
            world.pemkab_paser.pk: world.other_admin,
        }
        self.officers = {
            world.dinas_pu.pk: world.officer,
            world.dlh.pk: world.dlh_officer,
            world.pu_paser.pk: world.other_officer,
        }

    # -- people ---------------------------------------------------------------------

    def reporter(self, report: Report) -> Actor:
        return Actor(reporter_id=report.reporter_id)

    def handler(self, report: Report):
        if report.unit_id and self.rng.random() < 0.8:
            return self.officers[report.unit_id]
        if report.agency_id in self.admins:
            return self.admins[report.agency_id]
        return self.w.national_admin

    def admin(self, report: Report):
        if report.agency_id in self.admins and self.rng.random() < 0.5:
            return self.admins[report.agency_id]
        return self.w.national_admin

    # -- steps ----------------------------------------------------------------------

    def submit(self) -> None:
        rng = self.rng
        data = {
            "report_type": rng.choice(TYPES),
            "channel": rng.choice(CHANNELS),
            "region": rng.choice(REGIONS) or "",
            "category": rng.choice(CATEGORIES) or "",
            "is_anonymous": rng.random() < 0.3,
            "is_confidential": rng.random() < 0.2,
        }
        if rng.random() < 0.2:
            # A guest reporting at the counter through a staff member.
            report = a.submit_report(
                self.w_payload(data),
                actor=self.w.national_admin,
                reporter=a.ReporterDetails(name="Tamu", phone="081300000000"),
            ).report
        else:
            report = self.w.submit(**data)
        self.reports.append(report.pk)

    def w_payload(self, data: dict) -> dict:
        return {
            "title": "Saluran air tersumbat",
            "body": "Saluran air di depan pasar tersumbat sampah sejak seminggu.",
            **data,
        }

    def target(self):
        w, rng = self.w, self.rng
        return rng.choice(
            [
                (w.pemkab, w.dinas_pu),
                (w.pemkab, w.dlh),
                (w.pemkab, None),
                (w.pemkab_paser, w.pu_paser),
                (w.pemkab_paser, None),
            ]
        )

    def act(self, report: Report) -> bool:
        """Try one action that the report's status allows; False when none was tried."""
        w, rng = self.w, self.rng
        status = report.status
        options = ["withdraw"] if report.is_open else []
        if status == Status.SUBMITTED:
            options += ["verify", "dispose", "dispose", "dispose", "dispose", "hold", "archive"]
            options += ["duplicate"] if rng.random() < 0.3 else []
        elif status == Status.ON_HOLD:
            options += ["add_information", "add_information", "archive"]
        elif status == Status.DISPOSITIONED:
            options += ["forward", "acknowledge", "acknowledge", "follow_up", "return"]
            options += ["hold", "inspection", "note"]
        elif status == Status.RETURNED:
            options += ["redispose", "redispose"]
        elif status == Status.IN_PROGRESS:
            options += ["follow_up", "follow_up", "return", "hold", "close"]
        elif status == Status.RESPONDED:
            options += ["reply", "accept", "accept", "contest", "close"]
        elif status == Status.CLOSED:
            options += ["rate", "contest"]
        if not options:
            return False
        choice = rng.choice(options)
        if choice == "withdraw" and rng.random() < 0.7:
            return False  # rarer than the rest
        self.last = choice
        reporter = self.reporter(report)
        if choice == "withdraw":
            a.withdraw_report(report, actor=reporter)
        elif choice == "verify":
            a.verify_report(
                report,
                actor=w.national_admin,
                category=rng.choice(["jalan-rusak", "limbah", None]),
                region=rng.choice(["64.08.05", "64.01", None]),
                report_type=rng.choice([None, "aspiration", "complaint"]),
                is_confidential=rng.choice([None, True, False]),
            )
        elif choice == "dispose":
            agency, unit = self.target()
            a.dispose_report(
                report,
                agency,
                unit=unit,
                actor=w.national_admin,
                needs_inspection=rng.choice([None, True, False]),
                category=rng.choice([None, "jalan-rusak"]),
            )
        elif choice == "hold":
            a.put_on_hold(report, "Mohon foto lokasi.", actor=self.handler(report))
        elif choice == "archive":
            a.archive_report(report, "incomplete", actor=w.national_admin)
        elif choice == "duplicate":
            others = [pk for pk in self.reports if pk != report.pk]
            if others:
                original = Report.objects.get(pk=rng.choice(others))
                a.archive_report(report, "duplicate", actor=w.national_admin, duplicate_of=original)
        elif choice == "add_information":
            a.add_information(report, "Foto sudah saya kirim.", actor=reporter)
        elif choice == "forward":
            units = [
                u
                for u, officer in self.officers.items()
                if officer.agency.parent_id == report.agency_id
            ]
            if units:
                unit = Agency.objects.get(pk=rng.choice(units))
                a.forward_to_unit(report, unit, actor=self.admin(report))
        elif choice == "acknowledge":
            a.acknowledge_report(report, actor=self.handler(report))
        elif choice == "follow_up":
            a.post_follow_up(report, "Sudah ditangani petugas.", actor=self.handler(report))
        elif choice == "return":
            a.return_not_authority(report, "Bukan wewenang kami.", actor=self.handler(report))
        elif choice == "inspection":
            a.set_needs_inspection(report, rng.random() < 0.5, actor=self.admin(report))
        elif choice == "note":
            a.add_internal_note(report, "Dicek.", actor=self.handler(report))
        elif choice == "redispose":
            if report.returned_to == "agency":
                units = [
                    u for u, o in self.officers.items() if o.agency.parent_id == report.agency_id
                ]
                unit = Agency.objects.get(pk=rng.choice(units))
                a.redispose_report(report, None, unit=unit, actor=self.admins[report.agency_id])
            else:
                agency, unit = self.target()
                a.redispose_report(report, agency, unit=unit, actor=w.national_admin)
        elif choice == "close":
            a.close_report(report, actor=self.admin(report))
        elif choice == "reply":
            a.reporter_reply(report, "Belum selesai, lubang masih ada.", actor=reporter)
        elif choice == "accept":
            a.accept_response(report, actor=reporter, rating=rng.choice([None, 1, 3, 4, 5]))
        elif choice == "contest":
            a.contest_response(report, "Jawaban tidak sesuai.", actor=reporter)
        elif choice == "rate":
            a.rate_report(report, rng.randint(1, 5), actor=reporter)
        return True

    def pick(self) -> Report:
        """A report to act on, mostly one that is still open."""
        if self.rng.random() < 0.85:
            open_ones = list(
                Report.objects.filter(pk__in=self.reports, status__in=OPEN_STATUSES)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            if open_ones:
                return Report.objects.get(pk=self.rng.choice(open_ones))
        return Report.objects.get(pk=self.rng.choice(self.reports))

    def run(self, steps: int, start: dt.datetime | None = None) -> "Walk":
        rng = self.rng
        now = start or aware(2026, rng.randint(1, 11), rng.randint(1, 28), rng.randint(0, 23))
        with time_machine.travel(now, tick=False) as clock:
            for _ in range(steps):
                roll = rng.random()
                if roll < 0.12 or not self.reports:
                    self.submit()
                elif roll < 0.2:
                    # Days pass: deadlines run out, silent reporters' reports close.
                    clock.shift(dt.timedelta(days=rng.randint(1, 15), hours=rng.randint(0, 23)))
                    result = scan_deadlines()
                    self.performed["auto_close"] += result.auto_closed
                    self.performed["escalation"] += result.escalations
                else:
                    report = self.pick()
                    try:
                        if self.act(report):
                            self.done += 1
                            self.performed[self.last] += 1
                    except DomainError:
                        self.refused += 1
                clock.shift(dt.timedelta(hours=rng.randint(0, 30), minutes=rng.randint(0, 59)))
        return self
