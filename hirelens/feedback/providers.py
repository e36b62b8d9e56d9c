"""What feedback tells lower apps through their registries (``FeedbackConfig.ready``, docs/architecture.md, "Module
boundaries"): the position a survey link was for, for messaging's dead-link page and help-desk tickets."""

from __future__ import annotations

from .models import Survey


def survey_title(*, organization_id: int, subject_id: int) -> tuple[str, ...] | None:
    """The survey's position title (``messaging.services.deadlinks.subject_title``)."""
    return Survey.objects.filter(organization_id=organization_id, pk=subject_id).values_list("position__title").first()
