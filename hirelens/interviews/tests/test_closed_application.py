"""An AI interview is sent only for an open application (issue 23 §7): the pages offer it by ``Application.is_open``
and ``session_create`` (under ``session_send``, the page and the API) refuses a decided or withdrawn application with a
message in the reader's language; the API answers it as a 422."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from hirelens.candidates.models import Application
from hirelens.integrations.testing import api_client, make_api_key
from hirelens.interviews import services
from hirelens.interviews.models import InterviewSession
from hirelens.workflows.tests.factories import make_application, make_position

pytestmark = pytest.mark.django_db

QUESTIONS = [{"text": "你为什么想加入我们？", "answer_s": 60, "retakes": 0}]


@pytest.fixture
def application(org):
    return make_application(make_position(org, title="后端工程师"), "王小明")


@pytest.mark.parametrize("status", Application.Status.values)
def test_the_service_follows_application_is_open(application, recruiter, status):
    Application.objects.filter(pk=application.pk).update(status=status)
    application.refresh_from_db()
    if application.is_open:
        session, _token, _message = services.session_send(actor=recruiter, application=application, questions=QUESTIONS)
        assert session.application_id == application.pk
        return
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.session_send(actor=recruiter, application=application, questions=QUESTIONS)
    assert exc.value.error_list[0].code == "application_closed"
    assert exc.value.messages == [f"这份申请的状态是“{application.get_status_display()}”，招聘已结束，不能再发送AI面试。"]
    assert not InterviewSession.objects.exists()


def test_the_api_answers_a_closed_application_with_422_in_the_callers_language(application, recruiter):
    Application.objects.filter(pk=application.pk).update(status=Application.Status.HIRED)
    _key, token = make_api_key(recruiter, None)
    url = f"/api/v1/interviews/applications/{application.pk}/sessions"
    zh = api_client(token, "zh-hans").post(url, {"questions": QUESTIONS}, content_type="application/json")
    assert zh.status_code == 422 and zh["Content-Type"] == "application/problem+json"
    assert zh.json()["detail"] == "这份申请的状态是“已录用”，招聘已结束，不能再发送AI面试。"
    en = api_client(token, "en").post(url, {"questions": QUESTIONS}, content_type="application/json")
    assert en.status_code == 422
    assert en.json()["detail"] == "This application is “Hired”: recruiting for it has ended, so no AI interview can be sent."
    assert not InterviewSession.objects.exists()
