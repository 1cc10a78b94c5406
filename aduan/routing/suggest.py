"""Category suggestions for reports and texts (docs/ROUTING.md). The suggestion is shown to
the verifier beside the citizen's own category; it never changes the report: the admin
decides, by verifying."""

from django.db import IntegrityError, transaction

from aduan.categories.models import Category
from aduan.reports.models import EventType, Report

from .classifier import Suggestion
from .learning import current_model
from .models import CategorySuggestion


def suggest_text(text: str) -> tuple[int, list[Suggestion]] | None:
    """(model version, the top 3 suggestions) for a complaint's title and text."""
    model = current_model()
    if model is None:
        return None
    version, classifier = model
    return version, classifier.suggest(text)


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
    """The report's stored suggestion, made (and stored with the model's version) the
    first time it is asked for."""
    existing = CategorySuggestion.objects.filter(report=report).first()
    if existing is not None:
        return existing
    result = suggest_text(report_text(report))
    if result is None:
        return None
    version, suggestions = result
    try:
        with transaction.atomic():
            return CategorySuggestion.objects.create(
                report=report,
                model_version=version,
                citizen_category_id=citizen_category_id(report),
                suggestions=[suggestion.as_dict() for suggestion in suggestions],
            )
    except IntegrityError:  # made by a concurrent request a moment ago
        return CategorySuggestion.objects.filter(report=report).first()


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
