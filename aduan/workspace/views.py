"""The staff workspace: the inbox per role, the report workspace with its action forms,
counter/phone entry and bulk actions.

Views parse input, fetch-and-authorize through aduan.reports.access, call one domain
action and render the result; they never assign a status themselves."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aduan.accounts.models import Role
from aduan.agencies.routing import suggest_route, suggest_unit
from aduan.channels.display import conversation, with_messages
from aduan.core.files import stored_file_response
from aduan.federation.dispatch import perform
from aduan.federation.display import PENDING_NOTICE, commands_for
from aduan.federation.messages import Pending
from aduan.reports import actions, reference, search, similar, tracking
from aduan.reports.access import (
    find_report,
    get_report_for,
    may_see_identity,
    reporter_identity,
    visible_reports,
)
from aduan.reports.errors import DomainError, ValidationFailed
from aduan.reports.models import Attachment, EventType, Report
from aduan.reports.permissions import available_actions, refusal
from aduan.routing.display import group_state_annotations, mark_groups, report_grouping
from aduan.routing.history import refine as refine_route
from aduan.routing.suggest import displayed as displayed_categories
from aduan.routing.suggest import suggestion_for as category_suggestion_for

from . import forms as f
from . import inbox as ib
from .rows import RowRenderer
from .timeline import timeline

INTAKE_ROLES = (Role.NATIONAL_ADMIN, Role.AGENCY_ADMIN, Role.UNIT_OFFICER)
COUNTER_RECEIPT_KEY = "workspace_counter_receipt"


# The furthest page the inbox offers (2.5 million reports at 25 a page).
MAX_PAGE = 100_000


def staff_timezone(user) -> str:
    """Times are shown in the staff member's own zone (WIB/WITA/WIT): their agency's, or
    their supervision area's."""
    if user.agency_id:
        return user.agency.timezone
    if user.scope_region_id:
        return user.scope_region.timezone
    return settings.TIME_ZONE


