from __future__ import annotations

import csv
import io
import json
from datetime import datetime, time

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hirelens.candidates.models import PERSONAL_FIELDS, Application, Candidate, SearchToken, Tag, TimelineEvent
from hirelens.candidates.resume import read_upload
from hirelens.candidates.search import document_tokens
from hirelens.core import events as domain_events
from hirelens.core.access import require_perm
from hirelens.core.audit import audit_record
from hirelens.core.models import AuditEvent
from hirelens.core.roles import Perm

from .models import ImportBatch
from .report import report_rows
from .tables import read_table
from .validation import FIELDS, guess_mapping, validate_rows

MAX_IMPORT_BYTES = 20 * 1024 * 1024
PREVIEW_ROWS = 20


@transaction.atomic
def import_batch_upload(*, actor, upload, request=None) -> ImportBatch:
    """Store the file (encrypted) in the sandbox, read its header and guess the column mapping."""
    require_perm(actor, Perm.CANDIDATES_IMPORT)
    data = read_upload(upload, max_bytes=MAX_IMPORT_BYTES)
    table = read_table(data)
    batch = ImportBatch(organization_id=actor.organization_id, created_by=actor, filename=str(getattr(upload, "name", "import"))[:255],
                        file_kind=table.kind, encoding=table.encoding, headers=table.headers, row_count=len(table.rows),
                        mapping=guess_mapping(table.headers))
    batch.file.save("import.bin", ContentFile(data), save=False)
    batch.save()
    audit_record(action=AuditEvent.Action.CREATE, actor=actor, obj=batch, fields=["file"], request=request)
    return batch


def _table(batch: ImportBatch):
    with batch.file.open("rb") as handle:
        return read_table(handle.read())


def _report(results) -> dict:
    rows = [{"row": r.row, "status": r.status, "issues": r.issues, "duplicate_of": r.duplicate_of}
            for r in results if r.status != "ok"]
    return {"rows": rows, "summary": {"total": len(results), "ok": sum(r.status == "ok" for r in results),
                                      "error": sum(r.status == "error" for r in results),
                                      "duplicate": sum(r.status == "duplicate" for r in results)}}


@transaction.atomic
def import_batch_validate(*, actor, batch: ImportBatch, mapping: dict[str, str]) -> ImportBatch:
    """Apply the column mapping, then clean and check every row; nothing is written outside the batch."""
    require_perm(actor, Perm.CANDIDATES_IMPORT)
    if batch.organization_id != actor.organization_id or not batch.can_map:
        raise ValidationError(_("该导入批次已结束。"))
    mapping = {str(k): v for k, v in mapping.items() if v in FIELDS and str(k).isdigit() and int(k) < len(batch.headers)}
    if list(mapping.values()).count("full_name") != 1:
        raise ValidationError(_("请把一列映射为“姓名”。"))
    if len(set(mapping.values())) != len(mapping):
        raise ValidationError(_("每个字段只能映射一列。"))
    table = _table(batch)
    results = validate_rows(headers=table.headers, rows=table.rows, first_row=table.first_row, mapping=mapping,
                            organization_id=batch.organization_id)
    batch.mapping = mapping
    batch.report = _report(results)
    summary = batch.report["summary"]
    batch.valid_count, batch.error_count, batch.duplicate_count = summary["ok"], summary["error"], summary["duplicate"]
    batch.preview_json = json.dumps([{"row": r.row, **r.cleaned} for r in results if r.status == "ok"][:PREVIEW_ROWS], ensure_ascii=False)
    batch.status = ImportBatch.Status.VALIDATED
    batch.save()
    return batch


