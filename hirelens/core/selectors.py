from __future__ import annotations

from datetime import date, datetime, time

from django.db.models import Q, QuerySet
from django.utils import timezone

from hirelens.core.roles import Perm

from .access import require_perm
from .models import AuditEvent, audit_chain_key


def audit_event_list(*, actor, actor_query: str = "", action: str = "", object_type: str = "", object_id: str = "",
                     date_from: date | None = None, date_to: date | None = None) -> QuerySet[AuditEvent]:
    require_perm(actor, Perm.AUDIT_VIEW)
    qs = AuditEvent.objects.filter(chain=audit_chain_key(actor.organization_id))
    if actor_query:
        qs = qs.filter(Q(actor_label__icontains=actor_query) | Q(actor_id=int(actor_query)) if actor_query.isdigit()
                       else Q(actor_label__icontains=actor_query))
    if action:
        qs = qs.filter(action=action)
    if object_id:  # single entries name it in object_id, bulk entries (list pages) in targets
        named = f'"{object_type}:{object_id}"' if object_type else f':{object_id}"'
        qs = qs.filter(Q(object_id=object_id, **({"object_type": object_type} if object_type else {}))
                       | Q(targets__icontains=named))
    elif object_type:
        qs = qs.filter(object_type=object_type)
    tz = timezone.get_current_timezone()
    if date_from:
        qs = qs.filter(created_at__gte=timezone.make_aware(datetime.combine(date_from, time.min), tz))
    if date_to:
        qs = qs.filter(created_at__lte=timezone.make_aware(datetime.combine(date_to, time.max), tz))
    return qs.order_by("-seq")


def audit_object_types(*, actor) -> list[str]:
    require_perm(actor, Perm.AUDIT_VIEW)
    return sorted(
        AuditEvent.objects.filter(chain=audit_chain_key(actor.organization_id))
        .order_by().values_list("object_type", flat=True).distinct()
    )
