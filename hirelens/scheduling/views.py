from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hirelens.candidates.access import access_application, visible_applications
from hirelens.candidates.masking import can_see_contact
from hirelens.core.access import get_for_actor, require_perm, tenant_queryset
from hirelens.core.audit import audit_list_read, audit_record
from hirelens.core.flash import flash_errors
from hirelens.core.forms import bound_or_flash
from hirelens.core.models import AuditEvent
from hirelens.core.roles import Perm, user_can
from hirelens.core.timezones import viewer_zone
from hirelens.positions.access import access_position, visible_positions
from hirelens.positions.validators import common_time_zones
from hirelens.workflows.modules import module_spec

from . import selectors, services
from .access import access_interview, access_slot
from .forms import PICK_A_CANDIDATE, BookForm, CancelForm, PicksForm, RescheduleForm, WindowForm
from .ics import interview_attendees, interview_ics
from .links import LinkError, link_open, link_revoke, link_url
from .models import Interview, InterviewLink


def _members(actor):
    return tenant_queryset(get_user_model().objects.filter(is_active=True), actor=actor).order_by("full_name")


def _picks(request) -> PicksForm:
    """The ids chosen on the page (application, stage, interviewers), typed."""
    picks = PicksForm(request.POST)
    picks.is_valid()  # each helper below reads its own field and answers its own error
    return picks


def _picked_members(request, picks: PicksForm):
    members = {m.pk: m for m in _members(request.user)}
    return [members[i] for i in picks.cleaned_data.get("interviewers", []) if i in members]


@login_required
def position_schedule(request, position_id: int):
    position = access_position(actor=request.user, position_id=position_id)
    can_manage = user_can(request.user, Perm.POSITIONS_MANAGE)
    zone = viewer_zone(request, request.user.organization.time_zone)
    filters, filter_error = _filters(request, zone=zone)
    # One page of each list (a keyset on the start time): the cost is the page's, however many there are.
    slots = selectors.slot_page(actor=request.user, position=position, cursor=request.GET.get("slots", ""))
    interviews = selectors.interview_page(actor=request.user, filters=filters, position=position, cursor=request.GET.get("cursor", ""))
    # Applications are chosen with the searchable picker (candidates/pickers.py): the page never lists them all.
    has_applications = can_manage and visible_applications(actor=request.user).filter(position=position).exists()
    audit_list_read(request=request, candidates=[s.application.candidate for s in slots if s.application_id]
                    + [i.application.candidate for i in interviews])
    members = list(position.assignments.select_related("user").order_by("user__full_name", "pk"))
    stages = _schedulable_stages(request.user, position) if can_manage else []
    return render(request, "scheduling/position.html", {
        "position": position, "can_manage": can_manage, "slots": slots, "interviews": interviews, "page": interviews,
        "has_applications": has_applications, "members": members if can_manage else [],
        "filters": filters, "filter_error": filter_error, "filtered": _filtered(request),
        "interviewers": _distinct_users(a.user for a in members), "statuses": Interview.Status.choices,
        "query": _query_without(request, "cursor"), "slot_query": _query_without(request, "slots"),
        "viewer_tz": zone, "time_zones": common_time_zones(),
        "stages": stages, "preselected": {s.pk for s in stages if module_spec(s.module).schedulable},
    })


@login_required
def interview_index(request):
    """Every interview the actor may see across the organization (``visible_interviews``: HR all, the panel their
    positions'), one page at a time, with filters and a search by the candidate's name."""
    actor = request.user
    zone = viewer_zone(request, actor.organization.time_zone if actor.organization_id else "Asia/Shanghai")
    filters, filter_error = _filters(request, zone=zone, with_position=True)
    page = selectors.interview_page(actor=actor, filters=filters, cursor=request.GET.get("cursor", ""))
    audit_list_read(request=request, candidates=[i.application.candidate for i in page])
    return render(request, "scheduling/interview_list.html", {
        "page": page, "filters": filters, "filter_error": filter_error, "filtered": _filtered(request),
        "positions": list(visible_positions(actor=actor).order_by("title", "pk").only("pk", "title")),
        "interviewers": selectors.interviewer_choices(actor=actor), "statuses": Interview.Status.choices,
        "query": _query_without(request, "cursor"), "viewer_tz": zone,
    })


