"""Bearer tokens in links: one rule for how they are made and stored.

A token is random (``secrets``), shown once (in the link or QR code it is minted for) and stored only as its SHA-256,
so a copy of the database cannot be used to open anyone's link. Lookups hash what the request carries and compare
hashes; an unknown, expired, used or revoked token is the same "dead link" to whoever holds it.
"""

from __future__ import annotations

import hashlib
import secrets


def token_hash(token: str) -> str:
    """What is stored for ``token`` (64 hex characters)."""
    return hashlib.sha256((token or "").encode()).hexdigest()


def new_hex_token(nbytes: int = 16) -> str:
    """A token of ``2 * nbytes`` hex characters: fits where only [0-9a-f] is allowed (a WeChat QR scene, an OAuth state)."""
    return secrets.token_hex(nbytes)
