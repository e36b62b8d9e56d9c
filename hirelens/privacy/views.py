from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hirelens.candidates.access import access_candidate_for_edit
from hirelens.core.access import require_perm
from hirelens.core.audit import audit_list_read
from hirelens.core.flash import flash_errors
from hirelens.core.roles import Perm, user_can

from . import services
from .access import access_privacy_request
from .forms import CompleteForm, RefuseForm, RequestForm, SettingsForm
from .models import PrivacyExport, PrivacyRequest, RequestKind
from .selectors import portal_requests, privacy_request_list

PAGE_SIZE = 25


def _detail(pr):
    return redirect("privacy:detail", pr.pk)


@login_required
def request_list(request):
    require_perm(request.user, Perm.CANDIDATES_MANAGE)
    status, kind, q = request.GET.get("status", ""), request.GET.get("kind", ""), request.GET.get("q", "")
    page = Paginator(privacy_request_list(actor=request.user, status=status, kind=kind, q=q), PAGE_SIZE).get_page(request.GET.get("page"))
    audit_list_read(request=request, candidates=[pr.candidate for pr in page if pr.candidate_id])
    return render(request, "privacy/request_list.html", {
        "page": page, "status": status, "kind": kind, "q": q,
        "statuses": [("due", _("即将到期或已逾期")), *PrivacyRequest.Status.choices], "kinds": RequestKind.choices,
        "can_configure": user_can(request.user, Perm.ORG_SETTINGS),
    })


@login_required
def request_detail(request, privacy_request_id: int):
    pr = access_privacy_request(actor=request.user, privacy_request_id=privacy_request_id)
    if pr.candidate_id:
        audit_list_read(request=request, candidates=[pr.candidate], fields=["full_name", "privacy_request"])
    exports = list(pr.exports.all())
    return render(request, "privacy/request_detail.html", {
        "pr": pr, "events": pr.events.select_related("actor"), "exports": exports,
        "building": next((e for e in exports if e.status in (PrivacyExport.Status.QUEUED, PrivacyExport.Status.BUILDING)), None),
        "ready": next((e for e in exports if e.status == PrivacyExport.Status.READY and not e.is_expired), None),
        "needs_export": pr.kind in (RequestKind.EXPORT, RequestKind.ACCESS),
        "refuse_form": RefuseForm(), "complete_form": CompleteForm(),
    })


@login_required
def request_progress(request, privacy_request_id: int):
    """The export's progress (HTMX polling while it builds)."""
    pr = access_privacy_request(actor=request.user, privacy_request_id=privacy_request_id)
    exports = list(pr.exports.all())
    return render(request, "privacy/_export_status.html", {
        "pr": pr, "exports": exports,
        "building": next((e for e in exports if e.status in (PrivacyExport.Status.QUEUED, PrivacyExport.Status.BUILDING)), None),
        "ready": next((e for e in exports if e.status == PrivacyExport.Status.READY and not e.is_expired), None)})


def _act(request, privacy_request_id, fn, success: str):
    pr = access_privacy_request(actor=request.user, privacy_request_id=privacy_request_id)
    try:
        fn(pr)
        messages.success(request, success)
    except ValidationError as exc:
        flash_errors(request, exc)
    return _detail(pr)


@login_required
@require_POST
def request_start(request, privacy_request_id: int):
    return _act(request, privacy_request_id, lambda pr: services.privacy_request_start(actor=request.user, privacy_request=pr,
                                                                                      request=request), _("已开始处理。"))


@login_required
@require_POST
def request_export(request, privacy_request_id: int):
    return _act(request, privacy_request_id, lambda pr: services.export_start(actor=request.user, privacy_request=pr, request=request),
                _("正在生成导出文件，完成后即可下载。"))


@login_required
@require_POST
def request_complete(request, privacy_request_id: int):
    form = CompleteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    return _act(request, privacy_request_id, lambda pr: services.privacy_request_complete(
        actor=request.user, privacy_request=pr, note=note, request=request), _("请求已完成，已向候选人发送回执。"))


@login_required
@require_POST
def request_refuse(request, privacy_request_id: int):
    form = RefuseForm(request.POST)
    # the service says what is wrong with a blank or over-long reason (its own messages, shown on the request page)
    reason = form.cleaned_data["reason"] if form.is_valid() else str(form["reason"].value() or "")
    return _act(request, privacy_request_id, lambda pr: services.privacy_request_refuse(
        actor=request.user, privacy_request=pr, reason=reason, request=request), _("已拒绝该请求，已向候选人说明理由。"))


