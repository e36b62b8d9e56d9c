"""Each event the webhooks offer is emitted by the service that makes the change (the same one the pages call), after
the commit, with ids and codes only — and becomes a delivery for a subscribed endpoint."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from hirelens.core import events
from hirelens.webhooks.models import EVENT_LABELS, WebhookDelivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def seen():
    got: list[events.Event] = []
    classes = [events.EVENTS[name] for name in EVENT_LABELS]
    for cls in classes:
        events.subscribe(cls, got.append)
    yield got
    for cls in classes:
        events.unsubscribe(cls, got.append)


def names(seen) -> list[str]:
    return [e.name for e in seen]


def test_candidate_created_and_updated(hr_admin, seen, endpoint_and_secret, django_capture_on_commit_callbacks):
    from hirelens.candidates.services import candidate_create, candidate_update

    with django_capture_on_commit_callbacks(execute=True):
        candidate = candidate_create(actor=hr_admin, full_name="王小明", phone="13800138000", email="wxm@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        candidate_update(candidate=candidate, actor=hr_admin, data={"address": "上海市"})
    assert names(seen) == ["candidate.created", "candidate.updated"]
    assert seen[0] == events.CandidateCreated(organization_id=hr_admin.organization_id, candidate_id=candidate.pk, source="manual")
    assert seen[1].parts == ("profile",) and seen[1].by_candidate is False
    bodies = [d.body for d in WebhookDelivery.objects.order_by("pk")]
    assert [json.loads(b)["type"] for b in bodies] == ["candidate.created", "candidate.updated"]
    assert not any(text in body for body in bodies for text in ("王小明", "13800138000", "wxm@example.com", "上海"))


def test_scorecard_decision_and_pipeline_move(org, hr_admin, interviewer, hiring_manager, seen, django_capture_on_commit_callbacks):
    from hirelens.evaluations import services
    from hirelens.evaluations.tests.factories import build, ratings

    ev = build(org, hr_admin, interviewer, hiring_manager)
    application = ev["application"]
    with django_capture_on_commit_callbacks(execute=True):
        card = services.scorecard_submit(actor=interviewer, application=application, stage=ev["video"], ratings=ratings(4, 4, 4, 4),
                                         recommendation="yes")
    with django_capture_on_commit_callbacks(execute=True):
        decision = services.decision_record(actor=hr_admin, application=application, outcome="advance", rationale="评分卡一致推荐，进入下一轮")
    seen[:] = [e for e in seen if e.name != "message.failed"]  # the feedback to a test candidate without contact details
    assert names(seen) == ["scorecard.submitted", "application.moved", "decision.recorded"]
    assert seen[0] == events.ScorecardSubmitted(organization_id=org.pk, scorecard_id=card.pk, application_id=application.pk,
                                                stage_id=ev["video"].pk, recommendation="yes")
    assert seen[1].application_id == application.pk and seen[1].action == "advance" and seen[1].state == "active"
    assert seen[2] == events.DecisionRecorded(organization_id=org.pk, decision_id=decision.pk, application_id=application.pk,
                                              outcome="advance", stage_id=decision.stage_id, decided_at=seen[2].decided_at)
    assert abs(datetime.fromisoformat(seen[2].decided_at) - decision.created_at) < timedelta(seconds=5)


def test_ai_interview_started_submitted_analysed(org, seen, django_capture_on_commit_callbacks):
    from hirelens.interviews import services
    from hirelens.interviews.models import Answer
    from hirelens.interviews.tests.factories import InterviewSessionFactory

    session = InterviewSessionFactory(application__candidate__organization=org, consents={"recording": True})
    with django_capture_on_commit_callbacks(execute=True):
        services.session_start(session=session, audio_only=False)
        services.session_start(session=session, audio_only=False)  # again (a reload): started once
    for index in range(len(session.questions)):
        Answer.objects.create(organization=org, session=session, question_index=index, status=Answer.Status.COMPLETE,
                              kind=Answer.Kind.TEXT, text="回答")
    with django_capture_on_commit_callbacks(execute=True):
        services.session_submit(session=session)
    with django_capture_on_commit_callbacks(execute=True):
        services.session_mark_analysed_if_done(session_id=session.pk)
    assert names(seen) == ["interview.started", "interview.submitted", "interview.analysed"]
    assert {(e.session_id, e.application_id) for e in seen} == {(session.pk, session.application_id)}


def test_message_failed(org, seen, django_capture_on_commit_callbacks):
    from hirelens.candidates.models import Candidate
    from hirelens.messaging.services.messages import message_deliver, message_send

    candidate = Candidate.objects.create(organization=org, full_name="无联系方式")
    with django_capture_on_commit_callbacks(execute=True):
        message = message_send(organization_id=org.pk, kind="invitation", candidate=candidate,
                               variables={"position": "销售", "link": "https://example.com/i/x", "deadline": "明天"})
        message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status in ("failed", "undeliverable")
    assert names(seen) == ["message.failed"]
    assert seen[0] == events.MessageFailed(organization_id=org.pk, message_id=message.pk, kind="invitation", status=message.status,
                                           candidate_id=candidate.pk)


def test_deletion_done(org, hr_admin, seen, django_capture_on_commit_callbacks):
    from hirelens.candidates.models import Candidate
    from hirelens.core.erasure import erase_candidate

    candidate = Candidate.objects.create(organization=org, full_name="要删除的人")
    with django_capture_on_commit_callbacks(execute=True):
        result = erase_candidate(candidate=candidate, actor=hr_admin, reason="request")
    assert names(seen) == ["deletion.done"]
    assert seen[0] == events.DeletionDone(organization_id=org.pk, candidate_id=candidate.pk, erasure_id=result.erasure_id, reason="request")


def test_interview_scheduled_moved_cancelled_reach_webhooks(org, hr_admin, interviewer, seen, endpoint_and_secret, receiver,
                                                            django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    from hirelens.scheduling import services
    from hirelens.workflows.tests.factories import assign, make_application, make_position

    position = make_position(org, title="销售代表")
    assign(position, interviewer, "interviewer")
    application = make_application(position, "候选人丙")
    start = (timezone.now() + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    with django_capture_on_commit_callbacks(execute=True):
        interview = services.interview_schedule(actor=hr_admin, application=application, start=start, end=start + timedelta(hours=1),
                                                interviewers=[interviewer], time_zone="Asia/Shanghai")
    with django_capture_on_commit_callbacks(execute=True):
        services.interview_cancel(actor=hr_admin, interview=interview, reason="职位暂停")
    assert [n for n in names(seen) if n.startswith("interview.")] == ["interview.scheduled", "interview.cancelled"]
    got = [r.json for r in receiver.requests if r.json["type"].startswith("interview.")]
    assert [g["type"] for g in got] == ["interview.scheduled", "interview.cancelled"]
    assert got[1]["data"] == {"interview_id": interview.pk, "application_id": application.pk, "candidate_id": application.candidate_id}
    assert all(r.signed_by(endpoint_and_secret[1]) for r in receiver.requests)