def staff_required(view):
    """Signed-in staff only; citizens get 403 (reports they may not see get 404 later)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_staff_role:
            raise PermissionDenied
        if request.method == "POST":
            # A change may move reports between queues: count them again.
            ib.forget_counts(request.session)
        with timezone.override(staff_timezone(request.user)):
            return view(request, *args, **kwargs)

    return wrapped


def localized(error: DomainError) -> str:
    """A domain error's message in the page's language."""
    return str(error.message)


# -- the inbox ----------------------------------------------------------------------------


def _apply_filters(
    qs,
    data: dict,
    now: dt.datetime,
    *,
    query: search.SearchQuery | None = None,
    for_pages=False,
    user=None,
):
    """The inbox's filters. `query`: the parsed search box, parsed once per request (it
    remembers what the index found, see search.few_matches); `user`: for "assigned to me"."""
    from aduan.reports.access import region_subtree_q

    if data.get("status"):
        qs = qs.filter(status=data["status"])
    category = data.get("category")
    if category is not None:
        qs = qs.filter(
            category_id__in=[category.pk, *category.children.values_list("pk", flat=True)]
        )
    if data.get("region"):
        qs = qs.filter(region_subtree_q([data["region"]]))
    if data.get("report_type"):
        qs = qs.filter(report_type=data["report_type"])
    if data.get("channel"):
        qs = qs.filter(channel=data["channel"])
    if data.get("overdue"):
        qs = qs.filter(ib.overdue_q(now))
    if data.get("assignee") == f.InboxFilterForm.ASSIGNED_TO_ME and user is not None:
        qs = qs.filter(assignee_id=user.pk)
    elif data.get("assignee") == f.InboxFilterForm.UNASSIGNED:
        qs = qs.filter(assignee__isnull=True)
    if data.get("unit") is not None:
        qs = qs.filter(unit_id=data["unit"].pk)
    text = (data.get("q") or "").strip()
    if text:
        # The same full-text search as the public list (title and body), over the
        # reports this user may see.
        number = tracking.normalise(text)
        if number:
            qs = qs.filter(tracking_number=number)
        else:
            qs = search.search(qs, query or search.parse(text), for_pages=for_pages)
    return qs


@staff_required
def inbox(request):
    user = request.user
    now = timezone.now()
    base = ib.base_queryset(user)
    # A tracking number in the search box opens that report, if this user may see it;
    # otherwise the list below simply finds nothing.
    number = tracking.normalise(request.GET.get("q", "").strip()[:40])
    if number and base.filter(tracking_number=number).exists():
        return redirect("workspace:report", number)
    tabs = ib.tabs_for(user)
    current = next((t for t in tabs if t.key == request.GET.get("tab")), tabs[0])

    form = f.InboxFilterForm(request.GET, regions=f.scope_regions(user), user=user)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    filter_keys = (
        "q",
        "status",
        "category",
        "region",
        "report_type",
        "channel",
        "overdue",
        "assignee",
        "unit",
    )
    filtered = any(data.get(key) for key in filter_keys)
    narrowed = any(data.get(key) for key in filter_keys if key != "q")
    queue = base.filter(current.query(user, now))
    query = search.parse(data.get("q") or "")
    qs = _apply_filters(queue, data, now, query=query, user=user)
    # A search is in order of relevance unless another order is chosen.
    searching = "search_rank" in qs.query.annotations
    sort = data.get("sort") or ("relevance" if searching else current.sort)
    if sort == "relevance" and not searching:
        sort = current.sort

    try:
        # Bounded: a page number past any real list must not overflow the database's
        # integers (a 500); it shows an empty page like any page past the end.
        page = min(max(1, int(request.GET.get("halaman", "1")[:12])), MAX_PAGE)
    except ValueError:
        page = 1
    offset = (page - 1) * ib.PAGE_SIZE
    if searching:
        # The page's ids first (search.search explains the two forms), then its rows.
        pages_qs = _apply_filters(queue, data, now, query=query, for_pages=True, user=user)
        if sort == "relevance":
            ranked = search.ranked_ids(pages_qs, newest_first=("-submitted_at", "-id"))
            ids = ranked[offset : offset + ib.PAGE_SIZE + 1]
        else:
            ordered = ib.order(pages_qs, sort).values_list("pk", flat=True)
            ids = list(ordered[offset : offset + ib.PAGE_SIZE + 1])
        by_id = {row.pk: row for row in ib.with_related(Report.objects.filter(pk__in=ids))}
        rows = [by_id[pk] for pk in ids if pk in by_id]
    else:
        rows = list(ib.with_related(ib.order(qs, sort))[offset : offset + ib.PAGE_SIZE + 1])
    has_next = len(rows) > ib.PAGE_SIZE
    rows = rows[: ib.PAGE_SIZE]
    ib.attach_reference(rows)
    ib.SLAJudge(now).annotate(rows)
    # This tab's count, and the filtered list's, in one statement; the other tabs' counts
    # as kept in the session, or loaded after the page (ib.remember_counts).
    counts = ib.bounded_counts([queue, qs] if filtered else [queue])
    kept = ib.remembered_counts(request.session, user, now)
    tab_counts = []
    for tab in tabs:
        count = counts[0] if tab == current else kept.get(tab.key)
        tab_counts.append(
            {
                "tab": tab,
                "count": ib.format_count(count) if count is not None else None,
                "active": tab == current,
            }
        )
    result_count = counts[-1]

    bulk_form = f.BulkForm(user=user)
    if not bulk_form.offers_actions:
        bulk_form = None
    mark_groups(rows)
    draw = RowRenderer(bulk=bulk_form is not None)
    for row in rows:
        row.row_html = draw(row)
    context = {
        "tabs": tab_counts,
        "counts_pending": any(item["count"] is None for item in tab_counts),
        "current_tab": current,
        "form": form,
        "filtered": filtered,
        "narrowed": narrowed,
        "sort": sort,
        "reports": rows,
        "page": page,
        "has_next": has_next,
        "has_previous": page > 1,
        "result_count": ib.format_count(result_count),
        "bulk_form": bulk_form,
        "can_enter_reports": user.role in INTAKE_ROLES,
    }
    return render(request, "workspace/inbox.html", context, status=400 if form.errors else 200)


@staff_required
def tab_counts(request):
    """The counts of every tab of the user's inbox (bounded like the page's), for the
    inbox to show after the page (workspace.js); kept in the session for a short time
    (ib.remember_counts)."""
    user = request.user
    now = timezone.now()
    base = ib.base_queryset(user)
    tabs = ib.tabs_for(user)
    counts = ib.bounded_counts([base.filter(tab.query(user, now)) for tab in tabs])
    ib.remember_counts(
        request.session,
        user,
        {tab.key: count for tab, count in zip(tabs, counts, strict=True)},
        now,
    )
    shown = {}
    for tab, count in zip(tabs, counts, strict=True):
        text = ib.format_count(count)
        shown[tab.key] = {"count": text, "label": _("%(count)s laporan") % {"count": text}}
    response = JsonResponse({"tabs": shown})
    response["Cache-Control"] = "private, no-store"
    return response


# -- the report workspace -----------------------------------------------------------------


# After an action that takes the report out of the user's reach (a unit's "not our
# authority"), the user goes back to the inbox with this message, not to a page they may
# no longer open.
LEFT_YOUR_QUEUE = gettext_lazy(
    "Tindakan pada laporan %(number)s berhasil; laporan itu tidak lagi ada di antrean Anda."
)


@dataclass(frozen=True)
class ActionSpec:
    form: type
    perform: Callable
    # The domain action's name (permissions, state machine, available_actions).
    permission: str
    success: str
    button: str
    title: str
    button_class: str = "button"
    left_queue: str = LEFT_YOUR_QUEUE


ACTIONS: dict[str, ActionSpec] = {
    "verify": ActionSpec(
        f.VerifyForm,
        lambda r, u, **kw: perform("verify", r, actor=u, **kw),
        "verify",
        gettext_lazy("Perbaikan laporan disimpan."),
        gettext_lazy("Simpan verifikasi"),
        gettext_lazy("Verifikasi dan perbaiki"),
        "button button-secondary",
    ),
    "dispose": ActionSpec(
        f.DisposeForm,
        lambda r, u, agency, **kw: perform("dispose", r, agency, actor=u, **kw),
        "dispose",
        gettext_lazy("Laporan didisposisikan."),
        gettext_lazy("Disposisikan"),
        gettext_lazy("Disposisi"),
    ),
    "forward_to_unit": ActionSpec(
        f.ForwardForm,
        lambda r, u, unit, **kw: perform("forward_to_unit", r, unit, actor=u, **kw),
        "forward_to_unit",
        gettext_lazy("Laporan diteruskan ke unit kerja."),
        gettext_lazy("Teruskan ke unit"),
        gettext_lazy("Teruskan ke unit kerja"),
    ),
    "take_report": ActionSpec(
        f.TakeForm,
        lambda r, u: perform("take_report", r, actor=u),
        "take_report",
        gettext_lazy("Laporan kini ditugaskan kepada Anda."),
        gettext_lazy("Ambil laporan ini"),
        gettext_lazy("Penugasan"),
    ),
    "assign_report": ActionSpec(
        f.AssignForm,
        lambda r, u, officer: perform("assign_report", r, officer, actor=u),
        "assign_report",
        gettext_lazy("Penugasan petugas disimpan."),
        gettext_lazy("Simpan penugasan"),
        gettext_lazy("Tugaskan kepada petugas"),
        "button button-secondary",
    ),
    "release_report": ActionSpec(
        f.ReleaseForm,
        lambda r, u: perform("release_report", r, actor=u),
        "release_report",
        gettext_lazy("Penugasan Anda dilepas; laporan kembali ke unit."),
        gettext_lazy("Lepaskan penugasan"),
        gettext_lazy("Penugasan"),
        "button button-secondary",
    ),
    "acknowledge": ActionSpec(
        f.AcknowledgeForm,
        lambda r, u: perform("acknowledge", r, actor=u),
        "acknowledge",
        gettext_lazy("Laporan diterima untuk diproses."),
        gettext_lazy("Terima untuk diproses"),
        gettext_lazy("Terima disposisi"),
    ),
    "post_progress_update": ActionSpec(
        f.ProgressUpdateForm,
        lambda r, u, text, files: perform("post_progress_update", r, text, actor=u, files=files),
        "post_progress_update",
        gettext_lazy("Perkembangan penanganan dikirim kepada pelapor."),
        gettext_lazy("Kirim perkembangan"),
        gettext_lazy("Perkembangan penanganan"),
        "button button-secondary",
    ),
    "post_follow_up": ActionSpec(
        f.FollowUpForm,
        lambda r, u, text, files: perform("post_follow_up", r, text, actor=u, files=files),
        "post_follow_up",
        gettext_lazy("Tindak lanjut dikirim kepada pelapor."),
        gettext_lazy("Kirim tindak lanjut"),
        gettext_lazy("Tindak lanjut"),
    ),
    "put_on_hold": ActionSpec(
        f.PutOnHoldForm,
        lambda r, u, question: perform("put_on_hold", r, question, actor=u),
        "put_on_hold",
        gettext_lazy("Permintaan informasi dikirim kepada pelapor."),
        gettext_lazy("Minta informasi"),
        gettext_lazy("Minta informasi dari pelapor"),
        "button button-secondary",
    ),
    "redispose": ActionSpec(
        f.RedisposeForm,
        lambda r, u, agency, **kw: perform("redispose", r, agency, actor=u, **kw),
        "redispose",
        gettext_lazy("Laporan didisposisikan ulang."),
        gettext_lazy("Disposisikan ulang"),
        gettext_lazy("Disposisi ulang"),
    ),
    "return_not_authority": ActionSpec(
        f.ReturnForm,
        lambda r, u, reason: perform("return_not_authority", r, reason, actor=u),
        "return_not_authority",
        gettext_lazy("Laporan dikembalikan sebagai bukan wewenang."),
        gettext_lazy("Bukan wewenang"),
        gettext_lazy("Kembalikan: bukan wewenang"),
        "button button-secondary",
        left_queue=gettext_lazy(
            "Laporan %(number)s dikembalikan sebagai bukan wewenang dan tidak lagi ada di "
            "antrean Anda."
        ),
    ),
    "add_internal_note": ActionSpec(
        f.InternalNoteForm,
        lambda r, u, text, files: perform("add_internal_note", r, text, actor=u, files=files),
        "add_internal_note",
        gettext_lazy("Catatan internal disimpan."),
        gettext_lazy("Simpan catatan internal"),
        gettext_lazy("Catatan internal"),
        "button button-secondary",
    ),
    "set_needs_inspection": ActionSpec(
        f.InspectionForm,
        lambda r, u, value: perform("set_needs_inspection", r, value, actor=u),
        "set_needs_inspection",
        gettext_lazy("Status pemeriksaan disimpan."),
        gettext_lazy("Simpan status pemeriksaan"),
        gettext_lazy("Pemeriksaan/audit"),
        "button button-secondary",
    ),
    "close": ActionSpec(
        f.CloseForm,
        lambda r, u, note: perform("close", r, actor=u, note=note),
        "close",
        gettext_lazy("Laporan ditutup."),
        gettext_lazy("Tutup laporan"),
        gettext_lazy("Tutup laporan"),
        "button button-secondary",
    ),
    # Undo a merge (docs/ROUTING.md, Duplicate clusters and campaigns).
    "unmerge": ActionSpec(
        f.UnmergeForm,
        lambda r, u, note: perform("unmerge", r, actor=u, note=note),
        "unmerge",
        gettext_lazy("Penggabungan dibatalkan; laporan kembali menunggu verifikasi."),
        gettext_lazy("Batalkan penggabungan"),
        gettext_lazy("Batalkan penggabungan sebagai duplikat"),
        "button button-secondary",
    ),
    "archive": ActionSpec(
        f.ArchiveForm,
        lambda r, u, reason, **kw: perform("archive", r, reason, actor=u, **kw),
        "archive",
        gettext_lazy("Laporan diarsipkan."),
        gettext_lazy("Arsipkan"),
        gettext_lazy("Arsipkan laporan"),
        "button button-danger",
    ),
}


def _agency_hint(request) -> int | None:
    value = request.GET.get("instansi", "")
    return int(value) if value.isdigit() else None


def _form_kwargs(key: str, request, report: Report, suggestion) -> dict:
    kwargs = {"report": report, "user": request.user, "prefix": key}
    if key in ("dispose", "redispose"):
        kwargs["suggestion"] = suggestion
        kwargs["agency_hint"] = _agency_hint(request)
    if key == "forward_to_unit":
        kwargs["suggestion"] = suggestion
    return kwargs


def routing_suggestion(report: Report, available: list[str]) -> tuple[object, bool]:
    """(suggestion, is_for_a_unit) for whoever sends the report on: the agency (and unit)
    for the one who disposes it, a unit for the agency admin who forwards it or who
    re-disposes what a unit returned (never back to that unit). (None, False) when nobody
    on this page sends it on."""
    region = report.region_id or report.suggested_region_id
    # Without a rule, what admins chose for similar reports refines it (routing.history).
    if "dispose" in available or ("redispose" in available and report.returned_to != "agency"):
        return refine_route(suggest_route(report.category, region), report, for_unit=False), False
    if report.agency_id and "forward_to_unit" in available:
        unit = suggest_unit(report.agency, report.category, region)
        return refine_route(unit, report, for_unit=True), True
    if report.agency_id and "redispose" in available:
        returning = returning_unit(report)
        unit = suggest_unit(report.agency, report.category, region, exclude=returning)
        return refine_route(unit, report, for_unit=True, exclude=returning), True
    return None, False


def returning_unit(report: Report) -> int | None:
    """The unit that last returned the report as not its authority (the action clears the
    report's unit; its officer's agency is that unit)."""
    event = (
        report.events.filter(type=EventType.RETURNED, actor_role=Role.UNIT_OFFICER)
        .select_related("actor")
        .order_by("-seq")
        .first()
    )
    return event.actor.agency_id if event is not None and event.actor is not None else None


def similar_reports(user, report: Report, limit: int = similar.LIMIT) -> list[Report]:
    """Possible duplicates of `report` among the reports `user` may see (the rule is in
    aduan/reports/similar.py)."""
    return similar.find_similar(
        visible_reports(user),
        similar.place_of(report),
        exclude=report,
        limit=limit,
        # What the page shows of each.
        only=("tracking_number", "title", "status", "submitted_at"),
    )


DUPLICATES_SHOWN = 20


# How many reports are archived as duplicates of the report (an annotation).
DUPLICATE_TOTAL = Coalesce(
    Subquery(
        Report.objects.filter(duplicate_of_id=OuterRef("pk"))
        .order_by()
        .values("duplicate_of_id")
        .annotate(total=Count("pk"))
        .values("total")
    ),
    0,
)


def duplicates_of(user, report: Report) -> dict:
    """The reports archived as duplicates of `report` (an original): those `user` may
    open, newest first and at most DUPLICATES_SHOWN, and how many there are in all
    (`duplicate_total` when the report was read with it)."""
    total = getattr(report, "duplicate_total", None)
    if total is None:
        total = Report.objects.filter(duplicate_of=report).count()
    if not total:
        return {"shown": [], "total": 0, "hidden": 0}
    shown = list(
        visible_reports(user)
        .filter(duplicate_of=report)
        .only("tracking_number", "title", "status", "submitted_at")
        .order_by("-submitted_at")[:DUPLICATES_SHOWN]
    )
    return {"shown": shown, "total": total, "hidden": total - len(shown)}


def _category_suggestions(report: Report) -> list[dict] | None:
    suggestion = category_suggestion_for(report)
    return displayed_categories(suggestion) if suggestion is not None else None


def _report_context(
    request, report: Report, *, bound: tuple[str, object] | None = None, identity=None
) -> dict:
    user = request.user
    # The domain says what may be done; the page shows a form for each of those it has.
    offered = set(available_actions(user, report))
    available = [key for key, spec in ACTIONS.items() if spec.permission in offered]
    suggestion, suggestion_for_unit = routing_suggestion(report, available)
    action_forms = []
    for key in available:
        spec = ACTIONS[key]
        if bound is not None and bound[0] == key:
            form = bound[1]
        else:
            form = spec.form(**_form_kwargs(key, request, report, suggestion))
        action_forms.append({"key": key, "spec": spec, "form": form})
    english = (get_language() or "id").startswith("en")
    judge = ib.SLAJudge(timezone.now())
    judge.annotate([report])
    # Every file of the report in one query: the report's own, and each event's.
    attachments = list(report.attachments.all())
    return {
        "report": report,
        # The events, and the messages exchanged on the report's channels in their places.
        "timeline": with_messages(
            timeline(report, attachments), conversation(report), when=lambda entry: entry.event.at
        ),
        "action_forms": action_forms,
        "suggestion": suggestion,
        "suggestion_for_unit": suggestion_for_unit,
        "suggestion_reason": (
            (suggestion.reason_en if english else suggestion.reason) if suggestion else ""
        ),
        "may_see_identity": may_see_identity(user, report),
        "identity": identity,
        "similar": similar_reports(user, report),
        "duplicates": duplicates_of(user, report),
        # Clusters, the worker's suggestions and the campaign (docs/ROUTING.md).
        "grouping": report_grouping(user, report, offered),
        # Shown to whoever verifies or disposes it (docs/ROUTING.md); never applied alone.
        "category_suggestions": (
            _category_suggestions(report) if {"verify", "dispose"} & set(available) else None
        ),
        "can_archive": "archive" in available,
        "can_verify": "verify" in available,
        "attachments": [a for a in attachments if a.event_id is None],
        # Publishing a reporter's file, offered file by file (see _attachment.html).
        "can_publish": "publish_attachment" in offered and not report.is_confidential,
        "can_unpublish": "unpublish_attachment" in offered,
        "read_only": not available,
        "commands": commands_for(report),
    }


def _fetch(request, tracking_number: str) -> Report:
    """get_report_for() with the related rows the page shows, in one query: agency, unit,
    officer and reporter joined; the category, its parent, the region and the suggested
    region from the reference-data memo (reports.reference). Joining those too made
    PostgreSQL plan the statement for ~5 ms (nine tables) and run it in 0.3 ms; with
    five tables planning takes ~0.5 ms. Not `duplicate_of`: a second copy of the reports
    table in the join costs more planning time than the one query for the few
    duplicates."""
    report = find_report(
        tracking_number,
        visible_reports(request.user)
        .select_related(
            "agency",
            "unit",
            "assignee",
            # The page shows the reporter's reply channel (never their identity unasked).
            "reporter",
        )
        # The cluster card's state and the number of duplicates: small subqueries of
        # this statement instead of two more round trips.
        .annotate(**group_state_annotations(), duplicate_total=DUPLICATE_TOTAL),
    )
    if report is None:
        raise Http404("Laporan tidak ditemukan / Report not found")
    reference.attach([report], suggested_region=True)
    return report


@staff_required
def report_detail(request, tracking_number):
    report = _fetch(request, tracking_number)
    return render(request, "workspace/report.html", _report_context(request, report))


@staff_required
@require_POST
def report_identity(request, tracking_number):
    """Show the reporter's identity; reporter_identity() decides and logs the read."""
    report = _fetch(request, tracking_number)
    identity = reporter_identity(request.user, report, purpose="workspace")
    if identity is None:
        raise PermissionDenied
    context = _report_context(request, report, identity=identity)
    response = render(request, "workspace/report.html", context)
    response["Cache-Control"] = "no-store"
    return response


