"""The candidate's side of the AI video interview: one page (steps run in the browser) and a small
JSON upload API authenticated by the link token in the URL (no cookies, so no CSRF surface).

Every JSON endpoint takes typed input (one pydantic model per POST, below): malformed JSON, a body that is not an
object, or a field of the wrong type is a 400 that names the problem (``code`` ``bad_request``) before any service runs.

A link that opens nothing answers as the page does (core/tokens.py): unknown 404, expired or withdrawn 410, with
``{"error": <words in the candidate's language>, "code": "link_unknown" | "link_expired" | "link_revoked"}``; a write
to an interview already submitted is a 410 ``finished``. The page's script stops retrying on any 4xx and, on a 410,
offers to reload the page (which then explains the link and offers "ask for a new link").
"""

from __future__ import annotations

import json
import re
import time
from functools import wraps

from django import forms
from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as InputError

from hirelens.core import tokens
from hirelens.core.converters import MAX_ID

from . import services
from .access import access_candidate_answer, access_candidate_upload, access_session_actor, access_session_by_token
from .models import Answer, CandidateRequest, InterviewSession
from .notices import notices_in_order
from .services import UnusableRecording, UploadConflict, current_notices, retakes_left

SHA256 = re.compile(r"[0-9a-fA-F]{64}")
CHUNK_S = 2  # the page records in pieces of this many seconds (interview.js CHUNK_MS)
# what the steps before the questions take a candidate who reads every screen (welcome, consent, device check)
INTRO_S = 150


class _In(BaseModel):
    model_config = ConfigDict(extra="ignore")


class ConsentIn(_In):
    recording: bool = False
    ai_analysis: bool = False
    biometric: bool = False


class StartIn(_In):
    audio_only: bool = False


class AnswerIn(_In):
    question: int = Field(ge=-1, le=10_000)  # -1: the practice question
    kind: str = Field("video", max_length=10)
    mime: str = Field("", max_length=200)
    technical: bool = False


class TextAnswerIn(_In):
    question: int = Field(ge=-1, le=10_000)
    text: str = Field("", max_length=100_000)


class FinishIn(_In):
    # both absent: finish with the pieces the server holds (an interrupted take kept by a page without its recording)
    size: int | None = Field(None, ge=0, le=MAX_ID)
    sha256: str | None = Field(None, pattern=f"^{SHA256.pattern}$")


class InterruptionIn(_In):
    kind: str = Field(pattern="^(page|offline)$")
    recorded_s: float = Field(0.0, ge=0, le=36000)
    offline_s: float = Field(0.0, ge=0, le=36000)


class SubmitIn(_In):
    pass


class ContinueIn(_In):
    offset: int = Field(ge=0, le=MAX_ID)  # the bytes of the earlier part(s), as the page holds them
    mime: str = Field("", max_length=200)


class BadInput(Exception):
    def __init__(self, message: str, fields: list[str] | None = None):
        super().__init__(message)
        self.fields = fields or []


def _bad(message: str, fields: list[str] | None = None, code: str = "bad_request") -> JsonResponse:
    return JsonResponse({"error": message, "code": code, "fields": fields or []}, status=400)


def _error(exc: ValidationError) -> JsonResponse:
    """A service's refusal: 409 when it contradicts what is stored, 422 for an unusable recording (the candidate records
    the answer again: ``retake``), else 400."""
    body = {"error": " ".join(exc.messages), "code": getattr(exc, "code", None) or "invalid"}
    if isinstance(exc, UnusableRecording):
        return JsonResponse({**body, "retake": True}, status=422)
    return JsonResponse(body, status=409 if isinstance(exc, UploadConflict) else 400)


FINISHED_STATES = (InterviewSession.State.SUBMITTED, InterviewSession.State.ANALYSED)


def _dead_words(code: str) -> str:
    return {
        "link_expired": _("这条面试链接已过期，面试不能继续。请刷新本页，申请一条新的链接。"),
        "link_revoked": _("招聘方已撤回这条面试链接，面试不能继续。如仍需要，请刷新本页申请一条新的链接。"),
        "finished": _("面试已提交，不能再修改。"),
    }.get(code) or _("无法识别这个面试链接：请检查链接是否完整，最好直接点开消息中的链接。")


