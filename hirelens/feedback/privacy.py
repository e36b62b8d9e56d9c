"""Export section of result feedback and surveys sent (privacy archive, see hirelens/core/export_registry.py).
Survey answers are not linked to the person, so they cannot be part of it."""

from __future__ import annotations

from hirelens.core.export_registry import Section, row


def export_candidate(candidate) -> list[Section]:
    from hirelens.feedback.models import FeedbackCase, Survey

    cases = [row(c, exclude=("message_ids", "decision")) for c in FeedbackCase.objects.filter(application__candidate=candidate)]
    surveys = [row(s, exclude=("token_hash",)) for s in Survey.objects.filter(application__candidate=candidate)]
    return [Section("feedback", {"cases": cases, "surveys": surveys})]
