"""The due list in SQL (issue 22: the retention page took 82 s at 20,000 candidates, a loop with queries per closed
candidate): the longest limit of a candidate's positions' jurisdictions, holds, the order, and a page that costs the
same queries with 3 or 30 due candidates."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hirelens.candidates.models import Application
from hirelens.candidates.tests.factories import ApplicationFactory, CandidateFactory
from hirelens.core.models import RetentionHold, RetentionPolicy
from hirelens.positions.tests.factories import PositionFactory
from hirelens.privacy.retention import retention_due, retention_due_rows

pytestmark = pytest.mark.django_db


def _apply(candidate, position, *, days_ago: int, status=Application.Status.REJECTED):
    application = ApplicationFactory(candidate=candidate, position=position, organization=candidate.organization)
    when = timezone.now() - timedelta(days=days_ago)
    Application.objects.filter(pk=application.pk).update(status=status, updated_at=when)
    return application, timezone.localdate(when)


def test_the_longest_limit_of_the_positions_holds_and_the_order(org):
    RetentionPolicy.objects.create(organization=org, jurisdiction="eu", candidates_days=400, recordings_days=400, analyses_days=400)
    china = PositionFactory(organization=org, jurisdiction="cn")  # no row of its own: the organization's default (365)
    europe = PositionFactory(organization=org, jurisdiction="eu")
    today = timezone.localdate()

    overdue = CandidateFactory(organization=org, full_name="过期")
    _app, overdue_closed = _apply(overdue, china, days_ago=370)
    both = CandidateFactory(organization=org, full_name="两地")
    first, _ = _apply(both, china, days_ago=390)
    second, both_closed = _apply(both, europe, days_ago=370)  # the last to close starts the clock; the EU limit is longer
    held = CandidateFactory(organization=org, full_name="保全")
    _apply(held, china, days_ago=380)
    RetentionHold.objects.create(organization=org, candidate_id=held.pk, until=today + timedelta(days=3), reason="诉讼")
    RetentionHold.objects.create(organization=org, candidate_id=held.pk, until=today + timedelta(days=10), reason="诉讼")
    still_open = CandidateFactory(organization=org, full_name="在途")
    _apply(still_open, china, days_ago=400)
    _apply(still_open, europe, days_ago=400, status=Application.Status.ACTIVE)

    assert [(i.candidate_id, i.kind, i.due_on) for i in retention_due(organization_id=org.pk)] == [
        (overdue.pk, "candidate", overdue_closed + timedelta(days=365))]
    month = retention_due(organization_id=org.pk, within_days=30)
    assert [(i.candidate_id, i.due_on, i.held_until) for i in month] == [
        (overdue.pk, overdue_closed + timedelta(days=365), None),
        (held.pk, today + timedelta(days=10), today + timedelta(days=10)),  # the latest hold
        (both.pk, both_closed + timedelta(days=400), None)]
    assert month[2].closed_on == both_closed and month[2].application_ids == (first.pk, second.pk)


def _page_queries(client, n: int) -> int:
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/settings/retention/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200 and page.content.decode().count('data-testid="due-row"') == min(n, 25)
    return len(queries)


def test_the_page_costs_the_same_queries_for_3_or_30_due_candidates(client, org, hr_admin):
    position = PositionFactory(organization=org)
    people = [CandidateFactory(organization=org, full_name=f"到期{i:02d}") for i in range(30)]
    for i, person in enumerate(people[:3]):
        _apply(person, position, days_ago=380 + i)
    client.force_login(hr_admin)
    client.get("/settings/retention/")  # the first request's one-off queries (the audit chain's head, ...)
    few = _page_queries(client, 3)
    for i, person in enumerate(people[3:]):
        _apply(person, position, days_ago=383 + i)
    assert _page_queries(client, 30) == few
    rows, total, number = retention_due_rows(organization_id=org.pk, within_days=30).page(number=9, per_page=25)
    assert (total, number) == (30, 2) and [row[0] for row in rows] == [p.pk for p in reversed(people[:5])]  # oldest first
    last = client.get("/settings/retention/?page=9").content.decode()
    assert last.count('data-testid="due-row"') == 5 and "第 2 / 2 页" in last
