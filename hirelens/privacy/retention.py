"""Retention limits (S5): how long unsuccessful candidates' data, recordings and analyses are kept, and the purge.

In the privacy app, which sits above the apps whose rows it reads (docs/architecture.md, "Module boundaries"); the
models stay in core (``RetentionPolicy``, ``RetentionHold``: only the code moved, no migration).

Per organization a :class:`~hirelens.core.models.RetentionPolicy` (a row without jurisdiction is the default; a row
with a jurisdiction applies to the positions of that jurisdiction: both store the codes of
:class:`~hirelens.core.jurisdictions.Jurisdiction`). Defaults: recordings 180 days, analyses 180 days,
unsuccessful candidates 365 days, each counted from the day the candidate's last application closed (rejected or
withdrawn; a candidate with an active or hired application is never due). HR may hold one candidate longer
(:class:`~hirelens.core.models.RetentionHold`, audited). The daily task purges what is due through the same paths
as a request: candidates through ``erase_candidate``, recordings and analyses through each app's eraser module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import connection, transaction
from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext_noop

from hirelens.candidates.models import Application, Candidate
from hirelens.core.actors import SystemActor
from hirelens.core.audit import audit_record
from hirelens.core.erasure import (
    ErasureContext,
    delete_files_after_commit,
    erase_candidate,
    eraser_modules,
    erasure_resume,
)
from hirelens.core.jurisdictions import Jurisdiction
from hirelens.core.models import AuditEvent, DecisionRecord, Organization, RetentionHold, RetentionPolicy
from hirelens.interviews.models import Answer, InterviewSession
from hirelens.live.models import LiveRoom
from hirelens.positions.models import Position

DEFAULTS = {"recordings_days": 180, "analyses_days": 180, "candidates_days": 365}


def policy_for(*, organization_id: int, jurisdiction: str = "") -> RetentionPolicy:
    """The policy of a jurisdiction, else the organization's default, else the defaults (unsaved)."""
    policies = {p.jurisdiction: p for p in RetentionPolicy.objects.filter(organization_id=organization_id,
                                                                          jurisdiction__in={"", jurisdiction or ""})}
    return policies.get(jurisdiction or "") or policies.get("") or RetentionPolicy(organization_id=organization_id, **DEFAULTS)


@transaction.atomic
def retention_policy_update(*, actor, recordings_days: int, analyses_days: int, candidates_days: int,
                            jurisdiction: str = "", request=None) -> RetentionPolicy:
    """Set the organization's default limits (``jurisdiction`` empty) or a jurisdiction's own (its row is created the
    first time). Audited: ``create`` or ``update`` of ``core.retentionpolicy``, naming the jurisdiction's code."""
    policy, created = RetentionPolicy.objects.get_or_create(organization_id=actor.organization_id, jurisdiction=jurisdiction,
                                                            defaults=DEFAULTS)
    policy.recordings_days, policy.analyses_days, policy.candidates_days = recordings_days, analyses_days, candidates_days
    policy.full_clean()
    policy.save()
    audit_record(action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE, actor=actor,
                 organization_id=actor.organization_id, object_type="core.retentionpolicy", object_id=policy.pk,
                 fields=["recordings_days", "analyses_days", "candidates_days", f"jurisdiction:{jurisdiction or '*'}"],
                 request=request)
    return policy


@transaction.atomic
def retention_policy_delete(*, actor, jurisdiction: str, request=None) -> None:
    """Remove a jurisdiction's own limits: its positions fall back to the organization's default. The default row
    itself cannot be removed (``ValidationError``); a jurisdiction without a row raises ``RetentionPolicy.DoesNotExist``.
    Audited: ``delete`` of ``core.retentionpolicy``, with the code and the limits it had."""
    if not jurisdiction:
        from django.core.exceptions import ValidationError
        from django.utils.translation import gettext as _

        raise ValidationError(_("组织的默认保留期限不能移除。"), code="default")
    policy = RetentionPolicy.objects.select_for_update().get(organization_id=actor.organization_id, jurisdiction=jurisdiction)
    audit_record(action=AuditEvent.Action.DELETE, actor=actor, organization_id=actor.organization_id,
                 object_type="core.retentionpolicy", object_id=policy.pk,
                 fields=[f"jurisdiction:{jurisdiction}", f"recordings_days:{policy.recordings_days}",
                         f"analyses_days:{policy.analyses_days}", f"candidates_days:{policy.candidates_days}"],
                 request=request)
    policy.delete()


