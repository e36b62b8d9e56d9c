import hashlib
import re

import pytest
from django.core.files.base import ContentFile

from hirelens.core.models import AuditEvent
from hirelens.core.testing import assert_tenant_isolated
from hirelens.interviews.access import access_session, visible_sessions
from hirelens.interviews.models import Answer, InterviewSession
from hirelens.interviews.services import session_by_token
from hirelens.positions.tests.factories import PositionAssignmentFactory

from .factories import InterviewSessionFactory
from .media import webm_bytes


@pytest.fixture
def session_with_answer(org):
    session = InterviewSessionFactory(application__candidate__organization=org, state="answering")
    data = webm_bytes(2.0)
    answer = Answer(organization=org, session=session, question_index=0, status="complete", size=len(data),
                    sha256=hashlib.sha256(data).hexdigest(), mime_type="video/webm", duration_s=2.0)
    answer.recording.save("x.webm", ContentFile(data), save=False)
    answer.save()
    return session, answer, data


def test_other_organization_sees_nothing(session_with_answer, outsider, client):
    session, answer, _ = session_with_answer
    assert_tenant_isolated(outsider=outsider, objects=[session], access=access_session, access_kwarg="session_id",
                           selectors=[visible_sessions], client=client,
                           urls=[f"/interviews/{session.pk}/", f"/interviews/answers/{answer.pk}/media"])
    assert not AuditEvent.objects.filter(action="read_file").exists()


def test_interviewer_sees_only_assigned_positions(session_with_answer, interviewer, client):
    session, answer, _ = session_with_answer
    client.force_login(interviewer)
    assert client.get(f"/interviews/{session.pk}/").status_code == 404
    PositionAssignmentFactory(position=session.application.position, user=interviewer, role="interviewer")
    assert client.get(f"/interviews/{session.pk}/").status_code == 200


def test_recording_streams_with_ranges_and_is_audited(session_with_answer, hr_admin, client):
    _, answer, data = session_with_answer
    client.force_login(hr_admin)
    response = client.get(f"/interviews/answers/{answer.pk}/media", HTTP_RANGE="bytes=100-199")
    assert response.status_code == 206 and response.content == data[100:200]
    assert response["Content-Range"] == f"bytes 100-199/{len(data)}"
    full = client.get(f"/interviews/answers/{answer.pk}/media")
    assert b"".join(full.streaming_content) == data
    assert client.get(f"/interviews/answers/{answer.pk}/media", HTTP_RANGE=f"bytes={len(data) + 5}-").status_code == 416
    assert AuditEvent.objects.filter(action="read_file", object_type="interviews.answer", actor_id=hr_admin.pk).count() == 3


def test_recruiter_sends_an_interview_and_interviewer_cannot(session_with_answer, recruiter, interviewer, client):
    session, _, _ = session_with_answer
    application = session.application
    client.force_login(recruiter)
    response = client.post(f"/interviews/new/{application.pk}/", {
        "questions": "介绍一下你自己\n为什么选择我们", "practice_question": "三个词", "prep_s": 20, "answer_s": 90,
        "retakes": 1, "extra_prep_s": 30, "valid_days": 5})
    assert response.status_code == 200
    token = re.search(r"/i/([\w-]+)/", response.content.decode()).group(1)
    created = session_by_token(token)
    assert [q["text"] for q in created.questions] == ["介绍一下你自己", "为什么选择我们"]
    assert created.extra_prep_s == 30
    PositionAssignmentFactory(position=application.position, user=interviewer, role="interviewer")
    client.force_login(interviewer)
    before = InterviewSession.objects.count()
    assert client.post(f"/interviews/new/{application.pk}/", {"questions": "x", "prep_s": 1, "answer_s": 10, "retakes": 0,
                                                               "extra_prep_s": 0, "valid_days": 1}).status_code == 403
    assert InterviewSession.objects.count() == before


def test_revoked_link_stops_working(session_with_answer, hr_admin, client):
    session, _, _ = session_with_answer
    from hirelens.interviews.services import _hash

    InterviewSession.objects.filter(pk=session.pk).update(token_hash=_hash("revoke-me"))
    client.force_login(hr_admin)
    assert client.post(f"/interviews/{session.pk}/revoke/").status_code == 302
    page = client.get("/i/revoke-me/")  # the candidate is told plainly that the interview was withdrawn
    assert page.status_code == 410 and "链接已被招聘方撤回" in page.content.decode()
    state = client.get("/i/revoke-me/state")  # and nothing else answers to the link: the page's script is told why
    assert state.status_code == 410 and state.json()["code"] == "link_revoked"
    assert client.get("/i/never-issued/").status_code == 404


def test_session_pages_name_the_candidate(session_with_answer, hr_admin, client):
    session, _, _ = session_with_answer
    candidate = session.application.candidate
    candidate.full_name = "周雨桐"
    candidate.save()
    client.force_login(hr_admin)
    for url in (f"/interviews/{session.pk}/", f"/interviews/new/{session.application_id}/"):
        page = client.get(url).content.decode()
        assert re.search(r'data-testid="candidate-name">周雨桐<', page), url  # a person, not "#id"
