"""Rights requests as cases: settings, creation with a legal deadline, start / complete / refuse, the export job,
the erasure wiring, receipts to the candidate and reminders to HR. Every change is audited in its transaction."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import zipfile
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from hirelens.candidates.timeline import timeline_add
from hirelens.core import tokens
from hirelens.core.access import require_perm
from hirelens.core.actors import PortalActor, SystemActor
from hirelens.core.audit import audit_record
from hirelens.core.jobs import enqueue_on_commit, lease_until
from hirelens.core.links import absolute_url
from hirelens.core.models import AuditEvent
from hirelens.core.roles import Perm, user_can

from .models import (
    EXPORT_LINK,
    JURISDICTION_DAYS,
    ConsentKind,
    PrivacyExport,
    PrivacyRequest,
    PrivacyRequestEvent,
    PrivacySettings,
    RequestKind,
)

if TYPE_CHECKING:
    from hirelens.accounts.models import User
    from hirelens.candidates.models import Candidate

logger = logging.getLogger(__name__)

REMIND_WITHIN = timedelta(days=3)
MAX_DETAILS = 2000
EXPORT_WORKER = SystemActor(name="worker", reason=gettext_noop("生成个人数据导出包"))


# --- settings -----------------------------------------------------------------------------------------------------

def privacy_settings_for(organization_id: int) -> PrivacySettings:
    """The organization's settings, created on demand with the PIPL defaults."""
    found = PrivacySettings.objects.filter(organization_id=organization_id).first()
    if found is not None:
        return found
    obj, _created = PrivacySettings.objects.get_or_create(organization_id=organization_id)
    return obj


@transaction.atomic
def privacy_settings_update(*, actor, jurisdiction: str, days: dict | None = None, export_link_days: int | None = None,
                            request=None) -> PrivacySettings:
    """Set the jurisdiction; ``days`` (kind -> days) overrides its defaults kind by kind (missing kinds get them)."""
    require_perm(actor, Perm.ORG_SETTINGS)
    obj = PrivacySettings.objects.select_for_update().get(pk=privacy_settings_for(actor.organization_id).pk)
    if jurisdiction not in JURISDICTION_DAYS:
        raise ValidationError({"jurisdiction": _("请选择适用法律。")})
    obj.jurisdiction = jurisdiction
    chosen = {**JURISDICTION_DAYS[jurisdiction], **{k: v for k, v in (days or {}).items() if v}}
    for kind in RequestKind.values:
        value = int(chosen[kind])
        if not 1 <= value <= 90:
            raise ValidationError(_("期限应在 1 到 90 天之间。"))
        setattr(obj, f"days_{kind}", value)
    if export_link_days is not None:
        if not 1 <= int(export_link_days) <= 30:
            raise ValidationError(_("下载链接有效期应在 1 到 30 天之间。"))
        obj.export_link_days = int(export_link_days)
    obj.save()
    audit_record(action=AuditEvent.Action.UPDATE, actor=actor, obj=obj, organization_id=actor.organization_id,
                 fields=["jurisdiction", *[f"days_{k}" for k in RequestKind.values], "export_link_days"], request=request)
    return obj


def due_for(*, organization_id: int, kind: str, received_at) -> timezone.datetime:
    return received_at + timedelta(days=privacy_settings_for(organization_id).days_for(kind))


# --- cases --------------------------------------------------------------------------------------------------------

def _event(pr: PrivacyRequest, kind: str, *, actor=None, note: str = "") -> PrivacyRequestEvent:
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return PrivacyRequestEvent.objects.create(organization_id=pr.organization_id, request=pr, kind=kind,
                                              actor=actor if authenticated else None,
                                              by_candidate=isinstance(actor, PortalActor), note=note)


