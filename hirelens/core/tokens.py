"""Bearer tokens in links: one scheme for every link that opens something without a sign-in (issue 23 §3).

A token is random (``secrets``, 32 URL-safe characters), shown once (in the link or QR code it is minted for) and
stored only as its SHA-256, so a copy of the database cannot be used to open anyone's link; and since nothing about
it is derived from ``SECRET_KEY``, rotating that key closes no link.

Each app keeps its link rows (an interview session, a portal link, an invitation, ...): they carry the link's
domain state, and deleting or erasing them takes the link with them. It declares the row as a ``LinkKind``: which
columns hold the hash, the expiry, the revocation and (for a one-time link) the use. Everything else is here:

* ``mint(kind, target, ttl)`` gives the row a new token (the old one stops opening) and returns it;
* ``resolve(kind, token)`` returns the row the token opens, or raises ``LinkDead`` saying why not;
* ``find(kind, token)`` returns the row and its state whatever the state (for the page that explains a dead link);
* ``revoke(kind, target)`` withdraws the link;
* ``resolve_actor(kind, token)`` is ``resolve`` for a candidate's link: the ``LinkActor`` (``core/actors.py``) that the
  services the candidate calls through that link take, so the audit log names the candidate and the link. Only this
  function builds one (it holds the link seal), so an actor proves its token was presented and found live.

One rule for whether a link opens (``link_state``): withdrawn (``revoked_at`` set, or a domain state that withdraws
it such as a cancelled interview) → "revoked"; used up (a one-time link) → "used"; past ``expires_at`` → "expired"
(unless the kind keeps a finished link readable); else "live". To whoever holds it: unknown → 404, any other dead
state → 410 (the candidate-facing page is ``messaging/services/deadlinks.py``).

Links minted before this scheme by ``django.core.signing`` over ``{id, secret}`` (scheduling, portal) keep opening
until they expire: their stored hash is the secret's, and the secret is read from the token's payload without
checking the signature (the secret is the credential; the signature only depended on ``SECRET_KEY``).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core import signing
from django.db import models
from django.utils import timezone

from .actors import LinkActor, link_seal

_SEAL = link_seal()  # claimed once, at import: core.actors hands it to this module only

TOKEN_BYTES = 24  # secrets.token_urlsafe(24): 32 characters, 192 bits

LIVE, UNKNOWN, EXPIRED, REVOKED, USED = "live", "unknown", "expired", "revoked", "used"


def token_hash(token: str) -> str:
    """What is stored for ``token`` (64 hex characters)."""
    return hashlib.sha256((token or "").encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def new_hex_token(nbytes: int = 16) -> str:
    """A token of ``2 * nbytes`` hex characters: fits where only [0-9a-f] is allowed (a WeChat QR scene, an OAuth state)."""
    return secrets.token_hex(nbytes)


class LinkDead(Exception):
    """A token that opens nothing: ``status`` is unknown, expired, revoked or used; ``target`` the row (None when
    unknown)."""

    def __init__(self, status: str, target: Any = None):
        super().__init__(status)
        self.status = status
        self.target = target

    @property
    def status_code(self) -> int:
        return 404 if self.status == UNKNOWN else 410


@dataclass(frozen=True)
class LinkKind:
    """How one kind of link is stored on its app's row (declared next to the model, registered with ``link_kind``)."""

    name: str
    model: type[models.Model]
    hash_field: str = "token_hash"
    expires_field: str = "expires_at"
    revoked_field: str | None = "revoked_at"
    used_field: str | None = None  # a one-time link: a truthy value (a time, a flag) means it was used
    select_related: tuple[str, ...] = ()
    withdrawn: Callable[[Any], bool] | None = None  # a domain state that withdraws the link as revoked_at does
    outlives_expiry: Callable[[Any], bool] | None = None  # a finished link that keeps opening (read-only) after expiry
    legacy_signed: bool = False  # also open tokens of the former signed scheme (payload {"l"|"e": id, "s": secret})
    candidate: Callable[[Any], Any] | None = None  # a candidate's link: the row -> its candidate (None: a staff link)
    words: Any = ""  # the link in words (a lazy msgid), for the audit log's "the candidate (<words>)"


_KINDS: dict[str, LinkKind] = {}


def link_kind(kind: LinkKind) -> LinkKind:
    """Register ``kind`` (once per name; registering the same declaration again is harmless)."""
    known = _KINDS.get(kind.name)
    if known is not None and known != kind:
        raise ValueError(f"link kind {kind.name!r} is already declared")
    _KINDS[kind.name] = kind
    return kind


def _kind(kind: str | LinkKind) -> LinkKind:
    return kind if isinstance(kind, LinkKind) else _KINDS[kind]


