"""Erasure that reaches every copy of a candidate, and consent withdrawal (S5; docs/privacy.md "Deletion and retention").

``erase_candidate`` runs in two phases:

1. **One database transaction**: each app's eraser (``ERASER_MODULES``, a ``hirelens/<app>/erasure.py`` with
   ``erase(ctx)``) removes the copies that do not hang off the candidate row by a foreign key (staff messages about
   the candidate's interviews, visitor tickets, import rows, mails on disk to scrub, pseudonymised decision logs to
   keep) and names what lies outside the database (files, folders, queued tasks); then Django's deletion collector
   walks every row that cascades from the candidate (applications, pipeline events, sessions, answers, upload
   chunks, live rooms, scorecards, messages, tickets, portal links, search tokens ...) and collects the storage names
   of their files; the candidate is deleted; an :class:`~hirelens.core.models.Erasure` ledger row (no personal
   data: ids, a random pseudonym, counts, storage names) and the audit tombstone ``candidate_erased`` are written.
2. **After commit** (``erasure_finish``): the files, folders and mails are deleted, the queued tasks that name the
   deleted rows are taken out of the queue, the SQLite WAL is checkpointed and the ledger row marked done. A crash
   in between leaves the row ``pending``; ``erasure_resume`` (run by the daily purge) finishes it: every step is
   idempotent.

SQLite keeps deleted bytes in free pages: the database runs with ``PRAGMA secure_delete=ON`` (settings: every
connection zeroes what it deletes or overwrites), and phase 2 truncates the WAL, so the file holds no copy without a
VACUUM. Backups: ``backup.py`` puts the ledger into each archive and appends every erasure to
``BACKUP_DIR/erasure-ledger.jsonl``; a restore of an older archive re-applies the erasures (``erasure_reapply``).
"""

from __future__ import annotations

import json
import logging
import secrets
import shutil
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection, models, router, transaction
from django.db.models.deletion import Collector
from django.utils import timezone
from django.utils.translation import gettext_noop

from . import events
from .actors import SystemActor
from .audit import audit_record
from .models import AuditEvent, ConsentWithdrawal, Erasure

logger = logging.getLogger(__name__)

# Each app that holds personal data outside the candidate's foreign-key tree has an eraser module here (one list,
# like jobs.SWEEP_MODULES: explicit, no signals). Rows that cascade from the candidate need no eraser. The core imports
# no app: the modules are named, not imported, and the person erased comes from SUBJECT_MODULE's ``subjects()``.
ERASER_MODULES = (
    "hirelens.candidates.erasure",
    "hirelens.messaging.erasure",
    "hirelens.interviews.erasure",
    "hirelens.live.erasure",
    "hirelens.evaluations.erasure",
    "hirelens.imports.erasure",
    "hirelens.integrations.erasure",
    "hirelens.analytics.erasure",
)

# The app whose rows are the people an erasure removes: its eraser module's ``subjects()`` is their queryset (the
# candidates; the core names the module and never imports the model, docs/architecture.md "Module boundaries").
SUBJECT_MODULE = "hirelens.candidates.erasure"

MIN_DECISION_LOG_DAYS = 183  # AI-assisted decisions are logged for at least six months


def decision_log_days() -> int:
    """How long the pseudonymised copy of an AI-assisted decision (``DecisionRecord``) is kept: erasers write
    ``keep_until`` with it, the retention purge (``hirelens.privacy.retention``) drops the copy after it."""
    return max(MIN_DECISION_LOG_DAYS, int(getattr(settings, "DECISION_LOG_DAYS", MIN_DECISION_LOG_DAYS)))


EXPORTS_DIR = "privacy-exports"  # under VAR_DIR and under the storage: <EXPORTS_DIR>/org<org>/candidate-<id>/


def candidate_export_prefix(*, organization_id: int, candidate_id: int) -> str:
    """Where the privacy app writes a candidate's export (files under VAR_DIR or storage names): erasure deletes it."""
    return f"{EXPORTS_DIR}/org{organization_id}/candidate-{candidate_id}"


def eraser_modules():
    return [import_module(name) for name in ERASER_MODULES]


def subjects():
    """The queryset of the people an erasure removes (the candidates), from ``SUBJECT_MODULE``."""
    return import_module(SUBJECT_MODULE).subjects()


