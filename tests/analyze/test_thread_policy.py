"""The analysis runs numpy's BLAS on one thread and lets OpenMP threads sleep (listeningpost.threads):
spinning math threads on 2 shared cores made analysis several times slower; results are the same."""

from __future__ import annotations

import os

import numpy as np
from threadpoolctl import threadpool_info

from listeningpost import threads


def _blas_threads() -> list[int]:
    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


def test_one_blas_thread_limits_and_restores():
    np.ones((2, 2)) @ np.ones((2, 2))  # BLAS loaded
    before = _blas_threads()
    with threads.one_blas_thread():
        assert all(n == 1 for n in _blas_threads())
    assert _blas_threads() == before


def test_passive_openmp_keeps_an_explicit_setting(monkeypatch):
    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    threads.passive_openmp()
    assert os.environ["OMP_WAIT_POLICY"] == "PASSIVE"
    monkeypatch.setenv("OMP_WAIT_POLICY", "ACTIVE")
    threads.passive_openmp()
    assert os.environ["OMP_WAIT_POLICY"] == "ACTIVE"


def test_analysis_restores_blas_threads():
    from listeningpost.analyze.stage import analyze_turns
    from listeningpost.analyze.themes import ThemeOptions

    before = _blas_threads()
    out = analyze_turns([{"text": "Нас обстреливают весь день, двое раненых, мама, хочу домой."}],
                        ThemeOptions(embeddings=False))
    assert out["claims"] and _blas_threads() == before
