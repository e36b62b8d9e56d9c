"""The tenancy choke point every app's access.py builds on.

A row of another organization and a row that does not exist raise the same ``Http404``: an id
guessed from another tenant reveals nothing, not even that it exists.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from hirelens.core.roles import user_can


def tenant_queryset(queryset: QuerySet, *, actor) -> QuerySet:
    if actor is None or not actor.is_authenticated or not actor.organization_id:
        return queryset.none()
    return queryset.filter(organization_id=actor.organization_id)


def get_for_actor(queryset: QuerySet, *, actor, pk) -> object:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    obj = tenant_queryset(queryset, actor=actor).filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


def require_perm(actor, perm: str) -> None:
    if not user_can(actor, perm):
        raise PermissionDenied
