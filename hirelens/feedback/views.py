from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect

from hirelens.core.access import require_perm
from hirelens.core.audit import audit_list_read
from hirelens.core.flash import flash_errors
from hirelens.core.params import query_int
from hirelens.core.roles import Perm, user_can
from hirelens.positions.access import access_position, visible_positions

from . import services
from .models import MIN_GROUP, FeedbackRule, SurveyResponse, SurveyRule
from .selectors import feedback_promise, survey_suggestions, survey_summary


@login_required
def dashboard(request):
    require_perm(request.user, Perm.MESSAGING_VIEW)
    now = timezone.now()
    since = now - timedelta(days=query_int(request.GET, "days", default=30, maximum=3650))
    promise, late = feedback_promise(actor=request.user, since=since, now=now)
    late = late[:100]
    audit_list_read(request=request, candidates=[c.application.candidate for c in late])
    return render(request, "feedback/dashboard.html", {
        "promise": promise, "late": late, "now": now,
        "suggestions": survey_suggestions(actor=request.user, now=now),
        "survey": survey_summary(actor=request.user, since=now - timedelta(days=90)),
        "can_configure": user_can(request.user, Perm.MESSAGING_CONFIGURE),
    })


@login_required
def rules(request):
    require_perm(request.user, Perm.MESSAGING_CONFIGURE)
    services.survey_rules_ensure(organization_id=request.user.organization_id)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "survey_rule":
                services.survey_rule_save(actor=request.user, metric=request.POST.get("metric", ""),
                                          threshold_pct=request.POST.get("threshold_pct"),
                                          min_responses=request.POST.get("min_responses") or 5,
                                          per_position=bool(request.POST.get("per_position")),
                                          suggestion=request.POST.get("suggestion", ""), request=request)
            else:
                position_id = request.POST.get("position")
                position = access_position(actor=request.user, position_id=position_id) if position_id else None
                services.feedback_rule_save(actor=request.user, position=position, stage_key=request.POST.get("stage_key", ""),
                                            deadline_hours=int(request.POST.get("deadline_hours") or 24),
                                            update_before_hours=int(request.POST.get("update_before_hours") or 2),
                                            share_scores=bool(request.POST.get("share_scores")),
                                            next_steps_advance=request.POST.get("next_steps_advance", ""),
                                            next_steps_hold=request.POST.get("next_steps_hold", ""),
                                            next_steps_reject=request.POST.get("next_steps_reject", ""),
                                            send_survey=bool(request.POST.get("send_survey")), request=request)
        except ValidationError as exc:
            flash_errors(request, exc)
        except ValueError:
            messages.error(request, _("请填写整数。"))
        else:
            messages.success(request, _("已保存。"))
            return redirect("feedback:rules")
    return render(request, "feedback/rules.html", {
        "feedback_rules": FeedbackRule.objects.filter(organization_id=request.user.organization_id).select_related("position"),
        "survey_rules": SurveyRule.objects.filter(organization_id=request.user.organization_id),
        "positions": visible_positions(actor=request.user), "metrics": SurveyRule.Metric.choices,
    })


@csrf_protect
def survey_page(request, token: str):
    """The candidate's one-time link: no login; a used or expired link changes nothing."""
    try:
        survey = services.survey_by_token(token)
    except services.SurveyClosed as closed:
        if closed.reason in {"expired", "unknown"}:  # a candidate's dead-link page with "ask for a new link"
            from hirelens.messaging.services.deadlinks import dead_link_render

            return dead_link_render(request, "feedback/survey_closed.html", kind="survey", token=token, context={"reason": closed.reason})
        return render(request, "feedback/survey_closed.html", {"reason": closed.reason}, status=410)
    errors: dict[str, str] = {}  # field → its message, shown at the question and in the summary above the form
    if request.method == "POST":
        try:
            services.survey_submit(token=token, process_length=request.POST.get("process_length", ""),
                                   stability=request.POST.get("stability", ""), professionalism=request.POST.get("professionalism"),
                                   nps=request.POST.get("nps"), comment=request.POST.get("comment", ""))
        except services.SurveyClosed as closed:
            return render(request, "feedback/survey_closed.html", {"reason": closed.reason}, status=410)
        except ValidationError as exc:
            errors = {field: " ".join(messages) for field, messages in exc.message_dict.items()}
        else:
            return render(request, "feedback/survey_closed.html", {"reason": "thanks"})
    questions = [  # name, question, choices (value, label): one fieldset each
        ("process_length", _("流程时长"), SurveyResponse.Length.choices, False),
        ("stability", _("系统稳定性"), SurveyResponse.Stability.choices, False),
        ("professionalism", _("面试官专业程度（1–5）"), [(str(v), v) for v in range(1, 6)], True),
        ("nps", _("您有多大可能向朋友推荐我们公司（0–10）？"), [(str(v), v) for v in range(0, 11)], True),
    ]
    return render(request, "feedback/survey.html", {
        "survey": survey, "errors": errors, "min_group": MIN_GROUP,
        "questions": [{"name": n, "legend": legend, "choices": c, "scale": scale, "error": errors.get(n, ""),
                       "value": request.POST.get(n, "") if errors else ""} for n, legend, c, scale in questions],
        "comment": request.POST.get("comment", "") if errors else ""}, status=400 if errors else 200)
