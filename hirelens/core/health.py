"""Health checks an operator (or a load balancer) can call: database, queue, storage."""

from __future__ import annotations

import time
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from huey.constants import EmptyData
from huey.contrib.djhuey import HUEY

HEARTBEAT_KEY = "hirelens:worker-heartbeat"


def record_worker_heartbeat() -> None:
    HUEY.storage.put_data(HEARTBEAT_KEY, str(time.time()).encode())


def worker_heartbeat_age() -> float | None:
    try:
        raw = HUEY.storage.peek_data(HEARTBEAT_KEY)
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
    pending = HUEY.pending_count()
    return {"ok": True, "pending": pending, "worker_heartbeat_age_s": worker_heartbeat_age()}


def check_storage() -> dict:
    name = default_storage.save(f"healthz/{uuid.uuid4().hex}.probe", ContentFile(b"ok"))
    try:
        with default_storage.open(name) as handle:
            ok = handle.read() == b"ok"
    finally:
        default_storage.delete(name)
    return {"ok": ok}


def run_checks() -> dict:
    results = {}
    for name, check in (("database", check_database), ("queue", check_queue), ("storage", check_storage)):
        started = time.perf_counter()
        try:
            results[name] = check()
        except Exception as exc:  # a health check reports failures, it does not raise them
            results[name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
        results[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return {"ok": all(r["ok"] for r in results.values()), "checks": results}
