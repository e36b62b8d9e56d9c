"""Prometheus metrics, aggregated over every web and worker process of a machine.

prometheus_client's multiprocess mode: each process writes its counters and histograms into memory-mapped files
under PROMETHEUS_MULTIPROC_DIR (settings set it to HIRELENS_VAR_DIR/metrics before prometheus_client is first
imported); /metrics, in whichever web process answers, sums the files of all processes. ``manage.py serve`` empties
the folder when it starts and marks each child that exits as dead (its live gauges leave the sum; its counters
stay, as counters must). Values that need the database or the queues (queue depth, analysis lag, worker liveness,
tenant counts) are read at scrape time by ``StateCollector``. Without PROMETHEUS_MULTIPROC_DIR (metrics folder
switched off) each process counts on its own, as before.
"""

from __future__ import annotations

import os
import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))

REGISTRY = CollectorRegistry(auto_describe=True)

HTTP_REQUESTS = Counter(
    "hirelens_http_requests_total", "HTTP requests served", ["method", "status"], registry=REGISTRY
)
HTTP_LATENCY = Histogram(
    "hirelens_http_request_seconds",
    "Time to serve an HTTP request",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=REGISTRY,
)
UPLOAD_PIECE_LATENCY = Histogram(
    "hirelens_upload_piece_seconds",
    "Time to answer one recorded piece a candidate's browser uploads (PUT .../chunks/<n>), by HTTP status",
    ["status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20),
    registry=REGISTRY,
)
LOGIN_FAILURES = Counter("hirelens_login_failures_total", "Failed staff logins", registry=REGISTRY)
AUDIT_EVENTS = Counter("hirelens_audit_events_total", "Audit log entries written", ["action"], registry=REGISTRY)
TASKS_DONE = Counter("hirelens_tasks_total", "Background tasks finished, by queue and outcome (ok, error)",
                     ["queue", "outcome"], registry=REGISTRY)
PROCESSES = Gauge("hirelens_processes", "Processes running, by role (web, worker-light, worker-analysis)", ["role"],
                  registry=REGISTRY, multiprocess_mode="livesum")

UPLOAD_PIECE_VIEW = "interviews:candidate_chunk"
WORKER_UP_WITHIN_S = 90.0  # a worker's heartbeat (every 15 s, hirelens.core.jobs) older than this: the queue has no live worker

_role: str | None = None


def process_role_set(role: str) -> None:
    """This process is a web server (the default) or a worker of a queue: counted in ``hirelens_processes``."""
    global _role
    if _role == role:
        return
    if _role is not None:
        PROCESSES.labels(_role).set(0)
    _role = role
    PROCESSES.labels(role).set(1)


def request_observe(request, response, seconds: float) -> None:
    """Called by RequestMetricsMiddleware for every request."""
    if _role is None:
        process_role_set("web")
    HTTP_LATENCY.observe(seconds)
    HTTP_REQUESTS.labels(request.method, str(response.status_code)).inc()
    match = getattr(request, "resolver_match", None)
    if match is not None and match.view_name == UPLOAD_PIECE_VIEW:
        UPLOAD_PIECE_LATENCY.labels(str(response.status_code)).observe(seconds)


def _analysis_lag(stuck: dict) -> float:
    """Age of the oldest analysis waiting for a worker (an AI-interview answer or a live room's recording), 0 if none."""
    ages = [stuck.get(app, {}).get("oldest_queued_s") for app in ("interviews", "live")]
    return max([age for age in ages if age is not None], default=0.0)


class StateCollector:
    """Values read at scrape time: queue depth, analysis lag, worker liveness per queue, tenant and user counts."""

    def describe(self):
        return []  # values need the database: never collect at registration time

    def collect(self):
        from django.contrib.auth import get_user_model

        from .health import worker_heartbeat_age
        from .jobs import QUEUES, jobs_stuck
        from .models import Organization

        pending = GaugeMetricFamily("hirelens_queue_pending_tasks", "Tasks waiting in each queue (-1: unreachable)", labels=["queue"])
        scheduled = GaugeMetricFamily("hirelens_queue_scheduled_tasks",
                                      "Tasks scheduled for later in each queue (retries waiting out their back-off; -1: unreachable)",
                                      labels=["queue"])
        heartbeat = GaugeMetricFamily("hirelens_worker_heartbeat_age_seconds",
                                      "Seconds since a worker of the queue last reported (-1: never)", labels=["queue"])
        up = GaugeMetricFamily("hirelens_worker_up",
                               f"1 when a worker of the queue reported within {WORKER_UP_WITHIN_S:g} s", labels=["queue"])
        for name, huey in QUEUES.items():
            for family, read in ((pending, huey.pending_count), (scheduled, huey.scheduled_count)):
                try:
                    family.add_metric([name], read())
                except Exception:
                    family.add_metric([name], -1)
            age = worker_heartbeat_age(name)
            heartbeat.add_metric([name], -1 if age is None else age)
            up.add_metric([name], 1 if age is not None and age <= WORKER_UP_WITHIN_S else 0)
        yield from (pending, scheduled, heartbeat, up)
        stuck = jobs_stuck()
        yield GaugeMetricFamily("hirelens_analysis_lag_seconds",
                                "Age of the oldest analysis waiting for a worker (answers and live recordings; 0: none)",
                                value=_analysis_lag(stuck))
        oldest = GaugeMetricFamily("hirelens_jobs_oldest_queued_seconds",
                                   "Age of the oldest work waiting, by kind (-1: none waiting)", labels=["kind"])
        expired = GaugeMetricFamily("hirelens_jobs_expired_leases",
                                    "Work whose worker died and that the sweep has not queued again yet, by kind", labels=["kind"])
        waiting = GaugeMetricFamily("hirelens_jobs_waiting",
                                    "Work waiting, by kind (the kinds that count it: analytics' stale funnel buckets)",
                                    labels=["kind"])
        for kind, values in sorted(stuck.items()):
            age = values.get("oldest_queued_s")
            oldest.add_metric([kind], -1 if age is None else age)
            expired.add_metric([kind], values.get("expired_leases", 0))
            if "waiting" in values:
                waiting.add_metric([kind], values["waiting"])
        yield from (oldest, expired, waiting)
        yield GaugeMetricFamily("hirelens_organizations", "Active organizations", value=Organization.objects.filter(is_active=True).count())
        yield GaugeMetricFamily("hirelens_users_active", "Active staff users", value=get_user_model().objects.filter(is_active=True).count())
        yield GaugeMetricFamily("hirelens_scrape_timestamp_seconds", "Time of this scrape", value=time.time())


def scrape_registry() -> CollectorRegistry:
    """What /metrics renders: every process's files summed (multiprocess mode) or this process's own metrics."""
    if not MULTIPROCESS:
        return REGISTRY
    from prometheus_client import multiprocess

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    registry.register(StateCollector())
    return registry


if not MULTIPROCESS:
    REGISTRY.register(StateCollector())


def render() -> bytes:
    if MULTIPROCESS:
        processes_gone_reap()
    return generate_latest(scrape_registry())


def processes_gone_reap() -> int:
    """Mark the processes whose live-gauge files remain but that no longer run (killed under systemd or Kubernetes,
    where no ``serve`` saw them exit) as dead, so ``hirelens_processes`` counts live processes only. Every process
    of one metrics folder shares this machine's (or container's) process ids."""
    import re
    from pathlib import Path

    from prometheus_client import multiprocess

    reaped = 0
    for pid in {int(m.group(1)) for f in Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).glob("gauge_live*_*.db")
                if (m := re.search(r"_(\d+)\.db$", f.name))}:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            multiprocess.mark_process_dead(pid)
            reaped += 1
        except PermissionError:  # alive, another user's
            pass
    return reaped


def multiprocess_dir_reset(path: str) -> None:
    """Empty the metrics folder (``manage.py serve`` does before it starts its processes): files of processes from an
    earlier run would otherwise be summed forever."""
    from pathlib import Path

    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    for file in folder.glob("*.db"):
        file.unlink(missing_ok=True)


def process_dead(pid: int) -> None:
    """A child process exited: its live gauges (``hirelens_processes``) leave the sum."""
    if MULTIPROCESS:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)
