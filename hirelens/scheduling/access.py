"""Scheduling data is scoped like candidates: HR sees the organization's, the panel only assigned positions'."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from hirelens.candidates.access import visible_applications
from hirelens.core.access import get_for_actor, tenant_queryset
from hirelens.positions.access import visible_positions

from .models import Interview, InterviewSlot


def visible_interviews(*, actor) -> QuerySet[Interview]:
    """Scheduled interviews of the applications the actor may see (the one rule, ``visible_applications``).

    Checked per row (EXISTS) rather than as an IN list of every visible application: lists can then walk the
    (organization, start_at) index and stop after one page, instead of sorting all the interviews they match."""
    qs = tenant_queryset(Interview.objects.all(), actor=actor)
    return qs.filter(Exists(visible_applications(actor=actor).filter(pk=OuterRef("application_id"))))


def visible_slots(*, actor) -> QuerySet[InterviewSlot]:
    return tenant_queryset(InterviewSlot.objects.all(), actor=actor).filter(position__in=visible_positions(actor=actor).values("pk"))


def access_interview(*, actor, interview_id) -> Interview:
    return get_for_actor(visible_interviews(actor=actor).select_related("application__position", "application__candidate", "stage"), actor=actor,
                         pk=interview_id)


def access_slot(*, actor, slot_id) -> InterviewSlot:
    return get_for_actor(visible_slots(actor=actor), actor=actor, pk=slot_id)