@dataclass(frozen=True)
class LimitRow:
    """One row of the organization's limits: the default (``jurisdiction`` empty) or a jurisdiction's own, with the
    positions it applies to (``position_count`` of them; ``positions``: the first few as ``(id, title)``)."""

    jurisdiction: str
    policy: RetentionPolicy
    position_count: int
    positions: tuple[tuple[int, str], ...]

    @property
    def more(self) -> int:
        return self.position_count - len(self.positions)

    @property
    def label(self):
        return Jurisdiction(self.jurisdiction).label if self.jurisdiction else None


def retention_limits(*, organization_id: int, shown: int = 3) -> list[LimitRow]:
    """The organization's limits, the default first, then each jurisdiction's row in the list's order; each with the
    positions it applies to (a jurisdiction's row: the positions of that jurisdiction; the default: every other one).
    Two queries whatever the number of rows and positions (the positions' counts and first titles by a window)."""
    policies = {p.jurisdiction: p for p in RetentionPolicy.objects.filter(organization_id=organization_id)}
    default = policies.get("") or RetentionPolicy(organization_id=organization_id, **DEFAULTS)
    found = (Position.objects.filter(organization_id=organization_id)
             .annotate(n=Window(RowNumber(), partition_by=[F("jurisdiction")], order_by=[F("title").asc(), F("pk").asc()]),
                       total=Window(Count("pk"), partition_by=[F("jurisdiction")]))
             .filter(n__lte=shown).order_by("jurisdiction", "n").values_list("jurisdiction", "pk", "title", "total"))
    counts: dict[str, int] = {}
    firsts: dict[str, list[tuple[int, str]]] = {}
    for code, pk, title, total in found:
        counts[code] = total
        firsts.setdefault(code, []).append((pk, title))
    own = [code for code in Jurisdiction.values if code in policies]
    rest = [code for code in counts if code not in policies]
    rows = [LimitRow(jurisdiction="", policy=default, position_count=sum(counts[c] for c in rest),
                     positions=tuple(sorted((p for c in rest for p in firsts[c]), key=lambda p: (p[1], p[0]))[:shown]))]
    rows += [LimitRow(jurisdiction=code, policy=policies[code], position_count=counts.get(code, 0),
                      positions=tuple(firsts.get(code, ()))) for code in own]
    return rows


def jurisdictions_without_limits(rows: list[LimitRow]) -> list[tuple[str, str]]:
    """``(code, label)`` of the jurisdictions that have no row of their own yet, in the list's order."""
    have = {row.jurisdiction for row in rows}
    return [(code, label) for code, label in Jurisdiction.choices if code not in have]


@dataclass(frozen=True)
class DueItem:
    """One thing the purge will remove: ``kind`` is ``candidate``, ``recordings`` or ``analyses``."""

    candidate_id: int
    kind: str
    due_on: date
    closed_on: date
    held_until: date | None
    application_ids: tuple[int, ...]
    limit_jurisdiction: str = ""  # whose limit applied: a jurisdiction's own row, or empty for the default
    limit_days: int | None = None


KINDS = (("candidate", "candidates_days"), ("recordings", "recordings_days"), ("analyses", "analyses_days"))
EPOCH = date(1970, 1, 1)


def _day(value: date) -> int:
    return (value - EPOCH).days


def _day_sql(sql: str, vendor: str) -> str:
    """SQL: days since 1970-01-01 of a date expression, as an integer."""
    if vendor == "sqlite":
        return f"CAST(julianday({sql}) - 2440587.5 AS INTEGER)"
    if vendor == "postgresql":
        return f"(({sql})::date - DATE '1970-01-01')"
    raise NotImplementedError(vendor)


def _policy_days(organization_id: int) -> dict[str, tuple[str, list, int]]:
    """Per kind: an application's limit in days as SQL over its position ``p`` (by its jurisdiction) with its params,
    and the smallest limit any application can have."""
    policies = {p.jurisdiction: p for p in RetentionPolicy.objects.filter(organization_id=organization_id)}
    default = policies.get("") or RetentionPolicy(organization_id=organization_id, **DEFAULTS)
    special = {j: p for j, p in policies.items() if j}  # matched to the position's jurisdiction, the same codes
    days = {}
    for kind, attr in KINDS:
        sql, params = str(int(getattr(default, attr))), []  # whole numbers, written into the SQL (typed on PostgreSQL)
        if special:
            sql = "CASE" + "".join(f" WHEN p.jurisdiction = %s THEN {int(getattr(p, attr))}" for p in special.values()) + f" ELSE {sql} END"
            params = list(special)
        days[kind] = (sql, params, min([getattr(default, attr)] + [getattr(p, attr) for p in special.values()]))
    return days


