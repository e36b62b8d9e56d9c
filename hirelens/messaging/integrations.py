"""Scheduling → messaging, through the domain events of ``hirelens.core.events`` (the scheduling app
emits them after commit; nothing there calls messaging directly).

* ``interview.scheduled``: fresh links, invitation with the calendar file to the candidate (WeChat /
  e-mail, in the interview's zone), a notice with their own link to each interviewer (WeCom / e-mail, in the
  interviewer's own zone and language: ``user_zone``), reminders planned.
* ``interview.rescheduled``: the same with the new time (calendar SEQUENCE grows, reminders re-planned).
* ``interview.cancelled``: reminders cancelled, cancellation (calendar CANCEL) to everyone.

Each event is handled by a job; every message carries an idempotency key made of the interview, its
calendar sequence and the recipient, so a repeated event or a retried job sends nothing twice.
"""

from __future__ import annotations

import logging

from django.apps import apps
from django.db import transaction

logger = logging.getLogger(__name__)

SUBJECT_TYPE = "scheduling.interview"


def connect() -> None:
    """Called from ``MessagingConfig.ready()`` when the scheduling app is installed."""
    if not apps.is_installed("hirelens.scheduling"):
        return
    from hirelens.core import events

    for event_class in (events.InterviewScheduled, events.InterviewRescheduled, events.InterviewCancelled):
        events.subscribe(event_class, on_interview_event)


def on_interview_event(event) -> None:
    from .tasks import interview_notify_task

    interview_notify_task(event.name, {"organization_id": event.organization_id, "interview_id": event.interview_id})


def _email(user_or_candidate) -> str:
    return getattr(user_or_candidate, "email", "") or ""


@transaction.atomic
def interview_notify(*, event: str, organization_id: int, interview_id: int) -> list:
    """Send what ``event`` calls for. Returns the messages (existing ones when already sent).

    One transaction with the interview row locked: a repeated or concurrent job finds the messages of the
    first and issues no second set of links; a job that fails leaves neither links nor messages behind."""
    from hirelens.candidates.masking import can_see_contact
    from hirelens.core.timezones import user_zone
    from hirelens.scheduling.ics import interview_ics
    from hirelens.scheduling.models import Interview
    from hirelens.scheduling.services import interview_links_issue

    from .models import Kind
    from .services import message_send, reminders_cancel, reminders_plan

    interview = (Interview.objects.select_for_update(of=("self",)).select_related("application__candidate", "application__position", "stage")
                 .filter(organization_id=organization_id, pk=interview_id).first())
    if interview is None:
        return []
    candidate = interview.application.candidate
    interviewers = list(interview.interviewers.all())
    common = {"position": interview.application.position.title, "starts_at": interview.start_at.isoformat(),
              "time_zone": interview.time_zone}
    if interview.stage_id:
        common["steps"] = interview.stage.title
    key = f"interview:{interview.pk}:{interview.sequence}"
    sent = []
    if event == "interview.cancelled" or interview.status == Interview.Status.CANCELLED:
        reminders_cancel(organization_id=organization_id, subject_type=SUBJECT_TYPE, subject_id=interview.pk)
        ics = interview_ics(interview=interview, method="CANCEL").decode("utf-8")
        sent.append(message_send(organization_id=organization_id, kind=Kind.CANCELLATION, candidate=candidate, variables=common,
                                 ics=ics, subject_type=SUBJECT_TYPE, subject_id=interview.pk, idempotency_key=f"{key}:cancel:c"))
        for user in interviewers:
            sent.append(message_send(organization_id=organization_id, kind=Kind.CANCELLATION, user=user,
                                     variables={**common, "time_zone": user_zone(user)},
                                     ics=ics, subject_type=SUBJECT_TYPE, subject_id=interview.pk,
                                     idempotency_key=f"{key}:cancel:u{user.pk}"))
        return sent
    if not interview.is_open:
        return []
    from .models import Message

    if Message.objects.filter(organization_id=organization_id, idempotency_key=f"{key}:c").exists():
        return list(Message.objects.filter(organization_id=organization_id, idempotency_key__startswith=f"{key}:"))
    links = interview_links_issue(interview=interview)
    kind = Kind.INVITATION if event == "interview.scheduled" else Kind.RESCHEDULE
    attendees = [(candidate.full_name, _email(candidate))] + [(u.full_name, u.email) for u in interviewers]
    candidate_vars = {**common, "link": links["candidate"], "backup_link": links["backup"]}
    sent.append(message_send(organization_id=organization_id, kind=kind, candidate=candidate, variables=candidate_vars,
                             ics=interview_ics(interview=interview, link=links["candidate"], attendees=attendees).decode("utf-8"),
                             subject_type=SUBJECT_TYPE, subject_id=interview.pk, idempotency_key=f"{key}:c"))
    for user in interviewers:
        link = links["interviewers"].get(user.pk, "")
        # the candidate's e-mail only for interviewers allowed to see contact details (candidates/masking.py)
        seen = attendees if can_see_contact(user) else [(candidate.full_name, "")] + attendees[1:]
        sent.append(message_send(organization_id=organization_id, kind=Kind.INTERVIEWER_NOTICE, user=user,
                                 variables={**common, "link": link, "time_zone": user_zone(user)},
                                 ics=interview_ics(interview=interview, link=link, attendees=seen).decode("utf-8"),
                                 subject_type=SUBJECT_TYPE, subject_id=interview.pk, idempotency_key=f"{key}:u{user.pk}"))
    reminders_plan(organization_id=organization_id, subject_type=SUBJECT_TYPE, subject_id=interview.pk,
                   starts_at=interview.start_at, candidate_id=candidate.pk, user_ids=[u.pk for u in interviewers],
                   variables=candidate_vars,
                   variables_by_user={u.pk: {"link": links["interviewers"].get(u.pk, ""), "backup_link": "",
                                             "time_zone": user_zone(u)} for u in interviewers})
    return sent
