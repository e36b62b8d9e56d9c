"""The candidate's side of the AI video interview: one page (steps run in the browser) and a small
JSON upload API authenticated by the link token in the URL (no cookies, so no CSRF surface)."""

from __future__ import annotations

import json
import time
from functools import wraps

from django.core.exceptions import RequestDataTooBig, ValidationError
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import services
from .access import access_candidate_answer, access_session_by_token
from .models import Answer
from .services import UploadConflict, current_notices, retakes_left


def _error(exc: ValidationError) -> JsonResponse:
    status = 409 if isinstance(exc, UploadConflict) else 400
    return JsonResponse({"error": " ".join(exc.messages)}, status=status)


def _body(request) -> dict:
    try:
        return json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return {}


def _state(session) -> dict:
    answers = {}
    for answer in session.answers.exclude(status__in=[Answer.Status.FAILED, Answer.Status.DISCARDED]).order_by("attempt"):
        answers[str(answer.question_index)] = {"id": answer.pk, "status": answer.status, "kind": answer.kind,
                                               "received": sum(c.size for c in answer.chunks.all())}
    return {
        "state": session.state,
        "consented": bool(session.consents),
        "biometric_allowed": session.biometric_allowed,
        "audio_only": session.audio_only,
        "extra_prep_s": session.extra_prep_s,
        "text_answers_allowed": session.text_answers_allowed,
        "practice": session.practice_question,
        "questions": [{**q, "retakes_left": retakes_left(session, i)} for i, q in enumerate(session.questions)],
        "answers": answers,
    }


@never_cache
@require_GET
def interview_page(request, token: str):
    session = access_session_by_token(token=token)
    if not request.COOKIES.get("django_language"):
        # The company chose the interview's language; the candidate can still switch.
        with translation.override(session.language):
            return _interview_page(request, session, token)
    return _interview_page(request, session, token)


def _interview_page(request, session, token):
    notices = current_notices(session.organization_id)
    english = translation.get_language() == "en"
    context = {
        "session": session,
        "position": session.application.position,
        "organization": session.organization,
        "notices": [{"kind": n.kind, "version": n.version, "required": n.required and n.kind != "biometric",
                     "label": n.get_kind_display(), "text": n.text_en if english else n.text_zh} for n in notices.values()],
        "facial_enabled": session.organization.facial_analysis_enabled,
        "state_json": _state(session),
        "total_minutes": max(1, round(sum(q["prep_s"] + q["answer_s"] for q in session.questions) / 60)),
        "token": token,
        "help_url": _help_url(session, request),
    }
    return render(request, "interviews/candidate.html", context)


def _help_url(session, request) -> str:
    """The help desk's "report a problem" page for this candidate (M3), opened from every step."""
    from urllib.parse import urlencode

    from django.urls import reverse

    from hirelens.messaging.services.helpdesk import help_link_token

    token = help_link_token(candidate=session.application.candidate)
    return reverse("messaging:help", args=[token]) + "?" + urlencode({"page": request.path})


def candidate_api(view):
    """A JSON endpoint of the candidate's link: POST only, token checked (404 for dead links), the JSON
    body parsed, and bad input answered with a clear JSON error instead of a page."""

    @csrf_exempt
    @require_POST
    @wraps(view)
    def wrapper(request, token: str, **kwargs):
        session = access_session_by_token(token=token)
        try:
            return view(request, session, _body(request), **kwargs)
        except (ValueError, TypeError):
            return JsonResponse({"error": _("请求格式不正确。")}, status=400)
        except ValidationError as exc:
            return _error(exc)

    return wrapper


@csrf_exempt
@require_GET
def state(request, token: str):
    return JsonResponse(_state(access_session_by_token(token=token)))


@candidate_api
def consent(request, session, data):
    session = services.consent_record(session=session, accepted={k: bool(v) for k, v in data.items()}, request=request)
    return JsonResponse(_state(session))


@candidate_api
def start(request, session, data):
    return JsonResponse(_state(services.session_start(session=session, audio_only=bool(data.get("audio_only")))))


@candidate_api
def answer_begin(request, session, data):
    answer = services.answer_begin(session=session, question_index=int(data.get("question", -2)), kind=str(data.get("kind", "video")),
                                   mime_type=str(data.get("mime", "")), technical_retake=bool(data.get("technical")))
    chunks = list(answer.chunks.order_by("index").values_list("index", "offset", "size"))
    return JsonResponse({"answer": answer.pk, "kind": answer.kind, "chunks": chunks}, status=201)


@csrf_exempt
@require_http_methods(["PUT"])
def chunk(request, token: str, answer_id: int, index: int):
    session = access_session_by_token(token=token)
    answer = access_candidate_answer(session=session, answer_id=answer_id)
    try:
        body = request.body
    except RequestDataTooBig:
        return JsonResponse({"error": _("分片过大（上限 %(mb)s MB）。") % {"mb": services.MAX_CHUNK_BYTES // (1024 * 1024)}}, status=413)
    try:
        offset = int(request.headers.get("X-Chunk-Offset", "-1"))
        checksum = request.headers.get("X-Chunk-SHA256", "")
        services.chunk_put(answer=answer, index=index, offset=offset, sha256=checksum, data=body)
    except ValueError:
        return JsonResponse({"error": "bad offset"}, status=400)
    except ValidationError as exc:
        return _error(exc)
    return JsonResponse({"ok": True, "index": index})


@candidate_api
def answer_finish(request, session, data, answer_id: int):
    answer = access_candidate_answer(session=session, answer_id=answer_id)
    answer = services.answer_finish(answer=answer, total_size=int(data.get("size", -1)), sha256=str(data.get("sha256", "")))
    return JsonResponse({"answer": answer.pk, "status": answer.status, "duration_s": answer.duration_s, "state": _state(answer.session)})


@candidate_api
def answer_text(request, session, data):
    services.answer_text(session=session, question_index=int(data.get("question", -2)), text=str(data.get("text", "")))
    session.refresh_from_db()
    return JsonResponse(_state(session))


@candidate_api
def submit(request, session, data):
    return JsonResponse(_state(services.session_submit(session=session)))


@csrf_exempt
@require_POST
def speedtest(request, token: str):
    """The device check uploads a known payload here and times it in the browser."""
    access_session_by_token(token=token)
    started = time.perf_counter()
    size = len(request.body)
    return JsonResponse({"bytes": size, "server_ms": round((time.perf_counter() - started) * 1000, 2)})
