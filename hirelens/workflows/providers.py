"""What workflows shows on lower apps' pages, registered in ``WorkflowsConfig.ready`` (docs/architecture.md,
"Module boundaries"): the active process of each position in the positions API (``positions/columns.py``)."""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery

from hirelens.positions.models import Position

from .models import Process, ProcessVersion


def position_process_columns(queryset: QuerySet[Position]) -> QuerySet[Position]:
    """The active process and its latest published version, as columns of the same query (no query per row):
    ``process_id``, ``process_name``, ``version_id``, ``version_number`` (None where there is none)."""
    active = Process.objects.filter(position=OuterRef("pk"), is_active=True)
    latest = ProcessVersion.objects.filter(process__position=OuterRef("pk"), process__is_active=True,
                                           status=ProcessVersion.Status.PUBLISHED).order_by("-number")
    return queryset.annotate(process_id=Subquery(active.values("pk")[:1]),
                             process_name=Subquery(active.values("name")[:1]),
                             version_id=Subquery(latest.values("pk")[:1]),
                             version_number=Subquery(latest.values("number")[:1]))