def _closed(request, code: str, session=None) -> JsonResponse:
    """A link that opens nothing, or an interview that is over, for the page's script: 404 for an unknown link, else
    410, in the candidate's language (their own choice, else the interview's, as the page; else the browser's)."""
    language = translation.get_language()
    if session is not None and not request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME):
        language = session.language
    with translation.override(language):
        body = {"error": _dead_words(code), "code": code}
    response = JsonResponse(body, status=404 if code == "link_unknown" else 410)
    response["Cache-Control"] = "no-store"
    return response


def _dead(request, dead: tokens.LinkDead) -> JsonResponse:
    return _closed(request, f"link_{dead.status}", dead.target)


def _input(request, schema: type[_In]) -> _In:
    raw = request.body
    if raw.strip():
        try:
            payload = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise BadInput(_("请求内容不是有效的 JSON。")) from None
    else:
        payload = {}
    if not isinstance(payload, dict):
        raise BadInput(_("请求内容必须是 JSON 对象。"))
    try:
        return schema.model_validate(payload)
    except InputError as exc:
        fields = list(dict.fromkeys(str(error["loc"][0]) for error in exc.errors() if error.get("loc")))
        raise BadInput(_("以下字段缺失或格式不正确：%(fields)s") % {"fields": ", ".join(fields)}, fields) from None


def _state(session) -> dict:
    """What the page needs to know. An answer in "recording" is a take under way or interrupted (the page that finds one
    it did not start offers to keep it or record it again); ``refused`` says the server refused its upload."""
    answers = {}
    for answer in session.answers.exclude(status__in=[Answer.Status.FAILED, Answer.Status.DISCARDED]).order_by(
            "attempt").prefetch_related("chunks"):
        chunks = list(answer.chunks.all())
        refused = answer.failure.removeprefix("refused: ") if answer.failure.startswith("refused: ") else ""
        answers[str(answer.question_index)] = {"id": answer.pk, "status": answer.status, "kind": answer.kind,
                                               "received": sum(c.size for c in chunks), "chunks": len(chunks),
                                               "refused": refused if answer.status == Answer.Status.RECORDING else "",
                                               "refused_message": services.unusable_message(refused) if refused else "",
                                               "duration_s": answer.duration_s, "attempt": answer.attempt}
    return {
        "state": session.state,
        "consented": bool(session.consents),
        "biometric_allowed": session.biometric_allowed,
        "audio_only": session.audio_only,
        "extra_prep_s": session.extra_prep_s,
        "text_answers_allowed": session.text_answers_allowed,
        "practice": services.practice_text(session),
        "practice_prep_s": services.PRACTICE_PREP_S, "practice_answer_s": services.PRACTICE_ANSWER_S,
        "chunk_s": CHUNK_S,
        "questions": [{**services.question_for(session, i), "retakes_left": retakes_left(session, i)} for i in range(len(session.questions))],
        "ai_analysis": session.ai_analysis,
        "open": session.opens_at is None or session.opens_at <= timezone.now(),
        "answers": answers,
    }


@never_cache
@require_GET
def interview_page(request, token: str):
    try:
        session = access_session_by_token(token=token)
    except Http404:
        from . import choice

        if choice.replaced_session(token) is not None:  # a live interview replaces it: the choice page says what was arranged
            return redirect("interviews:candidate_choice", token=token)
        # expired / withdrawn (410) or unknown (404): a candidate's page that says which, in their language, with
        # "ask for a new link" (the help desk's dead-link page, issue 19)
        from hirelens.messaging.services.deadlinks import dead_link_render

        return dead_link_render(request, "interviews/link_closed.html", kind="interview", token=token)
    if not request.COOKIES.get("django_language"):
        # The company chose the interview's language; the candidate can still switch.
        with translation.override(session.language):
            return _interview_page(request, session, token)
    return _interview_page(request, session, token)


