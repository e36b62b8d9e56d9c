"""Reads of the integrations app."""

from __future__ import annotations

from hirelens.core.access import require_perm, tenant_queryset
from hirelens.core.roles import Perm

from .models import ApiKey


def api_key_list(*, actor):
    """The organization's keys, newest first, with the people they name (one query for a page of rows)."""
    require_perm(actor, Perm.ORG_SETTINGS)
    return tenant_queryset(ApiKey.objects.select_related("user", "created_by"), actor=actor).order_by("-created_at", "-id")