FILTER_PARAMS = ("q", "position", "interviewer", "status", "kind", "when", "from", "to")


def _filtered(request) -> bool:
    return any(request.GET.get(name) for name in FILTER_PARAMS)


def _query_without(request, name: str) -> str:
    query = request.GET.copy()
    query.pop(name, None)
    return query.urlencode()


def _distinct_users(users) -> list:
    seen: dict[int, object] = {}
    for user in users:
        seen.setdefault(user.pk, user)
    return list(seen.values())


def _day(raw: str | None):
    """A yyyy-mm-dd date from a filter field (2000–2100), or None; ValueError for a malformed one."""
    from datetime import date

    raw = (raw or "").strip()
    if not raw:
        return None
    day = date.fromisoformat(raw[:10])
    if not 2000 <= day.year <= 2100:
        raise ValueError(raw)
    return day


def _filters(request, *, zone: str, with_position: bool = False) -> tuple[selectors.InterviewFilters, str]:
    """The list filters from the query string; a value that makes no sense is ignored with a clear message."""
    from hirelens.core.params import query_int

    get, error = request.GET, ""
    try:
        date_from, date_to = _day(get.get("from")), _day(get.get("to"))
    except ValueError:
        date_from = date_to = None
        error = _("日期格式不正确，已忽略日期筛选。")
    if date_from and date_to and date_to < date_from:
        date_from, date_to = date_to, date_from
    when = get.get("when", "")
    if when not in selectors.WHEN_CHOICES:
        when = "custom" if (date_from or date_to) else "upcoming"
    if when != "custom":
        date_from = date_to = None
    return selectors.InterviewFilters(
        when=when, date_from=date_from, date_to=date_to,
        status=get.get("status", "") if get.get("status") in Interview.Status.values else "",
        kind=get.get("kind", "") if get.get("kind") in selectors.KIND_CHOICES else "",
        interviewer_id=query_int(get, "interviewer"), position_id=query_int(get, "position") if with_position else None,
        q=get.get("q", "")[:100].strip(), zone=zone,
    ), error


def _schedulable_stages(actor, position):
    """The stages of the latest published version of the position's active process, in one query. Any stage may be
    booked; those whose module is held at a booked time (``ModuleSpec.schedulable``, the live interview) come
    preselected."""
    from django.db.models import Subquery

    from hirelens.workflows.models import Process, ProcessVersion, Stage

    process = Process.objects.filter(position=position, is_active=True).order_by("-is_active", "name", "pk").values("pk")[:1]
    version = (ProcessVersion.objects.filter(process=Subquery(process), status=ProcessVersion.Status.PUBLISHED)
               .order_by("-number").values("pk")[:1])
    return list(Stage.objects.filter(version=Subquery(version)).order_by("order", "pk"))


def _picked_stage(request, picks: PicksForm, position):
    if "stage" in picks.errors:  # not an id: the same 404 as a stage that is not there
        raise Http404
    stage_id = picks.cleaned_data.get("stage")
    if not stage_id:
        return None
    from hirelens.workflows.access import access_stage

    stage = access_stage(actor=request.user, stage_id=stage_id)
    if stage.version.process.position_id != position.pk:
        raise Http404
    return stage


def _picked_application(request, picks: PicksForm, position):
    """The application chosen in a picker (an id), through the access rule; a missing choice is a clear message,
    an application of another position or one the actor may not see the same 404 as a missing one."""
    application_id = picks.cleaned_data.get("application")
    if not application_id:
        messages.error(request, PICK_A_CANDIDATE)
        return None
    application = access_application(actor=request.user, application_id=application_id)
    if application.position_id != position.pk:
        raise Http404
    return application


