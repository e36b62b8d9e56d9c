"""Durable reminders for a generic subject (e.g. ("scheduling.interview", 42)).

* ``reminders_plan`` replaces the planned reminders of the subject (a moved interview re-plans them);
  a reminder already sent for the same start time, recipient and offset is not planned again.
* ``reminders_cancel`` cancels every planned reminder of the subject: nothing is sent afterwards.
* ``reminders_dispatch_due`` (the periodic job) claims each due reminder with a conditional UPDATE in the
  same transaction that creates its message (idempotency key ``reminder:<id>``): sent exactly once,
  even with several workers, and a crash before the commit leaves it planned for the next run.
  Reminders found late (the worker was down) still go out and record how late they were; those whose
  interview has already started are marked expired instead.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hirelens.messaging.models import Kind, Reminder

from .messages import DELIVERY_BATCH, message_send, messages_enqueue
from .policy import reminder_offsets


def _recipients(candidate_id: int | None, user_ids: Iterable[int]) -> list[tuple[int | None, int | None]]:
    result = [(candidate_id, None)] if candidate_id else []
    result += [(None, int(uid)) for uid in dict.fromkeys(user_ids)]
    return result


@transaction.atomic
def reminders_plan(*, organization_id: int, subject_type: str, subject_id: str | int, starts_at: datetime,
                   offsets: Sequence[int] | None = None, candidate_id: int | None = None, user_ids: Iterable[int] = (),
                   variables: dict | None = None, variables_by_user: dict[int, dict] | None = None) -> list[Reminder]:
    """(Re-)plan the reminders of one subject. ``offsets`` are minutes before ``starts_at`` (default: the
    organization's setting, 1 day and 1 hour). ``variables_by_user`` adds or overrides variables for one
    staff recipient (e.g. an interviewer's own link). Returns the reminders now planned."""
    if timezone.is_naive(starts_at):
        raise ValidationError(_("开始时间必须带时区。"))
    from hirelens.accounts.models import User
    from hirelens.candidates.models import Candidate

    user_ids = list(user_ids)
    if candidate_id and not Candidate.objects.filter(organization_id=organization_id, pk=candidate_id).exists():
        raise ValidationError(_("候选人不属于本组织。"))
    if User.objects.filter(pk__in=user_ids).exclude(organization_id=organization_id).exists():
        raise ValidationError(_("员工不属于本组织。"))
    offsets = sorted({int(o) for o in offsets}, reverse=True) if offsets is not None else reminder_offsets(organization_id)
    subject_id = str(subject_id)
    mine = Reminder.objects.filter(organization_id=organization_id, subject_type=subject_type, subject_id=subject_id)
    mine.filter(status=Reminder.Status.PLANNED).update(status=Reminder.Status.SUPERSEDED, updated_at=timezone.now())
    already_sent = set(mine.filter(status=Reminder.Status.SENT, starts_at=starts_at)
                       .values_list("candidate_id", "user_id", "offset_minutes"))
    now = timezone.now()
    planned = []
    for cand, user in _recipients(candidate_id, user_ids):
        mine_vars = {**(variables or {}), **((variables_by_user or {}).get(user, {}) if user else {})}
        payload = json.dumps(mine_vars, ensure_ascii=False, default=str)
        for offset in offsets:
            due_at = starts_at - timedelta(minutes=offset)
            if due_at <= now or (cand, user, offset) in already_sent:
                continue  # booked too late for this one, or it already went out for this very time
            planned.append(Reminder(organization_id=organization_id, subject_type=subject_type, subject_id=subject_id,
                                    candidate_id=cand, user_id=user, starts_at=starts_at, offset_minutes=offset,
                                    due_at=due_at, variables=payload))
    Reminder.objects.bulk_create(planned)
    return list(mine.filter(status=Reminder.Status.PLANNED).order_by("due_at", "pk"))


@transaction.atomic
def reminders_cancel(*, organization_id: int, subject_type: str, subject_id: str | int) -> int:
    """Cancel the planned reminders of a subject (the interview was cancelled). Returns how many."""
    return Reminder.objects.filter(organization_id=organization_id, subject_type=subject_type, subject_id=str(subject_id),
                                   status=Reminder.Status.PLANNED).update(status=Reminder.Status.CANCELLED,
                                                                          updated_at=timezone.now())


def reminder_dispatch(*, reminder_id: int, now: datetime | None = None) -> bool:
    """Send one due reminder if it is still planned. True when this call created its message (or
    expired the reminder because its interview has already started)."""
    handled, message_id = _dispatch(reminder_id, now or timezone.now())
    if message_id:
        messages_enqueue([message_id])
    return handled


def _dispatch(reminder_id: int, now: datetime) -> tuple[bool, int | None]:
    """Claim one due reminder and create its message (not yet enqueued), in one transaction."""
    with transaction.atomic():
        reminder = Reminder.objects.filter(pk=reminder_id, status=Reminder.Status.PLANNED, due_at__lte=now).first()
        if reminder is None:
            return False, None
        if reminder.starts_at <= now:
            return bool(Reminder.objects.filter(pk=reminder.pk, status=Reminder.Status.PLANNED)
                        .update(status=Reminder.Status.EXPIRED, updated_at=now)), None
        late = max(0, int((now - reminder.due_at).total_seconds()))
        claimed = Reminder.objects.filter(pk=reminder.pk, status=Reminder.Status.PLANNED).update(
            status=Reminder.Status.SENT, sent_at=now, late_seconds=late, updated_at=now)
        if not claimed:
            return False, None  # another worker took it
        variables = json.loads(reminder.variables) if reminder.variables else {}
        variables.update(starts_at=reminder.starts_at.isoformat(), offset_minutes=reminder.offset_minutes)
        # a subject may plan its own kind of reminder (e.g. "ai_interview.reminder" before an AI interview's deadline)
        kind = variables.pop("message_kind", None)
        kind = kind if kind in Kind.values else Kind.REMINDER
        message = message_send(organization_id=reminder.organization_id, kind=kind, variables=variables,
                               candidate_id=reminder.candidate_id, user_id=reminder.user_id,
                               subject_type=reminder.subject_type, subject_id=reminder.subject_id,
                               idempotency_key=f"reminder:{reminder.pk}", enqueue=False)
        Reminder.objects.filter(pk=reminder.pk).update(message=message)
        return True, message.pk


def reminders_dispatch_due(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Send every reminder due by ``now`` (oldest first, ``limit`` per query). Returns how many were sent.
    Their messages are delivered in batches (``messages_enqueue``), each handed over as soon as it is
    full, so delivery starts while the rest are still being claimed."""
    now = now or timezone.now()
    sent = 0
    pending: list[int] = []
    try:
        while True:
            ids = list(Reminder.objects.filter(status=Reminder.Status.PLANNED, due_at__lte=now)
                       .order_by("due_at", "pk").values_list("pk", flat=True)[:limit])
            if not ids:
                return sent
            for reminder_id in ids:
                handled, message_id = _dispatch(reminder_id, now)
                sent += handled
                if message_id:
                    pending.append(message_id)
                if len(pending) >= DELIVERY_BATCH:
                    messages_enqueue(pending)
                    pending = []
            if len(ids) < limit:
                return sent
    finally:
        if pending:
            messages_enqueue(pending)


def reminders_due_soon(*, within: timedelta, now: datetime | None = None) -> list[tuple[int, datetime]]:
    now = now or timezone.now()
    return list(Reminder.objects.filter(status=Reminder.Status.PLANNED, due_at__gt=now, due_at__lte=now + within)
                .values_list("pk", "due_at"))
