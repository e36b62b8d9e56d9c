"""Daily: clear the undo snapshots of merges older than the undo window (services/merge.py). Idempotent."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="20", hour="3"))
def merge_snapshots_purge_task() -> None:
    from .services import merge_snapshots_purge

    purged = merge_snapshots_purge()
    if purged:
        logger.info("candidates: cleared %d merge undo snapshot(s) past the undo window", purged)
