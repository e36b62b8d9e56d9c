"""The one place HireLens reads its environment.

Every setting a self-hoster may change is a ``HIRELENS_*`` variable read here and documented in
``.env.example``. A malformed value stops the process at start-up with a message that names the
variable, instead of failing later in a request.
"""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

PREFIX = "HIRELENS_"
BASE_DIR = Path(__file__).resolve().parent.parent

# Development-only values. production.py refuses to start while any of them is in use.
DEV_SECRET_KEY = "dev-insecure-secret-key-change-me-0123456789abcdefghijklmnopqrstuvwxyz"
DEV_ENCRYPTION_KEYS = "dev1:ZGV2LW9ubHktZW5jcnlwdGlvbi1rZXktMzItYnl0ZXM="  # 32 bytes, public, dev only
DEV_BLIND_INDEX_KEY = "ZGV2LW9ubHktYmxpbmQtaW5kZXgta2V5LTMyYnl0ZXM="


class ConfigError(Exception):
    """A HIRELENS_* variable is missing or malformed."""

    def __init__(self, name: str, problem: str):
        self.name = name
        super().__init__(f"Configuration error in {PREFIX}{name}: {problem}")


def _raw(name: str) -> str | None:
    value = os.environ.get(PREFIX + name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def get_str(name: str, default: str | None = None) -> str | None:
    value = _raw(name)
    return default if value is None else value


def get_bool(name: str, default: bool = False) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(name, f"expected true/false, got {value!r}")


def get_choice(name: str, default: str, choices: set[str]) -> str:
    value = _raw(name)
    if value is None:
        return default
    if value not in choices:
        raise ConfigError(name, f"expected one of {', '.join(sorted(choices))}, got {value!r}")
    return value


def get_int(name: str, default: int) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ConfigError(name, f"expected an integer, got {value!r}") from None


def get_float(name: str, default: float) -> float:
    value = _raw(name)
    if value is None:
        return default
    try:
        return float(value)
    except ValueError:
        raise ConfigError(name, f"expected a number, got {value!r}") from None


def get_list(name: str, default: list[str] | None = None) -> list[str]:
    value = _raw(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def get_url(name: str, default: str | None, schemes: set[str]) -> str | None:
    value = get_str(name, default)
    if value is None:
        return None
    parsed = urlparse(value)
    if parsed.scheme not in schemes:
        allowed = ", ".join(sorted(schemes))
        raise ConfigError(name, f"unsupported URL scheme {parsed.scheme!r} (expected one of: {allowed})")
    return value


def _decode_key(name: str, text: str) -> bytes:
    try:
        key = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ConfigError(name, "key is not valid base64") from None
    if len(key) != 32:
        raise ConfigError(name, f"key must be 32 bytes (AES-256 / HMAC-SHA256), got {len(key)}")
    return key


def get_keyring(name: str, default: str | None) -> list[tuple[str, bytes]]:
    """Parse ``kid:base64key,kid:base64key``; the first key encrypts, all of them decrypt."""
    value = get_str(name, default)
    if value is None:
        return []
    keys: list[tuple[str, bytes]] = []
    for part in value.split(","):
        kid, sep, encoded = part.strip().partition(":")
        if not sep or not kid or not kid.isalnum() or len(kid) > 16:
            raise ConfigError(name, "expected kid:base64key[,kid:base64key...] with short alphanumeric ids")
        if any(kid == existing for existing, _ in keys):
            raise ConfigError(name, f"key id {kid!r} appears twice")
        keys.append((kid, _decode_key(name, encoded)))
    return keys


def get_key(name: str, default: str | None) -> bytes | None:
    value = get_str(name, default)
    return None if value is None else _decode_key(name, value)


@dataclass(frozen=True)
class Storage:
    backend: str  # "disk" or "s3"
    media_root: Path
    s3_bucket: str | None
    s3_endpoint_url: str | None
    s3_region: str | None
    s3_access_key: str | None
    s3_secret_key: str | None


def get_storage(var_dir: Path) -> Storage:
    """Files go to ``HIRELENS_MEDIA_ROOT``, else ``<var dir>/media``: one var dir holds one instance's data."""
    backend = (get_str("STORAGE", "disk") or "disk").lower()
    if backend not in {"disk", "s3"}:
        raise ConfigError("STORAGE", f"expected 'disk' or 's3', got {backend!r}")
    storage = Storage(
        backend=backend,
        media_root=Path(get_str("MEDIA_ROOT", str(var_dir / "media"))),
        s3_bucket=get_str("S3_BUCKET"),
        s3_endpoint_url=get_url("S3_ENDPOINT_URL", None, {"http", "https"}),
        s3_region=get_str("S3_REGION"),
        s3_access_key=get_str("S3_ACCESS_KEY"),
        s3_secret_key=get_str("S3_SECRET_KEY"),
    )
    if backend == "s3" and not storage.s3_bucket:
        raise ConfigError("S3_BUCKET", "required when HIRELENS_STORAGE=s3")
    return storage


def served_url(host: str, port: int) -> str:
    """The base URL of a server listening on ``host:port`` (a wildcard address is reached on loopback)."""
    if host in {"", "0.0.0.0", "::", "[::]"}:
        host = "127.0.0.1"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"
