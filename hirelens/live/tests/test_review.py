"""The review of a live interview on the application's scorecard page: the recording (stored through the media
part's ``recording_store``, encrypted) played back decrypted with HTTP ranges, the annotations / questions /
incidents / timeline at their moments of the recording (seek buttons), the recording's real analysis, the live
summary, who may see it, the candidate who did not consent, English, and a bounded number of queries."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import av
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hirelens.accounts.tests.factories import OrganizationFactory, UserFactory
from hirelens.interviews.sample_media import webm_bytes
from hirelens.live import services as live_services
from hirelens.live.models import LiveRoom, RoomEvent, RoomIncident, RoomNote, RoomQuestion
from hirelens.live.recording import recording_analyse, recording_store
from hirelens.live.review import application_rooms
from hirelens.scheduling.models import Interview
from hirelens.workflows.tests.factories import assign, make_application, make_position, published_process

pytestmark = pytest.mark.django_db

SUMMARY = {  # what analysis.live.LiveSummary.to_dict() gives at the end of a room (fields as the library writes them)
    "duration_s": 6.0, "speaking_time_s": 3.2, "speaking_share": 0.53, "pause_count": 2, "long_pause_count": 1,
    "syllables": 18, "speech_rate_syll_per_s": 3.0, "articulation_rate_syll_per_s": 5.6, "language": "zh",
    "text": "我觉得团队协作很重要。", "segments": [], "keywords": {"团队协作": 1, "客户": 0}, "keywords_not_applicable": [],
    "face": {"samples": 30, "face_present_ratio": 0.9, "smile_count": 1, "frown_count": 0, "look_away_count": 2,
             "face_absent_count": 1},
    "asr_s": 0.4, "event_count": 40,
}


@pytest.fixture
def position(org, interviewer, hiring_manager):
    position = make_position(org, title="销售代表", keywords=["团队协作", "客户"])
    assign(position, interviewer, "interviewer")
    assign(position, hiring_manager, "hiring_manager")
    return position


@pytest.fixture
def live_stage(hr_admin, position):
    _process, version = published_process(hr_admin, position, "sales")
    return version.stages.get(module="live")


@pytest.fixture
def application(position):
    return make_application(position, "孙悦")


def make_room(org, application, stage, interviewers, *, days_ago=1, consents=None) -> LiveRoom:
    start = (timezone.now() - timedelta(days=days_ago)).replace(second=0, microsecond=0)
    interview = Interview.objects.create(organization=org, application=application, stage=stage, title="终面 · 销售代表",
                                         start_at=start, end_at=start + timedelta(minutes=45), time_zone="Asia/Shanghai",
                                         status=Interview.Status.COMPLETED)
    interview.interviewers.set(interviewers)
    room = live_services.room_for_interview(interview=interview)
    room.state = LiveRoom.State.ENDED
    room.opened_at, room.ended_at = start, start + timedelta(minutes=40)
    room.consents = {"recording": True, "ai_analysis": True, "biometric": True} if consents is None else consents
    room.save()
    return room


def store_recording(room, tmp_path, seconds=6.0, summary=SUMMARY) -> LiveRoom:
    folder = tmp_path / f"live-tmp-{room.pk}"  # emptied and removed once stored, as the media part's own folder is
    folder.mkdir(parents=True)
    path = folder / "recording.webm"
    path.write_bytes(webm_bytes(seconds))
    return recording_store(room_id=room.pk, path=path, duration_s=seconds, started_at=room.opened_at, media={},
                           live_summary=summary)


def fill(room, interviewer, hiring_manager):
    org = room.organization_id
    RoomNote.objects.create(organization_id=org, room=room, author=interviewer, text="提到团队协作，追问细节。",
                            tags=["follow_up"], media_time_s=4.5)
    RoomNote.objects.create(organization_id=org, room=room, author=hiring_manager, text="表达很有条理。", tags=["clear"],
                            media_time_s=1.5)
    RoomQuestion.objects.create(organization_id=org, room=room, text="团队有多少人？", media_time_s=3.0, answer="十二人。",
                                answered_by=interviewer, answered_at=timezone.now())
    RoomIncident.objects.create(organization_id=org, room=room, kind=RoomIncident.Kind.DEVICE, actor=interviewer,
                                media_time_s=2.0)
    RoomEvent.objects.create(organization_id=org, room=room, kind="admitted", actor=interviewer, media_time_s=0.0)
    joined = RoomEvent.objects.create(organization_id=org, room=room, kind="joined", by_candidate=True, media_time_s=None)
    # written without a media time, before the recording started: placed at its start
    RoomEvent.objects.filter(pk=joined.pk).update(created_at=room.opened_at - timedelta(minutes=1))


def staff(user, language="zh-hans") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def page(client, application) -> str:
    response = client.get(reverse("evaluations:application", args=[application.pk]))
    assert response.status_code == 200
    return response.content.decode()


def review_section(html: str) -> str:
    start = html.index('id="live-review"')
    return html[start:html.index("</section>", start)]


def test_the_scorecard_page_plays_the_recording_with_the_timeline_at_its_moments(
        org, hr_admin, interviewer, hiring_manager, application, live_stage, tmp_path):
    org.facial_analysis_enabled = True  # off by default (issue 20): this company allows face analysis
    org.save(update_fields=["facial_analysis_enabled"])
    room = make_room(org, application, live_stage, [interviewer, hiring_manager])
    store_recording(room, tmp_path)
    fill(room, interviewer, hiring_manager)
    room.refresh_from_db()
    assert room.recording and room.analysis_status == LiveRoom.Analysis.PENDING
    html = review_section(page(staff(interviewer), application))
    media = reverse("live:room_recording", args=[room.pk])
    assert f'src="{media}"' in html
    # the people by name, never an id
    assert room.application.candidate.full_name in html
    assert interviewer.full_name in html and hiring_manager.full_name in html
    # rows in the order of the recording: admitted 0:00, note 0:01, incident 0:02, question 0:03, note 0:04
    timeline = html[html.index('data-testid="live-timeline"'):]
    order = [timeline.index(s) for s in ("允许候选人进入", "表达很有条理。", "摄像头或设备故障", "团队有多少人？",
                                         "提到团队协作，追问细节。")]
    assert order == sorted(order)
    assert "需要追问" in html and "表达清晰" in html  # quick tags in words, not their keys
    assert "follow_up" not in html
    assert "十二人。" in html and f"{interviewer.full_name} 回答" in html
    seeks = re.findall(r'data-testid="live-seek" data-seek="live-media-(\d+)" data-start="([\d.]+)">([\d:]+)<', html)
    assert [(float(s), c) for _r, s, c in seeks] == [(0.0, "0:00"), (0.0, "0:00"), (1.5, "0:01"), (2.0, "0:02"), (3.0, "0:03"),
                                                     (4.5, "0:04")]
    assert {r for r, _s, _c in seeks} == {str(room.pk)}
    # markers on the bar under the player, placed by time over the recording's length
    duration = room.recording_duration_s
    marks = re.findall(r'class="live-mark" data-kind="(\w+)" data-seek="live-media-\d+" data-start="([\d.]+)"', html)
    assert ("note", "4.500000") in marks and len(marks) == 6
    assert f"left:{100 * 4.5 / duration:.2f}%" in html
    # the candidate joining (no media time, before the recording started) comes first, at 0:00, by the candidate's name
    assert timeline.index("进入面试间") < timeline.index("允许候选人进入")
    # the live summary: figures in words, keyword counts, face only with consent and the switch (both here)
    assert "说话占比" in html and "53%" in html and "团队协作 × 1" in html
    assert "视线偏离" in html and "2 次" in html
    assert "排队中" in html  # the analysis is queued (the worker runs it after commit)


def test_the_recording_is_served_decrypted_with_ranges_and_decodes(org, interviewer, hiring_manager, application,
                                                                    live_stage, tmp_path):
    room = make_room(org, application, live_stage, [interviewer])
    store_recording(room, tmp_path, seconds=5.0)
    room.refresh_from_db()
    client = staff(interviewer)
    url = reverse("live:room_recording", args=[room.pk])
    whole = b"".join(client.get(url).streaming_content)
    assert len(whole) == room.recording_size
    with av.open(io.BytesIO(whole)) as container:
        assert {s.type for s in container.streams} == {"audio", "video"}
        frames = sum(1 for _ in container.decode(video=0))
    assert frames >= 5 * 15 - 2
    part = client.get(url, HTTP_RANGE="bytes=100-1099")
    assert part.status_code == 206 and part["Content-Range"] == f"bytes 100-1099/{room.recording_size}"
    assert part.content == whole[100:1100] and part["Content-Type"] == "video/webm"
    tail = client.get(url, HTTP_RANGE="bytes=-200")
    assert tail.status_code == 206 and tail.content == whole[-200:]
    assert client.get(url, HTTP_RANGE=f"bytes={room.recording_size}-").status_code == 416


def test_the_analysis_of_the_recording_is_shown_once_done(org, interviewer, application, live_stage, tmp_path):
    room = make_room(org, application, live_stage, [interviewer])
    store_recording(room, tmp_path, seconds=4.0)
    recording_analyse(room_id=room.pk)  # what the worker runs after commit
    room.refresh_from_db()
    assert room.analysis_status == LiveRoom.Analysis.DONE
    html = review_section(page(staff(interviewer), application))
    assert 'data-testid="live-analysis"' in html
    assert "录像分析" in html and "时长" in html and "4.0 s" in html


def test_only_people_who_may_see_the_interview_get_the_recording(org, hr_admin, interviewer, hiring_manager, application,
                                                               live_stage, tmp_path):
    room = make_room(org, application, live_stage, [interviewer])
    store_recording(room, tmp_path, seconds=3.0)
    url = reverse("live:room_recording", args=[room.pk])
    assert staff(hr_admin).get(url, HTTP_RANGE="bytes=0-9").status_code == 206
    unassigned = UserFactory(organization=org, role="interviewer", email="other.interviewer@example.com")
    assert staff(unassigned).get(url).status_code == 404
    other = OrganizationFactory(name="Acme", slug="acme-live")
    outsider = UserFactory(organization=other, role="hr_admin", email="admin@acme.example.com")
    assert staff(outsider).get(url).status_code == 404
    assert staff(outsider).get(reverse("live:room_recording", args=[room.pk + 1000])).status_code == 404
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert application_rooms(actor=unassigned, application=application) == []


def test_without_the_candidates_consent_there_is_no_recording_and_the_page_says_why(
        org, interviewer, application, live_stage, tmp_path):
    room = make_room(org, application, live_stage, [interviewer], consents={"recording": False, "ai_analysis": True})
    store_recording(room, tmp_path, seconds=3.0)  # the media part offers the file: refused without consent
    room.refresh_from_db()
    assert not room.recording and room.analysis_status == LiveRoom.Analysis.SKIPPED
    html = review_section(page(staff(interviewer), application))
    assert "没有录像：候选人没有同意录像。" in html
    assert "<video" not in html
    # no biometric consent: the live summary's face rows stay hidden
    assert "视线偏离" not in html and "说话占比" in html


def test_in_english(org, interviewer, hiring_manager, application, live_stage, tmp_path):
    room = make_room(org, application, live_stage, [interviewer, hiring_manager])
    store_recording(room, tmp_path)
    fill(room, interviewer, hiring_manager)
    html = review_section(page(staff(interviewer, "en"), application))
    people = f"Candidate: 孙悦 · Interviewers: {interviewer.full_name}, {hiring_manager.full_name}"
    for words in ("Live interview playback", "Timeline", "Needs follow-up", "Speaking share", people,
                  f"{interviewer.full_name} answered"):
        assert words in html, words
    visible = re.sub(r"<[^>]+>", " ", html)
    leftover = {run for run in re.findall(r"[\u4e00-\u9fff]+", visible)}
    data = {"孙悦", "销售代表", "终面", "提到团队协作", "追问细节", "表达很有条理", "团队有多少人", "十二人", "我觉得团队协作很重要", "团队协作", "客户"}
    data |= set(re.findall(r"[\u4e00-\u9fff]+", interviewer.full_name + " " + hiring_manager.full_name))  # people's names
    assert leftover <= data, leftover - data


def test_queries_do_not_grow_with_rooms_and_rows(org, interviewer, hiring_manager, application, live_stage, tmp_path):
    first = make_room(org, application, live_stage, [interviewer, hiring_manager], days_ago=3)
    store_recording(first, tmp_path)
    fill(first, interviewer, hiring_manager)
    with CaptureQueriesContext(connection) as one:
        rows = application_rooms(actor=interviewer, application=application)
    assert len(rows) == 1
    for days in (2, 1):
        room = make_room(org, application, live_stage, [interviewer, hiring_manager], days_ago=days)
        store_recording(room, tmp_path)
        for _ in range(3):
            fill(room, interviewer, hiring_manager)
    with CaptureQueriesContext(connection) as three:
        rows = application_rooms(actor=interviewer, application=application)
    assert len(rows) == 3 and len(rows[0]["timeline"]) == 18  # newest first
    assert len(three) == len(one), "\n".join(q["sql"][:150] for q in three.captured_queries)


def test_the_interviewer_scoring_the_live_stage_has_the_review_beside_the_scorecard(
        org, hr_admin, interviewer, hiring_manager, application, live_stage, tmp_path):
    from hirelens.workflows import services as wf

    wf.pipeline_start(actor=hr_admin, application=application)
    room = make_room(org, application, live_stage, [interviewer, hiring_manager])
    store_recording(room, tmp_path)
    fill(room, interviewer, hiring_manager)
    response = staff(interviewer).get(reverse("evaluations:scorecard", args=[application.pk, live_stage.pk]))
    assert response.status_code == 200
    html = review_section(response.content.decode())
    assert reverse("live:room_recording", args=[room.pk]) in html and "提到团队协作，追问细节。" in html
