"""Merging duplicate records, with a per-field choice and an undo window (issue 16 §2).

``candidate_merge`` folds a duplicate into the kept ("primary") record in one transaction: HR chooses per field
whose value stays, every related row of every app moves to the kept record, the duplicate row is deleted, and a
``CandidateMerge`` keeps (encrypted) what ``candidate_merge_undo`` needs for ``MERGE_UNDO_DAYS`` days: the deleted
rows serialized (same ids on undo), the ids of the moved rows per model and field, the kept record's values
before. The values nobody chose stay in ``CandidateMerge.discarded`` for the record's history; the daily
``merge_snapshots_purge`` clears the undo snapshot after the window.

Applications to the same position: the kept record's application stays; the duplicate's one hands over its
interviews, AI sessions, scorecards, decisions, surveys and feedback cases and is deleted (restored by undo).
Where that would put two rows in one slot that allows only one (both applications already in a pipeline, two
scorecards of one interviewer for one stage, two surveys of one stage), the merge is refused and names the
position: deciding which evidence wins is a person's call, not the merge's.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from django.apps import apps
from django.core import serializers
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import router, transaction
from django.db.models import UniqueConstraint
from django.db.models.deletion import Collector
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hirelens.core import events
from hirelens.core.access import require_perm
from hirelens.core.audit import audit_record
from hirelens.core.models import AuditEvent
from hirelens.core.roles import Perm

from ..models import Application, Candidate, CandidateMerge, SearchToken
from ..timeline import timeline_add
from .records import candidate_reindex, publish_candidate_change

MERGE_UNDO_DAYS = 30

# The rows of the side-by-side page, in order: field -> label. "resume" moves the file with its parsed text.
MERGE_FIELDS = {
    "full_name": gettext_lazy("姓名"), "phone": gettext_lazy("手机号"), "email": gettext_lazy("邮箱"),
    "id_number": gettext_lazy("身份证号"), "address": gettext_lazy("地址"), "source": gettext_lazy("来源"),
    "tags": gettext_lazy("标签"), "skills": gettext_lazy("技能"), "resume": gettext_lazy("简历"),
}
LIST_FIELDS = ("tags", "skills")  # these may also keep both sides ("both")
RESUME_FIELDS = ("resume", "resume_name", "resume_content_type", "resume_text", "resume_parsed_json", "resume_status")
SCALAR_FIELDS = ("full_name", "phone", "email", "id_number", "address", "source")
CHOICES = ("primary", "duplicate", "both")


def merge_value(candidate: Candidate, field: str):
    """The value of one merge row, as compared and stored (tags as sorted names, the resume by its file name)."""
    if field == "tags":
        return sorted(t.name for t in candidate.tags.all())
    if field == "skills":
        return list(candidate.skills or [])
    if field == "resume":
        return candidate.resume_name if candidate.resume else ""
    return getattr(candidate, field)


def merge_defaults(*, primary: Candidate, duplicate: Candidate) -> dict[str, str]:
    """The kept record's value where it has one, the duplicate's otherwise; tags and skills keep both."""
    defaults = {}
    for field in MERGE_FIELDS:
        if field in LIST_FIELDS:
            defaults[field] = "both"
        elif field == "source":
            defaults[field] = "primary"
        else:
            defaults[field] = "primary" if merge_value(primary, field) or not merge_value(duplicate, field) else "duplicate"
    return defaults


def _unique_sets(model, fk: str) -> list[tuple[str, ...]]:
    sets = [tuple(c.fields) for c in model._meta.constraints if isinstance(c, UniqueConstraint) and c.fields]
    sets += [tuple(u) for u in model._meta.unique_together]
    return [s for s in sets if fk in s]


def _clashes(old: Application, new: Application) -> bool:
    """Whether moving ``old``'s rows to ``new`` would put two rows where one is allowed."""
    for rel in Application._meta.related_objects:
        manager, fk = rel.related_model._default_manager, rel.field.name
        if rel.one_to_one:
            if manager.filter(**{fk: old}).exists() and manager.filter(**{fk: new}).exists():
                return True
            continue
        for fields in _unique_sets(rel.related_model, fk):
            others = [f for f in fields if f != fk]
            mine = set(manager.filter(**{fk: old}).values_list(*others))
            if mine and mine & set(manager.filter(**{fk: new}).values_list(*others)):
                return True
    return False


