"""Health checks an operator (or a load balancer) can call: database, queue, storage, and stuck background work.

``ok`` (and the HTTP status: 200 or 503) says whether this server can serve: database, queue and storage
answer. Stuck work (an analysis or a message whose worker died and that no sweep has queued again, or work
queued for longer than ``QUEUED_TOO_LONG_S``, such as an analytics funnel bucket whose recount failed and that the
periodic recount has not repaired) sets ``degraded: true`` and ``checks.jobs.ok: false`` but keeps
the 200, so a load balancer does not take a good web server out of rotation for a worker's problem; monitoring
alerts on ``degraded``."""

from __future__ import annotations

import time
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from huey.constants import EmptyData

HEARTBEAT_KEY = "hirelens:worker-heartbeat"
QUEUED_TOO_LONG_S = 15 * 60


def _queue(queue: str):
    from .jobs import queue as huey_queue

    return huey_queue(queue)


def record_worker_heartbeat(queue: str = "light") -> None:
    """A worker of ``queue`` is alive: written into that queue's own storage, where every web process reads it."""
    _queue(queue).storage.put_data(f"{HEARTBEAT_KEY}:{queue}", str(time.time()).encode())


def worker_heartbeat_age(queue: str = "light") -> float | None:
    try:
        raw = _queue(queue).storage.peek_data(f"{HEARTBEAT_KEY}:{queue}")
    except Exception:
        return None
    if raw is EmptyData or not raw:
        return None
    try:
        return round(time.time() - float(raw), 1)
    except (TypeError, ValueError):
        return None


def check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True, "vendor": connection.vendor}


def check_queue() -> dict:
    """Per queue (light, analysis): tasks waiting and seconds since one of its workers last reported (None:
    never). ``pending`` and ``worker_heartbeat_age_s`` at the top stay the light queue's, as before the split."""
    from .jobs import QUEUES

    queues = {name: {"pending": huey.pending_count(), "worker_heartbeat_age_s": worker_heartbeat_age(name)}
              for name, huey in QUEUES.items()}
    return {"ok": True, "pending": queues["light"]["pending"], "worker_heartbeat_age_s": queues["light"]["worker_heartbeat_age_s"],
            "queues": queues}


def check_storage() -> dict:
    name = default_storage.save(f"healthz/{uuid.uuid4().hex}.probe", ContentFile(b"ok"))
    try:
        with default_storage.open(name) as handle:
            ok = handle.read() == b"ok"
    finally:
        default_storage.delete(name)
    return {"ok": ok}


def check_jobs() -> dict:
    """Per app: running work whose lease expired (its worker died; the sweep has not queued it again yet) and
    the age of the oldest queued item."""
    from .jobs import jobs_stuck

    apps = jobs_stuck()
    expired = sum(app.get("expired_leases", 0) for app in apps.values())
    oldest = max((app["oldest_queued_s"] for app in apps.values() if app.get("oldest_queued_s") is not None), default=None)
    stuck = expired > 0 or (oldest is not None and oldest > QUEUED_TOO_LONG_S)
    return {"ok": not stuck, "expired_leases": expired, "oldest_queued_s": oldest, **apps}


def run_checks() -> dict:
    results = {}
    for name, check in (("database", check_database), ("queue", check_queue), ("storage", check_storage), ("jobs", check_jobs)):
        started = time.perf_counter()
        try:
            results[name] = check()
        except Exception as exc:  # a health check reports failures, it does not raise them
            results[name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
        results[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    serving = all(result["ok"] for name, result in results.items() if name != "jobs")
    return {"ok": serving, "degraded": not results["jobs"]["ok"], "checks": results}
