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
        assert real_queue.pending_count() == 0  # and no task: the queue forgot it when the worker took it
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
        assert invitation.sent_at is None and real_queue.pending_count() == 0
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
