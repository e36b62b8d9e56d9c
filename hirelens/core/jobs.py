"""Background jobs on Huey: enqueue after commit, retry with exponential back-off.

Tasks take ids only, re-fetch what they need and are idempotent, so a retry or a duplicate delivery
is harmless. ``enqueue_on_commit`` guarantees a worker never sees a row that was rolled back or not
yet committed.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from huey.contrib.djhuey import HUEY, db_task

logger = logging.getLogger(__name__)


def enqueue_on_commit(task, *args, **kwargs) -> None:
    transaction.on_commit(lambda: task(*args, **kwargs))


def backoff_delay(attempt: int, *, base: float | None = None, cap: float = 900.0) -> float:
    base = settings.JOB_RETRY_BASE_DELAY if base is None else base
    return min(cap, base * (2**attempt))


def backoff_task(*, retries: int = 5, on_give_up=None, **task_options):
    """A ``db_task`` that retries failures after base, 2×base, 4×base ... seconds (capped).

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

        return db_task(retries=retries, retry_delay=backoff_delay(0), context=True, **task_options)(run)

    return decorator


def queue_size() -> int:
    return HUEY.pending_count()


# --- Durable work: leases, heartbeats and the sweep -------------------------------------------------
#
# Huey hands a task to one worker and forgets it (the SQLite queue deletes the row when it is taken), so a
# worker killed with `kill -9` loses the task it held. The database row a job works on is therefore the
# truth: a worker claims it with a lease (a conditional UPDATE), renews the lease while it works, and stores
# its result only while the lease is still its own. The sweep finds rows whose lease expired (their worker
# died) or that wait with no task in the queue, and queues them again. See docs/architecture.md.

# Each app's `tasks` module that has work to recover defines `sweep() -> dict` and `stuck() -> dict`.
SWEEP_MODULES = ("hirelens.interviews.tasks", "hirelens.messaging.tasks", "hirelens.accounts.tasks", "hirelens.live.tasks",
                 "hirelens.webhooks.tasks")


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


def sweeper_start() -> bool:
    """Start the sweeper thread of this worker process (once per process, whatever calls it first): it sweeps
    at once, which recovers what a killed worker left behind, then every JOB_SWEEP_S seconds. It runs outside
    the queue, so no lost or delayed task can stop it."""
    global _sweeper_started
    with _sweeper_lock:
        if _sweeper_started:
            return False
        _sweeper_started = True

    def loop():
        from django.db import close_old_connections, connection

        from .health import record_worker_heartbeat

        while True:
            close_old_connections()
            try:
                record_worker_heartbeat()
                found = {name: result for name, result in jobs_sweep().items() if any(result.values())}
                if found:
                    logger.warning("sweep re-queued stalled work: %s", found)
            except Exception:
                logger.exception("sweep failed")
            finally:
                connection.close()
            time.sleep(max(1, settings.JOB_SWEEP_S))

    threading.Thread(target=loop, name="jobs-sweeper", daemon=True).start()
    return True




def queued_args(task) -> set:
    """First arguments of this task's messages waiting in the queue or its schedule (retries, delays): work
    whose row says "queued" but that has no message here lost its task and is queued again by a sweep."""
    found = set()
    for message in [*HUEY.pending(), *HUEY.scheduled()]:
        if isinstance(message, task.task_class) and message.args:
            found.add(message.args[0])
    return found
