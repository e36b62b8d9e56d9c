import base64
import io
import os

import pytest
from django.core.exceptions import FieldError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command

from hirelens.candidates.models import Candidate
from hirelens.candidates.tests.factories import CandidateFactory
from hirelens.core import crypto
from hirelens.core.storage import DEFAULT_CHUNK, EncryptedStorage

NEW_KEY = ("k2", os.urandom(32))


def test_value_roundtrip_and_format(settings):
    token = crypto.encrypt_str("张三 13800138000", context="t.c")
    assert token.startswith("hl1:dev1:")
    assert "张三" not in token and "13800138000" not in token
    assert crypto.decrypt_str(token, context="t.c") == "张三 13800138000"
    assert crypto.encrypt_str("x", context="t.c") != crypto.encrypt_str("x", context="t.c")  # random nonce


def test_ciphertext_bound_to_its_column():
    token = crypto.encrypt_str("secret", context="candidates_candidate.phone")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_str(token, context="candidates_candidate.email")


def test_tampered_ciphertext_is_refused():
    token = crypto.encrypt_str("secret", context="t.c")
    prefix, kid, body = token.split(":")
    raw = bytearray(base64.b64decode(body))
    raw[-1] ^= 1
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_str(f"{prefix}:{kid}:{base64.b64encode(bytes(raw)).decode()}", context="t.c")


def test_unknown_key_id_is_refused(settings):
    token = crypto.encrypt_str("secret", context="t.c")
    settings.ENCRYPTION_KEYS = [NEW_KEY]
    with pytest.raises(crypto.DecryptionError, match="unknown encryption key id 'dev1'"):
        crypto.decrypt_str(token, context="t.c")


@pytest.mark.parametrize(
    ("kind", "a", "b"),
    [("phone", "+86 138-0013-8000", "13800138000"), ("email", " Zhang@Example.COM", "zhang@example.com"),
     ("id_number", "11010519491231002x", "11010519491231002X")],
)
def test_blind_index_normalises(kind, a, b):
    assert crypto.blind_index(a, kind=kind) == crypto.blind_index(b, kind=kind)
    assert len(crypto.blind_index(a, kind=kind)) == 64


def test_blind_index_depends_on_key_and_kind(settings):
    first = crypto.blind_index("13800138000", kind="phone")
    assert first != crypto.blind_index("13800138000", kind="text")
    settings.BLIND_INDEX_KEY = os.urandom(32)
    assert crypto.blind_index("13800138000", kind="phone") != first


@pytest.mark.django_db
def test_encrypted_field_and_blind_index_lookup(org):
    candidate = CandidateFactory(organization=org, full_name="李雷", phone="+86 139 1234 5678")
    fresh = Candidate.objects.get(pk=candidate.pk)
    assert fresh.full_name == "李雷"
    assert Candidate.objects.filter(phone_index=crypto.blind_index("13912345678", kind="phone")).get() == candidate
    with pytest.raises(FieldError):
        list(Candidate.objects.filter(full_name__icontains="李"))  # ciphertext cannot be searched


def _storage(tmp_path, chunk=DEFAULT_CHUNK):
    return EncryptedStorage(inner=FileSystemStorage(location=tmp_path), chunk_size=chunk)


@pytest.mark.parametrize("size", [0, 1, 1023, 1024, 1025, 5000])
def test_storage_roundtrip_sizes(tmp_path, size):
    storage = _storage(tmp_path, chunk=1024)
    data = os.urandom(size)
    name = storage.save("rec/a.webm", ContentFile(data))
    assert storage.size(name) == size
    with storage.open(name) as handle:
        assert handle.read() == data
    assert (tmp_path / name).read_bytes()[:4] == b"HLEF"


def test_storage_streams_large_file_in_chunks(tmp_path):
    storage = _storage(tmp_path)
    pattern = b"HireLens-recording-plaintext-marker " * 32
    total = 12 * 1024 * 1024

    class Source(io.RawIOBase):
        produced = 0
        biggest_read = 0

        def readable(self):
            return True

        def readinto(self, buffer):
            Source.biggest_read = max(Source.biggest_read, len(buffer))
            count = min(len(buffer), total - Source.produced)
            start = Source.produced % len(pattern)
            block = (pattern * (len(buffer) // len(pattern) + 2))[start:start + count]
            buffer[:count] = block
            Source.produced += count
            return count

    name = storage.save("big.bin", Source())
    assert Source.produced == total
    assert Source.biggest_read <= DEFAULT_CHUNK  # never asked for the whole file at once
    raw = (tmp_path / name).read_bytes()
    assert b"HireLens-recording-plaintext-marker" not in raw
    assert storage.size(name) == total
    with storage.open(name) as handle:
        handle.seek(5 * 1024 * 1024 + 17)
        piece = handle.read(100)
    offset = (5 * 1024 * 1024 + 17) % len(pattern)
    assert piece == (pattern * 3)[offset:offset + 100]


def test_storage_detects_truncation_and_tampering(tmp_path):
    storage = _storage(tmp_path, chunk=1024)
    name = storage.save("x.bin", ContentFile(os.urandom(4000)))
    path = tmp_path / name
    blob = path.read_bytes()
    path.write_bytes(blob[: -(1024 + 16)])  # drop the final chunk
    with pytest.raises(crypto.DecryptionError), storage.open(name) as handle:
        handle.read()
    tampered = bytearray(blob)
    tampered[100] ^= 0xFF
    path.write_bytes(bytes(tampered))
    with pytest.raises(crypto.DecryptionError), storage.open(name) as handle:
        handle.read()


@pytest.mark.django_db
def test_rotation_reencrypts_values_and_files(settings, org, tmp_path):
    candidate = CandidateFactory(organization=org, full_name="韩梅梅", phone="13700000001")
    candidate.resume.save("cv.pdf", ContentFile(b"%PDF-1.4 resume of Han Meimei"), save=True)
    from django.core.files.storage import default_storage

    assert default_storage.key_id(candidate.resume.name) == "dev1"
    settings.ENCRYPTION_KEYS = [NEW_KEY, *settings.ENCRYPTION_KEYS]
    out = io.StringIO()
    call_command("encryption_rotate", stdout=out)
    assert "Re-encrypted" in out.getvalue()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT full_name, phone FROM candidates_candidate WHERE id = %s", [candidate.pk])
        name_token, phone_token = cursor.fetchone()
    assert crypto.parse_kid(name_token) == "k2" and crypto.parse_kid(phone_token) == "k2"
    assert default_storage.key_id(candidate.resume.name) == "k2"
    settings.ENCRYPTION_KEYS = [NEW_KEY]  # the old key is gone: everything must still read
    fresh = Candidate.objects.get(pk=candidate.pk)
    assert (fresh.full_name, fresh.phone) == ("韩梅梅", "13700000001")
    with fresh.resume.open("rb") as handle:
        assert handle.read() == b"%PDF-1.4 resume of Han Meimei"
