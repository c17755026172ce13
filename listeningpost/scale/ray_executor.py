"""Ray executor: ``lpost process --executor ray [--ray-address auto|ray://HOST:PORT] --workers N``.

Each worker is a Ray actor holding the stage object, so a model is loaded once per actor and reused
for every call it gets (the stages cache models per process). GPU stages (a ``device`` setting of
``cuda``, or ``auto`` on a cluster that has GPUs) ask Ray for one GPU per actor (``num_gpus`` to
change it); CPU stages fan out over ``num_cpus`` (1 per actor by default). Items are what
``Stage.load`` builds: audio travels as a path into the case archive, so workers on other nodes need
the case folder on a shared filesystem (the same path everywhere), never pickled bytes.

Only results come back: the job runner saves them in the coordinator (the single writer) and marks
the job done in the same transaction, so a worker that dies mid-item (killed, out of memory, node
lost) is replaced and its items re-submitted, and nothing is saved twice. At most ``window`` items
are in flight, so memory stays bounded for any case size.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Iterator

import ray
from ray.exceptions import (
    ActorUnavailableError,
    RayActorError,
    RayTaskError,
    WorkerCrashedError,
)

from listeningpost.jobs.executors import EXECUTORS, Executor, Feeder, Outcome, describe_error
from listeningpost.pipeline import Stage
from listeningpost.threads import thread_env

# errors that mean "the worker went away", not "the item is bad": the item is tried again elsewhere
WORKER_LOST = (RayActorError, WorkerCrashedError, ActorUnavailableError)


class StageWorker:
    """Ray actor body: one stage, its models cached in this process across items."""

    def __init__(self, stage: Stage):
        self.stage = stage

    def pid(self) -> int:
        return os.getpid()

    def compute(self, item: Any) -> tuple[bool, Any]:
        # a failing item is described here, where its traceback is, so `lpost status` reads the
        # same as with the local executor
        try:
            return True, self.stage.compute(item)
        except Exception as exc:
            return False, describe_error(exc)


def _devices(settings: Any) -> Iterator[str]:
    """Every ``device`` value in a stage's settings (speech nests it: settings['asr']['device'])."""
    if isinstance(settings, dict):
        for key, value in settings.items():
            if key == "device" and isinstance(value, str):
                yield value.lower()
            else:
                yield from _devices(value)


def _kill(actor: Any) -> None:
    try:
        ray.kill(actor, no_restart=True)
    except Exception:  # already gone
        pass


@dataclass
class RayStats:
    submitted: int = 0
    resubmitted: int = 0
    workers_started: int = 0
    workers_lost: int = 0
    lost_pids: list[int] = field(default_factory=list)


@dataclass
class _Slot:
    actor: Any
    pid: int
    node: str = ""
    in_flight: int = 0


