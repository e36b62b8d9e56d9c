from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hirelens.candidates.access import access_application
from hirelens.candidates.models import Candidate, Tag
from hirelens.core.access import get_for_actor, require_perm, tenant_queryset
from hirelens.core.audit import audit_list_read
from hirelens.core.flash import flash_errors
from hirelens.core.forms import bound_or_flash, form_errors
from hirelens.core.roles import AssignmentRole, Perm, user_can
from hirelens.positions.access import access_position, visible_positions

from . import forms, selectors, services
from .access import (
    access_process,
    access_process_for_edit,
    access_stage,
    access_stage_for_scoring,
    stage_can_score,
    visible_stages,
)
from .models import ApplicationProgress, ProcessVersion
from .modules import STARTERS, module_spec, module_specs, publish_problems


def _errors_400(form) -> HttpResponse:
    """The HTMX endpoints' answer to a refused form: its messages as text (the designer shows them), 400."""
    return HttpResponse("; ".join(form_errors(form).messages), status=400)


def _back(request, target: str, name, **kwargs):
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) and target.startswith("/"):
        return redirect(target)
    return redirect(name, **kwargs)


def _members(actor):
    return tenant_queryset(get_user_model().objects.filter(is_active=True), actor=actor).order_by("full_name")


@login_required
def position_processes(request, position_id: int):
    position = access_position(actor=request.user, position_id=position_id)
    can_manage = user_can(request.user, Perm.POSITIONS_MANAGE)
    processes = selectors.process_list(actor=request.user, position=position)
    rows = [(p, selectors.latest_version(p)) for p in processes]
    return render(request, "workflows/position_processes.html", {
        "position": position, "rows": rows, "can_manage": can_manage, "starters": [(k, v["name"]) for k, v in STARTERS.items()],
        "library": selectors.library_list(actor=request.user) if can_manage else [],
        "positions": visible_positions(actor=request.user).exclude(pk=position.pk) if can_manage else [],
    })


@login_required
@require_POST
def process_new(request, position_id: int):
    position = access_position(actor=request.user, position_id=position_id)
    data = bound_or_flash(request, forms.ProcessNewForm)
    if data is None:
        return redirect("workflows:position", position_id=position.pk)
    try:
        process = services.process_create(actor=request.user, position=position, name=data["name"],
                                          starter=data["starter"], request=request)
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect("workflows:position", position_id=position.pk)
    return redirect("workflows:designer", process_id=process.pk)


def _designer_context(request, process):
    draft = services.process_draft(process)
    stages = list(draft.stages.order_by("order", "pk"))
    return {"process": process, "draft": draft, "stages": stages, "palette": module_specs(),
            "versions": process.versions.filter(status=ProcessVersion.Status.PUBLISHED).order_by("-number"),
            "problems": [p for s in stages for p in publish_problems(module=s.module, title=s.title, settings=s.settings)]}


@login_required
def designer(request, process_id: int):
    process = access_process_for_edit(actor=request.user, process_id=process_id)
    ctx = _designer_context(request, process)
    ctx["positions"] = visible_positions(actor=request.user)
    return render(request, "workflows/designer.html", ctx)


def _stage_list(request, process):
    return render(request, "workflows/_stage_list.html", _designer_context(request, process))


@login_required
@require_POST
def stage_add(request, process_id: int):
    process = access_process_for_edit(actor=request.user, process_id=process_id)
    form = forms.StageAddForm(request.POST)
    if not form.is_valid():
        return _errors_400(form)
    try:
        services.stage_add(actor=request.user, version=services.process_draft(process), module=form.cleaned_data["module"],
                           index=form.cleaned_data["index"])
    except ValidationError as exc:
        return HttpResponse("; ".join(exc.messages), status=400)
    return _stage_list(request, process)


@login_required
@require_POST
def stages_reorder(request, process_id: int):
    process = access_process_for_edit(actor=request.user, process_id=process_id)
    form = forms.StagesReorderForm(request.POST)
    if not form.is_valid():
        return _errors_400(form)
    try:
        services.stages_reorder(actor=request.user, version=services.process_draft(process), stage_ids=form.cleaned_data["stage"])
    except ValidationError as exc:
        return HttpResponse("; ".join(exc.messages), status=400)
    return _stage_list(request, process)


def _draft_stage(request, stage_id):
    stage = access_stage(actor=request.user, stage_id=stage_id)
    access_process_for_edit(actor=request.user, process_id=stage.version.process_id)
    if not stage.version.is_draft:
        raise Http404
    return stage


