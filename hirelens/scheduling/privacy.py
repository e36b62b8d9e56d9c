"""Export section of scheduled interviews (privacy archive, see hirelens/core/export_registry.py)."""

from __future__ import annotations

from hirelens.core.export_registry import Section, row


def export_candidate(candidate) -> list[Section]:
    from hirelens.scheduling.models import Interview

    interviews = [dict(row(i, exclude=("uid", "sequence", "created_by", "slot")), position_title=i.application.position.title)
                  for i in Interview.objects.filter(application__candidate=candidate).select_related("application__position")]
    return [Section("scheduled_interviews", interviews)]
