from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from .access import visible_positions
from .models import Position


def position_list(*, actor, search: str = "", status: str = "") -> QuerySet[Position]:
    qs = visible_positions(actor=actor).annotate(application_count=Count("applications", distinct=True))
    if search:
        qs = qs.filter(Q(title__icontains=search) | Q(department__icontains=search) | Q(location__icontains=search))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at")
