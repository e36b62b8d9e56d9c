"""The room's services and its access rules (staff through the interview's visibility, the candidate through the
browser session that opened the link)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from hirelens.live import access, services
from hirelens.live.models import LiveRoom, RoomEvent, RoomNote, RoomQuestion

from .room_setup import ACCEPT_ALL, ensure_notices, live_interview


@pytest.fixture
def room(org, hr_admin, interviewer):
    ensure_notices()
    room, _token = live_interview(org, hr_admin, [interviewer])
    return room


def _guest(room):
    """The candidate as ``live.access`` verifies them: this browser session opened the interview's link."""
    session = {}
    access.candidate_room_grant(session, room.pk)
    return access.candidate_room_actor(session=session, room_id=room.pk)


def test_room_for_interview_is_one_room_with_the_interviews_application(room):
    again = services.room_for_interview(interview=room.interview)
    assert again.pk == room.pk
    assert room.application_id == room.interview.application_id and room.organization_id == room.interview.organization_id
    assert room.state == LiveRoom.State.WAITING


def test_access_room_follows_the_interview(room, interviewer, hr_admin, outsider, org):
    from hirelens.accounts.tests.factories import UserFactory

    assert access.access_room(actor=interviewer, room_id=room.pk).pk == room.pk
    assert access.access_room(actor=hr_admin, room_id=room.pk).pk == room.pk
    unassigned = UserFactory(organization=org, role="interviewer", email="other-panel@example.com")
    for actor in (outsider, unassigned):  # another tenant's admin; an interviewer not on this position
        with pytest.raises(Http404):
            access.access_room(actor=actor, room_id=room.pk)
    with pytest.raises(Http404):
        access.access_room(actor=hr_admin, room_id=room.pk + 1000)  # missing: the same 404


def test_candidate_room_needs_the_session_grant(room):
    session = {}
    with pytest.raises(Http404):
        access.candidate_room(session=session, room_id=room.pk)
    access.candidate_room_grant(session, room.pk)
    assert access.candidate_room(session=session, room_id=room.pk).pk == room.pk
    with pytest.raises(Http404):
        access.candidate_room(session=session, room_id="x")


def test_admit_opens_the_room_once_and_end_is_for_good(room, interviewer):
    room = services.room_admit(actor=interviewer, room=room)
    assert room.state == LiveRoom.State.OPEN and room.candidate_admitted and room.opened_at is not None
    opened = room.opened_at
    assert services.room_admit(actor=interviewer, room=room).opened_at == opened
    room = services.room_end(actor=interviewer, room=room)
    assert room.state == LiveRoom.State.ENDED and room.ended_by == interviewer and room.ended_at is not None
    assert list(RoomEvent.objects.filter(room=room).values_list("kind", flat=True)) == ["admitted", "ended"]
    # the scheduled interview took place: completed (no more reminders), and the candidate's timeline says so
    room.interview.refresh_from_db()
    assert room.interview.status == "completed"
    from hirelens.candidates.models import TimelineEvent

    assert TimelineEvent.objects.filter(candidate=room.application.candidate, kind="interview.completed").count() == 1
    with pytest.raises(ValidationError):
        services.room_join(room=room, peer="p1", actor=interviewer)
    with pytest.raises(ValidationError):
        services.note_add(actor=interviewer, room=room, text="太晚了")
    # ending twice changes nothing
    assert services.room_end(actor=interviewer, room=room).ended_at == room.ended_at


def test_candidate_joins_only_after_consent(room):
    with pytest.raises(ValidationError) as exc:
        services.room_join(room=room, peer="cand-1", actor=_guest(room))
    assert exc.value.code == "consent"
    room.refresh_from_db()
    assert room.consents == {}
    room = services.room_consent(room=room, actor=_guest(room), accepted={"recording": True, "ai_analysis": True, "biometric": False})
    assert room.consents["recording"] is True and room.consents["ai_analysis"] is True and room.consents["biometric"] is False
    assert set(room.consents["versions"]) >= {"recording", "ai_analysis"}
    guest = _guest(room)
    services.room_join(room=room, peer="cand-1", actor=guest)
    services.room_join(room=room, peer="cand-1", actor=guest, reconnect=True)
    assert list(RoomEvent.objects.filter(room=room).values_list("kind", "by_candidate")) == [("joined", True), ("reconnected", True)]


def test_notes_keep_known_tags_and_the_media_time(room, interviewer):
    with pytest.raises(ValidationError):
        services.note_add(actor=interviewer, room=room, text="  ", tags=["unknown"])
    note = services.note_add(actor=interviewer, room=room, text="讲得清楚", tags=["clear", "nope", "clear"], media_time_s=12.5)
    assert note.tags == ["clear"] and note.media_time_s == 12.5  # no media clock yet: the page's time
    room = services.room_admit(actor=interviewer, room=room)
    later = services.note_add(actor=interviewer, room=room, text="", tags=["follow_up"], media_time_s=9999)
    assert later.media_time_s is not None and later.media_time_s < 60  # the server's clock wins once it runs
    assert services.note_payload(later)["author"] == interviewer.full_name
    assert RoomNote.objects.filter(room=room).count() == 2


