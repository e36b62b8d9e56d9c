"""Slots, availability, booking, rescheduling and cancelling interviews (W3).

Every write checks conflicts inside its transaction; ``interview_conflicts`` is the one query that
answers "is any of these people (or this candidate) busy between start and end?" (see bench/scheduling.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hirelens.accounts.models import User
from hirelens.candidates.models import Application
from hirelens.candidates.timeline import timeline_add
from hirelens.core import events
from hirelens.core.access import require_perm
from hirelens.core.actors import LinkActor
from hirelens.core.audit import audit_record
from hirelens.core.forms import model_update
from hirelens.core.models import AuditEvent
from hirelens.core.roles import Perm, user_can
from hirelens.positions.models import Position
from hirelens.positions.validators import validate_time_zone

from .links import link_issue, link_url
from .models import DEFAULT_TITLE_WORD, Availability, Interview, InterviewLink, InterviewSlot

MAX_LENGTH = timedelta(hours=12)


def window_check(start_at: datetime, end_at: datetime) -> tuple[datetime, datetime]:
    """The rule every scheduled window follows (the forms and the services): aware instants, the end after the start,
    at most 12 hours, not in the past. A string or a naive time is a caller's mistake (``TypeError``): a posted
    wall-clock time becomes an instant in ``scheduling.forms.WindowForm``."""
    for value in (start_at, end_at):
        if not isinstance(value, datetime) or timezone.is_naive(value):
            raise TypeError(f"scheduling times must be aware datetimes, not {value!r} (see scheduling.forms.WindowForm)")
    if end_at <= start_at:
        raise ValidationError(_("结束时间必须晚于开始时间。"), code="end_before_start")
    if end_at - start_at > MAX_LENGTH:
        raise ValidationError(_("一次面试最长 12 小时。"), code="too_long")
    if start_at <= timezone.now():
        raise ValidationError(_("不能安排在过去的时间。"), code="in_the_past")
    return start_at, end_at


def _same_org(actor_org: int, *objects) -> None:
    for obj in objects:
        if obj is not None and obj.organization_id != actor_org:
            raise ValidationError(_("只能操作本组织的数据。"))


def interview_conflicts(*, organization_id: int, start_at: datetime, end_at: datetime, user_ids=(), application_id=None,
                        exclude_interview_id=None) -> list[Interview]:
    """Scheduled interviews overlapping [start, end) that involve one of the users or the application."""
    who = Q()
    if user_ids:
        who |= Q(interviewers__in=list(user_ids))
    if application_id:
        who |= Q(application_id=application_id)
    if not who:
        return []
    qs = Interview.objects.filter(who, organization_id=organization_id, status=Interview.Status.SCHEDULED,
                                  start_at__lt=end_at, end_at__gt=start_at)
    if exclude_interview_id:
        qs = qs.exclude(pk=exclude_interview_id)
    return list(qs.distinct().order_by("start_at")[:5])


def _raise_conflicts(conflicts: list[Interview], zone: str) -> None:
    if conflicts:
        from hirelens.core.timezones import in_zone, zone_label

        first = conflicts[0]
        raise ValidationError(
            _("时间冲突：与“%(title)s”（%(start)s–%(end)s %(zone)s）重叠。") % {
                "title": first.title, "start": in_zone(first.start_at, zone).strftime("%m-%d %H:%M"),
                "end": in_zone(first.end_at, zone).strftime("%H:%M"), "zone": zone_label(zone)},
            code="conflict")


def _check_available(users, start_at: datetime, end_at: datetime) -> None:
    for user in users:
        windows = Availability.objects.filter(user=user)
        if windows.exists() and not windows.filter(start_at__lte=start_at, end_at__gte=end_at).exists():
            raise ValidationError(_("%(name)s 在这段时间没有空。") % {"name": user.full_name}, code="unavailable")


@transaction.atomic
def availability_add(*, actor: User, user: User, start: datetime, end: datetime, time_zone: str) -> Availability:
    if user.pk != actor.pk:
        require_perm(actor, Perm.POSITIONS_MANAGE)
    _same_org(actor.organization_id, user)
    validate_time_zone(time_zone)
    start_at, end_at = window_check(start, end)
    window = Availability.objects.create(organization_id=actor.organization_id, user=user, start_at=start_at, end_at=end_at,
                                         time_zone=time_zone)
    return window


@transaction.atomic
def slot_create(*, actor: User, position: Position, start: datetime, end: datetime, interviewers: list[User], time_zone: str = "",
                stage=None, application: Application | None = None) -> InterviewSlot:
    """Offer a time. Refuses the past, unknown zones, skipped local times, and overlaps for an interviewer."""
    require_perm(actor, Perm.POSITIONS_MANAGE)
    _same_org(actor.organization_id, position, stage, application, *interviewers)
    zone = (time_zone or position.time_zone).strip()
    validate_time_zone(zone)
    start_at, end_at = window_check(start, end)
    if not interviewers:
        raise ValidationError(_("请至少选择一位面试官。"), code="no_interviewer")
    if application is not None and application.position_id != position.pk:
        raise ValidationError(_("该申请不属于这个职位。"))
    user_ids = [u.pk for u in interviewers]
    overlapping = InterviewSlot.objects.filter(organization_id=actor.organization_id, status=InterviewSlot.Status.OPEN,
                                               interviewers__in=user_ids, start_at__lt=end_at, end_at__gt=start_at)
    if overlapping.exists():
        raise ValidationError(_("与同一面试官已开放的时间段重叠。"), code="slot_overlap")
    _raise_conflicts(interview_conflicts(organization_id=actor.organization_id, start_at=start_at, end_at=end_at,
                                         user_ids=user_ids), zone)
    _check_available(interviewers, start_at, end_at)
    slot = InterviewSlot.objects.create(organization_id=actor.organization_id, position=position, stage=stage,
                                        application=application, start_at=start_at, end_at=end_at, time_zone=zone,
                                        created_by=actor)
    slot.interviewers.set(interviewers)
    events.emit(events.SlotOffered(organization_id=slot.organization_id, slot_id=slot.pk, position_id=position.pk,
                                   application_id=getattr(application, "pk", None)))
    return slot


@transaction.atomic
def slot_cancel(*, actor: User, slot: InterviewSlot) -> InterviewSlot:
    require_perm(actor, Perm.POSITIONS_MANAGE)
    _same_org(actor.organization_id, slot)
    if slot.is_open:
        slot.status = InterviewSlot.Status.CANCELLED
        slot.save(update_fields=["status", "updated_at"])
    return slot


def open_slots_for(application: Application):
    """Slots the candidate of ``application`` may pick now."""
    return (InterviewSlot.objects.filter(organization_id=application.organization_id, position_id=application.position_id,
                                         status=InterviewSlot.Status.OPEN, start_at__gt=timezone.now())
            .filter(Q(application__isnull=True) | Q(application=application)).order_by("start_at"))


def _create_interview(*, application: Application, start_at, end_at, zone: str, interviewers, stage, title: str,
                      slot: InterviewSlot | None, actor) -> Interview:
    user_ids = [u.pk for u in interviewers]
    _raise_conflicts(interview_conflicts(organization_id=application.organization_id, start_at=start_at, end_at=end_at,
                                         user_ids=user_ids, application_id=application.pk), zone)
    interview = Interview.objects.create(
        organization_id=application.organization_id, application=application, stage=stage, slot=slot,
        title=title or f"{stage.title if stage else DEFAULT_TITLE_WORD} · {application.position.title}",  # shown translated
        start_at=start_at, end_at=end_at, time_zone=zone, created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    interview.interviewers.set(interviewers)
    timeline_add(candidate=application.candidate, kind="interview.scheduled", actor=actor,
                 params={"title": interview.title, "position_id": application.position_id})
    events.emit(events.InterviewScheduled(organization_id=interview.organization_id, interview_id=interview.pk,
                                          application_id=application.pk, candidate_id=application.candidate_id,
                                          start_at=start_at.isoformat(), end_at=end_at.isoformat()))
    return interview


@transaction.atomic
def interview_schedule(*, actor: User, application: Application, start: datetime, end: datetime, interviewers: list[User], time_zone: str = "",
                       stage=None, title: str = "", request=None) -> Interview:
    """HR schedules directly (no slot). Checks interviewers' and the candidate's other interviews."""
    require_perm(actor, Perm.POSITIONS_MANAGE)
    _same_org(actor.organization_id, application, stage, *interviewers)
    zone = (time_zone or application.position.time_zone).strip()
    validate_time_zone(zone)
    start_at, end_at = window_check(start, end)
    if not interviewers:
        raise ValidationError(_("请至少选择一位面试官。"), code="no_interviewer")
    _check_available(interviewers, start_at, end_at)
    interview = _create_interview(application=application, start_at=start_at, end_at=end_at, zone=zone,
                                  interviewers=interviewers, stage=stage, title=title, slot=None, actor=actor)
    audit_record(action=AuditEvent.Action.CREATE, actor=actor, obj=interview, fields=["schedule"], request=request)
    return interview


@transaction.atomic
def interview_book_slot(*, actor: LinkActor, application: Application, slot_id: int | None, request=None) -> Interview:
    """The candidate picks an offered slot through their booking link: ``actor`` is that link, verified
    (``links.link_actor``); it books for its own application only. ``slot_id`` is parsed at the edge
    (``forms.BookForm``); ``None`` (none or a malformed one) is answered as a slot no longer offered."""
    if not (isinstance(actor, LinkActor) and actor.kind == "scheduling.link" and actor.link.kind == InterviewLink.Kind.BOOKING
            and actor.link.application_id == application.pk and actor.owns(application.candidate)):
        raise PermissionDenied("a slot is booked through the candidate's own booking link only")
    slot = InterviewSlot.objects.select_for_update().filter(pk=slot_id).first() if slot_id else None
    if slot is None or not open_slots_for(application).filter(pk=slot.pk).exists():
        raise ValidationError(_("这个时间段已不可预约，请选择其他时间。"), code="slot_taken")
    if Interview.objects.filter(application=application, slot__isnull=False, status=Interview.Status.SCHEDULED,
                                start_at__gt=timezone.now()).exists():
        raise ValidationError(_("您已经预约了面试；如需更改请联系招聘专员。"), code="already_booked")
    interview = _create_interview(application=application, start_at=slot.start_at, end_at=slot.end_at, zone=slot.time_zone,
                                  interviewers=list(slot.interviewers.all()), stage=slot.stage, title="", slot=slot, actor=actor)
    slot.status = InterviewSlot.Status.BOOKED
    slot.save(update_fields=["status", "updated_at"])
    audit_record(action=AuditEvent.Action.CREATE, actor=actor, organization_id=interview.organization_id, obj=interview,
                 fields=["booked_by_candidate"], request=request)
    return interview


@transaction.atomic
def interview_reschedule(*, actor: User, interview: Interview, start: datetime, end: datetime, time_zone: str = "", reason: str = "",
                         request=None) -> Interview:
    """Move an interview: SEQUENCE +1 (calendar clients update the same event), links follow the new end."""
    require_perm(actor, Perm.POSITIONS_MANAGE)
    _same_org(actor.organization_id, interview)
    interview = Interview.objects.select_for_update().get(pk=interview.pk)
    if not interview.is_open:
        raise ValidationError(_("只能改期已安排的面试。"))
    zone = (time_zone or interview.time_zone).strip()
    validate_time_zone(zone)
    start_at, end_at = window_check(start, end)
    interviewers = list(interview.interviewers.all())
    _check_available(interviewers, start_at, end_at)
    _raise_conflicts(interview_conflicts(organization_id=interview.organization_id, start_at=start_at, end_at=end_at,
                                         user_ids=[u.pk for u in interviewers], application_id=interview.application_id,
                                         exclude_interview_id=interview.pk), zone)
    old_start = interview.start_at
    model_update(instance=interview, fields=["start_at", "end_at", "time_zone", "sequence"],
                 data={"start_at": start_at, "end_at": end_at, "time_zone": zone, "sequence": interview.sequence + 1})
    InterviewLink.objects.filter(interview=interview, revoked_at__isnull=True).exclude(kind=InterviewLink.Kind.BOOKING).update(
        expires_at=end_at + timedelta(hours=2))
    audit_record(action=AuditEvent.Action.UPDATE, actor=actor, obj=interview, fields=["start_at", "end_at"], request=request)
    timeline_add(candidate=interview.application.candidate, kind="interview.rescheduled", actor=actor,
                 params={"title": interview.title, "position_id": interview.application.position_id})
    events.emit(events.InterviewRescheduled(organization_id=interview.organization_id, interview_id=interview.pk,
                                            application_id=interview.application_id, candidate_id=interview.application.candidate_id,
                                            old_start=old_start.isoformat(), start_at=start_at.isoformat(), end_at=end_at.isoformat()))
    return interview


@transaction.atomic
def interview_cancel(*, actor: User, interview: Interview, reason: str, request=None) -> Interview:
    """Cancel: SEQUENCE +1 for the CANCEL calendar message, every link revoked, the slot offered again."""
    require_perm(actor, Perm.POSITIONS_MANAGE)
    _same_org(actor.organization_id, interview)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写原因。"))
    interview = Interview.objects.select_for_update().get(pk=interview.pk)
    if not interview.is_open:
        raise ValidationError(_("该面试已取消或已结束。"))
    model_update(instance=interview, fields=["status", "cancel_reason", "sequence"],
                 data={"status": Interview.Status.CANCELLED, "cancel_reason": reason, "sequence": interview.sequence + 1})
    InterviewLink.objects.filter(interview=interview, revoked_at__isnull=True).update(revoked_at=timezone.now())
    if interview.slot_id and interview.slot.start_at > timezone.now():
        InterviewSlot.objects.filter(pk=interview.slot_id, status=InterviewSlot.Status.BOOKED).update(status=InterviewSlot.Status.OPEN)
    audit_record(action=AuditEvent.Action.UPDATE, actor=actor, obj=interview, fields=["status"], request=request)
    timeline_add(candidate=interview.application.candidate, kind="interview.cancelled", actor=actor,
                 params={"title": interview.title, "position_id": interview.application.position_id})
    events.emit(events.InterviewCancelled(organization_id=interview.organization_id, interview_id=interview.pk,
                                          application_id=interview.application_id, candidate_id=interview.application.candidate_id))
    return interview


@transaction.atomic
def interview_complete(*, actor, interview: Interview) -> Interview:
    """The interview took place (its live room was ended by an interviewer): no more reminders, and the
    candidate's timeline says so. A cancelled or already completed interview is left as it is."""
    interview = Interview.objects.select_for_update().select_related("application").get(pk=interview.pk)
    if not interview.is_open:
        return interview
    interview.status = Interview.Status.COMPLETED
    interview.save(update_fields=["status", "updated_at"])
    timeline_add(candidate=interview.application.candidate, kind="interview.completed", actor=actor,
                 params={"title": interview.title, "position_id": interview.application.position_id})
    return interview


