"""Jobs: recount the funnel buckets a failed recount left stale (``services.stale_buckets_recount``). Listed in
``hirelens.core.jobs.SWEEP_MODULES`` for ``stuck``: /healthz and /metrics report the stale buckets with the other
apps' waiting work."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*/5"))
def stale_buckets_recount_task() -> None:
    from .services import stale_buckets_recount

    result = stale_buckets_recount()
    if result["recounted"] or result["failed"]:
        logger.info("analytics: recounted %(recounted)d stale bucket(s), %(failed)d failed again", result)


def sweep() -> dict:
    """Nothing to queue again: the periodic task above recounts the stale buckets."""
    return {}


def stuck() -> dict:
    from .selectors import stale_buckets_stuck

    return stale_buckets_stuck()
