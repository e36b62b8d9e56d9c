"""A recount that fails in the writer's transaction is visible and repairs itself (issue 22): the change commits, its
bucket is marked stale in the same transaction, /metrics counts the failure and the stale buckets, /healthz reports
them once they wait too long, the page says figures are being recounted, and the light queue's periodic task
recounts the bucket to exactly what a rebuild gives and removes the mark."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hirelens.analytics import services
from hirelens.analytics.models import StaleBucket
from hirelens.analytics.services import application_keys
from hirelens.analytics.tasks import stale_buckets_recount_task
from hirelens.candidates.models import Application, Candidate
from hirelens.candidates.services.records import application_create

from .test_aggregates import snapshot
from .test_funnel_events import recounted

NOTICE_ZH = "部分数字正在重新统计"
NOTICE_EN = "Some figures are being recounted"


def _metric(client, sample: str) -> float:
    response = client.get("/metrics")
    assert response.status_code == 200
    match = re.search(rf"^{re.escape(sample)} (\S+)$", response.content.decode(), re.M)
    return float(match.group(1)) if match else 0.0


FAILED = "hirelens_analytics_recounts_failed_total"
WAITING = 'hirelens_jobs_waiting{kind="analytics"}'


class FailOnce:
    """Once armed, the next recount writes the aggregates and then fails (as a database error half-way would): its
    savepoint must undo what it wrote. Later recounts (the repair) run normally."""

    def __init__(self, real):
        self.real, self.armed, self.failed = real, False, []

    def __call__(self, **kwargs):
        if self.armed and not self.failed:
            self.failed.append(sorted(kwargs["keys"]))
            self.real(**kwargs)
            raise RuntimeError("the recount failed half-way")
        return self.real(**kwargs)


@pytest.fixture
def recount_fails_once(monkeypatch):
    fail = FailOnce(services.funnel_refresh)
    fail.armed = True
    monkeypatch.setattr(services, "funnel_refresh", fail)
    return fail


def _position(org, hr_admin):
    from hirelens.workflows.tests.factories import make_position, published_process

    position = make_position(org, title="重算漏斗")
    published_process(hr_admin, position, "technical")
    return position


@pytest.mark.django_db(transaction=True)
def test_a_failed_recount_commits_the_change_marks_the_bucket_and_the_periodic_task_repairs_it(
        org, hr_admin, client, recount_fails_once):
    position = _position(org, hr_admin)
    first, second = (Candidate.objects.create(organization=org, full_name=f"重算{i}") for i in range(2))
    recount_fails_once.armed = False
    application_create(actor=hr_admin, candidate=first, position=position)  # recounted normally
    recount_fails_once.armed = True
    before = snapshot(org.pk)
    assert before == recounted(org.pk)
    failed_before = _metric(client, FAILED)

    application = application_create(actor=hr_admin, candidate=second, position=position)  # its own transaction: committed

    key = next(iter(application_keys([Application.objects.get(pk=application.pk)])))
    assert recount_fails_once.failed == [[key]]
    assert Application.objects.filter(pk=application.pk, candidate=second).exists()  # the writer's change committed
    assert snapshot(org.pk) == before  # the half-done recount was undone: the bucket still counts one application
    assert snapshot(org.pk) != recounted(org.pk)
    assert list(StaleBucket.objects.values_list("organization_id", "position_id", "day")) == [key]
    assert _metric(client, FAILED) == failed_before + 1
    assert _metric(client, WAITING) == 1

    # /healthz: a fresh stale bucket is waiting work (reported, not yet a problem) ...
    response = client.get("/healthz")
    body = response.json()
    assert (response.status_code, body["ok"], body["degraded"]) == (200, True, False)
    assert body["checks"]["jobs"]["analytics"]["waiting"] == 1
    assert body["checks"]["jobs"]["analytics"]["oldest_queued_s"] < 60
    # ... one the periodic task has not repaired for longer than QUEUED_TOO_LONG_S degrades the server (still 200)
    StaleBucket.objects.update(created_at=timezone.now() - timedelta(minutes=16))
    response = client.get("/healthz")
    body = response.json()
    assert (response.status_code, body["ok"], body["degraded"], body["checks"]["jobs"]["ok"]) == (200, True, True, False)
    assert body["checks"]["jobs"]["analytics"]["oldest_queued_s"] >= 960
    assert _metric(client, 'hirelens_jobs_oldest_queued_seconds{kind="analytics"}') >= 960

    # the page says some figures are being recounted, in both languages
    client.force_login(hr_admin)
    assert NOTICE_ZH in client.get(reverse("analytics:index")).content.decode()
    assert NOTICE_EN in client.get(reverse("analytics:index"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    stale_buckets_recount_task.call_local()  # the light queue's periodic task, run here

    assert snapshot(org.pk) == recounted(org.pk)  # exactly what a rebuild from scratch gives
    assert sum(applied for _p, _d, applied, _h, _c in snapshot(org.pk)[0]) == 2
    assert not StaleBucket.objects.exists()
    assert _metric(client, WAITING) == 0
    body = client.get("/healthz").json()
    assert (body["degraded"], body["checks"]["jobs"]["analytics"]["oldest_queued_s"]) == (False, None)
    assert NOTICE_ZH not in client.get(reverse("analytics:index")).content.decode()
    assert services.stale_buckets_recount() == {"recounted": 0, "failed": 0}  # idempotent: nothing left to do


@pytest.mark.django_db
def test_the_mark_rolls_back_with_a_writer_that_rolls_back(org, hr_admin, recount_fails_once):
    position = _position(org, hr_admin)
    candidate = Candidate.objects.create(organization=org, full_name="回滚")

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        application_create(actor=hr_admin, candidate=candidate, position=position)
        assert StaleBucket.objects.count() == 1  # marked in the writer's transaction ...
        raise Abort
    assert recount_fails_once.failed and not StaleBucket.objects.exists()  # ... and gone with it
    assert not Application.objects.filter(candidate=candidate).exists()


@pytest.mark.django_db
def test_a_failure_recorded_while_the_repair_recounts_keeps_the_mark(org, hr_admin, monkeypatch):
    """A writer that marks the bucket again after the repair read the row (its change may be invisible to the
    repair's recount) keeps the row for the next run: the repair deletes only the failure it read."""
    position = _position(org, hr_admin)
    application = application_create(actor=hr_admin, candidate=Candidate.objects.create(organization=org, full_name="并发"),
                                     position=position)
    key = next(iter(application_keys(Application.objects.filter(pk=application.pk))))
    services.stale_buckets_mark(keys=[key])
    StaleBucket.objects.update(failed_at=timezone.now() - timedelta(seconds=5))
    real = services.funnel_refresh

    def refresh_while_a_writer_fails(**kwargs):
        real(**kwargs)
        services.stale_buckets_mark(keys=kwargs["keys"])  # the concurrent writer's failure, recorded meanwhile

    monkeypatch.setattr(services, "funnel_refresh", refresh_while_a_writer_fails)
    assert services.stale_buckets_recount() == {"recounted": 1, "failed": 0}
    assert StaleBucket.objects.count() == 1
    monkeypatch.setattr(services, "funnel_refresh", real)
    assert services.stale_buckets_recount() == {"recounted": 1, "failed": 0}
    assert not StaleBucket.objects.exists()


@pytest.mark.django_db
def test_a_repair_that_fails_again_keeps_the_mark(org, hr_admin, monkeypatch):
    position = _position(org, hr_admin)
    application = application_create(actor=hr_admin, candidate=Candidate.objects.create(organization=org, full_name="再败"),
                                     position=position)
    services.stale_buckets_mark(keys=application_keys(Application.objects.filter(pk=application.pk)))

    def broken(**kwargs):
        raise RuntimeError("still failing")

    monkeypatch.setattr(services, "funnel_refresh", broken)
    assert services.stale_buckets_recount() == {"recounted": 0, "failed": 1}
    assert StaleBucket.objects.count() == 1


@pytest.mark.django_db
def test_the_page_pays_one_exists_query_for_the_notice(org, hr_admin, client):
    position = _position(org, hr_admin)
    application = application_create(actor=hr_admin, candidate=Candidate.objects.create(organization=org, full_name="页面"),
                                     position=position)
    client.force_login(hr_admin)
    path = reverse("analytics:index")
    client.get(path)  # once before: a session is touched once
    counts = []
    for stale in (False, True):
        if stale:
            services.stale_buckets_mark(keys=application_keys(Application.objects.filter(pk=application.pk)))
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(path).content.decode()
        assert (NOTICE_ZH in page) is stale
        touching = [q["sql"] for q in ctx.captured_queries if "analytics_stalebucket" in q["sql"]]
        assert len(touching) == 1 and "LIMIT 1" in touching[0], touching  # one EXISTS, whatever the rows
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


@pytest.mark.django_db
def test_another_organizations_stale_bucket_does_not_show_on_the_page(org, other_org, hr_admin, client):
    from hirelens.workflows.tests.factories import make_position

    position = make_position(other_org, title="别家")
    candidate = Candidate.objects.create(organization=other_org, full_name="别家人")
    application = Application.objects.create(organization=other_org, candidate=candidate, position=position)
    services.stale_buckets_mark(keys=application_keys([application]))
    client.force_login(hr_admin)
    assert NOTICE_ZH not in client.get(reverse("analytics:index")).content.decode()


def _in_thread(target, *args):
    import threading

    from django.db import connection as thread_connection

    out = {}

    def run():
        try:
            out["result"] = target(*args)
        except BaseException as exc:  # reported by the test, not lost in the thread
            out["error"] = exc
        finally:
            thread_connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, out


@pytest.mark.django_db(transaction=True)
def test_two_workers_repair_the_same_stale_buckets_at_once(org, hr_admin):
    position = _position(org, hr_admin)
    for i in range(6):
        application_create(actor=hr_admin, candidate=Candidate.objects.create(organization=org, full_name=f"双工{i}"),
                           position=position)
    keys = application_keys(Application.objects.filter(organization=org))
    Application.objects.filter(organization=org).update(status="hired")  # behind the aggregates' back: all stale
    services.stale_buckets_mark(keys=keys)
    assert snapshot(org.pk) != recounted(org.pk)
    runs = [_in_thread(services.stale_buckets_recount) for _ in range(2)]
    for thread, _out in runs:
        thread.join(60)
    assert [out.get("error") for _t, out in runs] == [None, None]
    assert sum(out["result"]["failed"] for _t, out in runs) == 0
    assert sum(out["result"]["recounted"] for _t, out in runs) >= len(keys)
    assert not StaleBucket.objects.exists()
    assert snapshot(org.pk) == recounted(org.pk)


@pytest.mark.django_db(transaction=True)
def test_a_writer_failing_while_the_repair_runs_keeps_its_mark(org, hr_admin, recount_fails_once):
    """The bucket is already stale; a writer's recount of it fails and the writer's transaction stays open while the
    repair runs. The repair cannot delete the writer's mark (it deletes only the failure it read; on PostgreSQL its
    delete waits for the writer's row lock, on SQLite its transaction waits for the writer's commit, and both then
    find a newer failure): the next run recounts the bucket with the writer's application."""
    import threading
    import time

    position = _position(org, hr_admin)
    recount_fails_once.armed = False
    first = application_create(actor=hr_admin, candidate=Candidate.objects.create(organization=org, full_name="先"),
                               position=position)
    services.stale_buckets_mark(keys=application_keys(Application.objects.filter(pk=first.pk)))
    StaleBucket.objects.update(failed_at=timezone.now() - timedelta(minutes=1))
    recount_fails_once.armed = True
    marked, release = threading.Event(), threading.Event()

    def writer():
        with transaction.atomic():
            application_create(actor=hr_admin, candidate=Candidate.objects.create(organization=org, full_name="后"),
                               position=position)
            marked.set()
            release.wait(30)

    writing, wrote = _in_thread(writer)
    assert marked.wait(30)
    repairing, repaired = _in_thread(services.stale_buckets_recount)
    time.sleep(1.5)  # the repair is now blocked on the writer (a lock on PostgreSQL, the write lock on SQLite)
    release.set()
    writing.join(60)
    repairing.join(60)
    assert (wrote.get("error"), repaired.get("error")) == (None, None)
    assert recount_fails_once.failed
    assert Application.objects.filter(organization=org).count() == 2
    assert StaleBucket.objects.count() == 1  # the repair read the older failure: the writer's mark stays
    assert services.stale_buckets_recount() == {"recounted": 1, "failed": 0}
    assert not StaleBucket.objects.exists()
    assert snapshot(org.pk) == recounted(org.pk)
    assert sum(applied for _p, _d, applied, _h, _c in snapshot(org.pk)[0]) == 2