def _render_error(request, report, key, form, message, status):
    messages.error(request, message)
    context = _report_context(request, report, bound=(key, form) if form is not None else None)
    return render(request, "workspace/report.html", context, status=status)


@staff_required
@require_POST
def report_action(request, tracking_number, action):
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    report = _fetch(request, tracking_number)
    user = request.user
    error = refusal(user, spec.permission, report)
    if error is not None:
        return _render_error(request, report, None, None, localized(error), error.status_code)

    kwargs = _form_kwargs(action, request, report, None)
    if action == "post_follow_up" and "use_canned" in request.POST:
        return _use_canned_response(request, report, kwargs)
    if action in ("dispose", "redispose") and "show_units" in request.POST:
        return _show_units(request, report, action, kwargs)
    form = spec.form(request.POST, request.FILES, **kwargs)
    if not form.is_valid():
        return _render_error(
            request, report, action, form, _("Periksa kembali isian formulir."), 400
        )
    try:
        outcome = spec.perform(report, user, **form.action_kwargs())
    except DomainError as error:
        field = getattr(error, "field", None)
        if field in form.fields:
            form.add_error(field, localized(error))
        elif field == "agency" and "unit" in form.fields:
            form.add_error("unit", localized(error))
        else:
            form.add_error(None, localized(error))
        return _render_error(request, report, action, form, localized(error), error.status_code)
    if isinstance(outcome, Pending):
        messages.info(request, PENDING_NOTICE % {"node": outcome.node})
        return redirect("workspace:report", tracking_number=report.tracking_number)
    if not visible_reports(user).filter(pk=report.pk).exists():
        messages.success(request, spec.left_queue % {"number": report.tracking_number})
        return redirect("workspace:inbox")
    messages.success(request, spec.success)
    return redirect("workspace:report", tracking_number=report.tracking_number)


