"""Prometheus metrics. Counters are per process; each web and worker process exposes its own."""

from __future__ import annotations

import time

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

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
LOGIN_FAILURES = Counter("hirelens_login_failures_total", "Failed staff logins", registry=REGISTRY)
AUDIT_EVENTS = Counter("hirelens_audit_events_total", "Audit log entries written", ["action"], registry=REGISTRY)


class StateCollector:
    """Values read at scrape time: queue depth, worker heartbeat, tenant and user counts."""

    def describe(self):
        return []  # values need the database: never collect at registration time

    def collect(self):
        from django.contrib.auth import get_user_model

        from .health import worker_heartbeat_age
        from .jobs import queue_size
        from .models import Organization

        try:
            pending = queue_size()
        except Exception:
            pending = -1
        yield GaugeMetricFamily("hirelens_queue_pending_tasks", "Tasks waiting in the Huey queue (-1: unreachable)", value=pending)
        age = worker_heartbeat_age()
        yield GaugeMetricFamily(
            "hirelens_worker_heartbeat_age_seconds", "Seconds since a worker last reported (-1: never)", value=-1 if age is None else age
        )
        yield GaugeMetricFamily("hirelens_organizations", "Active organizations", value=Organization.objects.filter(is_active=True).count())
        yield GaugeMetricFamily("hirelens_users_active", "Active staff users", value=get_user_model().objects.filter(is_active=True).count())
        yield GaugeMetricFamily("hirelens_scrape_timestamp_seconds", "Time of this scrape", value=time.time())


REGISTRY.register(StateCollector())


def render() -> bytes:
    return generate_latest(REGISTRY)
