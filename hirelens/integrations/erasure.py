"""Erasure for the API (``hirelens.core.erasure``): a stored first answer of a create (``IdempotencyRecord``, kept
24 h for retries) may name the person; the records that do are deleted with them."""

from __future__ import annotations

from .models import IdempotencyRecord


def erase(ctx) -> None:
    if not ctx.values:
        return
    gone = [r.pk for r in IdempotencyRecord.objects.filter(organization_id=ctx.organization_id).only("pk", "body")
            if ctx.matches(r.body)]
    if gone:
        IdempotencyRecord.objects.filter(pk__in=gone).delete()
        ctx.counts["integrations.idempotency_record"] += len(gone)
