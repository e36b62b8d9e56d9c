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
from hirelens.core.params import query_int
from hirelens.core.roles import Perm, user_can
from hirelens.positions.access import access_position, visible_positions

from . import services
from .forms import FeedbackRuleForm, SurveyAnswerForm, SurveyRuleForm
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
    feedback_form, survey_form = FeedbackRuleForm(), SurveyRuleForm()
    if request.method == "POST":
        survey_rule = request.POST.get("action") == "survey_rule"
        form = SurveyRuleForm(request.POST) if survey_rule else FeedbackRuleForm(request.POST)
        if form.is_valid():
            try:
                _rule_save(request, form)
            except ValidationError as exc:  # a service's own check (the same ranges): shown on the form too
                form.add_error(None, exc)
        if not form.errors:
            messages.success(request, _("已保存。"))
            return redirect("feedback:rules")
        if survey_rule:
            survey_form = form
        else:
            feedback_form = form
    return render(request, "feedback/rules.html", {
        "feedback_rules": FeedbackRule.objects.filter(organization_id=request.user.organization_id).select_related("position"),
        "survey_rules": SurveyRule.objects.filter(organization_id=request.user.organization_id),
        "positions": visible_positions(actor=request.user), "metrics": SurveyRule.Metric.choices,
        "feedback_form": feedback_form, "survey_form": survey_form,
    }, status=400 if feedback_form.errors or survey_form.errors else 200)


def _rule_save(request, form) -> None:
    data = form.cleaned_data
    if isinstance(form, SurveyRuleForm):
        services.survey_rule_save(actor=request.user, metric=data["metric"], threshold_pct=data["threshold_pct"],
                                  min_responses=data["min_responses"], per_position=data["per_position"],
                                  suggestion=data["suggestion"], request=request)
        return
    position = access_position(actor=request.user, position_id=data["position"]) if data["position"] else None
    services.feedback_rule_save(actor=request.user, position=position, stage_key=data["stage_key"],
                                deadline_hours=data["deadline_hours"], update_before_hours=data["update_before_hours"],
                                share_scores=data["share_scores"], next_steps_advance=data["next_steps_advance"],
                                next_steps_hold=data["next_steps_hold"], next_steps_reject=data["next_steps_reject"],
                                send_survey=data["send_survey"], request=request)


@csrf_protect
def _survey_closed(request, reason: str, survey, *, status: int):
    """The survey's last page (thanks, or already answered): it still offers the help desk, with the page and why, so
    the path never ends without a way to reach HR (issue 19)."""
    from hirelens.messaging.services.helpdesk import help_url

    help_href = help_url(candidate=survey.application.candidate, page=request.path, step="answered",
                         subject_type="feedback.survey", subject_id=survey.pk) if survey is not None else ""
    return render(request, "feedback/survey_closed.html", {"reason": reason, "help_href": help_href}, status=status)


def survey_page(request, token: str):
    """The candidate's one-time link: no login; a used or expired link changes nothing."""
    try:
        survey = services.survey_by_token(token)
    except services.SurveyClosed as closed:
        if closed.reason in {"expired", "unknown"}:  # a candidate's dead-link page with "ask for a new link"
            from hirelens.messaging.services.deadlinks import dead_link_render

            return dead_link_render(request, "feedback/survey_closed.html", kind="survey", token=token, context={"reason": closed.reason})
        return _survey_closed(request, closed.reason, closed.survey, status=410)
    errors: dict[str, str] = {}  # field → its message, shown at the question and in the summary above the form
    form = SurveyAnswerForm(request.POST if request.method == "POST" else None)
    if form.is_bound:
        try:
            if not form.is_valid():
                raise ValidationError(form.errors.as_data())
            services.survey_submit(token=token, **form.cleaned_data)
        except services.SurveyClosed as closed:
            return _survey_closed(request, closed.reason, closed.survey or survey, status=410)
        except ValidationError as exc:
            errors = {field: " ".join(messages) for field, messages in exc.message_dict.items()}
        else:
            return _survey_closed(request, "thanks", survey, status=200)
    questions = [  # name, question, choices (value, label): one fieldset each
        ("process_length", _("流程时长"), SurveyResponse.Length.choices, False),
        ("stability", _("系统稳定性"), SurveyResponse.Stability.choices, False),
        ("professionalism", _("面试官专业程度（1–5）"), [(str(v), v) for v in range(1, 6)], True),
        ("nps", _("您有多大可能向朋友推荐我们公司（0–10）？"), [(str(v), v) for v in range(0, 11)], True),
    ]
    return render(request, "feedback/survey.html", {
        "survey": survey, "errors": errors, "min_group": MIN_GROUP,
        "questions": [{"name": n, "legend": legend, "choices": c, "scale": scale, "error": errors.get(n, ""),
                       "value": form.data.get(n, "") if errors else ""} for n, legend, c, scale in questions],
        "comment": form.data.get("comment", "") if errors else ""}, status=400 if errors else 200)
