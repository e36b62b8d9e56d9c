from __future__ import annotations

from django.db.models import QuerySet

from hirelens.core.access import get_for_actor, tenant_queryset
from hirelens.core.roles import Perm, user_can

from .models import ImportBatch


def visible_batches(*, actor) -> QuerySet[ImportBatch]:
    qs = tenant_queryset(ImportBatch.objects.all(), actor=actor)
    return qs if user_can(actor, Perm.CANDIDATES_IMPORT) else qs.none()


def access_batch(*, actor, batch_id) -> ImportBatch:
    return get_for_actor(visible_batches(actor=actor), actor=actor, pk=batch_id)
