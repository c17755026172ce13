"""Server time of the workbench pages on a case of 10,000 calls (goal: under 500 ms each).

The case is synthetic in size only: the real transcripts in shared/ (Radio-Analyzer, Prigozhin) are
ingested once, with the analysts' gold labels from eval/dev_gold.jsonl as analysis rows, then the
calls are copied (turns, translations, entities, claims, themes) until there are N calls, with
publication dates spread over 2022-2024 and three placeholder publishers so the facets and time
charts have realistic cardinality. Times are measured in process with FastAPI's TestClient
(request in, response out), median of several requests, after one warm-up request.

    .venv/bin/python bench/web_latency.py [--calls 10000] [--case /tmp/lp-bench-web]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "tests"), str(REPO / "tests" / "web")]

from listeningpost.store.case import Case, now  # noqa: E402

GOAL_MS = 500


def build(root: Path, n_calls: int) -> Case:
    from conftest import TRANSCRIPTS
    from listeningpost.ingest.ingest import ingest_paths
    from listeningpost.web.auth import add_user
    from webdemo import add_gold_analysis

    case = Case.open(root)
    ingest_paths(case, [TRANSCRIPTS / "radio_analyzer", TRANSCRIPTS / "prigozhin"])
    add_gold_analysis(case)
    add_user(case, "bench", "bench-password", "admin")
    originals = [r["id"] for r in case.query("SELECT id FROM calls ORDER BY id")]
    turns = {c: [dict(r) for r in case.query("SELECT * FROM turns WHERE call_id=? ORDER BY idx", (c,))] for c in originals}
    trans = {t["id"]: [dict(r) for r in case.query("SELECT * FROM translations WHERE turn_id=?", (t["id"],))]
             for ts in turns.values() for t in ts}
    rows = {tbl: {c: [dict(r) for r in case.query(f"SELECT * FROM {tbl} WHERE call_id=?", (c,))] for c in originals}
            for tbl in ("entities", "claims", "themes")}
    rnd = random.Random(7)
    with case.transaction():
        k = 0
        while case.one("SELECT COUNT(*) FROM calls")[0] < n_calls:
            k += 1
            for orig in originals:
                src = dict(case.one("SELECT s.* FROM sources s JOIN calls c ON c.source_id=s.id WHERE c.id=?", (orig,)))
                src.pop("id")
                src.update(sha256=f"{k:08d}{src['sha256'][8:]}", published_date=f"{rnd.randint(2022, 2024)}-{rnd.randint(1, 12):02d}-15",
                           publisher=f"bench-publisher-{rnd.randint(1, 3)}", added_at=now())
                sid = _insert(case, "sources", src)
                call = dict(case.one("SELECT * FROM calls WHERE id=?", (orig,)))
                call.pop("id")
                call.update(source_id=sid, external_id=f"{call['external_id']}-copy{k}")
                cid = _insert(case, "calls", call)
                tmap = {}
                for t in turns[orig]:
                    new = dict(t, call_id=cid)
                    new.pop("id")
                    tmap[t["id"]] = _insert(case, "turns", new)
                    for tr in trans[t["id"]]:
                        _insert(case, "translations", {**{x: tr[x] for x in tr if x != "id"}, "turn_id": tmap[t["id"]]})
                for tbl, by_call in rows.items():
                    for r in by_call[orig]:
                        new = {x: r[x] for x in r if x != "id"}
                        new.update(call_id=cid, turn_id=tmap.get(r["turn_id"]))
                        _insert(case, tbl, new)
                if case.one("SELECT COUNT(*) FROM calls")[0] >= n_calls:
                    break
    try:  # the search box uses the search index once the index stage has run (lexical part here)
        from listeningpost.search.index import index_calls

        index_calls(case, [r[0] for r in case.query("SELECT id FROM calls")])
    except ImportError:
        pass
    case.db.execute("ANALYZE")
    return case


def _insert(case: Case, table: str, row: dict) -> int:
    cols = list(row)
    return case.db.execute(f"INSERT INTO {table}({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                           [row[c] for c in cols]).lastrowid


def measure(case: Case, repeats: int) -> dict[str, float]:
    import re

    from fastapi.testclient import TestClient

    from listeningpost.web import search
    from listeningpost.web.app import create_app

    client = TestClient(create_app(case, run_jobs=False))
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    assert client.post("/login", data={"username": "bench", "password": "bench-password", "csrf_token": token},
                       follow_redirects=False).status_code == 303
    last = case.one("SELECT MAX(id) FROM calls")[0]
    busiest = case.one("SELECT call_id FROM turns GROUP BY call_id ORDER BY COUNT(*) DESC LIMIT 1")[0]
    urls = {
        "calls list": "/calls",
        "calls list, page 100, sorted by date": "/calls?sort=date&desc=1&page=100",
        "calls list, facet + chart filter": "/calls?publisher=bench-publisher-2&claim_type=killed",
        "calls list, search (index)": "/calls?q=%D0%B1%D1%80%D0%B8%D0%B3%D0%B0%D0%B4%D0%B0",
        "call page (most turns)": f"/calls/{busiest}",
        "call page (last call)": f"/calls/{last}",
        "dashboard": "/dashboard",
        "api: calls": "/api/calls",
        "api: dashboard": "/api/dashboard",
    }
    out = {}
    for name, url in urls.items():
        if "(index)" in name and not search.indexed(case):
            continue
        r = client.get(url)
        assert r.status_code == 200, (url, r.status_code)
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
        out[name] = statistics.median(times)
    # informational: the substring fallback a case without a search index gets (not in the goal)
    t0 = time.perf_counter()
    search.substring(case, "бригада")
    out["(info) search without index: substring scan"] = (time.perf_counter() - t0) * 1000
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--calls", type=int, default=10000)
    ap.add_argument("--case", type=Path, default=Path("/tmp/lp-bench-web"))
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--rebuild", action="store_true")
    args = ap.parse_args()
    db = args.case / "case.sqlite"
    if args.rebuild or not db.exists() or Case.open(args.case).one("SELECT COUNT(*) FROM calls")[0] < args.calls:
        import shutil

        shutil.rmtree(args.case, ignore_errors=True)
        t0 = time.perf_counter()
        case = build(args.case, args.calls)
        print(f"built {args.case}: {case.one('SELECT COUNT(*) FROM calls')[0]} calls, "
              f"{case.one('SELECT COUNT(*) FROM turns')[0]} turns in {time.perf_counter() - t0:.0f} s")
    case = Case.open(args.case)
    n = case.one("SELECT COUNT(*) FROM calls")[0]
    print(f"server time, median of {args.repeats} requests, {n} calls (goal < {GOAL_MS} ms):")
    worst = 0.0
    for name, ms in measure(case, args.repeats).items():
        if not name.startswith("(info)"):
            worst = max(worst, ms)
        print(f"  {name:40s} {ms:8.1f} ms  {'ok' if ms < GOAL_MS else ('' if name.startswith('(info)') else 'OVER')}")
    print(f"worst {worst:.1f} ms: {'PASS' if worst < GOAL_MS else 'FAIL'}")


if __name__ == "__main__":
    main()
