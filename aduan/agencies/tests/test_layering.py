"""Agencies sit below reports: reports dispose to agencies, never the other way round.
The development app (demo, benchmark generator) sits above every domain app."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

# Install agencies with only what its models point at, import each of its modules, and
# list the report and development modules that came along.
PROBE = """
import importlib, pkgutil, sys
import django
from django.conf import settings
import aduan.settings as full

config = {name: getattr(full, name) for name in dir(full) if name.isupper()}
config["INSTALLED_APPS"] = [app for app in full.INSTALLED_APPS if not app.startswith("aduan.")]
config["INSTALLED_APPS"] += ["aduan.core", "aduan.accounts", "aduan.regions",
                             "aduan.categories", "aduan.agencies"]
settings.configure(**config)
django.setup()
import aduan.agencies
for module in pkgutil.walk_packages(aduan.agencies.__path__, "aduan.agencies."):
    if ".tests" not in module.name and ".migrations" not in module.name:
        importlib.import_module(module.name)
print(" ".join(sorted(m for m in sys.modules if m.startswith(("aduan.reports", "aduan.devdata")))))
"""


def test_the_agencies_app_imports_nothing_of_reports():
    result = subprocess.run(  # noqa: S603 - runs the fixed PROBE above
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == []


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_no_domain_module_imports_the_development_app():
    offenders = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "aduan").rglob("*.py"))
        if "devdata" not in path.parts
        and any(name.startswith("aduan.devdata") for name in imported_modules(path))
    ]
    assert offenders == []