def test_questions_after_admission_and_answers(room, interviewer):
    with pytest.raises(ValidationError) as exc:
        services.question_ask(room=room, actor=_guest(room), text="团队有多少人？")
    assert exc.value.code == "not_admitted"
    room = services.room_admit(actor=interviewer, room=room)
    question = services.question_ask(room=room, actor=_guest(room), text="团队有多少人？")
    with pytest.raises(ValidationError):
        services.question_answer(actor=interviewer, room=room, question=question, text="", by_voice=False)
    question = services.question_answer(actor=interviewer, room=room, question=question, text="", by_voice=True)
    assert question.answered_by_voice and question.answered_by == interviewer and question.answer == ""
    assert services.answer_payload(question) == {"question": question.pk, "text": "", "by_voice": True,
                                                 "by": interviewer.full_name}
    assert RoomQuestion.objects.get(pk=question.pk).answered_at is not None


def test_consent_accepts_everything_when_offered(room):
    room = services.room_consent(room=room, actor=_guest(room), accepted=ACCEPT_ALL)
    assert room.consents["biometric"] is True


def test_declining_the_ai_analysis_keeps_the_interview_without_any_analysis(room, interviewer, tmp_path):
    """Issue 20: a candidate who declines the AI analysis still has the live interview; the recording (consented) is
    kept for people, and nothing is analysed, live or after."""
    from hirelens.interviews import sample_media
    from hirelens.live import media, recording
    from hirelens.live.models import LiveRoom
    from hirelens.live.review import application_rooms

    room = services.room_consent(room=room, actor=_guest(room), accepted={"recording": True})
    assert room.consents["recording"] is True and room.consents["ai_analysis"] is False and room.consents["biometric"] is False
    services.room_join(room=room, peer="cand-1", actor=_guest(room))  # the consent step is done: the candidate may join
    options = media._room_options(room.pk)
    assert options["analysis"] is False and options["biometric"] is False and options["recording"] is True
    clip = sample_media.real_speech_webm(tmp_path / "speech.webm", "jay_0")
    folder = media.live_tmp_dir(room.pk)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "rec-1796500000000.webm"
    path.write_bytes(clip.read_bytes())
    recording.recording_store(room_id=room.pk, path=path, duration_s=None, started_at=None, media={}, live_summary=None)
    room.refresh_from_db()
    assert room.recording and room.analysis_status == LiveRoom.Analysis.SKIPPED
    services.room_end(actor=interviewer, room=room, end_media=False)
    review = [r for r in application_rooms(actor=interviewer, application=room.application) if r["room"].pk == room.pk][0]
    assert review["recording"] and review["analysis_status"] == "未做：候选人未同意 AI 分析"


def test_the_candidate_acts_by_a_verified_actor_not_a_flag(room, org, hr_admin, interviewer):
    """Issue 23 §5: join, leave and the timeline tell the candidate by the ``RoomGuestActor`` that ``live.access`` built
    from the session's verified link; no actor, a hand-made one, a look-alike or another room's is refused."""
    from dataclasses import dataclass

    from hirelens.core.actors import RoomGuestActor, live_seal

    from .room_setup import live_interview

    room = services.room_consent(room=room, actor=_guest(room), accepted=ACCEPT_ALL)
    with pytest.raises(PermissionDenied):
        live_seal()  # held by hirelens.live.access
    with pytest.raises(PermissionDenied):
        RoomGuestActor(room=room, seal=object())

    @dataclass
    class LookAlike:  # what a caller could pass to pose as the candidate
        room: object
        candidate: object
        organization_id: int
        is_authenticated: bool = True

    fake = LookAlike(room=room, candidate=room.application.candidate, organization_id=room.organization_id)
    other_room, _token = live_interview(org, hr_admin, [interviewer], minutes_ahead=300)
    for actor in (None, fake, _guest(other_room)):
        with pytest.raises(PermissionDenied):
            services.room_join(room=room, peer="cand-1", actor=actor)
        with pytest.raises(PermissionDenied):
            services.room_leave(room=room, peer="cand-1", actor=actor)
        with pytest.raises(PermissionDenied):
            services.room_consent(room=room, actor=actor, accepted=ACCEPT_ALL)
        with pytest.raises(PermissionDenied):
            services.question_ask(room=room, actor=actor, text="有人吗？")
    for staff in (interviewer, hr_admin):  # consents and questions are the candidate's own, never staff's
        with pytest.raises(PermissionDenied):
            services.room_consent(room=room, actor=staff, accepted={})
        with pytest.raises(PermissionDenied):
            services.question_ask(room=room, actor=staff, text="有人吗？")
    with pytest.raises(PermissionDenied):
        services.timeline_add(room=room, kind="joined", actor=fake)
    assert not RoomEvent.objects.filter(room=room).exists() and not RoomQuestion.objects.filter(room=room).exists()
    guest = _guest(room)
    assert guest.candidate == room.application.candidate and guest.organization_id == room.organization_id
    services.room_join(room=room, peer="cand-1", actor=guest)
    services.room_join(room=room, peer="p1", actor=interviewer)
    services.room_leave(room=room, peer="cand-1", actor=guest)
    rows = list(RoomEvent.objects.filter(room=room).order_by("pk").values_list("kind", "by_candidate", "actor_id"))
    assert rows == [("joined", True, None), ("joined", False, interviewer.pk), ("left", True, None)]
