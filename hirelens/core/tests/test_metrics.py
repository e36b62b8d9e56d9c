"""/metrics across processes (prometheus_client multiprocess mode), per-queue gauges and the upload piece histogram."""

import hashlib
import os
import re
import subprocess
import sys

import pytest

from conftest import ROOT, service_env

pytestmark = pytest.mark.backend  # also in the SQLite run: the queue/channel backend matters (Makefile)


def _value(text: str, sample: str) -> float:
    """The value of one exposition line (``name{labels}``), 0 when absent."""
    match = re.search(rf"^{re.escape(sample)} (\S+)$", text, re.M)
    return float(match.group(1)) if match else 0.0


def _scrape(client) -> str:
    response = client.get("/metrics")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.worker
@pytest.mark.django_db
def test_two_processes_increment_a_counter_and_metrics_shows_the_sum(client):
    assert os.environ.get("PROMETHEUS_MULTIPROC_DIR"), "settings turn multiprocess mode on"
    before = _value(_scrape(client), "hirelens_login_failures_total")
    code = ("from hirelens.core.metrics import LOGIN_FAILURES, process_role_set; LOGIN_FAILURES.inc({n}); "
            "process_role_set('worker-light')")
    for n in (3, 4):  # two other processes, one after the other: both ended when /metrics is read
        subprocess.run([sys.executable, "manage.py", "shell", "-c", code.format(n=n)], cwd=ROOT, env=service_env(),
                       check=True, capture_output=True, timeout=120)
    from hirelens.core.metrics import LOGIN_FAILURES

    LOGIN_FAILURES.inc(2)  # and this one
    text = _scrape(client)
    assert _value(text, "hirelens_login_failures_total") == before + 9  # the ended processes' counts stay
    assert _value(text, 'hirelens_processes{role="worker-light"}') == 0  # but they are no longer counted as running


@pytest.mark.django_db
def test_queue_depth_per_queue_and_worker_liveness_per_queue(client, real_queue, analysis_queue):
    from hirelens.core.health import record_worker_heartbeat
    from hirelens.interviews.tasks import answer_analyse_task
    from hirelens.webhooks.tasks import webhook_deliver_task

    webhook_deliver_task(1)
    webhook_deliver_task(2)
    answer_analyse_task(3)
    record_worker_heartbeat("analysis")
    text = _scrape(client)
    assert _value(text, 'hirelens_queue_pending_tasks{queue="light"}') == 2
    assert _value(text, 'hirelens_queue_pending_tasks{queue="analysis"}') == 1
    assert _value(text, 'hirelens_worker_up{queue="analysis"}') == 1
    assert _value(text, 'hirelens_worker_up{queue="light"}') == 0  # no light worker reported
    assert _value(text, 'hirelens_worker_heartbeat_age_seconds{queue="light"}') == -1
    assert "hirelens_analysis_lag_seconds 0.0" in text  # no answer waits for analysis
    body = client.get("/healthz").json()["checks"]["queue"]
    assert (body["queues"]["light"]["pending"], body["queues"]["analysis"]["pending"]) == (2, 1)
    assert body["queues"]["light"]["worker_heartbeat_age_s"] is None and body["queues"]["analysis"]["worker_heartbeat_age_s"] < 5


@pytest.mark.django_db
def test_analysis_lag_is_the_age_of_the_oldest_waiting_answer(client, org):
    from datetime import timedelta

    from django.utils import timezone

    from hirelens.interviews.models import Answer
    from hirelens.interviews.tests.factories import InterviewSessionFactory

    session = InterviewSessionFactory(application__candidate__organization=org, state="submitted")
    Answer.objects.create(organization=org, session=session, question_index=0, kind="audio", status="complete",
                          analysis_status="queued", completed_at=timezone.now() - timedelta(seconds=120))
    lag = _value(_scrape(client), "hirelens_analysis_lag_seconds")
    assert 120 <= lag < 180


