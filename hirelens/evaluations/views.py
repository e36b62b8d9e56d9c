from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hirelens.core.audit import audit_list_read, audit_record
from hirelens.core.flash import flash_errors
from hirelens.core.forms import form_errors
from hirelens.core.models import AuditEvent
from hirelens.core.roles import Perm, user_can
from hirelens.positions.access import access_position
from hirelens.workflows.access import assignment_roles, stage_can_score

from . import services
from .access import (
    access_application_for_evaluation,
    access_scorecard_for_amendment,
    access_stage_for_evaluation,
    application_stages,
    require_decision_right,
    sees_others_cards,
    visible_scorecards,
)
from .decision_extras import decision_extras_attach
from .forms import AmendForm, DecisionForm, FitRuleForm, ScorecardForm, ScorecardSettingsForm
from .models import Decision, FitRule, Scorecard
from .selectors import IndexCursorError, ai_evidence, evaluation_index_page, profile_build


def live_rooms(*, actor, application) -> list[dict]:
    """The application's live interviews for the review (recording, annotations, analysis); none without the app."""
    from django.apps import apps

    if not apps.is_installed("hirelens.live"):
        return []
    from hirelens.live.review import application_rooms

    return application_rooms(actor=actor, application=application)


@login_required
def index(request):
    try:
        page = evaluation_index_page(actor=request.user, q=request.GET.get("q", ""), cursor=request.GET.get("cursor", ""))
    except IndexCursorError:
        page, error = None, _("这个翻页链接已失效或不完整，请从第一页重新浏览。")
    else:
        error = ""
    rows = []
    if page is not None:
        mine = dict(Scorecard.objects.filter(interviewer=request.user, application_id__in=[a.pk for a in page.rows])
                    .values_list("application_id", "status"))
        rows = [{"application": a, "my_status": mine.get(a.pk)} for a in page.rows]
        audit_list_read(request=request, candidates=[a.candidate for a in page.rows])
    query = request.GET.copy()
    query.pop("cursor", None)
    return render(request, "evaluations/index.html", {"rows": rows, "page": page, "error": error, "query": query.urlencode()},
                  status=400 if error else 200)


def _stage_rows(request, application):
    roles = assignment_roles(actor=request.user, position_id=application.position_id)
    cards = list(visible_scorecards(actor=request.user, application=application).select_related("interviewer")
                 .prefetch_related("ratings", "amendments"))
    rows = []
    from hirelens.workflows.access import stage_can_view

    for stage in application_stages(application):
        if not stage_can_view(actor=request.user, stage=stage, roles=roles):
            continue
        own = next((c for c in cards if c.stage_id == stage.pk and c.interviewer_id == request.user.pk), None)
        others = [c for c in cards if c.stage_id == stage.pk and c.interviewer_id != request.user.pk]
        rows.append({"stage": stage, "own": own, "others": others,
                     "can_score": stage_can_score(actor=request.user, stage=stage, roles=roles),
                     "blind": not sees_others_cards(actor=request.user, application=application, stage=stage, roles=roles)})
    return rows


@login_required
def application_detail(request, application_id: int):
    application = access_application_for_evaluation(actor=request.user, application_id=application_id)
    audit_record(action=AuditEvent.Action.READ, actor=request.user, obj=application.candidate, fields=["full_name"], request=request)
    profile = profile_build(actor=request.user, application=application)
    # beside each decision, what the candidate was told after it (decision.feedback, registered by feedback)
    decision_extras_attach(actor=request.user, application=application, decisions=profile.decisions)
    context = {
        "application": application,
        "profile_dims": [{"name": d.name, "mean": d.mean} for d in profile.dimensions],
        "candidate": application.candidate,
        "stages": _stage_rows(request, application),
        "profile": profile,
        "evidence": ai_evidence(actor=request.user, application=application),
        "live_rooms": live_rooms(actor=request.user, application=application),
        "can_decide": user_can(request.user, Perm.DECISIONS_RECORD),
        "can_configure": user_can(request.user, Perm.POSITIONS_MANAGE),
        "outcomes": Decision.Outcome.choices,
    }
    return render(request, "evaluations/application.html", context)


