from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hirelens.candidates import services as candidate_services
from hirelens.candidates.access import access_candidate_for_edit
from hirelens.candidates.forms import DocumentForm, ProjectForm, ResumeForm
from hirelens.candidates.models import PERSONAL_FIELDS, Project
from hirelens.core.flash import flash_errors
from hirelens.messaging.services.deadlinks import dead_link_render

from . import services
from .access import PortalLinkExpired, access_portal_actor, access_portal_link_for_staff
from .forms import LinkForm, PortalProfileForm
from .selectors import portal_ai_interviews, portal_bookable, portal_scheduled_interviews


def portal_view(view):
    """Resolve the token to the PortalActor the view acts as (its candidate: ``actor.candidate``); an expired or
    revoked link gets a page that says so (410)."""

    @wraps(view)
    def wrapper(request, token, *args, **kwargs):
        try:
            actor = access_portal_actor(token=token)
        except (PortalLinkExpired, Http404):
            # expired / revoked (410) or unknown (404): what happened, in the candidate's language, "ask for a new link"
            return dead_link_render(request, "portal/expired.html", kind="portal", token=token)
        services.portal_link_touch(link=actor.link)
        response = view(request, token, actor, *args, **kwargs)
        response["Referrer-Policy"] = "same-origin"  # the token must not leak to other sites (no-referrer breaks CSRF Origin)
        response["Cache-Control"] = "no-store"
        return response

    return wrapper


def _home(token, anchor=""):
    return redirect(reverse("portal:home", args=[token]) + (f"#{anchor}" if anchor else ""))


@portal_view
def portal_home(request, token, actor):
    from django.utils import translation

    from hirelens.messaging.services.helpdesk import help_url

    candidate, link = actor.candidate, actor.link
    services.portal_read(actor=actor, fields=list(PERSONAL_FIELDS), request=request)
    applications = list(candidate.applications.select_related("position").order_by("-created_at"))
    return render(request, "portal/home.html", {
        "token": token, "link": link, "candidate": candidate, "applications": applications,
        "bookable": portal_bookable(candidate=candidate, applications=applications),
        "interviews": portal_scheduled_interviews(candidate=candidate, language=translation.get_language() or "zh-hans"),
        "ai_interviews": portal_ai_interviews(candidate=candidate),
        "projects": candidate.projects.all(), "documents": candidate.documents.all(),
        "profile_form": PortalProfileForm(initial={f: getattr(candidate, f) for f in ("full_name", "phone", "email", "address")}),
        "project_form": ProjectForm(), "document_form": DocumentForm(), "resume_form": ResumeForm(),
        "help_href": help_url(candidate=candidate, page=request.path, step="portal"),
        "zone": candidate.organization.time_zone,
    })


@require_POST
@portal_view
def portal_interview_open(request, token, actor, interview_id: int):
    """The portal's "join" / "open" of a scheduled interview: a fresh candidate link of that interview (the links sent
    earlier are stored only as hashes), then its page: the live room's join page or the interview's own page."""
    from django.http import Http404

    from hirelens.live.services import JOIN_OPENS_BEFORE_MINUTES, is_live_interview, join_opens_at
    from hirelens.scheduling.links import link_issue
    from hirelens.scheduling.models import Interview, InterviewLink

    candidate = actor.candidate
    interview = (Interview.objects.filter(organization_id=candidate.organization_id, application__candidate=candidate,
                                          pk=interview_id).select_related("application", "stage").first())
    if interview is None:  # another candidate's interview: like a missing one
        raise Http404
    if not interview.is_pending():
        messages.error(request, _("这场面试已经结束或已取消。"))
        return _home(token, "interviews")
    live = is_live_interview(interview)
    if live and timezone.now() < join_opens_at(interview):  # the portal offers the room as its button does
        messages.error(request, _("入口将在面试前 %(minutes)d 分钟开放") % {"minutes": JOIN_OPENS_BEFORE_MINUTES})
        return _home(token, "interviews")
    _link, link_token = link_issue(application=interview.application, kind=InterviewLink.Kind.CANDIDATE, interview=interview)
    return redirect(reverse("live:join" if live else "scheduling:link", args=[link_token]))


@require_POST
@portal_view
def portal_book(request, token, actor, application_id: int):
    """W3: the candidate picks an interview time from the offered slots through their portal."""
    from django.http import Http404

    from hirelens.scheduling.selectors import open_slots_for_application
    from hirelens.scheduling.services import booking_link_for_candidate

    application = actor.candidate.applications.filter(pk=application_id).first()
    if application is None:  # another candidate's application: like a missing one
        raise Http404
    if not open_slots_for_application(application=application).exists():
        messages.error(request, _("目前没有可预约的面试时间，招聘方开放后会通知您。"))
        return _home(token, "applications")
    return redirect(booking_link_for_candidate(application=application))


