"""Retention limits (S5): how long unsuccessful candidates' data, recordings and analyses are kept, and the purge.

Per organization a :class:`~hirelens.core.models.RetentionPolicy` (a row without jurisdiction is the default; a row
with a jurisdiction code applies to positions that name that code). Defaults: recordings 180 days, analyses 180 days,
unsuccessful candidates 365 days, each counted from the day the candidate's last application closed (rejected or
withdrawn; a candidate with an active or hired application is never due). HR may hold one candidate longer
(:class:`~hirelens.core.models.RetentionHold`, audited). The daily task purges what is due through the same paths
as a request: candidates through ``erase_candidate``, recordings and analyses through each app's eraser module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_noop

from .actors import SystemActor
from .audit import audit_record
from .models import AuditEvent, DecisionRecord, Organization, RetentionHold, RetentionPolicy

DEFAULTS = {"recordings_days": 180, "analyses_days": 180, "candidates_days": 365}
MIN_DECISION_LOG_DAYS = 183  # AI-assisted decisions are logged for at least six months


def decision_log_days() -> int:
    return max(MIN_DECISION_LOG_DAYS, int(getattr(settings, "DECISION_LOG_DAYS", MIN_DECISION_LOG_DAYS)))


def policy_for(*, organization_id: int, jurisdiction: str = "") -> RetentionPolicy:
    """The policy of a jurisdiction, else the organization's default, else the defaults (unsaved)."""
    policies = {p.jurisdiction: p for p in RetentionPolicy.objects.filter(organization_id=organization_id,
                                                                          jurisdiction__in={"", jurisdiction or ""})}
    return policies.get(jurisdiction or "") or policies.get("") or RetentionPolicy(organization_id=organization_id, **DEFAULTS)


@transaction.atomic
def retention_policy_update(*, actor, recordings_days: int, analyses_days: int, candidates_days: int,
                            jurisdiction: str = "", request=None) -> RetentionPolicy:
    policy, _ = RetentionPolicy.objects.get_or_create(organization_id=actor.organization_id, jurisdiction=jurisdiction,
                                                      defaults=DEFAULTS)
    policy.recordings_days, policy.analyses_days, policy.candidates_days = recordings_days, analyses_days, candidates_days
    policy.full_clean()
    policy.save()
    audit_record(action=AuditEvent.Action.UPDATE, actor=actor, organization_id=actor.organization_id,
                 object_type="core.retentionpolicy", object_id=policy.pk,
                 fields=["recordings_days", "analyses_days", "candidates_days"], request=request)
    return policy


@dataclass(frozen=True)
class DueItem:
    """One thing the purge will remove: ``kind`` is ``candidate``, ``recordings`` or ``analyses``."""

    candidate_id: int
    kind: str
    due_on: date
    closed_on: date
    held_until: date | None
    application_ids: tuple[int, ...]


KINDS = (("candidate", "candidates_days"), ("recordings", "recordings_days"), ("analyses", "analyses_days"))


def _closed_candidates(organization_id: int):
    """Candidates of the organization whose applications are all closed without a hire: (candidate, apps, closed)."""
    from hirelens.candidates.models import Application, Candidate

    open_or_hired = Application.objects.filter(organization_id=organization_id,
                                               status__in=[Application.Status.ACTIVE, Application.Status.HIRED])
    closed = (Candidate.objects.filter(organization_id=organization_id, applications__isnull=False)
              .exclude(pk__in=open_or_hired.values("candidate_id"))
              .annotate(closed_at=Max("applications__updated_at")).values_list("pk", "closed_at"))
    closed = list(closed)
    field = "position__jurisdiction" if _positions_have_jurisdiction() else "position__organization_id"
    apps: dict[int, list] = {}
    for cid, aid, jurisdiction in (Application.objects.filter(organization_id=organization_id,
                                                              candidate_id__in=[c for c, _ in closed])
                                   .values_list("candidate_id", "pk", field)):
        apps.setdefault(cid, []).append((aid, jurisdiction if field == "position__jurisdiction" else ""))
    return [(cid, apps.get(cid, []), closed_at) for cid, closed_at in closed]


def _positions_have_jurisdiction() -> bool:
    from hirelens.positions.models import Position

    return any(f.name == "jurisdiction" for f in Position._meta.get_fields())


