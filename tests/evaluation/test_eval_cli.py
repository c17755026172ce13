"""`lpost eval` end to end on the real gold files (small slices to keep CI time low)."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import EVAL, need_shared


def lpost_eval(*args: str) -> dict:
    res = subprocess.run([sys.executable, "-m", "listeningpost.cli", "eval", *args, "--json"],
                         capture_output=True, text=True, timeout=900)
    assert res.returncode == 0, res.stderr[-2000:]
    return json.loads(res.stdout)


def test_eval_scores_extraction_on_dev_gold():
    gold = need_shared(EVAL / "dev_gold.jsonl")
    result = lpost_eval(str(gold), "--limit", "4")
    assert result["calls"] == 4 and result["stages"] == ["analyze"]
    for section in ("entities", "claims", "themes"):
        assert set(result[section]) >= {"precision", "recall", "f1"}, section
        assert 0.0 <= result[section]["f1"] <= 1.0
    assert result["entities"]["f1"] > 0.5  # the rule layers find most gold entities of real calls
    assert "per_type" in result["entities"]
    assert "asr" not in result and "translation" not in result


def test_eval_rejects_bad_gold(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"no_id": 1}\n', encoding="utf-8")
    res = subprocess.run([sys.executable, "-m", "listeningpost.cli", "eval", str(bad), "--json"],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 2 and "id" in res.stderr
