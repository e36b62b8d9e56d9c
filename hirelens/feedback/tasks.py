"""Every ten minutes, what only the clock can start: open feedback cases for scheduled interviews whose end time
passed, and send "still under review" updates before a deadline is missed. Scorecards, decisions and submitted AI
interviews open their cases at once through domain events (subscribers.py). Idempotent (cases are unique per
application and stage; messages carry idempotency keys), so an overlapping or retried run sends nothing twice."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*/10"))
def feedback_tick_task() -> None:
    from .services import feedback_tick

    result = feedback_tick()
    if result["opened"] or result["updated"]:
        logger.info("feedback: opened %(opened)d case(s), sent %(updated)d update(s)", result)
