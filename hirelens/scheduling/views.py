from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hirelens.accounts.roles import Perm, user_can
from hirelens.candidates.access import access_application, visible_applications
from hirelens.candidates.masking import can_see_contact
from hirelens.core.access import get_for_actor, require_perm, tenant_queryset
from hirelens.core.audit import audit_list_read, audit_record
from hirelens.core.flash import flash_errors
from hirelens.core.models import AuditEvent
from hirelens.positions.access import access_position
from hirelens.positions.validators import common_time_zones

from . import selectors, services
from .access import access_interview, access_slot
from .ics import interview_attendees, interview_ics
from .links import LinkError, link_open, link_revoke, link_url
from .models import InterviewLink
from .timezones import viewer_zone, zone_from_post, zone_search


def _members(actor):
    return tenant_queryset(get_user_model().objects.filter(is_active=True), actor=actor).order_by("full_name")


def _picked_members(request, field="interviewers"):
    members = {str(m.pk): m for m in _members(request.user)}
    return [members[i] for i in request.POST.getlist(field) if i in members]


@login_required
def position_schedule(request, position_id: int):
    position = access_position(actor=request.user, position_id=position_id)
    can_manage = user_can(request.user, Perm.POSITIONS_MANAGE)
    slots = list(selectors.slot_list(actor=request.user, position=position).exclude(status="cancelled"))
    interviews = list(selectors.interview_list(actor=request.user, position=position))
    # Applications are chosen with the searchable picker (candidates/pickers.py): the page never lists them all.
    has_applications = can_manage and visible_applications(actor=request.user).filter(position=position).exists()
    audit_list_read(request=request, candidates=[s.application.candidate for s in slots if s.application_id]
                    + [i.application.candidate for i in interviews])
    return render(request, "scheduling/position.html", {
        "position": position, "can_manage": can_manage, "slots": slots, "interviews": interviews,
        "has_applications": has_applications,
        "members": position.assignments.select_related("user").order_by("user__full_name") if can_manage else [],
        "viewer_tz": viewer_zone(request, request.user.organization.time_zone), "time_zones": common_time_zones(),
        "stages": _schedulable_stages(request.user, position) if can_manage else [],
    })


def _schedulable_stages(actor, position):
    """The stages of the latest published version of the position's active process, in one query."""
    from django.db.models import Subquery

    from hirelens.workflows.models import Process, ProcessVersion, Stage

    process = Process.objects.filter(position=position, is_active=True).order_by("-is_active", "name", "pk").values("pk")[:1]
    version = (ProcessVersion.objects.filter(process=Subquery(process), status=ProcessVersion.Status.PUBLISHED)
               .order_by("-number").values("pk")[:1])
    return list(Stage.objects.filter(version=Subquery(version)).order_by("order", "pk"))


def _picked_stage(request, position):
    stage_id = request.POST.get("stage")
    if not stage_id:
        return None
    from hirelens.workflows.access import access_stage

    stage = access_stage(actor=request.user, stage_id=stage_id)
    if stage.version.process.position_id != position.pk:
        raise Http404
    return stage


def _picked_application(request, position):
    """The application chosen in a picker (an id), through the access rule; a missing choice is a clear message,
    an application of another position or one the actor may not see the same 404 as a missing one."""
    raw = (request.POST.get("application") or "").strip()
    if not raw.isdigit():
        messages.error(request, _("请输入候选人姓名并从列表中选择一位。"))
        return None
    application = access_application(actor=request.user, application_id=int(raw))
    if application.position_id != position.pk:
        raise Http404
    return application


@login_required
@require_POST
def slot_new(request, position_id: int):
    position = access_position(actor=request.user, position_id=position_id)
    application = None
    if request.POST.get("application"):
        application = _picked_application(request, position)
        if application is None:
            return redirect("scheduling:position", position_id=position.pk)
    try:
        services.slot_create(actor=request.user, position=position, start=request.POST.get("start", ""),
                             end=request.POST.get("end", ""), time_zone=zone_from_post(request.POST),
                             interviewers=_picked_members(request), application=application,
                             stage=_picked_stage(request, position))
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("已开放时间段。"))
    return redirect("scheduling:position", position_id=position.pk)


@login_required
@require_POST
def slot_cancel(request, slot_id: int):
    slot = access_slot(actor=request.user, slot_id=slot_id)
    services.slot_cancel(actor=request.user, slot=slot)
    return redirect("scheduling:position", position_id=slot.position_id)


