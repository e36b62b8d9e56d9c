"""Encrypted file storage: every file is AES-256-GCM encrypted in fixed-size chunks on its way in.

Layout of a stored object::

    b"HLEF" | version (1) | kid length (1) | kid | nonce prefix (7) | chunk size (4, big-endian)
    chunk 0 ciphertext+tag | chunk 1 ... | final chunk (possibly empty)

Each chunk's nonce is ``prefix || counter (4) || final flag (1)`` and the header is the associated
data, so chunks cannot be reordered, dropped, truncated or moved between files undetected. Encryption
and decryption stream: a multi-gigabyte recording never sits in memory, and ``seek`` jumps to the
chunk that holds an offset (for HTTP range requests on recordings).
"""

from __future__ import annotations

import functools
import io
import os
import struct
import threading

from cryptography.exceptions import InvalidTag
from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property

from . import crypto

MAGIC = b"HLEF"
VERSION = 1
TAG_BYTES = 16
DEFAULT_CHUNK = 64 * 1024


def _header(kid: str, prefix: bytes, chunk_size: int) -> bytes:
    kid_bytes = kid.encode("ascii")
    return MAGIC + bytes([VERSION, len(kid_bytes)]) + kid_bytes + prefix + struct.pack(">I", chunk_size)


def _nonce(prefix: bytes, index: int, final: bool) -> bytes:
    return prefix + struct.pack(">I", index) + (b"\x01" if final else b"\x00")