@dataclass
class ErasureContext:
    """What the erasers fill in. ``values`` (the person's name, phone, e-mail, id number) lives only in memory: it
    finds loose copies such as mails on disk and is never written anywhere."""

    candidate: models.Model
    organization_id: int
    pseudonym: str
    values: tuple[str, ...]
    files: set[str] = field(default_factory=set)
    paths: list[dict] = field(default_factory=list)  # {"path": relative to VAR_DIR, "parts": [sha256, ...]}
    queue: dict[str, set] = field(default_factory=dict)
    counts: Counter = field(default_factory=Counter)
    collected: dict[str, set] = field(default_factory=dict)  # "app.model" -> pks of the rows that cascade

    def ids(self, label: str) -> set:
        return self.collected.get(label, set())

    def add_path(self, path: Path | str, parts: list[str] | None = None) -> None:
        rel = Path(path).resolve().relative_to(Path(settings.VAR_DIR).resolve()).as_posix()
        self.paths.append({"path": rel, "parts": sorted(parts or [])})

    def add_queue(self, task_name: str, ids) -> None:
        self.queue.setdefault(task_name, set()).update(i for i in ids if i is not None)

    def matches(self, text: str) -> bool:
        folded = (text or "").casefold()
        return any(v.casefold() in folded for v in self.values)


@dataclass(frozen=True)
class ErasureResult:
    pseudonym: str
    erasure_id: int
    counts: dict
    files: int
    pending: bool


def _values(candidate) -> tuple[str, ...]:
    found = []
    for name in ("full_name", "phone", "email", "id_number"):
        value = (getattr(candidate, name, "") or "").strip()
        if len(value) >= 2:
            found.append(value)
    return tuple(dict.fromkeys(found))


