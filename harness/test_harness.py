"""The reduced fault run, part of `make test` (docs/FEDERATION.md, "Proof under faults").

Three nodes as real processes (two on PostgreSQL, one on SQLite) under dropped, duplicated,
delayed and replayed requests, cut links and kill -9, then healed: nothing may be lost,
duplicated or rewritten. HARNESS_SEED replays a failing run."""

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from harness import run


@pytest.mark.postgres
def test_no_report_is_lost_or_rewritten_under_faults():
    seed = os.environ.get("HARNESS_SEED", "20261204")
    # Not pytest's tmp_path: another pytest session on the machine may prune those while
    # the cluster runs. Kept when the run fails, for its logs.
    tmp_path = Path(tempfile.mkdtemp(prefix="aduan-harness-"))
    result_file = tmp_path / "result.json"
    code = run.main(
        [
            "--seed",
            seed,
            "--duration",
            "40",
            "--rate",
            "6",
            "--workdir",
            str(tmp_path / "cluster"),
            "--json",
            str(result_file),
        ]
    )
    result = json.loads(result_file.read_text())
    assert code == 0, f"harness seed {seed}: {result['problems']} (logs in {tmp_path})"
    # The run did what it claims: load on every node, commands, and faults of every kind.
    assert result["reports"] >= 60 and all(n > 0 for n in result["per_node"].values())
    assert result["commands"]["applied"] > 0
    assert result["submitted_logged"] > 0
    faults = result["faults"]
    for kind in ("drop_request", "drop_answer", "duplicate", "cut"):
        assert faults.get(kind, 0) > 0, f"no {kind} injected (seed {seed})"
    assert any(event.startswith("kill -9") for event in result["chaos"])
    # Kutai Timur restored from a backup taken mid-run caught up; hand edits were noticed.
    assert result["restore"]["recovered"] and not result["restore"]["problems"]
    assert result["tamper"]["in_place_detected_by_central"]
    assert result["tamper"]["rehash_detected_by_central"]
    shutil.rmtree(tmp_path, ignore_errors=True)