@login_required
def scorecard_edit(request, application_id: int, stage_id: int):
    application = access_application_for_evaluation(actor=request.user, application_id=application_id)
    stage = access_stage_for_evaluation(actor=request.user, application=application, stage_id=stage_id)
    if not stage_can_score(actor=request.user, stage=stage):
        raise PermissionDenied
    card = Scorecard.objects.filter(application=application, stage=stage, interviewer=request.user).prefetch_related("ratings").first()
    dimensions = list(application.position.scorecard_dimensions or [])
    scale = services.scorecard_settings_for(application.position)
    errors: list[str] = []
    values = {r.dimension: {"score": r.score, "reason": r.reason} for r in (card.ratings.all() if card else [])}
    if request.method == "POST":
        form = ScorecardForm(request.POST, dimensions=dimensions)
        values = form.typed_values()
        draft = request.POST.get("action") == "draft"
        try:
            if not form.is_valid():
                raise form_errors(form)
            kwargs = {"actor": request.user, "application": application, "stage": stage, "ratings": form.ratings(),
                      "recommendation": form.cleaned_data["recommendation"], "summary": form.cleaned_data["summary"]}
            if draft:
                services.scorecard_save_draft(**kwargs)
                messages.success(request, _("草稿已保存。"))
                return redirect("evaluations:scorecard", application_id=application.pk, stage_id=stage.pk)
            services.scorecard_submit(**kwargs, request=request)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("评分卡已提交并锁定。"))
            return redirect("evaluations:application", application_id=application.pk)
    rows = [{"index": i, "name": d, "score": values.get(d, {}).get("score", ""), "reason": values.get(d, {}).get("reason", "")}
            for i, d in enumerate(dimensions)]
    return render(request, "evaluations/scorecard.html", {
        "application": application, "stage": stage, "card": card, "rows": rows, "errors": errors,
        "scale": range(scale.scale_min, scale.scale_max + 1), "scale_min": scale.scale_min, "scale_max": scale.scale_max,
        "recommendations": Scorecard.Recommendation.choices,
        "evidence": ai_evidence(actor=request.user, application=application),
        "live_rooms": live_rooms(actor=request.user, application=application),
    }, status=400 if errors else 200)


@login_required
@require_POST
def scorecard_amend_view(request, scorecard_id: int):
    card = access_scorecard_for_amendment(actor=request.user, scorecard_id=scorecard_id)
    form = AmendForm(request.POST)
    try:
        if not form.is_valid():
            raise form_errors(form)
        data = form.cleaned_data
        services.scorecard_amend(actor=request.user, scorecard=card, dimension=data["dimension"], score=data["score"],
                                 reason=data["reason"], why=data["why"], request=request)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("修订已记录。"))
    return redirect("evaluations:application", application_id=card.application_id)


@login_required
@require_POST
def decide(request, application_id: int):
    application = access_application_for_evaluation(actor=request.user, application_id=application_id)
    require_decision_right(request.user)  # who may not decide is refused before the input is read
    form = DecisionForm(request.POST)
    try:
        if not form.is_valid():
            raise form_errors(form)
        services.decision_record(actor=request.user, application=application, **form.cleaned_data, request=request)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("决定已记录，结果反馈已安排发送。"))
    return redirect("evaluations:application", application_id=application.pk)


@login_required
def report_pdf(request, application_id: int):
    from .report import candidate_report_pdf

    application = access_application_for_evaluation(actor=request.user, application_id=application_id)
    data = candidate_report_pdf(actor=request.user, application=application)
    audit_record(action=AuditEvent.Action.EXPORT, actor=request.user, obj=application.candidate, fields=["full_name", "evaluation_report"],
                 request=request)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="candidate-report-{application.pk}.pdf"'
    return response


@login_required
def position_settings(request, position_id: int):
    position = access_position(actor=request.user, position_id=position_id)
    if not user_can(request.user, Perm.POSITIONS_MANAGE):
        raise PermissionDenied
    row = services.scorecard_settings_for(position)
    status = 200
    if request.method == "POST":
        fit = request.POST.get("action") == "fit"
        form = FitRuleForm(request.POST) if fit else ScorecardSettingsForm(request.POST)
        try:
            if not form.is_valid():
                raise form_errors(form)
            data = form.cleaned_data
            if fit:
                services.fit_rule_save(actor=request.user, label=data["label"], conditions=data["conditions"])
            else:
                services.scorecard_settings_update(actor=request.user, position=position, scale_min=data["scale_min"],
                                                   scale_max=data["scale_max"], shareable_dimensions=data["shareable"],
                                                   request=request)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            status = 400
        else:
            messages.success(request, _("已保存。"))
            return redirect("evaluations:position_settings", position_id=position.pk)
    return render(request, "evaluations/position_settings.html", {
        "position": position, "settings_row": row, "fit_rules": FitRule.objects.filter(organization_id=request.user.organization_id)},
        status=status)