@pytest.mark.django_db
def test_the_upload_piece_histogram_records_a_piece(client, org):
    from hirelens.interviews.services import _hash
    from hirelens.interviews.tests.factories import InterviewSessionFactory

    token = "metrics-piece-token"
    InterviewSessionFactory(application__candidate__organization=org, token_hash=_hash(token))
    assert client.post(f"/i/{token}/consent", {"recording": True, "ai_analysis": True, "biometric": False},
                       content_type="application/json").status_code == 200
    assert client.post(f"/i/{token}/start", {}, content_type="application/json").status_code == 200
    answer = client.post(f"/i/{token}/answers", {"question": 0, "kind": "video", "mime": "video/webm"},
                         content_type="application/json").json()["answer"]
    sample = 'hirelens_upload_piece_seconds_count{status="200"}'
    before = _value(_scrape(client), sample)
    data = os.urandom(64 * 1024)
    response = client.put(f"/i/{token}/answers/{answer}/chunks/0", data, content_type="application/octet-stream",
                          HTTP_X_CHUNK_OFFSET="0", HTTP_X_CHUNK_SHA256=hashlib.sha256(data).hexdigest())
    assert response.status_code == 200
    text = _scrape(client)
    assert _value(text, sample) == before + 1
    assert _value(text, 'hirelens_upload_piece_seconds_bucket{le="+Inf",status="200"}') == before + 1


# Labels Prometheus itself adds to every scraped sample (not exported by HireLens)
SCRAPE_LABELS = {"job", "instance"}


def _dashboard_unknowns(expr: str, legend: str, samples: dict[str, set[str]]) -> set[str]:
    """What a panel query names that the scrape does not answer: a sample name that is not exported exactly as
    written (``hirelens_x_total`` for a counter, ``_bucket``/``_count``/``_sum`` for a histogram), a label selected,
    grouped by or shown in the legend that none of the query's metrics carries."""
    unknown = set()
    names = re.findall(r"\bhirelens_\w+", expr)
    labels = set(SCRAPE_LABELS)
    for name in names:
        if name not in samples:
            unknown.add(name)
        labels |= samples.get(name, set())
    for name, selector in re.findall(r"\b(hirelens_\w+)\{([^}]*)\}", expr):
        unknown |= {f"{name}{{{label}}}" for label in re.findall(r"(\w+)\s*(?:=~|!~|!=|=)", selector) if label not in labels}
    for group in re.findall(r"\b(?:by|without)\s*\(([^)]*)\)", expr):
        unknown |= {f"by ({label})" for label in re.findall(r"\w+", group) if label not in labels}
    unknown |= {f"legend {{{{{label}}}}}" for label in re.findall(r"\{\{\s*(\w+)\s*\}\}", legend) if label not in labels}
    return unknown


@pytest.mark.django_db
def test_the_grafana_dashboard_names_only_metrics_hirelens_exports(client, real_queue):
    import json
    from pathlib import Path

    from prometheus_client.parser import text_string_to_metric_families

    from hirelens.analytics.services import RECOUNTS_FAILED
    from hirelens.core.metrics import AUDIT_EVENTS, HTTP_REQUESTS, LOGIN_FAILURES, PROCESSES, TASKS_DONE, UPLOAD_PIECE_LATENCY

    UPLOAD_PIECE_LATENCY.labels("200").observe(0.1)  # histograms and labelled counters show once they have a sample
    AUDIT_EVENTS.labels("view").inc(0)
    HTTP_REQUESTS.labels("GET", "200").inc(0)
    LOGIN_FAILURES.inc(0)
    TASKS_DONE.labels("light", "ok").inc(0)
    RECOUNTS_FAILED.inc(0)
    PROCESSES.labels("web").inc(0)  # adds nothing: the labelled gauge shows with its label
    samples: dict[str, set[str]] = {}
    for family in text_string_to_metric_families(_scrape(client)):
        for sample in family.samples:
            samples.setdefault(sample.name, set()).update(sample.labels)
    dashboard = json.loads((Path(ROOT) / "deploy" / "grafana" / "hirelens.json").read_text())
    targets = [target for panel in dashboard["panels"] for target in panel["targets"]]
    used = {name for target in targets for name in re.findall(r"\bhirelens_\w+", target["expr"])}
    assert {"hirelens_analytics_recounts_failed_total", "hirelens_jobs_waiting"} <= used
    unknown = {f"{target['expr']}: {u}" for target in targets
               for u in _dashboard_unknowns(target["expr"], target.get("legendFormat", ""), samples)}
    assert not unknown, unknown
    # the check itself fails on a misspelt name, a counter without _total, a label the metric does not carry
    for typo in ('max by (kind) (hirelens_jobs_waitng{job=~"$job"})', "sum(increase(hirelens_analytics_recounts_failed[1h]))",
                 'hirelens_jobs_waiting{knd="analytics"}', "max by (queue) (hirelens_jobs_waiting)",
                 "rate(hirelens_upload_piece_second_bucket[5m])"):
        assert _dashboard_unknowns(typo, "", samples), typo
    assert _dashboard_unknowns("hirelens_jobs_waiting", "{{knd}}", samples)