@transaction.atomic
def import_batch_commit(*, actor, batch: ImportBatch, request=None) -> ImportBatch:
    """Create every valid row's candidate (and application) in one transaction: all or nothing.

    Rows are re-validated at commit, so a record created since the preview is still caught as a
    duplicate; rows with errors or duplicates are skipped and stay listed in the report."""
    require_perm(actor, Perm.CANDIDATES_IMPORT)
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk, organization_id=actor.organization_id)
    if not batch.can_commit:
        raise ValidationError(_("请先完成校验；已导入或已放弃的批次不能再次导入。"))
    table = _table(batch)
    results = validate_rows(headers=table.headers, rows=table.rows, first_row=table.first_row, mapping=batch.mapping,
                            organization_id=batch.organization_id)
    good = [r for r in results if r.status == "ok"]
    org = batch.organization_id
    candidates = [Candidate(organization_id=org, full_name=r.cleaned["full_name"], phone=r.cleaned["phone"], email=r.cleaned["email"],
                            id_number=r.cleaned["id_number"], address=r.cleaned["address"], source=r.cleaned["source"],
                            skills=r.cleaned["skills"], created_by=actor) for r in good]
    Candidate.objects.bulk_create(candidates, batch_size=500)
    tag_names = {name for r in good for name in r.cleaned["tags"]}
    tags = {t.name: t for t in Tag.objects.filter(organization_id=org, name__in=tag_names)}
    Tag.objects.bulk_create([Tag(organization_id=org, name=n[:50]) for n in tag_names if n not in tags], ignore_conflicts=True)
    tags = {t.name: t for t in Tag.objects.filter(organization_id=org, name__in=tag_names)}
    through = Candidate.tags.through
    links, applications, events, tokens = [], [], [], []
    now = timezone.now()
    for result, candidate in zip(good, candidates, strict=True):
        cleaned = result.cleaned
        links += [through(candidate_id=candidate.pk, tag_id=tags[n].pk) for n in cleaned["tags"] if n in tags]
        if cleaned["position_id"]:
            applications.append(Application(organization_id=org, candidate=candidate, position_id=cleaned["position_id"],
                                            stage=cleaned["stage"]))
        events.append(TimelineEvent(organization_id=org, candidate=candidate, kind="imported", actor=actor, params={"batch": batch.pk}))
        tokens += [SearchToken(organization_id=org, candidate=candidate, token=t)
                   for t in document_tokens(short_texts=[cleaned["full_name"], *cleaned["skills"], *cleaned["tags"]], long_texts=[])]
    through.objects.bulk_create(links, batch_size=1000, ignore_conflicts=True)
    Application.objects.bulk_create(applications, batch_size=500)
    for application, result in zip(applications, [r for r in good if r.cleaned["position_id"]], strict=True):
        if result.cleaned["applied_on"]:
            applied = timezone.make_aware(datetime.combine(datetime.fromisoformat(result.cleaned["applied_on"]).date(), time(9)))
            Application.objects.filter(pk=application.pk).update(created_at=applied)
    if applications:  # the analytics funnel's days (after the dates applied), in this transaction
        from hirelens.analytics.services import funnel_refresh_applications

        funnel_refresh_applications(applications=Application.objects.filter(pk__in=[a.pk for a in applications]))
    TimelineEvent.objects.bulk_create(events, batch_size=1000)
    SearchToken.objects.bulk_create(tokens, batch_size=2000)
    batch.report = _report(results)
    summary = batch.report["summary"]
    batch.valid_count, batch.error_count, batch.duplicate_count = summary["ok"], summary["error"], summary["duplicate"]
    batch.created_count = len(candidates)
    batch.status, batch.committed_at = ImportBatch.Status.COMMITTED, now
    batch.preview_json = ""
    batch.save()
    audit_record(action=AuditEvent.Action.CREATE, actor=actor, obj=batch, fields=[*PERSONAL_FIELDS, f"candidates:{len(candidates)}"],
                 request=request)
    for candidate in candidates:
        domain_events.emit(domain_events.CandidateCreated(organization_id=org, candidate_id=candidate.pk, source=candidate.source))
    return batch


@transaction.atomic
def import_batch_discard(*, actor, batch: ImportBatch) -> ImportBatch:
    require_perm(actor, Perm.CANDIDATES_IMPORT)
    if batch.status == ImportBatch.Status.COMMITTED:
        raise ValidationError(_("已导入的批次不能放弃。"))
    batch.status = ImportBatch.Status.DISCARDED
    batch.preview_json = ""
    batch.save(update_fields=["status", "preview_json", "updated_at"])
    return batch


def import_report_csv(*, batch: ImportBatch) -> bytes:
    """The report as CSV (UTF-8 with BOM so Excel opens it): row numbers and messages, no personal data."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("行号"), _("结果"), _("列"), _("说明")])
    labels = {"error": _("错误"), "duplicate": _("重复")}
    for row in report_rows(batch.report.get("rows", [])):
        if row["status"] == "duplicate":
            writer.writerow([row["row"], labels["duplicate"], "", _("与%(other)s重复，已跳过") % {"other": row["duplicate"]}])
        for column, text in row["issues"]:
            writer.writerow([row["row"], labels["error"], column, text])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