@login_required
@require_POST
def slot_new(request, position_id: int):
    position = access_position(actor=request.user, position_id=position_id)
    application, picks = None, _picks(request)
    if "application" in picks.errors or picks.cleaned_data.get("application"):  # offered to one candidate
        application = _picked_application(request, picks, position)
        if application is None:
            return redirect("scheduling:position", position_id=position.pk)
    require_perm(request.user, Perm.POSITIONS_MANAGE)  # a refusal before any input is read (the service checks again)
    window = bound_or_flash(request, WindowForm, default_zone=position.time_zone)
    if window is None:
        return redirect("scheduling:position", position_id=position.pk)
    try:
        services.slot_create(actor=request.user, position=position, start=window["start_at"], end=window["end_at"],
                             time_zone=window["zone"], interviewers=_picked_members(request, picks), application=application,
                             stage=_picked_stage(request, picks, position))
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
    picks = _picks(request)
    application = _picked_application(request, picks, position)
    if application is None:
        return redirect("scheduling:position", position_id=position.pk)
    require_perm(request.user, Perm.POSITIONS_MANAGE)  # a refusal before any input is read (the service checks again)
    window = bound_or_flash(request, WindowForm, default_zone=position.time_zone)
    if window is None:
        return redirect("scheduling:position", position_id=position.pk)
    try:
        interview = services.interview_schedule(actor=request.user, application=application, start=window["start_at"],
                                                end=window["end_at"], time_zone=window["zone"],
                                                interviewers=_picked_members(request, picks), stage=_picked_stage(request, picks, position),
                                                request=request)
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect("scheduling:position", position_id=position.pk)
    return redirect("scheduling:interview", interview_id=interview.pk)


@login_required
@require_POST
def booking_link(request, position_id: int):
    position = access_position(actor=request.user, position_id=position_id)
    picks = _picks(request)
    application = _picked_application(request, picks, position)
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

    if not interview.is_open or not interview.is_live:
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
    require_perm(request.user, Perm.POSITIONS_MANAGE)
    window = bound_or_flash(request, RescheduleForm, default_zone=interview.time_zone)
    if window is None:
        return redirect("scheduling:interview", interview_id=interview.pk)
    try:
        services.interview_reschedule(actor=request.user, interview=interview, start=window["start_at"], end=window["end_at"],
                                      time_zone=window["zone"], reason=window["reason"], request=request)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("面试已改期，日历邀请已更新。"))
    return redirect("scheduling:interview", interview_id=interview.pk)


@login_required
@require_POST
def interview_cancel(request, interview_id: int):
    interview = access_interview(actor=request.user, interview_id=interview_id)
    require_perm(request.user, Perm.POSITIONS_MANAGE)
    data = bound_or_flash(request, CancelForm)
    if data is None:
        return redirect("scheduling:interview", interview_id=interview.pk)
    try:
        services.interview_cancel(actor=request.user, interview=interview, reason=data["reason"], request=request)
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
        window = bound_or_flash(request, WindowForm)
        if window is None:
            return redirect("scheduling:availability")
        try:
            services.availability_add(actor=request.user, user=request.user, start=window["start_at"], end=window["end_at"],
                                      time_zone=window["zone"])
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, _("已添加可面试时间。"))
        return redirect("scheduling:availability")
    zone = viewer_zone(request, request.user.organization.time_zone if request.user.organization_id else "Asia/Shanghai")
    # "My interviews": the next few, soonest first; the whole list is the interview list filtered to me.
    mine = selectors.interview_page(actor=request.user, per_page=MY_INTERVIEWS,
                                    filters=selectors.InterviewFilters(when="upcoming", interviewer_id=request.user.pk, zone=zone))
    windows = list(selectors.availability_list(actor=request.user)[: MY_WINDOWS + 1])
    audit_list_read(request=request, candidates=[i.application.candidate for i in mine])
    return render(request, "scheduling/availability.html", {
        "windows": windows[:MY_WINDOWS], "more_windows": len(windows) > MY_WINDOWS, "viewer_tz": zone,
        "time_zones": common_time_zones(), "interviews": mine, "max_windows": MY_WINDOWS,
    })


