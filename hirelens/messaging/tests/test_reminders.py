"""Durable reminders: planned in the database, sent exactly once, re-planned on a move, never sent when
cancelled, late ones still sent (and flagged) — also across a real worker restart."""

import time
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from conftest import SMTPSink
from hirelens.messaging.models import Message, Reminder
from hirelens.messaging.services import reminders_cancel, reminders_dispatch_due, reminders_plan
from hirelens.messaging.services.config import messaging_policy_save
from hirelens.messaging.services.reminders import reminder_dispatch

from .factories import CandidateFactory

pytestmark = [pytest.mark.backend, pytest.mark.django_db]

SUBJECT = {"subject_type": "scheduling.interview", "subject_id": 42}


def plan(org, candidate, starts_at, **kw):
    return reminders_plan(organization_id=org.pk, starts_at=starts_at, candidate_id=candidate.pk,
                          variables={"position": "销售代表", "link": "https://hirelens.example/i/42"}, **SUBJECT, **kw)


def test_default_offsets_one_day_and_one_hour(org):
    candidate = CandidateFactory(organization=org)
    starts = timezone.now() + timedelta(days=3)
    planned = plan(org, candidate, starts)
    assert [(r.offset_minutes, r.due_at) for r in planned] == [(1440, starts - timedelta(days=1)), (60, starts - timedelta(hours=1))]


def test_offsets_configurable_per_organization_and_reminders_for_interviewers(org, hr_admin, interviewer):
    messaging_policy_save(actor=hr_admin, reminder_offsets=[120, 15])
    candidate = CandidateFactory(organization=org)
    planned = plan(org, candidate, timezone.now() + timedelta(days=1), user_ids=[interviewer.pk])
    got = {(r.candidate_id, r.user_id, r.offset_minutes) for r in planned}
    assert got == {(candidate.pk, None, 120), (candidate.pk, None, 15), (None, interviewer.pk, 120), (None, interviewer.pk, 15)}


def test_due_reminder_is_sent_exactly_once_with_the_time_in_the_candidates_zone(org, smtp_server):
    candidate = CandidateFactory(organization=org, full_name="吴芳", email="wu.fang@example.com")
    starts = timezone.now() + timedelta(minutes=50)
    assert plan(org, candidate, starts) == []  # both offsets already passed at booking time: nothing planned
    starts = timezone.now() + timedelta(hours=2)
    plan(org, candidate, starts)
    later = timezone.now() + timedelta(hours=1, minutes=1)
    assert reminders_dispatch_due(now=later) == 1
    assert reminders_dispatch_due(now=later) == 0  # a second run (or a second worker) sends nothing more
    reminder = Reminder.objects.get(status="sent")
    assert reminder_dispatch(reminder_id=reminder.pk, now=later) is False
    assert Message.objects.count() == 1
    message = Message.objects.get()
    from hirelens.messaging.services import message_deliver

    message_deliver(message_id=message.pk)
    mail = smtp_server.wait_for(1)[0]
    assert mail["Subject"].strip() == "面试提醒：销售代表（1 小时后开始）"  # (Python folds long encoded headers)
    local = starts.astimezone(timezone.get_fixed_timezone(480))
    assert f"{local:%H:%M} 北京时间（UTC+08:00）" in SMTPSink.text_of(mail)
    assert reminder.late_seconds == 60


def test_moved_interview_replans_and_a_sent_reminder_is_not_repeated(org):
    candidate = CandidateFactory(organization=org)
    starts = timezone.now() + timedelta(days=2)
    plan(org, candidate, starts)
    reminders_dispatch_due(now=starts - timedelta(hours=23))  # the 1-day reminder went out
    moved = starts + timedelta(hours=3)
    planned = plan(org, candidate, moved)
    assert [(r.offset_minutes, r.due_at) for r in planned] == [(1440, moved - timedelta(days=1)), (60, moved - timedelta(hours=1))]
    assert Reminder.objects.filter(status="superseded").count() == 1
    # planning again with the same time is harmless: the sent one is not planned again
    plan(org, candidate, starts)
    assert [r.offset_minutes for r in Reminder.objects.filter(status="planned")] == [60]


def test_cancelled_interview_sends_nothing(org):
    candidate = CandidateFactory(organization=org)
    starts = timezone.now() + timedelta(days=2)
    plan(org, candidate, starts)
    assert reminders_cancel(organization_id=org.pk, **SUBJECT) == 2
    assert reminders_dispatch_due(now=starts) == 0
    assert not Message.objects.exists()
    assert set(Reminder.objects.values_list("status", flat=True)) == {"cancelled"}


def test_late_reminders_are_sent_and_flagged_but_not_after_the_start(org):
    candidate = CandidateFactory(organization=org)
    starts = timezone.now() + timedelta(days=2)
    plan(org, candidate, starts)
    # The worker was down from before the 1-day reminder until 30 minutes before the start.
    assert reminders_dispatch_due(now=starts - timedelta(minutes=30)) == 2
    late = {r.offset_minutes: r.late_seconds for r in Reminder.objects.all()}
    assert late == {1440: 23 * 3600 + 30 * 60, 60: 30 * 60}
    assert all(r.is_late for r in Reminder.objects.all())
    other = CandidateFactory(organization=org)
    reminders_plan(organization_id=org.pk, subject_type="scheduling.interview", subject_id=43, starts_at=starts,
                   candidate_id=other.pk, offsets=[60])
    assert reminders_dispatch_due(now=starts + timedelta(minutes=5)) == 1  # counted as handled, but...
    assert Reminder.objects.get(subject_id="43").status == "expired"  # ...not sent after the interview began
    assert Message.objects.count() == 2


