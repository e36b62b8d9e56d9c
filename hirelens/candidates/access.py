from __future__ import annotations

from django.db.models import QuerySet

from hirelens.accounts.roles import Perm, user_can
from hirelens.core.access import get_for_actor, tenant_queryset

from .models import Candidate


def visible_candidates(*, actor) -> QuerySet[Candidate]:
    """HR sees every candidate of the organization; interviewers and hiring managers only those who
    applied to a position they are assigned to."""
    qs = tenant_queryset(Candidate.objects.all(), actor=actor)
    if user_can(actor, Perm.CANDIDATES_VIEW_ALL):
        return qs
    if user_can(actor, Perm.CANDIDATES_VIEW_ASSIGNED):
        return qs.filter(applications__position__assignments__user=actor).distinct()
    return qs.none()


def access_candidate(*, actor, candidate_id) -> Candidate:
    return get_for_actor(visible_candidates(actor=actor), actor=actor, pk=candidate_id)
