"""Fetching API keys for an actor: the organization's settings, HR admins only (as /settings/retention/)."""

from __future__ import annotations

from hirelens.core.access import get_for_actor, require_perm
from hirelens.core.roles import Perm

from .models import ApiKey


def access_api_key(*, actor, key_id) -> ApiKey:
    """A key of the actor's organization; refused (403) before any lookup without the settings permission, and the
    same 404 for a missing key and another organization's."""
    require_perm(actor, Perm.ORG_SETTINGS)
    return get_for_actor(ApiKey.objects.select_related("user", "created_by"), actor=actor, pk=key_id)
