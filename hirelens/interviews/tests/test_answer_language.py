"""Issue 17: the interview's answer language (Mandarin / English / detect per answer) is HR's choice, shown and honoured."""

import importlib

import pytest

from hirelens.interviews.models import InterviewSession

from .factories import InterviewSessionFactory
from .test_invitations import application, send  # noqa: F401, F811 (the fixture)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("chosen", ["zh", "en", "auto"])
def test_hr_chooses_the_answer_language_when_sending_and_the_page_names_it(client, recruiter, application, smtp_server, chosen):  # noqa: F811
    client.force_login(recruiter)
    form = client.get(f"/interviews/new/{application.pk}/").content.decode()
    assert "回答语言（语音识别）" in form and "按每个回答自动识别（含中英混说）" in form
    session, _token, _page = send(client, application, answer_language=chosen)
    assert session.answer_language == chosen
    page = client.get(f"/interviews/{session.pk}/").content.decode()
    shown = {"zh": "普通话", "en": "英语", "auto": "按每个回答自动识别（含中英混说）"}[chosen]
    assert f'data-testid="answer-language">{shown}</span>' in page
    client.cookies["django_language"] = "en"
    english = client.get(f"/interviews/{session.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert {"zh": "Mandarin", "en": "English", "auto": "Detect per answer"}[chosen] in english


def test_an_unknown_answer_language_is_refused_on_the_form(client, recruiter, application):  # noqa: F811
    client.force_login(recruiter)
    response = client.post(f"/interviews/new/{application.pk}/", {"use_stage": "1", "answer_language": "fr"})
    assert response.status_code == 400
    assert not InterviewSession.objects.filter(application=application).exists()


def test_interviews_held_in_english_before_the_field_keep_english_analysis(org):
    migration = importlib.import_module("hirelens.interviews.migrations.0007_session_answer_language")
    english = InterviewSessionFactory(application__candidate__organization=org, language="en")
    chinese = InterviewSessionFactory(application__candidate__organization=org, language="zh-hans")
    from django.apps import apps

    migration.english_interviews_keep_english(apps, None)
    english.refresh_from_db()
    chinese.refresh_from_db()
    assert (english.answer_language, chinese.answer_language) == ("en", "auto")
