"""Jobs: deliver one message; every minute, send due reminders, schedule a dispatch for each second of the
next minute that has reminders due (so none is more than a few seconds late while the worker runs). The
worker's sweeper (hirelens.core.jobs) re-queues messages whose job was lost or whose worker died."""

from __future__ import annotations

import logging
from datetime import timedelta

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, on_startup

logger = logging.getLogger(__name__)


@db_task()
def message_deliver_task(message_id: int) -> None:
    from .services.messages import RetryLater, message_deliver

    try:
        message_deliver(message_id=message_id)
    except RetryLater as later:
        # The attempt is logged in the database, which bounds the retries; re-schedule rather than rely
        # on the queue's retry counter, so a 45011 waits the full minute it asks for.
        logger.info("message %s: %s", message_id, later)
        message_deliver_task.schedule((message_id,), delay=later.delay)


@db_task()
def messages_deliver_task(message_ids: list[int]) -> None:
    """A batch of messages (reminders falling due together): one SMTP connection for all of them."""
    from .services.messages import messages_deliver

    for message_id, delay in messages_deliver(message_ids).items():
        logger.info("message %s: retry in %.0fs", message_id, delay)
        message_deliver_task.schedule((message_id,), delay=delay)


@db_task()
def reminders_due_task() -> None:
    from .services.reminders import reminders_dispatch_due

    reminders_dispatch_due()


@db_periodic_task(crontab(minute="*"))
def reminders_tick_task() -> None:
    """Send what is due; then, for the reminders due within the next minute, schedule one dispatch per
    second that has any (not one task per reminder: 10,000 reminders due at once are a few dozen tasks)."""
    from .services.reminders import reminders_dispatch_due, reminders_due_soon

    sent = reminders_dispatch_due()
    if sent:
        logger.info("sent %d due reminder(s)", sent)
    seconds = {due_at.replace(microsecond=0) + timedelta(seconds=1) for _pk, due_at in reminders_due_soon(within=timedelta(seconds=65))}
    for eta in sorted(seconds):
        reminders_due_task.schedule(eta=eta)


@on_startup()
def reminders_catch_up_on_start() -> None:
    """A (re)started consumer sends what fell due while it was down at once, not at the next minute."""
    reminders_tick_task()


@db_task(retries=3, retry_delay=30)
def interview_notify_task(event: str, payload: dict) -> None:
    """Invitations, notices, reminders for a scheduling event (see integrations.py); idempotent. One transaction:
    a worker killed midway leaves no notices at all (not the candidate's without the interviewers'), which the
    sweep (``interviews_notify_lost``) recognises and queues again."""
    from django.db import transaction

    from .integrations import interview_notify

    with transaction.atomic():
        interview_notify(event=event, organization_id=payload["organization_id"], interview_id=payload["interview_id"])


def sweep() -> dict:
    """Messages a dead worker held (lease expired) or whose job was lost are delivered again; the lease and the
    delivery log keep that to one delivery. Interview notices whose job was lost are sent (idempotency keys)."""
    from .services.messages import messages_resume_stalled

    return {"requeued": messages_resume_stalled(), "interview_notices": interviews_notify_lost()}


def interviews_notify_lost() -> int:
    """Interviews scheduled, moved or cancelled in the last day (and not in the last lease) whose notices do not
    exist and whose job is in neither the queue nor its schedule: the worker that took the job died before it
    created them. The notices carry idempotency keys, so queuing the job again cannot send them twice."""
    from django.apps import apps
    from django.utils import timezone
    from huey.contrib.djhuey import HUEY

    from .models import Message
    from .services.messages import lease

    if not apps.is_installed("hirelens.scheduling"):
        return 0
    from hirelens.scheduling.models import Interview

    now = timezone.now()
    recent = Interview.objects.filter(updated_at__gte=now - timedelta(days=1), updated_at__lt=now - lease(), start_at__gt=now,
                                      status__in=[Interview.Status.SCHEDULED, Interview.Status.CANCELLED])
    missing = []
    for pk, organization_id, sequence, status in recent.values_list("pk", "organization_id", "sequence", "status")[:500]:
        key = f"interview:{pk}:{sequence}:" + ("cancel:c" if status == Interview.Status.CANCELLED else "c")
        if not Message.objects.filter(organization_id=organization_id, idempotency_key=key).exists():
            missing.append((pk, organization_id, sequence, status))
    if not missing:
        return 0
    waiting = {message.args[1].get("interview_id") for message in [*HUEY.pending(), *HUEY.scheduled()]
               if isinstance(message, interview_notify_task.task_class) and len(message.args) > 1}
    queued = 0
    for pk, organization_id, sequence, status in missing:
        if pk in waiting:
            continue
        event = ("interview.cancelled" if status == Interview.Status.CANCELLED
                 else "interview.scheduled" if sequence == 0 else "interview.rescheduled")
        logger.warning("interview %s: its notices were never created (job lost); queued again", pk)
        interview_notify_task(event, {"organization_id": organization_id, "interview_id": pk})
        queued += 1
    return queued


def stuck() -> dict:
    """For /healthz: messages that should be moving but are not (no live lease, no planned retry, idle for
    longer than a lease), and how long the oldest queued message has waited."""
    from django.db.models import Q
    from django.utils import timezone

    from .models import Message
    from .services.messages import lease

    now = timezone.now()
    waiting = Message.objects.filter(status__in=[Message.Status.QUEUED, Message.Status.SENDING])
    expired = (waiting.filter(updated_at__lt=now - lease()).filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
               .filter(Q(retry_at__isnull=True) | Q(retry_at__lt=now - lease())).count())
    oldest = waiting.order_by("created_at").values_list("created_at", flat=True).first()
    return {"expired_leases": expired, "oldest_queued_s": round((now - oldest).total_seconds(), 1) if oldest else None}
