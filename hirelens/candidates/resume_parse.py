"""Key fields of a Chinese or English resume from its extracted text.

The text is cut into sections by their headings (工作经历 / Experience / 教育背景 / Projects ...), then each
section into entries anchored on date ranges (``2019.07-至今``, ``2018/3 – 2020/5``, ``Jul 2019 – Present``).
Inside an entry the employer is told from the title by shape (company suffixes, title words), not by a list
of known companies, so 字节跳动 or 华润万家 are found like any other name. Conservative: a field it is unsure
of stays empty. Nothing here touches the database.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from .resume import DEFAULT_SKILLS, parse_figure
from .validation import id_number_valid, normalize_phone

CJK = "\u4e00-\u9fff"
PHONE_RE = re.compile(r"(?<![\d+])(?:(?:\+|00)?86[\s-]?)?1[3-9]\d(?:[\s-]?\d){8}(?!\d)")
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
ID_RE = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")

MONTHS = {m: i + 1 for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])}
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_POINT = (rf"(?:{_MONTH}\s*,?\s*(?:19|20)\d{{2}}"                       # Jul 2019
          r"|(?:0?[1-9]|1[0-2])\s*/\s*(?:19|20)\d{2}"                   # 07/2019
          r"|(?:19|20)\d{2}(?:\s*[./年-]\s*(?:0?[1-9]|1[0-2])(?!\d)\s*月?)?)")  # 2019, 2019.07, 2019年7月, 2019-07
_NOW = r"(?:至今|今|现在|目前|present|now|current|today)"
RANGE_RE = re.compile(rf"(?<![\w.])(?P<start>{_POINT})\s*(?:-|–|—|~|～|至|到|to|until)\s*(?:(?P<end>{_POINT})|(?P<now>{_NOW}))",
                      re.IGNORECASE)
YEAR_RE = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
LONE_YEAR_RE = re.compile(r"[(（]\s*(?:19|20)\d{2}\s*[)）]|(?:^|(?<=[\s,|]))(?:19|20)\d{2}\s*$")

HEADINGS = {
    "education": r"教育背景|教育经历|教育经验|学历|学历背景|education(?: background)?|academic background",
    "work": r"工作经历|工作经验|实习经历|实习经验|工作履历|职业经历|(?:work |professional |employment )?experience|employment(?: history)?|work history|internships?",
    "projects": r"项目经历|项目经验|主要项目|项目|projects?(?: experience)?|key projects|selected projects",
    "skills": r"专业技能|技能特长|技能|个人技能|skills?|technical skills|core skills|skills (?:&|and) (?:tools|interests)",
    "other": r"自我评价|个人评价|个人简介|个人信息|基本信息|联系方式|荣誉奖项|获奖情况|证书|语言能力|兴趣爱好|summary|profile|about me|objective|"
             r"awards?|honou?rs|certifications?|languages?|interests|contact|personal information",
}
HEADING_RES = [(key, re.compile(rf"^\s*(?:[■●◆▶#*\-\d.、 ]+\s*)?(?:{pattern})\s*[:：]?\s*$", re.IGNORECASE)) for key, pattern in HEADINGS.items()]

SCHOOL_RE = re.compile(
    rf"([{CJK}]{{2,20}}(?:大学|学院|学校|研究院)(?:[（(][{CJK}]{{2,6}}[）)])?"
    r"|(?:[A-Z][A-Za-z&.'-]*\s+){0,6}(?:University|College|Institute|School|Academy)(?:\s+(?:of|for|at)(?:\s+[A-Z][A-Za-z&.'-]*){1,5})?"
    r"|(?:MIT|UCLA|NYU|HKUST|CUHK|ETH Zurich))")
COMPANY_SUFFIX_RE = re.compile(
    rf"[{CJK}A-Za-z0-9()（）]{{2,30}}(?:有限责任公司|股份有限公司|有限公司|股份公司|分公司|公司|集团|银行|研究院|研究所|事务所|工作室|医院)"
    r"|[A-Z][A-Za-z0-9&.,'-]*(?:\s+[A-Z&][A-Za-z0-9&.,'-]*){0,6}\s+(?:Inc\.?|Ltd\.?|Limited|LLC|LLP|GmbH|Co\.,?\s*Ltd\.?|Corp\.?|Corporation|Company|Group|Technologies|Bank|Holdings|Consulting|Labs?)(?![A-Za-z])")
TITLE_WORDS = re.compile(
    r"工程师|经理|专员|总监|主管|主任|实习生|实习|助理|设计师|分析师|顾问|代表|负责人|架构师|开发|运营|产品|店长|组长|主管|总裁|会计|出纳|文员|教师|研究员|"
    r"科学家|编辑|策划|销售|采购|客服|HR|\b(?:Engineer|Manager|Intern|Analyst|Designer|Developer|Director|Lead|Leader|Consultant|Specialist|"
    r"Associate|Representative|Officer|Scientist|Architect|Head|President|Coordinator|Assistant|Accountant|Researcher|Programmer|"
    r"Administrator|Executive|Owner|Founder|Member|Teacher|Editor|Recruiter|Supervisor)s?\b", re.IGNORECASE)
WORK_LABEL_RE = re.compile(r"^(?:(?P<employer>公司名称|公司|工作单位|单位|Company|Employer)|(?P<title>职位|职务|岗位|Title|Position)|"
                           r"(?P<dates>时间|工作时间|在职时间|Dates?|Period))\s*[:：]\s*(?P<value>.+)$", re.IGNORECASE)
ROLE_RE = re.compile(r"^(?:角色|担任角色|职责|职位|Role|Position)\s*[:：]\s*(.+)$", re.IGNORECASE)
PROJECT_NAME_RE = re.compile(r"^(?:项目名称|项目|Project(?: name)?)\s*[:：]\s*(.+)$", re.IGNORECASE)
DEGREES = [
    ("doctorate", re.compile(r"博士|Ph\.?\s?D|Doctor(?:ate)?\b", re.IGNORECASE)),
    ("master", re.compile(r"硕士|研究生|\bMaster(?:'?s)?\b|\bMBA\b|\bM\.?S\.?c?\b(?=\W|$)|\bM\.?Eng\b|\bM\.A\.|\bMA\b", re.IGNORECASE)),
    ("bachelor", re.compile(r"本科|学士|\bBachelor(?:'?s)?\b|\bB\.?S\.?c?\b(?=\W|$)|\bB\.?A\.(?=\W|$)|\bBA\b|\bB\.?Eng\b|\bB\.?E\.(?=\W|$)", re.IGNORECASE)),
    ("associate", re.compile(r"大专|专科|\bAssociate(?:'s)? degree\b", re.IGNORECASE)),
]
DEGREE_WORDS = re.compile(
    r"[（(]?(?:在读|统招|全日制)[）)]?|博士研究生|硕士研究生|博士|硕士|研究生|本科|学士|大专|专科|"
    r"\b(?:Ph\.?\s?D\.?|Doctor(?:ate)? of|Master(?:'?s)?(?: of| degree| in)?|MBA|M\.?S\.?c?|M\.?Eng|M\.A\.|"
    r"Bachelor(?:'?s)?(?: of| degree| in)?|B\.?S\.?c?|B\.?A\.|BA|B\.?Eng|B\.E\.|Associate(?:'s)? degree(?: in)?)(?=\W|$)\.?(?:\s+(?:of|in)\b)?",
    re.IGNORECASE)
BULLET_RE = re.compile(r"^\s*(?:[•·●▪◦■\-*–]|\d{1,2}[.、)])\s*")
SEPARATORS = re.compile(r"\s*[|｜•·,，;；\t]\s*|\s{2,}|\s+(?:-|–|—|@)\s+|\s+at\s+")
NAME_LABEL_RE = re.compile(r"(?:^|\s)(?:姓\s*名|Name)\s*[:：]\s*([^\s|｜,，:：]+(?:\s[A-Z][a-z]+){0,3})", re.IGNORECASE)
TITLE_LINE_RE = re.compile(r"^(?:个人简历|简历|求职简历|resume|curriculum vitae|cv)$", re.IGNORECASE)
ZH_NAME_RE = re.compile(rf"^[{CJK}]\s?[{CJK}]{{1,3}}$")
EN_NAME_RE = re.compile(r"^[A-Z][a-zA-Z'-]+(?:\s+[A-Z][a-zA-Z'.-]*){1,3}$")


@dataclass
class ParsedResume:
    name: str = ""
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    id_numbers: list[str] = field(default_factory=list)
    education: list[dict] = field(default_factory=list)
    employers: list[dict] = field(default_factory=list)
    projects: list[dict] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "name": self.name, "phones": self.phones, "emails": self.emails, "id_numbers": self.id_numbers,
            "education": self.education, "employers": self.employers, "projects": self.projects, "skills": self.skills,
        }


def _unique(items):
    return list(dict.fromkeys(item for item in items if item))


def _normal(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("\u3000", " ").replace("\xa0", " ")
    return text.strip()


def _year_of(point: str) -> int | None:
    match = YEAR_RE.search(point or "")
    return int(match.group(0)) if match else None


def date_range(line: str) -> tuple[int | None, int | None, bool, tuple[int, int] | None]:
    """(start year, end year, current, span of the range in the line); a lone year counts as a start."""
    match = RANGE_RE.search(line)
    if match:
        return _year_of(match.group("start")), _year_of(match.group("end")), bool(match.group("now")), match.span()
    return None, None, False, None


def _strip_dates(line: str) -> str:
    line = RANGE_RE.sub(" ", line)
    line = LONE_YEAR_RE.sub(" ", line)
    line = re.sub(r"[（(]\s*[）)]", " ", line)
    return line


def _balanced(part: str) -> str:
    if part.startswith("(") and ")" not in part:
        part = part[1:]
    if part.endswith(")") and "(" not in part:
        part = part[:-1]
    return part.strip()


def _segments(text: str) -> list[str]:
    parts = [_balanced(p.strip(" :：-–—[]")) for p in SEPARATORS.split(text)]
    out = []
    for part in parts:
        if not part:
            continue
        # A space between Chinese words separates fields ("字节跳动 后端工程师"); Latin words keep theirs.
        out += [p for p in re.split(rf"(?<=[{CJK}）)])\s+(?=[{CJK}])", part) if p.strip()]
    return out


def _heading(line: str) -> str | None:
    if len(line) > 40:
        return None
    for key, pattern in HEADING_RES:
        if pattern.match(line):
            return key
    return None


def _sections(lines: list[str]) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {"head": []}
    current = "head"
    for line in lines:
        key = _heading(line)
        if key:
            current = key
            sections.setdefault(key, [])
            continue
        sections.setdefault(current, []).append(line)
    return sections


def _name(lines: list[str], text: str) -> str:
    labelled = NAME_LABEL_RE.search(text)
    if labelled:
        return labelled.group(1).strip()
    for line in lines[:6]:
        if _heading(line):
            break
        if TITLE_LINE_RE.match(line):
            continue
        for part in _segments(re.sub(r"(?:的)?(?:个人简历|简历|resume|CV)$", "", line, flags=re.IGNORECASE)):
            if PHONE_RE.search(part) or EMAIL_RE.search(part) or TITLE_WORDS.search(part):
                continue
            if ZH_NAME_RE.match(part):
                return part.replace(" ", "")
            if EN_NAME_RE.match(part) and not SCHOOL_RE.search(part) and not COMPANY_SUFFIX_RE.search(part):
                return part
    return ""


def _entries(lines: list[str], *, starts_entry, hard_start=None) -> list[list[str]]:
    """Cut a section into entries. When the section opens with a dated line, every dated line (or a
    ``hard_start`` line such as 项目名称：) opens an entry and what follows belongs to it ("字节跳动 | 2019.07 -
    至今" then the title below). Otherwise a dated line closes the header of an entry: up to three heading-like
    lines right before it (an employer or project name, a labelled 公司： line) belong to it."""
    entries: list[list[str]] = []
    if lines and date_range(lines[0])[3] is not None:
        for line in lines:
            if not entries or date_range(line)[3] is not None or (hard_start and hard_start(line)):
                entries.append([line])
            else:
                entries[-1].append(line)
        return entries
    pending: list[str] = []
    for line in lines:
        if date_range(line)[3] is not None:
            entries.append(pending + [line])
            pending = []
        elif starts_entry(line):
            pending.append(line)
            if len(pending) > 3:
                spilled = pending.pop(0)
                if entries:
                    entries[-1].append(spilled)
        elif pending:
            pending.append(line)
        elif entries:
            entries[-1].append(line)
        else:
            pending = [line]
    if pending:
        if entries and not starts_entry(pending[0]):
            entries[-1] += pending
        else:
            entries.append(pending)
    return entries


def _is_body(line: str) -> bool:
    return bool(BULLET_RE.match(line)) or len(line) > 60 or bool(re.search(r"[。；;]$", line))


def _split_title(seg: str) -> list[str]:
    """"华润万家 IT 工程师" → ["华润万家", "IT 工程师"]: a Chinese name followed by words that make a title."""
    tokens = seg.split()
    if len(tokens) < 2 or not re.match(rf"[{CJK}]", tokens[0]) or COMPANY_SUFFIX_RE.search(seg):
        return [seg]
    for i in range(1, len(tokens)):
        head, tail = " ".join(tokens[:i]), " ".join(tokens[i:])
        if not TITLE_WORDS.search(head) and TITLE_WORDS.search(tail):
            return [head, tail]
    return [seg]


def _company_and_title(segments: list[str]) -> tuple[str, str]:
    employer = title = ""
    rest = []
    segments = [part for seg in segments for part in _split_title(seg)]
    for seg in segments:
        company = COMPANY_SUFFIX_RE.search(seg)
        if company and not employer:
            employer = company.group(0).strip(" ,")
            leftover = (seg[: company.start()] + " " + seg[company.end():]).strip(" ,")
            if leftover:
                rest.append(leftover)
        else:
            rest.append(seg)
    titled = [s for s in rest if TITLE_WORDS.search(s)]
    if titled:
        title = titled[0]
    if not employer:
        others = [s for s in rest if s != title and not SCHOOL_RE.fullmatch(s)]
        employer = others[0] if others else ""
    if not title:
        others = [s for s in rest if s != employer]
        title = others[0] if others else ""
    return employer[:200], title[:100]


def _work(lines: list[str]) -> list[dict]:
    out = []
    for entry in _entries(lines, starts_entry=lambda line: not _is_body(line) and len(line) <= 40):
        head = [line for line in entry if not _is_body(line)][:4]
        labelled: dict[str, str] = {}
        for line in head:
            match = WORK_LABEL_RE.match(line)
            if match:
                key = next(k for k, v in match.groupdict().items() if v is not None and k != "value")
                labelled.setdefault(key, match.group("value").strip())
        dated = next((i for i, line in enumerate(head) if date_range(line)[3] is not None), None)
        if dated is None:
            continue
        start, end, current, _span = date_range(head[dated])
        if "employer" in labelled:
            employer = labelled["employer"]
            title = labelled.get("title") or ""
        else:
            own = _segments(_strip_dates(head[dated]))
            if len(own) >= 2:  # "2019.07-至今 字节跳动 工程师": the dated line says it all
                segments = own
            elif dated:  # the employer (or title) on its own line above the dates
                segments = [seg for line in head[:dated] for seg in _segments(_strip_dates(line))] + own
            else:  # "字节跳动 | 2019.07 - 至今" with the title on the next line
                segments = own + [seg for line in head[1:2] for seg in _segments(_strip_dates(line))]
            employer, title = _company_and_title(segments)
        if employer:
            out.append({"employer": employer[:200], "title": title[:100], "start_year": start, "end_year": end, "current": current})
    return out


def _education(lines: list[str]) -> list[dict]:
    out = []
    for i, line in enumerate(lines):
        school = SCHOOL_RE.search(line)
        if not school:
            continue
        context = [line] + [lines[j] for j in (i + 1,) if j < len(lines) and not SCHOOL_RE.search(lines[j])]
        start = end = None
        for text in ([line] + ([lines[i - 1]] if i and not SCHOOL_RE.search(lines[i - 1]) else []) + context[1:]):
            s, e, _now, span = date_range(text)
            if span:
                start, end = s, e
                break
        degree = ""
        for text in context:
            degree = next((key for key, pattern in DEGREES if pattern.search(text)), "")
            if degree:
                break
        major = ""
        for text in [line.replace(school.group(0), " "), *context[1:]]:
            rest = DEGREE_WORDS.sub(" ", _strip_dates(text))
            majors = [s for s in _segments(rest) if not YEAR_RE.search(s) and len(s) <= 40
                      and not re.fullmatch(r"(?:in|of|GPA.*|.*(?:在读|毕业))", s, re.I)]
            if majors:
                major = re.sub(r"^(?:专业|Major)\s*[:：]?\s*", "", majors[0], flags=re.IGNORECASE)
                major = re.split(r"\s+in\s+", major)[-1]
                break
        out.append({"school": school.group(0).strip(), "degree": degree, "major": major[:100], "start_year": start, "end_year": end})
    return out


def _projects(lines: list[str]) -> list[dict]:
    out = []
    starts = lambda line: bool(PROJECT_NAME_RE.match(line)) or (not _is_body(line) and len(line) <= 40  # noqa: E731
                                                                and not ROLE_RE.match(line) and parse_figure(line) is None)
    for entry in _entries(lines, starts_entry=starts, hard_start=lambda line: bool(PROJECT_NAME_RE.match(line))):
        name = role = ""
        start = end = None
        results, description = [], []
        for line in entry:
            body = BULLET_RE.sub("", line).strip()
            labelled_role = ROLE_RE.match(body)
            if labelled_role:
                role = role or labelled_role.group(1).strip()
                continue
            s, e, _now, span = date_range(line)
            if span and start is None:
                start, end = s, e
            if not name and not _is_body(line):
                named = PROJECT_NAME_RE.match(body)
                segments = _segments(_strip_dates(named.group(1) if named else body))
                if segments:
                    name = segments[0]
                    roles = [seg for seg in segments[1:] if TITLE_WORDS.search(seg) or "负责" in seg or "核心" in seg]
                    role = role or (roles[0] if roles else "")
                    continue
            figure = parse_figure(_strip_dates(body))
            if figure and figure["value"] and not YEAR_RE.fullmatch(figure["value"]):
                results.append(body)
            elif body:
                description.append(body)
        if name:
            out.append({"name": name[:200], "role": role[:100], "start_year": start, "end_year": end,
                        "results": results[:20], "description": "\n".join(description)[:4000]})
    return out


def _skill_pattern(term: str) -> re.Pattern:
    escaped = re.escape(term)
    if re.search(rf"[{CJK}]", term):
        return re.compile(escaped)
    return re.compile(r"(?<![A-Za-z0-9+#])" + escaped + r"(?![A-Za-z0-9+#])", re.IGNORECASE)


def parse_resume(text: str, *, skills: list[tuple[str, list[str]]] | None = None) -> ParsedResume:
    """Key fields of a Chinese or English resume; conservative: a field it is unsure of stays empty."""
    parsed = ParsedResume()
    text = _normal(text or "")
    lines = [_normal(line) for line in text.splitlines() if line.strip()]
    sections = _sections(lines)
    parsed.name = _name(lines, text)
    parsed.phones = _unique(normalize_phone(m) for m in PHONE_RE.findall(text))
    parsed.emails = _unique(m.lower() for m in EMAIL_RE.findall(text))
    parsed.id_numbers = _unique(m.upper() for m in ID_RE.findall(text) if id_number_valid(m.upper()))
    parsed.education = _education(sections.get("education") or lines)
    if "work" in sections:
        parsed.employers = _work(sections["work"])
    else:  # no heading: any dated line naming a company
        parsed.employers = [e for e in _work([line for line in lines if COMPANY_SUFFIX_RE.search(line)])]
    schools = {e["school"] for e in parsed.education}
    parsed.employers = [e for e in parsed.employers if e["employer"] not in schools]
    parsed.projects = _projects(sections.get("projects", []))
    dictionary = skills if skills is not None else DEFAULT_SKILLS
    for name, aliases in dictionary:
        if any(_skill_pattern(term).search(text) for term in [name, *aliases] if term):
            parsed.skills.append(name)
    return parsed
