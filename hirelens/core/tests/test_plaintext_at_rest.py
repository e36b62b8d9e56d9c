"""S2: no plaintext of a stored personal value or file in the SQLite file, a PostgreSQL dump, or storage."""

import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection

from hirelens.candidates.services import candidate_create
from hirelens.core.testing import live_file_bytes

SECRETS = {
    "name": "欧阳娜娜PlaintextName",
    "phone": "13987654321",
    "email": "nana.ouyang.secret@example.com",
    "id_number": "11010519491231002X",
    "file": b"RESUME-PLAINTEXT-MARKER",
}


def _resume_pdf() -> bytes:
    """An uncompressed PDF, so the marker would be visible in the stored bytes if they were not encrypted."""
    import io

    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pageCompression=0)
    pdf.drawString(50, 800, "RESUME-PLAINTEXT-MARKER 13987654321 nana.ouyang.secret@example.com")
    pdf.save()
    data = buffer.getvalue()
    assert SECRETS["file"] in data
    return data


def _store(hr_admin):
    return candidate_create(
        actor=hr_admin, full_name=SECRETS["name"], phone=SECRETS["phone"], email=SECRETS["email"],
        id_number=SECRETS["id_number"], resume=ContentFile(_resume_pdf(), name="resume.pdf"),
    )


def _assert_absent(blob: bytes, where: str):
    for key, value in SECRETS.items():
        needle = value if isinstance(value, bytes) else value.encode()
        assert needle not in blob, f"plaintext {key} found in {where}"


def _media_blob() -> bytes:
    return b"".join(p.read_bytes() for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file())


@pytest.mark.django_db(transaction=True)
def test_no_plaintext_in_database_or_storage(hr_admin):
    candidate = _store(hr_admin)
    candidate.refresh_from_db()
    assert candidate.resume.name
    if connection.vendor == "sqlite":
        connection.close()  # checkpoint nothing away: read the main file and the WAL
        db_path = Path(settings.DATABASES["default"]["NAME"])
        blob = b"".join(live_file_bytes(p) for p in db_path.parent.glob(db_path.name + "*"))
        assert len(blob) > 10000
        _assert_absent(blob, "the SQLite database")
    else:
        db = connection.settings_dict
        dump = subprocess.run(
            ["pg_dump", "-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432), "-U", db["USER"] or "postgres", db["NAME"]],
            check=True, capture_output=True,
        ).stdout
        assert b"candidates_candidate" in dump and b"hl1:dev1:" in dump
        _assert_absent(dump, "the PostgreSQL dump")
    media = _media_blob()
    assert b"HLEF" in media
    _assert_absent(media, "file storage")
    # ...and the application still reads it all back.
    candidate.refresh_from_db()
    with candidate.resume.open("rb") as handle:
        assert SECRETS["file"] in handle.read()
