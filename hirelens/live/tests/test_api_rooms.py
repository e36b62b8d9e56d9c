"""Live interview rooms over the open API with a real API key: the list (names, interviewers, recording available),
one room, its review (live summary and annotations as the scorecard page's review shows them) and its recording —
the pages' access rules and audit."""

from __future__ import annotations

import io

import av
import pytest

from hirelens.core.models import AuditEvent
from hirelens.integrations.testing import api_client, make_api_key
from hirelens.live.models import LiveRoom
from hirelens.workflows.tests.factories import make_application

from .test_review import fill, make_room, store_recording

pytestmark = pytest.mark.django_db

API = "/api/v1/live"


@pytest.fixture
def position(org, interviewer, hiring_manager):
    from hirelens.workflows.tests.factories import assign, make_position

    position = make_position(org, title="销售代表", keywords=["团队协作", "客户"])
    assign(position, interviewer, "interviewer")
    assign(position, hiring_manager, "hiring_manager")
    return position


@pytest.fixture
def live_stage(hr_admin, position):
    from hirelens.workflows.tests.factories import published_process

    _process, version = published_process(hr_admin, position, "sales")
    return version.stages.get(module="live")


@pytest.fixture
def ended(org, position, live_stage, interviewer, hiring_manager, tmp_path):
    """An ended room with its recording, live summary, annotations and the candidate's question."""
    room = make_room(org, make_application(position, "孙悦"), live_stage, [interviewer, hiring_manager])
    room = store_recording(room, tmp_path)
    fill(room, interviewer, hiring_manager)
    return room


def _client(user, scopes=None, language="zh-hans"):
    _key, token = make_api_key(user, scopes)
    return api_client(token, language)


def test_list_names_people_pages_filters_and_costs_the_same_for_any_page(org, position, live_stage, ended, hr_admin,
                                                                         interviewer, hiring_manager,
                                                                         django_assert_max_num_queries):
    waiting = [make_room(org, make_application(position, f"候选人{i}"), live_stage, [interviewer], days_ago=0) for i in range(3)]
    for room in waiting:
        room.state = LiveRoom.State.WAITING
        room.save()
    client = _client(hr_admin)
    with django_assert_max_num_queries(13):
        first = client.get(f"{API}/rooms?limit=2")
    assert first.status_code == 200
    seen, page = [], first.json()
    while True:
        seen += [row["id"] for row in page["items"]]
        if not page["next"]:
            break
        page = client.get(f"{API}/rooms", {"limit": 2, "cursor": page["next"]}).json()
    assert seen == [r.pk for r in reversed([ended, *waiting])]
    with django_assert_max_num_queries(13):  # four rooms cost what two do: names and interviewers come with the page
        rows = client.get(f"{API}/rooms?limit=50").json()["items"]
    row = next(r for r in rows if r["id"] == ended.pk)
    assert row["candidate_name"] == "孙悦" and row["position_title"] == "销售代表"
    assert sorted(p["name"] for p in row["interviewers"]) == sorted([interviewer.full_name, hiring_manager.full_name])
    assert row["status"] == "ended" and row["status_label"] == "已结束" and row["recording_available"] is True
    assert row["interview_status_label"] == "已完成"
    assert [r["id"] for r in client.get(f"{API}/rooms", {"status": "ended"}).json()["items"]] == [ended.pk]
    assert [r["id"] for r in client.get(f"{API}/rooms", {"candidate": ended.application.candidate_id}).json()["items"]] == [ended.pk]
    entry = AuditEvent.objects.filter(action="read", actor_id=hr_admin.pk).order_by("pk").first()
    assert sorted(entry.targets) == sorted(f"candidates.candidate:{r.application.candidate_id}" for r in waiting[1:])
    english = _client(hr_admin, language="en").get(f"{API}/rooms", {"status": "closed"})
    assert english.status_code == 400 and english.json()["title"] == "The request's parameters are not valid."


