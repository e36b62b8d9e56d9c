"""Row-by-row validation and cleaning of an import, with duplicates inside the file and against
existing records (through the blind indexes, in batches, never by decrypting)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from hirelens.candidates.models import Candidate
from hirelens.candidates.validation import check_date, check_email, check_id_number, check_phone, clean_text
from hirelens.core.crypto import blind_index
from hirelens.positions.models import Position

FIELDS = {
    "full_name": gettext_lazy("姓名"),
    "phone": gettext_lazy("手机号"),
    "email": gettext_lazy("邮箱"),
    "id_number": gettext_lazy("身份证号"),
    "address": gettext_lazy("地址"),
    "source": gettext_lazy("来源"),
    "tags": gettext_lazy("标签"),
    "skills": gettext_lazy("技能"),
    "position": gettext_lazy("申请职位"),
    "stage": gettext_lazy("环节"),
    "applied_on": gettext_lazy("申请日期"),
}
SYNONYMS = {
    "full_name": ["姓名", "名字", "候选人", "候选人姓名", "name", "full name", "candidate"],
    "phone": ["手机", "手机号", "手机号码", "电话", "联系电话", "phone", "mobile", "tel", "telephone"],
    "email": ["邮箱", "电子邮箱", "邮件", "email", "e-mail", "mail"],
    "id_number": ["身份证", "身份证号", "身份证号码", "证件号", "证件号码", "id", "id number", "id_number"],
    "address": ["地址", "住址", "现居地", "address"],
    "source": ["来源", "渠道", "简历来源", "source", "channel"],
    "tags": ["标签", "tags", "tag"],
    "skills": ["技能", "专长", "skills", "skill"],
    "position": ["职位", "应聘职位", "申请职位", "岗位", "position", "job", "job title"],
    "stage": ["环节", "阶段", "stage"],
    "applied_on": ["申请日期", "投递日期", "投递时间", "日期", "applied", "applied on", "date"],
}


def guess_mapping(headers: list[str]) -> dict[str, str]:
    """Column index (as text) → field, by header name; the last part of a merged "联系方式/手机" header counts."""
    mapping, used = {}, set()
    for index, header in enumerate(headers):
        name = clean_text(header).casefold()
        candidates = [name, name.rsplit("/", 1)[-1].strip()]
        for field_name, words in SYNONYMS.items():
            if field_name not in used and any(c in words for c in candidates):
                mapping[str(index)] = field_name
                used.add(field_name)
                break
    return mapping


@dataclass
class RowResult:
    row: int
    cleaned: dict = field(default_factory=dict)
    issues: list = field(default_factory=list)  # [{"column", "field", "code", "params"}]: report.py writes the words
    duplicate_of: dict = field(default_factory=dict)  # {"row": n} of the file or {"candidate": id}

    @property
    def status(self) -> str:
        if self.issues:
            return "error"
        if self.duplicate_of:
            return "duplicate"
        return "ok"


SOURCES = {**{v: v for v in Candidate.Source.values}, **{str(label): value for value, label in Candidate.Source.choices},
           "官网": "website", "内推": "referral", "校招": "campus", "boss直聘": "job_board", "智联": "job_board",
           "前程无忧": "job_board", "猎聘": "headhunter"}


def _split(value: str) -> list[str]:
    return [p.strip() for p in clean_text(value).replace("，", ",").replace("、", ",").replace(";", ",").split(",") if p.strip()]


def validate_rows(*, headers: list[str], rows: list[list], first_row: int, mapping: dict[str, str], organization_id: int) -> list[RowResult]:
    columns = {field_name: int(index) for index, field_name in mapping.items() if field_name in FIELDS}
    positions = {clean_text(p.title).casefold(): p.pk for p in Position.objects.filter(organization_id=organization_id)}
    checks = {"phone": check_phone, "email": check_email, "id_number": check_id_number}
    results = []
    for offset, row in enumerate(rows):
        result = RowResult(row=first_row + offset)

        def value(name, row=row):
            index = columns.get(name)
            if index is None or index >= len(row):
                return ""
            return row[index]

        def problem(name, code, params=None, result=result):
            header = headers[columns[name]] if name in columns and columns[name] < len(headers) else ""
            result.issues.append({"column": header, "field": name, "code": code or "invalid", "params": params or {}})

        cleaned = {"full_name": clean_text(value("full_name"))[:200], "address": clean_text(value("address"))[:300]}
        if not cleaned["full_name"]:
            problem("full_name", "required")
        for name, check in checks.items():
            try:
                raw = value(name)
                cleaned[name] = check(str(raw) if raw is not None else "")
            except ValidationError as exc:
                length = len(clean_text(str(raw or "")).replace(" ", ""))
                problem(name, exc.code, {"n": length} if exc.code == "id_length" else None)
                cleaned[name] = ""
        try:
            applied = check_date(value("applied_on"))
            cleaned["applied_on"] = applied.isoformat() if applied else ""
        except ValidationError as exc:
            problem("applied_on", exc.code)
        source = clean_text(value("source"))
        cleaned["source"] = SOURCES.get(source, SOURCES.get(source.lower(), "import")) if source else "import"
        cleaned["tags"] = _split(str(value("tags") or ""))[:20]
        cleaned["skills"] = _split(str(value("skills") or ""))[:50]
        cleaned["stage"] = clean_text(value("stage"))[:100]
        title = clean_text(value("position"))
        cleaned["position_id"] = None
        if title:
            cleaned["position_id"] = positions.get(title.casefold())
            if cleaned["position_id"] is None:
                problem("position", "position", {"title": title[:50]})
        if not cleaned.get("phone") and not cleaned.get("email") and not cleaned.get("id_number") and not result.issues:
            result.issues.append({"column": "", "field": "", "code": "contact", "params": {}})
        result.cleaned = cleaned
        results.append(result)
    _mark_duplicates(results, organization_id=organization_id)
    return results


def _mark_duplicates(results: list[RowResult], *, organization_id: int) -> None:
    seen: dict[tuple[str, str], int] = {}
    wanted: dict[str, set[str]] = {"phone": set(), "email": set(), "id_number": set()}
    digests: dict[int, list[tuple[str, str]]] = {}
    for result in results:
        if result.issues:
            continue
        keys = []
        for kind in ("phone", "email", "id_number"):
            digest = blind_index(result.cleaned.get(kind, ""), kind=kind)
            if digest:
                keys.append((kind, digest))
        digests[result.row] = keys
        for key in keys:
            if key in seen and not result.duplicate_of:
                result.duplicate_of = {"row": seen[key]}
            seen.setdefault(key, result.row)
        for kind, digest in keys:
            wanted[kind].add(digest)
    existing: dict[tuple[str, str], int] = {}
    for kind, values in wanted.items():
        values = list(values)
        for start in range(0, len(values), 500):
            chunk = values[start : start + 500]
            rows = Candidate.objects.filter(organization_id=organization_id, **{f"{kind}_index__in": chunk}).values_list(f"{kind}_index", "pk")
            for digest, pk in rows:
                existing.setdefault((kind, digest), pk)
    for result in results:
        if result.issues or result.duplicate_of:
            continue
        for key in digests.get(result.row, []):
            if key in existing:
                result.duplicate_of = {"candidate": existing[key]}
                break
