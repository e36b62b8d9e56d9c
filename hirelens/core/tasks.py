from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .health import record_worker_heartbeat


@db_periodic_task(crontab(minute="*"))
def worker_heartbeat():
    """Lets /healthz and /metrics tell whether a worker is alive."""
    record_worker_heartbeat()
