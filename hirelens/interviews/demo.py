"""Demo AI video interviews: one analysed (a video answer with face analysis, the candidate having consented,
and an audio answer, both real Mandarin speech), one in progress (a real English answer to the Chinese
interview: its transcript is English and the Chinese keywords are not applicable to it), one invited (its link
is printed); each sent through the real invitation service, so the interview pages show the delivery per
channel and the portal lists them. The speech is real recordings read from registry packages' example clips
(sample_media.REAL_CLIPS); without those packages, espeak-ng English stands in."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

from django.core.files.base import ContentFile
from django.utils import timezone

from hirelens.core.jobs import enqueue_on_commit

from .models import Answer, InterviewSession
from .sample_media import face_webm, real_speech_webm, speech_webm, webm_bytes
from .services import OPEN_STATES, _hash, _invite, _reminders_cancel, session_link

QUESTIONS = [
    {"text": "请介绍一次你与团队协作解决客户问题的经历。", "prep_s": 30, "answer_s": 120, "retakes": 1},
    {"text": "如果客户拒绝签约，你会怎么做？", "prep_s": 30, "answer_s": 120, "retakes": 0},
]
# spoken by espeak-ng only where the real clips' package is not installed
ANSWERS = [
    "I worked with my team to help a customer. Teamwork made the difference, and the customer signed.",
    "If a customer refuses to sign, I listen first, then I ask about the concerns and propose a smaller first step.",
]
DEMO = [
    # candidate name, token, state, the real clip of each recorded answer, biometric consent (the first answer is then a video)
    ("赵磊", "demo-zhaolei-2026", InterviewSession.State.SUBMITTED, ["jay_0", "s4p1"], True),
    ("吴芳", "demo-wufang-2026", InterviewSession.State.ANSWERING, ["source_s1"], False),
    ("Emily Chen", "demo-emily-2026", InterviewSession.State.INVITED, [], False),
]


def _recording(folder: Path, clip: str, text: str) -> bytes:
    real = real_speech_webm(folder / f"{clip}.webm", clip)
    if real is not None:
        return real.read_bytes()
    if shutil.which("espeak-ng"):
        return speech_webm(folder, text)
    return webm_bytes(6.0)  # no speech synthesiser on this machine: a tone instead


def load(ctx):
    for name, token, state, clips, biometric in DEMO:
        answered = len(clips)
        candidate = ctx.candidates.get(name)
        if candidate is None:
            continue
        application = candidate.applications.first()
        session = InterviewSession.objects.filter(token_hash=_hash(token)).first()
        if session is None:
            session = InterviewSession.objects.create(
                organization=ctx.organization, application=application, questions=QUESTIONS, token_hash=_hash(token),
                practice_question="请用三个词介绍你自己。", expires_at=timezone.now() + timezone.timedelta(days=30),
                consents=({"recording": {"version": 1, "accepted": True}, "ai_analysis": {"version": 1, "accepted": True},
                           **({"biometric": {"version": 1, "accepted": True}} if biometric else {})}
                          if answered else {}), biometric_allowed=biometric, state=state,
                started_at=timezone.now() if answered else None,
                submitted_at=timezone.now() if state == InterviewSession.State.SUBMITTED else None,
            )
            with tempfile.TemporaryDirectory() as folder:
                for index in range(answered):
                    video = biometric and index == 0
                    if video:
                        data = face_webm(Path(folder) / "face.webm", ANSWERS[index], clip=clips[index]).read_bytes()
                    else:
                        data = _recording(Path(folder), clips[index], ANSWERS[index])
                    answer = Answer(organization=ctx.organization, session=session, question_index=index,
                                    kind=Answer.Kind.VIDEO if video else Answer.Kind.AUDIO,
                                    mime_type="video/webm" if video else "audio/webm", status=Answer.Status.COMPLETE, size=len(data),
                                    sha256=hashlib.sha256(data).hexdigest(), analysis_status=Answer.Analysis.QUEUED,
                                    completed_at=timezone.now())
                    answer.recording.save("demo.webm", ContentFile(data), save=False)
                    answer.save()
                    from .media import probe

                    with answer.recording.open("rb") as handle:
                        answer.media = probe(handle)
                    answer.duration_s = answer.media["duration_s"]
                    answer.save(update_fields=["media", "duration_s"])
                    from .tasks import answer_analyse_task

                    enqueue_on_commit(answer_analyse_task, answer.pk)  # the worker analyses them after `make run` starts
        # the interview's language is the language its questions are written in (the demo's are Chinese)
        chinese = any("\u4e00" <= ch <= "\u9fff" for q in session.questions for ch in q.get("text", ""))
        _demo_invitation(session, token, english=not chinese)
        ctx.extra.setdefault("interview_sessions", []).append(session)
        if state == InterviewSession.State.INVITED:
            ctx.log.append(f"Candidate interview link ({name}): {session_link(token)}")


MATERIALS = "最近一年的销售业绩数据\n安静的环境和稳定的网络"


def _demo_invitation(session: InterviewSession, token: str, *, english: bool) -> None:
    """Each demo interview was sent through the real invitation service (issue 16 §4): its link is stored encrypted
    (so the portal shows a start button), the invitation is delivered at once (e-mail into var/mail/ without SMTP),
    so HR's pages show the delivery per channel, and reminders are planned while it is open. Idempotent."""
    if session.invitations_sent:
        return
    from hirelens.messaging.services import message_deliver

    session.link_token, session.materials = token, MATERIALS
    session.language = "en" if english else "zh-hans"
    session.save(update_fields=["link_token", "materials", "language", "updated_at"])
    message = _invite(session, token)
    message_deliver(message_id=message.pk)
    if session.state not in OPEN_STATES:
        _reminders_cancel(session)  # submitted: nothing to remind