def _clean_kind(kind: str, consent_kind: str) -> str:
    if kind not in RequestKind.values:
        raise ValidationError({"kind": _("请选择请求类型。")})
    if kind == RequestKind.WITHDRAW_CONSENT:
        if consent_kind not in ConsentKind.values:
            raise ValidationError({"consent_kind": _("请选择要撤回的同意。")})
        return consent_kind
    return ""


@transaction.atomic
def privacy_request_create(*, actor: User | PortalActor, candidate: Candidate, kind: str, consent_kind: str = "",
                           details: str = "", language: str = "", received_at=None, request=None) -> PrivacyRequest:
    """A request from the candidate (``actor``: the PortalActor of their verified link, for their own record only) or
    recorded by HR on the candidate's behalf (``actor``: a user who manages candidates)."""
    by_candidate = isinstance(actor, PortalActor)
    if by_candidate:
        if not actor.owns(candidate):
            raise PermissionDenied
    else:
        require_perm(actor, Perm.CANDIDATES_MANAGE)
        if candidate.organization_id != actor.organization_id:
            raise PermissionDenied
    consent_kind = _clean_kind(kind, consent_kind)
    details = (details or "").strip()
    if len(details) > MAX_DETAILS:
        raise ValidationError({"details": _("说明最多 %(n)d 个字。") % {"n": MAX_DETAILS}})
    received_at = received_at or timezone.now()
    language = language or candidate.organization.default_language or "zh-hans"
    pr = PrivacyRequest.objects.create(
        organization_id=candidate.organization_id, candidate=candidate, kind=kind, consent_kind=consent_kind, details=details,
        by_candidate=by_candidate, created_by=None if by_candidate else actor, language="en" if language.startswith("en") else "zh-hans",
        received_at=received_at, due_at=due_for(organization_id=candidate.organization_id, kind=kind, received_at=received_at),
    )
    _event(pr, PrivacyRequestEvent.Kind.CREATED, actor=actor)
    audit_record(action=AuditEvent.Action.CREATE, actor=actor, obj=pr, fields=["kind", "details"], request=request)
    timeline_add(candidate=candidate, kind="privacy.request", actor=actor, params={"kind": kind})
    return pr


def _lock(pr: PrivacyRequest) -> PrivacyRequest:
    return PrivacyRequest.objects.select_for_update().get(pk=pr.pk)


def _require_handler(actor, pr: PrivacyRequest) -> None:
    require_perm(actor, Perm.CANDIDATES_MANAGE)
    if pr.organization_id != actor.organization_id:
        raise PermissionDenied


@transaction.atomic
def privacy_request_start(*, actor, privacy_request: PrivacyRequest, request=None) -> PrivacyRequest:
    _require_handler(actor, privacy_request)
    pr = _lock(privacy_request)
    if not pr.can_start:
        raise ValidationError(_("只有待处理的请求可以开始处理。"))
    pr.status, pr.started_at = PrivacyRequest.Status.IN_PROGRESS, timezone.now()
    pr.assigned_to = pr.assigned_to or actor
    pr.save(update_fields=["status", "started_at", "assigned_to", "updated_at"])
    _event(pr, PrivacyRequestEvent.Kind.STARTED, actor=actor)
    audit_record(action=AuditEvent.Action.UPDATE, actor=actor, obj=pr, fields=["status"], request=request)
    return pr


@transaction.atomic
def privacy_request_refuse(*, actor, privacy_request: PrivacyRequest, reason: str, request=None) -> PrivacyRequest:
    """Refusing needs a reason: the candidate is told it (PIPL Art. 50: explain the refusal)."""
    _require_handler(actor, privacy_request)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("拒绝请求必须说明理由。")})
    if len(reason) > MAX_DETAILS:
        raise ValidationError({"reason": _("说明最多 %(n)d 个字。") % {"n": MAX_DETAILS}})
    pr = _lock(privacy_request)
    if pr.is_closed:
        raise ValidationError(_("该请求已经处理完毕。"))
    pr.status, pr.refusal_reason, pr.done_at = PrivacyRequest.Status.REFUSED, reason, timezone.now()
    pr.save(update_fields=["status", "refusal_reason", "done_at", "updated_at"])
    _event(pr, PrivacyRequestEvent.Kind.REFUSED, actor=actor, note=reason)
    audit_record(action=AuditEvent.Action.UPDATE, actor=actor, obj=pr, fields=["status", "refusal_reason"], request=request)
    if pr.candidate_id:
        timeline_add(candidate=pr.candidate, kind="privacy.refused", actor=actor, params={"kind": pr.kind})
    _receipt_on_commit(pr)
    return pr


