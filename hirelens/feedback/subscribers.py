"""Feedback follows evaluations and interviews through domain events (hirelens.core.events), never by being called.

Registered in ``FeedbackConfig.ready`` as an in-transaction subscriber: the feedback case and its first message commit
or roll back with the scorecard, the decision or the submitted interview, so no crash between the two can lose the
24-hour promise. A failure here is logged and undoes only feedback's own writes (the bus runs it in a savepoint).
What depends on the clock alone (a scheduled interview's end, "still under review" before a deadline) stays with the
periodic task (tasks.py).
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from hirelens.core import events
from hirelens.evaluations.models import Decision, Scorecard
from hirelens.interviews.models import InterviewSession

from .services import feedback_case_open, feedback_on_decision


def on_event(evt: events.Event) -> None:
    if isinstance(evt, events.ScorecardSubmitted):
        _scorecard_submitted(evt)
    elif isinstance(evt, events.DecisionRecorded):
        _decision_recorded(evt)
    elif isinstance(evt, events.AiInterviewSubmitted):
        _ai_interview_submitted(evt)


def _scorecard_submitted(evt: events.ScorecardSubmitted) -> None:
    card = Scorecard.objects.select_related("application__position", "stage").get(pk=evt.scorecard_id)
    feedback_case_open(application=card.application, stage=card.stage, opened_at=card.submitted_at)


def _decision_recorded(evt: events.DecisionRecorded) -> None:
    decision = Decision.objects.select_related("application__position", "stage").get(pk=evt.decision_id)
    now = datetime.fromisoformat(evt.decided_at) if evt.decided_at else timezone.now()
    feedback_on_decision(decision=decision, now=now)


def _ai_interview_submitted(evt: events.AiInterviewSubmitted) -> None:
    session = InterviewSession.objects.select_related("application__position", "stage").get(pk=evt.session_id)
    feedback_case_open(application=session.application, stage=session.stage, opened_at=session.submitted_at)
