"""One encrypted archive of an instance (database, media, queue) and its restore into an empty instance.

The archive is a tar file encrypted as a whole with the file format of ``storage.py`` (AES-256-GCM in 64 KiB
chunks, each authenticated, the last one flagged so truncation is detected) under the *first* key of
``HIRELENS_ENCRYPTION_KEYS``. Restoring needs a keyring that still holds that key, which a restored instance
needs anyway to read its personal data and recordings: keep the keys outside the backups (a password manager,
the service manager's secret store), never next to them.

Inside the tar::

    manifest.json        format, version, when, database vendor, counts, key id (no personal data)
    database.sqlite3     SQLite: a consistent copy made with SQLite's online backup API (pages as they are)
    database.pgdump      PostgreSQL: ``pg_dump --format=custom``; restored with ``pg_restore``
    queue.sqlite3        Huey's SQLite queue (pending and scheduled jobs); nothing when Redis holds the queue
    erasures.json        the erasure ledger (pseudonym, organization and candidate ids per erased candidate; no
                         personal data): a restore re-applies it, with the newer ledger kept beside the backups
    media/...            every stored file as it is on disk (already encrypted at rest: copied, not re-encrypted)

Both database formats restore every row byte for byte: the SQLite copy is the database's own pages, and
pg_dump/pg_restore move each column's stored value (ciphertexts, hashes, timestamps, sequences) without
going through the models, which would decrypt and re-encrypt personal data with new nonces, skip tables
that have no model (``django_migrations``) and lose sequence positions.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from .storage import DecryptingReader, EncryptingReader

FORMAT = "hirelens-backup"
VERSION = 1
SUFFIX = ".hlbackup"


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why and what to do."""


@dataclass
class BackupResult:
    path: Path
    database: str
    media_files: int
    media_bytes: int
    queue: str
    size: int


@dataclass
class RestoreResult:
    database: str
    media_files: int
    queue: str
    created_at: str
    notes: list[str] = field(default_factory=list)
    erasures_reapplied: int = 0


# --- Database ------------------------------------------------------------------------------------

def _sqlite_copy(source: str | Path, target: str | Path) -> None:
    """A consistent copy of a live SQLite database (WAL included) with SQLite's online backup API."""
    src = sqlite3.connect(str(source), timeout=30)
    dst = sqlite3.connect(str(target), timeout=30)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _pg_conninfo() -> tuple[list[str], dict]:
    db = connection.settings_dict
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = os.environ.copy()
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not on PATH: install the PostgreSQL client (Debian: apt-get install postgresql-client) "
                          "of the server's major version or newer")
    return path


def _run(args: list[str], env: dict) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {result.stderr.strip()[-2000:]}")


def _database_dump(folder: Path) -> tuple[str, str]:
    if connection.vendor == "sqlite":
        _sqlite_copy(connection.settings_dict["NAME"], folder / "database.sqlite3")
        return "sqlite", "database.sqlite3"
    if connection.vendor == "postgresql":
        args, env = _pg_conninfo()
        _run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", "--file", str(folder / "database.pgdump"),
              *args], env)
        return "postgresql", "database.pgdump"
    raise BackupError(f"unsupported database {connection.vendor}")


def _database_is_empty() -> bool:
    with connection.cursor() as cursor:
        return not connection.introspection.table_names(cursor)


