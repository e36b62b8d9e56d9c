"""The room's pages through the Django test client: the interviewers' room, the candidate's join page, the consent
POST, ended rooms and dead links, in Chinese and English."""

import json

import pytest
from django.test import Client

from hirelens.live import services
from hirelens.live.access import SESSION_ROOMS_KEY
from hirelens.live.models import LiveRoom

from .room_setup import CANDIDATE, ensure_notices, live_interview


@pytest.fixture
def live(org, hr_admin, interviewer):
    ensure_notices()
    return live_interview(org, hr_admin, [interviewer])


def _client(user=None, language="zh-hans"):
    client = Client()
    client.cookies["django_language"] = language
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("language,text", [("zh-hans", "允许进入"), ("en", "Admit")])
def test_interviewer_room_page(live, interviewer, language, text):
    room, _token = live
    stage = room.interview
    response = _client(interviewer, language).get(f"/live/{room.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="room"' in html and f'data-room-id="{room.pk}"' in html and 'data-role="interviewer"' in html
    assert CANDIDATE in html and interviewer.full_name in html and stage.application.position.title in html
    assert 'id="notes-form"' in html and 'data-tag="clear"' in html and 'id="panel"' in html
    assert 'data-action="end"' in html and 'data-action="screen"' in html and 'video id="self-view"' in html
    assert text in html  # the strings room.js shows come translated
    assert ("表达清晰" if language == "zh-hans" else "Clear answers") in html


def test_interview_page_links_to_the_room_which_is_created_once(live, interviewer):
    room, _token = live
    client = _client(interviewer)
    page = client.get(f"/scheduling/interviews/{room.interview_id}/").content.decode()
    assert f'href="/live/interview/{room.interview_id}/"' in page and "进入面试间" in page
    response = client.get(f"/live/interview/{room.interview_id}/")
    assert response.status_code == 302 and response["Location"] == f"/live/{room.pk}/"
    assert LiveRoom.objects.filter(interview=room.interview).count() == 1


def test_other_tenant_and_unassigned_staff_get_404(live, outsider, org):
    from hirelens.accounts.tests.factories import UserFactory

    room, _token = live
    unassigned = UserFactory(organization=org, role="interviewer", email="nobody@example.com")
    for user in (outsider, unassigned):
        client = _client(user)
        assert client.get(f"/live/{room.pk}/").status_code == 404
        assert client.get(f"/live/interview/{room.interview_id}/").status_code == 404
    assert _client().get(f"/live/{room.pk}/").status_code == 302  # anonymous: to the sign-in page


@pytest.mark.parametrize("language,title", [("zh-hans", "授权同意"), ("en", "Consent")])
def test_candidate_join_page_grants_the_room_and_asks_consent(live, language, title):
    room, token = live
    client = _client(language=language)
    response = client.get(f"/live/join/{token}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-role="candidate"' in html and 'data-state="waiting"' in html
    assert title in html and 'data-consent="recording"' in html and 'data-consent="ai_analysis"' in html
    assert 'id="consent-next"' in html and 'id="device-check"' in html and 'id="join-btn"' in html
    assert 'id="waiting"' in html and 'id="voice-only-banner"' in html and 'id="question-form"' in html
    assert 'id="notes-form"' not in html and 'id="panel"' not in html  # nothing of the interviewers' side
    assert client.session[SESSION_ROOMS_KEY] == [room.pk]


def test_candidate_link_page_shows_the_room_button(live):
    room, token = live
    html = _client().get(f"/scheduling/l/{token}/").content.decode()
    assert f'href="/live/join/{token}/"' in html and "进入面试间" in html


def test_consent_post(live):
    room, token = live
    client = _client()
    url = f"/live/{room.pk}/consent/"
    assert client.post(url, data="{}", content_type="application/json").status_code == 404  # no link opened yet
    client.get(f"/live/join/{token}/")
    declined = client.post(url, data=json.dumps({"accepted": {"recording": True}}), content_type="application/json")
    assert declined.status_code == 200 and declined.json()["consents"]["ai_analysis"] is False  # nothing is required
    ok = client.post(url, data=json.dumps({"accepted": {"recording": True, "ai_analysis": True}}), content_type="application/json")
    assert ok.status_code == 200 and ok.json()["consents"]["recording"] is True
    room.refresh_from_db()
    assert room.consents["ai_analysis"] is True
    assert 'data-consented="1"' in client.get(f"/live/join/{token}/").content.decode()


@pytest.mark.parametrize("language,text", [("zh-hans", "面试已结束"), ("en", "The interview has ended")])
def test_ended_room_refuses_everyone(live, interviewer, language, text):
    room, token = live
    services.room_end(actor=interviewer, room=room)
    for response in (_client(language=language).get(f"/live/join/{token}/"), _client(interviewer, language).get(f"/live/{room.pk}/")):
        assert response.status_code == 410
        assert text in response.content.decode()


@pytest.mark.parametrize("language,text", [("zh-hans", "无法识别这个链接"), ("en", "Link not recognised")])  # the dead-link page (issue 19)
def test_wrong_token(db, language, text):
    response = _client(language=language).get("/live/join/not-a-token/")
    assert response.status_code == 404 and text in response.content.decode()


def test_expired_and_interviewer_links(live, interviewer):
    from django.utils import timezone

    from hirelens.scheduling.links import link_issue
    from hirelens.scheduling.models import InterviewLink

    room, token = live
    InterviewLink.objects.filter(interview=room.interview, kind="candidate").update(expires_at=timezone.now())
    response = _client(language="en").get(f"/live/join/{token}/")
    assert response.status_code == 410 and "expired" in response.content.decode()
    _link, staff_token = link_issue(application=room.application, interview=room.interview, kind=InterviewLink.Kind.INTERVIEWER,
                                    user=interviewer)
    assert _client().get(f"/live/join/{staff_token}/").status_code == 403  # not the candidate's link


def test_ice_breakers_of_the_live_stage_and_no_room_for_other_stages(org, hr_admin, interviewer):
    from datetime import timedelta

    from django.utils import timezone

    from hirelens.scheduling import services as scheduling
    from hirelens.workflows.tests.factories import assign, make_application, make_position, published_process

    ensure_notices()
    position = make_position(org, title="后端工程师")
    assign(position, interviewer, "interviewer")
    _process, version = published_process(hr_admin, position)
    stages = list(version.stages.order_by("order"))
    live_stage = next(s for s in stages if s.module == "live")
    other_stage = next(s for s in stages if s.module != "live")
    application = make_application(position, "钱多多")
    start = timezone.now() + timedelta(days=1)

    def schedule(stage, hours):
        at = (start + timedelta(hours=hours)).astimezone(timezone.get_current_timezone())
        return scheduling.interview_schedule(actor=hr_admin, application=application, start=at.replace(second=0, microsecond=0),
                                             end=(at + timedelta(minutes=45)).replace(second=0, microsecond=0),
                                             interviewers=[interviewer], stage=stage, time_zone="UTC")

    live, other = schedule(live_stage, 0), schedule(other_stage, 3)
    client = _client(interviewer)
    room_url = client.get(f"/live/interview/{live.pk}/")["Location"]
    html = client.get(room_url).content.decode()
    assert 'id="ice-breakers"' in html
    for prompt in live_stage.settings["ice_breakers"]:
        assert prompt in html
    assert client.get(f"/live/interview/{other.pk}/").status_code == 404
    assert "进入面试间" not in client.get(f"/scheduling/interviews/{other.pk}/").content.decode()


def test_interviewer_link_page_leads_to_the_staff_room(live, interviewer):
    from hirelens.scheduling.links import link_issue
    from hirelens.scheduling.models import InterviewLink

    room, _token = live
    _link, staff_token = link_issue(application=room.application, interview=room.interview, kind=InterviewLink.Kind.INTERVIEWER,
                                    user=interviewer)
    html = _client().get(f"/scheduling/l/{staff_token}/").content.decode()
    assert f'href="/live/interview/{room.interview_id}/"' in html
    response = _client().get(f"/live/interview/{room.interview_id}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
