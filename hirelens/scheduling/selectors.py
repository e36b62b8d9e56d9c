from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from .access import visible_interviews, visible_slots
from .models import Availability, Interview, InterviewLink, InterviewSlot


def interview_list(*, actor, position=None, upcoming: bool = False, mine: bool = False) -> QuerySet[Interview]:
    qs = (visible_interviews(actor=actor).select_related("application__position", "application__candidate", "stage")
          .prefetch_related("interviewers"))
    if position is not None:
        qs = qs.filter(application__position=position)
    if upcoming:
        qs = qs.filter(end_at__gte=timezone.now())
    if mine:
        qs = qs.filter(interviewers=actor)
    return qs.order_by("start_at")


def slot_list(*, actor, position=None, open_only: bool = False) -> QuerySet[InterviewSlot]:
    qs = visible_slots(actor=actor).select_related("application__candidate").prefetch_related("interviewers")
    if position is not None:
        qs = qs.filter(position=position)
    if open_only:
        qs = qs.filter(status=InterviewSlot.Status.OPEN, start_at__gt=timezone.now())
    return qs.order_by("start_at")


def availability_list(*, actor, user=None) -> QuerySet[Availability]:
    user = user or actor
    return Availability.objects.filter(organization_id=actor.organization_id, user=user, end_at__gte=timezone.now()).order_by("start_at")


def link_list(*, interview: Interview) -> QuerySet[InterviewLink]:
    return interview.links.select_related("user").order_by("-created_at")


def open_slots_for_application(*, application) -> QuerySet[InterviewSlot]:
    """Future open slots this application's candidate may book (the position's, or offered to them alone)."""
    from django.db.models import Q

    return InterviewSlot.objects.filter(
        organization_id=application.organization_id, position_id=application.position_id,
        status=InterviewSlot.Status.OPEN, start_at__gt=timezone.now(),
    ).filter(Q(application__isnull=True) | Q(application=application)).order_by("start_at")
