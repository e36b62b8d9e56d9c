"""The funnel follows the writers through their domain events (analytics/subscribers.py), not by being called: for
each writer path (an application created, moved, scored, its status edited, a final decision, a merge and its undo),
the same write leaves the aggregates untouched while analytics' subscriber is off, and recounts them exactly (equal to
a rebuild from scratch) once it is on."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, date, datetime

import pytest
from django.db import transaction

from hirelens.analytics.models import FunnelDay
from hirelens.analytics.services import aggregates_rebuild
from hirelens.analytics.subscribers import on_event
from hirelens.candidates.models import Application, Candidate
from hirelens.candidates.services.merge import candidate_merge, candidate_merge_undo
from hirelens.candidates.services.records import application_create, application_update
from hirelens.core import events
from hirelens.evaluations import services as ev_services
from hirelens.workflows import services as wf
from hirelens.workflows.models import ApplicationProgress

from .test_aggregates import REASON, snapshot

pytestmark = pytest.mark.django_db
WITHOUT_EVALUATION = {"without_evaluation": True, "without_evaluation_reason": "候选人时间紧，经理当面确认"}


class _Rollback(Exception):
    pass


def recounted(organization_id):
    """The aggregates a rebuild from scratch would give, leaving the stored ones as they are."""
    try:
        with transaction.atomic():
            aggregates_rebuild(organization_id=organization_id)
            result = snapshot(organization_id)
            raise _Rollback
    except _Rollback:
        return result


@contextmanager
def analytics_not_listening():
    events.unsubscribe_in_transaction(on_event)
    try:
        yield
    finally:
        events.subscribe_in_transaction(on_event)


def assert_through_the_event(org, unheard, heard):
    """``unheard()`` changes what the funnel counts but, with analytics' subscriber off, not the aggregates; ``heard()``
    (the same kind of write, subscriber on) brings them to exactly the recount."""
    before = snapshot(org.pk)
    with analytics_not_listening():
        unheard()
    assert snapshot(org.pk) == before
    assert recounted(org.pk) != before
    heard()
    assert snapshot(org.pk) == recounted(org.pk)


def _people(org, n, prefix):
    return [Candidate.objects.create(organization=org, full_name=f"{prefix}{i}") for i in range(n)]


def _applied(position):
    return sum(FunnelDay.objects.filter(position=position).values_list("applied", flat=True))


def _hired(position):
    return sum(FunnelDay.objects.filter(position=position).values_list("hired", flat=True))


@pytest.fixture
def position(org, hr_admin):
    from hirelens.workflows.tests.factories import make_position, published_process

    position = make_position(org, title="事件漏斗")
    published_process(hr_admin, position, "technical")
    return position


def test_an_application_created_is_counted_from_application_created(org, hr_admin, position):
    a, b = _people(org, 2, "创建")
    assert_through_the_event(org, lambda: application_create(actor=hr_admin, candidate=a, position=position),
                             lambda: application_create(actor=hr_admin, candidate=b, position=position))
    assert _applied(position) == 2


def test_a_pipeline_move_is_counted_from_application_moved(org, hr_admin, position):
    apps = [application_create(actor=hr_admin, candidate=c, position=position) for c in _people(org, 2, "移动")]
    progresses = [wf.pipeline_start(actor=hr_admin, application=a) for a in apps]
    assert snapshot(org.pk) == recounted(org.pk)
    assert_through_the_event(org, lambda: wf.pipeline_advance(actor=hr_admin, progress=progresses[0], reason="通过本环节"),
                             lambda: wf.pipeline_advance(actor=hr_admin, progress=progresses[1], reason="通过本环节"))


def test_a_score_is_counted_from_stage_result_recorded(org, hr_admin, position):
    from hirelens.workflows.access import stage_can_score

    apps = [application_create(actor=hr_admin, candidate=c, position=position) for c in _people(org, 2, "评分")]
    progresses = [wf.pipeline_start(actor=hr_admin, application=a) for a in apps]
    stage = next(s for s in progresses[0].version.stages.order_by("order", "pk") if stage_can_score(actor=hr_admin, stage=s))

    def score(progress):
        return lambda: wf.stage_result_record(actor=hr_admin, progress=ApplicationProgress.objects.get(pk=progress.pk),
                                              stage=stage, score=80)

    assert_through_the_event(org, score(progresses[0]), score(progresses[1]))


def test_a_final_decision_is_counted_from_decision_recorded(org, hr_admin, position):
    apps = [application_create(actor=hr_admin, candidate=c, position=position) for c in _people(org, 2, "录用")]

    def hire(application):  # not in a pipeline: the decision is the only write, decision.recorded the only event
        return lambda: ev_services.decision_record(actor=hr_admin, application=application, outcome="hire",
                                                   rationale=REASON, **WITHOUT_EVALUATION)

    assert_through_the_event(org, hire(apps[0]), hire(apps[1]))
    assert _hired(position) == 2


def test_a_status_edit_is_counted_from_application_updated(org, hr_admin, position):
    apps = [application_create(actor=hr_admin, candidate=c, position=position) for c in _people(org, 2, "状态")]
    for application in apps:
        ev_services.decision_record(actor=hr_admin, application=application, outcome="hire", rationale=REASON,
                                    **WITHOUT_EVALUATION)
    assert _hired(position) == 2

    def reopen(application):
        return lambda: application_update(actor=hr_admin, application=Application.objects.get(pk=application.pk),
                                          status="active")

    assert_through_the_event(org, reopen(apps[0]), reopen(apps[1]))
    assert _hired(position) == 0


def test_a_merge_and_its_undo_are_counted_from_their_events(org, hr_admin, position):
    """The duplicate's application to the same position is deleted with it (applied goes down); the undo brings it
    back (applied goes up again)."""
    people = _people(org, 4, "合并")
    for candidate in people:
        application_create(actor=hr_admin, candidate=candidate, position=position)
    assert _applied(position) == 4
    merges = []

    def merge(kept, duplicate):
        return lambda: merges.append(candidate_merge(actor=hr_admin, primary=kept, duplicate=duplicate))

    assert_through_the_event(org, merge(people[0], people[1]), merge(people[2], people[3]))
    assert _applied(position) == 2

    def undo(index):
        return lambda: candidate_merge_undo(actor=hr_admin, merge=merges[index])

    assert_through_the_event(org, undo(0), undo(1))
    assert _applied(position) == 4


def test_load_demo_counts_the_funnel_anew_through_the_registered_step(org, hr_admin, position):
    """``load_demo`` calls no analytics service: it runs the steps the apps registered to run after every app's demo
    step (``core.demo.demo_done``), and analytics' rebuilds the aggregates the demo's direct, backdated writes left
    behind."""
    from hirelens.core.demo import DemoContext, demo_done

    for candidate in _people(org, 3, "示例"):
        application_create(actor=hr_admin, candidate=candidate, position=position)
    Application.objects.filter(position=position).update(created_at=datetime(2026, 1, 5, 10, tzinfo=UTC))  # as the demo writes
    stale = snapshot(org.pk)
    assert stale != recounted(org.pk)
    demo_done(DemoContext(organization=org, other_organization=org))
    assert snapshot(org.pk) == recounted(org.pk) != stale
    assert list(FunnelDay.objects.filter(position=position).values_list("day", "applied")) == [
        (date(2026, 1, 5), 3)]