def plaintext_size(ciphertext_size: int, header_size: int, chunk_size: int) -> int:
    body = ciphertext_size - header_size
    full = chunk_size + TAG_BYTES
    chunks = max(1, -(-body // full))
    return body - TAG_BYTES * chunks


class EncryptingReader(io.RawIOBase):
    """Reads plaintext from ``source`` and yields the encrypted object, chunk by chunk."""

    def __init__(self, source, *, chunk_size: int = DEFAULT_CHUNK):
        ring = crypto.keyring()
        self._aead = ring.aead(ring.active_kid)
        self._prefix = os.urandom(7)
        self._header = _header(ring.active_kid, self._prefix, chunk_size)
        self._source = source
        self._chunk_size = chunk_size
        self._buffer = bytearray(self._header)
        self._index = 0
        self._pending = self._read_plain()
        self._done = False
        self._position = 0

    def _read_plain(self) -> bytes:
        parts, wanted = [], self._chunk_size
        while wanted:
            piece = self._source.read(wanted)
            if not piece:
                break
            if isinstance(piece, str):
                piece = piece.encode("utf-8")
            parts.append(piece)
            wanted -= len(piece)
        return b"".join(parts)

    def _fill(self, size: int) -> None:
        while len(self._buffer) < size and not self._done:
            following = self._read_plain() if len(self._pending) == self._chunk_size else b""
            final = not following
            nonce = _nonce(self._prefix, self._index, final)
            self._buffer += self._aead.encrypt(nonce, self._pending, self._header)
            self._index += 1
            self._pending = following
            self._done = final

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def tell(self) -> int:
        return self._position

    def seek(self, offset, whence=io.SEEK_SET):
        # Storage backends rewind before writing; only a no-op rewind is possible on a stream.
        if offset == 0 and whence == io.SEEK_SET and self._position == 0:
            return 0
        raise io.UnsupportedOperation("an encrypting stream can only be read forward")

    def readinto(self, target) -> int:
        self._fill(len(target))
        count = min(len(target), len(self._buffer))
        target[:count] = self._buffer[:count]
        del self._buffer[:count]
        self._position += count
        return count


class DecryptingReader(io.RawIOBase):
    """Plaintext view of an encrypted object; seekable when the underlying file is."""

    def __init__(self, raw):
        self._raw = raw
        head = self._read_exact(6)
        if len(head) < 6 or head[:4] != MAGIC or head[4] != VERSION:
            raise crypto.DecryptionError("not a HireLens encrypted file")
        kid_bytes, self._prefix, size = self._read_exact(head[5]), self._read_exact(7), self._read_exact(4)
        if len(kid_bytes) < head[5] or not kid_bytes.isascii() or len(self._prefix) < 7 or len(size) < 4:
            raise crypto.DecryptionError("encrypted file header is damaged or truncated")
        kid = kid_bytes.decode("ascii")
        (self._chunk_size,) = struct.unpack(">I", size)
        self._header = head + kid.encode("ascii") + self._prefix + struct.pack(">I", self._chunk_size)
        self._aead = crypto.keyring().aead(kid)
        self.kid = kid
        self._index = 0
        self._plain = b""
        self._plain_offset = 0
        self._position = 0
        self._eof = False
        self._lookahead = b""

    def _read_exact(self, size: int) -> bytes:
        parts, wanted = [], size
        while wanted:
            piece = self._raw.read(wanted)
            if not piece:
                break
            parts.append(piece)
            wanted -= len(piece)
        return b"".join(parts)

    def _next_chunk(self) -> None:
        full = self._chunk_size + TAG_BYTES
        sealed = self._lookahead + self._read_exact(full - len(self._lookahead))
        self._lookahead = self._read_exact(1)
        final = not self._lookahead
        if len(sealed) < TAG_BYTES:
            raise crypto.DecryptionError("encrypted file is truncated")
        try:
            self._plain = self._aead.decrypt(_nonce(self._prefix, self._index, final), sealed, self._header)
        except InvalidTag as exc:
            raise crypto.DecryptionError("encrypted file failed authentication (tampered or truncated)") from exc
        self._plain_offset = 0
        self._index += 1
        self._eof = final

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        try:
            return self._raw.seekable()
        except AttributeError:
            return False

    def tell(self) -> int:
        return self._position

    def seek(self, offset, whence=io.SEEK_SET):
        if whence == io.SEEK_CUR:
            offset += self._position
        elif whence == io.SEEK_END:
            offset += self.plaintext_size()
        if offset == self._position:
            return offset
        if not self.seekable():
            raise io.UnsupportedOperation("underlying file is not seekable")
        if offset >= self.plaintext_size():
            self._position, self._plain, self._plain_offset, self._eof = self.plaintext_size(), b"", 0, True
            return self._position
        index, within = divmod(max(0, offset), self._chunk_size)
        self._raw.seek(len(self._header) + index * (self._chunk_size + TAG_BYTES))
        self._index, self._lookahead, self._eof, self._plain = index, b"", False, b""
        self._next_chunk()
        self._plain_offset = min(within, len(self._plain))
        self._position = index * self._chunk_size + self._plain_offset
        return self._position

    def plaintext_size(self) -> int:
        if not hasattr(self, "_size"):
            if not self.seekable():
                raise io.UnsupportedOperation("size of a non-seekable encrypted stream is unknown")
            current = self._raw.tell()
            self._raw.seek(0, io.SEEK_END)
            self._size = plaintext_size(self._raw.tell(), len(self._header), self._chunk_size)
            self._raw.seek(current)
        return self._size

    def readinto(self, target) -> int:
        """Fills ``target`` across chunks and stops short only at the end, as a file does (a raw stream may return
        less, but callers that read once, like a range answer or a backup, should not get a piece of what they asked)."""
        total = 0
        while total < len(target):
            while self._plain_offset >= len(self._plain):
                if self._eof:
                    return total
                self._next_chunk()
            count = min(len(target) - total, len(self._plain) - self._plain_offset)
            target[total : total + count] = self._plain[self._plain_offset : self._plain_offset + count]
            self._plain_offset += count
            self._position += count
            total += count
        return total

    def close(self) -> None:
        try:
            self._raw.close()
        finally:
            super().close()


_S3_SESSIONS: dict = {}
_S3_LOCK = threading.Lock()


@functools.cache
def _s3_storage_class():
    from storages.backends.s3 import S3Storage

    class SharedSessionS3Storage(S3Storage):
        """django-storages keeps one boto3 connection per thread, each made from a new boto3 Session that loads
        botocore's service models again: ~220 ms of CPU. Under ASGI each request's sync code runs in a thread of its
        own, so every upload piece paid that (make test-deploy measured 250 ms of web CPU per piece). One Session per
        process and credentials (botocore caches the models in it) makes a thread's connection cost ~9 ms; the lock
        because a boto3 Session is not thread-safe."""

        def _create_session(self):
            key = (self.session_profile, self.access_key, self.secret_key, self.security_token)
            if key not in _S3_SESSIONS:
                _S3_SESSIONS[key] = super()._create_session()
            return _S3_SESSIONS[key]

        @property
        def connection(self):
            connection = getattr(self._connections, "connection", None)
            if connection is None:
                with _S3_LOCK:
                    connection = S3Storage.connection.fget(self)
            return connection

    return SharedSessionS3Storage


def _inner_storage() -> Storage:
    config = settings.STORAGE_CONFIG
    if config.backend == "s3":
        S3Storage = _s3_storage_class()  # noqa: N806  (imported only when S3 is configured)

        return S3Storage(
            bucket_name=config.s3_bucket,
            endpoint_url=config.s3_endpoint_url,
            region_name=config.s3_region,
            access_key=config.s3_access_key,
            secret_key=config.s3_secret_key,
            file_overwrite=False,
            default_acl=None,
            querystring_auth=True,
        )
    return FileSystemStorage(location=settings.MEDIA_ROOT, base_url=None)


@deconstructible
class EncryptedStorage(Storage):
    """Wraps the configured disk or S3 storage; files are never written or served in clear."""

    def __init__(self, inner: Storage | None = None, chunk_size: int = DEFAULT_CHUNK):
        self._given_inner = inner
        self.chunk_size = chunk_size

    @cached_property
    def inner(self) -> Storage:
        return self._given_inner or _inner_storage()

    def _open(self, name, mode="rb"):
        if "w" in mode or "a" in mode or "+" in mode:
            raise ValueError("encrypted files are written with save(), not opened for writing")
        raw = self.inner.open(name, "rb")
        reader = io.BufferedReader(DecryptingReader(raw), buffer_size=self.chunk_size)
        return File(reader, name=name)

    def _save(self, name, content):
        if hasattr(content, "seek"):
            try:
                content.seek(0)
            except (OSError, ValueError, io.UnsupportedOperation):
                pass
        stream = io.BufferedReader(EncryptingReader(content, chunk_size=self.chunk_size), buffer_size=self.chunk_size)
        return self.inner.save(name, File(stream, name=name), max_length=None)

    def get_available_name(self, name, max_length=None):
        return self.inner.get_available_name(name, max_length=max_length)

    def get_valid_name(self, name):
        return self.inner.get_valid_name(name)

    def delete(self, name):
        return self.inner.delete(name)

    def exists(self, name):
        return self.inner.exists(name)

    def listdir(self, path):
        return self.inner.listdir(path)

    def size(self, name):
        with self.inner.open(name, "rb") as raw:
            head = raw.read(6)
            kid_len = head[5] if len(head) == 6 else 0
            rest = raw.read(kid_len + 7 + 4)
        chunk_size = struct.unpack(">I", rest[-4:])[0]
        return plaintext_size(self.inner.size(name), 6 + len(rest), chunk_size)

    def url(self, name):
        raise NotImplementedError("encrypted files are served only through access-checked views")

    def path(self, name):
        raise NotImplementedError("encrypted files have no plaintext path on disk")

    def get_modified_time(self, name):
        return self.inner.get_modified_time(name)

    def get_created_time(self, name):
        return self.inner.get_created_time(name)

    def get_accessed_time(self, name):
        return self.inner.get_accessed_time(name)

    def key_id(self, name) -> str:
        with self.inner.open(name, "rb") as raw:
            return DecryptingReader(raw).kid

    def reencrypt(self, name) -> None:
        """Re-encrypt one object under the active key (rotation), replacing it under the same name.

        The new ciphertext is spooled first (never the plaintext), so a failure while reading leaves
        the original untouched.
        """
        import tempfile

        with tempfile.TemporaryFile() as spool, self.inner.open(name, "rb") as raw:
            plain = DecryptingReader(raw)
            sealed = EncryptingReader(plain, chunk_size=self.chunk_size)
            for block in iter(lambda: sealed.read(self.chunk_size), b""):
                spool.write(block)
            spool.seek(0)
            self.inner.delete(name)
            saved = self.inner.save(name, File(spool, name=name), max_length=None)
        if saved != name:
            raise RuntimeError(f"re-encrypted file was stored as {saved!r} instead of {name!r}")
