"""Voices across calls on real recordings from ../shared: the synthetic two-speaker calls (built from
two real voices, speaker A being the VoxForge reader of data/audio/voxforge_ru_rhasspy) go through
the real speech stage (VAD, Whisper, diarization), then the voices stage links speakers by voice.
A Radio-Analyzer transcript (no audio) is in the case too and must never be linked."""

from __future__ import annotations

import json
import re
import shutil

import pytest
from typer.testing import CliRunner

from conftest import AUDIO, EVAL, TRANSCRIPTS, need_shared
from listeningpost.cli import app
from listeningpost.store.case import Case
from listeningpost.voices import store
from listeningpost.voices.link import pair_scores, Link

SYNTH = ("dev_call1_clean16k", "dev_call2_clean16k", "dev_call3_phone8k")
VOXFORGE = "voxforge_ru_rhasspy/ru_0022.wav"
RA_FILE = "radio_analyzer/radio_and_calls-mp3-013.json"
runner = CliRunner()


def lpost(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _gold_turns() -> dict[str, list[dict]]:
    rows = [json.loads(line) for line in (EVAL / "synth_calls_dev.jsonl").read_text().splitlines() if line.strip()]
    return {r["id"]: r["turns"] for r in rows}


def _true_voice(case: Case, call_id: int, label: str, gold: dict[str, list[dict]]) -> str:
    """The gold voice a diarized speaker overlaps most (A of the synthetic calls is the VoxForge reader)."""
    name = case.one("SELECT s.original_name FROM calls c JOIN sources s ON s.id=c.source_id WHERE c.id=:id",
                    {"id": call_id})["original_name"]
    stem = name.rsplit(".", 1)[0]
    if stem not in gold:
        return "voxforge"
    overlap = {"voxforge": 0.0, "B": 0.0}
    for t in case.query("SELECT start_s, end_s FROM turns WHERE call_id=:call_id AND speaker=:speaker", {"call_id": call_id, "speaker": label}):
        for g in gold[stem]:
            shared = min(t["end_s"], g["end"]) - max(t["start_s"], g["start"])
            if shared > 0:
                overlap["voxforge" if g["speaker"] == "A" else "B"] += shared
    return max(overlap, key=overlap.get)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    need_shared(AUDIO / "synthetic")
    src = tmp_path_factory.mktemp("voice-src")
    for stem in SYNTH:
        shutil.copy(AUDIO / "synthetic" / f"{stem}.wav", src / f"{stem}.wav")
    shutil.copy(AUDIO / VOXFORGE, src / "ru_0022.wav")
    shutil.copy(TRANSCRIPTS / RA_FILE, src / "ra_013.json")
    root = tmp_path_factory.mktemp("voice-case") / "case"
    lpost("ingest", str(src), "--case", str(root))
    lpost("process", "--stages", "speech,voices", "--case", str(root))
    return root


@pytest.fixture
def case_dir(built, tmp_path):
    copy = tmp_path / "case"
    shutil.copytree(built, copy)
    return copy


def _speakers(case: Case) -> list[tuple[int, str]]:
    return [(p.call_id, p.label) for p in store.all_prints(case)]


def test_links_reach_precision_and_recall(case_dir):
    case = Case.open(case_dir)
    gold = _gold_turns()
    prints = store.all_prints(case)
    assert len(prints) >= 7  # 3 calls x 2 speakers + the VoxForge reader
    truth = [_true_voice(case, p.call_id, p.label, gold) for p in prints]
    index = {(p.call_id, p.label): i for i, p in enumerate(prints)}
    found = [Link(*sorted((index[(r["call_id"], r["label"])], index[(r["other_call_id"], r["other_label"])])),
                  r["score"]) for r in case.query("SELECT * FROM voice_links WHERE status != 'rejected'")]
    scores = pair_scores(truth, [p.call_id for p in prints], found)
    assert scores["precision"] >= 0.9 and scores["recall"] >= 0.8, scores
    # the VoxForge file (one speaker, another recording session) joins voice A of the calls
    vox = case.one("SELECT c.id FROM calls c JOIN sources s ON s.id=c.source_id WHERE s.original_name='ru_0022.wav'")
    linked = store.links_for_call(case, vox["id"])
    assert linked and {it["call_id"] for items in linked.values() for it in items} >= {1, 2, 3} - {vox["id"]}


def test_transcript_without_audio_is_never_linked(case_dir):
    case = Case.open(case_dir)
    ra = case.one("SELECT id FROM calls WHERE has_media=0")["id"]
    assert ra not in {c for c, _ in _speakers(case)}
    assert store.links_for_call(case, ra) == {}
    out = json.loads(lpost("voices", "--case", str(case_dir), "--json", "--threshold", "0.0"))
    assert all(s["call_id"] != ra for v in out["voices"] for s in v["speakers"])


def test_decisions_survive_relinking_and_names_carry(case_dir):
    case = Case.open(case_dir)
    links = case.query("SELECT * FROM voice_links ORDER BY score DESC")
    keep, drop = links[0], links[-1]
    lpost("voices", "confirm", str(keep["id"]), "--call", str(keep["call_id"]), "--case", str(case_dir))
    lpost("voices", "reject", str(drop["id"]), "--call", str(drop["other_call_id"]), "--case", str(case_dir))
    # a strict threshold drops machine links but keeps the confirmed one; the rejected one stays rejected
    lpost("voices", "--threshold", "0.999", "--case", str(case_dir))
    case = Case.open(case_dir)
    rows = {r["id"]: r["status"] for r in case.query("SELECT id, status FROM voice_links")}
    assert rows.get(keep["id"]) == "confirmed" and rows.get(drop["id"]) == "rejected"
    assert "machine" not in rows.values()
    lpost("voices", "--threshold", "0.84", "--case", str(case_dir))
    case = Case.open(case_dir)
    assert case.one("SELECT status FROM voice_links WHERE id=:id", {"id": drop["id"]})["status"] == "rejected"
    # history: both decisions are edits of the calls they were made on
    edits = case.query("SELECT * FROM edits WHERE target_table='voice_links'")
    assert {e["target_id"] for e in edits} == {keep["id"], drop["id"]}
    # a name given to one speaker is carried to the speakers linked to it (not across the rejected link)
    lpost("voices", "name", str(keep["call_id"]), keep["label"], "Synthetic-Speaker-1", "--carry",
          "--case", str(case_dir))
    case = Case.open(case_dir)
    named = {(r["call_id"], r["label"]) for r in case.query("SELECT * FROM speakers WHERE name='Synthetic-Speaker-1'")}
    assert (keep["other_call_id"], keep["other_label"]) in named
    linked = store.links_for_call(case, keep["call_id"])[keep["label"]]
    assert all((it["call_id"], it["label"]) in named for it in linked if it["status"] != "rejected")


def test_rerun_is_idempotent(case_dir):
    case = Case.open(case_dir)
    before = {(r["call_id"], r["label"]): r["created_at"] for r in case.query("SELECT * FROM voiceprints")}
    lpost("process", "--stages", "voices", "--force", "--case", str(case_dir))
    case = Case.open(case_dir)
    after = {(r["call_id"], r["label"]): r["created_at"] for r in case.query("SELECT * FROM voiceprints")}
    assert after == before  # unchanged turns: the prints are not recomputed


@pytest.mark.browser
def test_call_page_shows_and_confirms_links(case_dir, browser):
    import socket
    import threading
    import time

    import uvicorn

    from listeningpost.web.app import create_app
    from listeningpost.web.auth import add_user

    case = Case.open(case_dir)
    add_user(case, "ana", "analyst-pass-1", "analyst")
    link = case.query("SELECT * FROM voice_links ORDER BY score DESC")[0]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(create_app(Case.open(case_dir), run_jobs=False), host="127.0.0.1",
                                        port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    while not srv.started:
        time.sleep(0.05)
    try:
        page = browser.new_context().new_page()
        page.goto(f"http://127.0.0.1:{port}/calls/{link['call_id']}")
        page.fill("input[name=username]", "ana")
        page.fill("input[name=password]", "analyst-pass-1")
        page.click("button[type=submit]")
        page.wait_for_load_state()
        item = page.locator(f"#voice-link-{link['id']}")
        assert re.search(rf"also speaks in\s+call {link['other_call_id']}", item.inner_text())
        assert re.search(r"similarity 0\.\d\d", item.inner_text())
        item.locator("button.voice-confirmed").click()
        page.wait_for_load_state()
        assert "confirmed" in page.locator(f"#voice-link-{link['id']}").inner_text()
        assert Case.open(case_dir).one("SELECT status FROM voice_links WHERE id=:id", {"id": link["id"]})["status"] == "confirmed"
        # the linked call's page shows the same link from the other side
        page.goto(f"http://127.0.0.1:{port}/calls/{link['other_call_id']}")
        assert re.search(rf"also speaks in\s+call {link['call_id']}", page.locator(f"#voice-link-{link['id']}").inner_text())
    finally:
        srv.should_exit = True
        thread.join(10)
