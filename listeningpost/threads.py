"""How many threads the math libraries get: the one policy behind the job executors' worker
processes, the Ray actors, ASR, the CTranslate2 translators and the local LLM."""

from __future__ import annotations

import os

#: the variables OpenMP/BLAS libraries (CTranslate2, onnxruntime, numpy) read their thread count from
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def thread_count(explicit: int | None = None, env: str | None = None, cap: int | None = None,
                 workers: int = 1) -> int:
    """``explicit`` when given, else the number in the environment variable ``env`` (set and an
    integer other than 0), else the cores shared by ``workers`` processes (at least 1), at most ``cap``."""
    if explicit:
        return explicit
    if env:
        try:
            configured = int(os.environ.get(env, "0"))
        except ValueError:
            configured = 0
        if configured:
            return configured
    share = max(1, (os.cpu_count() or 1) // workers)
    return min(cap, share) if cap else share


def thread_env(threads: int) -> dict[str, str]:
    """The environment that limits a worker process's math libraries to ``threads``."""
    return {var: str(threads) for var in THREAD_VARIABLES}
