"""Fixtures for the scale-out tests: a small local Ray cluster and a throwaway PostgreSQL server.

Both are expensive on a 2-core machine, so each is started once per module/session and always torn
down by the fixture finaliser (no server is left running after the tests).
"""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def ray_cluster():
    """Head node plus one worker node on this machine (2 CPUs in all); yields the cluster address."""
    ray = pytest.importorskip("ray", reason="the Ray extra is not installed (pip install listeningpost[ray])")
    from ray.cluster_utils import Cluster

    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False})
    try:
        cluster.add_node(num_cpus=1)
        ray.init(address=cluster.address, log_to_driver=False, logging_level="WARNING")
        yield cluster.address
    finally:
        ray.shutdown()
        cluster.shutdown()


@pytest.fixture(scope="session")
def pg_server():
    """A PostgreSQL cluster on a unix socket in a temp dir (skipped only if the server is missing)."""
    pytest.importorskip("psycopg", reason="the postgres extra is not installed (pip install listeningpost[postgres])")
    from tests.pgserver import TempPostgres, find_bindir

    if find_bindir() is None:
        pytest.skip("PostgreSQL server binaries not found (apt-get install postgresql)")
    server = TempPostgres().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server, request):
    """A fresh database for one test."""
    import re

    name = "t_" + re.sub(r"[^a-z0-9]+", "_", request.node.name.lower())[:50]
    return pg_server.create_database(name)


def snapshot(case) -> dict[str, list[tuple]]:
    """Every machine output keyed by content (call external id, turn position), not by row ids."""
    turn_pos = "(SELECT c.external_id || ':' || t.idx FROM turns t JOIN calls c ON c.id=t.call_id WHERE t.id={}.turn_id)"
    ext = "(SELECT external_id FROM calls WHERE id={}.call_id)"
    queries = {
        "turns": f"SELECT {ext.format('t')}, t.idx, t.speaker, t.text FROM turns t",
        "entities": f"SELECT {ext.format('e')}, {turn_pos.format('e')}, e.type, e.text, e.norm, e.start_char, e.end_char,"
                    " e.lat, e.lon, e.status FROM entities e",
        "claims": f"SELECT {ext.format('c')}, c.type, c.count, c.quote, c.speaker, c.subject, c.place, c.period,"
                  " c.equipment, c.hedged, c.negated, c.status FROM claims c",
        "themes": f"SELECT {ext.format('h')}, {turn_pos.format('h')}, h.theme, h.score, h.status FROM themes h",
    }
    queries["search_docs"] = f"SELECT {turn_pos.format('d')}, d.text, d.lemmas, d.translation FROM search_docs d"
    queries["search_vectors"] = f"SELECT {turn_pos.format('v')}, v.chunk, v.model, v.sig FROM search_vectors v"
    return {name: sorted((tuple(r) for r in case.query(sql)), key=repr) for name, sql in queries.items()}


def sqlite_case(root):
    """A SQLite case even when the test run puts cases on PostgreSQL (LPOST_TEST_DB)."""
    from listeningpost.store.case import Case

    root.mkdir(parents=True, exist_ok=True)
    case = Case(root)
    case.archive.mkdir(exist_ok=True)
    case.migrate()
    return case