class RayExecutor(Executor):
    name = "ray"

    def __init__(
        self,
        workers: int = 1,
        address: str | None = None,
        num_cpus: float | None = None,
        num_gpus: float | None = None,
        max_retries: int = 3,
        per_worker: int = 2,
        init_options: dict[str, Any] | None = None,
    ):
        self.workers = max(1, int(workers))
        self.address = address
        self.num_cpus = num_cpus
        self.num_gpus = num_gpus
        self.max_retries = max(0, int(max_retries))
        self.window = self.workers * max(1, int(per_worker))
        self.init_options = init_options or {}
        self.stats = RayStats()
        self._owns_ray = False
        self._slots: list[_Slot] = []

    # -- cluster ---------------------------------------------------------------------------------
    def _ensure_ray(self) -> None:
        if ray.is_initialized():
            return
        opts: dict[str, Any] = {"logging_level": "WARNING", "log_to_driver": False, **self.init_options}
        if self.address:
            ray.init(address=self.address, **opts)
        else:
            # no cluster given: a private one on this machine, sized to the workers asked for
            opts.setdefault("num_cpus", self.workers)
            opts.setdefault("include_dashboard", False)
            ray.init(**opts)
        self._owns_ray = True

    def _resources(self, stage: Stage) -> dict[str, float]:
        devices = set(_devices(stage.settings()))
        wants_gpu = any(d.startswith(("cuda", "gpu")) for d in devices)
        # device=auto (faster-whisper: CUDA when there is one) uses the cluster's GPUs when it has any
        if "auto" in devices and ray.cluster_resources().get("GPU", 0) > 0:
            wants_gpu = True
        return {"num_cpus": self.num_cpus if self.num_cpus is not None else 1.0,
                "num_gpus": self.num_gpus if self.num_gpus is not None else (1.0 if wants_gpu else 0.0)}

    def _start_worker(self, remote_cls: Any, stage_ref: Any) -> _Slot:
        actor = remote_cls.remote(stage_ref)
        pid = ray.get(actor.pid.remote())  # also waits until the actor is up (and its stage unpickled)
        self.stats.workers_started += 1
        return _Slot(actor, pid)

    # -- running -----------------------------------------------------------------------------------
    def run(self, stage, items) -> Iterator[Outcome]:
        self._ensure_ray()
        resources = self._resources(stage)
        # the threads of math libraries follow the CPUs Ray grants the actor (as the local pool does)
        env = thread_env(max(1, int(resources["num_cpus"])))
        remote_cls = ray.remote(max_restarts=0, max_task_retries=0, runtime_env={"env_vars": env},
                                **resources)(StageWorker)
        stage_ref = ray.put(stage)  # shipped to the cluster once, not per actor
        self._slots = [self._start_worker(remote_cls, stage_ref) for _ in range(self.workers)]
        pending: dict[Any, tuple[Any, Any, _Slot, int]] = {}  # ref -> (key, item, slot, attempt)

        def submit(key: Any, item: Any, attempt: int) -> None:
            slot = min(self._slots, key=lambda s: s.in_flight)
            ref = slot.actor.compute.remote(item)
            slot.in_flight += 1
            pending[ref] = (key, item, slot, attempt)
            self.stats.submitted += 1

        feeder = Feeder(items)
        try:
            while pending or not feeder.exhausted:
                yield from feeder.top_up(lambda: len(pending), self.window, lambda key, item: submit(key, item, 1))
                if not pending:
                    continue
                done, _ = ray.wait(list(pending), num_returns=1)
                for ref in done:
                    key, item, slot, attempt = pending.pop(ref)
                    slot.in_flight -= 1
                    try:
                        ok, value = ray.get(ref)
                        yield Outcome(key, True, value) if ok else Outcome(key, False, error=value)
                    except WORKER_LOST as exc:
                        self._replace(slot, remote_cls, stage_ref)
                        if attempt <= self.max_retries:
                            self.stats.resubmitted += 1
                            submit(key, item, attempt + 1)
                        else:
                            yield Outcome(key, False, error=f"worker died {attempt} times on this item: "
                                                            + describe_error(exc))
                    except RayTaskError as exc:
                        cause = exc.cause if isinstance(exc.cause, BaseException) else exc
                        yield Outcome(key, False, error=describe_error(cause))
                    except Exception as exc:
                        yield Outcome(key, False, error=describe_error(exc))
        finally:
            for ref in pending:
                ray.cancel(ref, force=True)
            self._stop_workers()

    def _replace(self, slot: _Slot, remote_cls: Any, stage_ref: Any) -> None:
        """Swap a dead actor for a fresh one (once: its other in-flight items fail the same way)."""
        if slot not in self._slots:
            return
        self.stats.workers_lost += 1
        self.stats.lost_pids.append(slot.pid)
        _kill(slot.actor)
        self._slots[self._slots.index(slot)] = self._start_worker(remote_cls, stage_ref)

    def _stop_workers(self) -> None:
        for slot in self._slots:
            _kill(slot.actor)
        self._slots = []

    def close(self) -> None:
        self._stop_workers()
        if self._owns_ray and ray.is_initialized():
            ray.shutdown()
        self._owns_ray = False


EXECUTORS["ray"] = RayExecutor

__all__ = ["RayExecutor", "RayStats", "StageWorker", "WORKER_LOST"]
