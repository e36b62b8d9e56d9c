"""Export section of the candidate record (privacy archive, see hirelens/core/export_registry.py)."""

from __future__ import annotations

from hirelens.core.export_registry import ExportFile, Section, row, safe_name


def export_candidate(candidate) -> list[Section]:
    from hirelens.candidates.timeline import timeline_text

    record = row(candidate, exclude=("phone_index", "email_index", "id_number_index", "resume_parsed_json"))
    record["resume_parsed"] = candidate.resume_parsed
    record["tags"] = [t.name for t in candidate.tags.all()]
    files = []
    if candidate.resume:
        name = safe_name(candidate.resume_name, f"resume.{candidate.resume.name.rsplit('.', 1)[-1]}")
        record["resume_file"] = f"files/resume/{name}"
        files.append(ExportFile(record["resume_file"], candidate.resume))
    documents = []
    for doc in candidate.documents.all():
        item = row(doc, exclude=("reviewed_by",))
        item["archive_path"] = f"files/documents/{doc.pk}-{safe_name(doc.filename, 'document')}"
        files.append(ExportFile(item["archive_path"], doc.file))
        documents.append(item)
    checks = []
    for check in candidate.background_checks.all():
        item = row(check)
        if check.report:
            item["archive_path"] = f"files/background/{check.pk}-{safe_name(check.report_name, 'report')}"
            files.append(ExportFile(item["archive_path"], check.report))
        checks.append(item)
    applications = [dict(row(a), position_title=a.position.title) for a in candidate.applications.select_related("position")]
    timeline = [{"at": e.created_at.isoformat(), "kind": e.kind, "text": timeline_text(e), "by_candidate": e.by_candidate}
                for e in candidate.timeline.all()]
    return [
        Section("record", record, files[:1] if candidate.resume else []),
        Section("documents", documents, [f for f in files if f.path.startswith("files/documents/")]),
        Section("work_history", [row(w) for w in candidate.work_history.all()]),
        Section("projects", [row(p) for p in candidate.projects.all()]),
        Section("education", [row(e) for e in candidate.education.all()]),
        Section("background_checks", checks, [f for f in files if f.path.startswith("files/background/")]),
        Section("applications", applications),
        Section("timeline", timeline),
    ]
