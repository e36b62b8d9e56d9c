"""Issue 15: a worker killed with SIGKILL in the middle of an e-mail loses nothing and sends nothing twice.

The SMTP server holds the worker's connection (before the e-mail is accepted) until the worker is killed; a
fresh worker's sweep then finds the work (an expired message lease; an invitation never marked sent) and
delivers it, once.
"""

import asyncio
import os
import re
import signal
import threading
import time

import pytest
from django.test import Client

from conftest import SMTPSink
from hirelens.accounts.models import Invitation
from hirelens.messaging.models import DeliveryAttempt

pytestmark = pytest.mark.backend  # also in the SQLite run: the queue/channel backend matters (Makefile)

FAST = {"HIRELENS_JOB_LEASE_S": 2, "HIRELENS_JOB_SWEEP_S": 1}


class HoldingSink(SMTPSink):
    """Holds the first delivery at RCPT (nothing accepted yet) until ``release()``."""

    def __init__(self):
        super().__init__()
        self.holding, self.held = threading.Event(), threading.Event()
        self.holding.set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.holding.is_set():
            self.held.set()
            while self.holding.is_set():
                await asyncio.sleep(0.05)
            return "451 try again later"  # its client is gone by now
        envelope.rcpt_tos.append(address)
        return "250 OK"

    def release(self):
        self.holding.clear()


def _pending(queue, name: str) -> list:
    """Tasks of that name waiting in the queue (the consumer's clock also queues periodic tasks each minute).
    The messages are read, not turned into tasks: a periodic task the worker queued may belong to a module this
    test process never imported (feedback's tick), which Huey's registry here does not know."""
    names = [queue.serializer.deserialize(data).name for data in queue.storage.enqueued_items()]
    return [n for n in names if name in n]


def _kill_while_held(sink, worker):
    assert sink.held.wait(60), "the worker never connected:\n" + worker.output()
    os.kill(worker.proc.pid, signal.SIGKILL)
    worker.proc.wait()
    sink.release()


def _settle(sink, count: int, seconds: float = 6.0):
    """Wait for ``count`` e-mails, then a few sweeps more: a duplicate would arrive in that time."""
    sink.wait_for(count, timeout=90)
    time.sleep(seconds)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_message_held_by_a_killed_worker_is_delivered_once(org, real_queue, start_worker):
    from hirelens.candidates.tests.factories import CandidateFactory
    from hirelens.messaging.services.messages import message_send

    sink = HoldingSink()
    sink.controller.start()
    try:
        smtp = {"HIRELENS_EMAIL_HOST": "127.0.0.1", "HIRELENS_EMAIL_PORT": sink.port, **FAST}
        worker = start_worker(**smtp)
        candidate = CandidateFactory(organization=org, email="lin@example.com")
        message = message_send(organization_id=org.pk, kind="survey", candidate=candidate, channels=["email"],
                               variables={"survey_link": "https://example.com/s/1"})
        _kill_while_held(sink, worker)
        message.refresh_from_db()
        assert message.status == "sending" and message.locked_until is not None  # what the crash left
        assert _pending(real_queue, "message") == []  # and no task: the queue forgot it when the worker took it
        second = start_worker(**smtp)
        _settle(sink, 1)
        ids = [m["X-HireLens-Message"] for m in sink.messages]
        assert ids == [f"{org.pk}-{message.pk}"], second.output()
        message.refresh_from_db()
        assert message.status == "sent"
        assert list(DeliveryAttempt.objects.filter(message=message).values_list("status", flat=True)) == ["sent"]
    finally:
        sink.release()
        sink.controller.stop()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_an_invitation_whose_worker_was_killed_is_sent_once_with_a_working_link(org, real_queue, start_worker):
    from hirelens.accounts.services import invitation_create
    from hirelens.accounts.tests.factories import UserFactory

    admin = UserFactory(organization=org, role="hr_admin", email="boss@example.com")
    sink = HoldingSink()
    sink.controller.start()
    try:
        smtp = {"HIRELENS_EMAIL_HOST": "127.0.0.1", "HIRELENS_EMAIL_PORT": sink.port, **FAST}
        worker = start_worker(**smtp)
        invitation = invitation_create(actor=admin, email="new.hire@example.com", role="interviewer")
        _kill_while_held(sink, worker)
        invitation.refresh_from_db()
        assert invitation.sent_at is None and _pending(real_queue, "invitation_send_task") == []
        second = start_worker(**smtp)
        _settle(sink, 1)
        assert len(sink.messages) == 1, second.output()
        invitation.refresh_from_db()
        assert invitation.sent_at is not None
        link = re.search(r"(/accounts/invite/[\w-]+/)", SMTPSink.text_of(sink.messages[0])).group(1)
        assert Client().get(link).status_code == 200
        assert Invitation.objects.filter(email="new.hire@example.com").count() == 1
    finally:
        sink.release()
        sink.controller.stop()


def test_interview_notices_whose_job_was_lost_are_created_once(org, hr_admin, interviewer, real_queue, settings):
    """Scheduling commits, then the notify job is lost (here: on_commit never runs it, as when the worker that took
    it died): the sweep finds an interview without its notices and queues the job again, once."""
    from datetime import datetime, timedelta
    from datetime import time as clock
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from hirelens.messaging.models import Message
    from hirelens.messaging.tasks import interviews_notify_lost
    from hirelens.scheduling import services as scheduling
    from hirelens.scheduling.models import Interview
    from hirelens.workflows.tests.factories import assign, make_application, make_position

    position = make_position(org, title="销售代表", time_zone="Asia/Shanghai")
    assign(position, interviewer, "interviewer")
    application = make_application(position, "赵磊")
    day = (timezone.now().astimezone(ZoneInfo("Asia/Shanghai")) + timedelta(days=3)).date()
    ten = datetime.combine(day, clock(10), tzinfo=ZoneInfo("Asia/Shanghai"))
    interview = scheduling.interview_schedule(actor=hr_admin, application=application, start=ten, end=ten + timedelta(hours=1),
                                              interviewers=[interviewer], time_zone="Asia/Shanghai")
    assert not Message.objects.exists()
    assert interviews_notify_lost() == 0  # just scheduled: its job may be on the way
    Interview.objects.filter(pk=interview.pk).update(updated_at=timezone.now() - timedelta(seconds=2 * settings.JOB_LEASE_S + 1))
    assert interviews_notify_lost() == 1
    assert [(t.args[0], t.args[1]["interview_id"]) for t in real_queue.pending()] == [("interview.scheduled", interview.pk)]
    assert interviews_notify_lost() == 0  # its job is queued now
    real_queue.storage.flush_all()
    real_queue.immediate = True  # the job runs
    try:
        assert interviews_notify_lost() == 1
    finally:
        real_queue.immediate = False
    assert sorted(Message.objects.values_list("kind", "idempotency_key")) == [
        ("interviewer_notice", f"interview:{interview.pk}:0:u{interviewer.pk}"), ("invitation", f"interview:{interview.pk}:0:c")]
    assert interviews_notify_lost() == 0  # the notices exist: nothing more