def privacy_request_complete(*, actor, privacy_request: PrivacyRequest, note: str = "", request=None) -> PrivacyRequest:
    """Finish a case. What "done" means depends on its kind:

    * export: a ready archive must exist (built with ``export_start``); the receipt carries its link;
    * delete: the receipt goes out first (afterwards nobody can reach the person), then
      ``hirelens.core.erasure.erase_candidate`` runs; the row keeps only the kind, the dates and the tombstone;
    * withdraw_consent: ``hirelens.core.erasure.erase_derived`` for that consent, the application goes on;
    * access / correct: HR did it (showed the data, corrected the record) and notes what was done.
    """
    _require_handler(actor, privacy_request)
    pr = PrivacyRequest.objects.get(pk=privacy_request.pk)
    if pr.is_closed:
        raise ValidationError(_("该请求已经处理完毕。"))
    if pr.candidate_id is None:
        raise ValidationError(_("候选人档案已不存在。"))
    note = (note or "").strip()[:MAX_DETAILS]
    if pr.kind == RequestKind.EXPORT and not pr.exports.filter(status=PrivacyExport.Status.READY).exists():
        raise ValidationError(_("请先生成导出文件。"))
    if pr.kind == RequestKind.DELETE:
        return _complete_delete(actor=actor, pr=pr, note=note, request=request)
    with transaction.atomic():
        pr = _lock(pr)
        if pr.kind == RequestKind.WITHDRAW_CONSENT:
            from hirelens.core.erasure import erase_derived

            result = erase_derived(candidate=pr.candidate, consent_kind=pr.consent_kind, actor=actor)
            _event(pr, PrivacyRequestEvent.Kind.DERIVED_ERASED, actor=actor, note=_summary(result))
        _close(pr, actor=actor, note=note, request=request)
        _receipt_on_commit(pr)
    return pr


def _summary(result) -> str:
    counts = getattr(result, "counts", None)
    if isinstance(counts, dict) and counts:
        return ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))
    return ""


def _close(pr: PrivacyRequest, *, actor, note: str, request=None) -> None:
    pr.status, pr.done_at, pr.outcome = PrivacyRequest.Status.DONE, timezone.now(), note
    pr.assigned_to = pr.assigned_to or actor
    pr.save(update_fields=["status", "done_at", "outcome", "assigned_to", "updated_at"])
    _event(pr, PrivacyRequestEvent.Kind.DONE, actor=actor, note=note)
    audit_record(action=AuditEvent.Action.UPDATE, actor=actor, obj=pr, fields=["status"], request=request)
    if pr.candidate_id:
        timeline_add(candidate=pr.candidate, kind="privacy.done", actor=actor, params={"kind": pr.kind})


