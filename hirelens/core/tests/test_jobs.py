"""Huey: enqueued only after commit, run by a real consumer process, retried with back-off.

The consumer test runs against SQLite-backed Huey in `make test-sqlite` / `test-postgres`, and against
Redis in `make test-redis` (HIRELENS_REDIS_URL set), with the same code.
"""

import re
import time

import pytest
from django.db import transaction
from django.test import Client

from conftest import SMTPSink
from hirelens.accounts.models import Invitation
from hirelens.accounts.services import invitation_create
from hirelens.core.jobs import backoff_delay

pytestmark = pytest.mark.backend  # also in the SQLite run: the queue/channel backend matters (Makefile)


def test_backoff_doubles_and_is_capped(settings):
    settings.JOB_RETRY_BASE_DELAY = 5
    assert [backoff_delay(n) for n in range(4)] == [5, 10, 20, 40]
    assert backoff_delay(20) == 900


def test_task_is_enqueued_only_after_commit(hr_admin, real_queue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        invitation_create(actor=hr_admin, email="a@example.com", role="recruiter")
        assert real_queue.pending_count() == 0  # not before the commit
    assert len(callbacks) == 1
    assert real_queue.pending_count() == 1


def test_rolled_back_change_enqueues_nothing(hr_admin, real_queue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        invitation_create(actor=hr_admin, email="b@example.com", role="recruiter")
        raise RuntimeError("roll back")
    assert real_queue.pending_count() == 0
    assert not Invitation.objects.exists()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_real_consumer_retries_with_backoff_until_smtp_is_up(org, real_queue, start_worker, settings):
    from hirelens.accounts.tests.factories import UserFactory

    admin = UserFactory(organization=org, role="hr_admin", email="boss@example.com")
    expected_storage = "PriorityRedisStorage" if settings.REDIS_URL else "SqliteStorage"
    assert type(real_queue.storage).__name__ == expected_storage  # what the worker must be consuming from
    smtp = SMTPSink()  # port chosen, server not started yet: the first sends fail
    worker = start_worker(HIRELENS_EMAIL_HOST="127.0.0.1", HIRELENS_EMAIL_PORT=smtp.port)
    invitation_create(actor=admin, email="worker.test@example.com", role="interviewer")
    deadline = time.time() + 60
    while "retrying in" not in worker.output():
        assert time.time() < deadline, "the worker never retried:\n" + worker.output()
        assert worker.proc.poll() is None, worker.output()
        time.sleep(0.2)
    smtp.controller.start()
    try:
        message = smtp.wait_for(1, timeout=60)[0]
    finally:
        smtp.controller.stop()
    log = worker.output()
    delays = [float(d) for d in re.findall(r"retrying in ([\d.]+)s", log)]
    assert delays[:2] == [settings.JOB_RETRY_BASE_DELAY, settings.JOB_RETRY_BASE_DELAY * 2][: len(delays[:2])]
    link = re.search(r"(/accounts/invite/[\w-]+/)", SMTPSink.text_of(message)).group(1)
    assert Client().get(link).status_code == 200  # the token in the e-mail is the one stored (hashed)
