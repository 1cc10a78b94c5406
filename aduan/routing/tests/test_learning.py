"""Models stored with their signature, retrained from decisions, promoted only when better."""

import json
from io import StringIO
from unittest import mock

from django.core.cache import cache
from django.core.management import call_command
from django.test import override_settings

from aduan.core import scheduler
from aduan.reports import actions as a
from aduan.reports.models import Report
from aduan.routing import learning
from aduan.routing.evaluation import Scores
from aduan.routing.models import ClassifierModel
from aduan.routing.tasks import CHECKED_KEY, retrain_category_model
from conftest import aware


def test_a_node_without_a_model_trains_the_seed_model_when_a_command_asks(world):
    assert learning.current_model() is None  # web requests never train

    version, classifier = learning.current_model(train_if_missing=True)

    row = ClassifierModel.objects.get()
    assert (row.version, row.is_current, row.decision_examples) == (version, True, 0)
    assert row.seed_examples > 400
    assert row.metrics["candidate"]["accuracy"] > 0.5
    assert classifier.suggest("jembatan kayu lapuk")[0].topic == "infrastruktur"
    learning.forget_cached_model()


def test_a_model_whose_signature_does_not_match_is_never_loaded(current_seed_model):
    ClassifierModel.objects.filter(pk=current_seed_model.pk).update(signature="0" * 64)
    learning.forget_cached_model()

    with mock.patch("aduan.routing.learning.pickle.loads") as loads:
        assert learning.current_model() is None
    loads.assert_not_called()


def test_a_model_signed_under_another_secret_key_is_refused(current_seed_model, settings):
    settings.SECRET_KEY = "another-node-secret-key-0123456789-abcdefghijkl"
    learning.forget_cached_model()
    assert learning.current_model() is None


def decide(world, n, *, category="jalan-rusak", start=None):
    """n reports verified by the national admin."""
    start = start or aware(2026, 3, 2)
    reports = []
    for i in range(n):
        report = world.submit(
            category=category, title=f"Jalan berlubang nomor {i}", body="Aspal rusak parah."
        )
        reports.append(a.verify_report(report, actor=world.national_admin))
    return reports


@override_settings(ROUTING_RETRAIN_AFTER=3, ROUTING_RETRAIN_HOURS=24)
def test_the_worker_retrains_after_n_new_decisions(world, current_seed_model):
    due, _why = learning.due_for_retraining()
    assert not due
    decide(world, 2)
    assert learning.due_for_retraining()[0] is False
    decide(world, 1)
    assert learning.due_for_retraining()[0] is True

    cache.delete(CHECKED_KEY)
    result = retrain_category_model.call()

    assert result["trained"] == 2
    latest = ClassifierModel.objects.get(version=2)
    # The newest 20 % of 3 decisions rounds down to none held back: it learned from all.
    assert latest.decision_examples == 3
    assert latest.decisions_until is not None
    # Counted from the newest model: nothing is due until new decisions arrive.
    assert learning.due_for_retraining()[0] is False
    # The worker's next ticks within ROUTING_CHECK_MINUTES do not even count.
    decide(world, 3)
    assert retrain_category_model.call()["reason"] == "checked recently"
    cache.delete(CHECKED_KEY)


@override_settings(ROUTING_RETRAIN_AFTER=1000, ROUTING_RETRAIN_HOURS=24)
def test_the_worker_retrains_a_day_later_when_there_is_any_new_decision(
    world, current_seed_model, time_machine
):
    time_machine.move_to(aware(2026, 3, 2))
    ClassifierModel.objects.filter(pk=current_seed_model.pk).update(created_at=aware(2026, 3, 2, 8))
    decide(world, 1)
    assert learning.due_for_retraining(now=aware(2026, 3, 2, 20))[0] is False
    assert learning.due_for_retraining(now=aware(2026, 3, 3, 9))[0] is True


def scores(accuracy):
    return Scores(n=10, accuracy=accuracy, top3=1.0, macro_f1=accuracy)


