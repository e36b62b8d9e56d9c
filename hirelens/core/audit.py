"""Writing and verifying the hash-chained audit log."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .actors import LinkActor, PortalActor, SystemActor
from .models import AuditChainHead, AuditEvent, audit_chain_key

GENESIS = "0" * 64


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def _digest(event: AuditEvent) -> str:
    payload = {
        "chain": event.chain,
        "seq": event.seq,
        "organization_id": event.organization_id,
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "fields": sorted(event.fields or []),
        "ip": event.ip,
        "created_at": event.created_at.isoformat(timespec="microseconds"),
        "prev_hash": event.prev_hash,
    }
    if event.targets:  # only bulk entries carry it, so entries written before it existed keep their hashes
        payload["targets"] = list(event.targets)
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _object_type(obj) -> str:
    return obj._meta.label_lower if obj is not None else ""


def _append(event: AuditEvent) -> AuditEvent:
    """Link the event to its chain: one lock on the chain head, one insert, one head update."""
    head = AuditChainHead.objects.select_for_update().filter(chain=event.chain).first()
    if head is None:  # a chain's first entry: create its head (race-safe), then lock it
        AuditChainHead.objects.get_or_create(chain=event.chain)
        head = AuditChainHead.objects.select_for_update().get(chain=event.chain)
    event.seq, event.prev_hash, event.created_at = head.seq + 1, head.last_hash, timezone.now()
    event.hash = _digest(event)
    event.save()
    head.seq, head.last_hash = event.seq, event.hash
    head.save(update_fields=["seq", "last_hash"])
    return event


def _actor_fields(actor) -> dict:
    if isinstance(actor, (PortalActor, LinkActor, SystemActor)):  # no user: the label names who acted ("system:worker:…", "portal:…", "link:…")
        return {"actor_id": None, "actor_label": actor.audit_label[:200]}
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    label = (actor.email if authenticated else "") or ""
    key_name = getattr(actor, "api_key_name", "") if authenticated else ""
    if key_name:  # a call with an API key: the entry names the key as well as the user it acts as
        label = f"{label} · API: {key_name}"[:200]
        actor.api_audit_entries = getattr(actor, "api_audit_entries", 0) + 1  # this call is audited (integrations.middleware)
    return {"actor_id": actor.pk if authenticated else None, "actor_label": label}


def audit_target(obj=None, *, object_type: str = "", object_id: str | int = "") -> str:
    """How a bulk entry names one object: "candidates.candidate:144"."""
    return f"{object_type or _object_type(obj)}:{object_id or obj.pk}"


@transaction.atomic
def audit_record(
    *,
    action: str,
    actor=None,
    organization_id: int | None = None,
    obj=None,
    object_type: str = "",
    object_id: str | int = "",
    fields: Iterable[str] = (),
    request=None,
) -> AuditEvent:
    """Append one event. Runs inside the caller's transaction, so a rolled-back change leaves no entry."""
    if organization_id is None:
        organization_id = getattr(obj, "organization_id", None) or getattr(actor, "organization_id", None)
    return _append(AuditEvent(
        chain=audit_chain_key(organization_id),
        organization_id=organization_id,
        **_actor_fields(actor),
        action=action,
        object_type=object_type or _object_type(obj),
        object_id=str(object_id or (obj.pk if obj is not None else "")),
        fields=sorted(set(fields)),
        ip=client_ip(request),
    ))


@transaction.atomic(savepoint=False)  # a list page's read: if it cannot be recorded the whole view fails
def audit_record_many(
    *,
    action: str,
    actor,
    objs: Iterable = (),
    targets: Iterable[str] = (),
    fields: Iterable[str] = (),
    organization_id: int | None = None,
    request=None,
) -> AuditEvent | None:
    """Append ONE entry naming every object a page view read (a list page: the candidates whose names it shows).

    A list of 50 rows costs one chain-head lock and one insert, not 50 chained rows. The entry names each object
    in ``targets`` ("type:id", in the order shown, without repeats); ``object_type`` holds their kind when they
    share one and ``object_id`` stays empty. Nothing is written when the page showed nobody.
    """
    names = [audit_target(o) for o in objs] + list(targets)
    names = list(dict.fromkeys(names))
    if not names:
        return None
    if organization_id is None:
        organization_id = getattr(actor, "organization_id", None)
    kinds = {name.rsplit(":", 1)[0] for name in names}
    return _append(AuditEvent(
        chain=audit_chain_key(organization_id),
        organization_id=organization_id,
        **_actor_fields(actor),
        action=action,
        object_type=kinds.pop() if len(kinds) == 1 else "",
        object_id="",
        fields=sorted(set(fields)),
        targets=names,
        ip=client_ip(request),
    ))


@dataclass(frozen=True)
class ChainReport:
    chain: str
    events: int
    ok: bool
    problem: str = ""
    head_hash: str = GENESIS


def audit_verify_chain(chain: str) -> ChainReport:
    prev, expected_seq, count = GENESIS, 1, 0
    for event in AuditEvent.objects.filter(chain=chain).order_by("seq").iterator(chunk_size=2000):
        count += 1
        if event.seq != expected_seq:
            return ChainReport(chain, count, False, f"missing entry before seq {event.seq} (expected {expected_seq})")
        if event.prev_hash != prev:
            return ChainReport(chain, count, False, f"seq {event.seq}: link to previous entry is broken")
        if _digest(event) != event.hash:
            return ChainReport(chain, count, False, f"seq {event.seq}: content does not match its hash (modified)")
        prev, expected_seq = event.hash, expected_seq + 1
    head = AuditChainHead.objects.filter(chain=chain).first()
    if head is not None and (head.seq != expected_seq - 1 or head.last_hash != prev):
        return ChainReport(chain, count, False, f"entries after seq {expected_seq - 1} were removed (head is {head.seq})")
    return ChainReport(chain, count, True, head_hash=prev)


def audit_verify_all() -> list[ChainReport]:
    chains = set(AuditEvent.objects.order_by().values_list("chain", flat=True).distinct())
    chains |= set(AuditChainHead.objects.values_list("chain", flat=True))
    return [audit_verify_chain(chain) for chain in sorted(chains)]


def audit_list_read(*, request, candidates: Iterable, fields: Iterable[str] = ("full_name",)) -> AuditEvent | None:
    """A list page or list API showed these candidates' names: one bulk read entry for the whole view."""
    shown = [c for c in candidates if c is not None]
    return audit_record_many(action=AuditEvent.Action.READ, actor=request.user, objs=shown, fields=fields, request=request)