def _stage_form_ctx(request, stage, error=None):
    return {"stage": stage, "process": stage.version.process, "roles": AssignmentRole.choices, "members": _members(request.user),
            "view_user_ids": {u.pk for u in stage.view_users.all()}, "score_user_ids": {u.pk for u in stage.score_users.all()},
            "error": error, "spec": module_spec(stage.module)}


@login_required
def stage_edit(request, stage_id: int):
    stage = _draft_stage(request, stage_id)
    if request.method != "POST":
        return render(request, "workflows/_stage_form.html", _stage_form_ctx(request, stage))
    form = forms.StageForm(request.POST, request.FILES, module=stage.module, members=_members(request.user))
    try:
        if not form.is_valid():  # a malformed number: nothing is written, the form comes back with the message
            raise form_errors(form)
        data = form.cleaned_data
        for question_id, upload in form.audio_uploads():
            services.question_audio_attach(actor=request.user, stage=stage, question_id=question_id, upload=upload)
            stage.refresh_from_db()
        services.stage_update(
            actor=request.user, stage=stage, title=data["title"], instructions=data["instructions"],
            settings=_keep_audio(stage, data["settings"]), view_roles=data["view_roles"], score_roles=data["score_roles"],
            view_users=data["view_users"], score_users=data["score_users"], request=request)
    except ValidationError as exc:
        stage.refresh_from_db()
        return render(request, "workflows/_stage_form.html", _stage_form_ctx(request, stage, error=exc.messages), status=400)
    return render(request, "workflows/_stage_card.html", {"stage": stage, "process": stage.version.process})


def _keep_audio(stage, settings: dict) -> dict:
    """The form does not carry audio ids: keep each question's audio unless its box was ticked off."""
    if module_spec(stage.module).question_audio:
        audio = {q.get("id"): q.get("audio_asset_id") for q in stage.settings.get("questions", [])}
        for question in settings.get("questions", []):
            question.setdefault("audio_asset_id", audio.get(question.get("id")))
    return settings


@login_required
def stage_asset(request, stage_id: int, asset_id: int):
    """Stream a question's prepared audio to staff who may see the stage (never a storage URL)."""
    from django.http import FileResponse

    from .models import StageAsset

    stage = access_stage(actor=request.user, stage_id=stage_id)
    asset = get_for_actor(StageAsset.objects.filter(stage_key=stage.key), actor=request.user, pk=asset_id)
    return FileResponse(asset.file.open("rb"), content_type=asset.content_type or "application/octet-stream")


@login_required
def stage_card(request, stage_id: int):
    stage = _draft_stage(request, stage_id)
    return render(request, "workflows/_stage_card.html", {"stage": stage, "process": stage.version.process})


@login_required
@require_POST
def stage_delete(request, stage_id: int):
    stage = _draft_stage(request, stage_id)
    process = stage.version.process
    services.stage_remove(actor=request.user, stage=stage)
    return _stage_list(request, process)


@login_required
def preview(request, process_id: int):
    process = access_process_for_edit(actor=request.user, process_id=process_id)
    version_id = request.GET.get("version")
    version = (get_for_actor(process.versions.all(), actor=request.user, pk=version_id) if version_id
               else services.process_draft(process))
    return render(request, "workflows/preview.html", {"process": process, "version": version,
                                                      "stages": version.stages.order_by("order", "pk")})


@login_required
@require_POST
def publish(request, process_id: int):
    process = access_process_for_edit(actor=request.user, process_id=process_id)
    data = bound_or_flash(request, forms.PublishForm)
    if data is None:
        return redirect("workflows:designer", process_id=process.pk)
    try:
        version = services.process_publish(actor=request.user, process=process, note=data["note"], request=request)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("已发布版本 v%(n)d。进行中的申请继续使用原来的版本。") % {"n": version.number})
    return redirect("workflows:designer", process_id=process.pk)


@login_required
@require_POST
def activate(request, process_id: int):
    process = access_process_for_edit(actor=request.user, process_id=process_id)
    try:
        services.process_activate(actor=request.user, process=process, request=request)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("新申请将使用流程“%(name)s”。") % {"name": process.name})
    return redirect("workflows:designer", process_id=process.pk)