def _use_canned_response(request, report, kwargs):
    """Without JavaScript, "Gunakan" posts the form and we return it with the chosen
    standard reply appended to the text typed so far (nothing is sent yet)."""
    prefix = kwargs["prefix"]
    text = request.POST.get(f"{prefix}-text", "")
    chosen = request.POST.get(f"{prefix}-canned", "")
    canned = (
        f.canned_responses_for(request.user).filter(pk=chosen).first() if chosen.isdigit() else None
    )
    if canned is not None:
        text = f"{text.rstrip()}\n\n{canned.body}" if text.strip() else canned.body
    form = f.FollowUpForm(initial={"text": text, "canned": chosen}, **kwargs)
    context = _report_context(request, report, bound=("post_follow_up", form))
    context["focus_follow_up"] = True
    return render(request, "workspace/report.html", context)


def _show_units(request, report, action, kwargs):
    """Without JavaScript, "Tampilkan unit" posts the chosen agency and we return the form
    listing that agency's units (nothing is changed yet)."""
    prefix = kwargs["prefix"]
    agency = request.POST.get(f"{prefix}-agency", "")
    kwargs["agency_hint"] = int(agency) if agency.isdigit() else None
    initial = {
        "note": request.POST.get(f"{prefix}-note", ""),
        "needs_inspection": bool(request.POST.get(f"{prefix}-needs_inspection")),
    }
    form = ACTIONS[action].form(initial=initial, **kwargs)
    return render(
        request, "workspace/report.html", _report_context(request, report, bound=(action, form))
    )


