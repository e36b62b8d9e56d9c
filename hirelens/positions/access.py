from __future__ import annotations

from django.db.models import QuerySet

from hirelens.core.access import get_for_actor, tenant_queryset
from hirelens.core.roles import Perm, user_can

from .models import Position


def visible_positions(*, actor) -> QuerySet[Position]:
    """Positions the actor may see: all of the organization's for HR, assigned ones for the panel."""
    qs = tenant_queryset(Position.objects.all(), actor=actor)
    if user_can(actor, Perm.POSITIONS_VIEW_ALL):
        return qs
    if user_can(actor, Perm.CANDIDATES_VIEW_ASSIGNED):
        return qs.filter(assignments__user=actor).distinct()
    return qs.none()


def access_position(*, actor, position_id) -> Position:
    return get_for_actor(visible_positions(actor=actor), actor=actor, pk=position_id)
