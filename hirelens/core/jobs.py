"""Background jobs on Huey: enqueue after commit, retry with exponential back-off.

Tasks take ids only, re-fetch what they need and are idempotent, so a retry or a duplicate delivery
is harmless. ``enqueue_on_commit`` guarantees a worker never sees a row that was rolled back or not
yet committed.
"""

from __future__ import annotations

import logging
from functools import wraps

from django.conf import settings
from django.db import transaction
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