@login_required
@require_POST
def clone(request, process_id: int):
    process = access_process(actor=request.user, process_id=process_id)
    require_perm(request.user, Perm.POSITIONS_MANAGE)
    data = bound_or_flash(request, forms.CloneForm)
    if data is None:
        return redirect("workflows:designer", process_id=process.pk)
    position = access_position(actor=request.user, position_id=data["position"]) if data["position"] else None
    try:
        copy = services.process_clone(actor=request.user, process=process, position=position, name=data["name"],
                                      request=request)
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect("workflows:designer", process_id=process.pk)
    messages.success(request, _("已复制为“%(name)s”（草稿）。") % {"name": copy.name})
    return redirect("workflows:designer", process_id=copy.pk)


def _query_date(data, name: str):
    """A date filter as typed in a date input; anything else is ignored, like a bad number (core/params.py)."""
    try:
        return parse_date((data.get(name) or "").strip()[:10])
    except ValueError:
        return None


def _board_filters(data) -> selectors.BoardFilters:
    source = data.get("source", "")
    return selectors.BoardFilters(q=data.get("q", "")[:100], source=source if source in Candidate.Source.values else "",
                                  tag=data.get("tag", "")[:50], applied_from=_query_date(data, "from"),
                                  applied_to=_query_date(data, "to"))


def _board_query(data) -> str:
    """The filters only (no cursor), for the "load more" links and the card forms' way back."""
    query = QueryDict(mutable=True)
    for name in ("q", "source", "tag", "from", "to"):
        if data.get(name):
            query[name] = data.get(name)[:100]
    return query.urlencode()


def _card_text() -> dict:
    """The cards' fixed words, translated once per page rather than once per card (a page has up to 20 per column)."""
    return {"start": _("开始流程"), "actions": _("操作"), "advance": _("进入下一环节"), "hold": _("暂停"), "resume": _("恢复"),
            "reject": _("不通过"), "withdraw": _("候选人撤回"), "reason_required": _("原因（必填）"), "reason": _("原因"),
            "without_evaluation": _("未经评估决定（仅不通过）"), "without_evaluation_reason": _("未经评估的原因"), "ok": _("确定")}


def _board_context(request, position, filters) -> dict:
    query = _board_query(request.GET)
    board_url = reverse("workflows:board", args=[position.pk]) + (f"?{query}" if query else "")
    # the cards' action URLs are their application page's URL plus start/, move/ and move-to/ (urls.py): one reverse
    # per card instead of four
    return {"position": position, "filters": filters, "query": query, "board_url": board_url,
            "can_move": selectors.can_move(request.user), "text": _card_text()}


@login_required
def board(request, position_id: int):
    position = access_position(actor=request.user, position_id=position_id)
    filters = _board_filters(request.GET)
    columns = selectors.position_board(actor=request.user, position=position, filters=filters)
    audit_list_read(request=request, candidates=[card.application.candidate for column in columns for card in column.cards])
    return render(request, "workflows/board.html", {
        **_board_context(request, position, filters), "columns": columns,
        "tags": Tag.objects.filter(organization_id=request.user.organization_id).order_by("name")[:200],
        "sources": Candidate.Source.choices})


@login_required
def board_column(request, position_id: int, stage_key: str):
    """The next page of one board column: the cards as an HTML fragment for the board's "load more" (htmx appends
    it), or a page of its own when followed as a plain link (no JavaScript)."""
    position = access_position(actor=request.user, position_id=position_id)
    filters = _board_filters(request.GET)
    try:
        column = selectors.board_column_page(actor=request.user, position=position, key=stage_key,
                                             cursor=request.GET.get("cursor", "")[:64], filters=filters)
    except selectors.BoardCursorError:
        return HttpResponse(_("这个“加载更多”链接不完整或已失效，请刷新看板。"), status=400)
    if column is None:  # a stage the actor may not see answers like a missing one
        raise Http404
    audit_list_read(request=request, candidates=[card.application.candidate for card in column.cards])
    template = "workflows/_board_page.html" if request.htmx else "workflows/board_column.html"
    return render(request, template, {**_board_context(request, position, filters), "col": column})


@login_required
def application_progress(request, application_id: int):
    application = access_application(actor=request.user, application_id=application_id)
    return _progress_page(request, application)


