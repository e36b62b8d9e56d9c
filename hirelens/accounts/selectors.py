from __future__ import annotations

from django.db.models import Q, QuerySet

from hirelens.core.access import require_perm, tenant_queryset
from hirelens.core.roles import Perm

from .models import Invitation, User


def user_list(*, actor, search: str = "", role: str = "", active: str = "") -> QuerySet[User]:
    require_perm(actor, Perm.USERS_MANAGE)
    qs = tenant_queryset(User.objects.all(), actor=actor)
    if search:
        qs = qs.filter(Q(full_name__icontains=search) | Q(email__icontains=search))
    if role:
        qs = qs.filter(role=role)
    if active in {"1", "0"}:
        qs = qs.filter(is_active=active == "1")
    return qs.order_by("full_name", "email")


def invitation_pending_list(*, actor) -> QuerySet[Invitation]:
    require_perm(actor, Perm.USERS_MANAGE)
    from django.utils import timezone

    return tenant_queryset(Invitation.objects.all(), actor=actor).filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    )