def _interview_page(request, session, token):
    from .notices import CONSENT_KINDS

    notices = {k: n for k, n in current_notices(session.organization_id).items() if k in CONSENT_KINDS}
    english = translation.get_language() == "en"
    context = {
        "session": session,
        "position": session.application.position,
        "organization": session.organization,
        "notices": [{"kind": n.kind, "version": n.version, "required": n.kind == "recording",
                     "label": n.get_kind_display(), "text": n.text_en if english else n.text_zh} for n in notices_in_order(notices.values())],
        "facial_enabled": session.application.position.facial_enabled,
        "opens": (services.invitation_deadline_at(session, session.opens_at, translation.get_language())
                  if session.opens_at is not None and session.opens_at > timezone.now() else ""),
        "choice_url": reverse("interviews:candidate_choice", args=[token]),
        "explanation_url": reverse("interviews:candidate_explanation", args=[token]),
        "state_json": _state(session),
        "total_minutes": _total_minutes(session),
        "token": token,
        "help_url": _help_url(session, request),
        "strings": _strings(),
    }
    return render(request, "interviews/candidate.html", context)


def _strings() -> dict:
    """The words the page's script shows and announces, in the page's language (%(name)s filled in by the script)."""
    return {
        "uploading": _("正在上传…"), "uploaded": _("已全部上传"), "savingAsRecorded": _("录制中，内容边录边保存"),
        "offline": _("网络已断开，录制内容保存在本机，恢复后会自动继续上传。"),
        "camFailed": _("无法使用摄像头，已改为仅音频作答。如需视频作答，请在浏览器设置中允许摄像头后刷新页面。"),
        "micFailed": _("无法使用麦克风：请在浏览器设置中允许麦克风，然后刷新页面。"),
        "micSilent": _("没有听到麦克风的声音：请检查麦克风是否静音、浏览器是否允许使用麦克风，或换一个麦克风，然后说几句话试试。"),
        "micHeard": _("已听到麦克风的声音。"),
        "noRecorder": _("此浏览器不支持录制，请使用最新版 Chrome、Edge、Safari 或微信内置浏览器。"),
        "slow": _("网速较慢：录制不受影响，上传会在后台完成，请不要关闭页面。"),
        "prep": _("准备时间"), "recording": _("作答中"),
        "progress": _("已完成 %(done)s / %(total)s 题"),
        "practiceLabel": _("练习题（不计分）"),
        "questionOf": _("第 %(n)s 题，共 %(total)s 题"),
        "recordedSaving": _("已录制 %(s)s 秒 · 正在保存"),
        "recordedSaved": _("已录制 %(s)s 秒 · 已保存"),
        # the practice take is checked (a silent microphone is caught) and then discarded: never "saved"
        "practiceChecking": _("练习已录制 %(s)s 秒 · 正在检查声音"),
        "practiceChecked": _("练习已录制 %(s)s 秒 · 声音正常（练习录像不保存）"),
        "nextQuestion": _("下一题"), "toQuestions": _("开始正式答题"), "toReview": _("答完了，去提交"),
        "speed": _("%(word)s（%(mbps)s Mbit/s）"), "speedGood": _("良好"), "speedSlow": _("较慢"),
        "interruptedKept": _("这道题的录制被中断了（页面刷新、关闭或网络问题）。已录下的约 %(s)s 秒都保存着。"),
        "interruptedNothing": _("这道题的录制被中断了，还没有录下内容。"),
        "langLocked": _("录制中不能切换语言，本题作答结束后即可切换。"),
        "prepStarted": _("%(q)s。准备时间 %(s)s 秒。"),
        "recordingStarted": _("开始录制，作答时间 %(s)s 秒。"),
        "secondsLeftNotice": _("还剩 %(s)s 秒。"),
        "refusedAgain": _("上次的录制无法使用，请重新录制这道题（不占重录次数）。"),
        "continuePrep": _("接着中断处继续录制：%(s)s 秒后开始，本题还剩 %(left)s 秒作答时间。"),
        "continueNote": _("接着中断处继续录制，本题还剩 %(left)s 秒作答时间。"),
    }


