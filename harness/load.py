"""Citizens and staff at work on one node, through the same entry as pages and APIs
(`aduan.federation.dispatch.perform`): an action on a report another node owns becomes a
command. Every committed operation is logged as one JSON line.

    python -m harness.load --seed 7 --duration 60 --rate 20 --log load.jsonl
"""

import argparse
import json
import os
import random
import time

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import close_old_connections  # noqa: E402
from django.utils import timezone  # noqa: E402

from aduan.accounts.models import Role, User  # noqa: E402
from aduan.agencies.models import Agency, AgencyKind  # noqa: E402
from aduan.categories.models import Category  # noqa: E402
from aduan.federation.dispatch import perform  # noqa: E402
from aduan.federation.messages import Pending  # noqa: E402
from aduan.regions.models import Region  # noqa: E402
from aduan.reports.actions import ReporterDetails, submit_report  # noqa: E402
from aduan.reports.actors import Actor  # noqa: E402
from aduan.reports.errors import DomainError  # noqa: E402
from aduan.reports.models import Report, Status  # noqa: E402

AREAS = {"PST": ["64.08", "64.01", "64.02", "64.03"], "KTM": ["64.08"], "PSR": ["64.01"]}


class Load:
    def __init__(self, seed: int, log_path: str):
        self.random = random.Random(f"{seed}-{settings.NODE_ID}-{os.getpid()}")
        self.log = open(log_path, "a")  # noqa: SIM115 - closed at exit
        self.node = settings.NODE_ID
        self.staff = {
            u.username: u for u in User.objects.filter(home_node="").exclude(role="citizen")
        }
        areas = AREAS[self.node]
        self.districts = [
            code
            for code in Region.objects.filter(level=3).values_list("code", flat=True)
            if code[:5] in areas
        ]
        self.categories = list(Category.objects.filter(parent__isnull=False, is_active=True))

    def write(self, op: str, report: Report | None, outcome: str, **extra):
        entry = {
            "node": self.node,
            "op": op,
            "report": report.tracking_number if report else None,
            "outcome": outcome,
            "at": time.time(),
        } | extra
        self.log.write(json.dumps(entry) + "\n")
        self.log.flush()

    def pick(self, qs):
        count = qs.count()
        if not count:
            return None
        return qs[self.random.randrange(min(count, 200))]

    def act(self, op: str, report: Report, action: str, *args, actor, **kwargs):
        try:
            result = perform(action, report, *args, actor=actor, **kwargs)
        except DomainError as exc:
            self.write(op, report, "refused_here", code=exc.code)
            return
        if isinstance(result, Pending):
            self.write(op, report, "command", message=str(result.message.uuid), to=result.node)
        else:
            self.write(op, report, "applied")

    # -- citizens ---------------------------------------------------------------------

    def photo(self, n: int):
        """A small JPEG of its own for some reports, so that files travel too."""
        import io

        from django.core.files.uploadedfile import SimpleUploadedFile
        from PIL import Image

        buffer = io.BytesIO()
        Image.new("RGB", (64, 48), (n % 255, (n * 7) % 255, (n * 13) % 255)).save(buffer, "JPEG")
        return SimpleUploadedFile(f"foto-{n}.jpg", buffer.getvalue(), content_type="image/jpeg")

    def submit(self):
        n = self.random.randrange(10**6)
        files = [self.photo(n)] if self.random.random() < 0.25 else []
        result = submit_report(
            {
                "report_type": self.random.choice(["complaint", "complaint", "aspiration"]),
                "title": f"Laporan uji {self.node} {n}",
                "body": f"Uraian laporan uji beban nomor {n} dari simpul {self.node}.",
                "region": self.random.choice(self.districts),
                "category": self.random.choice(self.categories).slug,
                "is_anonymous": self.random.random() < 0.2,
            },
            actor=None,
            reporter=ReporterDetails(
                name=f"Warga {n}",
                email=f"warga{n}@example.id",
                contact_verified_at=timezone.now(),
            ),
            files=files,
        )
        self.write("submit", result.report, "applied", files=len(files))

    def reporter_acts(self):
        mine = Report.objects.filter(origin_node=self.node)
        report = self.pick(mine.filter(status=Status.RESPONDED).order_by("?"))
        if report is not None:
            actor = Actor(reporter_id=report.reporter_id)
            choice = self.random.random()
            if choice < 0.5:
                self.act("accept", report, "accept", actor=actor, rating=self.random.randint(1, 5))
            elif choice < 0.8:
                self.act(
                    "reply", report, "reporter_reply", "Belum selesai, mohon dicek.", actor=actor
                )
            else:
                self.act("contest", report, "contest", "Jawaban tidak sesuai.", actor=actor)
            return
        report = self.pick(mine.filter(status=Status.ON_HOLD).order_by("?"))
        if report is not None:
            actor = Actor(reporter_id=report.reporter_id)
            self.act(
                "information", report, "add_information", "Lokasi di depan pasar.", actor=actor
            )

    # -- staff --------------------------------------------------------------------------

    def national(self):
        admin = self.staff["nasional"]
        choice = self.random.random()
        if choice < 0.6:
            report = self.pick(Report.objects.filter(status=Status.SUBMITTED).order_by("?"))
            if report is None:
                return
            target = self._government_for(report)
            unit = None
            if target.node and self.random.random() < 0.5:
                units = list(Agency.objects.filter(parent=target, kind=AgencyKind.UNIT))
                unit = self.random.choice(units) if units else None
            if self.random.random() < 0.1:
                self.act("hold", report, "put_on_hold", "Mohon foto lokasi.", actor=admin)
            else:
                self.act("dispose", report, "dispose", target, actor=admin, unit=unit)
        elif choice < 0.8:
            report = self.pick(
                Report.objects.filter(status=Status.RETURNED, returned_to="national").order_by("?")
            )
            if report is not None:
                target = Agency.objects.get(name="Pemerintah Provinsi Kalimantan Timur")
                self.act("redispose", report, "redispose", target, actor=admin)
        else:
            report = self.pick(
                Report.objects.exclude(status__in=("closed", "archived", "withdrawn")).order_by("?")
            )
            if report is not None:
                self.act("note", report, "add_internal_note", "Mohon dipercepat.", actor=admin)

    def _government_for(self, report: Report) -> Agency:
        code = (report.region_id or "")[:5]
        if code == "64.08":
            return Agency.objects.get(name="Pemerintah Kabupaten Kutai Timur")
        if code == "64.01":
            return Agency.objects.get(name="Pemerintah Kabupaten Paser")
        return Agency.objects.get(name="Pemerintah Provinsi Kalimantan Timur")

    def agency_admin(self, admin: User):
        agency = admin.agency
        choice = self.random.random()
        reports = Report.objects.filter(owner_node=self.node)
        if choice < 0.3 and agency.verifies_own_region:
            report = self.pick(
                reports.filter(
                    status=Status.SUBMITTED,
                    region__code__startswith=(
                        agency.jurisdiction.first().code if agency.jurisdiction.exists() else "--"
                    ),
                ).order_by("?")
            )
            if report is not None:
                self.act("dispose_own", report, "dispose", agency, actor=admin)
                return
        report = self.pick(
            reports.filter(agency=agency, unit__isnull=True, status=Status.DISPOSITIONED).order_by(
                "?"
            )
        )
        units = list(Agency.objects.filter(parent=agency, kind=AgencyKind.UNIT))
        if report is not None and units:
            if self.random.random() < 0.15:
                self.act(
                    "return_national",
                    report,
                    "return_not_authority",
                    "Bukan kewenangan kabupaten.",
                    actor=admin,
                )
            else:
                self.act(
                    "forward", report, "forward_to_unit", self.random.choice(units), actor=admin
                )
            return
        report = self.pick(
            reports.filter(agency=agency, status=Status.RETURNED, returned_to="agency").order_by(
                "?"
            )
        )
        if report is not None and units:
            self.act(
                "redispose_unit",
                report,
                "redispose",
                agency,
                actor=admin,
                unit=self.random.choice(units),
            )
            return
        if agency.kind == AgencyKind.PROVINCE:
            self.officer(admin, agency_field="agency")

    def officer(self, officer: User, agency_field: str = "unit"):
        reports = Report.objects.filter(owner_node=self.node, **{agency_field: officer.agency})
        report = self.pick(reports.filter(status=Status.DISPOSITIONED).order_by("?"))
        if report is not None:
            if agency_field == "unit" and self.random.random() < 0.1:
                self.act(
                    "return_agency",
                    report,
                    "return_not_authority",
                    "Bukan tugas kami.",
                    actor=officer,
                )
            else:
                self.act("acknowledge", report, "acknowledge", actor=officer)
            return
        report = self.pick(reports.filter(status=Status.IN_PROGRESS).order_by("?"))
        if report is not None:
            self.act(
                "follow_up", report, "post_follow_up", "Sudah ditangani di lapangan.", actor=officer
            )

    def step(self):
        roll = self.random.random()
        if roll < 0.3:
            self.submit()
        elif roll < 0.45:
            self.reporter_acts()
        elif self.node == "PST":
            if roll < 0.8:
                self.national()
            else:
                self.agency_admin(self.staff["admin_kaltim"])
        else:
            admin = self.staff[f"admin_{self.node.lower()}"]
            officers = [u for u in self.staff.values() if u.role == Role.UNIT_OFFICER]
            if roll < 0.65:
                self.agency_admin(admin)
            else:
                self.officer(self.random.choice(officers))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--rate", type=float, default=10, help="operations per second")
    parser.add_argument("--log", required=True)
    args = parser.parse_args()
    load = Load(args.seed, args.log)
    deadline = time.monotonic() + args.duration
    while time.monotonic() < deadline:
        started = time.monotonic()
        close_old_connections()
        try:
            load.step()
        except DomainError as exc:
            load.write("error", None, "domain_error", code=exc.code)
        elapsed = time.monotonic() - started
        time.sleep(max(0.0, 1 / args.rate - elapsed))


if __name__ == "__main__":
    main()
