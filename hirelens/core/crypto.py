"""AES-256-GCM encryption of values and a keyed blind index (HMAC-SHA256) for equality lookups.

Value format (text, so it fits any text column): ``hl1:<kid>:<base64(nonce || ciphertext+tag)>``.
The key id lets ``manage.py encryption_rotate`` find values written under an old key. The
associated data binds a ciphertext to its column (``table.column``) so a value copied into
another column does not decrypt.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "hl1"
NONCE_BYTES = 12


class DecryptionError(Exception):
    """A value could not be decrypted: unknown key id, tampered ciphertext or wrong column."""


@dataclass(frozen=True)
class Keyring:
    keys: tuple[tuple[str, bytes], ...]

    @property
    def active_kid(self) -> str:
        return self.keys[0][0]

    def key(self, kid: str) -> bytes:
        for candidate, key in self.keys:
            if candidate == kid:
                return key
        raise DecryptionError(f"unknown encryption key id {kid!r}")

    def aead(self, kid: str) -> AESGCM:
        return _aead(self.key(kid))


@lru_cache(maxsize=16)
def _aead(key: bytes) -> AESGCM:
    return AESGCM(key)


def keyring() -> Keyring:
    keys = getattr(settings, "ENCRYPTION_KEYS", None)
    if not keys:
        raise ImproperlyConfigured("HIRELENS_ENCRYPTION_KEYS is not set: personal data cannot be encrypted")
    return Keyring(tuple(keys))


def encrypt_str(plaintext: str, *, context: str) -> str:
    ring = keyring()
    nonce = os.urandom(NONCE_BYTES)
    sealed = ring.aead(ring.active_kid).encrypt(nonce, plaintext.encode("utf-8"), context.encode())
    return f"{PREFIX}:{ring.active_kid}:{base64.b64encode(nonce + sealed).decode('ascii')}"


def parse_kid(token: str) -> str | None:
    parts = token.split(":", 2)
    if len(parts) != 3 or parts[0] != PREFIX:
        return None
    return parts[1]


def decrypt_str(token: str, *, context: str) -> str:
    kid = parse_kid(token)
    if kid is None:
        raise DecryptionError("value is not in the HireLens encrypted format")
    try:
        raw = base64.b64decode(token.split(":", 2)[2], validate=True)
        plaintext = keyring().aead(kid).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode())
    except (InvalidTag, ValueError) as exc:
        raise DecryptionError("ciphertext failed authentication (tampered, or wrong key or column)") from exc
    return plaintext.decode("utf-8")


# --- Blind index ------------------------------------------------------------------------------

def normalize_email(value: str) -> str:
    """The rule of ``candidates.validation.check_email`` (full-width to half-width, spaces out, lower case), so a
    search typed on a Chinese keyboard (``ＺＨＡＮＧ＠ＥＸＡＭＰＬＥ.ＣＯＭ``) finds the stored address."""
    return unicodedata.normalize("NFKC", value).replace(" ", "").strip().lower()


def normalize_phone(value: str) -> str:
    digits = "".join(ch for ch in unicodedata.normalize("NFKC", value) if ch.isdigit() or ch == "+")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    return digits.lstrip("+")


def normalize_id_number(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip().upper().replace(" ", "")


def normalize_text(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip().casefold()


NORMALIZERS = {
    "email": normalize_email,
    "phone": normalize_phone,
    "id_number": normalize_id_number,
    "text": normalize_text,
}


def blind_index(value: str | None, *, kind: str) -> str:
    """Keyed HMAC of the normalised value; the kind is mixed in so equal strings of different kinds differ."""
    if value is None or value == "":
        return ""
    normalized = NORMALIZERS[kind](value)
    if not normalized:
        return ""
    key = settings.BLIND_INDEX_KEY
    if not key:
        raise ImproperlyConfigured("HIRELENS_BLIND_INDEX_KEY is not set")
    return hmac.new(key, f"{kind}\x00{normalized}".encode(), hashlib.sha256).hexdigest()