def _total_minutes(session) -> int:
    """The whole interview, truthfully: reading and consent, the device check, the practice, every question's
    preparation (with the candidate's extra time) and answer time."""
    seconds = INTRO_S + sum(q["prep_s"] + session.extra_prep_s + q["answer_s"] for q in session.questions)
    if session.practice_question:
        seconds += services.PRACTICE_PREP_S + services.PRACTICE_ANSWER_S
    return max(1, -(-seconds // 60))


def _help_url(session, request) -> str:
    """The help desk's "report a problem" page for this candidate (M3), opened from every step."""
    from hirelens.messaging.services.helpdesk import help_url

    # the same subject as this interview's dead-link requests, so a follow-up joins that thread; the page adds the step
    return help_url(candidate=session.application.candidate, page=request.path, subject_type="interviews.session",
                    subject_id=session.pk)


def candidate_api(schema: type[_In], *, changes: bool = True, actor: bool = False):
    """A JSON endpoint of the candidate's link: POST only, token checked (a dead link answered by ``_dead``: 404 or
    410), the JSON body validated against ``schema``, and bad input answered with a clear JSON error instead of a page.
    ``changes``: the endpoint changes the interview, refused (410 ``finished``) once it was submitted; ``actor``: the
    view also takes the candidate's verified ``LinkActor`` (the writes the audit log attributes to them)."""

    def decorate(view):
        @csrf_exempt
        @require_POST
        @wraps(view)
        def wrapper(request, token: str, **kwargs):
            try:
                link_actor = access_session_actor(token=token)
            except tokens.LinkDead as dead:
                return _dead(request, dead)
            session = link_actor.link
            if changes and session.state in FINISHED_STATES:
                return _closed(request, "finished", session)
            try:
                data = _input(request, schema)
            except BadInput as exc:
                return _bad(str(exc), exc.fields)
            if actor:
                kwargs["actor"] = link_actor
            try:
                return view(request, session, data, **kwargs)
            except ValidationError as exc:
                return _error(exc)

        return wrapper

    return decorate


@csrf_exempt
@require_GET
def state(request, token: str):
    try:
        session = access_session_actor(token=token).link
    except tokens.LinkDead as dead:
        return _dead(request, dead)
    return JsonResponse(_state(session))


@candidate_api(ConsentIn, actor=True)
def consent(request, session, data: ConsentIn, actor):
    session = services.consent_record(actor=actor, session=session, accepted=data.model_dump(), request=request)
    return JsonResponse(_state(session))


@candidate_api(StartIn)
def start(request, session, data: StartIn):
    return JsonResponse(_state(services.session_start(session=session, audio_only=data.audio_only)))


@candidate_api(AnswerIn)
def answer_begin(request, session, data: AnswerIn):
    answer = services.answer_begin(session=session, question_index=data.question, kind=data.kind, mime_type=data.mime,
                                   technical_retake=data.technical)
    chunks = list(answer.chunks.order_by("index").values_list("index", "offset", "size"))
    return JsonResponse({"answer": answer.pk, "kind": answer.kind, "chunks": chunks}, status=201)


@csrf_exempt
@require_http_methods(["PUT"])
def chunk(request, token: str, answer_id: int, index: int):
    try:
        answer = access_candidate_upload(token=token, answer_id=answer_id)  # one query: every recording candidate sends a piece every two seconds
    except tokens.LinkDead as dead:
        return _dead(request, dead)
    if answer.session.state in FINISHED_STATES:
        return _closed(request, "finished", answer.session)
    try:
        body = request.body
    except RequestDataTooBig:
        return JsonResponse({"error": _("分片过大（上限 %(mb)s MB）。") % {"mb": services.MAX_CHUNK_BYTES // (1024 * 1024)}}, status=413)
    offset = request.headers.get("X-Chunk-Offset")
    checksum = request.headers.get("X-Chunk-SHA256")
    for header, value in (("X-Chunk-Offset", offset), ("X-Chunk-SHA256", checksum)):
        if value is None or not value.strip():
            return _bad(_("缺少请求头 %(header)s。") % {"header": header}, [header], code="missing_header")
    if not offset.strip().isdigit() or int(offset) > MAX_ID:
        return _bad(_("请求头 %(header)s 格式不正确：应为非负整数。") % {"header": "X-Chunk-Offset"}, ["X-Chunk-Offset"],
                    code="bad_header")
    if not SHA256.fullmatch(checksum.strip()):
        return _bad(_("请求头 %(header)s 格式不正确：应为 64 位十六进制的 SHA-256。") % {"header": "X-Chunk-SHA256"},
                    ["X-Chunk-SHA256"], code="bad_header")
    try:
        services.chunk_put(answer=answer, index=index, offset=int(offset), sha256=checksum.strip(), data=body)
    except ValidationError as exc:
        return _error(exc)
    return JsonResponse({"ok": True, "index": index})


@candidate_api(FinishIn, changes=False)  # a finish sent again after the submission (its answer was lost) is answered
def answer_finish(request, session, data: FinishIn, answer_id: int):
    answer = access_candidate_answer(session=session, answer_id=answer_id)
    if (data.size is None) != (data.sha256 is None):
        return _bad(_("以下字段缺失或格式不正确：%(fields)s") % {"fields": "size, sha256"}, ["size", "sha256"])
    answer = services.answer_finish(answer=answer, total_size=data.size, sha256=data.sha256)
    return JsonResponse({"answer": answer.pk, "status": answer.status, "duration_s": answer.duration_s, "state": _state(answer.session)})


@candidate_api(InterruptionIn)
def answer_interruption(request, session, data: InterruptionIn, answer_id: int):
    answer = access_candidate_answer(session=session, answer_id=answer_id)
    answer = services.answer_interrupted(answer=answer, kind=data.kind, recorded_s=data.recorded_s, offline_s=data.offline_s)
    return JsonResponse({"answer": answer.pk, "interruptions": len(answer.interruptions)})


@candidate_api(SubmitIn)
def answer_keep(request, session, data: SubmitIn, answer_id: int):
    answer = services.answer_interruption_keep(answer=access_candidate_answer(session=session, answer_id=answer_id))
    return JsonResponse({"answer": answer.pk})


@candidate_api(ContinueIn)
def answer_continue(request, session, data: ContinueIn, answer_id: int):
    """Continue an interrupted take where it stopped: the new part's pieces follow from ``offset``."""
    answer = access_candidate_answer(session=session, answer_id=answer_id)
    answer, left = services.answer_continue(answer=answer, offset=data.offset, mime_type=data.mime)
    chunks = answer.chunks.count()
    return JsonResponse({"answer": answer.pk, "offset": data.offset, "chunks": chunks, "remaining_s": int(left)})


@candidate_api(TextAnswerIn)
def answer_text(request, session, data: TextAnswerIn):
    services.answer_text(session=session, question_index=data.question, text=data.text)
    session.refresh_from_db()
    return JsonResponse(_state(session))


@candidate_api(SubmitIn, changes=False)  # submitting twice returns the submitted interview
def submit(request, session, data: SubmitIn):
    return JsonResponse(_state(services.session_submit(session=session)))


@csrf_exempt
@require_POST
def speedtest(request, token: str):
    """The device check uploads a known payload here and times it in the browser."""
    try:
        access_session_actor(token=token)
    except tokens.LinkDead as dead:
        return _dead(request, dead)
    started = time.perf_counter()
    size = len(request.body)
    return JsonResponse({"bytes": size, "server_ms": round((time.perf_counter() - started) * 1000, 2)})


# --- Notice and choice (issue 20): the alternative, accommodations, the explanation, a human review ---------------

MAX_DETAILS = 20_000  # what a request's words may be sent as (the service keeps the first 2,000; the page allows 2,000)


class ChoiceForm(forms.Form):
    """The choice page's two forms: "decline_ai" (no AI analysis), or a request (an accommodation) with its words."""

    action = forms.ChoiceField(choices=[("decline_ai", "decline_ai"), ("request", "request"), ("book", "book")], required=False,
                               error_messages={"invalid_choice": gettext_lazy("无法识别这个操作，请刷新页面后再试。")})
    # none chosen: the service says so, in the same words
    kind = forms.ChoiceField(choices=CandidateRequest.Kind.choices, required=False,
                             error_messages={"invalid_choice": gettext_lazy("请选择申请的类型。")})
    details = forms.CharField(required=False, max_length=MAX_DETAILS)


class ReviewForm(forms.Form):
    """The explanation page's request for a human review of a decision."""

    details = forms.CharField(required=False, max_length=MAX_DETAILS)


def _form_error(form: forms.Form) -> str:
    """A form's refusals as one line in the page's language (the field's own words: a wrong value, too long)."""
    return " ".join(message for messages in form.errors.values() for message in messages)


def _candidate_page(request, token: str, template: str, build, *, replaced_ok: bool = False):
    """A server-rendered page of the candidate's link (in the interview's language unless the candidate chose one).
    ``build`` takes the session and the candidate's verified ``LinkActor`` (for what they send from the page). With
    ``replaced_ok``, a link withdrawn because a live interview replaces the AI interview still opens, read-only
    (``actor`` None): the candidate reads what was arranged."""
    from . import choice

    try:
        actor = access_session_actor(token=token)
    except tokens.LinkDead:
        replaced = choice.replaced_session(token) if replaced_ok else None
        if replaced is None:
            from hirelens.messaging.services.deadlinks import dead_link_render

            return dead_link_render(request, "interviews/link_closed.html", kind="interview", token=token)
        actor = None
        session = replaced
    else:
        session = actor.link
    if not request.COOKIES.get("django_language"):
        with translation.override(session.language):
            return build(session, actor)
    return build(session, actor)


@never_cache
@require_http_methods(["GET", "POST"])
def choice_page(request, token: str):
    """The link in the invitation: choose no AI analysis, or ask for an accommodation (extra time, text answers, another
    format, a live interview instead, other); the requests already sent with HR's answers."""
    from . import choice

    def build(session, actor):
        error, sent = "", request.GET.get("sent") == "1"
        form = ChoiceForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and not form.is_valid():
            error = _form_error(form)
        elif request.method == "POST" and form.cleaned_data["action"] == "book":
            # the live interview that replaces this one: a fresh booking link (the one sent is stored as a hash only)
            url = choice.live_booking_url(session=session)
            if url:
                return redirect(url)
            error = _("无法识别这个操作，请刷新页面后再试。")
        elif request.method == "POST" and actor is None:
            error = _("这次AI视频面试已由真人面试代替，不能再提交申请。")
        elif request.method == "POST":
            data = form.cleaned_data
            try:
                if data["action"] == "decline_ai":
                    choice.ai_analysis_decline(actor=actor, session=session, request=request)
                else:
                    choice.request_create(actor=actor, session=session, kind=data["kind"], details=data["details"], request=request)
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                return redirect(reverse("interviews:candidate_choice", args=[token]) + "?sent=1")
        notice = current_notices(session.organization_id).get("invitation_ai")
        english = translation.get_language() == "en"
        requests = list(session.requests.exclude(kind=CandidateRequest.Kind.HUMAN_REVIEW).select_related("session")
                        .order_by("-created_at"))
        choice.request_arrangements(requests)
        return render(request, "interviews/candidate_choice.html", {
            "session": session, "token": token, "organization": session.organization, "position": session.application.position,
            "notice": (notice.text_en if english else notice.text_zh) if notice else "",
            "kinds": [(k.value, k.label) for k in choice.ACCOMMODATION_KINDS], "error": error, "sent": sent,
            "requests": requests, "replaced": actor is None,
            "interview_url": reverse("interviews:candidate", args=[token])}, status=400 if error else 200)

    return _candidate_page(request, token, "interviews/candidate_choice.html", build, replaced_ok=True)


@never_cache
@require_http_methods(["GET", "POST"])
def explanation_page(request, token: str):
    """After submission: what was measured on each answer (neutral signals with their meaning, the transcript; no
    score, no verdict), and a request for a human review of any decision."""
    from . import choice

    def build(session, actor):
        error = ""
        form = ReviewForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and not form.is_valid():
            error = _form_error(form)
        elif request.method == "POST":
            try:
                choice.request_create(actor=actor, session=session, kind=CandidateRequest.Kind.HUMAN_REVIEW,
                                      details=form.cleaned_data["details"], request=request)
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                return redirect(reverse("interviews:candidate_explanation", args=[token]) + "?sent=1#review")
        return render(request, "interviews/candidate_explanation.html", {
            "session": session, "token": token, "organization": session.organization, "position": session.application.position,
            "rows": choice.session_explanation(session=session) if session.submitted_at else [],
            "error": error,
            "sent": request.GET.get("sent") == "1",
            "reviews": session.requests.filter(kind=CandidateRequest.Kind.HUMAN_REVIEW).order_by("-created_at")},
            status=400 if error else 200)

    return _candidate_page(request, token, "interviews/candidate_explanation.html", build)