class DueRows:
    """The due list as one SQL query (a UNION of one aggregate per kind) of ``(candidate_id, kind, due_day, closed_day,
    held_day)`` rows, earliest first: iterate it for all of them, or read one page with the total in one pass."""

    ORDER = "ORDER BY due_day, candidate_id, kind"

    def __init__(self, sql: str, params: list):
        self.sql, self.params = sql, params

    def _fetch(self, sql: str, params: list) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [tuple(row) for row in cursor.fetchall()]

    def __iter__(self):
        return iter(self._fetch(f"{self.sql} {self.ORDER}", self.params))

    def count(self) -> int:
        return self._fetch(f"SELECT COUNT(*) FROM ({self.sql}) due", self.params)[0][0]

    def page(self, *, number: int, per_page: int) -> tuple[list[tuple], int, int]:
        """``(rows, total, number)`` of page ``number`` (from 1; past the end: the last page), the total counted by the
        same query (a window count over the due rows)."""
        number = max(1, number)
        while True:
            found = self._fetch(f"SELECT *, COUNT(*) OVER () AS total FROM ({self.sql}) due {self.ORDER} LIMIT %s OFFSET %s",
                                [*self.params, per_page, (number - 1) * per_page])
            if found or number == 1:
                return [row[:-1] for row in found], (found[0][-1] if found else 0), number
            total = self.count()  # past the end: the last page
            if not total:
                return [], 0, 1
            number = (total - 1) // per_page + 1


def retention_due_rows(*, organization_id: int, within_days: int = 0, today: date | None = None) -> DueRows:
    """What the purge removes by ``today + within_days``, earliest first (``DueRows``: rows of days since 1970-01-01;
    ``due_items`` makes them :class:`DueItem` s): a page costs its rows, not a loop over every closed candidate.

    A candidate counts when every application is closed without a hire (rejected or withdrawn); the clock starts on
    the (local) day the last one closed; the limit is the longest of the policies of the candidate's positions
    (a jurisdiction's row, else the organization's default, else the defaults); a hold moves the day later.
    Recordings and analyses are listed only while some remain. Each kind is one aggregate over the applications of
    only the candidates that can be due by then: with an application closed before the earliest day the shortest
    limit allows (the ``(organization, updated_at)`` index), and for recordings and analyses with some left there."""
    today = today or timezone.localdate()
    horizon = _day(today + timedelta(days=within_days))
    tz = timezone.get_current_timezone()
    vendor = connection.vendor
    closed_statuses = [Application.Status.REJECTED, Application.Status.WITHDRAWN]
    application, position = Application._meta.db_table, Position._meta.db_table
    answer, session, room = Answer._meta.db_table, InterviewSession._meta.db_table, LiveRoom._meta.db_table
    closed_day, closed_params = connection.ops.datetime_cast_date_sql("MAX(a.updated_at)", (), timezone.get_current_timezone_name())
    closed_day = _day_sql(closed_day, vendor)
    left = {"recordings": ("an.recording <> ''", "r.recording <> ''"),
            "analyses": ("an.analysis IS NOT NULL", "r.analysis IS NOT NULL")}
    arms, params = [], []
    for kind, (days, days_params, fewest) in _policy_days(organization_id).items():
        # a candidate closed on or after this day is not due by the horizon (a hold only moves a day later)
        latest = timezone.make_aware(datetime.combine(EPOCH + timedelta(days=horizon - fewest + 1), time.min), tz)
        closed_early = "ap.status IN (%s, %s) AND ap.updated_at < %s"
        if kind in left:
            on_answer, on_room = left[kind]
            candidates = (f"SELECT ap.candidate_id FROM {answer} an JOIN {session} s ON s.id = an.session_id "
                          f"JOIN {application} ap ON ap.id = s.application_id WHERE an.organization_id = %s AND {on_answer} AND {closed_early} "
                          f"UNION SELECT ap.candidate_id FROM {room} r JOIN {application} ap ON ap.id = r.application_id "
                          f"WHERE r.organization_id = %s AND {on_room} AND {closed_early}")
            candidates_params = [organization_id, *closed_statuses, latest] * 2
        else:
            candidates = f"SELECT ap.candidate_id FROM {application} ap WHERE ap.organization_id = %s AND {closed_early}"
            candidates_params = [organization_id, *closed_statuses, latest]
        held = _day_sql(f"(SELECT MAX(h.until) FROM {RetentionHold._meta.db_table} h WHERE h.candidate_id = a.candidate_id)", vendor)
        arms.append(
            f"SELECT g.candidate_id, '{kind}' AS kind, CASE WHEN g.held_day > g.closed_day + g.days THEN g.held_day "
            f"ELSE g.closed_day + g.days END AS due_day, g.closed_day, g.held_day FROM ("
            f"SELECT a.candidate_id, {closed_day} AS closed_day, MAX({days}) AS days, {held} AS held_day "
            f"FROM {application} a {f'JOIN {position} p ON p.id = a.position_id ' if days_params else ''}"
            f"WHERE a.organization_id = %s AND a.candidate_id IN ({candidates}) GROUP BY a.candidate_id "
            f"HAVING SUM(CASE WHEN a.status IN (%s, %s) THEN 0 ELSE 1 END) = 0) g "
            f"WHERE (CASE WHEN g.held_day > g.closed_day + g.days THEN g.held_day ELSE g.closed_day + g.days END) <= %s")
        params += [*closed_params, *days_params, organization_id, *candidates_params, *closed_statuses, horizon]
    return DueRows(f"SELECT * FROM ({' UNION ALL '.join(arms)}) arms", params)