def _move(model, old, new, *, skip=()) -> list:
    """Point every row (of any app) that references ``old`` at ``new``; return [[label, field, old_id, ids], ...]."""
    moved = []
    for rel in model._meta.related_objects:
        if not (rel.one_to_many or rel.one_to_one) or rel.related_model in skip:
            continue
        manager, fk = rel.related_model._default_manager, rel.field.name
        ids = list(manager.filter(**{fk: old}).values_list("pk", flat=True))
        if ids:
            manager.filter(pk__in=ids).update(**{fk: new})
            moved.append([rel.related_model._meta.label, fk, old.pk, ids])
    return moved


def _serialize_deleted(obj) -> list:
    """Everything deleting ``obj`` takes with it (but its search tokens, rebuilt on undo), serialized with ids."""
    collector = Collector(using=router.db_for_write(type(obj)))
    collector.collect([obj])
    rows = [obj] + [o for model, objs in collector.data.items() if model is not SearchToken for o in objs if o is not obj]
    for qs in collector.fast_deletes:
        if qs.model is not SearchToken and not qs.model._meta.auto_created:
            rows += list(qs)
    return serializers.serialize("python", rows)


class _Exact(DjangoJSONEncoder):
    """Django's encoder rounds times to milliseconds; an undo restores them to the microsecond."""

    def default(self, o):
        if isinstance(o, datetime):
            return o.isoformat()
        return super().default(o)


@transaction.atomic
def candidate_merge(*, actor, primary: Candidate, duplicate: Candidate, choices: dict[str, str] | None = None,
                    request=None, now: datetime | None = None) -> CandidateMerge:
    """Fold ``duplicate`` into ``primary`` keeping, per field of ``MERGE_FIELDS``, the value of the side named in
    ``choices`` ("primary", "duplicate", or "both" for tags and skills; missing fields: ``merge_defaults``)."""
    require_perm(actor, Perm.CANDIDATES_MANAGE)
    if primary.pk == duplicate.pk or {primary.organization_id, duplicate.organization_id} != {actor.organization_id}:
        raise ValidationError(_("只能合并本组织的两个不同档案。"))
    now = now or timezone.now()
    primary = Candidate.objects.select_for_update().get(pk=primary.pk)
    duplicate = Candidate.objects.select_for_update().get(pk=duplicate.pk)
    chosen = merge_defaults(primary=primary, duplicate=duplicate)
    for field, side in (choices or {}).items():
        if field not in MERGE_FIELDS or side not in CHOICES or (side == "both" and field not in LIST_FIELDS):
            raise ValidationError(_("合并选项无效。"))
        chosen[field] = side

    # both records' applications as they were (candidate.merged: the analytics funnel recounts their days)
    applied = list(Application.objects.filter(candidate__in=[primary, duplicate]).order_by("pk")
                   .values_list("position_id", "created_at"))
    held = {a.position_id: a for a in primary.applications.all()}
    clashing = [a for a in duplicate.applications.select_related("position") if a.position_id in held]
    for application in clashing:
        if _clashes(application, held[application.position_id]):
            raise ValidationError(_("两个档案在职位「%(position)s」的申请都已进入流程（或有同一环节的评分、问卷），"
                                    "合并会丢失其中一方的记录。请先处理其中一个申请再合并。")
                                  % {"position": application.position.title})

    before = {f: getattr(primary, f) for f in SCALAR_FIELDS + RESUME_FIELDS if f != "resume"}
    before["resume"] = primary.resume.name
    before["skills"] = list(primary.skills or [])
    before["tags"] = list(primary.tags.values_list("pk", flat=True))
    discarded, changed = {}, []
    for field in MERGE_FIELDS:
        mine, theirs = merge_value(primary, field), merge_value(duplicate, field)
        side = chosen[field]
        kept, lost = (mine, theirs) if side == "primary" else (theirs, mine) if side == "duplicate" else (mine, [])
        if lost and lost != kept:
            discarded[field] = lost  # codes (source) are labelled when shown, in the reader's language
        if side == "duplicate" and mine != theirs:
            changed.append(field)
            if field == "resume":
                for name in RESUME_FIELDS:
                    setattr(primary, name, getattr(duplicate, name))
            elif field == "skills":
                primary.skills = list(duplicate.skills)
            elif field != "tags":
                setattr(primary, field, getattr(duplicate, field))
        elif side == "both" and field == "skills" and set(theirs) - set(mine):
            primary.skills = list(dict.fromkeys([*mine, *theirs]))
            changed.append(field)
    tags_after = {"primary": list(primary.tags.all()), "duplicate": list(duplicate.tags.all())}
    tags_after["both"] = list({t.pk: t for t in tags_after["primary"] + tags_after["duplicate"]}.values())
    new_tags = tags_after[chosen["tags"]]
    if {t.pk for t in new_tags} != set(before["tags"]):
        changed.append("tags")

    moved = []
    for application in clashing:  # its rows join the kept application; the emptied row is deleted with the duplicate
        moved += _move(Application, application, held[application.position_id])
    carried = list(duplicate.applications.exclude(pk__in=[a.pk for a in clashing]).values_list("pk", flat=True))
    if carried:
        Application.objects.filter(pk__in=carried).update(candidate=primary, updated_at=now)
        moved.append([Application._meta.label, "candidate", duplicate.pk, carried])
    moved += _move(Candidate, duplicate, primary, skip=(SearchToken, CandidateMerge, Application))
    deleted = _serialize_deleted(duplicate)  # with the emptied applications and the duplicate's own tags
    duplicate_id = duplicate.pk
    duplicate.delete()
    primary.full_clean(exclude=["resume"])
    primary.save()
    primary.tags.set(new_tags)
    merge = CandidateMerge.objects.create(
        organization_id=primary.organization_id, primary=primary, duplicate_id=duplicate_id, actor=actor, merged_at=now,
        snapshot=json.dumps({"deleted": deleted, "moved": moved, "before": before, "changed": changed,
                             "duplicate_name": duplicate.full_name}, cls=_Exact),
        discarded=json.dumps(discarded, ensure_ascii=False) if discarded else "",
    )
    audit_record(action=AuditEvent.Action.UPDATE, actor=actor, obj=primary, fields=[*changed, "merged"], request=request)
    audit_record(action=AuditEvent.Action.DELETE, actor=actor, organization_id=actor.organization_id,
                 object_type="candidates.candidate", object_id=duplicate_id, fields=["merged"], request=request)
    timeline_add(candidate=primary, kind="merged_fields" if changed else "merged", actor=actor,
                 params={"merge": merge.pk, "fields": changed} if changed else {"merge": merge.pk})
    candidate_reindex(candidate=primary)
    publish_candidate_change(candidate=primary, parts=["profile", "applications", "documents", "projects"], by_candidate=False)
    # in this transaction, the analytics funnel recounts those days (a pipeline handed over to the kept application
    # counts from its own day)
    events.emit(events.CandidatesMerged(organization_id=primary.organization_id, merge_id=merge.pk, candidate_id=primary.pk,
                                        duplicate_id=duplicate_id, position_ids=tuple(p for p, _at in applied),
                                        applied_at=tuple(at.isoformat() for _p, at in applied)))
    return merge


