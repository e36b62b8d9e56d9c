"""HR's side: send an AI interview, follow it live, watch answers with their analysis."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from hirelens.candidates.access import access_application
from hirelens.core.access import require_perm
from hirelens.core.audit import audit_list_read, audit_record
from hirelens.core.models import AuditEvent
from hirelens.core.ranges import ranged_file_response
from hirelens.core.roles import Perm, user_can

from . import choice, services
from .access import access_answer, access_session, session_list
from .analysis_display import analysis_error_text, present
from .interruptions import interruption_lines
from .models import Answer, InterviewSession


@login_required
def session_index(request):
    sessions = session_list(actor=request.user, state=request.GET.get("state", ""))
    if request.GET.get("q", "").strip():  # name search (keyed tokens: name, pinyin, initials, Latin prefix)
        from hirelens.candidates.selectors import application_ids_matching

        sessions = sessions.filter(application_id__in=application_ids_matching(request.user.organization_id, request.GET["q"]).values("pk"))
    page = Paginator(sessions, 20).get_page(request.GET.get("page"))
    audit_list_read(request=request, candidates=[s.application.candidate for s in page])
    deliveries = services.session_deliveries(list(page))
    for session in page:
        sent = [m for m in deliveries.get(session.pk, []) if m.kind == "ai_interview.invite"]
        session.last_invitation = sent[0] if sent else None
    return render(request, "interviews/session_list.html", {"page": page, "states": InterviewSession.State.choices,
                                                            "can_edit_notices": user_can(request.user, Perm.ORG_SETTINGS)})


@login_required
def session_detail(request, session_id: int):
    session = access_session(actor=request.user, session_id=session_id)
    audit_record(action=AuditEvent.Action.READ, actor=request.user, obj=session, fields=["answers", "transcript", "analysis"],
                 request=request)
    # the practice is never shown (its recording is not kept; the candidate was told it is not scored)
    answers = session.answers.exclude(status=Answer.Status.DISCARDED).filter(question_index__gte=0).order_by("question_index", "attempt")
    # face, expression and posture only where the position's face switch is on and the candidate consented (issue 20)
    facial = bool(session.application.position.facial_enabled and session.biometric_allowed)
    rows = []
    for answer in answers:
        rows.append({"answer": answer, "report": present(answer.analysis, facial=facial), "error": analysis_error_text(answer),
                     "interruptions": interruption_lines(answer),
                     "question": session.questions[answer.question_index]["text"] if answer.question_index >= 0 else session.practice_question})
    # the live panel maps the codes in events to the reader's language: no raw code reaches HR
    labels = {"analysis": {code: str(label) for code, label in Answer.Analysis.choices},
              "state": {code: str(label) for code, label in InterviewSession.State.choices}}
    deliveries = services.session_deliveries([session]).get(session.pk, [])
    can_send = user_can(request.user, Perm.CANDIDATES_MANAGE)
    requests = list(session.requests.select_related("session__application__position", "booking_link"))
    choice.request_arrangements(requests)  # a granted live interview instead: the link sent or the interview booked
    return render(request, "interviews/session_detail.html", {"session": session, "rows": rows, "live_labels": labels,
                                                               "deliveries": deliveries, "can_send": can_send,
                                                               "facial": facial, "requests": requests,
                                                               "opens": (services.invitation_deadline_at(session, session.opens_at,
                                                                                                         request.LANGUAGE_CODE)
                                                                         if session.opens_at else ""),
                                                               "deadline": services.invitation_deadline(session, request.LANGUAGE_CODE)})


LANGUAGES = [("zh-hans", pgettext_lazy("面试语言", "简体中文")), ("en", gettext_lazy("英文"))]


class SessionForm(forms.Form):
    questions = forms.CharField(label=gettext_lazy("题目（每行一道）"), widget=forms.Textarea(attrs={"rows": 5}))
    practice_question = forms.CharField(label=gettext_lazy("练习题"), required=False, initial=services.PRACTICE_DEFAULTS["zh-hans"])
    prep_s = forms.IntegerField(label=gettext_lazy("准备时间（秒）"), min_value=0, max_value=600, initial=30)
    answer_s = forms.IntegerField(label=gettext_lazy("作答时间（秒）"), min_value=10, max_value=1800, initial=120)
    retakes = forms.IntegerField(label=gettext_lazy("可重录次数"), min_value=0, max_value=5, initial=1)
    extra_prep_s = forms.IntegerField(label=gettext_lazy("额外准备时间（秒）"), min_value=0, max_value=600, initial=0)
    text_answers_allowed = forms.BooleanField(label=gettext_lazy("允许文字作答"), required=False)
    valid_days = forms.IntegerField(label=gettext_lazy("链接有效天数"), min_value=1, max_value=60, initial=7)
    materials = forms.CharField(label=gettext_lazy("需准备的资料（每行一项）"), required=False, max_length=2000,
                                widget=forms.Textarea(attrs={"rows": 2}))
    language = forms.ChoiceField(label=gettext_lazy("邀请语言"), choices=LANGUAGES, required=False)
    answer_language = forms.ChoiceField(label=gettext_lazy("回答语言（语音识别）"), choices=InterviewSession.AnswerLanguage.choices,
                                        initial=InterviewSession.AnswerLanguage.AUTO, required=False)


class SendForm(forms.Form):
    """What applies to the invitation whichever questions are used: the candidate's language, the deadline, materials."""

    language = forms.ChoiceField(label=gettext_lazy("邀请语言"), choices=LANGUAGES, required=False)
    answer_language = forms.ChoiceField(label=gettext_lazy("回答语言（语音识别）"), choices=InterviewSession.AnswerLanguage.choices,
                                        initial=InterviewSession.AnswerLanguage.AUTO, required=False)
    valid_days = forms.IntegerField(label=gettext_lazy("链接有效天数"), min_value=1, max_value=60, initial=7, required=False)
    materials = forms.CharField(label=gettext_lazy("需准备的资料（每行一项）"), required=False, max_length=2000,
                                widget=forms.Textarea(attrs={"rows": 2}))


