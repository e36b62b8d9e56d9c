"""The funnel follows the writers through domain events (hirelens.core.events), never by being called.

Registered in ``AnalyticsConfig.ready`` as an in-transaction subscriber: each event that changes what the funnel counts
(an application created, moved in its pipeline, scored, its status edited, a final decision, a merge and its undo)
recounts the touched buckets in the writer's transaction (``services.funnel_refresh``), so the aggregates commit or
roll back with the change. A failing recount undoes only itself (its own savepoint, ``funnel_refresh_or_defer``):
it is logged, counted (/metrics) and its buckets are marked stale in the writer's transaction, so the mark commits
with the change; the periodic task (``tasks.py``) recounts them. The bus's own savepoint would only log the failure.
"""

from __future__ import annotations

from datetime import datetime

from hirelens.candidates.models import Application
from hirelens.core import events
from hirelens.evaluations.models import Decision

from .services import application_keys, day_of, funnel_refresh_or_defer

FINAL_OUTCOMES = {Decision.Outcome.REJECT, Decision.Outcome.HIRE}  # they set the application's status (hired counts)
_ONE_APPLICATION = (events.ApplicationCreated, events.ApplicationUpdated, events.ApplicationMoved,
                    events.StageResultRecorded)


def touched_buckets(evt: events.Event) -> set:
    """The buckets ``evt`` changes (their days read from the database, not from the event, except for a merge)."""
    if isinstance(evt, _ONE_APPLICATION) or (isinstance(evt, events.DecisionRecorded) and evt.outcome in FINAL_OUTCOMES):
        return application_keys(Application.objects.filter(pk=evt.application_id))
    if isinstance(evt, events.CandidatesMerged):
        # the days of both records' applications as they were: some were deleted with the duplicate
        return {(evt.organization_id, position_id, day_of(datetime.fromisoformat(at)))
                for position_id, at in zip(evt.position_ids, evt.applied_at, strict=True)}
    if isinstance(evt, events.CandidateMergeUndone):
        return application_keys(Application.objects.filter(
            organization_id=evt.organization_id, candidate_id__in=[evt.candidate_id, evt.restored_id]))
    return set()


def on_event(evt: events.Event) -> None:
    keys = touched_buckets(evt)
    if keys:
        funnel_refresh_or_defer(keys=keys)
