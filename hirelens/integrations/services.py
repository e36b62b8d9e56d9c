"""Writes of the integrations app: API keys."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hirelens.core.audit import audit_record
from hirelens.core.models import AuditEvent
from hirelens.core.roles import Perm, user_can

from .auth import hash_secret, new_key_material
from .models import SCOPE_DOMAINS, ApiKey


def _check_scopes(scopes: list[str]) -> list[str]:
    valid = {f"{d}:{level}" for d in SCOPE_DOMAINS for level in ("read", "write")}
    wrong = [s for s in scopes if s not in valid]
    if wrong:
        raise ValidationError({"scopes": _("未知的权限范围：%(scopes)s") % {"scopes": ", ".join(wrong)}})
    if not scopes:
        raise ValidationError({"scopes": _("请至少选择一个权限范围。")})
    return sorted(set(scopes))


@transaction.atomic
def api_key_create(*, actor, user, name: str, scopes: list[str], expires_at: datetime | None = None,
                   rate_limit: int = 60, request=None) -> tuple[ApiKey, str]:
    """A new key acting as ``user`` (of the actor's organization). Returns the row and the key, shown once."""
    if not user_can(actor, Perm.USERS_MANAGE) and actor.pk != user.pk:
        raise PermissionDenied
    if user.organization_id != actor.organization_id:
        raise PermissionDenied
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写名称。")})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("到期时间必须在将来。")})
    prefix, secret, token = new_key_material()
    key = ApiKey(organization_id=actor.organization_id, name=name[:100], prefix=prefix, secret_hash=hash_secret(secret),
                 scopes=_check_scopes(list(scopes)), user=user, created_by=actor, expires_at=expires_at,
                 rate_limit=max(1, int(rate_limit)))
    key.save()
    audit_record(action=AuditEvent.Action.CREATE, actor=actor, obj=key, fields=["name", "scopes", "user", "expires_at", "rate_limit"],
                 request=request)
    return key, token


@transaction.atomic
def api_key_revoke(*, actor, key: ApiKey, request=None) -> ApiKey:
    if key.can_revoke:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at", "updated_at"])
        audit_record(action=AuditEvent.Action.UPDATE, actor=actor, obj=key, fields=["revoked_at"], request=request)
    return key


def idempotency_records_purge(*, now=None) -> int:
    """Forget the stored first answers of creates older than IDEMPOTENCY_TTL (24 h): a retry after that is a new
    request. Idempotent: run it any number of times."""
    from .models import IDEMPOTENCY_TTL, IdempotencyRecord

    cutoff = (now or timezone.now()) - IDEMPOTENCY_TTL
    deleted, _per_model = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