def test_the_panel_sees_its_positions_rooms_and_other_tenants_none(org, ended, interviewer, recruiter, outsider):
    from hirelens.accounts.tests.factories import UserFactory

    assert [r["id"] for r in _client(interviewer).get(f"{API}/rooms").json()["items"]] == [ended.pk]
    stranger = UserFactory(organization=org, role="interviewer", email="stranger@example.com")
    assert _client(stranger).get(f"{API}/rooms").json()["items"] == []
    assert _client(stranger).get(f"{API}/rooms/{ended.pk}").status_code == 404
    assert _client(outsider).get(f"{API}/rooms").json() == {"items": [], "next": None}
    for path in ("", "/review", "/recording"):
        assert _client(outsider).get(f"{API}/rooms/{ended.pk}{path}").status_code == 404
    scoped = _client(recruiter, ["evaluations:read"], language="en").get(f"{API}/rooms/{ended.pk}")
    assert scoped.status_code == 403 and scoped.json()["title"] == "The API key lacks the required scope."


def test_one_room_with_etag_and_audit(ended, hr_admin):
    response = _client(hr_admin).get(f"{API}/rooms/{ended.pk}")
    assert response.status_code == 200 and response["ETag"].startswith('"')
    body = response.json()
    assert body["id"] == ended.pk and body["candidate_name"] == "孙悦" and abs(body["recording_duration_s"] - 6.0) < 0.1
    entry = AuditEvent.objects.filter(action="read", actor_id=hr_admin.pk).latest("pk")
    assert entry.targets == [f"candidates.candidate:{ended.application.candidate_id}"]


def test_review_gives_summary_and_notes_as_the_page_shows_them(ended, interviewer, hiring_manager):
    response = _client(interviewer).get(f"{API}/rooms/{ended.pk}/review")
    assert response.status_code == 200
    body = response.json()
    assert [(n["author"], n["text"], n["tags"], n["clock"]) for n in body["notes"]] == [
        (hiring_manager.full_name, "表达很有条理。", ["表达清晰"], "0:01"),
        (interviewer.full_name, "提到团队协作，追问细节。", ["需要追问"], "0:04")]
    question = next(row for row in body["timeline"] if row["kind"] == "question")
    assert question["who"] == "孙悦" and question["answer"] == "十二人。" and question["answered_by"] == interviewer.full_name
    rows = {row["label"]: row["value"] for row in body["summary"]["rows"]}
    assert rows["说话占比"] == "53%" and body["summary"]["transcript"] == "我觉得团队协作很重要。"
    assert body["summary"]["face"] is None and body["facial"] is False  # the face switch is off by default
    assert "团队协作 × 1" in body["summary"]["keywords"]
    assert body["no_recording_reason"] == "" and body["recording_available"] is True
    entry = AuditEvent.objects.filter(action="read", actor_id=interviewer.pk).latest("pk")
    assert (entry.object_type, entry.object_id) == ("candidates.candidate", str(ended.application.candidate_id))
    english = _client(interviewer, language="en").get(f"{API}/rooms/{ended.pk}/review").json()
    assert {row["label"] for row in english["summary"]["rows"]} >= {"Duration", "Speaking share"}
    assert english["notes"][0]["tags"] == ["Clear answers"]


def test_recording_download_decrypts_to_real_media_and_is_audited(org, position, live_stage, ended, hr_admin, interviewer):
    with ended.recording.storage.inner.open(ended.recording.name, "rb") as raw:
        assert raw.read()[:4] != b"\x1a\x45\xdf\xa3"  # stored encrypted, not as a WebM file
    _key, token = make_api_key(hr_admin, ["interviews:read"], name="视频归档")
    client = api_client(token)
    response = client.get(f"{API}/rooms/{ended.pk}/recording")
    assert response.status_code == 200 and response.streaming
    body = b"".join(response.streaming_content)
    assert body[:4] == b"\x1a\x45\xdf\xa3"  # a WebM (EBML) file again
    with av.open(io.BytesIO(body)) as container:
        assert container.streams.video and container.duration > 5_000_000
    entry = AuditEvent.objects.filter(action="read_file").latest("pk")
    assert (entry.object_type, entry.object_id, entry.fields) == ("live.liveroom", str(ended.pk), ["recording"])
    assert entry.actor_label == f"{hr_admin.email} · API: 视频归档"
    assert client.get(f"{API}/rooms/{ended.pk}/recording", HTTP_RANGE="bytes=0-9").content == body[:10]
    silent = make_room(org, make_application(position, "李雷"), live_stage, [interviewer], consents={"recording": False})
    before = AuditEvent.objects.filter(action="read_file").count()
    assert client.get(f"{API}/rooms/{silent.pk}/recording").status_code == 404
    assert AuditEvent.objects.filter(action="read_file").count() == before