@login_required
def request_new(request, candidate_id: int):
    """HR records a request the candidate made by phone, letter or in person, on the candidate's behalf."""
    candidate = access_candidate_for_edit(actor=request.user, candidate_id=candidate_id)
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pr = services.privacy_request_create(candidate=candidate, actor=request.user, request=request, **form.cleaned_data)
            messages.success(request, _("已记录请求，截止时间已按规定计算。"))
            return _detail(pr)
        except ValidationError as exc:
            flash_errors(request, exc)
    return render(request, "privacy/request_new.html", {"candidate": candidate, "form": form})


@login_required
def settings_edit(request):
    require_perm(request.user, Perm.ORG_SETTINGS)
    current = services.privacy_settings_for(request.user.organization_id)
    initial = {f: getattr(current, f) for f in SettingsForm.base_fields if f != "use_defaults"}
    form = SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        days = None if data["use_defaults"] else {k: data[f"days_{k}"] for k in RequestKind.values}
        try:
            services.privacy_settings_update(actor=request.user, jurisdiction=data["jurisdiction"], days=days,
                                             export_link_days=data["export_link_days"], request=request)
            messages.success(request, _("已保存。"))
            return redirect("privacy:settings")
        except ValidationError as exc:
            flash_errors(request, exc)
    return render(request, "privacy/settings.html", {"form": form, "current": current})


def download(request, token: str):
    """The expiring download link of an archive: the signed token is the credential (candidate in the portal, HR on
    the case page). An expired link answers a page that says so (410)."""
    try:
        export = services.access_export_by_token(token=token)
    except services.ExportLinkExpired as expired:
        language = expired.export.request.language if not request.user.is_authenticated else None
        with translation.override(language or translation.get_language()):
            response = render(request, "privacy/export_expired.html", {
                "export": expired.export, "zone": expired.export.request.organization.time_zone,
                "help_href": _export_help_url(request, expired.export)}, status=410)
        response["Cache-Control"] = "no-store"
        return response
    except Http404:
        response = render(request, "privacy/export_unknown.html", status=404)
        response["Cache-Control"] = "no-store"
        return response
    actor = request.user if request.user.is_authenticated and request.user.organization_id == export.organization_id else None
    services.export_download_record(export=export, actor=actor, request=request)
    response = FileResponse(export.file.open("rb"), as_attachment=True, filename=f"hirelens-export-{export.pk}.zip",
                            content_type="application/zip")
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


def _export_help_url(request, export) -> str:
    """The expired download page's "need help?" (issue 19, no dead ends), for the candidate only: their thread with HR,
    the page (without its token) and why attached. None for HR, nor once the record is erased."""
    from hirelens.messaging.services.helpdesk import help_url

    candidate = export.candidate or export.request.candidate
    if request.user.is_authenticated or candidate is None:
        return ""
    return help_url(candidate=candidate, page=request.path, step="expired")


def portal_rights(request, token: str):
    """我的数据与权利 / My data and rights: the candidate's requests, through their portal link."""
    from hirelens.messaging.services.deadlinks import dead_link_render
    from hirelens.portal.access import PortalLinkExpired, access_portal_actor
    from hirelens.portal.services import portal_link_touch, portal_url

    try:
        actor = access_portal_actor(token=token)
    except (PortalLinkExpired, Http404):
        return dead_link_render(request, "portal/expired.html", kind="portal", token=token)
    candidate = actor.candidate
    portal_link_touch(link=actor.link)
    form = RequestForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.privacy_request_create(actor=actor, candidate=candidate, request=request,
                                                language=translation.get_language() or "zh-hans", **form.cleaned_data)
                messages.success(request, _("我们已收到您的请求，会在截止时间前处理并通知您。"))
                response = redirect(reverse("privacy:portal", args=[token]) + "#requests")
                response["Cache-Control"] = "no-store"
                return response
            except ValidationError as exc:
                for error in exc.messages:
                    form.add_error(None, error)
    response = render(request, "privacy/portal.html", {
        "token": token, "candidate": candidate, "form": form, "requests": portal_requests(candidate=candidate),
        "portal_home": portal_url(token, absolute=False), "zone": candidate.organization.time_zone,
    }, status=400 if request.method == "POST" else 200)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    return response