MY_INTERVIEWS = 10
MY_WINDOWS = 50


# --- Public pages opened from a signed link (no staff login) -------------------------------------

def link_page(request, token: str):
    try:
        link = link_open(token, request=request) if request.method == "GET" else None
        if link is None:
            from .links import link_actor

            actor = link_actor(token, kinds={InterviewLink.Kind.BOOKING})  # a booking acts as the candidate's link
            link = actor.link
    except LinkError as exc:
        if exc.code in {"expired", "revoked", "invalid"}:  # a candidate's dead-link page with "ask for a new link"
            from hirelens.messaging.services.deadlinks import dead_link_render

            return dead_link_render(request, "scheduling/link_error.html", kind="booking", token=token, context={"code": exc.code})
        return render(request, "scheduling/link_error.html", {"error": exc.message, "code": exc.code,
                                                              "help_href": _refusal_help(request, token, exc.code)}, status=403)
    application = link.application
    if link.kind == InterviewLink.Kind.BOOKING:
        if request.method == "POST":
            form = BookForm(request.POST)
            try:
                interview = services.interview_book_slot(actor=actor, application=application, request=request,
                                                         slot_id=form.cleaned_data["slot"] if form.is_valid() else None)
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


def _refusal_help(request, token: str, code: str) -> str:
    """"Need help?" on a refusal page, on the thread of the candidate the page may name, with the step:

    - another candidate's link opened on a device this candidate's own link was opened on ("other_candidate"): the
      candidate the session was pinned to, never the link's owner;
    - a link that does not fit the page ("kind": a booking sent through an interview's link): the link names its
      candidate (a candidate's or backup link; an interviewer's link is "invalid" and gets the dead-link page), so
      their thread about that interview, unless the session is pinned to someone else (then theirs, as above).

    "" when nobody can be named (a pinned candidate since erased)."""
    from hirelens.candidates.models import Candidate
    from hirelens.messaging.services.helpdesk import help_url

    from .links import SESSION_CANDIDATE_KEY, link_verify

    pinned = request.session.get(SESSION_CANDIDATE_KEY)
    subject_type, subject_id, candidate_id = "", None, pinned if code == "other_candidate" else None
    if code == "kind":
        try:
            link = link_verify(token)
        except LinkError:
            link = None
        if link is not None and link.kind != InterviewLink.Kind.INTERVIEWER:
            owner = link.application.candidate_id
            candidate_id = pinned if pinned is not None and pinned != owner else owner
            if candidate_id == owner and link.interview_id:
                subject_type, subject_id = "scheduling.interview", link.interview_id
    candidate = Candidate.objects.filter(pk=candidate_id).first() if candidate_id is not None else None
    if candidate is None:
        return ""
    return help_url(candidate=candidate, page=request.path, step=code, subject_type=subject_type, subject_id=subject_id)


def _live_room_url(link, token: str) -> str:
    """The live room's entry for a live interview's link: the join page for the candidate's or backup link (the
    same token), the interviewers' room (sign-in first) for an interviewer's link."""
    from django.urls import reverse

    if link.interview is None or link.kind == InterviewLink.Kind.BOOKING:
        return ""
    if not link.interview.is_open or not link.interview.is_live:
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
        return render(request, "scheduling/link_error.html", {"error": exc.message, "code": exc.code},
                      status=410 if exc.code in {"expired", "revoked"} else 404)  # the one link rule (core/tokens.py)
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