def merge_undo_deadline(merge: CandidateMerge) -> datetime:
    return merge.merged_at + timedelta(days=MERGE_UNDO_DAYS)


def merge_can_undo(merge: CandidateMerge, *, now: datetime | None = None) -> bool:
    return not merge.undone_at and bool(merge.snapshot) and (now or timezone.now()) <= merge_undo_deadline(merge)


@transaction.atomic
def candidate_merge_undo(*, actor, merge: CandidateMerge, request=None, now: datetime | None = None) -> Candidate:
    """Restore the merged-away record (same id, its values, its tags) and move every moved row back; the kept
    record gets back the values it had before. Refused after ``MERGE_UNDO_DAYS`` days or a second time."""
    require_perm(actor, Perm.CANDIDATES_MANAGE)
    if merge.organization_id != actor.organization_id:
        raise PermissionDenied
    merge = CandidateMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at:
        raise ValidationError(_("这次合并已经撤销过了。"))
    if not merge_can_undo(merge, now=now):
        raise ValidationError(_("合并已超过 %(days)s 天，不能再撤销。") % {"days": MERGE_UNDO_DAYS})
    data = json.loads(merge.snapshot)
    restored = None
    for item in serializers.deserialize("python", data["deleted"]):
        item.save()
        if isinstance(item.object, Candidate):
            restored = item.object
    for label, fk, old_id, ids in data["moved"]:
        apps.get_model(label)._default_manager.filter(pk__in=ids).update(**{f"{fk}_id": old_id})
    primary = Candidate.objects.select_for_update().get(pk=merge.primary_id)
    # in this transaction, the analytics funnel recounts both records' applications
    events.emit(events.CandidateMergeUndone(organization_id=primary.organization_id, merge_id=merge.pk,
                                            candidate_id=primary.pk, restored_id=restored.pk))
    before = data["before"]
    for name in data["changed"]:
        if name == "resume":
            for field in RESUME_FIELDS:
                setattr(primary, field, before[field])
        elif name == "tags":
            primary.tags.set(before["tags"])
        else:
            setattr(primary, name, before[name])
    primary.save()
    merge.undone_at = now or timezone.now()
    merge.undone_by = actor
    merge.snapshot = ""
    merge.save(update_fields=["undone_at", "undone_by", "snapshot", "updated_at"])
    audit_record(action=AuditEvent.Action.UPDATE, actor=actor, obj=primary, fields=[*data["changed"], "merge_undone"],
                 request=request)
    audit_record(action=AuditEvent.Action.CREATE, actor=actor, obj=restored, fields=["merge_undone"], request=request)
    timeline_add(candidate=primary, kind="merge_undone", actor=actor, params={"merge": merge.pk})
    timeline_add(candidate=restored, kind="merge_undone", actor=actor, params={"merge": merge.pk})
    candidate_reindex(candidate=primary)
    candidate_reindex(candidate=restored)
    publish_candidate_change(candidate=primary, parts=["profile", "applications", "documents", "projects"], by_candidate=False)
    return restored


