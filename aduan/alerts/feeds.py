"""Atom feeds of the public record (docs/ALERTS.md): new and updated published reports,
filtered by region (a regency/city or a district), category and agency; and one report's
public timeline.

Feeds show what the public pages show and nothing more: published reports only
(`access.public_reports`), placed by `reports.public` (an anonymous report appears in its
regency's feed but never in a district's, since its district is not public), and only the
events of the public timeline (`portal.display`). Each feed is bounded (`FEED_ITEMS`), and
costs a fixed number of queries whatever its length.

Ids are permanent: `urn:uuid:` of the report or event. An entry's `updated` is the time of
the report's latest public event, so an internal note changes nothing a reader sees."""

import re
import uuid as uuid_module
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Max, Q
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from aduan.agencies.models import Agency
from aduan.categories.models import Category
from aduan.core.i18n import in_both
from aduan.portal import display
from aduan.regions.models import Region, RegionLevel
from aduan.reports.access import find_report, public_reports, region_subtree_q
from aduan.reports.models import Report, ReportEvent, Visibility
from aduan.reports.public import public_region

FEED_ITEMS = 50
# The shapes of the parameters; anything else names nothing (and never reaches the
# database: a NUL byte would make PostgreSQL fail).
REGION_CODE = re.compile(r"^\d{2}\.\d{2}(\.\d{2})?$")
SLUG = re.compile(r"^[-a-z0-9_]{1,80}$")


class FeedParameterError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class FeedFilter:
    region: Region | None = None
    category: Category | None = None
    agency: Agency | None = None

    def query(self) -> dict[str, str]:
        """The canonical query string of this filter (for the feed's id and links)."""
        params = {}
        if self.region is not None:
            params["wilayah"] = self.region.code
        if self.category is not None:
            params["kategori"] = self.category.slug
        if self.agency is not None:
            params["instansi"] = str(self.agency.uuid)
        return params


def parse_filter(params) -> FeedFilter:
    """The filter from `?wilayah=<regency or district code>&kategori=<slug>&instansi=<uuid>`;
    FeedParameterError for a value that names nothing."""
    region = category = agency = None
    code = params.get("wilayah", "").strip()
    if code:
        region = (
            Region.objects.filter(
                code=code, level__in=[RegionLevel.REGENCY, RegionLevel.DISTRICT]
            ).first()
            if REGION_CODE.match(code)
            else None
        )
        if region is None:
            raise FeedParameterError(
                gettext_lazy(
                    "Kode wilayah tidak dikenal: pakai kode kabupaten/kota (mis. 64.08) atau "
                    "kecamatan (mis. 64.08.04)."
                )
            )
    slug = params.get("kategori", "").strip()
    if slug:
        category = Category.objects.filter(slug=slug).first() if SLUG.match(slug) else None
        if category is None:
            raise FeedParameterError(gettext_lazy("Kategori tidak dikenal."))
    key = params.get("instansi", "").strip()
    if key:
        try:
            agency = Agency.objects.filter(uuid=uuid_module.UUID(key)).first()
        except ValueError:
            agency = None
        if agency is None:
            raise FeedParameterError(gettext_lazy("Instansi tidak dikenal."))
    return FeedFilter(region, category, agency)


def filtered_reports(spec: FeedFilter):
    qs = public_reports()
    if spec.region is not None:
        if spec.region.level == RegionLevel.REGENCY:
            # Anonymous reports are public down to their regency/city: they count here.
            qs = qs.filter(regency_code=spec.region.code)
        else:
            # ...but their district is not public: a district's feed leaves them out.
            qs = qs.filter(region_subtree_q([spec.region.code]), is_anonymous=False)
    if spec.category is not None:
        qs = qs.filter(Q(category=spec.category) | Q(category__parent=spec.category))
    if spec.agency is not None:
        qs = qs.filter(Q(agency=spec.agency) | Q(unit=spec.agency))
    return qs


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


