"""Reads for the messaging pages, always scoped to the actor."""

from __future__ import annotations

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet

from .access import visible_messages, visible_reminders, visible_tickets
from .models import Message, Reminder, Ticket


def message_list(*, actor, status: str = "", kind: str = "") -> QuerySet[Message]:
    qs = visible_messages(actor=actor).select_related("candidate", "user").prefetch_related("attempts")
    if status in Message.Status.values:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-created_at", "-pk")


def reminder_list(*, actor, status: str = Reminder.Status.PLANNED) -> QuerySet[Reminder]:
    qs = visible_reminders(actor=actor).select_related("candidate", "user", "message")
    if status in Reminder.Status.values:
        qs = qs.filter(status=status)
    return qs.order_by("due_at", "pk")


def ticket_list(*, actor, status: str = "") -> QuerySet[Ticket]:
    qs = visible_tickets(actor=actor).select_related("candidate").annotate(message_count=Count("messages"))
    if status in Ticket.Status.values:
        qs = qs.filter(status=status)
    return qs.order_by("-last_message_at", "-pk")


def ticket_stats(*, actor) -> dict:
    qs = visible_tickets(actor=actor)
    counts = qs.aggregate(open=Count("pk", filter=Q(status=Ticket.Status.OPEN)),
                          answered=Count("pk", filter=Q(status=Ticket.Status.ANSWERED)),
                          closed=Count("pk", filter=Q(status=Ticket.Status.CLOSED)))
    answered = qs.filter(first_response_at__isnull=False).annotate(
        wait=ExpressionWrapper(F("first_response_at") - F("created_at"), output_field=DurationField()))
    average = answered.aggregate(avg=Avg("wait"))["avg"]
    counts["first_response_avg_minutes"] = round(average.total_seconds() / 60, 1) if average is not None else None
    return counts


def candidate_messages(*, actor, candidate_id: int) -> QuerySet[Message]:
    """A candidate's messages for their timeline (EHR): what was sent, when, through which channel.
    Empty for actors without ``messaging.view`` or of another organization."""
    return message_list(actor=actor).filter(candidate_id=candidate_id)
