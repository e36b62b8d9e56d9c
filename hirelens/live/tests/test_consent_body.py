"""The candidate's consent POST reads its JSON body through a schema (issue 23 §4): a body that is not
``{"accepted": {kind: true | false}}`` is a clear 400 in the candidate's language and changes nothing."""

import json

import pytest
from django.test import Client

from hirelens.live.models import LiveRoom

from .room_setup import ensure_notices, live_interview

BAD = {"zh-hans": "授权内容格式不正确，请刷新页面后重试。",
       "en": "The consent could not be read. Please reload the page and try again."}


@pytest.fixture
def live(org, hr_admin, interviewer):
    ensure_notices()
    return live_interview(org, hr_admin, [interviewer])


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("body", ["{not json", "[]", '"yes"', '{"accepted": []}', '{"accepted": "all"}',
                                  '{"accepted": {"recording": "maybe"}}', '{"accepted": {"recording": 1}}'])
def test_a_malformed_body_is_a_clear_400(live, language, body):
    room, token = live
    client = Client()
    client.cookies["django_language"] = language
    client.get(f"/live/join/{token}/")
    response = client.post(f"/live/{room.pk}/consent/", data=body, content_type="application/json")
    assert response.status_code == 400 and response.json() == {"error": BAD[language]}
    assert LiveRoom.objects.get(pk=room.pk).consents == {}
    ok = client.post(f"/live/{room.pk}/consent/", data=json.dumps({"accepted": {"recording": True, "ai_analysis": False}}),
                     content_type="application/json")
    assert ok.status_code == 200 and ok.json()["consents"]["recording"] is True
    assert ok.json()["consents"]["ai_analysis"] is False
