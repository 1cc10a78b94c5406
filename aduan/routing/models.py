"""The category classifier's versions and the suggestions they made (docs/ROUTING.md).

A model is this node's own: trained on its seed corpus and its admins' decisions, stored
with an HMAC of its bytes under the node's secret key, and loaded only when the HMAC
matches (a pickled model runs code when loaded, so a blob from anywhere else is refused).
Models are never replicated to other nodes.
"""

import uuid

from django.conf import settings
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


# ------------------------------------------------------------ duplicate clusters, campaigns
# (docs/ROUTING.md, Duplicate clusters and campaigns). The worker only suggests and flags;
# staff link, merge, split and detach. Each of those is an event in the affected reports'
# histories; these rows are this node's working index of the groups, never replicated.


class DuplicateCluster(models.Model):
    """Reports about one problem, linked by staff. Each member keeps its own lifecycle and
    deadlines."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("klaster laporan serupa")
        verbose_name_plural = _("klaster laporan serupa")

    def __str__(self) -> str:
        return f"cluster {self.uuid}"


class ClusterMembership(models.Model):
    """A report's place in a cluster: at most one cluster per report."""

    cluster = models.ForeignKey(
        DuplicateCluster, on_delete=models.CASCADE, related_name="memberships"
    )
    report = models.OneToOneField(
        "reports.Report", on_delete=models.CASCADE, related_name="cluster_membership"
    )
    added_at = models.DateTimeField()
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("anggota klaster")
        verbose_name_plural = _("anggota klaster")

    def __str__(self) -> str:
        return f"{self.report_id} in {self.cluster_id}"


class SuggestionState(models.TextChoices):
    PENDING = "pending", _("Menunggu keputusan")
    LINKED = "linked", _("Dihubungkan")
    MERGED = "merged", _("Digabungkan")
    DISMISSED = "dismissed", _("Diabaikan")


class DuplicateSuggestion(models.Model):
    """The worker's suggestion that `report` is about the same problem as the earlier
    `candidate`, with the reason in one sentence. Staff decide."""

    report = models.ForeignKey(
        "reports.Report", on_delete=models.CASCADE, related_name="duplicate_suggestions"
    )
    candidate = models.ForeignKey("reports.Report", on_delete=models.CASCADE, related_name="+")
    # Text similarity, 0-100.
    text_similarity = models.PositiveSmallIntegerField()
    reason = models.CharField(max_length=200)
    reason_en = models.CharField(max_length=200)
    state = models.CharField(
        max_length=10, choices=SuggestionState.choices, default=SuggestionState.PENDING
    )
    created_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("saran laporan serupa")
        verbose_name_plural = _("saran laporan serupa")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "candidate"], name="duplicate_suggestion_pair"
            )
        ]
        indexes = [
            models.Index(fields=["candidate", "state"], name="duplicate_suggestion_cand_idx")
        ]

    def __str__(self) -> str:
        return f"{self.report_id}~{self.candidate_id} {self.state}"


class Campaign(models.Model):
    """Near-identical texts from many senders in a short time: handled once, answered to
    all. Members stay ordinary reports, visible and marked in the inboxes."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField()
    # The first member: its title and text are the campaign's sample.
    sample = models.ForeignKey("reports.Report", on_delete=models.PROTECT, related_name="+")
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()
    answer_text = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-last_at"]
        verbose_name = _("kampanye massal")
        verbose_name_plural = _("kampanye massal")
        indexes = [models.Index(fields=["-last_at"], name="campaign_last_idx")]

    def __str__(self) -> str:
        return f"campaign {self.uuid}"


class CampaignMember(models.Model):
    """A report flagged as part of a campaign; staff may detach a genuine separate report
    (it then never rejoins a campaign)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="members")
    report = models.OneToOneField(
        "reports.Report", on_delete=models.CASCADE, related_name="campaign_membership"
    )
    added_at = models.DateTimeField()
    detached_at = models.DateTimeField(null=True, blank=True)
    detached_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("anggota kampanye")
        verbose_name_plural = _("anggota kampanye")
        indexes = [models.Index(fields=["campaign", "detached_at"], name="campaign_member_idx")]

    def __str__(self) -> str:
        return f"{self.report_id} in {self.campaign_id}"


class TextBand(models.Model):
    """One MinHash band of a report's normalised text (`grouping.bands`): reports sharing
    a band key are candidates for a campaign, found by the index, not by reading texts."""

    report = models.ForeignKey("reports.Report", on_delete=models.CASCADE, related_name="+")
    key = models.BigIntegerField()
    at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["key", "at"], name="text_band_key_idx"),
            # Pruning: bands are needed only within the campaign window.
            models.Index(fields=["at"], name="text_band_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.report_id}:{self.key}"


class GroupingCursor(models.Model):
    """The worker's place in the stream of new reports (the last report id examined)."""

    name = models.CharField(max_length=20, primary_key=True)
    last_report_id = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}@{self.last_report_id}"
