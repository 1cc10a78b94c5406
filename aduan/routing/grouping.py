"""Finding duplicate clusters and mass campaigns among new reports (docs/ROUTING.md,
Duplicate clusters and campaigns). The worker suggests and flags; it never links, merges
or answers anything: staff decide (`routing/clusters.py`).

Texts are compared after the classifier's normalisation (`text.normalise`: "jln" reads as
"jalan"), as the cosine of their character 3-5-gram vectors (hashed, so nothing is
fitted or stored): typos and affixes still share most of their n-grams.

- A **cluster suggestion** pairs a new report with an earlier one submitted within
  CLUSTER_WINDOW_DAYS, in the same place (within CLUSTER_RADIUS_KM when both have a
  point; else the same region, a village counting as its district, as in
  `reports/similar.py`), whose text is at least CLUSTER_TEXT_SAME_CATEGORY % alike when
  both share a category, or CLUSTER_TEXT_ANY_CATEGORY % alike otherwise. At most three
  per report, the most alike first, each with its reason in one sentence.
- A **campaign** is a set of texts at least CAMPAIGN_SIMILARITY % alike from at least
  CAMPAIGN_MIN_SENDERS distinct reporters within CAMPAIGN_WINDOW_HOURS, of at least
  CAMPAIGN_MIN_WORDS words. Candidates come
  from MinHash bands of the word 3-shingles (`TextBand`, an indexed key), so the worker
  reads only the texts that share a band with the new one, never the whole window.
"""

import datetime as dt
import hashlib
import logging
import math
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q

from aduan.core import clock
from aduan.reports.models import Report, Status
from aduan.reports.similar import _same_region

from .models import (
    Campaign,
    CampaignMember,
    ClusterMembership,
    DuplicateSuggestion,
    GroupingCursor,
    SuggestionState,
    TextBand,
)
from .text import normalise

logger = logging.getLogger(__name__)

SUGGESTIONS_PER_REPORT = 3
# Earlier reports compared with a new one, newest first (bounded work per report).
CANDIDATES = 100
# Reports examined per worker run.
BATCH = 100
BANDS = 8
ROWS = 2
MAX_BAND_MATCHES = 1000
DISTRICT_LENGTH = len("64.08.04")
KM_PER_DEGREE = 111.0


# ------------------------------------------------------------------------------- texts


def report_text(report: Report) -> str:
    return normalise(f"{report.title} {report.body}")


_vectorizer = None


def _vectors(texts: list[str]):
    global _vectorizer
    if _vectorizer is None:
        from sklearn.feature_extraction.text import HashingVectorizer

        _vectorizer = HashingVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), n_features=2**18, alternate_sign=False
        )
    return _vectorizer.transform(texts)


def similarities(text: str, others: list[str]) -> list[int]:
    """The cosine similarity (0-100) of `text` with each of `others`."""
    if not others:
        return []
    matrix = _vectors([text, *others])
    scores = (matrix[1:] @ matrix[0].T).toarray().ravel()
    return [round(float(score) * 100) for score in scores]


def _hash(value: str, salt: int) -> int:
    digest = hashlib.blake2b(value.encode(), digest_size=8, salt=salt.to_bytes(8, "big"))
    return int.from_bytes(digest.digest(), "big")


def band_keys(text: str) -> list[int]:
    """The MinHash band keys of a normalised text: texts with a Jaccard similarity of 0.9
    over word 3-shingles share a band with near certainty, unrelated texts rarely."""
    words = text.split()
    if not words:
        return []
    size = min(3, len(words))
    shingles = {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}
    signature = [min(_hash(s, seed) for s in shingles) for seed in range(BANDS * ROWS)]
    keys = []
    for band in range(BANDS):
        rows = signature[band * ROWS : (band + 1) * ROWS]
        key = _hash(f"{band}:{':'.join(map(str, rows))}", 99)
        keys.append(key % (2**63))
    return keys


# ------------------------------------------------------------------------------ reasons


def _region(report: Report) -> str:
    return report.region_id or report.suggested_region_id or ""


def _distance_km(a: Report, b: Report) -> float:
    lat1, lon1, lat2, lon2 = map(
        math.radians, map(float, (a.latitude, a.longitude, b.latitude, b.longitude))
    )
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371 * math.asin(math.sqrt(h))


def _has_point(report: Report) -> bool:
    return report.latitude is not None and report.longitude is not None


@dataclass(frozen=True)
class Reason:
    text: str
    text_en: str