def _file_names(model, rows) -> set[str]:
    names = set()
    file_fields = [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
    for row in rows:
        for f in file_fields:
            value = getattr(row, f.attname) if not isinstance(row, dict) else row[f.attname]
            name = getattr(value, "name", value)
            if name:
                names.add(str(name))
    return names


def collect_cascade(ctx: ErasureContext, objs) -> None:
    """Every row deleting ``objs`` removes (Django's collector), counted per model, and the files they point to."""
    collector = Collector(using=router.db_for_write(type(objs[0])))
    collector.collect(objs)
    ctx.counts.clear()
    ctx.collected.clear()
    for model, instances in collector.data.items():
        label = model._meta.label_lower
        ctx.counts[label] += len(instances)
        ctx.collected.setdefault(label, set()).update(i.pk for i in instances)
        ctx.files |= _file_names(model, instances)
    for qs in collector.fast_deletes:
        model = qs.model
        label = model._meta.label_lower
        file_fields = [f.attname for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
        rows = list(qs.values("pk", *file_fields))
        ctx.counts[label] += len(rows)
        ctx.collected.setdefault(label, set()).update(r["pk"] for r in rows)
        if file_fields:
            ctx.files |= _file_names(model, rows)


def _reason(reason: str) -> str:
    return reason if reason in Erasure.Reason.values else Erasure.Reason.OTHER


def _secure_delete() -> None:
    if connection.vendor == "sqlite":  # also set for every connection in settings; kept here for other settings files
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA secure_delete=ON")


def erase_candidate(*, candidate, actor, reason: str) -> ErasureResult:
    """Delete every copy of one candidate's data (see the module's docstring). ``reason``: one of
    ``Erasure.Reason`` (``request``, ``retention``, ``hr``; anything else is recorded as ``other``: the ledger keeps
    no free text). Files, mails and queued tasks go after the commit; the audit keeps only a tombstone."""
    result = _erase(candidate_id=candidate.pk, actor=actor, reason=_reason(reason), pseudonym=None)
    return result


def _erase(*, candidate_id: int, actor, reason: str, pseudonym: str | None, reapplied: bool = False) -> ErasureResult:
    _secure_delete()
    with transaction.atomic():
        candidate = subjects().select_for_update().get(pk=candidate_id)
        ctx = ErasureContext(candidate=candidate, organization_id=candidate.organization_id,
                             pseudonym=pseudonym or secrets.token_hex(8), values=_values(candidate))
        collect_cascade(ctx, [candidate])  # what cascades: the erasers read the ids (ctx.ids)
        extra = Counter()
        for module in eraser_modules():
            erase = getattr(module, "erase", None)
            if erase is not None:
                before = Counter(ctx.counts)
                erase(ctx)
                extra += ctx.counts - before
        files = set(ctx.files)
        collect_cascade(ctx, [candidate])  # again: an eraser may have moved rows out of the tree
        ctx.counts += extra
        ctx.files |= files
        prefix = candidate_export_prefix(organization_id=ctx.organization_id, candidate_id=candidate.pk)
        ctx.add_path(Path(settings.VAR_DIR) / prefix)
        ctx.files.add(prefix + "/")  # a storage folder: finish deletes what lies under it
        candidate.delete()
        counts = {label: n for label, n in sorted(ctx.counts.items()) if n}
        erasure = Erasure.objects.filter(pseudonym=ctx.pseudonym).first() if reapplied else None
        if erasure is None:
            erasure = Erasure(pseudonym=ctx.pseudonym, organization_id=ctx.organization_id, candidate_id=candidate_id,
                              reason=reason, actor_id=getattr(actor, "pk", None))
        erasure.state, erasure.counts = Erasure.State.PENDING, counts
        erasure.files = sorted(ctx.files)
        erasure.paths = ctx.paths
        erasure.queue = {name: sorted(ids) for name, ids in ctx.queue.items()}
        erasure.save()
        audit_record(action=AuditEvent.Action.CANDIDATE_ERASED, actor=actor, organization_id=ctx.organization_id,
                     object_type="core.erasure", object_id=ctx.pseudonym,
                     fields=[f"{label}:{n}" for label, n in counts.items()] + [f"reason:{reason}"]
                     + (["reapplied"] if reapplied else []))
        erasure_id = erasure.pk
        transaction.on_commit(lambda: erasure_finish(erasure_id=erasure_id))
        if not reapplied:  # a backup restored and the erasure applied again: subscribers were told the first time
            events.emit(events.DeletionDone(organization_id=ctx.organization_id, candidate_id=candidate_id, erasure_id=erasure_id, reason=reason))
    erasure.refresh_from_db()
    return ErasureResult(pseudonym=ctx.pseudonym, erasure_id=erasure.pk, counts=counts, files=len(ctx.files),
                         pending=erasure.state == Erasure.State.PENDING)


# --- Phase 2: outside the database ------------------------------------------------------------------------------

def delete_storage(name: str) -> None:
    if name.endswith("/"):
        try:
            folders, files = default_storage.listdir(name.rstrip("/"))
        except (FileNotFoundError, NotADirectoryError, OSError):
            return
        for f in files:
            default_storage.delete(f"{name}{f}")
        for d in folders:
            delete_storage(f"{name}{d}/")
        return
    default_storage.delete(name)  # Django's storages: deleting a missing name is not an error


def _scrub_mail(path: Path, parts: list[str]) -> None:
    """Drop the messages whose sha256 is listed from a mail file written by Django's file backend (one file may hold
    several people's mails); delete the file when nothing else is left."""
    import hashlib

    from .mailfiles import split_mail_file, write_mail_file

    if not path.exists():
        return
    kept = [m for m in split_mail_file(path.read_bytes()) if hashlib.sha256(m).hexdigest() not in set(parts)]
    if kept:
        write_mail_file(path, kept)
    else:
        path.unlink(missing_ok=True)


def delete_path(entry: dict) -> None:
    root = Path(settings.VAR_DIR).resolve()
    path = (root / entry["path"]).resolve()
    if root not in path.parents:
        return  # only what lies under VAR_DIR
    if entry.get("parts"):
        _scrub_mail(path, entry["parts"])
    elif path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def erasure_finish(*, erasure_id: int) -> bool:
    """Phase 2 of one erasure (idempotent): files, paths, queue, WAL; then the ledger row is done."""
    erasure = Erasure.objects.filter(pk=erasure_id, state=Erasure.State.PENDING).first()
    if erasure is None:
        return False
    for name in erasure.files:
        delete_storage(name)
    for entry in erasure.paths:
        delete_path(entry)
    queue_forget({name: set(ids) for name, ids in (erasure.queue or {}).items()})
    sqlite_checkpoint()
    Erasure.objects.filter(pk=erasure.pk).update(state=Erasure.State.DONE, completed_at=timezone.now())
    ledger_append(erasure)
    return True


def erasure_resume() -> int:
    """Finish every erasure a crash left pending; returns how many."""
    done = 0
    for pk in Erasure.objects.filter(state=Erasure.State.PENDING).values_list("pk", flat=True):
        done += bool(erasure_finish(erasure_id=pk))
    return done


def delete_files_after_commit(ctx: ErasureContext) -> int:
    """After the transaction commits, delete the files and paths ``ctx`` collected and write the WAL back (the derived
    erasure and the retention purge; a whole erasure goes through its ledger row instead). Returns how many files."""
    files, paths = sorted(ctx.files), list(ctx.paths)

    def after():
        for name in files:
            delete_storage(name)
        for entry in paths:
            delete_path(entry)
        sqlite_checkpoint()

    transaction.on_commit(after)
    return len(files)


def sqlite_checkpoint() -> None:
    """Write the WAL back into the database file and truncate it: deleted rows' old page images lived there."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


# --- The queue ----------------------------------------------------------------------------------------------------

def _erased_ids(message, wanted: dict[str, set]) -> set:
    return wanted.get((getattr(message, "name", "") or "").rsplit(".", 1)[-1], set())


def _mentions(message, wanted: dict[str, set]) -> bool:
    """Whether one queued message names an erased row. Read as a plain message, never as a task: a task this process
    never imported (the web process does not load every app's tasks) must not stop the erasure."""
    ids = _erased_ids(message, wanted)
    if not ids:
        return False
    values = list(message.args or ()) + list((message.kwargs or {}).values())
    for value in values:
        if isinstance(value, (list, tuple, set)) and ids & set(value):
            return True
        if isinstance(value, dict) and ids & set(v for v in value.values() if isinstance(v, int)):
            return True
        if isinstance(value, int) and value in ids:
            return True
    return False


def _the_others(message, wanted: dict[str, set]):
    """A batch task (its first argument a list of ids, as ``messages_deliver_task``) that names erased rows and others:
    the same task for the others only, under a new id; None when nothing of anyone else is in it. Dropping the whole
    batch would leave the other people's messages waiting for the stalled-delivery sweep."""
    ids = _erased_ids(message, wanted)
    args = list(message.args or ())
    if not args or not isinstance(args[0], (list, tuple)) or any(isinstance(v, (list, tuple, set, dict)) for v in args[1:]):
        return None
    if any(isinstance(v, int) and v in ids for v in args[1:]) or any(
            isinstance(v, int) and v in ids for v in (message.kwargs or {}).values()):
        return None
    rest = [v for v in args[0] if v not in ids]
    if not rest or len(rest) == len(args[0]):
        return None
    return message._replace(id=secrets.token_hex(16), args=(type(args[0])(rest), *args[1:]))


def queue_forget(wanted: dict[str, set]) -> int:
    """Take queued and scheduled Huey messages that name erased rows out of both queues, light and analysis
    (SQLite files or Redis). A batch that also carries other people's rows is queued again without the erased ones."""
    from .jobs import QUEUES

    wanted = {k: set(v) for k, v in wanted.items() if v}
    if not wanted:
        return 0
    return sum(_queue_forget(huey, wanted) for huey in QUEUES.values())


def _queue_forget(huey, wanted: dict[str, set]) -> int:
    storage, serializer = huey.storage, huey.serializer
    removed = 0
    requeue: list = []  # (message, eta or None)

    def doomed(data: bytes, eta=None) -> bool:
        message = serializer.deserialize(data)
        if not _mentions(message, wanted):
            return False
        others = _the_others(message, wanted)
        if others is not None:
            requeue.append((others, eta))
        return True

    if getattr(storage, "filename", None) and Path(storage.filename).exists():
        db = sqlite3.connect(storage.filename, timeout=30)
        try:
            db.execute("PRAGMA secure_delete=ON")
            for table in ("task", "schedule"):
                columns = "id, data, timestamp" if table == "schedule" else "id, data, NULL"
                rows = db.execute(f"SELECT {columns} FROM {table} WHERE queue = ?", (storage.name,)).fetchall()  # noqa: S608
                gone = [pk for pk, data, eta in rows if doomed(bytes(data), eta)]
                for pk in gone:
                    db.execute(f"DELETE FROM {table} WHERE id = ?", (pk,))  # noqa: S608
                removed += len(gone)
            db.commit()
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            db.close()
    elif hasattr(storage, "conn") and hasattr(storage, "queue_key"):  # Redis
        conn = storage.conn
        for raw in conn.zrange(storage.queue_key, 0, -1) if conn.type(storage.queue_key) == b"zset" else []:
            data = raw[8:] if getattr(storage, "priority", False) else raw
            if doomed(data):
                removed += conn.zrem(storage.queue_key, raw)
        for raw, score in conn.zrange(storage.schedule_key, 0, -1, withscores=True):
            if doomed(raw, score):
                removed += conn.zrem(storage.schedule_key, raw)
        if not getattr(storage, "priority", False):
            for raw in conn.lrange(storage.queue_key, 0, -1) if conn.type(storage.queue_key) == b"list" else []:
                if doomed(raw):
                    removed += conn.lrem(storage.queue_key, 0, raw)
    for message, _eta in requeue:
        # a scheduled one keeps its eta in the message: the consumer puts it back on the schedule until then
        storage.enqueue(serializer.serialize(message), getattr(message, "priority", None))
    return removed


# --- The ledger outside the database (backups) ------------------------------------------------------------------

def ledger_path() -> Path:
    return Path(settings.BACKUP_DIR) / "erasure-ledger.jsonl"


def ledger_entry(erasure: Erasure) -> dict:
    return {"pseudonym": erasure.pseudonym, "organization_id": erasure.organization_id,
            "candidate_id": erasure.candidate_id, "reason": erasure.reason,
            "created_at": erasure.created_at.isoformat() if erasure.created_at else None}


def ledger_append(erasure: Erasure) -> None:
    """Append the erasure to the ledger file next to the backups (ids and a pseudonym only), once."""
    path = ledger_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    if any(e["pseudonym"] == erasure.pseudonym for e in ledger_read(path)):
        return
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps(ledger_entry(erasure)) + "\n")


def ledger_read(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def erasure_reapply(entries: list[dict]) -> list[str]:
    """After a restore: erase again every candidate the ledger says was erased and the restored database still holds.
    Returns the pseudonyms re-applied. The ledger rows come back too, so the restored ledger is complete."""
    done = []
    for entry in entries:
        exists = subjects().filter(pk=entry["candidate_id"], organization_id=entry["organization_id"]).exists()
        if not Erasure.objects.filter(pseudonym=entry["pseudonym"]).exists():
            Erasure.objects.create(pseudonym=entry["pseudonym"], organization_id=entry["organization_id"],
                                   candidate_id=entry["candidate_id"], reason=_reason(entry.get("reason", "")),
                                   state=Erasure.State.DONE if not exists else Erasure.State.PENDING)
        if exists:
            _erase(candidate_id=entry["candidate_id"], actor=SystemActor(name="command", reason=gettext_noop("恢复备份后重新删除")),
                   reason=_reason(entry.get("reason", "")), pseudonym=entry["pseudonym"], reapplied=True)
            done.append(entry["pseudonym"])
    return done


# --- Consent withdrawal -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DerivedErasureResult:
    kind: str
    counts: dict
    files: int


DERIVED_KINDS = ("ai_analysis", "biometric")


def erase_derived(*, candidate, consent_kind: str, actor) -> DerivedErasureResult:
    """The candidate withdrew ``consent_kind``: ``ai_analysis`` deletes transcripts, analysis results and AI-derived
    scores and stops further analysis; ``biometric`` deletes face, expression and posture data and stops face analysis.
    The application goes on. A ``ConsentWithdrawal`` row makes the analysis tasks refuse for sessions created before
    it (``analysis_refused``); the audit entry names the counts only."""
    if consent_kind not in DERIVED_KINDS:
        raise ValueError(f"no derived data for consent {consent_kind!r}")
    _secure_delete()
    with transaction.atomic():
        ctx = ErasureContext(candidate=candidate, organization_id=candidate.organization_id, pseudonym="", values=())
        for module in eraser_modules():
            derived = getattr(module, "erase_derived", None)
            if derived is not None:
                derived(ctx, consent_kind)
        counts = {label: n for label, n in sorted(ctx.counts.items()) if n}
        ConsentWithdrawal.objects.create(organization_id=candidate.organization_id, candidate_id=candidate.pk,
                                         kind=consent_kind, actor_id=getattr(actor, "pk", None), counts=counts)
        audit_record(action=AuditEvent.Action.DERIVED_ERASED, actor=actor, organization_id=candidate.organization_id,
                     object_type="candidates.candidate", object_id=candidate.pk,
                     fields=[f"consent:{consent_kind}"] + [f"{label}:{n}" for label, n in counts.items()])
        files = delete_files_after_commit(ctx)
    return DerivedErasureResult(kind=consent_kind, counts=counts, files=files)


def analysis_refused(*, candidate_id: int, session_created_at, kind: str = "ai_analysis") -> bool:
    """True when the candidate withdrew ``kind`` after this session (or room) was created: do not analyse."""
    return ConsentWithdrawal.objects.filter(candidate_id=candidate_id, kind=kind, created_at__gte=session_created_at).exists()