def _complete_delete(*, actor, pr: PrivacyRequest, note: str, request=None) -> PrivacyRequest:
    from hirelens.core.erasure import erase_candidate

    # The receipt first, delivered now: after the erasure there is no address left to write to.
    with transaction.atomic():
        pr = _lock(pr)
        message = _receipt_send(pr, done=True, enqueue=False)
    if message is not None:
        from hirelens.messaging.services.messages import message_deliver

        try:
            message_deliver(message_id=message.pk)
        except Exception:  # a channel that must be retried: the erasure does not wait for it
            logger.warning("privacy receipt %s not delivered before the erasure", message.pk, exc_info=True)
    with transaction.atomic():
        pr = _lock(pr)
        candidate = pr.candidate
        own = list(PrivacyRequest.objects.filter(candidate=candidate).values_list("pk", flat=True))
        result = erase_candidate(candidate=candidate, actor=actor, reason="request")
        # Every case of the person stays, without personal data: kind, dates and the erasure's pseudonym only.
        PrivacyRequest.objects.filter(pk__in=own).update(details="", refusal_reason="", outcome="", candidate=None,
                                                         tombstone=str(result.pseudonym)[:64])
        PrivacyRequestEvent.objects.filter(request_id__in=own).update(note="")
        PrivacyExport.objects.filter(request_id__in=own).update(file="", token="", token_hash="", candidate=None)
        pr = PrivacyRequest.objects.select_for_update().get(pk=pr.pk)
        _event(pr, PrivacyRequestEvent.Kind.ERASED, actor=actor, note=_summary(result))
        _close(pr, actor=actor, note="", request=request)
    return pr


# --- receipts and reminders ---------------------------------------------------------------------------------------

def _when(moment, organization, language: str) -> str:
    from hirelens.core.timezones import when_text

    return when_text(moment, organization.time_zone, language=language)


def receipt_text(pr: PrivacyRequest) -> str:
    """What was done, in the candidate's language (the active language when called from ``_receipt_send``)."""
    kind = pr.kind_label
    if pr.status == PrivacyRequest.Status.REFUSED:
        return _("「%(kind)s」未能办理。理由：%(reason)s") % {"kind": kind, "reason": pr.refusal_reason}
    texts = {
        RequestKind.ACCESS: _("「%(kind)s」已办理：我们已按您的要求提供所持有的您的个人信息。"),
        RequestKind.EXPORT: _("「%(kind)s」已办理：您的个人信息已导出为压缩包，请通过下方链接下载。"),
        RequestKind.CORRECT: _("「%(kind)s」已办理：您的个人信息已更正。"),
        RequestKind.DELETE: _("「%(kind)s」已办理：您的个人信息（含录像、分析结果和消息）将被全部删除，此后我们无法再联系您。"),
        RequestKind.WITHDRAW_CONSENT: _("「%(kind)s」已办理：相关分析已停止，由此产生的数据已删除，您的申请继续进行。"),
    }
    text = texts[pr.kind] % {"kind": kind}
    if pr.outcome:
        text += " " + _("说明：%(note)s") % {"note": pr.outcome}
    return text


def _receipt_send(pr: PrivacyRequest, *, done: bool = False, enqueue: bool = True):
    """Queue the receipt to the candidate through messaging (WeChat first, then e-mail / SMS), once per request."""
    from hirelens.messaging.models import Kind
    from hirelens.messaging.services.messages import message_send

    if pr.candidate_id is None or pr.receipt_sent_at is not None:
        return None
    language = pr.language or "zh-hans"
    organization = pr.candidate.organization
    with translation.override(language):
        if done:  # a delete completed before its status is written
            shown = PrivacyRequest(kind=pr.kind, consent_kind=pr.consent_kind, status=PrivacyRequest.Status.DONE, outcome=pr.outcome)
        else:
            shown = pr
        variables = {"result": receipt_text(shown)}
        export = pr.exports.filter(status=PrivacyExport.Status.READY).first() if pr.status == PrivacyRequest.Status.DONE else None
        if export is not None and not export.is_expired:
            variables["link"] = export_url(export)
            variables["deadline"] = _when(export.expires_at, organization, language)
    message = message_send(organization_id=pr.organization_id, kind=Kind.PRIVACY_RECEIPT, candidate=pr.candidate,
                           language=language, variables=variables, subject_type="privacy.request", subject_id=pr.pk,
                           idempotency_key=f"privacy-receipt-{pr.pk}", enqueue=enqueue)
    PrivacyRequest.objects.filter(pk=pr.pk).update(receipt_sent_at=timezone.now())
    pr.receipt_sent_at = timezone.now()
    _event(pr, PrivacyRequestEvent.Kind.RECEIPT_SENT)
    return message