@require_POST
@portal_view
def portal_profile(request, token, actor):
    form = PortalProfileForm(request.POST)
    if form.is_valid():
        try:
            changed = candidate_services.candidate_update(candidate=actor.candidate, actor=actor, data=form.cleaned_data, request=request)
            messages.success(request, _("已保存，招聘团队会立即看到更新。") if changed else _("没有需要保存的修改。"))
        except candidate_services.DuplicateCandidate:
            # Never tell a candidate which other records exist.
            messages.error(request, _("该手机号、邮箱已登记在其他档案中，请联系招聘专员处理。"))
        except ValidationError as exc:
            flash_errors(request, exc)
    else:
        messages.error(request, _("请填写姓名。"))
    return _home(token, "profile")


@require_POST
@portal_view
def portal_project(request, token, actor, project_id=None):
    project = None
    if project_id is not None:
        project = Project.objects.filter(candidate=actor.candidate, pk=project_id).first()
        if project is None:
            from django.http import Http404

            raise Http404
    form = ProjectForm(request.POST)
    if form.is_valid():
        try:
            candidate_services.project_save(candidate=actor.candidate, actor=actor, project=project, request=request, **form.cleaned_data)
            messages.success(request, _("项目已保存。"))
        except ValidationError as exc:
            flash_errors(request, exc)
    else:
        messages.error(request, _("请填写项目名称。"))
    return _home(token, "projects")


@require_POST
@portal_view
def portal_project_delete(request, token, actor, project_id):
    project = Project.objects.filter(candidate=actor.candidate, pk=project_id).first()
    if project is not None:
        candidate_services.project_delete(candidate=actor.candidate, project=project, actor=actor, request=request)
    return _home(token, "projects")


UPLOAD = "upload"  # shown beside the upload forms (portal/home.html), not at the top of the page
UPLOAD_RESULT = "upload-result"  # the outcome's id: the page opens there and focuses it (autofocus yields to a fragment)


def _upload_errors(request, texts) -> None:
    for text in texts:
        messages.error(request, text, extra_tags=UPLOAD)


@require_POST
@portal_view
def portal_document(request, token, actor):
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            candidate_services.document_upload(candidate=actor.candidate, actor=actor, upload=form.cleaned_data["file"],
                                               doc_type=form.cleaned_data["doc_type"], request=request)
            messages.success(request, _("文件已上传，等待审核。"), extra_tags=UPLOAD)
        except ValidationError as exc:
            _upload_errors(request, exc.messages)
    else:
        _upload_errors(request, [_("请选择类型和文件。")])
    return _home(token, UPLOAD_RESULT)


@require_POST
@portal_view
def portal_resume(request, token, actor):
    form = ResumeForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            candidate_services.resume_attach(candidate=actor.candidate, actor=actor, upload=form.cleaned_data["resume"],
                                             request=request)
            messages.success(request, _("简历已上传。"), extra_tags=UPLOAD)
        except ValidationError as exc:
            _upload_errors(request, exc.messages)
    else:
        _upload_errors(request, [_("请选择文件。")])
    return _home(token, UPLOAD_RESULT)


# --- Staff side ---------------------------------------------------------------------------------

@login_required
@require_POST
def link_create(request, candidate_id: int):
    candidate = access_candidate_for_edit(actor=request.user, candidate_id=candidate_id)
    form = LinkForm(request.POST)
    days = form.cleaned_data["days"] if form.is_valid() else services.DEFAULT_DAYS
    link, token = services.portal_link_create(actor=request.user, candidate=candidate, days=days, request=request)
    request.session["portal_link_shown"] = {"id": link.pk, "url": services.portal_url(token)}
    messages.success(request, _("已生成候选人门户链接（仅显示一次），请复制发送给候选人。"))
    return redirect(reverse("candidates:detail", args=[candidate.pk]) + "?tab=profile")


@login_required
@require_POST
def link_revoke(request, link_id: int):
    link = access_portal_link_for_staff(actor=request.user, link_id=link_id)
    services.portal_link_revoke(actor=request.user, link=link, request=request)
    messages.success(request, _("链接已撤销。"))
    return redirect(reverse("candidates:detail", args=[link.candidate_id]) + "?tab=profile")
