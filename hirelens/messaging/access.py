"""Fetching messaging rows for an actor: tenant-filtered, permission-checked, 404 for foreign rows."""

from __future__ import annotations

from django.db.models import QuerySet

from hirelens.core.access import get_for_actor, tenant_queryset
from hirelens.core.roles import Perm, user_can

from .models import Message, Reminder, Ticket


def visible_messages(*, actor) -> QuerySet[Message]:
    if not user_can(actor, Perm.MESSAGING_VIEW):
        return Message.objects.none()
    return tenant_queryset(Message.objects.all(), actor=actor)


def visible_reminders(*, actor) -> QuerySet[Reminder]:
    if not user_can(actor, Perm.MESSAGING_VIEW):
        return Reminder.objects.none()
    return tenant_queryset(Reminder.objects.all(), actor=actor)


def visible_tickets(*, actor) -> QuerySet[Ticket]:
    if not user_can(actor, Perm.MESSAGING_HELPDESK):
        return Ticket.objects.none()
    return tenant_queryset(Ticket.objects.all(), actor=actor)


def access_message(*, actor, message_id) -> Message:
    return get_for_actor(visible_messages(actor=actor), actor=actor, pk=message_id)


def access_ticket(*, actor, ticket_id) -> Ticket:
    return get_for_actor(visible_tickets(actor=actor), actor=actor, pk=ticket_id)