def link_state(kind: str | LinkKind, target: Any, *, now: datetime | None = None) -> str:
    """The one rule: revoked, used, expired or live (see the module's docstring)."""
    spec = _kind(kind)
    if (spec.revoked_field and getattr(target, spec.revoked_field) is not None) or (spec.withdrawn and spec.withdrawn(target)):
        return REVOKED
    if spec.used_field and getattr(target, spec.used_field):
        return USED
    expires_at = getattr(target, spec.expires_field)
    if expires_at is not None and expires_at <= (now or timezone.now()):
        if spec.outlives_expiry is None or not spec.outlives_expiry(target):
            return EXPIRED
    return LIVE


def mint(kind: str | LinkKind, target: Any, ttl: timedelta | None = None, *, token: str | None = None,
         save: bool = True) -> str:
    """Give ``target`` a new token and return it (shown once; only its hash is kept). Any token it had stops opening.
    ``ttl`` sets the expiry from now (None keeps the row's own). A new row is inserted, an existing one updated; with
    ``save=False`` the caller saves it. ``token`` is only for fixed demo links."""
    spec = _kind(kind)
    token = token or new_token()
    setattr(target, spec.hash_field, token_hash(token))
    fields = [spec.hash_field]
    if ttl is not None:
        setattr(target, spec.expires_field, timezone.now() + ttl)
        fields.append(spec.expires_field)
    if save:
        if target._state.adding:
            target.save()
        else:
            if any(f.name == "updated_at" for f in target._meta.concrete_fields):
                fields.append("updated_at")
            target.save(update_fields=fields)
    return token


def _legacy_secret(token: str) -> tuple[int, str] | None:
    """The (id, secret) in a token of the former ``signing.dumps`` scheme, read without its signature."""
    if token.count(":") != 2 or len(token) > 2000:
        return None
    payload = token.split(":", 1)[0]
    try:
        raw = signing.b64_decode(payload.lstrip(".").encode())
        if payload.startswith("."):
            raw = zlib.decompressobj().decompress(raw, 4096)
        data = json.loads(raw)
        return int(data.get("l", data.get("e"))), str(data["s"])
    except (ValueError, TypeError, KeyError, AttributeError, zlib.error):
        return None


def _row(spec: LinkKind, token: str):
    if not token or len(token) > 2000:
        return None
    rows = spec.model._default_manager.select_related(*spec.select_related)
    legacy = _legacy_secret(token) if spec.legacy_signed else None
    if legacy is not None:
        return rows.filter(pk=legacy[0], **{spec.hash_field: token_hash(legacy[1])}).first()
    return rows.filter(**{spec.hash_field: token_hash(token)}).first()


def find(kind: str | LinkKind, token: str, *, now: datetime | None = None) -> tuple[Any, str]:
    """(the row, its state) for ``token`` whatever the state; (None, "unknown") when no row has it."""
    spec = _kind(kind)
    target = _row(spec, token)
    if target is None:
        return None, UNKNOWN
    return target, link_state(spec, target, now=now)


def resolve(kind: str | LinkKind, token: str, *, now: datetime | None = None) -> Any:
    """The row ``token`` opens; ``LinkDead`` (with the row, when known) if it is unknown, revoked, used or expired."""
    target, state = find(kind, token, now=now)
    if state != LIVE:
        raise LinkDead(state, target)
    return target


def revoke(kind: str | LinkKind, target: Any, *, at: datetime | None = None) -> bool:
    """Withdraw the link (the page then says so, 410). False when it was already withdrawn."""
    spec = _kind(kind)
    if spec.revoked_field is None:
        raise ValueError(f"link kind {spec.name!r} cannot be revoked")
    if getattr(target, spec.revoked_field) is not None:
        return False
    setattr(target, spec.revoked_field, at or timezone.now())
    fields = [spec.revoked_field] + (["updated_at"] if any(f.name == "updated_at" for f in target._meta.concrete_fields) else [])
    target.save(update_fields=fields)
    return True


def resolve_actor(kind: str | LinkKind, token: str, *, now: datetime | None = None) -> LinkActor:
    """The candidate acting through ``token``, a live link of ``kind`` (a kind that declares ``candidate``). Raises
    ``LinkDead`` as ``resolve`` does; a row that names no candidate (a staff member's link) is answered as unknown."""
    spec = _kind(kind)
    if spec.candidate is None:
        raise ValueError(f"link kind {spec.name!r} is not a candidate's link")
    target = resolve(spec, token, now=now)
    candidate = spec.candidate(target)
    if candidate is None:
        raise LinkDead(UNKNOWN)
    return LinkActor(kind=spec.name, link=target, candidate=candidate, seal=_SEAL)


def kind_words(kind: str) -> str:
    """A kind's ``words`` in the active language ("" for a kind without any, or not declared)."""
    spec = _KINDS.get(kind)
    return str(spec.words) if spec is not None and spec.words else ""
