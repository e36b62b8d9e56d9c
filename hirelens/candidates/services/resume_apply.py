"""A parsed resume fills the record, after a review (HR) or where the record is empty (the candidate).

``resume_proposal`` lines up, per field, what the stored parse proposes next to what the record holds;
nothing is written by it. ``resume_apply`` writes the accepted values through the record's own services
(``candidate_update``, ``education_save``, ``work_save``, ``project_save``) in one transaction, so the
phone and e-mail enter the blind indexes as any edit does, and returns the records that share them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hirelens.core.actors import PortalActor
from hirelens.core.audit import audit_record
from hirelens.core.models import AuditEvent

from ..models import Candidate, Education, Project, WorkExperience
from ..selectors import candidate_find_duplicates
from ..timeline import FIELD_LABELS, register_timeline_kind, timeline_add
from ..validation import clean_text, normalize_phone
from .history import _year, project_save, work_save
from .records import candidate_reindex, candidate_update, check_writer, publish_candidate_change

if TYPE_CHECKING:
    from hirelens.accounts.models import User

register_timeline_kind("resume_applied", gettext_lazy("从简历填入了：%(fields)s"))
register_timeline_kind("education_saved", gettext_lazy("更新了教育经历"))
for _key, _label in (("education", gettext_lazy("教育经历")), ("work_history", gettext_lazy("工作经历")),
                     ("projects", gettext_lazy("项目经历"))):
    FIELD_LABELS.setdefault(_key, _label)

CONTACT_FIELDS = ("full_name", "phone", "email")
MAX_ITEMS = 10


@dataclass
class Accepted:
    """What the reviewer accepted (possibly edited). List items carry ``existing_id`` when they update
    an entry already on the record (same school / employer / project name)."""

    contact: dict = field(default_factory=dict)
    education: list[dict] = field(default_factory=list)
    work: list[dict] = field(default_factory=list)
    projects: list[dict] = field(default_factory=list)
    skills: list[str] | None = None


@dataclass
class Applied:
    fields: list[str]
    duplicates: list[Candidate]


def _same(a: str, b: str) -> bool:
    return clean_text(a).casefold() == clean_text(b).casefold()


def resume_proposal(*, candidate: Candidate) -> dict:
    """Per field: the current value, the parsed value and whether they already agree (nothing to do)."""
    parsed = candidate.resume_parsed or {}
    phone = (parsed.get("phones") or [""])[0]
    email = (parsed.get("emails") or [""])[0]
    contact = []
    for key, value in (("full_name", parsed.get("name", "")), ("phone", phone), ("email", email)):
        current = getattr(candidate, key)
        if value:
            same = normalize_phone(current) == normalize_phone(value) if key == "phone" else _same(current, value)
            contact.append({"key": key, "label": FIELD_LABELS[key], "current": current, "parsed": value, "same": same})
    education = list(candidate.education.all())
    work = list(candidate.work_history.all())
    projects = list(candidate.projects.all())

    def match(items, attr, value):
        return next((item for item in items if _same(getattr(item, attr), value)), None)

    rows = {"education": [], "work": [], "projects": []}
    for entry in (parsed.get("education") or [])[:MAX_ITEMS]:
        rows["education"].append({**entry, "existing": match(education, "school", entry.get("school", ""))})
    for entry in (parsed.get("employers") or [])[:MAX_ITEMS]:
        rows["work"].append({**entry, "existing": match(work, "employer", entry.get("employer", ""))})
    for entry in (parsed.get("projects") or [])[:MAX_ITEMS]:
        rows["projects"].append({**entry, "results_text": "\n".join(entry.get("results") or []),
                                 "existing": match(projects, "name", entry.get("name", ""))})
    new_skills = [s for s in parsed.get("skills") or [] if s not in candidate.skills]
    return {"contact": contact, **rows, "skills": parsed.get("skills") or [], "new_skills": new_skills,
            "current_skills": candidate.skills, "current_education": education, "current_work": work,
            "current_projects": projects}


def resume_duplicates(*, candidate: Candidate) -> list[Candidate]:
    """Other records sharing a phone or e-mail with the resume or with the record (blind indexes only)."""
    parsed = candidate.resume_parsed or {}
    found: dict[int, Candidate] = {}
    pairs = [(p, "") for p in parsed.get("phones") or []] + [("", e) for e in parsed.get("emails") or []]
    pairs.append((candidate.phone, candidate.email))
    for phone, email in pairs[:10]:
        for other in candidate_find_duplicates(organization_id=candidate.organization_id, phone=phone, email=email).exclude(pk=candidate.pk):
            found.setdefault(other.pk, other)
    return sorted(found.values(), key=lambda c: c.pk)


@transaction.atomic
def education_save(*, candidate: Candidate, actor: User | PortalActor, education: Education | None = None,
                   school: str, degree: str = "", major: str = "", start_year=None, end_year=None, request=None) -> Education:
    check_writer(actor=actor, candidate=candidate)
    if education is not None and education.candidate_id != candidate.pk:
        raise ValidationError(_("只能修改本人的教育经历。"))
    errors: dict = {}
    if not clean_text(school):
        errors["school"] = [_("请填写学校名称。")]
    if degree not in Education.Degree.values:
        errors["degree"] = [_("学历无效。")]
    start, end = _year(start_year, "start_year", errors), _year(end_year, "end_year", errors)
    if start and end and end < start:
        errors["end_year"] = [_("结束年份不能早于开始年份。")]
    if errors:
        raise ValidationError(errors)
    education = education or Education(organization_id=candidate.organization_id, candidate=candidate)
    education.school, education.degree, education.major = clean_text(school)[:200], degree, clean_text(major)[:100]
    education.start_year, education.end_year = start, end
    education.full_clean()
    education.save()
    audit_record(action=AuditEvent.Action.UPDATE, actor=actor, obj=candidate, organization_id=candidate.organization_id,
                 fields=["education"], request=request)
    timeline_add(candidate=candidate, kind="education_saved", actor=actor)
    publish_candidate_change(candidate=candidate, parts=["profile"], by_candidate=isinstance(actor, PortalActor))
    return education


def _existing(model, candidate: Candidate, pk):
    if not pk:
        return None
    return model.objects.filter(candidate=candidate, pk=pk).first()


@transaction.atomic
def resume_apply(*, candidate: Candidate, actor: User | PortalActor, accepted: Accepted, request=None) -> Applied:
    """Write the accepted values in one transaction: any refusal (a bad phone, a year out of range) undoes all.

    A phone or e-mail already on another record is written anyway (the resume is this person's) and that
    record comes back in ``duplicates`` so the reviewer sees it at once."""
    check_writer(actor=actor, candidate=candidate)
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    done: list[str] = []
    contact = {k: v for k, v in accepted.contact.items() if k in CONTACT_FIELDS}
    if contact:
        done += candidate_update(candidate=candidate, actor=actor, data=contact,
                                 allow_duplicate=True, request=request)
        candidate.refresh_from_db()
    for entry in accepted.education[:MAX_ITEMS]:
        education_save(candidate=candidate, actor=actor,
                       education=_existing(Education, candidate, entry.get("existing_id")), school=entry.get("school", ""),
                       degree=entry.get("degree", ""), major=entry.get("major", ""), start_year=entry.get("start_year"),
                       end_year=entry.get("end_year"), request=request)
    for entry in accepted.work[:MAX_ITEMS]:
        current = bool(entry.get("current"))
        work_save(candidate=candidate, actor=actor,
                  work=_existing(WorkExperience, candidate, entry.get("existing_id")), employer=entry.get("employer", ""),
                  title=entry.get("title", ""), start_year=entry.get("start_year"),
                  end_year=None if current else entry.get("end_year"), current=current, request=request)
    for entry in accepted.projects[:MAX_ITEMS]:
        results = entry.get("results", "")
        project_save(candidate=candidate, actor=actor,
                     project=_existing(Project, candidate, entry.get("existing_id")), name=entry.get("name", ""),
                     role=entry.get("role", ""), description=entry.get("description", ""), start_year=entry.get("start_year"),
                     end_year=entry.get("end_year"),
                     results="\n".join(results) if isinstance(results, list) else results, request=request)
    done += [name for name, items in (("education", accepted.education), ("work_history", accepted.work),
                                      ("projects", accepted.projects)) if items]
    if accepted.skills is not None:
        skills = list(dict.fromkeys([*candidate.skills, *(clean_text(s)[:100] for s in accepted.skills if clean_text(s))]))
        if skills != candidate.skills:
            candidate.skills = skills
            candidate.save(update_fields=["skills", "updated_at"])
            audit_record(action=AuditEvent.Action.UPDATE, actor=actor, obj=candidate, organization_id=candidate.organization_id,
                         fields=["skills"], request=request)
            candidate_reindex(candidate=candidate)
            done.append("skills")
    if done:
        timeline_add(candidate=candidate, kind="resume_applied", actor=actor, params={"fields": done})
        publish_candidate_change(candidate=candidate, parts=["profile"], by_candidate=isinstance(actor, PortalActor))
    return Applied(fields=done, duplicates=resume_duplicates(candidate=candidate))


def resume_fill_empty(*, candidate: Candidate, actor: User | PortalActor, request=None) -> Applied:
    """The candidate's own upload (portal): the resume fills only what the record lacks (an empty phone
    or e-mail, an empty list of schools / employers / projects) and adds new skills; nothing is replaced."""
    candidate = Candidate.objects.get(pk=candidate.pk)  # the stored parse, whatever instance the caller holds
    proposal = resume_proposal(candidate=candidate)
    accepted = Accepted(skills=proposal["new_skills"] or None)
    for row in proposal["contact"]:
        if row["key"] != "full_name" and not row["current"]:
            accepted.contact[row["key"]] = row["parsed"]
    if not proposal["current_education"]:
        accepted.education = proposal["education"]
    if not proposal["current_work"]:
        accepted.work = proposal["work"]
    if not proposal["current_projects"]:
        accepted.projects = proposal["projects"]
    try:
        return resume_apply(candidate=candidate, actor=actor, accepted=accepted, request=request)
    except ValidationError:
        # A value the record refuses (an odd phone): the resume itself is stored; the person edits by hand.
        return Applied(fields=[], duplicates=[])