@staff_required
def attachment(request, tracking_number, attachment_uuid):
    """An attachment of a report the user may see. Staff see internal attachments too; the
    workspace is staff-only, so nothing internal reaches the reporter or the public here."""
    report = get_report_for(request.user, tracking_number)
    item = get_object_or_404(Attachment, report=report, uuid=attachment_uuid)
    response = stored_file_response(
        item.file,
        content_type=item.content_type,
        as_attachment=item.kind != "image",
        filename=item.name,
    )
    response.setdefault("Cache-Control", "private, no-store")
    return response


@staff_required
@require_POST
def attachment_visibility(request, tracking_number, attachment_uuid):
    """Publish a file shared between the reporter and the staff (`publish=1`), or
    withdraw a published one from the public (`publish=0`)."""
    report = _fetch(request, tracking_number)
    item = get_object_or_404(Attachment, report=report, uuid=attachment_uuid)
    publish = request.POST.get("publish") == "1"
    action = "publish_attachment" if publish else "unpublish_attachment"
    try:
        outcome = perform(action, report, item, actor=request.user)
    except DomainError as error:
        return _render_error(request, report, None, None, localized(error), error.status_code)
    if isinstance(outcome, Pending):
        messages.info(request, PENDING_NOTICE % {"node": outcome.node})
    elif publish:
        messages.success(
            request, _("Lampiran %(name)s kini tampil di halaman publik.") % {"name": item.name}
        )
    else:
        messages.success(
            request,
            _("Lampiran %(name)s tidak lagi tampil di halaman publik.") % {"name": item.name},
        )
    return redirect(
        reverse("workspace:report", args=[report.tracking_number]) + f"#lampiran-{item.uuid}"
    )


