"""The resume review form: one row per proposed value (contact field, school, employer, project, skills),
each with 采用 / 跳过 and its values editable before they are accepted. Built from ``resume_proposal``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Education
from .services.resume_apply import Accepted

ACCEPT, SKIP = "accept", "skip"
CHOICES = [(ACCEPT, _("采用")), (SKIP, _("跳过"))]


def _choice(default: str) -> forms.ChoiceField:
    return forms.ChoiceField(choices=CHOICES, initial=default, widget=forms.RadioSelect, label=_("处理方式"))


def _text(label, value, *, required=False, max_length=200) -> forms.CharField:
    return forms.CharField(label=label, initial=value or "", required=required, max_length=max_length)


def _year(label, value) -> forms.CharField:
    return forms.CharField(label=label, initial=value or "", required=False, max_length=4,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 5}))


def _years(entry: dict) -> str:
    start = entry.get("start_year") or ""
    end = _("至今") if entry.get("current") else (entry.get("end_year") or "")
    return f"{start}–{end}" if start or end else ""


class ResumeReviewForm(forms.Form):
    def __init__(self, proposal: dict, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.proposal = proposal
        self.rows = []
        for row in proposal["contact"]:
            key = row["key"]
            default = SKIP if row["same"] or row["current"] else ACCEPT
            self._row("contact", key, row["label"], row["current"], default,
                      {key: _text(row["label"], row["parsed"], max_length=254)}, same=row["same"])
        for i, e in enumerate(proposal["education"]):
            existing = e["existing"]
            current = f"{existing.school} {existing.get_degree_display()} {existing.major}".strip() if existing else ""
            self._row("education", f"edu{i}", _("教育经历"), current, SKIP if existing else ACCEPT, {
                "school": _text(_("学校"), e.get("school")), "degree": forms.ChoiceField(
                    label=_("学历"), choices=Education.Degree.choices, initial=e.get("degree") or "", required=False),
                "major": _text(_("专业"), e.get("major"), max_length=100),
                "start_year": _year(_("开始年份"), e.get("start_year")), "end_year": _year(_("结束年份"), e.get("end_year")),
            }, existing=existing)
        for i, w in enumerate(proposal["work"]):
            existing = w["existing"]
            current = f"{existing.employer} {existing.title}".strip() if existing else ""
            self._row("work", f"work{i}", _("工作经历"), current, SKIP if existing else ACCEPT, {
                "employer": _text(_("公司"), w.get("employer")), "title": _text(_("职务"), w.get("title")),
                "start_year": _year(_("开始年份"), w.get("start_year")), "end_year": _year(_("结束年份"), w.get("end_year")),
                "current": forms.BooleanField(label=_("至今"), initial=bool(w.get("current")), required=False),
            }, existing=existing, years=_years(w))
        for i, p in enumerate(proposal["projects"]):
            existing = p["existing"]
            self._row("projects", f"proj{i}", _("项目经历"), existing.name if existing else "", SKIP if existing else ACCEPT, {
                "name": _text(_("项目名称"), p.get("name")), "role": _text(_("担任角色"), p.get("role")),
                "start_year": _year(_("开始年份"), p.get("start_year")), "end_year": _year(_("结束年份"), p.get("end_year")),
                "results": forms.CharField(label=_("成果数据（每行一项）"), initial=p.get("results_text", ""), required=False,
                                           widget=forms.Textarea(attrs={"rows": 3})),
            }, existing=existing)
        if proposal["skills"]:
            self._row("skills", "skills", _("技能"), ", ".join(proposal["current_skills"]),
                      ACCEPT if proposal["new_skills"] else SKIP,
                      {"skills": _text(_("技能（逗号分隔）"), ", ".join(proposal["skills"]), max_length=2000)})

    def _row(self, kind, prefix, label, current, default, inputs: dict, **extra):
        self.fields[f"{prefix}-choice"] = _choice(default)
        names = []
        for name, form_field in inputs.items():
            full = prefix if kind == "contact" else f"{prefix}-{name}"
            self.fields[full] = form_field
            names.append(full)
        self.rows.append({"kind": kind, "prefix": prefix, "label": label, "current": current, "names": names, **extra})

    def bound_rows(self):
        for row in self.rows:
            yield {**row, "choice": self[f"{row['prefix']}-choice"], "inputs": [self[n] for n in row["names"]]}

    def accepted(self, *, accept_all: bool = False) -> Accepted:
        data = self.cleaned_data
        accepted = Accepted()

        def chosen(prefix):
            return accept_all or data.get(f"{prefix}-choice") == ACCEPT

        def values(row):
            return {name.split("-", 1)[1]: data.get(name) for name in row["names"]}

        for row in self.rows:
            if not chosen(row["prefix"]) or row.get("same"):
                continue
            if row["kind"] == "contact":
                accepted.contact[row["prefix"]] = data.get(row["prefix"], "")
            elif row["kind"] == "skills":
                raw = (data.get(row["names"][0]) or "").replace("，", ",")
                accepted.skills = [s.strip() for s in raw.split(",") if s.strip()]
            else:
                entry = values(row)
                entry["existing_id"] = row["existing"].pk if row.get("existing") else None
                {"education": accepted.education, "work": accepted.work, "projects": accepted.projects}[row["kind"]].append(entry)
        return accepted
