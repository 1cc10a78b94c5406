"""How reports read on the citizens' pages: the timeline, deadlines in plain words, dates
in the agency's time zone, and domain errors in the reader's language."""

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.utils import dateformat, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from aduan.reports import deadlines
from aduan.reports.models import (
    ArchiveReason,
    Attachment,
    Channel,
    EventType,
    Report,
    ReportEvent,
    Status,
    Visibility,
)
from aduan.reports.public import public_region
from aduan.reports.workflow import possible

ZONE_ABBREVIATIONS = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}

# Badge colour per status (classes from aduan.css).
STATUS_BADGES = {
    Status.ON_HOLD: "badge-warn",
    Status.RETURNED: "badge-warn",
    Status.RESPONDED: "badge-ok",
    Status.CLOSED: "badge-ok",
}


def english() -> bool:
    return (translation.get_language() or "id").startswith("en")


def error_text(exc) -> str:
    """A domain error's message in the reader's language."""
    return str(exc.message)


def validation_errors(errors: dict[str, list]) -> dict[str, list[str]]:
    return {name: [str(message) for message in messages] for name, messages in errors.items()}


def zone_of(report: Report) -> str:
    return deadlines.report_timezone(report)


def local(value: dt.datetime, zone: str) -> dt.datetime:
    return value.astimezone(ZoneInfo(zone))


def long_date(value: dt.datetime | None, zone: str) -> str:
    """'Jumat, 27 Maret 2026' in the given zone (a deadline ends at the end of that day)."""
    if value is None:
        return ""
    return dateformat.format(local(value, zone), "l, j F Y")


def date_time(value: dt.datetime | None, zone: str) -> str:
    """'27 Mar 2026 14.05 WITA'."""
    if value is None:
        return ""
    text = dateformat.format(local(value, zone), "j M Y H.i")
    return f"{text} {ZONE_ABBREVIATIONS.get(zone, '')}".strip()


def date_time_in_words(value: dt.datetime | None, zone: str) -> str:
    """'Kamis, 12 Maret 2026 pukul 14.30 WITA': day and month in words, for messages that
    are read away from the page (e-mails), where '2026-03-12' is easy to misread."""
    if value is None:
        return ""
    moment = local(value, zone)
    text = _("%(date)s pukul %(time)s") % {
        "date": dateformat.format(moment, "l, j F Y"),
        "time": dateformat.format(moment, "H.i"),
    }
    return f"{text} {ZONE_ABBREVIATIONS.get(zone, '')}".strip()


def category_name(category) -> str:
    if category is None:
        return ""
    name = category.name_en if english() and category.name_en else category.name
    if category.parent_id:
        parent = category.parent
        parent_name = parent.name_en if english() and parent.name_en else parent.name
        return f"{parent_name} › {name}"
    return name


def region_name(report: Report, *, public: bool) -> str:
    """The name of the report's region; with `public`, of the region the public may see
    (an anonymous report's regency/city, `aduan.reports.public`)."""
    region = public_region(report) if public else report.region
    return region.name if region is not None else ""


def handler_name(report: Report) -> str:
    handler = report.unit or report.agency
    return handler.name if handler is not None else ""


# ------------------------------------------------------------------------------ deadlines


@dataclass
class DeadlineLine:
    text: str
    overdue: bool = False


def deadline_lines(
    report: Report, now: dt.datetime, *, for_reporter: bool = False
) -> list[DeadlineLine]:
    """What must happen by when, for the report's current status, in plain words; to the
    reporter, what is theirs to do is said to them ("Anda")."""
    zone = zone_of(report)
    handler = handler_name(report) or _("Instansi")
    lines: list[DeadlineLine] = []

    def add(text: str, due: dt.datetime | None):
        lines.append(DeadlineLine(text, overdue=due is not None and due < now))

    status = report.status
    if status == Status.SUBMITTED and report.verify_due_at:
        add(
            _("Admin wajib memverifikasi laporan ini paling lambat %(date)s.")
            % {"date": long_date(report.verify_due_at, zone)},
            report.verify_due_at,
        )
    elif status in (Status.DISPOSITIONED, Status.IN_PROGRESS, Status.RETURNED):
        if status == Status.RETURNED:
            lines.append(
                DeadlineLine(
                    _(
                        "Instansi penerima menyatakan laporan ini bukan wewenangnya; "
                        "admin akan meneruskannya ke instansi yang tepat."
                    )
                )
            )
        if report.first_response_at is None and report.first_response_due_at:
            add(
                _("%(handler)s wajib menanggapi paling lambat %(date)s.")
                % {"handler": handler, "date": long_date(report.first_response_due_at, zone)},
                report.first_response_due_at,
            )
        if report.completion_due_at:
            add(
                _("%(handler)s wajib menyelesaikan laporan ini paling lambat %(date)s.")
                % {"handler": handler, "date": long_date(report.completion_due_at, zone)},
                report.completion_due_at,
            )
    elif status == Status.ON_HOLD:
        lines.append(
            DeadlineLine(
                _(
                    "Petugas menunggu informasi tambahan dari Anda. Batas waktu berhenti "
                    "sementara sampai Anda mengirimnya."
                )
                if for_reporter
                else _(
                    "Petugas menunggu informasi tambahan dari pelapor. Batas waktu berhenti "
                    "sementara sampai informasi itu dikirim."
                )
            )
        )
    elif status == Status.RESPONDED and report.reply_due_at:
        date = long_date(report.reply_due_at, zone)
        add(
            _(
                "Anda dapat menanggapi tindak lanjut ini paling lambat %(date)s: terima, "
                "balas, atau ajukan banding. Setelah itu laporan ditutup otomatis."
            )
            % {"date": date}
            if for_reporter
            else _(
                "Pelapor dapat menanggapi tindak lanjut ini paling lambat %(date)s; "
                "setelah itu laporan ditutup otomatis."
            )
            % {"date": date},
            report.reply_due_at,
        )
    return lines


