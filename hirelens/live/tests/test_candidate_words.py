"""The candidate's join page after the screenshots (issue 19): an interview with scheduling's default title reads in
the page's language ("Interview · 销售代表", not "面试 · …" in English), its time is in the candidate pages' one
format, and the consents come in the AI interview's order: recording, AI analysis, biometric."""

import re

import pytest
from django.test import Client

from hirelens.core.timezones import when_text

from .room_setup import ensure_notices, live_interview

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(org, hr_admin, interviewer):
    ensure_notices()
    org.facial_analysis_enabled = True
    org.save(update_fields=["facial_analysis_enabled"])
    return live_interview(org, hr_admin, [interviewer])


@pytest.mark.parametrize(("language", "title"), [("zh-hans", "面试 · 销售代表"), ("en", "Interview · 销售代表")])
def test_the_default_title_the_time_and_the_consent_order(live, language, title):
    room, token = live
    client = Client()
    client.cookies["django_language"] = language
    html = client.get(f"/live/join/{token}/").content.decode()
    assert room.interview.title == "面试 · 销售代表"  # stored once, shown in the reader's language
    assert f"<h1>{title}</h1>" in html and f'<h1 class="sr-only">{title}</h1>' in html
    if language == "en":
        assert "面试 ·" not in html
    interview = room.interview
    assert when_text(interview.start_at, "Asia/Shanghai", end=interview.end_at, language=language) in html
    assert re.findall(r'data-consent="(\w+)"', html) == ["recording", "ai_analysis", "biometric"]
