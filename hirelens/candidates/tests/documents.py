"""Test documents generated on the fly: text PDFs (Chinese and English), a scanned PDF with no text,
an encrypted PDF, DOCX files, a zip bomb disguised as DOCX, and a PNG image."""

from __future__ import annotations

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

ZH_RESUME = [
    "张伟",
    "手机：138 0013 8000 | 邮箱：zhang.wei@example.com",
    "教育经历",
    "2015-2019 北京大学 计算机科学 本科",
    "2019.09-2022.06 清华大学 软件工程 硕士",
    "工作经历",
    "2022.07 - 至今 北京字节跳动科技有限公司 后端工程师",
    "2020-2022 阿里巴巴集团 实习生",
    "技能：Python, Django, PostgreSQL, 团队协作",
]
EN_RESUME = [
    "Emily Chen",
    "Phone: +86 139 0013 9006  Email: emily.chen@example.com",
    "Education",
    "Fudan University, Bachelor of Economics, 2016 - 2020",
    "Experience",
    "Acme Technologies Inc. | Sales Manager | 2020 - present",
    "Skills: Excel, CRM, negotiation, English",
]


def pdf_bytes(lines: list[str]) -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf)
    pdf.setFont("STSong-Light", 11)
    y = 800
    for line in lines:
        pdf.drawString(50, y, line)
        y -= 18
    pdf.save()
    return buf.getvalue()


def png_bytes(size=(120, 80)) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, "white")
    ImageDraw.Draw(image).rectangle([10, 10, size[0] - 10, 30], fill="black")
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def scanned_pdf_bytes() -> bytes:
    """A page that is only an image: what a scanner produces (no text layer)."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    pdf = canvas.Canvas(buf)
    pdf.drawImage(ImageReader(io.BytesIO(png_bytes((600, 800)))), 0, 0, width=595, height=842)
    pdf.save()
    return buf.getvalue()


def encrypted_pdf_bytes() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes(EN_RESUME))))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-256")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def docx_bytes(lines: list[str]) -> bytes:
    import docx

    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def zip_bomb_docx_bytes() -> bytes:
    """A small zip whose word/document.xml expands to 200 MB."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            block = b"0" * (1024 * 1024)
            for _ in range(200):
                member.write(block)
    return buf.getvalue()


def upload(data: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


class HugeUpload(io.BytesIO):
    """Claims to be 200 MB (as Django's upload handler reports) without allocating it."""

    name = "huge.pdf"
    size = 200 * 1024 * 1024
