"""Export section of the candidate's own voluntary self-identification (privacy archive, see
hirelens/core/export_registry.py): the person's answers, decrypted, with the notice version and the date. Erasure needs
nothing of its own: the row goes with the candidate (one-to-one, CASCADE)."""

from __future__ import annotations

import json


def export_candidate(candidate) -> list:
    from hirelens.core.export_registry import Section
    from hirelens.fairness.models import SelfIdentification

    record = SelfIdentification.objects.filter(candidate=candidate).first()
    if record is None:
        return [Section("self_identification", None)]
    return [Section("self_identification", {"answers": json.loads(record.answers), "notice_version": record.notice_version,
                                            "submitted_at": record.submitted_at.isoformat()})]
