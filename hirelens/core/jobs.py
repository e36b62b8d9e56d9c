"""Background jobs on Huey: two queues, enqueue after commit, retry with exponential back-off.

Tasks take ids only, re-fetch what they need and are idempotent, so a retry or a duplicate delivery
is harmless. ``enqueue_on_commit`` guarantees a worker never sees a row that was rolled back or not
yet committed.

Two queues, each consumed by its own processes (``manage.py run_worker --queue light|analysis``):
``light`` is djhuey's ``HUEY`` (settings.HUEY: messages, reminders, webhooks, privacy jobs, every periodic
task; ``run_huey`` serves it too) and ``analysis`` (settings.HUEY_ANALYSIS) holds only media analysis, so
only the analysis processes ever load the speech and face models. A task says its queue with
``backoff_task(queue="analysis")``; ``TaskWrapper.huey`` tells which queue any task belongs to.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from huey.contrib.djhuey import HUEY

logger = logging.getLogger(__name__)


def _huey_from_settings(config: dict):
    config = dict(config)
    name = config.pop("name")
    huey_class = import_string(config.pop("huey_class"))
    config.pop("consumer", None)
    return huey_class(name, **config)


LIGHT = HUEY
ANALYSIS = _huey_from_settings(settings.HUEY_ANALYSIS)
QUEUES = {"light": LIGHT, "analysis": ANALYSIS}
QUEUE_SETTINGS = {"light": "HUEY", "analysis": "HUEY_ANALYSIS"}


def queue(name: str):
    """The Huey instance of a queue ("light" or "analysis")."""
    return QUEUES[name]


def queue_name(huey) -> str:
    return next(name for name, instance in QUEUES.items() if instance is huey)


def enqueue_on_commit(task, *args, **kwargs) -> None:
    transaction.on_commit(lambda: task(*args, **kwargs))


def backoff_delay(attempt: int, *, base: float | None = None, cap: float = 900.0) -> float:
    base = settings.JOB_RETRY_BASE_DELAY if base is None else base
    return min(cap, base * (2**attempt))


def _close_db(huey, fn):
    """djhuey's ``close_db`` for any queue: a worker never reuses a connection the database dropped."""

    @wraps(fn)
    def inner(*args, **kwargs):
        if not huey.immediate:
            close_old_connections()
        try:
            return fn(*args, **kwargs)
        finally:
            if not huey.immediate:
                close_old_connections()

    return inner


def db_task(*, queue: str = "light", **task_options):
    """djhuey's ``db_task`` on the named queue."""

    def decorator(fn):
        huey = QUEUES[queue]
        wrapper = huey.task(**task_options)(_close_db(huey, fn))
        wrapper.call_local = fn
        return wrapper

    return decorator


def backoff_task(*, retries: int = 5, on_give_up=None, queue: str = "light", **task_options):
    """A ``db_task`` on ``queue`` that retries failures after base, 2×base, 4×base ... seconds (capped).

    ``on_give_up(*args, error=exc)`` runs after the last failed try, so a failure is recorded and shown
    rather than silently dropped.
    """

    def decorator(fn):
        @wraps(fn)
        def run(*args, task=None, **kwargs):
            try:
                return fn(*args, **kwargs)
            except Exception as exc:
                if task is not None and task.retries:
                    attempt = retries - task.retries
                    task.retry_delay = backoff_delay(attempt)
                    logger.warning("task %s failed (attempt %d); retrying in %.1fs", fn.__name__, attempt + 1, task.retry_delay)
                elif on_give_up is not None:
                    logger.error("task %s failed for good: %s", fn.__name__, exc)
                    on_give_up(*args, error=exc, **kwargs)
                raise

        return db_task(queue=queue, retries=retries, retry_delay=backoff_delay(0), context=True, **task_options)(run)

    return decorator


def queue_size() -> int:
    """Tasks waiting in every queue together."""
    return sum(queue_sizes().values())


def queue_sizes() -> dict[str, int]:
    """Tasks waiting in each queue (not counting scheduled retries)."""
    return {name: huey.pending_count() for name, huey in QUEUES.items()}


# --- Durable work: leases, heartbeats and the sweep -------------------------------------------------
#
# Huey hands a task to one worker and forgets it (the SQLite queue deletes the row when it is taken), so a
# worker killed with `kill -9` loses the task it held. The database row a job works on is therefore the
# truth: a worker claims it with a lease (a conditional UPDATE), renews the lease while it works, and stores
# its result only while the lease is still its own. The sweep finds rows whose lease expired (their worker
# died) or that wait with no task in the queue, and queues them again. See docs/architecture.md.

# Each app's `tasks` module that has work to recover defines `sweep() -> dict` and `stuck() -> dict`.
# `stuck()` gives `expired_leases` and `oldest_queued_s` (/healthz: degraded past QUEUED_TOO_LONG_S), and may give
# `waiting` (a count: /metrics' hirelens_jobs_waiting). Analytics' is the funnel buckets whose recount failed.
SWEEP_MODULES = ("hirelens.interviews.tasks", "hirelens.messaging.tasks", "hirelens.accounts.tasks", "hirelens.live.tasks",
                 "hirelens.webhooks.tasks", "hirelens.analytics.tasks")


def lease_seconds() -> float:
    return float(settings.JOB_LEASE_S)


def lease_until(now=None):
    return (now or timezone.now()) + timedelta(seconds=lease_seconds())