def test_a_candidate_is_promoted_only_when_it_beats_the_current_model(current_seed_model):
    with mock.patch.object(learning, "score", side_effect=[scores(0.7), scores(0.7)]):
        result = learning.retrain(force=True)
    assert (result.trained, result.promoted) == (2, None)
    assert ClassifierModel.objects.get(is_current=True).version == 1
    assert ClassifierModel.objects.get(version=2).metrics["current"]["accuracy"] == 0.7

    with mock.patch.object(learning, "score", side_effect=[scores(0.8), scores(0.7)]):
        result = learning.retrain(force=True)
    assert result.promoted == 3
    assert ClassifierModel.objects.get(is_current=True).version == 3
    assert learning.current_model()[0] == 3


def test_the_history_holds_back_its_newest_decisions(world):
    reports = decide(world, 5)
    examples = learning.history_examples()
    train, held = learning.history_split(examples)
    assert [slug for _t, slug, *_ in examples] == ["jalan-rusak"] * 5
    assert len(held) == 1
    assert held[0][0].startswith(reports[-1].title)
    assert all(example[2] <= held[0][2] for example in train)


def test_the_history_reads_only_the_newest_decisions_oldest_first(world):
    reports = decide(world, 5)
    for day, report in enumerate(reports, start=2):  # verified a day apart from 2 March
        Report.objects.filter(pk=report.pk).update(verified_at=aware(2026, 3, day))
    # The first one was also disposed later: its decision is the latest of the two.
    Report.objects.filter(pk=reports[0].pk).update(dispositioned_at=aware(2026, 3, 20))

    examples = learning.history_examples(limit=2)

    assert [number for *_rest, number in examples] == [
        reports[4].tracking_number,
        reports[0].tracking_number,
    ]
    assert [at for _t, _s, at, _n in examples] == [aware(2026, 3, 6), aware(2026, 3, 20)]


def test_a_worker_asked_to_stop_does_not_start_fitting(world):
    decide(world, 3)
    scheduler.request_stop()
    try:
        result = learning.retrain(force=True)
    finally:
        scheduler.clear_stop()
    assert (result.trained, result.reason) == (None, "the worker is stopping")
    assert not ClassifierModel.objects.exists()


def test_train_category_model_says_what_it_did(world):
    out = StringIO()
    call_command("train_category_model", stdout=out)
    assert "trained v1: promoted" in out.getvalue()
    out = StringIO()
    call_command("train_category_model", "--if-due", stdout=out)
    assert "not retrained" in out.getvalue()
    learning.forget_cached_model()


def test_suggest_category_prints_one_json_object_per_line(current_seed_model, monkeypatch):
    monkeypatch.setattr(
        "sys.stdin", StringIO("jln rusak parah dpn sd tlg diperbaiki\n\nair pdam keruh\n")
    )
    out = StringIO()
    call_command("suggest_category", "--json", stdout=out)

    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(lines) == 3
    first = lines[0]["suggestions"]
    assert [set(item) for item in first] == [{"category", "topic", "confidence", "because"}] * 3
    assert first[0]["category"] == "jalan-rusak" and first[0]["topic"] == "infrastruktur"
    assert lines[1] == {"suggestions": []}
    assert lines[2]["suggestions"][0]["topic"] == "energi-air-bersih"


def test_evaluate_routing_reports_the_numbers_and_the_worst_cases(world):
    decide(world, 5)
    out = StringIO()
    call_command("evaluate_routing", "--worst", "1", stdout=out)
    text = out.getvalue()
    assert "== seed corpus (held out)" in text
    assert "top-1 accuracy" in text and "macro-F1" in text and "top-3 accuracy" in text
    assert "confusion" in text and "worst cases" in text
    assert "== node history (newest held back): 1 texts" in text
    history = text.split("== node history")[1]
    # Its worst cases are named by tracking number, never by what the reporter wrote.
    assert "Aspal rusak parah" not in history

    out = StringIO()
    call_command("evaluate_routing", "--json", stdout=out)
    numbers = json.loads(out.getvalue())
    assert numbers["seed corpus (held out)"]["accuracy"] > 0.5


def test_decisions_count_verified_and_disposed_reports_only(world):
    world.submit()
    decide(world, 1)
    a.dispose_report(world.submit(), world.pemkab, actor=world.national_admin)
    assert learning.decisions().count() == 2