def reason_for(report: Report, candidate: Report, similarity: int) -> Reason:
    """One sentence, Indonesian and English: "teks mirip 82%, kategori sama, desa sama,
    2 hari selisih"."""
    parts = [(f"teks mirip {similarity}%", f"similar text {similarity}%")]
    if report.category_id and report.category_id == candidate.category_id:
        parts.append(("kategori sama", "same category"))
    if _has_point(report) and _has_point(candidate):
        metres = round(_distance_km(report, candidate) * 1000, -1)
        parts.append((f"berjarak {metres:.0f} m", f"{metres:.0f} m apart"))
    else:
        mine, theirs = _region(report), _region(candidate)
        if mine == theirs and len(mine) > DISTRICT_LENGTH:
            parts.append(("desa sama", "same village"))
        elif mine[:DISTRICT_LENGTH] == theirs[:DISTRICT_LENGTH] and len(mine) >= DISTRICT_LENGTH:
            parts.append(("kecamatan sama", "same district"))
        else:
            parts.append(("wilayah sama", "same area"))
    days = abs((report.submitted_at - candidate.submitted_at).days)
    if days == 0:
        parts.append(("hari yang sama", "same day"))
    else:
        parts.append((f"{days} hari selisih", f"{days} day{'s' if days != 1 else ''} apart"))
    return Reason(", ".join(p[0] for p in parts), ", ".join(p[1] for p in parts))


# ------------------------------------------------------------------------------ clusters


def _place_q(report: Report) -> Q | None:
    region = _region(report)
    if _has_point(report):
        degrees = Decimal(str(round(settings.CLUSTER_RADIUS_KM / KM_PER_DEGREE, 6)))
        near = Q(
            latitude__range=(report.latitude - degrees, report.latitude + degrees),
            longitude__range=(report.longitude - degrees, report.longitude + degrees),
        )
        if region:
            return near | (_same_region(region) & Q(latitude__isnull=True))
        return near
    if region:
        return _same_region(region)
    return None


def cluster_candidates(report: Report) -> list[tuple[Report, int]]:
    """Earlier reports that may be about the same problem, with their text similarity,
    the most alike first (at most SUGGESTIONS_PER_REPORT)."""
    place = _place_q(report)
    if place is None:
        return []
    window = dt.timedelta(days=settings.CLUSTER_WINDOW_DAYS)
    pool = list(
        Report.objects.filter(place, submitted_at__gte=report.submitted_at - window)
        .filter(
            Q(submitted_at__lt=report.submitted_at)
            | Q(submitted_at=report.submitted_at, pk__lt=report.pk)
        )
        .exclude(status__in=(Status.WITHDRAWN, Status.ARCHIVED))
        .exclude(pk=report.pk)
        .only(
            "pk",
            "title",
            "body",
            "category_id",
            "region_id",
            "suggested_region_id",
            "latitude",
            "longitude",
            "submitted_at",
        )
        .order_by("-submitted_at")[:CANDIDATES]
    )
    if _has_point(report):
        pool = [
            r
            for r in pool
            if not _has_point(r) or _distance_km(report, r) <= settings.CLUSTER_RADIUS_KM
        ]
    if not pool:
        return []
    scores = similarities(report_text(report), [report_text(r) for r in pool])
    found = []
    for candidate, score in zip(pool, scores, strict=True):
        same_category = report.category_id is not None and (
            candidate.category_id == report.category_id
        )
        needed = (
            settings.CLUSTER_TEXT_SAME_CATEGORY
            if same_category
            else settings.CLUSTER_TEXT_ANY_CATEGORY
        )
        if score >= needed:
            found.append((candidate, score))
    found.sort(key=lambda pair: (-pair[1], -pair[0].submitted_at.timestamp()))
    return found[:SUGGESTIONS_PER_REPORT]


def _suggest_clusters(report: Report, now: dt.datetime) -> int:
    found = cluster_candidates(report)
    if not found:
        return 0
    pks = [report.pk] + [c.pk for c, _ in found]
    clusters = dict(
        ClusterMembership.objects.filter(report_id__in=pks).values_list("report_id", "cluster_id")
    )
    campaigns = dict(
        CampaignMember.objects.filter(report_id__in=pks, detached_at__isnull=True).values_list(
            "report_id", "campaign_id"
        )
    )
    made = 0
    for candidate, score in found:
        mine = clusters.get(report.pk)
        if mine is not None and mine == clusters.get(candidate.pk):
            continue
        # Copies of one campaign are handled as the campaign, not pair by pair.
        if campaigns.get(report.pk) and campaigns.get(report.pk) == campaigns.get(candidate.pk):
            continue
        reason = reason_for(report, candidate, score)
        _, created = DuplicateSuggestion.objects.get_or_create(
            report=report,
            candidate=candidate,
            defaults={
                "text_similarity": score,
                "reason": reason.text,
                "reason_en": reason.text_en,
                "created_at": now,
            },
        )
        made += created
    return made


# ----------------------------------------------------------------------------- campaigns


def sender_of(report: Report) -> str:
    """Who sent a report, as far as this node can tell without decrypting: the account,
    else the keyed hash of the phone number or e-mail address (a guest who reports five
    times is one sender), else the reporter row."""
    reporter = report.reporter
    if reporter.user_id:
        return f"u{reporter.user_id}"
    if reporter.phone_lookup:
        return f"p{reporter.phone_lookup}"
    if reporter.email_lookup:
        return f"e{reporter.email_lookup}"
    return f"r{reporter.pk}"