def next_steps(report: Report) -> list[str]:
    """For the confirmation page: what happens next, with the stored dates."""
    zone = zone_of(report)
    completion = deadlines.COMPLETION_WD[report.report_type]
    return [
        _("Admin memverifikasi paling lambat %(date)s (%(days)s hari kerja).")
        % {"date": long_date(report.verify_due_at, zone), "days": deadlines.VERIFY_WD},
        _(
            "Setelah diverifikasi, laporan diteruskan ke instansi yang berwenang. Instansi "
            "wajib memberi tindak lanjut pertama dalam %(first)s hari kerja dan "
            "menyelesaikannya dalam %(completion)s hari kerja."
        )
        % {"first": deadlines.FIRST_RESPONSE_WD, "completion": completion},
        _(
            "Jika petugas meminta informasi tambahan, Anda akan diberi tahu lewat surel atau "
            "SMS; batas waktu berhenti sementara sampai Anda menjawab."
        ),
        _(
            "Setelah ada tindak lanjut, Anda punya %(days)s hari kerja untuk menerima, "
            "membalas, atau mengajukan banding."
        )
        % {"days": deadlines.REPLY_WINDOW_WD},
    ]


# ------------------------------------------------------------------------------ timeline


@dataclass
class TimelineEntry:
    title: str
    at: str
    # The event's time, to place channel messages among the events.
    when: object = None
    kind: str = ""
    text: str = ""
    quote: str = ""
    private: bool = False
    attachments: list[Attachment] = field(default_factory=list)


def visible_event_levels(for_reporter: bool) -> tuple[str, ...]:
    if for_reporter:
        return (Visibility.PUBLIC, Visibility.PARTIES)
    return (Visibility.PUBLIC,)


def timeline(report: Report, *, for_reporter: bool) -> list[TimelineEntry]:
    return timeline_and_files(report, for_reporter=for_reporter)[0]


def timeline_and_files(
    report: Report, *, for_reporter: bool
) -> tuple[list[TimelineEntry], list[Attachment]]:
    """The report's history as the reader may see it: public events for everyone, events
    between the reporter and the staff (questions, replies) for the reporter, internal
    events never; each with the files the reader may see. Files the staff published from
    an event the reader does not see (a reporter's reply) come second. Two queries:
    events, then the visible files (three when the report has supports)."""
    zone = zone_of(report)
    levels = visible_event_levels(for_reporter)
    fields = ("id", "seq", "type", "visibility", "at", "payload", "actor_role", "report_id")
    # Of the supports ("Saya juga mengalami", possibly thousands) only the latest is
    # shown, with the count so far.
    events = list(
        report.events.filter(visibility__in=levels)
        .exclude(type=EventType.SUPPORTED)
        .only(*fields)
        .order_by("seq")
    )
    if report.support_count:
        latest = (
            report.events.filter(type=EventType.SUPPORTED, visibility__in=levels)
            .only(*fields)
            .order_by("-seq")
            .first()
        )
        if latest is not None:
            events.append(latest)
            events.sort(key=lambda event: event.seq)
    attachments: dict[int | None, list[Attachment]] = {}
    for attachment in report.attachments.filter(visibility__in=levels).order_by("created_at", "id"):
        attachments.setdefault(attachment.event_id, []).append(attachment)
    entries = []
    for event in events:
        entry = _entry(event, for_reporter, zone)
        entry.attachments = attachments.pop(event.pk, [])
        entries.append(entry)
    others = [item for files in attachments.values() for item in files]
    return entries, others


# The reporter reads their own history addressed to them; everyone else reads "Pelapor".
REPORTER_TITLES = {
    EventType.SUBMITTED: gettext_lazy("Laporan Anda diterima"),
    EventType.PUT_ON_HOLD: gettext_lazy("Petugas meminta informasi tambahan dari Anda"),
    EventType.INFORMATION_ADDED: gettext_lazy("Anda menambahkan informasi"),
    EventType.REPORTER_REPLIED: gettext_lazy("Anda menanggapi"),
    EventType.ACCEPTED: gettext_lazy("Anda menerima tanggapan"),
    EventType.CONTESTED: gettext_lazy("Anda mengajukan banding"),
    EventType.RATED: gettext_lazy("Anda memberi penilaian"),
    EventType.WITHDRAWN: gettext_lazy("Anda mencabut laporan"),
    EventType.AUTO_CLOSED: gettext_lazy("Ditutup otomatis (Anda tidak menanggapi)"),
}


