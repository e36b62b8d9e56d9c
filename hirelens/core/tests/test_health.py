import json

import pytest


@pytest.mark.django_db
def test_healthz_reports_each_part(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True and body["degraded"] is False
    assert set(body["checks"]) == {"database", "queue", "storage", "jobs"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["jobs"]["expired_leases"] == 0 and body["checks"]["jobs"]["oldest_queued_s"] is None


@pytest.mark.django_db
def test_healthz_reports_work_a_dead_worker_left_stuck(client, org, real_queue):
    """An analysis whose lease expired is stuck work: degraded (the web server itself still serves: 200);
    once the sweep queued it again it is only waiting, with its age."""
    from datetime import timedelta

    from django.utils import timezone

    from hirelens.core.jobs import jobs_sweep
    from hirelens.interviews.models import Answer
    from hirelens.interviews.tests.factories import InterviewSessionFactory

    session = InterviewSessionFactory(application__candidate__organization=org, state="submitted")
    completed = timezone.now() - timedelta(minutes=5)
    answer = Answer.objects.create(organization=org, session=session, question_index=0, kind="audio", status="complete",
                                   analysis_status="running", analysis_attempts=1, completed_at=completed,
                                   analysis_lease_until=timezone.now() - timedelta(seconds=5))
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert (body["ok"], body["degraded"]) == (True, True)
    jobs = body["checks"]["jobs"]
    assert (jobs["ok"], jobs["expired_leases"], jobs["interviews"]["expired_leases"], jobs["messaging"]["expired_leases"]) == (
        False, 1, 1, 0)
    assert jobs_sweep()["interviews"] == {"requeued": 1, "failed": 0, "lost_tasks": 0, "sessions_finished": 0, "tmp_deleted": 0}
    body = client.get("/healthz").json()
    assert (body["degraded"], body["checks"]["jobs"]["expired_leases"]) == (False, 0)
    assert 299 <= body["checks"]["jobs"]["interviews"]["oldest_queued_s"] <= 330  # waiting since it was completed
    Answer.objects.filter(pk=answer.pk).update(completed_at=timezone.now() - timedelta(minutes=16))
    assert client.get("/healthz").json()["degraded"] is True  # queued for longer than 15 minutes


@pytest.mark.django_db
def test_healthz_fails_when_storage_breaks(client, settings, tmp_path):
    from django.core.files.storage import default_storage

    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    inner = default_storage.inner
    old = inner.location
    try:
        inner.__dict__["base_location"] = str(blocker)
        inner.__dict__["location"] = str(blocker)
        response = client.get("/healthz")
    finally:
        inner.__dict__["base_location"] = inner.__dict__["location"] = old
    assert response.status_code == 503
    assert response.json()["checks"]["storage"]["ok"] is False


@pytest.mark.django_db
def test_metrics_prometheus_format(client, hr_admin, settings):
    client.get("/healthz")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert 'hirelens_http_requests_total{method="GET",status="200"}' in text
    assert "hirelens_users_active 1.0" in text
    assert "hirelens_queue_pending_tasks" in text
    settings.METRICS_TOKEN = "s3cret"
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret").status_code == 200


@pytest.mark.django_db
def test_error_pages_are_localized(client, hr_admin):
    client.force_login(hr_admin)
    zh = client.get("/positions/999999/")
    assert zh.status_code == 404 and "页面不存在" in zh.content.decode()
    client.cookies["django_language"] = "en"
    en = client.get("/positions/999999/")
    assert en.status_code == 404 and "Page not found" in en.content.decode()


def test_a_locked_sqlite_database_answers_503_with_retry_after(rf):
    from django.db import OperationalError
    from django.utils import translation

    from hirelens.core.middleware import DatabaseBusyMiddleware

    middleware = DatabaseBusyMiddleware(lambda request: None)
    with translation.override("zh-hans"):
        response = middleware.process_exception(rf.post("/i/x/answers"), OperationalError("database is locked"))
    assert response.status_code == 503 and response["Retry-After"] == "2"
    assert "繁忙" in json.loads(response.content)["error"]
    assert middleware.process_exception(rf.get("/"), OperationalError("no such table: x")) is None  # real bugs stay 500