def _flag_campaign(report: Report, text: str, keys: list[int], now: dt.datetime) -> None:
    # A short text ("lampu jalan mati") is alike for everyone who has the problem: only a
    # text of some length written alike by many is a campaign.
    if not keys or len(text.split()) < settings.CAMPAIGN_MIN_WORDS:
        return
    window = dt.timedelta(hours=settings.CAMPAIGN_WINDOW_HOURS)
    ids = list(
        TextBand.objects.filter(
            key__in=keys, at__gte=report.submitted_at - window, at__lte=report.submitted_at
        )
        .exclude(report_id=report.pk)
        .values_list("report_id", flat=True)
        .distinct()[:MAX_BAND_MATCHES]
    )
    if not ids:
        return
    pool = list(
        Report.objects.filter(pk__in=ids)
        .exclude(status=Status.WITHDRAWN)
        .select_related("reporter")
        .only(
            "pk",
            "title",
            "body",
            "submitted_at",
            "reporter__user_id",
            "reporter__phone_lookup",
            "reporter__email_lookup",
        )
    )
    scores = similarities(text, [report_text(r) for r in pool])
    alike = [r for r, s in zip(pool, scores, strict=True) if s >= settings.CAMPAIGN_SIMILARITY]
    if not alike:
        return
    rows = {
        m.report_id: m
        for m in CampaignMember.objects.filter(report_id__in=[report.pk] + [r.pk for r in alike])
    }
    if report.pk in rows:
        return
    joined = {m.campaign_id for m in rows.values() if m.detached_at is None}
    if joined:
        campaign = Campaign.objects.select_for_update().get(pk=min(joined))
        CampaignMember.objects.create(campaign=campaign, report=report, added_at=now)
        campaign.first_at = min(campaign.first_at, report.submitted_at)
        campaign.last_at = max(campaign.last_at, report.submitted_at)
        campaign.save(update_fields=["first_at", "last_at"])
        return
    # Detached members never rejoin: staff said they are separate reports.
    free = [r for r in alike if r.pk not in rows]
    members = [report, *free]
    senders = {sender_of(r) for r in members}
    if len(senders) < settings.CAMPAIGN_MIN_SENDERS:
        return
    members.sort(key=lambda r: (r.submitted_at, r.pk))
    campaign = Campaign.objects.create(
        created_at=now,
        sample=members[0],
        first_at=members[0].submitted_at,
        last_at=members[-1].submitted_at,
    )
    CampaignMember.objects.bulk_create(
        [CampaignMember(campaign=campaign, report=r, added_at=now) for r in members]
    )
    # Pairs among the copies were suggested before there were enough of them: the
    # campaign handles them now.
    pks = [r.pk for r in members]
    DuplicateSuggestion.objects.filter(
        report_id__in=pks, candidate_id__in=pks, state=SuggestionState.PENDING
    ).delete()


# ---------------------------------------------------------------------------- the worker


def examine(report: Report, now: dt.datetime | None = None) -> None:
    """Flag `report` as part of a campaign and suggest its possible duplicates."""
    now = now or clock.now()
    text = report_text(report)
    keys = band_keys(text)
    _flag_campaign(report, text, keys, now)
    TextBand.objects.bulk_create(
        [TextBand(report=report, key=key, at=report.submitted_at) for key in set(keys)]
    )
    _suggest_clusters(report, now)


def run(batch: int = BATCH) -> int:
    """Examine the reports stored since the last run, oldest first; returns how many.
    The cursor row is locked, so two workers never examine the same report."""
    now = clock.now()
    with transaction.atomic():
        cursor, created = GroupingCursor.objects.select_for_update().get_or_create(name="reports")
        if created:
            # A new node (or a node that just got this feature) starts with the reports of
            # the last window, not its whole history.
            since = now - dt.timedelta(days=settings.CLUSTER_WINDOW_DAYS)
            cursor.last_report_id = (
                Report.objects.filter(submitted_at__lt=since).aggregate(top=Max("pk"))["top"] or 0
            )
        reports = list(Report.objects.filter(pk__gt=cursor.last_report_id).order_by("pk")[:batch])
        for report in reports:
            try:
                with transaction.atomic():
                    examine(report, now)
            except Exception:
                # One report that cannot be examined must not hold up every later one;
                # the log names the report by id only, never by its text.
                logger.exception("grouping: report id %s could not be examined", report.pk)
        if reports:
            cursor.last_report_id = reports[-1].pk
        cursor.save()
        prune_bands(now)
    return len(reports)


PRUNE_BATCH = 5000


def prune_bands(now: dt.datetime) -> int:
    """Forget the band keys of texts older than twice the campaign window (they can no longer
    join a campaign), a bounded number per run."""
    cutoff = now - 2 * dt.timedelta(hours=settings.CAMPAIGN_WINDOW_HOURS)
    old = list(TextBand.objects.filter(at__lt=cutoff).values_list("pk", flat=True)[:PRUNE_BATCH])
    if old:
        TextBand.objects.filter(pk__in=old).delete()
    return len(old)
