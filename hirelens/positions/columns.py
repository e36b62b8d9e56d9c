"""Columns of the position list that a higher app computes: registered providers (as the candidate hub's tabs).

Positions sits below workflows (docs/architecture.md, "Module boundaries"), yet the positions API answers each
position with its active process. The owner registers, from its ``AppConfig.ready()``,
``position_columns_register("process", annotate)``, where ``annotate(queryset) -> queryset`` adds its columns to the
positions' query as annotations (subqueries: no query per row). The process provider (workflows) adds
``process_id``, ``process_name``, ``version_id`` and ``version_number``; with none registered a position has no
process (``process: null`` in the API).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet

from .models import Position

ColumnsProvider = Callable[[QuerySet[Position]], QuerySet[Position]]
_providers: dict[str, ColumnsProvider] = {}


def position_columns_register(key: str, annotate: ColumnsProvider) -> None:
    """Add (or replace: ``key`` names it) a provider of columns of the position list."""
    _providers[key] = annotate


def with_columns(queryset: QuerySet[Position]) -> QuerySet[Position]:
    """``queryset`` with every registered provider's columns."""
    for annotate in _providers.values():
        queryset = annotate(queryset)
    return queryset
