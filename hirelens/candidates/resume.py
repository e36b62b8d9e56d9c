"""Resume and document files: recognise the type by content, extract text safely, parse key fields.

Nothing here touches the database: the services call it and store the results. Every refusal is a
``ValidationError`` with a message the user can act on.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .validation import id_number_valid, normalize_phone

MAX_RESUME_BYTES = 20 * 1024 * 1024
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
MAX_PDF_PAGES = 40
# A DOCX is a zip: refuse archives that would expand far beyond any real resume (zip bombs).
MAX_ZIP_TOTAL = 60 * 1024 * 1024
MAX_ZIP_RATIO = 150
MAX_ZIP_ENTRIES = 2000

PDF, DOCX, PNG, JPEG = "application/pdf", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "image/png", "image/jpeg"
EXTENSIONS = {PDF: "pdf", DOCX: "docx", PNG: "png", JPEG: "jpg"}


def sniff(head: bytes) -> str:
    """The content type by magic bytes; the file name is never trusted."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return "application/zip"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    return ""


def read_upload(upload, *, max_bytes: int) -> bytes:
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(_("文件过大：最大 %(mb)s MB。") % {"mb": max_bytes // (1024 * 1024)}, code="too_large")
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValidationError(_("文件过大：最大 %(mb)s MB。") % {"mb": max_bytes // (1024 * 1024)}, code="too_large")
    if not data:
        raise ValidationError(_("文件是空的（0 字节）。"), code="empty")
    return data


def _check_zip(data: bytes) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        raise ValidationError(_("DOCX 文件已损坏，无法打开。"), code="corrupt") from None
    total = sum(info.file_size for info in infos)
    compressed = max(1, sum(info.compress_size for info in infos))
    if len(infos) > MAX_ZIP_ENTRIES or total > MAX_ZIP_TOTAL or total / compressed > MAX_ZIP_RATIO:
        raise ValidationError(_("DOCX 文件解压后异常巨大（疑似压缩炸弹），已拒绝。"), code="zip_bomb")
    if "word/document.xml" not in {info.filename for info in infos}:
        raise ValidationError(_("不支持的文件类型：请上传 PDF 或 DOCX。"), code="type")
    return archive


def detect_type(data: bytes, *, allowed: tuple[str, ...]) -> str:
    kind = sniff(data[:16])
    if kind == "application/zip":
        _check_zip(data)
        kind = DOCX
    if kind in (PNG, JPEG) and kind not in allowed:
        raise ValidationError(_("这是一张图片而不是 PDF 或 DOCX 文件，请上传简历原文件。"), code="image")
    if kind not in allowed:
        raise ValidationError(_("不支持的文件类型：请上传 PDF 或 DOCX。"), code="type")
    return kind


@dataclass
class Extracted:
    content_type: str
    text: str

    @property
    def has_text(self) -> bool:
        return bool(self.text.strip())


def extract_pdf(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except Exception:  # noqa: BLE001 - pypdf raises several types for unsupported ciphers
                opened = 0
            if not opened:
                raise ValidationError(_("PDF 已加密（需要密码），无法读取，请上传未加密的版本。"), code="encrypted")
        parts = []
        for page in reader.pages[:MAX_PDF_PAGES]:
            parts.append(page.extract_text() or "")
        return "\n".join(parts)
    except ValidationError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, RecursionError, AssertionError):
        raise ValidationError(_("PDF 文件已损坏，无法读取。"), code="corrupt") from None


def extract_docx(data: bytes) -> str:
    import docx

    _check_zip(data)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - python-docx surfaces lxml/zip/KeyError failures
        raise ValidationError(_("DOCX 文件已损坏，无法打开。"), code="corrupt") from None
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def extract_resume(data: bytes) -> Extracted:
    kind = detect_type(data, allowed=(PDF, DOCX))
    text = extract_pdf(data) if kind == PDF else extract_docx(data)
    return Extracted(content_type=kind, text=text.replace("\x00", ""))


# --- Parsing ------------------------------------------------------------------------------------

DEFAULT_SKILLS = [
    ("Python", []), ("Java", []), ("Go", ["Golang"]), ("JavaScript", ["JS"]), ("TypeScript", []), ("React", []),
    ("Vue", ["Vue.js"]), ("Django", []), ("SQL", []), ("PostgreSQL", ["Postgres"]), ("MySQL", []), ("Redis", []),
    ("Docker", []), ("Kubernetes", ["K8s"]), ("Linux", []), ("C++", []), ("Excel", []), ("PowerPoint", ["PPT"]),
    ("销售", ["Sales"]), ("客户关系管理", ["CRM"]), ("商务谈判", ["谈判", "Negotiation"]), ("数据分析", ["Data analysis"]),
    ("机器学习", ["Machine learning"]), ("项目管理", ["Project management", "PMP"]), ("团队协作", ["Teamwork"]),
    ("沟通能力", ["沟通", "Communication"]), ("英语", ["English", "CET-6", "CET-4"]), ("市场营销", ["Marketing"]),
]

PHONE_RE = re.compile(r"(?<![\d+])(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d){8}(?!\d)")
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
ID_RE = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})(?:[./年-]\s*\d{1,2}月?)?")
RANGE_RE = re.compile(
    r"(?<!\d)((?:19|20)\d{2})(?:[./年]\s*\d{1,2}月?)?\s*(?:-|–|—|~|至|to)\s*(?:((?:19|20)\d{2})(?:[./年]\s*\d{1,2}月?)?|(至今|现在|今|present|now|current))",
    re.IGNORECASE,
)
SCHOOL_RE = re.compile(r"([\u4e00-\u9fa5]{2,20}(?:大学|学院|学校)|[A-Z][A-Za-z&.' -]{1,60}(?:University|College|Institute(?: of [A-Z][a-z]+)*|School)(?: of [A-Z][A-Za-z ]+)?)")
COMPANY_RE = re.compile(
    r"([\u4e00-\u9fa5A-Za-z0-9（）()]{2,30}(?:有限公司|股份公司|公司|集团|银行|研究院)|[A-Z][A-Za-z0-9&.,' -]{1,60}\b(?:Inc\.?|Ltd\.?|LLC|Co\.,? Ltd\.?|Corp\.?|Corporation|Company|Group|Technologies|Bank))"
)
DEGREES = [
    ("doctorate", re.compile(r"博士|Ph\.?D|Doctor", re.IGNORECASE)),
    ("master", re.compile(r"硕士|研究生|Master|MBA|M\.S\.|MSc", re.IGNORECASE)),
    ("bachelor", re.compile(r"本科|学士|Bachelor|B\.S\.|BSc|B\.A\.", re.IGNORECASE)),
    ("associate", re.compile(r"大专|专科|Associate", re.IGNORECASE)),
]


@dataclass
class ParsedResume:
    name: str = ""
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    id_numbers: list[str] = field(default_factory=list)
    education: list[dict] = field(default_factory=list)
    employers: list[dict] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "name": self.name, "phones": self.phones, "emails": self.emails, "id_numbers": self.id_numbers,
            "education": self.education, "employers": self.employers, "skills": self.skills,
        }


def _unique(items):
    seen, out = set(), []
    for item in items:
        if item and item not in seen:
            seen.add(item)
            out.append(item)
    return out


def _years(line: str) -> tuple[int | None, int | None, bool]:
    match = RANGE_RE.search(line)
    if match:
        start = int(match.group(1))
        end = int(match.group(2)) if match.group(2) else None
        return start, end, bool(match.group(3))
    years = [int(y) for y in YEAR_RE.findall(line)]
    if years:
        return min(years), (max(years) if len(years) > 1 else None), False
    return None, None, False


def _skill_pattern(term: str) -> re.Pattern:
    escaped = re.escape(term)
    if re.search(r"[\u4e00-\u9fff]", term):
        return re.compile(escaped)
    return re.compile(r"(?<![A-Za-z0-9+#])" + escaped + r"(?![A-Za-z0-9+#])", re.IGNORECASE)


def parse_resume(text: str, *, skills: list[tuple[str, list[str]]] | None = None) -> ParsedResume:
    """Key fields of a Chinese or English resume; conservative: a field it is unsure of stays empty."""
    parsed = ParsedResume()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if lines:
        first = re.sub(r"^(姓名|Name)\s*[:：]\s*", "", lines[0], flags=re.IGNORECASE)
        first = re.split(r"\s*[|｜]\s*", first)[0].strip()
        if 1 < len(first) <= 30 and not re.search(r"[\d@:：]", first) and not re.search(r"简历|resume|curriculum", first, re.IGNORECASE):
            parsed.name = first
    parsed.phones = _unique(normalize_phone(m) for m in PHONE_RE.findall(text))
    parsed.emails = _unique(m.lower() for m in EMAIL_RE.findall(text))
    parsed.id_numbers = _unique(m.upper() for m in ID_RE.findall(text) if id_number_valid(m.upper()))
    for line in lines:
        school = SCHOOL_RE.search(line)
        if school:
            start, end, _current = _years(line)
            degree = next((key for key, pattern in DEGREES if pattern.search(line)), "")
            parsed.education.append({"school": school.group(1).strip(), "degree": degree, "start_year": start, "end_year": end})
            continue
        company = COMPANY_RE.search(line)
        if company:
            start, end, current = _years(line)
            if start is None:
                continue
            rest = line.replace(company.group(1), " ")
            rest = RANGE_RE.sub(" ", rest)
            title = re.sub(r"^[\s|｜,，/·:：-]+|[\s|｜,，/·:：-]+$", "", re.sub(r"\s+", " ", rest))
            parsed.employers.append({"employer": company.group(1).strip(" ,"), "title": title[:100], "start_year": start,
                                     "end_year": end, "current": current})
    dictionary = skills if skills is not None else DEFAULT_SKILLS
    for name, aliases in dictionary:
        if any(_skill_pattern(term).search(text) for term in [name, *aliases] if term):
            parsed.skills.append(name)
    return parsed


# --- Figures ("project revenue 10M") ----------------------------------------------------------------

FIGURE_RE = re.compile(
    r"(?P<cur>[$¥￥])?\s*(?P<num>\d+(?:[.,]\d+)*)\s*(?P<mult>亿|万|千|百万|[kKmMbB](?![a-zA-Z]))?\s*(?P<unit>%|元|人民币|美元|人|个|次|天|小时|users?|customers?|people|CNY|RMB|USD)?",
)
MULTIPLIERS = {"亿": 10**8, "万": 10**4, "千": 10**3, "百万": 10**6, "k": 10**3, "m": 10**6, "b": 10**9}
UNITS = {"元": "CNY", "人民币": "CNY", "rmb": "CNY", "cny": "CNY", "¥": "CNY", "￥": "CNY", "美元": "USD", "usd": "USD", "$": "USD",
         "%": "%", "人": "people", "people": "people", "user": "users", "users": "users", "customer": "customers",
         "customers": "customers", "个": "items", "次": "times", "天": "days", "小时": "hours"}


def parse_figure(text: str) -> dict | None:
    """``项目营收 1000万元`` → label 项目营收, value 10000000, unit CNY; ``revenue 10M`` → 10000000."""
    text = (text or "").strip()
    match = None
    for candidate in FIGURE_RE.finditer(text):
        if candidate.group("num"):
            match = candidate
            break
    if match is None:
        return None
    try:
        value = Decimal(match.group("num").replace(",", ""))
    except InvalidOperation:
        return None
    mult = match.group("mult")
    if mult:
        value *= MULTIPLIERS[mult.lower()]
    unit_token = match.group("unit") or match.group("cur") or ""
    unit = UNITS.get(unit_token.lower(), UNITS.get(unit_token, ""))
    label = re.sub(r"[\s:：,，]+$", "", text[: match.start()]).strip() or text[match.end():].strip(" :：,，")
    value = value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()
    return {"label": label[:100], "value": str(value), "unit": unit, "text": text[:200]}
