"""A small real stage for runner tests: counts each call's words and stores the count as a theme
row (a table with no unique key, so a duplicate save would show)."""

from __future__ import annotations

import os
import time

from listeningpost.pipeline import Stage, register


class WordCountStage(Stage):
    name = "wordcount"

    def __init__(self, delay: float = 0.0, fail_on: str | None = None, version: str = "1"):
        self.delay, self.fail_on, self.version = float(delay), fail_on, version

    def settings(self):
        return {"engine": "wordcount", "version": self.version, "fail_on": self.fail_on}

    def load(self, case, call_id):
        return [r["text"] for r in case.query("SELECT text FROM turns WHERE call_id=:call_id ORDER BY idx", {"call_id": call_id})]

    def compute(self, item):
        time.sleep(self.delay)
        text = " ".join(item)
        if self.fail_on and self.fail_on in text:
            raise ValueError(f"refusing text with {self.fail_on!r}")
        return {"words": len(text.split()), "pid": os.getpid()}

    def save(self, case, call_id, result, run_id):
        case.db.execute("DELETE FROM themes WHERE call_id=:call_id AND theme='wordcount' AND status='machine'", {"call_id": call_id})
        case.db.execute(
            "INSERT INTO themes(call_id, theme, score, evidence_json, run_id) VALUES (:call_id, 'wordcount', :score, :evidence_json, :run_id)",
            {"call_id": call_id, "score": result["words"], "evidence_json": str(result["pid"]), "run_id": run_id},
        )


register("wordcount")(WordCountStage)