@login_required
@require_POST
def interview_new(request, position_id: int):
    position = access_position(actor=request.user, position_id=position_id)
    application = _picked_application(request, position)
    if application is None:
        return redirect("scheduling:position", position_id=position.pk)
    try:
        interview = services.interview_schedule(actor=request.user, application=application, start=request.POST.get("start", ""),
                                                end=request.POST.get("end", ""), time_zone=zone_from_post(request.POST),
                                                interviewers=_picked_members(request), stage=_picked_stage(request, position),
                                                request=request)
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect("scheduling:position", position_id=position.pk)
    return redirect("scheduling:interview", interview_id=interview.pk)


@login_required
@require_POST
def booking_link(request, position_id: int):
    position = access_position(actor=request.user, position_id=position_id)
    application = _picked_application(request, position)
    if application is None:
        return redirect("scheduling:position", position_id=position.pk)
    url = services.booking_link_issue(actor=request.user, application=application)
    messages.success(request, _("预约链接（7 天内有效，只显示这一次）：%(url)s") % {"url": url})
    return redirect("scheduling:position", position_id=application.position_id)


@login_required
def interview_detail(request, interview_id: int):
    interview = access_interview(actor=request.user, interview_id=interview_id)
    can_manage = user_can(request.user, Perm.POSITIONS_MANAGE)
    audit_list_read(request=request, candidates=[interview.application.candidate])  # the page names the candidate
    return render(request, "scheduling/interview.html", {
        "interview": interview, "can_manage": can_manage, "links": selectors.link_list(interview=interview) if can_manage else [],
        "viewer_tz": viewer_zone(request, interview.time_zone), "new_links": request.session.pop("new_links", None),
        "time_zones": common_time_zones(), "live_room_url": _staff_live_room_url(interview),
    })


def _staff_live_room_url(interview) -> str:
    from django.urls import reverse

    from hirelens.live.services import is_live_interview

    if interview.status != interview.Status.SCHEDULED or not is_live_interview(interview):
        return ""
    return reverse("live:interview_room", args=[interview.pk])


@login_required
@require_POST
def interview_links(request, interview_id: int):
    interview = access_interview(actor=request.user, interview_id=interview_id)
    require_perm(request.user, Perm.POSITIONS_MANAGE)
    try:
        urls = services.interview_links_issue(interview=interview, actor=request.user)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        request.session["new_links"] = {"candidate": urls["candidate"], "backup": urls["backup"],
                                        "interviewers": list(urls["interviewers"].values())}
    return redirect("scheduling:interview", interview_id=interview.pk)


@login_required
@require_POST
def interview_link_revoke(request, interview_id: int, link_id: int):
    interview = access_interview(actor=request.user, interview_id=interview_id)
    require_perm(request.user, Perm.POSITIONS_MANAGE)
    link = get_for_actor(interview.links.all(), actor=request.user, pk=link_id)
    link_revoke(actor=request.user, link=link, request=request)
    messages.success(request, _("链接已撤销。"))
    return redirect("scheduling:interview", interview_id=interview.pk)


@login_required
@require_POST
def interview_reschedule(request, interview_id: int):
    interview = access_interview(actor=request.user, interview_id=interview_id)
    try:
        services.interview_reschedule(actor=request.user, interview=interview, start=request.POST.get("start", ""),
                                      end=request.POST.get("end", ""), time_zone=zone_from_post(request.POST),
                                      reason=request.POST.get("reason", ""), request=request)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("面试已改期，日历邀请已更新。"))
    return redirect("scheduling:interview", interview_id=interview.pk)


@login_required
@require_POST
def interview_cancel(request, interview_id: int):
    interview = access_interview(actor=request.user, interview_id=interview_id)
    try:
        services.interview_cancel(actor=request.user, interview=interview, reason=request.POST.get("reason", ""), request=request)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("面试已取消，所有链接已失效。"))
    return redirect("scheduling:interview", interview_id=interview.pk)


@login_required
def interview_calendar(request, interview_id: int):
    interview = access_interview(actor=request.user, interview_id=interview_id)
    candidate = interview.application.candidate
    with_email = bool(candidate.email) and can_see_contact(request.user)
    if with_email:  # the file carries the candidate's address: a read of their contact details
        audit_record(action=AuditEvent.Action.READ, actor=request.user, obj=candidate, fields=["full_name", "email"], request=request)
    else:
        audit_list_read(request=request, candidates=[candidate])
    ics = interview_ics(interview=interview, attendees=interview_attendees(interview, candidate_email=with_email))
    response = HttpResponse(ics, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="interview-{interview.pk}.ics"'
    return response


@login_required
def availability(request):
    if request.method == "POST":
        try:
            services.availability_add(actor=request.user, user=request.user, start=request.POST.get("start", ""),
                                      end=request.POST.get("end", ""), time_zone=zone_from_post(request.POST))
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, _("已添加可面试时间。"))
        return redirect("scheduling:availability")
    zone = viewer_zone(request, request.user.organization.time_zone if request.user.organization_id else "Asia/Shanghai")
    return render(request, "scheduling/availability.html", {
        "windows": selectors.availability_list(actor=request.user), "viewer_tz": zone, "time_zones": common_time_zones(),
        "interviews": selectors.interview_list(actor=request.user, upcoming=True, mine=True),
    })