def _database_restore(vendor: str, dump: Path, *, force: bool) -> None:
    if vendor != connection.vendor:
        raise BackupError(f"the archive holds a {vendor} database but this instance uses {connection.vendor}: "
                          "restore into the same kind of database")
    if not _database_is_empty() and not force:
        raise BackupError(f"the database {connection.settings_dict['NAME']} is not empty; restore into an empty one "
                          "or pass --force to replace it")
    if vendor == "sqlite":
        target = connection.settings_dict["NAME"]
        connections.close_all()
        _sqlite_copy(dump, target)  # the backup API replaces every page of the target, whatever it held
        return
    if force:
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
    connections.close_all()
    args, env = _pg_conninfo()
    _run([_pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", *args, str(dump)], env)


# --- Queue ---------------------------------------------------------------------------------------

def _queue_path() -> Path | None:
    filename = settings.HUEY.get("filename") if settings.HUEY.get("huey_class") == "huey.SqliteHuey" else None
    return Path(filename) if filename else None


def _queue_pending(path: Path) -> int:
    if not path.exists() or path.stat().st_size == 0:
        return 0
    db = sqlite3.connect(str(path), timeout=30)
    try:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        return sum(db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in ("task", "schedule") if t in tables)
    finally:
        db.close()


# --- Media ---------------------------------------------------------------------------------------

def _media_root() -> Path | None:
    return None if settings.STORAGE_CONFIG.backend != "disk" else Path(settings.MEDIA_ROOT)


def _media_files(root: Path) -> list[Path]:
    if not root.exists():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


# --- Archive -------------------------------------------------------------------------------------

def default_folder() -> Path:
    return Path(settings.BACKUP_DIR)


def backup_create(*, output: Path | None = None) -> BackupResult:
    """Write one encrypted archive; returns where. The file appears only when complete (written, then renamed)."""
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    output = Path(output) if output else default_folder() / f"hirelens-{stamp}{SUFFIX}"
    output.parent.mkdir(parents=True, exist_ok=True)
    from . import crypto

    with tempfile.TemporaryDirectory(prefix=".hirelens-backup-", dir=output.parent) as tmp:
        folder = Path(tmp)
        vendor, dump_name = _database_dump(folder)
        queue_note = "redis (not in the archive)" if settings.HUEY.get("huey_class") != "huey.SqliteHuey" else "none"
        queue = _queue_path()
        if queue is not None and queue.exists():
            _sqlite_copy(queue, folder / "queue.sqlite3")
            queue_note = "queue.sqlite3"
        root = _media_root()
        files = _media_files(root) if root is not None else []
        media_bytes = sum(p.stat().st_size for p in files)
        manifest = {
            "format": FORMAT, "version": VERSION, "created_at": timezone.now().isoformat(), "database": vendor,
            "database_file": dump_name, "queue": queue_note,
            "media": "s3 (not in the archive: use the bucket's versioning or replication)" if root is None else "disk",
            "media_files": len(files), "media_bytes": media_bytes, "key_id": crypto.keyring().active_kid,
        }
        (folder / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        (folder / "erasures.json").write_text(json.dumps(_ledger_rows()), encoding="utf-8")
        tar_path = folder / "archive.tar"
        with tarfile.open(tar_path, "w", format=tarfile.PAX_FORMAT) as tar:
            tar.add(folder / "manifest.json", arcname="manifest.json")
            tar.add(folder / "erasures.json", arcname="erasures.json")
            tar.add(folder / dump_name, arcname=dump_name)
            if queue_note == "queue.sqlite3":
                tar.add(folder / "queue.sqlite3", arcname="queue.sqlite3")
            for path in files:
                tar.add(path, arcname=f"media/{path.relative_to(root).as_posix()}")
        for name in ("manifest.json", "erasures.json", dump_name, "queue.sqlite3"):
            (folder / name).unlink(missing_ok=True)
        partial = folder / "archive.partial"
        with open(tar_path, "rb") as plain, open(partial, "wb") as sealed:
            os.chmod(partial, 0o600)
            shutil.copyfileobj(EncryptingReader(plain), sealed, 1024 * 1024)
            sealed.flush()
            os.fsync(sealed.fileno())
        os.replace(partial, output)
    return BackupResult(path=output, database=vendor, media_files=len(files), media_bytes=media_bytes, queue=queue_note,
                        size=output.stat().st_size)


def backup_prune(*, folder: Path | None = None, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` archives in ``folder``; returns what was deleted."""
    folder = folder or default_folder()
    archives = sorted(folder.glob(f"hirelens-*{SUFFIX}"), key=lambda p: p.name, reverse=True)
    removed = archives[max(0, keep):]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def _safe_name(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BackupError(f"refusing an archive member with an unsafe name: {name!r}")
    return path


def _ledger_rows() -> list[dict]:
    from .erasure import ledger_entry
    from .models import Erasure

    return [ledger_entry(e) for e in Erasure.objects.order_by("created_at", "pk")]


def backup_restore(*, archive: Path, force: bool = False, ledgers: list[Path] | None = None) -> RestoreResult:
    """Bring an archive back into this instance's (empty) database, media folder and queue, then erase again every
    candidate that the archive's ledger or the newer ledger files (default: ``BACKUP_DIR/erasure-ledger.jsonl``)
    say was erased: a backup made before an erasure never brings the person back."""
    from . import crypto

    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"no archive at {archive}")
    root = _media_root()
    if root is not None and _media_files(root) and not force:
        raise BackupError(f"the media folder {root} is not empty; restore into an empty var dir or pass --force")
    queue = _queue_path()
    if queue is not None and _queue_pending(queue) and not force:
        raise BackupError(f"the queue {queue} holds jobs; restore into an empty var dir or pass --force")
    with tempfile.TemporaryDirectory(prefix=".hirelens-restore-") as tmp:
        folder = Path(tmp)
        tar_path = folder / "archive.tar"
        try:
            with open(archive, "rb") as sealed, open(tar_path, "wb") as plain:
                shutil.copyfileobj(DecryptingReader(sealed), plain, 1024 * 1024)
        except crypto.DecryptionError as exc:
            raise BackupError(f"cannot decrypt {archive}: {exc} (is the key that wrote it in HIRELENS_ENCRYPTION_KEYS?)") from None
        with tarfile.open(tar_path, "r") as tar:
            members = {_safe_name(m.name).as_posix(): m for m in tar.getmembers() if m.isfile()}
            if "manifest.json" not in members:
                raise BackupError(f"{archive} is not a HireLens backup (no manifest)")
            manifest = json.loads(tar.extractfile(members["manifest.json"]).read())
            if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
                raise BackupError(f"{archive} is not a HireLens backup of version {VERSION}")
            dump = folder / manifest["database_file"]
            with tar.extractfile(members[manifest["database_file"]]) as src, open(dump, "wb") as dst:
                shutil.copyfileobj(src, dst)
            _database_restore(manifest["database"], dump, force=force)
            dump.unlink()
            notes = []
            media = [name for name in members if name.startswith("media/")]
            if media and root is None:
                notes.append(f"{len(media)} media files not restored: this instance stores files in S3")
            elif media:
                if force and root.exists():
                    shutil.rmtree(root)
                for name in media:
                    target = root.joinpath(*_safe_name(name).parts[1:])
                    target.parent.mkdir(parents=True, exist_ok=True)
                    with tar.extractfile(members[name]) as src, open(target, "wb") as dst:
                        shutil.copyfileobj(src, dst)
            queue_note = "none"
            if "queue.sqlite3" in members:
                if queue is None:
                    notes.append("the archived SQLite queue was not restored: this instance queues jobs in Redis")
                else:
                    queue.parent.mkdir(parents=True, exist_ok=True)
                    copy = folder / "queue.sqlite3"
                    with tar.extractfile(members["queue.sqlite3"]) as src, open(copy, "wb") as dst:
                        shutil.copyfileobj(src, dst)
                    _sqlite_copy(copy, queue)
                    queue_note = str(queue)
            entries = json.loads(tar.extractfile(members["erasures.json"]).read()) if "erasures.json" in members else []
    from .erasure import erasure_reapply, ledger_path, ledger_read

    for path in ledgers if ledgers is not None else [ledger_path()]:
        entries += ledger_read(Path(path))
    unique = list({e["pseudonym"]: e for e in entries}.values())
    reapplied = erasure_reapply(unique)
    if reapplied:
        notes.append(f"{len(reapplied)} erased candidate(s) of the ledger were erased again after the restore")
    return RestoreResult(database=manifest["database"], media_files=len(media) if root is not None else 0, queue=queue_note,
                         created_at=manifest["created_at"], notes=notes, erasures_reapplied=len(reapplied))
