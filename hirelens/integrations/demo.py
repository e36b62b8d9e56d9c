"""Demo: the HR admin's API key "HRIS 同步" (candidates and applications read/write, positions read; used an hour ago)
and a revoked "旧招聘网站" key. Their secrets are not kept (only a hash), so the demo cannot show them: create a new
key on /settings/api-keys/ to call the API. Idempotent: a key of that name is not made twice."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from .models import ApiKey


def load(ctx):
    admin = ctx.users.get("admin")
    if admin is None:
        return
    from .services import api_key_create, api_key_revoke

    org_keys = ApiKey.objects.filter(organization_id=admin.organization_id)
    if not org_keys.filter(name="HRIS 同步").exists():
        key, _token = api_key_create(actor=admin, user=admin, name="HRIS 同步", rate_limit=120,
                                     scopes=["candidates:write", "applications:write", "positions:read"])
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now() - timedelta(hours=1))
        _demo_call(admin, key, "GET /api/v1/positions/ 200")
    if not org_keys.filter(name="旧招聘网站").exists():
        key, _token = api_key_create(actor=admin, user=admin, name="旧招聘网站", scopes=["candidates:write"])
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now() - timedelta(days=40))
        api_key_revoke(actor=admin, key=key)
    ctx.log.append("API keys: /settings/api-keys/ (HRIS 同步, and a revoked key; secrets are shown only when created)")


def _demo_call(admin, key, call: str) -> None:
    """The audit entry of one call the key made (what integrations.middleware writes for a call that wrote nothing)."""
    from django.contrib.auth import get_user_model

    from hirelens.core.audit import audit_record
    from hirelens.core.models import AuditEvent

    actor = get_user_model().objects.get(pk=admin.pk)
    actor.api_key_name = key.name
    audit_record(action=AuditEvent.Action.API_CALL, actor=actor, obj=key, fields=[call])
