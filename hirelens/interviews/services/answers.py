"""Answers: begin (or resume) a take, note interruptions, continue an interrupted take, text answers."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..media import NotMediaError, probe_quick
from ..models import Answer, InterviewSession
from .errors import UploadConflict
from .sessions import PRACTICE_ANSWER_S, PRACTICE_PREP_S, _publish, practice_text

MAX_INTERRUPTIONS = 50  # per answer: a page that reloads in a loop cannot grow the row without bound
MIN_CONTINUE_S = 3  # a take is continued only when at least this much answer time is left


def question_for(session: InterviewSession, index: int) -> dict:
    """Question ``index`` as this candidate gets it (-1: the practice question), with any extra answer time granted."""
    if index == -1:
        if not session.practice_question:
            raise ValidationError(_("没有练习题。"))
        return {"text": practice_text(session), "prep_s": PRACTICE_PREP_S, "answer_s": PRACTICE_ANSWER_S, "retakes": 99}
    if not 0 <= index < len(session.questions):
        raise ValidationError(_("题目不存在。"))
    question = session.questions[index]
    if session.extra_answer_s:  # extra time granted to this candidate (an accommodation)
        question = {**question, "answer_s": int(question["answer_s"]) + session.extra_answer_s}
    return question


def retakes_left(session: InterviewSession, index: int) -> int:
    question = question_for(session, index)
    used = session.answers.filter(question_index=index, technical_retake=False).exclude(status=Answer.Status.RECORDING).count()
    return max(0, question["retakes"] + 1 - used)


@transaction.atomic
def answer_begin(*, session: InterviewSession, question_index: int, kind: str, mime_type: str = "",
                 technical_retake: bool = False) -> Answer:
    session = InterviewSession.objects.select_for_update().get(pk=session.pk)
    if session.state not in (InterviewSession.State.STARTED, InterviewSession.State.ANSWERING):
        raise ValidationError(_("面试尚未开始或已提交。"))
    question_for(session, question_index)
    if kind not in Answer.Kind.values or (kind == Answer.Kind.TEXT and not session.text_answers_allowed):
        raise ValidationError(_("不支持这种作答方式。"))
    if kind == Answer.Kind.VIDEO and session.audio_only:
        kind = Answer.Kind.AUDIO
    unfinished = session.answers.filter(question_index=question_index, status=Answer.Status.RECORDING)
    carried: list = []
    if technical_retake:
        # Only an attempt that broke (never completed) earns a free retake. Its interruptions stay visible to HR on
        # the new take, each one that awaited the candidate's choice marked "recorded again".
        if not unfinished.exists():
            raise ValidationError(_("没有需要重新录制的中断作答。"))
        for broken in unfinished.order_by("attempt"):
            carried += [{**item, "choice": item.get("choice") or "again"} if item.get("kind") == "page" else item
                        for item in broken.interruptions]
        unfinished.update(status=Answer.Status.FAILED, failure="technical retake")
    else:
        if unfinished.exists():
            return unfinished.latest("attempt")  # resume the attempt in progress (reload, network drop)
        if retakes_left(session, question_index) <= 0:
            raise ValidationError(_("这道题的重录次数已用完。"))
    attempt = (session.answers.filter(question_index=question_index).order_by("-attempt").values_list("attempt", flat=True).first() or 0) + 1
    answer = Answer.objects.create(
        organization_id=session.organization_id, session=session, question_index=question_index, attempt=attempt,
        technical_retake=technical_retake, kind=kind, mime_type=mime_type[:100], interruptions=carried[-MAX_INTERRUPTIONS:],
    )
    return answer


@transaction.atomic
def answer_interrupted(*, answer: Answer, kind: str, recorded_s: float = 0.0, offline_s: float = 0.0) -> Answer:
    """Note a technical interruption of a take for HR: ``page`` (the page that was recording went away: a reload, a
    language switch, a closed tab, a crash — reported by the page that finds the take open again) or ``offline``
    (the network dropped while recording; the recording itself went on). It never costs the candidate anything."""
    answer = Answer.objects.select_for_update().get(pk=answer.pk)
    if kind not in ("page", "offline"):
        raise ValidationError(_("未知的中断类型。"))
    if answer.status not in (Answer.Status.RECORDING, Answer.Status.COMPLETE):
        raise UploadConflict(_("该作答已不能记录中断。"))
    if kind == "page" and answer.status != Answer.Status.RECORDING:
        raise UploadConflict(_("该作答已完成，不能再上传。"))
    item = {"kind": kind, "at": timezone.now().isoformat(), "recorded_s": round(max(0.0, min(float(recorded_s), 36000.0)), 1)}
    if kind == "offline":
        item["offline_s"] = round(max(0.0, min(float(offline_s), 36000.0)), 1)
    answer.interruptions = [*answer.interruptions, item][-MAX_INTERRUPTIONS:]
    answer.save(update_fields=["interruptions", "updated_at"])
    return answer


@transaction.atomic
def answer_interruption_keep(*, answer: Answer) -> Answer:
    """The candidate keeps what an interrupted take recorded as the answer (the page then finishes the upload)."""
    answer = Answer.objects.select_for_update().get(pk=answer.pk)
    if answer.status != Answer.Status.RECORDING:
        raise UploadConflict(_("该作答已完成，不能再上传。"))
    _interruptions_chosen(answer, "keep")
    answer.save(update_fields=["interruptions", "updated_at"])
    return answer


def _parts(answer: Answer, received: int | None = None) -> list[int]:
    """Where each continued part of a take starts (byte offsets into the upload, ascending); empty for one part.
    With ``received``: only parts that hold something (a part noted but cut off before its first piece holds nothing)."""
    offsets = [int(o) for o in (answer.media or {}).get("parts", [])]
    return offsets if received is None else [o for o in offsets if o < received]


def _part_files(chunks, offsets: list[int]) -> list:
    """The upload's pieces grouped into the parts that start at ``offsets`` (every part starts on a piece boundary:
    ``answer_continue`` took the offset when the server held exactly the earlier pieces), each a temporary file."""
    import tempfile

    bounds = [0, *offsets]
    files = [tempfile.TemporaryFile() for _ in bounds]
    for chunk in chunks:
        part = max(i for i, start in enumerate(bounds) if chunk.offset >= start)
        with chunk.data.storage.open(chunk.data.name, "rb") as handle:  # by name: the field's file may be closed
            files[part].write(handle.read())
    for handle in files:
        handle.seek(0)
    return files


def _recorded_s(answer: Answer, chunks) -> float:
    """Seconds recorded so far by a take's parts (each probed on its own: each is a whole recording; the bounded
    probe, as at finish: the duration from the first packets and the last clusters)."""
    total = 0.0
    for handle in _part_files(chunks, _parts(answer)):
        with handle:
            try:
                total += probe_quick(handle)["duration_s"]
            except NotMediaError:
                continue  # a part cut off before anything usable: it adds no time
    return total


@transaction.atomic
def answer_continue(*, answer: Answer, offset: int, mime_type: str = "") -> tuple[Answer, float]:
    """The candidate continues an interrupted take where it stopped: a new part (a whole recording from a new
    MediaRecorder) whose pieces follow the earlier ones. ``offset`` is where the page's new part starts; it must be
    exactly what the server holds (the page uploads the earlier part's pieces first), so the parts can be cut apart
    and joined at finish. Repeating the same request is accepted. Returns the answer and the answer time left."""
    answer = Answer.objects.select_for_update().select_related("session").get(pk=answer.pk)
    if answer.status != Answer.Status.RECORDING:
        raise UploadConflict(_("该作答已完成，不能再上传。"))
    if "mp4" in (mime_type or answer.mime_type):
        raise UploadConflict(_("此浏览器录制的格式不能接着录制，请保留已录制的内容或重新录制本题（不占重录次数）。"),
                             code="cannot_continue")
    if answer.mime_type and mime_type and mime_type.split(";")[0] != answer.mime_type.split(";")[0]:
        raise UploadConflict(_("此浏览器的录制格式与中断前不同，不能接着录制，请保留已录制的内容或重新录制本题（不占重录次数）。"),
                             code="cannot_continue")
    chunks = list(answer.chunks.order_by("index"))
    received = sum(c.size for c in chunks)
    parts = _parts(answer)
    if offset != received:
        raise UploadConflict(_("中断前的内容还没有全部上传（服务器已收到 %(got)s 字节，页面为 %(offset)s 字节），请稍候再试。")
                             % {"got": received, "offset": offset}, code="offset")
    question = question_for(answer.session, answer.question_index)
    recorded = _recorded_s(answer, chunks)
    left = question["answer_s"] - recorded
    if parts and parts[-1] == offset:  # the same request again (or again after the new part was cut before its first piece)
        _interruptions_chosen(answer, "continued")
        answer.save(update_fields=["interruptions", "updated_at"])
        return answer, max(0.0, left)
    if not chunks:
        raise UploadConflict(_("这次作答还没有上传任何内容，请重新录制（不占重录次数）。"), code="nothing_recorded")
    if left < MIN_CONTINUE_S:
        raise UploadConflict(_("这道题的作答时间已基本用完，请保留已录制的内容或重新录制本题（不占重录次数）。"), code="no_time_left")
    answer.media = {**(answer.media or {}), "parts": [*parts, offset]}
    _interruptions_chosen(answer, "continued")
    answer.save(update_fields=["media", "interruptions", "updated_at"])
    return answer, left


def _interruptions_chosen(answer: Answer, choice: str) -> None:
    answer.interruptions = [{**item, "choice": choice} if item.get("kind") == "page" and not item.get("choice") else item
                            for item in answer.interruptions]


def _supersede(answer: Answer) -> None:
    """A completed retake replaces the earlier completed attempt of the same question."""
    Answer.objects.filter(session_id=answer.session_id, question_index=answer.question_index, status=Answer.Status.COMPLETE).exclude(
        pk=answer.pk).update(status=Answer.Status.DISCARDED)


@transaction.atomic
def answer_text(*, session: InterviewSession, question_index: int, text: str) -> Answer:
    answer = answer_begin(session=session, question_index=question_index, kind=Answer.Kind.TEXT)
    text = text.strip()
    if not text:
        raise ValidationError(_("请填写作答内容。"))
    answer.text, answer.status, answer.completed_at = text[:20000], Answer.Status.COMPLETE, timezone.now()
    answer.save()
    _supersede(answer)
    session.refresh_from_db()
    if session.state == InterviewSession.State.STARTED:
        session.state = InterviewSession.State.ANSWERING
        session.save(update_fields=["state", "updated_at"])
    _publish(session, answer)
    return answer
