"""Executors run ``Stage.compute`` for many items; the job runner does everything else.

An executor only moves (key, item) pairs to workers and results back, so a distributed engine
(Ray) slots in as one more class. Results arrive in completion order, at most ``window`` items in
flight, so memory stays bounded however many calls a case holds.
"""

from __future__ import annotations

import importlib
import multiprocessing as mp
import traceback
from abc import ABC, abstractmethod
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator

from listeningpost.pipeline import Stage
from listeningpost.plugins import EXECUTOR_MODULES
from listeningpost.threads import thread_count, thread_env


@dataclass
class Outcome:
    key: Any
    ok: bool
    result: Any = None
    error: str | None = None


def describe_error(exc: BaseException) -> str:
    """One line for the user; the traceback's last frame for us."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" (at {frames[-1].filename.rsplit('/', 1)[-1]}:{frames[-1].lineno})" if frames else ""
    return f"{exc.__class__.__name__}: {exc}{where}"[:2000]


def _init_worker(threads: int) -> None:
    """Share the cores between workers: N workers x all-core math libraries thrash (measured 4x
    slower embeddings on 2 cores). Set before any model library is imported in the worker."""
    import os

    for var, value in thread_env(threads).items():
        os.environ.setdefault(var, value)


class Feeder:
    """Loads items just in time: while fewer than ``window`` are in flight, pull the next
    (key, load) pair and hand the loaded item to ``submit``. Shared by every executor so memory
    stays bounded the same way everywhere; a load that fails comes back as a failed Outcome."""

    def __init__(self, items: Iterable[tuple[Any, Callable[[], Any]]]):
        self._source = iter(items)
        self.exhausted = False

    def top_up(self, in_flight: Callable[[], int], window: int, submit: Callable[[Any, Any], None]) -> list[Outcome]:
        failures = []
        while not self.exhausted and in_flight() < window:
            try:
                key, load = next(self._source)
            except StopIteration:
                self.exhausted = True
                break
            try:
                item = load()
            except Exception as exc:
                failures.append(Outcome(key, False, error=describe_error(exc)))
                continue
            submit(key, item)
        return failures


class Executor(ABC):
    name = "executor"

    @abstractmethod
    def run(self, stage: Stage, items: Iterable[tuple[Any, Callable[[], Any]]]) -> Iterator[Outcome]:
        """Compute ``stage`` over (key, load) pairs; ``load()`` builds the item just before it is sent."""

    def close(self) -> None:
        pass


class InlineExecutor(Executor):
    """In this process, one item at a time (workers=1: no start-up cost, model loaded once)."""

    name = "inline"

    def run(self, stage, items):
        for key, load in items:
            try:
                yield Outcome(key, True, stage.compute(load()))
            except Exception as exc:  # one bad item fails alone
                yield Outcome(key, False, error=describe_error(exc))


class LocalExecutor(Executor):
    """A local process pool; each worker process loads its models once (module-level caches)."""

    name = "local"

    def __init__(self, workers: int = 2):
        self.workers = max(1, workers)
        self._pool: ProcessPoolExecutor | None = None

    def _ensure_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # spawn: model libraries (onnxruntime, ctranslate2) hold threads that fork would copy badly
            threads = thread_count(workers=self.workers)
            self._pool = ProcessPoolExecutor(self.workers, mp_context=mp.get_context("spawn"),
                                             initializer=_init_worker, initargs=(threads,))
        return self._pool

    def run(self, stage, items):
        pending: dict[Future, Any] = {}
        feeder = Feeder(items)

        def submit(key: Any, item: Any) -> None:
            pending[self._ensure_pool().submit(stage.compute, item)] = key

        while pending or not feeder.exhausted:
            yield from feeder.top_up(lambda: len(pending), self.workers * 2, submit)
            if not pending:
                continue
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                key = pending.pop(fut)
                try:
                    yield Outcome(key, True, fut.result())
                except BrokenProcessPool:
                    # a worker died (segfault, out of memory): that item fails, the pool restarts
                    self._pool = None
                    yield Outcome(key, False, error="worker process died while processing this item")
                except Exception as exc:
                    yield Outcome(key, False, error=describe_error(exc))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None


EXECUTORS: dict[str, Callable[..., Executor]] = {
    "local": lambda workers=1, **_: InlineExecutor() if workers <= 1 else LocalExecutor(workers),
}


def make_executor(name: str, workers: int = 1, **options: Any) -> Executor:
    if name not in EXECUTORS and name in EXECUTOR_MODULES:  # an optional executor registers on import
        module, extra = EXECUTOR_MODULES[name]
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            raise RuntimeError(f"the {name.capitalize()} executor needs `pip install listeningpost[{extra}]`") from exc
    if name not in EXECUTORS:
        raise KeyError(f"unknown executor {name!r}; available: {', '.join(sorted(EXECUTORS))}")
    return EXECUTORS[name](workers=workers, **options)