def request_question(entries: list[TimelineEntry]) -> str:
    """The staff's latest question to the reporter (the information request the report
    waits on), from the timeline already read: no query."""
    for entry in reversed(entries):
        if entry.kind == EventType.PUT_ON_HOLD:
            return entry.quote
    return ""


def _entry(event: ReportEvent, for_reporter: bool, zone: str) -> TimelineEntry:
    payload = event.payload or {}
    title = str(EventType(event.type).label) if event.type in EventType.values else event.type
    if for_reporter and event.type in REPORTER_TITLES:
        title = str(REPORTER_TITLES[event.type])
    entry = TimelineEntry(
        title=title,
        at=date_time(event.at, zone),
        when=event.at,
        kind=event.type,
        private=event.visibility == Visibility.PARTIES,
    )
    kind = event.type
    if kind == EventType.SUBMITTED:
        channel = payload.get("channel")
        if channel in Channel.values:
            entry.text = _("Diterima melalui %(channel)s.") % {
                "channel": str(Channel(channel).label).lower()
            }
    elif kind in (EventType.DISPOSITIONED, EventType.REDISPOSITIONED):
        target = payload.get("agency_name") or ""
        if payload.get("unit_name"):
            target = f"{target} › {payload['unit_name']}"
        if target:
            entry.text = _("Diteruskan ke %(target)s.") % {"target": target}
    elif kind == EventType.FORWARDED:
        if payload.get("unit_name"):
            entry.text = _("Diteruskan ke %(target)s.") % {"target": payload["unit_name"]}
    elif kind == EventType.PUT_ON_HOLD:
        if not for_reporter:
            entry.title = _("Petugas meminta informasi tambahan")
        entry.quote = payload.get("question", "")
    elif kind in (EventType.INFORMATION_ADDED, EventType.REPORTER_REPLIED):
        entry.quote = payload.get("text", "")
    elif kind == EventType.RETURNED:
        entry.quote = payload.get("reason", "")
    elif kind == EventType.FOLLOW_UP:
        if payload.get("by"):
            entry.title = _("Tindak lanjut dari %(by)s") % {"by": payload["by"]}
        entry.quote = payload.get("text", "")
    elif kind == EventType.PROGRESS_UPDATE:
        # An interim word, not the answer: nothing to reply to, accept or appeal yet.
        if payload.get("by"):
            entry.title = _("Perkembangan penanganan dari %(by)s") % {"by": payload["by"]}
        entry.quote = payload.get("text", "")
    elif kind == EventType.ARCHIVED:
        reason = payload.get("reason")
        if reason in ArchiveReason.values:
            entry.text = _("Alasan: %(reason)s.") % {"reason": ArchiveReason(reason).label}
        if payload.get("duplicate_of"):
            entry.text += " " + _("Laporan asli: %(number)s.") % {"number": payload["duplicate_of"]}
        entry.quote = payload.get("note", "")
    elif kind == EventType.RATED:
        entry.text = _("Penilaian: %(rating)s dari 5.") % {"rating": payload.get("rating")}
        # The reporter's own words stay between them and the staff.
        if for_reporter:
            entry.quote = payload.get("comment", "")
    elif kind == EventType.CONTESTED:
        if for_reporter:
            entry.quote = payload.get("reason", "")
    elif kind in (EventType.WITHDRAWN,):
        entry.quote = payload.get("reason", "")
    elif kind == EventType.CLOSED:
        entry.quote = payload.get("note", "")
    elif kind == EventType.ATTACHMENT_PUBLISHED:
        entry.text = _("Petugas menampilkan lampiran %(name)s di halaman publik.") % {
            "name": payload.get("name", "")
        }
    elif kind == EventType.SUPPORTED:
        count = payload.get("count")
        if isinstance(count, int):
            entry.text = ngettext(
                "Sejauh ini %(count)s orang juga mengalami masalah ini.",
                "Sejauh ini %(count)s orang juga mengalami masalah ini.",
                count,
            ) % {"count": count}
    elif kind == EventType.ATTACHMENT_UNPUBLISHED:
        entry.text = _("Lampiran %(name)s tidak lagi tampil di halaman publik.") % {
            "name": payload.get("name", "")
        }
    return entry


# ------------------------------------------------------------------------------ actions


def reporter_actions(report: Report) -> dict[str, bool]:
    """Which of the reporter's forms apply to the report as it stands: the domain's state
    machine and conditions (one appeal within its window, one rating)."""
    return {
        "add_information": possible("add_information", report),
        "reply": possible("reporter_reply", report),
        "accept": possible("accept", report),
        "contest": possible("contest", report),
        "rate": possible("rate", report),
        "withdraw": possible("withdraw", report),
    }