@transaction.atomic
def interview_links_issue(*, interview: Interview, actor=None) -> dict:
    """Fresh links for everyone (for an invitation): {"candidate": url, "backup": url, "interviewers": {user_id: url}}.

    One interview has one valid set of links: the set issued before (an earlier invitation, before a
    reschedule) is revoked in the same transaction. Tokens are shown only here. The interview row is locked
    so two jobs for the same event cannot issue two sets side by side.
    """
    if actor is not None and getattr(actor, "is_authenticated", False):
        if not user_can(actor, Perm.POSITIONS_MANAGE):
            raise PermissionDenied
        _same_org(actor.organization_id, interview)
    if not interview.is_open:
        raise ValidationError(_("该面试已取消或已结束。"))
    Interview.objects.select_for_update().filter(pk=interview.pk).first()
    InterviewLink.objects.filter(interview=interview, revoked_at__isnull=True).exclude(kind=InterviewLink.Kind.BOOKING).update(
        revoked_at=timezone.now())
    application = interview.application
    _link, candidate = link_issue(application=application, interview=interview, kind=InterviewLink.Kind.CANDIDATE, actor=actor)
    _link, backup = link_issue(application=application, interview=interview, kind=InterviewLink.Kind.BACKUP, actor=actor)
    interviewers = {}
    for user in interview.interviewers.all():
        _link, token = link_issue(application=application, interview=interview, kind=InterviewLink.Kind.INTERVIEWER,
                                  user=user, actor=actor)
        interviewers[user.pk] = link_url(token)
    return {"candidate": link_url(candidate), "backup": link_url(backup), "interviewers": interviewers}


def booked_interview(*, application: Application) -> Interview | None:
    """The upcoming interview the candidate booked from an offered slot (what the booking page confirms)."""
    return (Interview.objects.filter(application=application, slot__isnull=False, status=Interview.Status.SCHEDULED,
                                     start_at__gt=timezone.now()).order_by("start_at").first())


@transaction.atomic
def booking_link_issue(*, actor: User, application: Application) -> str:
    require_perm(actor, Perm.POSITIONS_MANAGE)
    _same_org(actor.organization_id, application)
    _link, token = link_issue(application=application, kind=InterviewLink.Kind.BOOKING, actor=actor)
    return link_url(token)


def booking_link_for_candidate(*, application) -> str:
    """A booking link the candidate asks for from their portal (no staff actor: the portal token is the credential)."""
    _link, token = link_issue(application=application, kind=InterviewLink.Kind.BOOKING)
    return link_url(token, absolute=False)
