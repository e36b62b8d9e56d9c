"""Every list page and list API that names candidates costs the same few queries and ONE bulk audit entry,
whatever the number of rows (issue 16 §1): built with 3 rows and with 30, the same bound holds.

Each row of ``LISTS`` is a URL (``{position}`` is filled in) and whether it shows names; a list that shows names
must show every listed person's name (not ``#id``) and write exactly one read entry naming each of them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from hirelens.candidates.tests.factories import ApplicationFactory, CandidateFactory
from hirelens.core.audit import audit_record, audit_verify_chain
from hirelens.core.models import AuditEvent, audit_chain_key
from hirelens.feedback.models import FeedbackCase
from hirelens.feedback.services import survey_rules_ensure
from hirelens.interviews.models import CandidateRequest
from hirelens.interviews.tests.factories import InterviewSessionFactory
from hirelens.messaging.models import Message, Reminder, Ticket
from hirelens.positions.tests.factories import PositionFactory
from hirelens.scheduling.models import Interview, InterviewSlot
from hirelens.workflows.services import pipeline_start
from hirelens.workflows.tests.factories import assign, published_process

pytestmark = pytest.mark.django_db

MAX_QUERIES = 14  # "under 15", the session and user lookups included

# url -> how many of the n built candidates the page lists by name
LISTS: dict[str, Callable[[int], int]] = {
    "/candidates/": lambda n: min(n, 20),  # a page of 20
    "/api/v1/candidates/?limit=50": lambda n: n,
    "/interviews/": lambda n: min(n, 20),
    "/interviews/requests/": lambda n: min(n, 25),  # candidates' requests, a page of 25
    "/messaging/": lambda n: n,
    "/messaging/reminders/": lambda n: n,
    "/messaging/helpdesk/": lambda n: n,
    "/candidates/duplicates/": lambda n: n // 2 * 2,  # pairs share a phone number
    "/processes/position/{position}/board/": lambda n: min(n, 20),  # a column's first page (issue 22)
    "/scheduling/position/{position}/": lambda n: min(n, 20),  # a page of 20 interviews and of 20 slots (issue 22)
    "/scheduling/interviews/": lambda n: min(n, 20),  # the organization's interviews, a page of 20
    "/scheduling/availability/": lambda n: min(n, 10),  # "my interviews": the next ten
    "/evaluations/": lambda n: n,
    "/feedback/": lambda n: n,  # overdue results
    "/api/v1/scheduling/interviews": lambda n: min(n, 20),  # a page of 20, with the candidates' names (issue 21)
    "/api/v1/scheduling/slots?limit=50": lambda n: n,  # each slot is offered to one application here
    "/api/v1/applications/?limit=50": lambda n: n,
    "/api/v1/positions/": lambda n: 0,
    "/": lambda n: 0,  # counts and the latest audit entries, no names
    "/audit/": lambda n: 0,
}


def _build(org, actor, n: int):
    position = PositionFactory(organization=org, title="数据分析师")
    _process, version = published_process(actor, position)
    stage = version.stages.order_by("order").first()
    survey_rules_ensure(organization_id=org.pk)  # the default rules, made on the feedback page's first visit
    now = timezone.now()
    people = []
    for i in range(n):
        # pairs share a phone number: n // 2 duplicate groups
        candidate = CandidateFactory(organization=org, full_name=f"测试者{i:02d}", phone=f"1380000{i // 2:04d}")
        application = ApplicationFactory(candidate=candidate, position=position, organization=org)
        session = InterviewSessionFactory(application=application, stage=stage)
        CandidateRequest.objects.create(organization=org, session=session, kind=CandidateRequest.Kind.EXTRA_TIME, details="")
        Message.objects.create(organization=org, kind="invitation", candidate=candidate, subject="面试邀请", body="请参加面试")
        Reminder.objects.create(organization=org, subject_type="scheduling.interview", subject_id=str(i), candidate=candidate,
                                starts_at=now + timedelta(days=1), offset_minutes=60, due_at=now + timedelta(hours=23))
        Ticket.objects.create(organization=org, candidate=candidate, source=Ticket.Source.WEB, last_message_at=now - timedelta(minutes=i))
        interview = Interview.objects.create(organization=org, application=application, title="技术面试", uid=f"list-cost-{i}",
                                             start_at=now + timedelta(days=1, hours=i), end_at=now + timedelta(days=1, hours=i, minutes=45),
                                             time_zone="Asia/Shanghai", created_by=actor)
        interview.interviewers.add(actor)
        InterviewSlot.objects.create(organization=org, position=position, application=application, start_at=interview.start_at,
                                     end_at=interview.end_at, time_zone="Asia/Shanghai", status=InterviewSlot.Status.BOOKED)
        pipeline_start(actor=actor, application=application)
        FeedbackCase.objects.create(organization=org, application=application, position=position, stage_key="screen",
                                    opened_at=now - timedelta(days=3), due_at=now - timedelta(days=2))
        people.append(candidate)
    return position, people


@pytest.mark.parametrize("n", [3, 30])
@pytest.mark.parametrize("url", list(LISTS))
def test_list_costs_the_same_whatever_the_page_size(client, hr_admin, org, n, url, django_assert_max_num_queries):
    position, people = _build(org, hr_admin, n)
    expected = LISTS[url](n)
    url = url.format(position=position.pk)
    client.force_login(hr_admin)
    audit_record(action="login", actor=hr_admin, obj=hr_admin)  # the chain exists, as after any sign-in
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    text = json.dumps(response.json(), ensure_ascii=False) if url.startswith("/api/") else response.content.decode()
    entries = list(AuditEvent.objects.filter(pk__gt=last))
    shown = {c.pk for c in people if c.full_name in text}
    assert len(shown) == expected, f"{url} shows {len(shown)} of the {n} names, expected {expected}"
    if expected == 0:
        assert entries == []
    else:
        assert [(e.action, e.object_type, e.object_id) for e in entries] == [("read", "candidates.candidate", "")]
        assert sorted(entries[0].targets) == sorted(f"candidates.candidate:{pk}" for pk in shown)
    assert audit_verify_chain(audit_chain_key(org.pk)).ok


# what an interviewer assigned to the position opens; stage permissions are checked per position, not per row
INTERVIEWER_LISTS: dict[str, Callable[[int], int]] = {
    "/candidates/": lambda n: min(n, 20),
    "/api/v1/candidates/?limit=50": lambda n: n,
    "/interviews/": lambda n: min(n, 20),
    "/interviews/requests/": lambda n: min(n, 25),
    "/processes/position/{position}/board/": lambda n: min(n, 20),  # a column's first page (issue 22)
    "/scheduling/position/{position}/": lambda n: min(n, 20),
    "/scheduling/interviews/": lambda n: min(n, 20),
    "/evaluations/": lambda n: n,
    "/api/v1/scheduling/interviews": lambda n: min(n, 20),
    "/api/v1/applications/?limit=50": lambda n: n,
}


@pytest.mark.parametrize("n", [3, 30])
@pytest.mark.parametrize("url", list(INTERVIEWER_LISTS))
def test_an_interviewers_lists_cost_the_same(client, hr_admin, interviewer, org, n, url, django_assert_max_num_queries):
    position, people = _build(org, hr_admin, n)
    assign(position, interviewer)
    expected = INTERVIEWER_LISTS[url](n)
    url = url.format(position=position.pk)
    client.force_login(interviewer)
    audit_record(action="login", actor=interviewer, obj=interviewer)
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    text = json.dumps(response.json(), ensure_ascii=False) if url.startswith("/api/") else response.content.decode()
    shown = {c.pk for c in people if c.full_name in text}
    assert len(shown) == expected, f"{url} shows {len(shown)} of the {n} names, expected {expected}"
    entries = list(AuditEvent.objects.filter(pk__gt=last))
    assert [(e.actor_id, sorted(e.targets)) for e in entries] == (
        [(interviewer.pk, sorted(f"candidates.candidate:{pk}" for pk in shown))] if expected else [])