def merge_snapshots_purge(*, now: datetime | None = None) -> int:
    """Clear the undo snapshots of merges older than the window (the daily task); returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=MERGE_UNDO_DAYS)
    return CandidateMerge.objects.filter(merged_at__lt=cutoff, purged_at__isnull=True, undone_at__isnull=True).update(
        snapshot="", purged_at=now or timezone.now())


def _masker(field: str):
    try:  # the one masking rule (candidates/masking.py) where it exists
        from .. import masking
    except ImportError:  # pragma: no cover - before masking.py lands
        return lambda value: value
    return getattr(masking, f"mask_{field}", lambda value: value)


def merge_shown(field: str, value) -> str:
    """One merge value as a person reads it: contact details masked, the source by its label, lists joined."""
    if isinstance(value, list):
        return _("、").join(str(v) for v in value)
    if field == "source" and value in Candidate.Source.values:
        return str(Candidate.Source(value).label)
    if field in ("phone", "email", "id_number", "address"):
        return _masker(field)(value or "")
    return str(value or "")


def merge_rows(*, primary: Candidate, duplicate: Candidate) -> list[dict]:
    """The side-by-side rows of the merge page."""
    defaults = merge_defaults(primary=primary, duplicate=duplicate)
    return [{"field": field, "label": label, "primary": merge_shown(field, merge_value(primary, field)),
             "duplicate": merge_shown(field, merge_value(duplicate, field)), "default": defaults[field],
             "both": field in LIST_FIELDS} for field, label in MERGE_FIELDS.items()]


def merge_counts(candidate: Candidate) -> dict[str, int]:
    """What moves with a record: its documents, applications, projects, work history and interviews."""
    apps_qs = candidate.applications.all()
    interviews = sum(rel.related_model._default_manager.filter(**{f"{rel.field.name}__in": apps_qs}).count()
                     for rel in Application._meta.related_objects
                     if rel.related_model._meta.label in ("scheduling.Interview", "interviews.InterviewSession"))
    return {"documents": candidate.documents.count(), "applications": apps_qs.count(),
            "projects": candidate.projects.count(), "work": candidate.work_history.count(), "interviews": interviews}


def merge_history(*, candidate: Candidate, now: datetime | None = None) -> list[dict]:
    """The merges into this record, newest first: when, by whom, the values nobody chose (masked), undo-able?"""
    rows = []
    for merge in candidate.merges.select_related("actor"):
        discarded = json.loads(merge.discarded) if merge.discarded else {}
        rows.append({"merge": merge, "can_undo": merge_can_undo(merge, now=now), "deadline": merge_undo_deadline(merge),
                     "discarded": [(MERGE_FIELDS.get(f, f), merge_shown(f, v)) for f, v in discarded.items()]})
    return rows