# -- counter / phone entry ----------------------------------------------------------------


@staff_required
def report_new(request):
    user = request.user
    if user.role not in INTAKE_ROLES:
        raise PermissionDenied
    initial = {}
    if user.role != Role.NATIONAL_ADMIN and user.agency_id:
        codes = user.agency.government.jurisdiction_codes()
        if len(codes) == 1:
            initial["region"] = codes[0]
    form = f.CounterReportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        initial=initial,
    )
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            details = actions.ReporterDetails(
                name=data["reporter_name"],
                nik=data["reporter_nik"],
                phone=data["reporter_phone"],
                email=data["reporter_email"],
            )
            try:
                result = actions.submit_report(
                    form.submission(),
                    actor=user,
                    reporter=details,
                    files=data["attachments"],
                )
            except ValidationFailed as error:
                for field, problems in error.errors.items():
                    target = f.COUNTER_ERROR_FIELDS.get(field, field)
                    target = target if target in form.fields else None
                    for message in problems:
                        form.add_error(target, str(message))
            except DomainError as error:
                form.add_error(None, localized(error))
            else:
                request.session[COUNTER_RECEIPT_KEY] = {
                    "tracking_number": result.report.tracking_number,
                    "secret": result.secret,
                }
                return redirect("workspace:report-new-done")
        return render(request, "workspace/report_new.html", {"form": form}, status=400)
    return render(request, "workspace/report_new.html", {"form": form})