def _receipt_on_commit(pr: PrivacyRequest) -> None:
    _receipt_send(pr)


def reminders_send(*, now=None) -> int:
    """Once a day: each HR admin and each assignee hears of the requests due within 3 days or overdue (one message
    per person, listing them). A request is reminded once per day (``last_reminded_on``), so a re-run sends nothing."""
    from hirelens.accounts.models import User
    from hirelens.core.roles import Role
    from hirelens.messaging.models import Kind
    from hirelens.messaging.services.messages import message_send

    now = now or timezone.now()
    today = timezone.localdate(now)
    due = (PrivacyRequest.objects.filter(status__in=[PrivacyRequest.Status.OPEN, PrivacyRequest.Status.IN_PROGRESS],
                                         due_at__lte=now + REMIND_WITHIN)
           .exclude(last_reminded_on=today).select_related("candidate", "organization").order_by("organization_id", "due_at"))
    by_org: dict[int, list[PrivacyRequest]] = {}
    for pr in due:
        by_org.setdefault(pr.organization_id, []).append(pr)
    sent = 0
    for organization_id, items in by_org.items():
        admins = list(User.objects.filter(organization_id=organization_id, role=Role.HR_ADMIN, is_active=True))
        recipients: dict[int, tuple] = {u.pk: (u, items) for u in admins}
        for pr in items:
            if pr.assigned_to_id and pr.assigned_to_id not in recipients:
                user = User.objects.filter(pk=pr.assigned_to_id, is_active=True).first()
                if user is not None:
                    recipients[user.pk] = (user, [p for p in items if p.assigned_to_id == user.pk])
        with transaction.atomic():
            for user, own in recipients.values():
                language = user.language or "zh-hans"
                with translation.override(language):
                    lines = [_reminder_line(pr, now) for pr in own]
                message_send(organization_id=organization_id, kind=Kind.PRIVACY_REMINDER, user=user, language=language,
                             variables={"result": "\n".join(lines), "link": absolute_url(reverse("privacy:list") + "?status=due")},
                             subject_type="privacy.reminder", subject_id=today.isoformat(),
                             idempotency_key=f"privacy-reminder-{user.pk}-{today.isoformat()}")
                sent += 1
            PrivacyRequest.objects.filter(pk__in=[p.pk for p in items]).update(last_reminded_on=today)
            for pr in items:
                _event(pr, PrivacyRequestEvent.Kind.REMINDED)
    return sent


def _reminder_line(pr: PrivacyRequest, now) -> str:
    name = pr.candidate.full_name if pr.candidate_id else _("已删除的候选人")
    due = _when(pr.due_at, pr.organization, translation.get_language() or "zh-hans")
    if pr.due_at < now:
        return _("%(name)s · %(kind)s · 已逾期（截止 %(due)s）") % {"name": name, "kind": pr.kind_label, "due": due}
    return _("%(name)s · %(kind)s · 截止 %(due)s") % {"name": name, "kind": pr.kind_label, "due": due}


# --- the export archive -------------------------------------------------------------------------------------------

def export_url(export: PrivacyExport, *, absolute: bool = True) -> str:
    path = reverse("privacy:download", args=[export.token])
    return absolute_url(path) if absolute else path