class Heartbeat:
    """Renews a lease from a background thread while the work runs: ``renew()`` returns False once the lease
    is no longer ours (the sweep gave the work to another worker), which ``lost`` then reports."""

    def __init__(self, renew, *, every: float | None = None):
        self.renew, self.every = renew, every or max(0.5, lease_seconds() / 3)
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lease-heartbeat", daemon=True)

    def _run(self) -> None:
        from django.db import connection

        try:
            while not self._stop.wait(self.every):
                try:
                    if not self.renew():
                        self.lost = True
                        return
                except Exception:  # a busy database: the next beat tries again, the lease has slack
                    logger.warning("lease heartbeat failed", exc_info=True)
        finally:
            connection.close()  # this thread's own connection

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=10)
        return False


def sweep_modules():
    from importlib import import_module

    return [import_module(name) for name in SWEEP_MODULES]


def jobs_sweep() -> dict:
    """Run every app's sweep once; one failing sweep does not stop the others."""
    results = {}
    for module in sweep_modules():
        name = module.__name__.split(".")[1]
        try:
            results[name] = module.sweep()
        except Exception as exc:
            logger.exception("sweep of %s failed", name)
            results[name] = {"error": type(exc).__name__}
    return results


def jobs_stuck() -> dict:
    return {module.__name__.split(".")[1]: module.stuck() for module in sweep_modules()}


_sweeper_started = False
_sweeper_lock = threading.Lock()
HEARTBEAT_EVERY_S = 15.0


def sweeper_start(queue: str = "light") -> bool:
    """Start the sweeper thread of this worker process (once per process, whatever calls it first): it sweeps
    at once, which recovers what a killed worker left behind, then every JOB_SWEEP_S seconds. It runs outside
    the queue, so no lost or delayed task can stop it. A second thread records this queue's worker heartbeat
    every HEARTBEAT_EVERY_S seconds (liveness per queue on /healthz and /metrics), even while a long analysis
    holds every worker thread."""
    global _sweeper_started
    with _sweeper_lock:
        if _sweeper_started:
            return False
        _sweeper_started = True

    from .health import record_worker_heartbeat

    def sweep_loop():
        from django.db import close_old_connections, connection

        while True:
            close_old_connections()
            try:
                found = {name: result for name, result in jobs_sweep().items() if any(result.values())}
                if found:
                    logger.warning("sweep re-queued stalled work: %s", found)
            except Exception:
                logger.exception("sweep failed")
            finally:
                connection.close()
            time.sleep(max(1, settings.JOB_SWEEP_S))

    def heartbeat_loop():
        while True:
            try:
                record_worker_heartbeat(queue)
            except Exception:  # the queue's storage is unreachable: /healthz shows the heartbeat aging
                logger.warning("worker heartbeat failed", exc_info=True)
            time.sleep(HEARTBEAT_EVERY_S)

    threading.Thread(target=heartbeat_loop, name=f"worker-heartbeat-{queue}", daemon=True).start()
    threading.Thread(target=sweep_loop, name="jobs-sweeper", daemon=True).start()
    return True


def queued_args(task) -> set:
    """First arguments of this task's messages waiting in the queue or its schedule (retries, delays): work
    whose row says "queued" but that has no message here lost its task and is queued again by a sweep."""
    found = set()
    for message in [*task.huey.pending(), *task.huey.scheduled()]:
        if isinstance(message, task.task_class) and message.args:
            found.add(message.args[0])
    return found


# What an idle worker of a queue frees (its models), registered by the app that loads it from its AppConfig.ready()
# (interviews: the analysis models); run_worker installs an IdleRelease for each. Core names no app.
_IDLE_RELEASES: dict[str, list] = {}


def idle_release_register(queue: str, release) -> None:
    if release not in _IDLE_RELEASES.setdefault(queue, []):
        _IDLE_RELEASES[queue].append(release)


def idle_releases(queue: str) -> list:
    return list(_IDLE_RELEASES.get(queue, ()))


class IdleRelease:
    """Calls ``release()`` once a queue's workers in this process have had no task for ``idle_s`` seconds after
    their last one (an analysis worker frees its models). A task that starts meanwhile waits for a release in
    progress to finish (a fraction of a second), so a release never pulls models from under an analysis."""

    def __init__(self, huey, release, *, idle_s: float, check_every: float | None = None):
        self.huey, self.release, self.idle_s = huey, release, idle_s
        self.check_every = check_every or max(0.5, min(30.0, idle_s / 4))
        self.running, self.last_done, self.dirty = 0, time.monotonic(), False
        self.releases = 0
        self._lock = threading.Lock()
        self._pid = None

    def install(self) -> None:
        name = f"idle-release-{id(self)}"
        self.huey.pre_execute(name)(self._before)
        self.huey.post_execute(name)(self._after)
        self.huey.on_startup(name)(self.start)

    def start(self) -> None:
        """Once per process (each worker thread's start-up calls it; process workers each get their own)."""
        import os

        with self._lock:
            if self._pid == os.getpid():
                return
            self._pid = os.getpid()
        threading.Thread(target=self._watch, name="idle-release", daemon=True).start()

    def _before(self, task) -> None:
        with self._lock:
            self.running += 1

    def _after(self, task, value, exc) -> None:
        with self._lock:
            self.running -= 1
            self.last_done, self.dirty = time.monotonic(), True

    def check(self) -> bool:
        with self._lock:
            if not self.dirty or self.running or time.monotonic() - self.last_done < self.idle_s:
                return False
            self.dirty = False
            freed = self.release()
            self.releases += 1
        logger.info("idle for %.0f s: released %s", self.idle_s, freed)
        return True

    def _watch(self) -> None:
        while True:
            time.sleep(self.check_every)
            try:
                self.check()
            except Exception:
                logger.exception("idle release failed")
