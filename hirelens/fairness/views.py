from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hirelens.core.audit import audit_record
from hirelens.core.flash import flash_errors
from hirelens.core.forms import form_errors
from hirelens.core.models import AuditEvent
from hirelens.positions.access import visible_positions

from . import services
from .access import (
    access_audit,
    access_candidate_by_link,
    access_pia_version,
    access_position_for_report,
    access_published_audit,
    require_compliance,
)
from .forms import AuditCreateForm, AuditPublishForm, PIAVersionForm, ReportFilterForm, SelfIdentificationForm
from .models import PIA_KEEP_DAYS, Race, Sex
from .selectors import AI_STAGES, audit_list, fairness_report, labelled, pia_version_list, stage_options


def _report_from(request, filters: dict):
    """(positions, position, options, chosen stage, report or None) for a ``ReportFilterForm``'s cleaned filters."""
    positions = list(visible_positions(actor=request.user).order_by("title"))
    position_id = filters["position"] or (positions[0].pk if positions else None)
    if position_id is None:
        return positions, None, [], "", None
    position = access_position_for_report(actor=request.user, position_id=position_id)
    options = stage_options(actor=request.user, position=position)
    values = [o.value for o in options]
    stage = filters["stage"] if filters["stage"] in values else (values[0] if values else "")
    report = None
    if stage:
        report = fairness_report(actor=request.user, position=position, stage=stage, start=filters["start"],
                                 end=filters["end"], exclude_small=filters["exclude_small"])
    return positions, position, options, stage, report


def _filters(form) -> dict:
    form.is_valid()  # every field is lenient: a malformed value is "not given"
    return form.cleaned_data


@login_required
def report(request):
    require_compliance(request.user)
    positions, position, options, stage, data = _report_from(request, _filters(ReportFilterForm(request.GET)))
    stage_label = next((o.label for o in options if o.value == stage), "")
    return render(request, "fairness/report.html", {
        "positions": positions, "position": position, "options": options, "stage": stage, "stage_label": stage_label,
        "report": labelled(data) if data else None, "filters": request.GET, "audits": audit_list(actor=request.user)[:20],
        "ai_value": AI_STAGES,
    })


@login_required
@require_POST
def audit_create(request):
    require_compliance(request.user)
    posted = _filters(AuditCreateForm(request.POST))
    _positions, position, options, stage, data = _report_from(request, posted)
    if data is None:
        messages.error(request, _("请选择职位和环节。"))
        return redirect("fairness:report")
    stage_label = next((o.label for o in options if o.value == stage), "")
    try:
        audit = services.audit_create(actor=request.user, report=data, stage_label=stage_label,
                                      distribution_date=posted["distribution_date"], data_source=posted["data_source"],
                                      title=posted["title"], exclusion_justification=posted["exclusion_justification"],
                                      request=request)
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect(reverse("fairness:report") + "?" + request.POST.urlencode())
    messages.success(request, _("审计已保存。"))
    return redirect("fairness:audit", audit_id=audit.pk)


def _summary_context(audit, request) -> dict:
    return {"audit": audit, "report": labelled(audit.tables),
            "public_url": request.build_absolute_uri(reverse("fairness:public", args=[audit.public_token])) if audit.is_published else ""}


@login_required
def audit_detail(request, audit_id: int):
    audit = access_audit(actor=request.user, audit_id=audit_id)
    context = _summary_context(audit, request)
    if request.GET.get("download") == "html":
        return _html_download(request, "fairness/summary_standalone.html", context, audit, f"bias-audit-{audit.pk}.html")
    return render(request, "fairness/audit.html", context)


@login_required
def audit_pdf(request, audit_id: int):
    from .pdf import audit_pdf as build

    audit = access_audit(actor=request.user, audit_id=audit_id)
    audit_record(action=AuditEvent.Action.EXPORT, actor=request.user, obj=audit, request=request)
    return _pdf(build(audit), f"bias-audit-{audit.pk}.pdf")


