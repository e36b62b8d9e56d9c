"""Hourly: forget the answers kept for Idempotency-Key retries once they are older than 24 hours. Idempotent."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="35"))
def idempotency_records_purge_task() -> None:
    from .services import idempotency_records_purge

    purged = idempotency_records_purge()
    if purged:
        logger.info("integrations: forgot %d idempotency record(s) older than 24 hours", purged)
