"""The category classifier's versions and the suggestions they made (docs/ROUTING.md).

A model is this node's own: trained on its seed corpus and its admins' decisions, stored
with an HMAC of its bytes under the node's secret key, and loaded only when the HMAC
matches (a pickled model runs code when loaded, so a blob from anywhere else is refused).
Models are never replicated to other nodes.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ClassifierModel(models.Model):
    version = models.PositiveIntegerField(unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    # The one model that makes suggestions; a candidate that lost stays for the record.
    is_current = models.BooleanField(default=False)
    promoted_at = models.DateTimeField(null=True, blank=True)
    # How many examples it learned from: from the seed corpus and from decisions.
    seed_examples = models.PositiveIntegerField(default=0)
    decision_examples = models.PositiveIntegerField(default=0)
    # High-water mark: the newest decision it saw (null: none, the seed model).
    decisions_until = models.DateTimeField(null=True, blank=True)
    # Accuracy on the held-back slice when it was trained, and the current model's there.
    metrics = models.JSONField(default=dict, blank=True)
    library_version = models.CharField(max_length=20)
    blob = models.BinaryField()
    signature = models.CharField(max_length=64)

    class Meta:
        ordering = ["-version"]
        verbose_name = _("model kategori")
        verbose_name_plural = _("model kategori")
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"],
                condition=models.Q(is_current=True),
                name="routing_one_current_model",
            )
        ]

    def __str__(self) -> str:
        return f"v{self.version}"


class CategorySuggestion(models.Model):
    """What the classifier suggested for a report, with the model's version, beside the
    category the citizen chose; compared with the admin's decision to report accuracy."""

    report = models.OneToOneField(
        "reports.Report", on_delete=models.CASCADE, related_name="category_suggestion"
    )
    model_version = models.PositiveIntegerField(db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    citizen_category = models.ForeignKey(
        "categories.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # [{"category", "topic", "confidence", "because"}, ...], best first.
    suggestions = models.JSONField(default=list)

    class Meta:
        verbose_name = _("saran kategori")
        verbose_name_plural = _("saran kategori")

    def __str__(self) -> str:
        return f"{self.report_id} v{self.model_version}"

    @property
    def best(self) -> dict | None:
        return self.suggestions[0] if self.suggestions else None