def _html_download(request, template: str, context: dict, obj, name: str) -> HttpResponse:
    """A standalone HTML export (an audit's public summary, an impact assessment), audited as an export."""
    audit_record(action=AuditEvent.Action.EXPORT, actor=request.user, obj=obj, request=request)
    response = HttpResponse(render_to_string(template, context, request=request), content_type="text/html; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _pdf(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def audit_publish(request, audit_id: int):
    audit = access_audit(actor=request.user, audit_id=audit_id)
    posted = _filters(AuditPublishForm(request.POST))
    try:
        services.audit_publish(actor=request.user, audit=audit, distribution_date=posted["distribution_date"], request=request)
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect("fairness:audit", audit_id=audit.pk)
    messages.success(request, _("摘要已公开发布。"))
    return redirect("fairness:audit", audit_id=audit.pk)


@login_required
@require_POST
def audit_unpublish(request, audit_id: int):
    audit = access_audit(actor=request.user, audit_id=audit_id)
    services.audit_unpublish(actor=request.user, audit=audit, request=request)
    messages.success(request, _("已取消公开，公开链接不再可用。"))
    return redirect("fairness:audit", audit_id=audit.pk)


def public_summary(request, token: str):
    """The published summary: no sign-in, no personal data (aggregates only)."""
    audit = access_published_audit(token=token)
    if request.GET.get("format") == "pdf":
        from .pdf import audit_pdf as build

        return _pdf(build(audit), f"bias-audit-{audit.pk}.pdf")
    return render(request, "fairness/public.html", _summary_context(audit, request))


# --- records: the impact assessment ---------------------------------------------------------------------------

@login_required
def records(request):
    require_compliance(request.user)
    if request.method == "POST":
        form = PIAVersionForm(request.POST)
        form.is_valid()  # the note is free text (the service trims and cuts it)
        version = services.pia_version_create(actor=request.user, note=form.cleaned_data["note"], request=request)
        messages.success(request, _("已保存为第 %(n)d 版。") % {"n": version.number})
        return redirect("fairness:record", pia_id=version.pk)
    from .records import pia_content, pia_sections

    return render(request, "fairness/records.html", {
        "versions": pia_version_list(actor=request.user),
        "draft": pia_sections(pia_content(organization=request.user.organization)),
        "keep_years": 3, "keep_days": PIA_KEEP_DAYS,
    })


@login_required
def record_detail(request, pia_id: int):
    version = access_pia_version(actor=request.user, version_id=pia_id)
    from .records import pia_sections

    context = {"version": version, "keep_days": PIA_KEEP_DAYS, "sections": pia_sections(version.content)}
    if request.GET.get("download") == "html":
        return _html_download(request, "fairness/record_standalone.html", context, version, f"pia-v{version.number}.html")
    return render(request, "fairness/record.html", context)


@login_required
def record_pdf(request, pia_id: int):
    from .pdf import pia_pdf

    version = access_pia_version(actor=request.user, version_id=pia_id)
    audit_record(action=AuditEvent.Action.EXPORT, actor=request.user, obj=version, request=request)
    return _pdf(pia_pdf(version), f"pia-v{version.number}.pdf")


@login_required
@require_POST
def record_delete(request, pia_id: int):
    version = access_pia_version(actor=request.user, version_id=pia_id)
    try:
        services.pia_version_delete(actor=request.user, version=version, request=request)
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect("fairness:record", pia_id=version.pk)
    messages.success(request, _("已删除。"))
    return redirect("fairness:records")


# --- the candidate's voluntary self-identification ------------------------------------------------------------

def self_identify(request, kind: str, token: str):
    import json

    actor = access_candidate_by_link(kind=kind, token=token)
    candidate = actor.candidate
    if request.method == "POST":
        if request.POST.get("action") == "withdraw":
            services.self_identification_withdraw(actor=actor, candidate=candidate, request=request)
            messages.success(request, _("您填写的信息已删除。"))
        else:
            form = SelfIdentificationForm(request.POST)
            try:
                if not form.is_valid():  # one message, as the service says it, however many answers were unknown
                    raise ValidationError(list(dict.fromkeys(form_errors(form).messages)))
                services.self_identification_save(actor=actor, candidate=candidate, sex=form.cleaned_data["sex"],
                                                  race=form.cleaned_data["race"], request=request)
            except ValidationError as exc:
                flash_errors(request, exc)
            else:
                messages.success(request, _("谢谢，已保存。您的回答不会给任何面试官或评估人员看到。"))
        return redirect("fairness:self_identify", kind=kind, token=token)
    from .models import SelfIdentification

    record = SelfIdentification.objects.filter(candidate=candidate).first()
    answers = json.loads(record.answers) if record else {}
    back = reverse("portal:home", args=[token]) if kind == "p" else reverse("interviews:candidate", args=[token])
    from hirelens.messaging.services.helpdesk import help_url

    response = render(request, "fairness/self_identify.html", {
        "candidate": candidate, "sexes": Sex.choices, "races": Race.choices, "answers": answers, "has_answers": bool(record),
        "back": back, "organization": candidate.organization,
        # issue 19, no dead ends: the candidate may ask HR about this page (the page's address without its token)
        "help_href": help_url(candidate=candidate, page=request.path, step="self_identify"),
    })
    response["Referrer-Policy"] = "same-origin"
    return response