@transaction.atomic
def export_start(*, actor, privacy_request: PrivacyRequest, request=None) -> PrivacyExport:
    """Queue the building of the archive (export and access requests). A build already queued or running is reused."""
    _require_handler(actor, privacy_request)
    pr = _lock(privacy_request)
    if pr.is_closed or pr.candidate_id is None:
        raise ValidationError(_("该请求已经处理完毕。"))
    if pr.kind not in (RequestKind.EXPORT, RequestKind.ACCESS):
        raise ValidationError(_("只有查阅和导出请求需要生成导出文件。"))
    running = pr.exports.filter(status__in=[PrivacyExport.Status.QUEUED, PrivacyExport.Status.BUILDING]).first()
    if running is not None:
        return running
    if pr.can_start:  # an export starts the request it answers
        pr.status, pr.started_at, pr.assigned_to = PrivacyRequest.Status.IN_PROGRESS, timezone.now(), pr.assigned_to or actor
        pr.save(update_fields=["status", "started_at", "assigned_to", "updated_at"])
        _event(pr, PrivacyRequestEvent.Kind.STARTED, actor=actor)
    export = PrivacyExport(organization_id=pr.organization_id, request=pr, candidate_id=pr.candidate_id)
    export.token = tokens.mint(EXPORT_LINK, export, save=False)
    export.save()
    _event(pr, PrivacyRequestEvent.Kind.EXPORT_QUEUED, actor=actor)
    audit_record(action=AuditEvent.Action.EXPORT, actor=actor, obj=export, object_type="candidates.candidate",
                 object_id=pr.candidate_id, request=request)
    from .tasks import export_build_task

    enqueue_on_commit(export_build_task, export.pk)
    return export


def _claim(export_id: int) -> bool:
    now = timezone.now()
    from django.db.models import Q

    return bool(PrivacyExport.objects.filter(pk=export_id).filter(
        Q(status=PrivacyExport.Status.QUEUED) | Q(status=PrivacyExport.Status.BUILDING, lease_until__lt=now)
    ).update(status=PrivacyExport.Status.BUILDING, lease_until=lease_until(now), progress=0))


