"""Export section of the candidate's own rights requests (privacy archive, see registry.py)."""

from __future__ import annotations

from hirelens.core.export_registry import Section, row


def export_candidate(candidate) -> list[Section]:
    from .models import PrivacyRequest

    requests = []
    for pr in PrivacyRequest.objects.filter(candidate=candidate).prefetch_related("events"):
        item = row(pr, exclude=("created_by", "assigned_to", "tombstone", "last_reminded_on"))
        item["history"] = [{"at": e.created_at.isoformat(), "event": str(e.get_kind_display())} for e in pr.events.all()]
        requests.append(item)
    return [Section("privacy_requests", requests)]