def retention_due(*, organization_id: int, within_days: int = 0, today: date | None = None) -> list[DueItem]:
    """What the purge removes by ``today + within_days`` (0: what is due now), earliest first. A held candidate is due
    when the hold ends; recordings and analyses already purged are not listed again."""
    from hirelens.interviews.models import Answer
    from hirelens.live.models import LiveRoom

    today = today or timezone.localdate()
    horizon = today + timedelta(days=within_days)
    holds = dict(RetentionHold.objects.filter(organization_id=organization_id).values("candidate_id")
                 .annotate(until=Max("until")).values_list("candidate_id", "until"))
    items = []
    for cid, apps, closed_at in _closed_candidates(organization_id):
        closed_on = timezone.localdate(closed_at)
        app_ids = tuple(a for a, _ in apps)
        jurisdictions = {j or "" for _, j in apps}
        policies = [policy_for(organization_id=organization_id, jurisdiction=j) for j in jurisdictions] or [
            policy_for(organization_id=organization_id)]
        held = holds.get(cid)
        for kind, attr in KINDS:
            days = max(getattr(p, attr) for p in policies)  # the longest limit of the candidate's positions
            due = closed_on + timedelta(days=days)
            if held and held > due:
                due = held
            if due > horizon:
                continue
            if kind == "recordings" and not (
                    Answer.objects.filter(session__application_id__in=app_ids).exclude(recording="").exists()
                    or LiveRoom.objects.filter(application_id__in=app_ids).exclude(recording="").exists()):
                continue
            if kind == "analyses" and not (
                    Answer.objects.filter(session__application_id__in=app_ids, analysis__isnull=False).exists()
                    or LiveRoom.objects.filter(application_id__in=app_ids, analysis__isnull=False).exists()):
                continue
            items.append(DueItem(candidate_id=cid, kind=kind, due_on=due, closed_on=closed_on, held_until=held,
                                 application_ids=app_ids))
    items.sort(key=lambda i: (i.due_on, i.candidate_id, i.kind))
    return items


@transaction.atomic
def retention_extend(*, actor, candidate, until: date, reason: str, request=None) -> RetentionHold:
    """Keep one candidate's data until ``until`` (HR, with a reason; the audit names the candidate id and the date)."""
    reason = (reason or "").strip()
    if not reason:
        from django.core.exceptions import ValidationError
        from django.utils.translation import gettext as _

        raise ValidationError(_("请填写延长保留期限的原因。"), code="reason")
    hold = RetentionHold.objects.create(organization_id=candidate.organization_id, candidate_id=candidate.pk, until=until,
                                        reason=reason[:300], actor_id=actor.pk)
    audit_record(action=AuditEvent.Action.RETENTION_EXTENDED, actor=actor, organization_id=candidate.organization_id,
                 object_type="candidates.candidate", object_id=candidate.pk, fields=[f"until:{until.isoformat()}"],
                 request=request)
    return hold


@dataclass
class PurgeReport:
    candidates: int = 0
    recordings: int = 0
    analyses: int = 0
    decision_records: int = 0
    resumed: int = 0
    items: list = None


RETENTION_WORKER = SystemActor(name="worker", reason=gettext_noop("保留期限到期清理"))


def _purge_parts(*, organization_id: int, kind: str, application_ids) -> None:
    """Recordings or analyses of closed applications, through each app's eraser (``purge_<kind>``)."""
    from .erasure import ErasureContext, _delete_path, _delete_storage, eraser_modules, sqlite_checkpoint

    with transaction.atomic():
        ctx = ErasureContext(candidate=None, organization_id=organization_id, pseudonym="", values=())
        for module in eraser_modules():
            purge = getattr(module, f"purge_{kind}", None)
            if purge is not None:
                purge(ctx, application_ids)
        audit_record(action=AuditEvent.Action.DELETE, actor=RETENTION_WORKER, organization_id=organization_id,
                     object_type=f"retention.{kind}", object_id=",".join(map(str, application_ids))[:64],
                     fields=[f"{label}:{n}" for label, n in sorted(ctx.counts.items())])
        files, paths = sorted(ctx.files), list(ctx.paths)

        def after():
            for name in files:
                _delete_storage(name)
            for entry in paths:
                _delete_path(entry)
            sqlite_checkpoint()

        transaction.on_commit(after)


def retention_purge(*, dry_run: bool = False, today: date | None = None) -> PurgeReport:
    """Purge everything due today in every organization (or, with ``dry_run``, only list it)."""
    from hirelens.candidates.models import Candidate

    from .erasure import erase_candidate, erasure_resume

    today = today or timezone.localdate()
    report = PurgeReport(items=[])
    if not dry_run:
        report.resumed = erasure_resume()
    for org_id in Organization.objects.values_list("pk", flat=True):
        due = retention_due(organization_id=org_id, today=today)
        report.items += due
        if dry_run:
            continue
        erased = set()
        for item in due:
            if item.kind == "candidate":
                candidate = Candidate.objects.filter(pk=item.candidate_id, organization_id=org_id).first()
                if candidate is not None:
                    erase_candidate(candidate=candidate, actor=RETENTION_WORKER, reason="retention")
                    report.candidates += 1
                erased.add(item.candidate_id)
        for item in due:
            if item.kind in ("recordings", "analyses") and item.candidate_id not in erased:
                _purge_parts(organization_id=org_id, kind=item.kind, application_ids=list(item.application_ids))
                setattr(report, item.kind, getattr(report, item.kind) + 1)
    expired = DecisionRecord.objects.filter(keep_until__lt=today)
    report.decision_records = expired.count()
    if not dry_run and report.decision_records:
        expired.delete()
    return report
