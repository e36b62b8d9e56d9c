"""Reads for the messaging pages, always scoped to the actor."""

from __future__ import annotations

from datetime import timedelta

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


def ticket_pending_count(*, actor) -> int:
    """The navigation's counter: tickets waiting for HR (0 without the help-desk right)."""
    return visible_tickets(actor=actor).filter(status=Ticket.Status.OPEN).count()


def first_response_by_day(*, actor, days: int = 14, goal_minutes: int = 15, zone: str = "Asia/Shanghai") -> dict:
    """First-response time per day of opening (the viewer's zone): tickets, answered, median minutes, share answered
    within the goal (a ticket still waiting past the goal counts as missed). One query over the window."""
    from statistics import median
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    now = timezone.now()
    tz = ZoneInfo(zone)
    start = (now.astimezone(tz) - timedelta(days=days - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    goal = timedelta(minutes=goal_minutes)
    rows = visible_tickets(actor=actor).filter(created_at__gte=start).values_list("created_at", "first_response_at")
    by_day: dict = {}
    waits_all, met_all, due_all = [], 0, 0
    for created, first in rows:
        day = by_day.setdefault(created.astimezone(tz).date(), {"tickets": 0, "waits": [], "met": 0, "due": 0})
        day["tickets"] += 1
        wait = (first - created) if first is not None else None
        if wait is not None:
            day["waits"].append(wait.total_seconds() / 60)
        if wait is not None or now - created > goal:  # decided: answered, or already past the goal
            day["due"] += 1
            day["met"] += int(wait is not None and wait <= goal)
    days_out = []
    for date in sorted(by_day, reverse=True):
        d = by_day[date]
        waits_all += d["waits"]
        met_all += d["met"]
        due_all += d["due"]
        days_out.append({"date": date, "tickets": d["tickets"], "answered": len(d["waits"]),
                         "median_minutes": round(median(d["waits"]), 1) if d["waits"] else None,
                         "within_goal_pct": round(100 * d["met"] / d["due"]) if d["due"] else None})
    return {"goal_minutes": goal_minutes, "days": days_out,
            "median_minutes": round(median(waits_all), 1) if waits_all else None,
            "within_goal_pct": round(100 * met_all / due_all) if due_all else None}


def candidate_messages(*, actor, candidate_id: int) -> QuerySet[Message]:
    """A candidate's messages for their timeline (EHR): what was sent, when, through which channel.
    Empty for actors without ``messaging.view`` or of another organization."""
    return message_list(actor=actor).filter(candidate_id=candidate_id)