def export_build(*, export_id: int) -> PrivacyExport | None:
    """Build one archive. Idempotent and safe to retry: a finished archive is left alone, a build whose worker died
    (its lease ran out) starts over into a new file, and only a complete, verified archive is recorded."""
    from django.db.models import F

    from hirelens.core.export_registry import collectors

    if not _claim(export_id):
        return PrivacyExport.objects.filter(pk=export_id).first()
    PrivacyExport.objects.filter(pk=export_id).update(attempts=F("attempts") + 1)
    export = PrivacyExport.objects.select_related("candidate", "request").get(pk=export_id)
    candidate = export.candidate
    if candidate is None:
        PrivacyExport.objects.filter(pk=export_id).update(status=PrivacyExport.Status.FAILED, error="candidate gone")
        return export
    modules = collectors()
    tmp_dir = django_settings.VAR_DIR / "tmp"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp_path = tempfile.mkstemp(prefix="export-", suffix=".zip", dir=tmp_dir)
    os.close(fd)
    os.chmod(tmp_path, 0o600)
    try:
        data, names = {}, []
        with zipfile.ZipFile(tmp_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for index, module in enumerate(modules, start=1):
                for section in module.export_candidate(candidate):
                    data[section.name] = section.data
                    names.append(section.name)
                    archive.writestr(f"{section.name}.json", json.dumps(section.data, ensure_ascii=False, indent=2, default=str))
                    for item in section.files:
                        with item.file.open("rb") as source, archive.open(item.path, "w", force_zip64=True) as target:
                            while chunk := source.read(1024 * 1024):
                                target.write(chunk)
                # progress and lease: a worker that stops renewing loses the build to the sweep
                PrivacyExport.objects.filter(pk=export_id, status=PrivacyExport.Status.BUILDING).update(
                    progress=min(95, int(95 * index / len(modules))), lease_until=lease_until())
            meta = {"organization": candidate.organization.name, "candidate_id": candidate.pk,
                    "generated_at": timezone.now().isoformat(), "sections": names}
            archive.writestr("data.json", json.dumps({"export": meta, **data}, ensure_ascii=False, indent=2, default=str))
            archive.writestr("README.txt", _readme(meta))
        digest, size = hashlib.sha256(), 0
        with open(tmp_path, "rb") as handle:
            while chunk := handle.read(1024 * 1024):
                digest.update(chunk)
                size += len(chunk)
        days = privacy_settings_for(export.organization_id).export_link_days
        with open(tmp_path, "rb") as handle:
            export.file.save("export.zip", File(handle), save=False)
        with transaction.atomic():
            current = PrivacyExport.objects.select_for_update().get(pk=export_id)
            if current.status != PrivacyExport.Status.BUILDING:  # the sweep gave it away meanwhile: drop ours
                export.file.delete(save=False)
                return current
            current.file, current.size, current.sha256 = export.file.name, size, digest.hexdigest()
            current.status, current.progress, current.sections = PrivacyExport.Status.READY, 100, names
            now = timezone.now()
            current.built_at, current.expires_at, current.lease_until = now, now + timedelta(days=days), None
            current.save()
            _event(current.request, PrivacyRequestEvent.Kind.EXPORT_READY)
            audit_record(action=AuditEvent.Action.EXPORT, actor=EXPORT_WORKER, organization_id=current.organization_id,
                         object_type="candidates.candidate", object_id=candidate.pk, fields=names)
        return current
    finally:
        if os.path.exists(tmp_path):
            os.remove(tmp_path)


def export_failed(*, export_id: int, error: str) -> None:
    export = PrivacyExport.objects.filter(pk=export_id).select_related("request").first()
    if export is None or export.status == PrivacyExport.Status.READY:
        return
    PrivacyExport.objects.filter(pk=export_id).update(status=PrivacyExport.Status.FAILED, error=error[:300], lease_until=None)
    _event(export.request, PrivacyRequestEvent.Kind.EXPORT_FAILED, note=error[:300])


def _readme(meta: dict) -> str:
    lines = [
        _("这是 %(organization)s 持有的关于您的全部个人信息的副本。") % meta,
        _("data.json 汇总了全部内容；每一部分另有单独的 JSON 文件；files/ 文件夹中是原始文件（简历、材料、面试录像），已解密。"),
        _("生成时间：%(generated_at)s") % meta,
    ]
    return "\n".join(lines) + "\n"


class ExportLinkExpired(Exception):
    def __init__(self, export: PrivacyExport):
        self.export = export


def access_export_by_token(*, token: str) -> PrivacyExport:
    """The download link's token → a ready archive (core/tokens.py); an unknown token or an archive not ready is a
    404, an expired link raises ``ExportLinkExpired`` (410 page)."""
    from django.http import Http404

    export, state = tokens.find(EXPORT_LINK, token)
    if export is None or export.status != PrivacyExport.Status.READY or not export.file:
        raise Http404
    if state != tokens.LIVE:
        raise ExportLinkExpired(export)
    return export


def export_download_record(*, export: PrivacyExport, actor=None, request=None) -> None:
    audit_record(action=AuditEvent.Action.READ_FILE, actor=actor, organization_id=export.organization_id,
                 object_type="candidates.candidate", object_id=export.candidate_id or "", fields=["export"], request=request)


def exports_sweep(*, now=None) -> int:
    """Queue again the builds whose worker died (lease ran out) or whose task was lost (queued for long)."""
    from django.db.models import Q

    from .tasks import export_build_task

    now = now or timezone.now()
    stale = PrivacyExport.objects.filter(
        Q(status=PrivacyExport.Status.BUILDING, lease_until__lt=now)
        | Q(status=PrivacyExport.Status.QUEUED, created_at__lt=now - timedelta(minutes=10))
    ).values_list("pk", flat=True)
    count = 0
    for export_id in stale:
        export_build_task(export_id)
        count += 1
    return count


def can_handle(user) -> bool:
    return user_can(user, Perm.CANDIDATES_MANAGE)
