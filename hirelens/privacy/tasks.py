"""Jobs of the privacy app: building an export archive, the daily reminder to HR, the sweep that queues again a
build whose worker died, and the nightly retention purge (``retention.retention_purge``). Ids only; every task is
idempotent (see services.export_build, services.reminders_send)."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from hirelens.core.jobs import backoff_task

logger = logging.getLogger(__name__)


def _give_up(export_id, error=None, **_kwargs):
    from .services import export_failed

    export_failed(export_id=export_id, error=f"{type(error).__name__}: {error}")


@backoff_task(retries=3, on_give_up=_give_up)
def export_build_task(export_id: int) -> None:
    from .services import export_build

    export_build(export_id=export_id)


@db_periodic_task(crontab(minute="0", hour="8"))
def privacy_reminders_task() -> None:
    from .services import reminders_send

    sent = reminders_send()
    if sent:
        logger.info("privacy: reminded %d staff member(s) of requests due", sent)


@db_periodic_task(crontab(minute="*/5"))
def privacy_exports_sweep_task() -> None:
    from .services import exports_sweep

    found = exports_sweep()
    if found:
        logger.warning("privacy: queued %d export build(s) again", found)


@db_periodic_task(crontab(minute="40", hour="3"))
def retention_purge_daily() -> None:
    """Every night: finish pending erasures, then purge what the organizations' retention limits say is due."""
    from .retention import retention_purge

    retention_purge()
