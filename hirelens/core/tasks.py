from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, on_startup

from .backup import backup_create, backup_prune
from .health import record_worker_heartbeat
from .jobs import ANALYSIS, sweeper_start


@db_periodic_task(crontab(minute="*"))
def worker_heartbeat():
    """Lets /healthz and /metrics tell whether a light worker is alive and runs tasks (the sweeper's thread
    beats too: see ``jobs.sweeper_start``)."""
    record_worker_heartbeat("light")


@on_startup()
def jobs_sweeper_on_start() -> None:
    """Each worker process sweeps at start (what a killed worker left behind) and every JOB_SWEEP_S seconds."""
    sweeper_start("light")


@ANALYSIS.on_startup()
def analysis_sweeper_on_start() -> None:
    """The analysis workers sweep too: an analysis worker killed and started again recovers its own work at once."""
    sweeper_start("analysis")


@db_periodic_task(crontab(minute="0", hour=str(settings.BACKUP_HOUR)))
def backup_daily():
    """With BACKUP_DAILY (on in `make run`): one encrypted archive a day, the newest BACKUP_KEEP kept (docs/operations.md)."""
    if settings.BACKUP_DAILY:
        backup_create()
        backup_prune(keep=settings.BACKUP_KEEP)