@staff_required
def report_new_done(request):
    """The receipt for the citizen: tracking number and secret link, shown once."""
    receipt = request.session.pop(COUNTER_RECEIPT_KEY, None)
    if not receipt:
        return redirect("workspace:report-new")
    number = receipt["tracking_number"]
    path = reverse("portal:report-detail", kwargs={"tracking_number": number})
    report = visible_reports(request.user).filter(tracking_number=number).first()
    response = render(
        request,
        "workspace/report_new_done.html",
        {
            "tracking_number": number,
            "secret_link": f"{settings.SITE_URL}{path}?kunci={receipt['secret']}",
            "report": report,
        },
    )
    response["Cache-Control"] = "no-store"
    return response


# -- bulk actions -------------------------------------------------------------------------


@dataclass
class BulkResult:
    tracking_number: str
    ok: bool
    message: str
    title: str = ""


@staff_required
@require_POST
def bulk(request):
    """Apply one action to several reports; each goes through its own domain action (and
    transaction), so one refusal never undoes or blocks the others."""
    user = request.user
    form = f.BulkForm(request.POST, user=user)
    if not form.offers_actions:
        raise PermissionDenied
    if not form.is_valid():
        return render(request, "workspace/bulk_result.html", {"form": form}, status=400)
    data = form.cleaned_data
    results = []
    for number in data["reports"]:
        try:
            report = get_report_for(user, number)
        except Http404:
            results.append(BulkResult(number, False, _("Laporan tidak ditemukan.")))
            continue
        refused = refusal(user, f.BulkForm.DOMAIN_ACTIONS[data["bulk_action"]], report)
        if refused is not None:
            results.append(BulkResult(number, False, localized(refused), report.title))
            continue
        try:
            if data["bulk_action"] == "dispose":
                outcome = perform(
                    "dispose", report, data["agency"], unit=data.get("unit"), actor=user
                )
                message = _("Didisposisikan ke %(agency)s.") % {"agency": data["agency"].name}
            elif data["bulk_action"] == "forward":
                outcome = perform("forward_to_unit", report, data["unit"], actor=user)
                message = _("Diteruskan ke %(unit)s.") % {"unit": data["unit"].name}
            else:
                outcome = perform("archive", report, data["reason"], actor=user)
                message = _("Diarsipkan.")
            if isinstance(outcome, Pending):
                message = _("Dikirim ke server %(node)s; menunggu diterapkan.") % {
                    "node": outcome.node
                }
        except DomainError as error:
            results.append(BulkResult(number, False, localized(error), report.title))
        else:
            results.append(BulkResult(number, True, message, report.title))
    succeeded = sum(1 for r in results if r.ok)
    context = {
        "form": form,
        "results": results,
        "succeeded": succeeded,
        "failed": len(results) - succeeded,
    }
    return render(request, "workspace/bulk_result.html", context)