def due_items(*, organization_id: int, rows, policies: list[RetentionPolicy] | None = None) -> list[DueItem]:
    """``retention_due_rows``'s rows as :class:`DueItem` s, with each candidate's applications and the limit that
    applied (the longest of their positions' rows: ``limit_jurisdiction`` empty for the default) in one query, plus
    one for the organization's rows unless ``policies`` gives them."""
    rows = list(rows)
    ids = {row[0] for row in rows}
    apps: dict[int, list[int]] = {}
    codes: dict[int, set[str]] = {}
    if ids:
        found = Application.objects.filter(organization_id=organization_id)
        if len(ids) <= 500:
            found = found.filter(candidate_id__in=ids)
        for cid, aid, code in found.order_by("pk").values_list("candidate_id", "pk", "position__jurisdiction"):
            if cid in ids:
                apps.setdefault(cid, []).append(aid)
                codes.setdefault(cid, set()).add(code)
    if policies is None:
        policies = list(RetentionPolicy.objects.filter(organization_id=organization_id)) if ids else []
    by_code = {p.jurisdiction: p for p in policies}
    default = by_code.get("") or RetentionPolicy(organization_id=organization_id, **DEFAULTS)
    attrs = dict(KINDS)

    def applied(cid: int, kind: str) -> tuple[str, int]:
        # the longest limit of the candidate's positions; on a tie a jurisdiction's own row names it
        options = sorted(((code if code in by_code else ""), getattr(by_code.get(code, default), attrs[kind]))
                         for code in codes.get(cid, {""}))
        days = max(d for _c, d in options)
        return next(c for c, d in reversed(options) if d == days), days

    items = []
    for cid, kind, due, closed, held in rows:
        code, days = applied(cid, kind)
        items.append(DueItem(candidate_id=cid, kind=kind, due_on=EPOCH + timedelta(days=due),
                             closed_on=EPOCH + timedelta(days=closed),
                             held_until=None if held is None else EPOCH + timedelta(days=held),
                             application_ids=tuple(apps.get(cid, ())), limit_jurisdiction=code, limit_days=days))
    return items


def retention_due(*, organization_id: int, within_days: int = 0, today: date | None = None) -> list[DueItem]:
    """What the purge removes by ``today + within_days`` (0: what is due now), earliest first. A held candidate is due
    when the hold ends; recordings and analyses already purged are not listed again (``retention_due_rows``)."""
    return due_items(organization_id=organization_id,
                     rows=retention_due_rows(organization_id=organization_id, within_days=within_days, today=today))


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
    with transaction.atomic():
        ctx = ErasureContext(candidate=None, organization_id=organization_id, pseudonym="", values=())
        for module in eraser_modules():
            purge = getattr(module, f"purge_{kind}", None)
            if purge is not None:
                purge(ctx, application_ids)
        audit_record(action=AuditEvent.Action.DELETE, actor=RETENTION_WORKER, organization_id=organization_id,
                     object_type=f"retention.{kind}", object_id=",".join(map(str, application_ids))[:64],
                     fields=[f"{label}:{n}" for label, n in sorted(ctx.counts.items())])
        delete_files_after_commit(ctx)


def retention_purge(*, dry_run: bool = False, today: date | None = None) -> PurgeReport:
    """Purge everything due today in every organization (or, with ``dry_run``, only list it)."""
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
