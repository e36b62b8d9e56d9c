"""Incidents in the live room (I4), through the interviewers' HTTP endpoints: the backup link delivered over the
local WeChat contract server and opening the candidate's room page, the e-mail fall-back over a real SMTP server,
voice only on the room's groups, the late and substitute notices with the new time in the candidate's zone,
clear refusals that change nothing, and the candidate's help-desk report shown inside the room."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from channels.layers import get_channel_layer
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import SMTPSink
from hirelens.accounts.tests.factories import UserFactory
from hirelens.live import services as live_services
from hirelens.live.access import SESSION_ROOMS_KEY
from hirelens.live.models import LiveRoom, RoomEvent, RoomIncident
from hirelens.messaging.models import ChannelAccount, Message
from hirelens.messaging.rendering import format_time
from hirelens.messaging.services.helpdesk import help_link_token
from hirelens.messaging.tests.factories import WeChatBindingFactory
from hirelens.messaging.tests.fake_wechat import FakeWeChat
from hirelens.scheduling.models import Interview, InterviewLink
from hirelens.workflows.tests.factories import assign, make_application, make_position, published_process

pytestmark = [pytest.mark.django_db, pytest.mark.realtime]

ZONE = "Europe/Berlin"  # the candidate's zone (the interview's): not the organization's Asia/Shanghai


@pytest.fixture
def position(org, interviewer, hiring_manager):
    position = make_position(org, title="销售代表")
    assign(position, interviewer, "interviewer")
    assign(position, hiring_manager, "hiring_manager")
    return position


@pytest.fixture
def substitute(org, position):
    user = UserFactory(organization=org, role="interviewer", email="zhou.min@example.com", full_name="周敏")
    assign(position, user, "interviewer")
    return user


@pytest.fixture
def live_stage(hr_admin, position):
    _process, version = published_process(hr_admin, position, "sales")
    return version.stages.get(module="live")


@pytest.fixture
def candidate_application(position):
    application = make_application(position, "孙悦")
    candidate = application.candidate
    candidate.email = "sun.yue@example.com"
    candidate.save()
    return application


@pytest.fixture
def room(org, hr_admin, interviewer, live_stage, candidate_application):
    start = (timezone.now() + timedelta(minutes=5)).replace(second=0, microsecond=0)
    interview = Interview.objects.create(organization=org, application=candidate_application, stage=live_stage, title="终面",
                                         start_at=start, end_at=start + timedelta(minutes=45), time_zone=ZONE,
                                         created_by=hr_admin)
    interview.interviewers.add(interviewer)
    return live_services.room_for_interview(interview=interview)


@pytest.fixture
def fake_wechat(settings):
    fake = FakeWeChat().start()
    settings.WECHAT_API_BASE = fake.url
    settings.WECOM_API_BASE = fake.url
    settings.MESSAGING_HTTP_TIMEOUT = 2.0
    fake.templates.add("TPL-LIVE")
    yield fake
    fake.stop()


@pytest.fixture
def wechat_account(org, fake_wechat):
    fields = {"thing1": "{position}", "time2": "{time}"}
    return ChannelAccount.objects.create(
        organization=org, provider="wechat", app_id=fake_wechat.app_id, secret=fake_wechat.secret,
        templates={kind: {"template_id": "TPL-LIVE", "fields": fields}
                   for kind in ("backup_link", "voice_only", "delay", "substitute")})


def staff(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def report(client, room, kind, data=None, *, capture):
    with capture(execute=True):  # the message is delivered after commit (Huey runs immediately in tests)
        return client.post(reverse("live:incident_report", args=[room.pk, kind]), data or {})


def state(client, room):
    response = client.get(reverse("live:incidents", args=[room.pk]))
    assert response.status_code == 200
    return response.json()


class Listener:
    """A real member of the room's channel-layer groups, as a browser's socket is. Everything it does runs on one
    event loop of its own (channels_redis binds a channel's receive queue to the loop that first read it)."""

    def __init__(self, group: str):
        import asyncio
        import threading

        self.layer = get_channel_layer()
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()
        self.channel = self._run(self.layer.new_channel())
        self._run(self.layer.group_add(group, self.channel))

    def _run(self, coroutine):
        import asyncio

        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(30)

    def receive_all(self) -> list[dict]:
        async def drain():
            import asyncio

            out = []
            while True:
                try:
                    out.append(await asyncio.wait_for(self.layer.receive(self.channel), 0.2))
                except TimeoutError:
                    return out
        return self._run(drain())


# --- network poor: the backup link ---------------------------------------------------------------

def test_backup_link_goes_over_wechat_and_opens_the_candidates_room(room, interviewer, fake_wechat, wechat_account,
                                                                     smtp_server, django_capture_on_commit_callbacks):
    binding = WeChatBindingFactory(candidate=room.application.candidate)
    fake_wechat.followers.add(binding.openid)
    staff_events = Listener(live_services.staff_group(room.pk))

    client = staff(interviewer)
    response = report(client, room, "network", capture=django_capture_on_commit_callbacks)

    assert response.status_code == 200
    # answered at once, before the worker delivered it: queued; the page's next poll shows it sent
    row = response.json()["incidents"][0]
    assert (row["kind"], row["status"], row["status_label"], row["channel"]) == ("network", "queued", "排队发送中", "")
    incident = RoomIncident.objects.get(room=room)
    assert incident.kind == "network" and incident.actor == interviewer and incident.detail["source"] == "room"
    assert incident.message.kind == "backup_link" and incident.message.status == Message.Status.SENT
    assert incident.message.channel == "wechat_template"
    row = state(client, room)["incidents"][0]
    assert (row["kind"], row["status"], row["status_label"], row["channel"]) == ("network", "sent", "已发送", "微信模板消息")
    assert row["actor"] == interviewer.full_name and row["kind_label"] == "候选人网络不佳：发送备用链接"
    assert smtp_server.messages == []  # WeChat first: no e-mail
    sent = fake_wechat.sent_to("template")
    assert len(sent) == 1 and sent[0]["touser"] == binding.openid and sent[0]["data"]["thing1"]["value"] == "销售代表"
    # the delivered link is a fresh backup link that opens the candidate's room page
    url = sent[0]["url"]
    assert url == incident.detail["backup_url"] and urlsplit(url).path.startswith("/live/join/")
    assert InterviewLink.objects.filter(interview=room.interview, kind="backup").count() == 1
    candidate_browser = Client()
    page = candidate_browser.get(urlsplit(url).path)
    assert page.status_code == 200 and page.templates[0].name == "live/candidate.html"
    assert candidate_browser.session[SESSION_ROOMS_KEY] == [room.pk]
    # on the timeline, and told to the interviewers' group only
    event = RoomEvent.objects.get(room=room, kind="incident")
    assert event.actor == interviewer and event.data == {"incident": incident.pk, "kind": "network"}
    assert staff_events.receive_all() == [{"type": "room.event", "event": "incident",
                                            "payload": {"incident": incident.pk, "kind": "network"}}]


def test_backup_link_falls_back_to_email_over_real_smtp(room, interviewer, fake_wechat, wechat_account, smtp_server,
                                                         django_capture_on_commit_callbacks):
    # the candidate follows no official account: WeChat is skipped, the e-mail carries the link
    response = report(staff(interviewer), room, "network", capture=django_capture_on_commit_callbacks)

    assert response.status_code == 200
    message = RoomIncident.objects.get(room=room).message
    assert message.channel == "email"
    assert [(a.channel, a.status) for a in message.attempts.all()][-1] == ("email", "sent")
    mail = smtp_server.wait_for(1)[0]
    assert mail["To"] == "sun.yue@example.com" and mail["Subject"] == "备用面试链接：销售代表"
    text = SMTPSink.text_of(mail)
    assert "孙悦，您好！如果原链接无法打开，请使用备用链接进入「销售代表」的面试：" in text
    link = re.search(r"https?://\S+/live/join/\S+/", text).group(0)
    assert Client().get(urlsplit(link).path).status_code == 200
    assert fake_wechat.sent == []
    assert state(staff(interviewer), room)["incidents"][0]["channel"] == "邮件"


def test_the_stages_external_meeting_url_is_sent_instead(room, interviewer, live_stage, smtp_server,
                                                          django_capture_on_commit_callbacks):
    live_stage.settings = {**live_stage.settings, "backup_url": "https://meeting.tencent.com/dm/Ab12Cd"}
    live_stage.save(update_fields=["settings"])

    response = report(staff(interviewer), room, "network", capture=django_capture_on_commit_callbacks)

    assert response.status_code == 200
    assert "https://meeting.tencent.com/dm/Ab12Cd" in SMTPSink.text_of(smtp_server.wait_for(1)[0])
    assert not InterviewLink.objects.filter(interview=room.interview, kind="backup").exists()
    assert response.json()["incidents"][0]["summary"] == "已发送备用会议链接：https://meeting.tencent.com/dm/Ab12Cd"


# --- camera or device broken: voice only ----------------------------------------------------------

def test_device_incident_switches_the_room_to_voice_only_and_tells_the_candidate(
        room, interviewer, smtp_server, django_capture_on_commit_callbacks):
    everyone = Listener(live_services.room_group(room.pk))
    interviewers = Listener(live_services.staff_group(room.pk))
    client = staff(interviewer)

    response = report(client, room, "device", capture=django_capture_on_commit_callbacks)

    assert response.status_code == 200 and response.json()["voice_only"] is True
    room.refresh_from_db()
    assert room.voice_only is True
    assert [e.kind for e in RoomEvent.objects.filter(room=room)] == ["voice_only", "incident"]
    assert RoomEvent.objects.get(room=room, kind="voice_only").data == {"on": True}
    assert everyone.receive_all() == [{"type": "room.event", "event": "voice_only", "payload": {"on": True}}]
    incident = RoomIncident.objects.get(room=room)
    assert interviewers.receive_all() == [{"type": "room.event", "event": "incident",
                                           "payload": {"incident": incident.pk, "kind": "device"}}]
    mail = smtp_server.wait_for(1)[0]
    assert mail["Subject"] == "面试改为语音：销售代表"
    assert "「销售代表」的面试将改为语音进行，无需开启摄像头，请留在面试页面继续。" in SMTPSink.text_of(mail)
    assert incident.message.status == Message.Status.SENT
    # and back to video (a switch the interviewers confirm on the page): one more timeline line, all told
    with django_capture_on_commit_callbacks(execute=True):
        back = client.post(reverse("live:incident_voice_only", args=[room.pk]), {"on": "0"})
    assert back.status_code == 200 and back.json()["voice_only"] is False
    assert everyone.receive_all() == [{"type": "room.event", "event": "voice_only", "payload": {"on": False}}]
    assert RoomEvent.objects.filter(room=room, kind="voice_only").count() == 2


def test_voice_only_reaches_the_candidate_in_the_room_even_without_any_channel(
        room, interviewer, django_capture_on_commit_callbacks):
    candidate = room.application.candidate
    candidate.email = ""
    candidate.save()

    response = report(staff(interviewer), room, "device", capture=django_capture_on_commit_callbacks)

    assert response.status_code == 200
    room.refresh_from_db()
    assert room.voice_only is True
    row = response.json()["incidents"][0]
    assert (row["status"], row["status_label"]) == ("none", "未通知候选人")
    assert not Message.objects.exists()


# --- interviewer late / replaced --------------------------------------------------------------------

def test_late_interviewer_the_candidate_gets_the_delay_and_new_time_in_their_zone(
        room, interviewer, smtp_server, django_capture_on_commit_callbacks):
    response = report(staff(interviewer), room, "late", {"minutes": "15"}, capture=django_capture_on_commit_callbacks)

    assert response.status_code == 200
    incident = RoomIncident.objects.get(room=room)
    new_start = room.interview.start_at + timedelta(minutes=15)  # the start is still ahead: from the planned start
    assert incident.detail == {"minutes": 15, "starts_at": new_start.isoformat(), "time_zone": ZONE}
    text = SMTPSink.text_of(smtp_server.wait_for(1)[0])
    written = format_time(new_start, ZONE, "zh-hans")
    assert "柏林" in written  # the candidate's zone, written out
    assert "「销售代表」的面试将推迟约 15 分钟开始。" in text and f"新的开始时间：{written}" in text
    assert response.json()["incidents"][0]["summary"] == f"已通知候选人推迟 15 分钟，新的开始时间：{written}"


def test_late_notice_in_english_for_an_english_organization(org, room, interviewer, smtp_server,
                                                             django_capture_on_commit_callbacks):
    org.default_language = "en"
    org.save()
    client = staff(interviewer)
    client.cookies["django_language"] = "en"

    response = report(client, room, "late", {"minutes": "20"}, capture=django_capture_on_commit_callbacks)

    assert response.status_code == 200
    mail = smtp_server.wait_for(1)[0]
    new_start = room.interview.start_at + timedelta(minutes=20)
    assert mail["Subject"] == "Interview delayed: 销售代表"
    text = SMTPSink.text_of(mail)
    assert "will start about 20 minutes late." in text
    assert f"New start time: {format_time(new_start, ZONE, 'en')}" in text and "Berlin time" in text
    row = state(client, room)["incidents"][0]
    assert row["kind_label"] == "Interviewer late: notify the candidate" and row["status_label"] == "Sent"


def test_substitute_from_the_panel_is_named_with_the_time(room, interviewer, hiring_manager, substitute, smtp_server,
                                                           django_capture_on_commit_callbacks):
    client = staff(interviewer)
    # the position's panel (interviewers and hiring managers), not those already on the interview
    assert sorted(s["id"] for s in state(client, room)["substitutes"]) == sorted([substitute.pk, hiring_manager.pk])

    response = report(client, room, "substitute", {"substitute": substitute.pk, "minutes": "0"},
                      capture=django_capture_on_commit_callbacks)

    assert response.status_code == 200
    assert substitute in room.interview.interviewers.all()  # the substitute may now enter the room
    text = SMTPSink.text_of(smtp_server.wait_for(1)[0])
    written = format_time(room.interview.start_at, ZONE, "zh-hans")
    assert "「销售代表」的面试将改由周敏主持。" in text and f"面试时间：{written}" in text
    assert response.json()["incidents"][0]["summary"] == f"替补面试官：周敏，时间：{written}"


def test_a_substitute_outside_the_panel_is_refused(org, outsider, room, interviewer, django_capture_on_commit_callbacks):
    not_on_panel = UserFactory(organization=org, role="interviewer", email="wang@example.com")
    for user in (not_on_panel, outsider, interviewer):  # another tenant's user; someone already interviewing
        response = report(staff(interviewer), room, "substitute", {"substitute": user.pk},
                          capture=django_capture_on_commit_callbacks)
        assert response.status_code == 400
        assert response.json()["error"] == "请从该职位的面试小组中选择替补面试官。"
    assert list(room.interview.interviewers.all()) == [interviewer]
    assert not RoomIncident.objects.exists() and not Message.objects.exists()


# --- errors -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["network", "device", "late"])
def test_an_ended_room_refuses_incidents(room, interviewer, kind, django_capture_on_commit_callbacks):
    LiveRoom.objects.filter(pk=room.pk).update(state=LiveRoom.State.ENDED)

    response = report(staff(interviewer), room, kind, {"minutes": "5"}, capture=django_capture_on_commit_callbacks)

    assert response.status_code == 400 and response.json()["error"] == "面试已结束，不能再处理事件。"
    assert not RoomIncident.objects.exists() and not Message.objects.exists()
    assert LiveRoom.objects.get(pk=room.pk).voice_only is False


def test_a_candidate_no_channel_reaches_is_a_clear_error(room, interviewer, django_capture_on_commit_callbacks):
    candidate = room.application.candidate
    candidate.email = ""
    candidate.save()
    client = staff(interviewer)
    client.cookies["django_language"] = "en"

    response = report(client, room, "network", capture=django_capture_on_commit_callbacks)

    assert response.status_code == 400
    assert response.json()["error"] == ("The candidate cannot be notified: they follow no official account and have no "
                                         "e-mail or mobile number. Please contact them another way.")
    assert not RoomIncident.objects.exists() and not InterviewLink.objects.exists()


@pytest.mark.parametrize("minutes", ["", "0", "-5", "241", "abc"])
def test_late_needs_a_sensible_number_of_minutes(room, interviewer, minutes, django_capture_on_commit_callbacks):
    response = report(staff(interviewer), room, "late", {"minutes": minutes}, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 400 and "分钟" in response.json()["error"]
    assert not RoomIncident.objects.exists()


@pytest.mark.parametrize("posted, error", [
    ({"minutes": "1.5"}, "请填写延迟的分钟数。"),
    ({"substitute": "abc"}, "请从该职位的面试小组中选择替补面试官。"),
    ({"substitute": "-1"}, "请从该职位的面试小组中选择替补面试官。"),
    ({"substitute": "", "minutes": "五"}, "请填写延迟的分钟数。"),
])
def test_malformed_numbers_are_the_forms_messages_and_change_nothing(room, interviewer, substitute, posted, error,
                                                                      django_capture_on_commit_callbacks):
    kind = "substitute" if "substitute" in posted else "late"
    response = report(staff(interviewer), room, kind, posted, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 400 and response.json()["error"] == error
    assert list(room.interview.interviewers.all()) == [interviewer]
    assert not RoomIncident.objects.exists() and not Message.objects.exists()


# --- who may ----------------------------------------------------------------------------------------

def test_refusals_change_nothing(org, room, outsider, interviewer, django_capture_on_commit_callbacks):
    stranger = UserFactory(organization=org, role="interviewer", email="stranger@example.com")  # not on this position
    urls = [reverse("live:incident_report", args=[room.pk, kind]) for kind in ("network", "device", "late", "substitute")]
    urls.append(reverse("live:incident_voice_only", args=[room.pk]))
    for user in (outsider, stranger):
        client = staff(user)
        assert client.get(reverse("live:incidents", args=[room.pk])).status_code == 404
        with django_capture_on_commit_callbacks(execute=True):
            for url in urls:
                assert client.post(url, {"minutes": "5", "on": "1"}).status_code == 404
    anonymous = Client()
    assert anonymous.post(urls[0]).status_code == 302  # to the sign-in page
    assert anonymous.get(reverse("live:incidents", args=[room.pk])).status_code == 302
    # the interviewer's own browser without the CSRF token, and a GET on a write
    assert staff(interviewer).get(urls[1]).status_code == 405
    guarded = Client(enforce_csrf_checks=True)
    guarded.force_login(interviewer)
    assert guarded.post(urls[1]).status_code == 403
    assert staff(interviewer).post(reverse("live:incident_report", args=[room.pk, "unknown"])).status_code == 404
    room.refresh_from_db()
    assert room.voice_only is False
    assert not RoomIncident.objects.exists() and not RoomEvent.objects.exists() and not Message.objects.exists()
    assert not InterviewLink.objects.exists()


# --- help desk in the room --------------------------------------------------------------------------

def test_the_candidates_help_desk_report_appears_in_the_room(room, interviewer, recruiter, django_capture_on_commit_callbacks):
    interviewers = Listener(live_services.staff_group(room.pk))
    everyone = Listener(live_services.room_group(room.pk))
    candidate = room.application.candidate
    help_url = reverse("messaging:help", args=[help_link_token(candidate=candidate)])

    with django_capture_on_commit_callbacks(execute=True):
        sent = Client().post(help_url, {"body": "我的摄像头打不开，页面一直转圈"})
        assert sent.status_code == 302 and "sent=1" in sent["Location"]  # back to the thread (post, redirect, get)

    rows = state(staff(interviewer), room)["helpdesk"]
    assert len(rows) == 1 and [m["text"] for m in rows[0]["messages"]] == ["我的摄像头打不开，页面一直转圈"]
    ticket_id = rows[0]["id"]
    assert interviewers.receive_all() == [{"type": "room.event", "event": "helpdesk", "payload": {"ticket": ticket_id}}]
    assert [m["event"] for m in everyone.receive_all()] == []  # never to the candidate's group
    event = RoomEvent.objects.get(room=room, kind="helpdesk")
    assert event.by_candidate and event.data == {"ticket": ticket_id}


def test_help_desk_reports_outside_an_open_room_stay_out(org, room, interviewer, position, django_capture_on_commit_callbacks):
    other = make_application(position, "李雷")  # another candidate: not this room's
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(reverse("messaging:help", args=[help_link_token(candidate=other.candidate)]), {"body": "链接打不开"})
    LiveRoom.objects.filter(pk=room.pk).update(state=LiveRoom.State.ENDED)
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(reverse("messaging:help", args=[help_link_token(candidate=room.application.candidate)]),
                      {"body": "面试结束后的问题"})
    assert state(staff(interviewer), room)["helpdesk"] == []
    assert not RoomEvent.objects.filter(kind="helpdesk").exists()


def test_the_incidents_panel_renders_the_buttons_and_lists(rf, room, interviewer):
    from django.template.loader import render_to_string

    request = rf.get("/")
    request.user = interviewer
    html = render_to_string("live/_incidents.html", {"room": room}, request=request)
    for kind in ("network", "device", "late", "substitute"):
        assert f'data-incident="{kind}"' in html
    assert 'name="minutes"' in html and 'name="substitute"' in html and 'data-confirm="device"' in html
    assert 'id="incidents-list"' in html and 'id="helpdesk-list"' in html
    assert reverse("live:incidents", args=[room.pk]) in html
    assert "<script>" not in html and "onclick" not in html  # the CSP: no inline script
