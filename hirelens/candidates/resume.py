"""Resume and document files: recognise the type by content, extract text safely, parse key fields.

Nothing here touches the database: the services call it and store the results. Every refusal is a
``ValidationError`` with a message the user can act on.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

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
    return "\n".join(_docx_lines(document))


def _docx_lines(document) -> list[str]:
    """Paragraphs and tables in the order they appear. A table row of one-line cells reads as one line
    ("2019.07-至今 | 字节跳动 | 工程师"); a layout table (a column per cell, several paragraphs each) reads
    cell by cell, so a two-column resume keeps its sections whole."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    lines = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(child, document).text)
        elif tag == "tbl":
            for row in Table(child, document).rows:
                cells, seen = [], set()
                for cell in row.cells:
                    if id(cell._tc) not in seen:
                        seen.add(id(cell._tc))
                        cells.append(cell)
                texts = [cell.text.strip() for cell in cells]
                if all("\n" not in t for t in texts):
                    lines.append(" | ".join(t for t in texts if t))
                else:
                    for t in texts:
                        lines.extend(t.splitlines())
    return lines


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

def parse_resume(text: str, *, skills: list[tuple[str, list[str]]] | None = None):
    """See ``resume_parse.parse_resume`` (kept here for the callers of this module)."""
    from .resume_parse import parse_resume as parse

    return parse(text, skills=skills)


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