class ModeForm(forms.Form):
    """Which of the page's two forms was sent: "1" the process's own questions, absent HR's own questions."""

    use_stage = forms.ChoiceField(choices=[("1", "1")], required=False,
                                  error_messages={"invalid_choice": gettext_lazy("无法识别这个操作，请刷新页面后再试。")})


@login_required
def session_new(request, application_id: int):
    """Send an AI interview from an application: pre-filled from the process's AI stage; on send the session is
    created and the invitation goes out by the candidate's channels; the link is shown once as a fallback."""
    application = access_application(actor=request.user, application_id=application_id)
    require_perm(request.user, Perm.CANDIDATES_MANAGE)  # the panel may see the application, not send interviews
    language = application.organization.default_language or "zh-hans"
    send = services.send_plan(application, language)
    mode = ModeForm(request.POST if request.method == "POST" else None)
    use_stage = mode.is_valid() and send.plan is not None and mode.cleaned_data["use_stage"] == "1"
    form = SessionForm(None if use_stage else request.POST or None, initial=send.initial)
    send_form = SendForm(request.POST if use_stage else None, initial={"language": language, "materials": send.materials})
    options = None
    if mode.errors:
        form.add_error(None, " ".join(mode.errors["use_stage"]))
    elif use_stage and send_form.is_valid():
        data = send_form.cleaned_data
        options = services.send_options_from_stage(send.stage, language=data["language"] or language, valid_days=data["valid_days"],
                                                   answer_language=data["answer_language"],
                                                   materials=data["materials"] if "materials" in request.POST else None)
    elif request.method == "POST" and not use_stage and form.is_valid():
        options = services.send_options_from_form(form.cleaned_data, language=language)
    if options is not None:
        try:
            session, token, message = services.session_send(actor=request.user, application=application, **options)
        except ValidationError as exc:
            for text in exc.messages:
                form.add_error(None, text)
        else:
            messages.success(request, _("面试邀请已发送给候选人。链接仅显示这一次，可复制后另行发送。"))
            return render(request, "interviews/session_created.html",
                          {"session": session, "link": services.session_link(token), "message": message})
    return render(request, "interviews/session_new.html",
                  {"form": form, "send_form": send_form, "application": application, "plan": send.plan, "language": language},
                  status=400 if form.errors or send_form.errors else 200)


@login_required
@require_POST
def session_resend(request, session_id: int):
    session = access_session(actor=request.user, session_id=session_id)
    try:
        services.session_resend(actor=request.user, session=session)
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("面试邀请已重新发送（链接不变）。"))
    return redirect("interviews:detail", session_id=session.pk)


@login_required
@require_POST
def session_revoke(request, session_id: int):
    session = access_session(actor=request.user, session_id=session_id)
    services.session_revoke(actor=request.user, session=session)
    messages.success(request, _("面试链接已撤销。"))
    return redirect("interviews:detail", session_id=session.pk)


@login_required
def answer_media(request, answer_id: int):
    """Stream a recording (decrypted on the fly), with HTTP range support so the player can seek."""
    answer = access_answer(actor=request.user, answer_id=answer_id)
    if not answer.recording or answer.question_index < 0:  # a practice recording is never played
        raise Http404
    audit_record(action=AuditEvent.Action.READ_FILE, actor=request.user, obj=answer, fields=["recording"], request=request)
    content_type = "video/mp4" if answer.extension == "mp4" else ("audio/webm" if answer.kind == Answer.Kind.AUDIO else "video/webm")
    return ranged_file_response(request, answer.recording, size=answer.size, content_type=content_type)
