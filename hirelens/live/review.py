"""The review of live interviews after they happened (read side): for the scorecard page of an application, each
room the reader may see with its recording, a timeline of what happened at which moment of the recording
(annotations, the candidate's questions and the answers, incidents, timeline events), the recording's analysis
(the same display helpers as AI-interview answers) and the live analysis summary.

Visibility is the interview's (``scheduling.access.visible_interviews``: the application must be visible to the
reader) plus the stage permissions (W2), as for AI-interview sessions. Queries are bounded: one for the rooms, one
per kind of row (prefetched), whatever the number of rooms and rows.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from .models import LiveRoom, RoomEvent, RoomIncident, RoomNote, RoomQuestion

# Timeline events the ROOM and INCIDENTS parts write (RoomEvent.kind): words, never the code. An unknown kind is
# shown as a generic room event rather than its code.
EVENT_LABELS = {
    "opened": gettext_lazy("面试间开启"),
    "joined": pgettext_lazy("事件", "进入面试间"),
    "left": gettext_lazy("离开面试间"),
    "admitted": gettext_lazy("候选人获准进入"),
    "reconnected": gettext_lazy("重新连接"),
    "disconnected": gettext_lazy("连接中断"),
    "voice_only": gettext_lazy("切换为仅语音"),
    "voice_only_off": gettext_lazy("恢复视频"),
    "incident": gettext_lazy("事件处理"),
    "helpdesk": gettext_lazy("候选人求助"),
    "recording_started": gettext_lazy("开始录制"),
    "recording_gap": gettext_lazy("录制中断"),
    "ended": gettext_lazy("面试结束"),
}
ROOM_EVENT = gettext_lazy("面试间事件")

# The live summary's figures (analysis.live.LiveSummary), in the reader's words.
MAX_ROWS = 400  # timeline rows shown per room (the stored rows stay complete)


def _consented(value) -> bool:
    """A consent stored as a bool (the room) or as {"accepted": bool, "version": n} (the AI interview's form)."""
    if isinstance(value, dict):
        return bool(value.get("accepted"))
    return bool(value)


def visible_rooms(*, actor, application=None):
    """Rooms of the interviews the actor may see (``access.visible_rooms``: the interview's rule), of one application."""
    from .access import visible_rooms as rooms_of

    rooms = rooms_of(actor=actor)
    return rooms.filter(application=application) if application is not None else rooms


def _stage_filter(actor, rooms: list[LiveRoom]) -> list[LiveRoom]:
    from hirelens.workflows.access import assignment_roles, stage_can_view

    roles: dict[int, set[str]] = {}

    def visible(room: LiveRoom) -> bool:
        stage = room.interview.stage
        if stage is None:
            return True
        position_id = room.application.position_id
        if position_id not in roles:
            roles[position_id] = assignment_roles(actor=actor, position_id=position_id)
        return stage_can_view(actor=actor, stage=stage, roles=roles[position_id])

    return [room for room in rooms if visible(room)]


def _name(user) -> str:
    return (user.full_name or user.email) if user is not None else _("已删除的用户")


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return ""
    total = int(max(0.0, seconds))
    return f"{total // 3600}:{total // 60 % 60:02d}:{total % 60:02d}" if total >= 3600 else f"{total // 60}:{total % 60:02d}"


def _at(room: LiveRoom, media_time_s: float | None, created_at) -> float | None:
    """Where on the recording a row belongs: its media time, or (rows written without one) the time since the
    recording started; None when there is no recording to place it on."""
    if not room.recording:
        return None
    if media_time_s is None and room.recording_started_at is not None and created_at is not None:
        media_time_s = (created_at - room.recording_started_at).total_seconds()
    if media_time_s is None:
        return None
    duration = room.recording_duration_s
    return max(0.0, min(float(media_time_s), float(duration))) if duration else max(0.0, float(media_time_s))


def _tag_labels() -> dict:
    from .services import NOTE_TAGS

    return {str(key): str(label) for key, label in dict(NOTE_TAGS).items()}


def _delivery(message) -> str:
    if message is None:
        return ""
    text = message.get_status_display()
    if message.channel:
        text += " · " + message.channel_label
    return text


def _timeline(room: LiveRoom, candidate_name: str, tags: dict) -> list[dict]:
    """Every row of the room in the order it happened, with its moment on the recording (``at``) when known."""
    from .services import TIMELINE_KINDS

    labels = {**EVENT_LABELS, **TIMELINE_KINDS}
    rows = []
    for note in room.notes.all():
        rows.append({"kind": "note", "label": _("批注"), "who": _name(note.author), "text": note.text,
                     "tags": [tags.get(str(tag), str(tag)) for tag in note.tags or []],
                     "at": _at(room, note.media_time_s, note.created_at), "when": note.created_at})
    for question in room.questions.all():
        answer = ""
        if question.answered_at is not None:
            answer = _("已口头回答") if question.answered_by_voice and not question.answer else question.answer
        rows.append({"kind": "question", "label": _("候选人提问"), "who": candidate_name, "text": question.text,
                     "answer": answer, "answered_by": _name(question.answered_by) if question.answered_by_id else "",
                     "by_voice": question.answered_by_voice,
                     "at": _at(room, question.media_time_s, question.created_at), "when": question.created_at})
    for incident in room.incidents.all():
        rows.append({"kind": "incident", "label": incident.get_kind_display(), "who": _name(incident.actor),
                     "text": "", "delivery": _delivery(incident.message),
                     "at": _at(room, incident.media_time_s, incident.created_at), "when": incident.created_at})
    for event in room.events.all():
        if event.kind == "incident":  # the incident's own row (above) carries it, with its delivery
            continue
        if event.kind == "voice_only" and not (event.data or {}).get("on", True):
            label = str(EVENT_LABELS["voice_only_off"])
        else:
            label = str(labels.get(event.kind, ROOM_EVENT))
        who = candidate_name if event.by_candidate else (_name(event.actor) if event.actor_id else "")
        rows.append({"kind": "event", "label": label, "who": who, "text": "",
                     "at": _at(room, event.media_time_s, event.created_at), "when": event.created_at})
    rows.sort(key=lambda r: (r["at"] if r["at"] is not None else float("inf"), r["when"]))
    duration = room.recording_duration_s or 0.0
    for row in rows:
        row["clock"] = _clock(row["at"])
        row["left_pct"] = f"{100.0 * row['at'] / duration:.2f}" if duration and row["at"] is not None else ""
    return rows[:MAX_ROWS]


def summary_rows(summary: dict | None, *, facial: bool) -> dict | None:
    """The live analysis summary (analysis.live.LiveSummary.to_dict()) as labelled rows."""
    from hirelens.interviews.analysis_display import keyword_rows, language_name

    if not summary:
        return None

    def num(x, digits=1):
        return "—" if x is None else f"{x:.{digits}f}"

    rows = [
        (_("时长"), f"{num(summary.get('duration_s'))} s"),
        (_("候选人说话时间"), f"{num(summary.get('speaking_time_s'))} s"),
    ]
    if summary.get("speaking_share") is not None:
        rows.append((_("说话占比"), f"{round(100 * summary['speaking_share'])}%"))
    rows.append((_("停顿次数"), _("%(n)s 次，其中 %(long)s 次长停顿（2 秒以上）") % {
        "n": summary.get("pause_count", 0), "long": summary.get("long_pause_count", 0)}))
    if summary.get("speech_rate_syll_per_s") is not None:
        rows.append((_("语速（音节/秒）"), _("%(rate)s（不含停顿：%(art)s）") % {
            "rate": num(summary.get("speech_rate_syll_per_s"), 2), "art": num(summary.get("articulation_rate_syll_per_s"), 2)}))
    language = language_name(summary.get("language")) if summary.get("text") else None
    if language:
        rows.append((_("转写语言"), language))
    face = None
    if facial and summary.get("face"):
        f = summary["face"]
        ratio = f.get("face_present_ratio")
        face = [
            (_("画面中有面部"), "—" if ratio is None else f"{round(100 * ratio)}%"),
            (_("离开画面"), _("%(n)s 次") % {"n": f.get("face_absent_count", 0)}),
            (_("视线偏离"), _("%(n)s 次") % {"n": f.get("look_away_count", 0)}),
            (_("微笑"), _("%(n)s 次") % {"n": f.get("smile_count", 0)}),
            (_("皱眉"), _("%(n)s 次") % {"n": f.get("frown_count", 0)}),
        ]
    return {"rows": rows, "keywords": keyword_rows(summary), "face": face, "transcript": summary.get("text") or ""}


def application_rooms(*, actor, application) -> list[dict]:
    """The live interviews of one application the actor may see, for the review: newest first."""
    from hirelens.interviews.analysis_display import present

    rooms = list(
        visible_rooms(actor=actor, application=application)
        .select_related("interview__stage__version__process", "interview__application__position", "application__candidate", "application__position__organization", "organization")
        .prefetch_related(
            "interview__stage__view_users",
            Prefetch("interview__interviewers"),
            Prefetch("notes", queryset=RoomNote.objects.select_related("author")),
            Prefetch("questions", queryset=RoomQuestion.objects.select_related("answered_by")),
            Prefetch("incidents", queryset=RoomIncident.objects.select_related("actor", "message")),
            Prefetch("events", queryset=RoomEvent.objects.select_related("actor")),
        )
        .order_by("-interview__start_at", "-pk")
    )
    rooms = _stage_filter(actor, rooms)
    tags = _tag_labels() if rooms else {}
    out = []
    for room in rooms:
        consents = room.consents or {}
        recording_consent = _consented(consents.get("recording"))
        facial = bool(room.application.position.facial_enabled and _consented(consents.get("biometric")))
        report = present(room.analysis) if room.analysis_status == LiveRoom.Analysis.DONE else None
        if report and not facial:  # facial rows and events only with the candidate's biometric consent and the switch
            report = {**report, "face": None, "posture": None,
                      "events": [e for e in report["events"] if e.get("type") not in FACIAL_EVENTS]}
        duration = room.recording_duration_s or 0.0
        if report and duration:
            for event in report["events"]:
                event["left_pct"] = f"{100.0 * min(float(event.get('start_s') or 0.0), duration) / duration:.2f}"
        out.append({
            "room": room,
            "interview": room.interview,
            "interviewers": [_name(u) for u in room.interview.interviewers.all()],
            "interviewers_text": _("、").join(_name(u) for u in room.interview.interviewers.all()),
            "candidate": room.application.candidate.full_name,
            "recording": bool(room.recording),
            "no_recording_reason": _no_recording_reason(room, recording_consent),
            "timeline": _timeline(room, room.application.candidate.full_name, tags),
            "report": report,
            "analysis_status": (_("未做：候选人未同意 AI 分析") if consents and not _consented(consents.get("ai_analysis"))
                                else room.get_analysis_status_display()),
            "analysis_done": room.analysis_status == LiveRoom.Analysis.DONE,
            "summary": summary_rows(room.live_summary, facial=facial),
            "facial": facial,
        })
    return out


FACIAL_EVENTS = {"face_absent", "multiple_faces", "look_away", "smile", "frown", "gesture"}


def _no_recording_reason(room: LiveRoom, consented: bool) -> str:
    if room.recording:
        return ""
    if not consented and room.state != LiveRoom.State.WAITING:
        return _("没有录像：候选人没有同意录像。")
    if room.state != LiveRoom.State.ENDED:
        return _("面试结束后可在这里回放录像。")
    return _("没有录像。")


def room_for_review(*, actor, room_id) -> LiveRoom:
    """One room for its review (the recording): the same 404 for a missing room, another tenant's, an interview
    the actor may not see and a stage hidden from them (W2)."""
    from django.http import Http404

    from .access import access_room

    room = access_room(actor=actor, room_id=room_id)
    if not _stage_filter(actor, [room]):
        raise Http404
    return room