# --- Public pages opened from a signed link (no staff login) -------------------------------------

def link_page(request, token: str):
    try:
        link = link_open(token, request=request) if request.method == "GET" else None
        if link is None:
            from .links import link_verify

            link = link_verify(token, kinds={InterviewLink.Kind.BOOKING})
    except LinkError as exc:
        if exc.code in {"expired", "revoked", "invalid"}:  # a candidate's dead-link page with "ask for a new link"
            from hirelens.messaging.services.deadlinks import dead_link_render

            return dead_link_render(request, "scheduling/link_error.html", kind="booking", token=token, context={"code": exc.code})
        return render(request, "scheduling/link_error.html", {"error": exc.message, "code": exc.code}, status=403)
    application = link.application
    if link.kind == InterviewLink.Kind.BOOKING:
        if request.method == "POST":
            try:
                interview = services.interview_book_slot(application=application, slot_id=request.POST.get("slot"), request=request)
            except ValidationError as exc:
                flash_errors(request, exc)
                return redirect("scheduling:link", token=token)
            # No links here: the invitation job issues the interview's one set of links and sends them (a set
            # issued here as well left two sets valid for one booking).
            return redirect("scheduling:link", token=token)
        booked = services.booked_interview(application=application)
        return render(request, "scheduling/booking.html", {
            "link": link, "application": application, "slots": services.open_slots_for(application) if booked is None else [],
            "booked": booked, "ics_url": request.path + "calendar.ics",
            "viewer_tz": viewer_zone(request, booked.time_zone if booked else application.position.time_zone),
        })
    interview = link.interview
    return render(request, "scheduling/link.html", {
        "link": link, "interview": interview, "application": application, "ics_url": request.path + "calendar.ics",
        "viewer_tz": viewer_zone(request, interview.time_zone), "stages": _process_steps(application),
        "live_room_url": _live_room_url(link, token),
    })


def _live_room_url(link, token: str) -> str:
    """The live room's entry for a live interview's link: the join page for the candidate's or backup link (the
    same token), the interviewers' room (sign-in first) for an interviewer's link."""
    from django.urls import reverse

    from hirelens.live.services import is_live_interview

    if link.interview is None or link.kind == InterviewLink.Kind.BOOKING:
        return ""
    if link.interview.status != link.interview.Status.SCHEDULED or not is_live_interview(link.interview):
        return ""
    if link.kind == InterviewLink.Kind.INTERVIEWER:  # the staff room, after signing in
        return reverse("live:interview_room", args=[link.interview_id])
    return reverse("live:join", args=[token])


def link_calendar(request, token: str):
    from .links import link_verify

    try:
        link = link_verify(token, kinds={InterviewLink.Kind.CANDIDATE, InterviewLink.Kind.INTERVIEWER, InterviewLink.Kind.BACKUP,
                                         InterviewLink.Kind.BOOKING})
    except LinkError as exc:
        return render(request, "scheduling/link_error.html", {"error": exc.message, "code": exc.code}, status=404)
    interview = link.interview
    if link.kind == InterviewLink.Kind.BOOKING:  # the booking page's confirmation: the interview booked with it
        interview = services.booked_interview(application=link.application)
        if interview is None:
            raise Http404
    response = HttpResponse(interview_ics(interview=interview, link="" if link.kind == InterviewLink.Kind.BOOKING else link_url(token)),
                            content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="interview.ics"'
    return response


def _relative(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).path


def _process_steps(application):
    from hirelens.workflows.models import ApplicationProgress

    progress = ApplicationProgress.objects.filter(application=application).select_related("version").first()
    return list(progress.version.stages.order_by("order", "pk")) if progress else []


def time_zones(request):
    """The time-zone picker's search: ``?q=北京`` → {"results": [{"value", "label", "name"}]} in the reader's language.
    Public (no personal data): the same list serves staff forms and any page that asks for a zone."""
    from django.http import JsonResponse

    response = JsonResponse({"results": zone_search(request.GET.get("q", "")[:60])})
    response["Cache-Control"] = "private, max-age=300"
    return response
