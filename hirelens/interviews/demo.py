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

from hirelens.core.demo import demo_media_register, made_once
from hirelens.core.jobs import enqueue_on_commit

from .models import Answer, InterviewSession
from .sample_media import face_webm, real_speech_webm, speech_webm, webm_bytes
from .services import OPEN_STATES, _hash, session_link
from .services.invitations import _invite
from .services.sessions import _reminders_cancel

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


def _face_bytes(folder: Path, text: str, clip: str) -> bytes:
    return face_webm(folder / "face.webm", text, clip=clip).read_bytes()


def _recording(folder: Path, clip: str, text: str) -> bytes:
    real = real_speech_webm(folder / f"{clip}.webm", clip)
    if real is not None:
        return real.read_bytes()
    if shutil.which("espeak-ng"):
        return speech_webm(folder, text)
    return webm_bytes(6.0)  # no speech synthesiser on this machine: a tone instead


def load(ctx):
    _demo_notice(ctx)
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
                        data = made_once(("interviews.face", ANSWERS[index], clips[index]), _face_bytes,
                                         Path(folder), ANSWERS[index], clips[index])
                    else:
                        data = made_once(("interviews.audio", clips[index], ANSWERS[index]), _recording,
                                         Path(folder), clips[index], ANSWERS[index])
                    demo_media_register(data)  # its analysis may be kept (core/demo.py: demo_analysis)
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
    _demo_choices(ctx)
    _demo_live_instead(ctx)


DEMO_NOTICE_ZH = ("本次面试使用AI辅助分析：系统测量您回答的语速、停顿和提到的关键词，并生成文字记录，仅供面试官参考，不做面部分析；"
                  "每个决定都由人做出。您可以选择不使用AI分析（只由面试官观看录像），或申请真人面试、延长作答时间、以文字作答。")
DEMO_NOTICE_EN = ("This interview uses AI-assisted analysis: the system measures the speaking rate, pauses and keywords of your "
                  "answers and makes a transcript, for the interviewers only, with no face analysis; every decision is made by a "
                  "person. You may choose no AI analysis (interviewers watch your recordings), or ask for a live interview, extra "
                  "time or text answers.")


def _demo_notice(ctx) -> None:
    """The demo company edited its invitation notice once: version 2 (the platform's version 1 stays as it was)."""
    from .models import ConsentNotice

    ConsentNotice.objects.get_or_create(organization=ctx.organization, kind=ConsentNotice.Kind.INVITATION_AI, version=2,
                                        defaults={"text_zh": DEMO_NOTICE_ZH, "text_en": DEMO_NOTICE_EN, "required": False})


def _demo_choices(ctx) -> None:
    """Issue 20 in the demo: the consented sessions accepted AI analysis; one candidate declined it (a submitted
    interview for people to review only, nothing analysed); one asked for extra time (open, for HR to answer)."""
    from .models import CandidateRequest

    for session in ctx.extra.get("interview_sessions", []):
        if (session.consents or {}).get("ai_analysis", {}).get("accepted") and session.ai_analysis == "pending":
            InterviewSession.objects.filter(pk=session.pk).update(ai_analysis=InterviewSession.AiAnalysis.ACCEPTED)
    invited = InterviewSession.objects.filter(token_hash=_hash("demo-emily-2026")).first()
    if invited is not None and not CandidateRequest.objects.filter(session=invited).exists():
        CandidateRequest.objects.create(organization=ctx.organization, session=invited, kind=CandidateRequest.Kind.EXTRA_TIME,
                                        details="I have dyslexia; could I have more time to answer each question?")
    token = "demo-declined-2026"
    if InterviewSession.objects.filter(token_hash=_hash(token)).exists():
        return
    taken = {name for name, *_rest in DEMO}
    candidate = next((c for name, c in ctx.candidates.items() if name not in taken and c.applications.exists()), None)
    if candidate is None:
        return
    now = timezone.now()
    session = InterviewSession.objects.create(
        organization=ctx.organization, application=candidate.applications.first(), questions=QUESTIONS, token_hash=_hash(token),
        link_token=token, expires_at=now + timezone.timedelta(days=30), state=InterviewSession.State.SUBMITTED,
        consents={"recording": {"version": 1, "accepted": True}, "ai_analysis": {"version": 1, "accepted": False}},
        ai_analysis=InterviewSession.AiAnalysis.DECLINED, started_at=now, submitted_at=now)
    for index, text in enumerate(["我做过三年客户服务，最重视先倾听客户。", "我会先了解客户的顾虑，再提出一个小的第一步。"]):
        Answer.objects.create(organization=ctx.organization, session=session, question_index=index, kind=Answer.Kind.TEXT,
                              text=text, status=Answer.Status.COMPLETE, completed_at=now)
    ctx.log.append(f"AI analysis declined (human review only): {candidate.full_name}")


def _demo_live_instead(ctx) -> None:
    """Issue 20: one candidate asked for a live interview instead of the AI interview and HR granted it (the real
    service): they were sent a booking link, the AI interview was withdrawn, and their choice page shows the arrangement."""
    from . import choice
    from .models import CandidateRequest

    token = "demo-live-instead-2026"
    actor = ctx.users.get("recruiter") or ctx.users.get("admin")
    if actor is None or InterviewSession.objects.filter(token_hash=_hash(token)).exists():
        return
    busy = set(InterviewSession.objects.filter(organization=ctx.organization).values_list("application__candidate_id", flat=True))
    application = next((a for c in ctx.candidates.values() if c.pk not in busy for a in c.applications.all()
                        if choice.live_stage(a) is not None), None)
    if application is None:
        return
    session = InterviewSession.objects.create(
        organization=ctx.organization, application=application, questions=QUESTIONS, token_hash=_hash(token),
        link_token=token, expires_at=timezone.now() + timezone.timedelta(days=7))
    item = CandidateRequest.objects.create(organization=ctx.organization, session=session,
                                           kind=CandidateRequest.Kind.LIVE_INTERVIEW,
                                           details="我有听力障碍，看着面试官的口型交流更顺畅，希望改为视频面试。")
    choice.request_answer(actor=actor, item=item, grant=True, answer="可以，我们为您安排与面试官的视频面试，请选择方便的时间。")
    ctx.log.append(f"Live interview instead of the AI interview (granted, booking link sent): {application.candidate.full_name}, "
                   f"{choice.choice_url(session)}")


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
