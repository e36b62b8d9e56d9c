"""The funnel follows the writers through domain events (hirelens.core.events), never by being called.

Registered in ``AnalyticsConfig.ready`` as an in-transaction subscriber: each event that changes what the funnel counts
(an application created, moved in its pipeline, scored, its status edited, a final decision, a merge and its undo)
recounts the touched buckets in the writer's transaction (``services.funnel_refresh``), so the aggregates commit or
roll back with the change. A failure here is logged and undoes only the recount (the bus runs it in a savepoint);
the next refresh of the bucket or ``manage.py analytics_rebuild`` repairs it, as for any missed refresh.
"""

from __future__ import annotations

from datetime import datetime

from hirelens.candidates.models import Application
from hirelens.core import events
from hirelens.evaluations.models import Decision

from .services import day_of, funnel_refresh, funnel_refresh_applications

FINAL_OUTCOMES = {Decision.Outcome.REJECT, Decision.Outcome.HIRE}  # they set the application's status (hired counts)
_ONE_APPLICATION = (events.ApplicationCreated, events.ApplicationUpdated, events.ApplicationMoved,
                    events.StageResultRecorded)


def on_event(evt: events.Event) -> None:
    if isinstance(evt, _ONE_APPLICATION) or (isinstance(evt, events.DecisionRecorded) and evt.outcome in FINAL_OUTCOMES):
        funnel_refresh_applications(applications=Application.objects.filter(pk=evt.application_id))
    elif isinstance(evt, events.CandidatesMerged):
        # the days of both records' applications as they were: some were deleted with the duplicate
        funnel_refresh(keys={(evt.organization_id, position_id, day_of(datetime.fromisoformat(at)))
                             for position_id, at in zip(evt.position_ids, evt.applied_at, strict=True)})
    elif isinstance(evt, events.CandidateMergeUndone):
        funnel_refresh_applications(applications=Application.objects.filter(
            organization_id=evt.organization_id, candidate_id__in=[evt.candidate_id, evt.restored_id]))