class ReportsFeed(Feed):
    feed_type = Atom1Feed
    author_name = "Aduan"

    def __init__(self, spec: FeedFilter):
        super().__init__()
        self.spec = spec

    def get_object(self, request, *args, **kwargs):
        return self.spec

    def title(self, spec: FeedFilter) -> str:
        parts = [_("Laporan publik Aduan")]
        if spec.region is not None:
            parts.append(
                _("Kecamatan %(name)s") % {"name": spec.region.name}
                if spec.region.level == RegionLevel.DISTRICT
                else spec.region.name
            )
        if spec.category is not None:
            parts.append(display.category_name(spec.category))
        if spec.agency is not None:
            parts.append(spec.agency.name)
        return " · ".join(parts)

    def subtitle(self, spec: FeedFilter) -> str:
        return _(
            "Laporan yang baru diteruskan atau mendapat tindak lanjut, terbaru lebih dulu "
            "(paling banyak %(count)s)."
        ) % {"count": FEED_ITEMS}

    def link(self, spec: FeedFilter) -> str:
        params = {}
        if spec.region is not None:
            params["provinsi"], params["kabupaten"] = spec.region.code[:2], spec.region.code[:5]
        if spec.category is not None:
            params["kategori"] = spec.category.slug
        path = reverse("portal:report-list")
        return f"{path}?{urlencode(params)}" if params else path

    def feed_guid(self, spec: FeedFilter) -> str:
        query = urlencode(spec.query())
        return _absolute(reverse("alerts:reports-feed")) + (f"?{query}" if query else "")

    def items(self, spec: FeedFilter) -> list[Report]:
        reports = list(
            filtered_reports(spec)
            .select_related("category", "category__parent", "region", "agency", "unit")
            .order_by("-updated_at", "-id")[:FEED_ITEMS]
        )
        # The time of each report's latest public event: its `updated` (one query).
        latest = dict(
            ReportEvent.objects.filter(
                report_id__in=[report.pk for report in reports], visibility=Visibility.PUBLIC
            )
            .values("report_id")
            .annotate(last=Max("at"))
            .values_list("report_id", "last")
        )
        for report in reports:
            report.last_public_at = (
                latest.get(report.pk) or report.dispositioned_at or report.updated_at
            )
        reports.sort(key=lambda report: (report.last_public_at, report.pk), reverse=True)
        return reports

    def item_title(self, report: Report) -> str:
        return f"{report.title} ({report.tracking_number})"

    def item_description(self, report: Report) -> str:
        region = public_region(report)
        facts = [
            (_("Status"), report.get_status_display()),
            (_("Kategori"), display.category_name(report.category)),
            (_("Wilayah"), region.name if region is not None else ""),
            (_("Ditangani oleh"), display.handler_name(report)),
        ]
        return format_html(
            "<p>{}</p>",
            format_html_join(" · ", "{}: {}", ((label, value) for label, value in facts if value)),
        )

    def item_link(self, report: Report) -> str:
        return reverse("portal:report-detail", args=[report.tracking_number])

    def item_guid(self, report: Report) -> str:
        return f"urn:uuid:{report.uuid}"

    def item_pubdate(self, report: Report):
        return report.dispositioned_at or report.submitted_at

    def item_updateddate(self, report: Report):
        return report.last_public_at

    def item_categories(self, report: Report) -> list[str]:
        return [display.category_name(report.category)] if report.category_id else []


@dataclass
class TimelineItem:
    event: ReportEvent
    entry: display.TimelineEntry
    tracking_number: str


class ReportTimelineFeed(Feed):
    """The public timeline of one published report, newest first."""

    feed_type = Atom1Feed
    author_name = "Aduan"

    def get_object(self, request, tracking_number: str) -> Report:
        report = find_report(tracking_number, public_reports())
        if report is None:
            raise Http404("Laporan tidak ditemukan / Report not found")
        return report

    def title(self, report: Report) -> str:
        return _("Riwayat laporan %(number)s: %(title)s") % {
            "number": report.tracking_number,
            "title": report.title,
        }

    def subtitle(self, report: Report) -> str:
        return _("Riwayat publik laporan ini di Aduan.")

    def link(self, report: Report) -> str:
        return reverse("portal:report-detail", args=[report.tracking_number])

    def feed_guid(self, report: Report) -> str:
        return f"urn:uuid:{report.uuid}"

    def items(self, report: Report) -> list[TimelineItem]:
        zone = display.zone_of(report)
        events = list(
            report.events.filter(visibility=Visibility.PUBLIC)
            .only("id", "uuid", "seq", "type", "visibility", "at", "payload", "report_id")
            .order_by("-seq")[:FEED_ITEMS]
        )
        files: dict[int, list] = {}
        for attachment in report.attachments.filter(
            visibility=Visibility.PUBLIC, event_id__in=[event.pk for event in events]
        ).order_by("created_at", "id"):
            files.setdefault(attachment.event_id, []).append(attachment)
        items = []
        for event in events:
            entry = display._entry(event, False, zone)
            entry.attachments = files.get(event.pk, [])
            items.append(TimelineItem(event, entry, report.tracking_number))
        return items

    def item_title(self, item: TimelineItem) -> str:
        return item.entry.title

    def item_description(self, item: TimelineItem) -> str:
        entry = item.entry
        parts = [format_html("<p>{}</p>", entry.at)]
        if entry.text:
            parts.append(format_html("<p>{}</p>", entry.text))
        if entry.quote:
            parts.append(format_html("<blockquote>{}</blockquote>", entry.quote))
        if entry.attachments:
            parts.append(
                format_html(
                    "<ul>{}</ul>",
                    format_html_join(
                        "",
                        '<li><a href="{}">{}</a></li>',
                        (
                            (_absolute(reverse("portal:attachment", args=[file.uuid])), file.name)
                            for file in entry.attachments
                        ),
                    ),
                )
            )
        return "".join(str(part) for part in parts)

    def item_link(self, item: TimelineItem) -> str:
        return reverse("portal:report-detail", args=[item.tracking_number]) + "#riwayat"

    def item_guid(self, item: TimelineItem) -> str:
        return f"urn:uuid:{item.event.uuid}"

    def item_pubdate(self, item: TimelineItem):
        return item.event.at

    def item_updateddate(self, item: TimelineItem):
        return item.event.at


def _bad_request(message) -> HttpResponse:
    indonesian, english = in_both(message)
    return HttpResponse(
        f"{indonesian}\n{english}\n", status=400, content_type="text/plain; charset=utf-8"
    )


@require_GET
def reports_feed(request):
    try:
        spec = parse_filter(request.GET)
    except FeedParameterError as exc:
        return _bad_request(exc.message)
    return ReportsFeed(spec)(request)


report_timeline_feed = require_GET(ReportTimelineFeed())
