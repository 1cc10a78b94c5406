"""How good the category suggestions are (docs/ROUTING.md).

    python manage.py evaluate_routing [--worst 3] [--json]

1. The seed corpus: a model trained on its training part, scored on its held-out part
   (text no model has seen).
2. The node's history: a model trained on the seed corpus's training part and the older
   decisions, scored on the newest decisions (held back).
3. The stored suggestions: for each model version, how often its best suggestion was the
   topic the admin chose, and how often the citizen's own category was.

For each: top-1 and top-3 accuracy of the topic, macro-F1, the confusion matrix, and the
worst cases per category.
"""

import json

from django.core.management.base import BaseCommand
from django.db.models import F

from aduan.routing.classifier import CategoryClassifier
from aduan.routing.evaluation import Scores, score
from aduan.routing.learning import history_examples, history_split, node_topic_map
from aduan.routing.models import CategorySuggestion
from aduan.routing.seed import seed_split


class Command(BaseCommand):
    help = "Accuracy, macro-F1, top-3 accuracy and confusion of the category suggestions."

    def add_arguments(self, parser):
        parser.add_argument("--worst", type=int, default=3, help="worst cases per category")
        parser.add_argument("--json", action="store_true", help="the numbers as JSON")

    def handle(self, *args, **options):
        topics = node_topic_map()
        seed_train, seed_held = seed_split()
        results = {}
        seed_model = CategoryClassifier().fit(
            [t for t, _ in seed_train], [s for _, s in seed_train], topics
        )
        results["seed corpus (held out)"] = score(seed_model, seed_held, topics)

        history = [e for e in history_examples() if e[1] in topics]
        history_train, history_held = history_split(history)
        if history_held:
            train = list(seed_train) + [(t, s) for t, s, *_ in history_train]
            model = CategoryClassifier().fit([t for t, _ in train], [s for _, s in train], topics)
            # Worst cases named by tracking number: a report's text may hold what its
            # reporter wrote about themselves, and this output is often pasted elsewhere.
            results["node history (newest held back)"] = score(
                model,
                [(t, s) for t, s, *_ in history_held],
                topics,
                names=[number for *_, number in history_held],
            )
        stored = self._stored(topics)
        if options["json"]:
            payload = {name: scores.summary() for name, scores in results.items()}
            payload["stored suggestions"] = stored
            self.stdout.write(json.dumps(payload, indent=2))
            return
        for name, scores in results.items():
            self._print(name, scores, options["worst"])
        self.stdout.write("\n== stored suggestions (best suggestion vs the admin's topic)")
        if not stored:
            self.stdout.write("  none decided yet")
        for version, row in sorted(stored.items()):
            self.stdout.write(
                f"  model v{version}: {row['n']} reports, suggestion right {row['accuracy']:.3f}, "
                f"in top 3 {row['top3']:.3f}, citizen's category right {row['citizen']:.3f}"
            )

    def _stored(self, topics) -> dict:
        rows = (
            CategorySuggestion.objects.filter(report__category__isnull=False)
            .filter(report__verified_at__isnull=False)
            .values_list(
                "model_version",
                "suggestions",
                F("report__category__slug"),
                F("citizen_category__slug"),
            )
        )
        by_version: dict[int, dict] = {}
        for version, suggestions, chosen, citizen in rows.iterator(chunk_size=2000):
            row = by_version.setdefault(version, {"n": 0, "right": 0, "top3": 0, "citizen": 0})
            topic = topics.get(chosen)
            offered = [item["topic"] for item in suggestions]
            row["n"] += 1
            row["right"] += bool(offered) and offered[0] == topic
            row["top3"] += topic in offered
            row["citizen"] += citizen is not None and topics.get(citizen) == topic
        return {
            version: {
                "n": row["n"],
                "accuracy": row["right"] / row["n"],
                "top3": row["top3"] / row["n"],
                "citizen": row["citizen"] / row["n"],
            }
            for version, row in by_version.items()
        }

    def _print(self, name: str, scores: Scores, worst: int) -> None:
        write = self.stdout.write
        write(f"\n== {name}: {scores.n} texts")
        write(
            f"  top-1 accuracy {scores.accuracy:.3f}   top-3 accuracy {scores.top3:.3f}   "
            f"macro-F1 {scores.macro_f1:.3f}"
        )
        if not scores.n:
            return
        short = [label[:6] for label in scores.labels]
        write("  confusion (rows: true topic, columns: suggested)")
        write("  " + " " * 28 + " ".join(f"{s:>6}" for s in short))
        for label, row in zip(scores.labels, scores.confusion, strict=False):
            write(f"  {label[:28]:<28}" + " ".join(f"{n:>6}" for n in row))
        write(f"  worst cases (at most {worst} per category, the true topic's confidence)")
        shown: dict[str, int] = {}
        for true, guess, confidence, text in scores.worst:
            if shown.get(true, 0) >= worst:
                continue
            shown[true] = shown.get(true, 0) + 1
            snippet = " ".join(text.split())[:90]
            write(f"    {true} → {guess} ({confidence:.2f}): {snippet}")
