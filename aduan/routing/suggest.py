"""Category suggestions for reports (docs/ROUTING.md). The suggestion is shown to
the verifier beside the citizen's own category; it never changes the report: the admin
decides, by verifying.

The worker makes the suggestions (`make_suggestions`, every minute, for the reports waiting
for verification); web requests only read them. The model and the numerical libraries it
needs (NumPy, SciPy, scikit-learn: ~130 MB, and the model as much again) are loaded by the
worker alone, so this module imports none of them: the staff pages import it."""

import logging

from django.db.models import Exists, OuterRef

from aduan.categories.models import Category
from aduan.core.scheduler import stop_requested
from aduan.reports.models import EventType, Report, Status

from .models import CategorySuggestion

logger = logging.getLogger(__name__)

# Reports given a suggestion per run of the worker's job; the rest wait for the next run.
SUGGESTIONS_PER_RUN = 500


def report_text(report: Report) -> str:
    return f"{report.title}\n{report.body}"


def citizen_category_id(report: Report) -> int | None:
    """The category the citizen chose: the report's, unless verification changed it (the
    verified event records the change as [before, after])."""
    event = (
        report.events.filter(type=EventType.VERIFIED, payload__changes__has_key="category")
        .order_by("seq")
        .first()
        if report.verified_at is not None
        else None
    )
    if event is None:
        return report.category_id
    before = event.payload["changes"]["category"][0]
    return Category.objects.filter(slug=before).values_list("pk", flat=True).first()


def suggestion_for(report: Report) -> CategorySuggestion | None:
    """The report's stored suggestion, or None until the worker has made one."""
    return CategorySuggestion.objects.filter(report=report).first()


def awaiting_suggestion():
    """Reports waiting for verification (the only ones verify and dispose apply to) that
    have no suggestion yet, oldest first, as the verification queue is worked."""
    return (
        Report.objects.filter(status=Status.SUBMITTED)
        .filter(~Exists(CategorySuggestion.objects.filter(report=OuterRef("pk"))))
        .order_by("submitted_at", "pk")
    )


def make_suggestions(limit: int = SUGGESTIONS_PER_RUN) -> int:
    """Suggest a category for up to `limit` reports awaiting one (the worker's job); returns
    how many were made (a report another worker suggested meanwhile keeps that one). Stored with the model's version, the citizen's category at that
    moment and the three suggestions, so the page does not change under the admin. Stops
    between two reports when the worker is asked to stop; the next run goes on."""
    from .learning import current_model

    model = current_model()
    if model is None:
        return 0  # the worker trains one first (retrain_category_model)
    version, classifier = model
    made = []
    pending = awaiting_suggestion().only("pk", "title", "body", "category_id", "verified_at")
    for report in pending[:limit]:
        if stop_requested():
            break
        made.append(
            CategorySuggestion(
                report=report,
                model_version=version,
                citizen_category_id=citizen_category_id(report),
                suggestions=[item.as_dict() for item in classifier.suggest(report_text(report))],
            )
        )
    # Another worker may have suggested some of these meanwhile: theirs stay.
    CategorySuggestion.objects.bulk_create(made, ignore_conflicts=True)
    if made:
        logger.info("category suggestions made for %s reports", len(made))
    return len(made)


def displayed(suggestion: CategorySuggestion) -> list[dict]:
    """The suggestions with their Category rows (for names and the verify button), in one
    query; suggestions whose category no longer exists are left out."""
    slugs = {item["category"] for item in suggestion.suggestions}
    slugs |= {item["topic"] for item in suggestion.suggestions}
    categories = {
        category.slug: category
        for category in Category.objects.filter(slug__in=slugs, is_active=True).select_related(
            "parent"
        )
    }
    rows = []
    for item in suggestion.suggestions:
        category = categories.get(item["category"]) or categories.get(item["topic"])
        if category is None:
            continue
        rows.append(
            {
                "category": category,
                # Calibrated confidences leave the alternatives of a clear case near
                # zero: "<1" rather than a "0 %" that reads as impossible.
                "percent": round(item["confidence"] * 100) or "<1",
                "because": item["because"],
            }
        )
    return rows
