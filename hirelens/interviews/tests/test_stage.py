"""W1/W2 meet I1: an AI-video stage of the process supplies the questions, and its permissions guard the answers."""

import re

import pytest

from hirelens.interviews.models import InterviewSession
from hirelens.interviews.services import _hash, session_by_token
from hirelens.workflows import services as workflows
from hirelens.workflows.tests.factories import assign, make_application, make_position


@pytest.fixture
def application_at_ai_stage(org, hr_admin):
    position = make_position(org)
    process = workflows.process_create(actor=hr_admin, position=position, starter="sales")
    version = workflows.process_draft(process)
    stage = version.stages.order_by("order").first()
    workflows.stage_update(actor=hr_admin, stage=stage, view_roles=["hiring_manager"])  # only hiring managers see it
    workflows.process_publish(actor=hr_admin, process=process)
    application = make_application(position)
    workflows.pipeline_start(actor=hr_admin, application=application)
    return application


def test_interview_from_the_stage_questions(client, recruiter, application_at_ai_stage):
    client.force_login(recruiter)
    page = client.get(f"/interviews/new/{application_at_ai_stage.pk}/").content.decode()
    assert 'data-testid="stage-plan"' in page and "请分享一次你超额完成销售目标的经历。" in page
    response = client.post(f"/interviews/new/{application_at_ai_stage.pk}/", {"use_stage": "1"})
    token = re.search(r"/i/([\w-]+)/", response.content.decode()).group(1)
    session = session_by_token(token)
    assert session.stage.module == "ai_video" and session.title == "AI视频面试"
    assert session.questions[0] == {"text": "请分享一次你超额完成销售目标的经历。", "prep_s": 30, "answer_s": 120, "retakes": 1}
    assert session.practice_question == "练习题：用三个词描述你自己。"


def test_stage_permissions_guard_the_session(client, hr_admin, interviewer, hiring_manager, application_at_ai_stage):
    position = application_at_ai_stage.position
    assign(position, interviewer, "interviewer")
    assign(position, hiring_manager, "hiring_manager")
    stage = application_at_ai_stage.progress.stage
    session = InterviewSession.objects.create(
        organization=position.organization, application=application_at_ai_stage, stage=stage, questions=[{"text": "q"}],
        token_hash=_hash("stage-token"), expires_at="2099-01-01T00:00:00Z")
    client.force_login(interviewer)
    assert client.get(f"/interviews/{session.pk}/").status_code == 404  # assigned, but not to this stage
    assert 'data-testid="session-row"' not in client.get("/interviews/").content.decode()
    client.force_login(hiring_manager)
    assert client.get(f"/interviews/{session.pk}/").status_code == 200
    assert client.get("/interviews/").content.decode().count('data-testid="session-row"') == 1