def test_other_tenants_subject_and_recipients_are_refused(org, other_org):
    foreign = CandidateFactory(organization=other_org)
    with pytest.raises(ValidationError):
        reminders_plan(organization_id=org.pk, starts_at=timezone.now() + timedelta(days=1), candidate_id=foreign.pk, **SUBJECT)
    reminders_plan(organization_id=org.pk, starts_at=timezone.now() + timedelta(days=1),
                   candidate_id=CandidateFactory(organization=org).pk, offsets=[60], **SUBJECT)
    reminders_plan(organization_id=other_org.pk, starts_at=timezone.now() + timedelta(days=1), candidate_id=foreign.pk, **SUBJECT)
    assert reminders_cancel(organization_id=org.pk, **SUBJECT) == 1
    # the same subject id in another tenant is untouched
    assert list(Reminder.objects.filter(status="planned").values_list("organization_id", flat=True)) == [other_org.pk]
    with pytest.raises(ValidationError):
        reminders_plan(organization_id=org.pk, starts_at=timezone.now().replace(tzinfo=None), **SUBJECT)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_reminders_survive_a_worker_restart(org, real_queue, start_worker, smtp_server):
    """Reminders become due while no worker runs; the restarted consumer sends each exactly once, late."""
    candidates = [CandidateFactory(organization=org, email=f"r{i}@example.com") for i in range(3)]
    worker = start_worker(HIRELENS_EMAIL_HOST="127.0.0.1", HIRELENS_EMAIL_PORT=smtp_server.port)
    time.sleep(1.5)
    worker.stop()
    starts = timezone.now() + timedelta(minutes=61, seconds=3)
    for i, candidate in enumerate(candidates):
        reminders_plan(organization_id=org.pk, subject_type="scheduling.interview", subject_id=100 + i, starts_at=starts,
                       candidate_id=candidate.pk, offsets=[61])
    time.sleep(4)  # due now, and no worker is running
    assert Reminder.objects.filter(status="planned").count() == 3
    worker = start_worker(HIRELENS_EMAIL_HOST="127.0.0.1", HIRELENS_EMAIL_PORT=smtp_server.port)
    # The periodic task runs at the top of each minute: wait for it (at most ~70 s).
    smtp_server.wait_for(3, timeout=90)
    deadline = time.time() + 30
    while Message.objects.filter(status="sent").count() < 3:  # recorded right after SMTP accepted them
        assert time.time() < deadline, worker.output()
        time.sleep(0.1)
    time.sleep(1)
    assert len(smtp_server.messages) == 3
    assert sorted(m["To"] for m in smtp_server.messages) == ["r0@example.com", "r1@example.com", "r2@example.com"]
    assert Reminder.objects.filter(status="sent", late_seconds__gte=1).count() == 3
    assert Message.objects.filter(status="sent").count() == 3
    worker.stop()


def test_reminders_falling_due_together_are_delivered_in_batches_over_one_smtp_connection(
        org, smtp_server, django_capture_on_commit_callbacks):
    """10,000 reminders due in the same minutes must not cost 10,000 jobs and SMTP connections: their
    messages go out in jobs of DELIVERY_BATCH, each over one connection (bench/messaging.py measures it)."""
    from hirelens.messaging.services.messages import DELIVERY_BATCH

    count = DELIVERY_BATCH + 3
    starts = timezone.now() + timedelta(hours=2)
    for i in range(count):
        candidate = CandidateFactory(organization=org, email=f"batch{i}@example.com")
        reminders_plan(organization_id=org.pk, subject_type="scheduling.interview", subject_id=1000 + i, starts_at=starts,
                       candidate_id=candidate.pk, offsets=[60], variables={"position": "销售代表"})
    with django_capture_on_commit_callbacks(execute=True) as jobs:
        assert reminders_dispatch_due(now=starts - timedelta(minutes=59)) == count
    assert len(jobs) == 2  # one full batch handed over as soon as it was full, then the rest
    smtp_server.wait_for(count)
    assert sorted(m["To"] for m in smtp_server.messages) == sorted(f"batch{i}@example.com" for i in range(count))
    assert len(set(smtp_server.peers)) == 2  # one connection per batch, not one per e-mail
    assert Message.objects.filter(status="sent", channel="email").count() == count


def test_a_batch_survives_an_smtp_server_that_is_down_and_retries_each_message(org, settings):
    """The server refuses connections: each message of the batch is scheduled for a retry (none lost, none
    marked failed, the batch does not stop at the first), and a later try over a live server sends them."""
    from conftest import free_port
    from hirelens.messaging.services.messages import messages_deliver

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    starts = timezone.now() + timedelta(hours=2)
    for i in range(3):
        candidate = CandidateFactory(organization=org, email=f"down{i}@example.com")
        reminders_plan(organization_id=org.pk, subject_type="scheduling.interview", subject_id=2000 + i, starts_at=starts,
                       candidate_id=candidate.pk, offsets=[60])
    assert reminders_dispatch_due(now=starts - timedelta(minutes=59)) == 3
    ids = list(Message.objects.order_by("pk").values_list("pk", flat=True))
    later = messages_deliver(ids)
    assert sorted(later) == ids and all(delay > 0 for delay in later.values())
    assert set(Message.objects.values_list("status", flat=True)) == {"sending"}
    sink = SMTPSink()
    sink.controller.start()
    try:
        settings.EMAIL_PORT = sink.port
        Message.objects.update(retry_at=None)
        assert messages_deliver(ids) == {}
        assert len(sink.wait_for(3)) == 3 and len(set(sink.peers)) == 1
        assert set(Message.objects.values_list("status", flat=True)) == {"sent"}
    finally:
        sink.controller.stop()
