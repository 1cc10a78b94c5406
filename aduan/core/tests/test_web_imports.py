"""What a web process loads. The numerical libraries behind the category suggestions
(NumPy, SciPy, scikit-learn) cost a process ~130 MB and the model as much again; only the
worker, which makes the suggestions, loads them, so a web worker stays near 80 MB
(docs/PERFORMANCE.md, Memory)."""

import subprocess
import sys

from django.conf import settings

HEAVY = ("numpy", "scipy", "sklearn")

PROBE = """
import sys
import django
django.setup()
import aduan.urls  # every view a request can reach
from django.urls import get_resolver
get_resolver().url_patterns  # and the URL patterns they are reached by
print(" ".join(sorted(name for name in {heavy!r} if name in sys.modules)))
"""


def test_a_web_process_loads_no_numerical_library():
    out = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", PROBE.format(heavy=HEAVY)],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert out.stdout.split() == []


def test_the_probe_sees_a_numerical_library_when_one_is_loaded():
    probe = PROBE.format(heavy=HEAVY).replace(
        "import aduan.urls", "import aduan.urls, aduan.routing.learning"
    )
    out = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", probe],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert out.stdout.split() == ["numpy", "scipy", "sklearn"]