def _progress_page(request, application, *, score_form=None, score_stage=None, status: int = 200):
    """The progress page; after a refused score, with that stage's form as typed and its messages (400)."""
    progress = ApplicationProgress.objects.filter(application=application).select_related("version__process", "stage").first()
    audit_list_read(request=request, candidates=[application.candidate])  # the page names the candidate
    ctx = {"application": application, "progress": progress, "can_move": selectors.can_move(request.user),
           "score_form": score_form, "score_stage_id": getattr(score_stage, "pk", None)}
    if progress is not None:
        stages = visible_stages(actor=request.user, version=progress.version)
        ctx.update({
            "stages": [(s, stage_can_score(actor=request.user, stage=s)) for s in stages],
            "results": {r.stage_id: r for r in selectors.stage_result_list(actor=request.user, progress=progress)},
            "events": selectors.pipeline_event_list(actor=request.user, progress=progress),
        })
    return render(request, "workflows/application.html", ctx, status=status)


@login_required
@require_POST
def application_start(request, application_id: int):
    application = access_application(actor=request.user, application_id=application_id)
    form = forms.StartForm(request.POST)
    try:
        if not form.is_valid():
            raise form_errors(form)
        services.pipeline_start(actor=request.user, application=application, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        flash_errors(request, exc)
    return _back(request, form.cleaned_data.get("next", ""), "workflows:board", position_id=application.position_id)


@login_required
@require_POST
def application_move(request, application_id: int):
    application = access_application(actor=request.user, application_id=application_id)
    progress = ApplicationProgress.objects.filter(application=application).first()
    form = forms.MoveForm(request.POST)
    valid = form.is_valid()
    data = form.cleaned_data
    name = data.get("action", "")
    action = services.PIPELINE_ACTIONS.get(name)
    if progress is None or (action is None and name != "reject"):
        raise Http404
    try:
        if not valid:
            raise form_errors(form)
        if name == "reject":  # a decision: the one road (S1), with its record and the feedback case
            from hirelens.candidates.decisions import decision_record_via  # evaluations' decision_record

            decision_record_via(actor=request.user, application=application, outcome="reject",
                                rationale=data["reason"], without_evaluation=data["without_evaluation"],
                                without_evaluation_reason=data["without_evaluation_reason"],
                                request=request)
        else:
            action(actor=request.user, progress=progress, reason=data["reason"])
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("已记录。"))
    return _back(request, data.get("next", ""), "workflows:application", application_id=application.pk)


@login_required
@require_POST
def application_move_to(request, application_id: int):
    """The board's drag and drop: put the application on the stage with this key in its own version."""
    application = access_application(actor=request.user, application_id=application_id)
    progress = ApplicationProgress.objects.filter(application=application).first()
    if progress is None:
        raise Http404
    form = forms.MoveToForm(request.POST)
    if not form.is_valid():
        return _errors_400(form)
    stage = progress.version.stages.filter(key=form.cleaned_data["stage_key"]).first()
    try:
        if stage is None:
            raise ValidationError(_("该申请所用的流程版本中没有这个环节。"))
        services.pipeline_move(actor=request.user, progress=progress, to_stage=stage, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        return HttpResponse("; ".join(exc.messages), status=400)
    return HttpResponse(status=204)


@login_required
@require_POST
def stage_score(request, application_id: int, stage_id: int):
    application = access_application(actor=request.user, application_id=application_id)
    stage = access_stage_for_scoring(actor=request.user, stage_id=stage_id)
    progress = ApplicationProgress.objects.filter(application=application, version_id=stage.version_id).first()
    if progress is None:
        raise Http404
    form = forms.ScoreForm(request.POST, max_score=services.stage_max_score(stage))
    if not form.is_valid():  # not a number, or out of range: the page again with the message at the stage, nothing saved
        return _progress_page(request, application, score_form=form, score_stage=stage, status=400)
    try:
        services.stage_result_record(actor=request.user, progress=progress, stage=stage, score=form.cleaned_data["score"],
                                     comment=form.cleaned_data["comment"], request=request)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("得分已保存。"))
    return redirect("workflows:application", application_id=application.pk)


@login_required
@require_POST
def stage_import_scores(request, stage_id: int):
    stage = access_stage_for_scoring(actor=request.user, stage_id=stage_id)
    form = forms.ScoreImportForm(request.POST, request.FILES)
    try:
        if not form.is_valid():
            raise form_errors(form)
        results = services.stage_results_import_csv(actor=request.user, stage=stage, data=form.cleaned_data["file"].read(),
                                                     request=request)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("已导入 %(n)d 条得分。") % {"n": len(results)})
    position_id = stage.version.process.position_id
    return redirect("workflows:board", position_id=position_id) if position_id else redirect("positions:index")
