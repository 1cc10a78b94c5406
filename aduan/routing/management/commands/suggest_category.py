"""Suggest categories for complaint texts read on standard input, one per line (title and
text together), with the node's current model (docs/ROUTING.md).

    echo "jln rusak parah dpn sd tlg diperbaiki" | python manage.py suggest_category --json

prints one JSON object per input line: {"suggestions": [{"category", "topic",
"confidence", "because"}, ...]}, the top 3, best first. An empty line gives an empty list.
"""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from aduan.routing.learning import current_model


class Command(BaseCommand):
    help = "Suggest categories for complaint texts on standard input, one per line."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="one JSON object per line")

    def handle(self, *args, **options):
        model = current_model(train_if_missing=True)
        if model is None:
            raise CommandError("Tidak ada model kategori. / No category model.")
        version, classifier = model
        for line in sys.stdin:
            text = line.strip()
            suggestions = classifier.suggest(text) if text else []
            if options["json"]:
                payload = {"suggestions": [item.as_dict() for item in suggestions]}
                self.stdout.write(json.dumps(payload, ensure_ascii=False))
            else:
                self.stdout.write(
                    " | ".join(
                        f"{item.category} ({item.topic}) {item.confidence:.2f}: "
                        + ", ".join(item.because)
                        for item in suggestions
                    )
                )
