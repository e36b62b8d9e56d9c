"""Backup and restore drill (R5): `manage.py backup` of a populated instance, `manage.py restore` into a new var dir
and a new database, then every row of every table, every queued job and every media file compared byte for byte.

Runs on the suite's database: SQLite (a new SQLite file) or PostgreSQL (a new database next to the test one)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from conftest import ROOT

pytestmark = pytest.mark.django_db(transaction=True)


# --- Reading every row, outside Django, the same way on both sides ---------------------------------

def _pg_connect(dbname: str):
    import psycopg

    db = connection.settings_dict
    return psycopg.connect(dbname=dbname, host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"] or "postgres",
                           password=db["PASSWORD"] or None, autocommit=True)


def _open(target: str):
    return sqlite3.connect(target) if connection.vendor == "sqlite" else _pg_connect(target)


def _tables(conn) -> list[str]:
    if connection.vendor == "sqlite":
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    else:
        rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname='public' ORDER BY tablename")
    return [row[0] for row in rows.fetchall()]


def _rows(conn, table: str) -> list[tuple]:
    rows = conn.execute(f'SELECT * FROM "{table}"').fetchall()
    return sorted((tuple(row) for row in rows), key=repr)


def _sequences(conn) -> dict:
    if connection.vendor == "sqlite":
        return dict(conn.execute("SELECT name, seq FROM sqlite_sequence").fetchall())
    names = [r[0] for r in conn.execute("SELECT sequencename FROM pg_sequences WHERE schemaname='public'").fetchall()]
    return {name: conn.execute(f'SELECT last_value, is_called FROM "{name}"').fetchone() for name in names}


def _snapshot(target: str) -> tuple[dict, dict]:
    conn = _open(target)
    try:
        return {table: _rows(conn, table) for table in _tables(conn)}, _sequences(conn)
    finally:
        conn.close()


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# --- A second instance: its own var dir and database ------------------------------------------------

@pytest.fixture
def second_instance(tmp_path):
    var_dir = tmp_path / "restored"
    if connection.vendor == "sqlite":
        target = str(var_dir / "hirelens.sqlite3")
        yield var_dir, f"sqlite:///{target}", target
        return
    name = f"{connection.settings_dict['NAME']}_restored"[:63]
    admin = _pg_connect("postgres")
    admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.execute(f'CREATE DATABASE "{name}"')
    db = connection.settings_dict
    url = f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
    try:
        yield var_dir, url, name
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _manage(var_dir: Path, url: str, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HIRELENS_")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.local", HIRELENS_VAR_DIR=str(var_dir), HIRELENS_DATABASE_URL=url)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def _populate(real_queue) -> None:
    """The demo (staff, candidates with résumés and documents, interview answers with recordings, audit chain) and jobs
    waiting in the queue."""
    from hirelens.core.tasks import worker_heartbeat

    call_command("load_demo", stdout=open(os.devnull, "w"))
    worker_heartbeat.schedule(delay=3600)  # a job that is still waiting when the backup is made


def _source_target() -> str:
    return connection.settings_dict["NAME"]


def test_backup_restores_every_row_and_file_byte_for_byte(tmp_path, second_instance, real_queue):
    _populate(real_queue)
    archive = tmp_path / "drill.hlbackup"
    call_command("backup", output=archive, stdout=open(os.devnull, "w"))
    rows_before, sequences_before = _snapshot(_source_target())
    media_before = _files(Path(settings.MEDIA_ROOT))
    assert rows_before["candidates_candidate"] and rows_before["core_auditevent"] and rows_before["interviews_answer"]
    assert any(name.endswith(".webm") for name in media_before) and any("/documents/" in name for name in media_before)

    raw = archive.read_bytes()
    assert raw[:4] == b"HLEF"  # the storage's AES-256-GCM file format
    for secret in (b"django_migrations", b"CREATE TABLE", b"manifest.json", b"SQLite format"):
        assert secret not in raw

    var_dir, url, target = second_instance
    result = _manage(var_dir, url, "restore", str(archive))
    assert result.returncode == 0, result.stderr

    rows_after, sequences_after = _snapshot(target)
    assert sorted(rows_after) == sorted(rows_before)
    for table, rows in rows_before.items():
        assert rows_after[table] == rows, table
    assert sequences_after == sequences_before
    assert _files(var_dir / "media") == media_before
    if settings.HUEY["huey_class"] == "huey.SqliteHuey":
        queue = sqlite3.connect(settings.HUEY["filename"])
        restored_queue = sqlite3.connect(var_dir / "huey.sqlite3")
        for table in ("task", "schedule"):
            assert _rows(restored_queue, table) == _rows(queue, table)
        assert len(_rows(restored_queue, "task")) >= 1
        queue.close()
        restored_queue.close()

    # the restored instance reads its data: the audit chain verifies, the encrypted names decrypt, recordings open
    check = _manage(var_dir, url, "audit_verify")
    assert check.returncode == 0, check.stdout + check.stderr
    code = ("from hirelens.candidates.models import Candidate; from hirelens.interviews.models import Answer; "
            "print('NAMES', sorted(c.full_name for c in Candidate.objects.all())); "
            "print('RECORDED', sum(len(a.recording.open('rb').read()) for a in Answer.objects.exclude(recording='')))")
    shell = _manage(var_dir, url, "shell", "-c", code)
    assert shell.returncode == 0, shell.stderr
    from hirelens.candidates.models import Candidate
    from hirelens.interviews.models import Answer

    out = {line.split(" ", 1)[0]: line.split(" ", 1)[1] for line in shell.stdout.splitlines() if " " in line}
    names, recorded = out["NAMES"], out["RECORDED"]
    assert names == str(sorted(c.full_name for c in Candidate.objects.all()))
    assert int(recorded) == sum(len(a.recording.open("rb").read()) for a in Answer.objects.exclude(recording="")) > 0

    # a second restore into the now populated instance is refused, and --force replaces it
    again = _manage(var_dir, url, "restore", str(archive))
    assert again.returncode == 1 and "is not empty" in again.stderr and "--force" in again.stderr
    forced = _manage(var_dir, url, "restore", str(archive), "--force")
    assert forced.returncode == 0, forced.stderr
    assert _snapshot(target)[0] == rows_before


def test_a_tampered_or_foreign_archive_is_refused(tmp_path, second_instance, real_queue):
    call_command("load_demo", stdout=open(os.devnull, "w"))  # its analyses wait in the queue (no worker needed here)
    archive = tmp_path / "drill.hlbackup"
    call_command("backup", output=archive, stdout=open(os.devnull, "w"))
    var_dir, url, target = second_instance
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0x01
    tampered = tmp_path / "tampered.hlbackup"
    tampered.write_bytes(bytes(data))
    result = _manage(var_dir, url, "restore", str(tampered))
    assert result.returncode == 1 and "failed authentication" in result.stderr
    env_key = {"HIRELENS_ENCRYPTION_KEYS": "k9:" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE="}
    env = {k: v for k, v in os.environ.items() if not k.startswith("HIRELENS_")}
    env.update(env_key, DJANGO_SETTINGS_MODULE="config.settings.local", HIRELENS_VAR_DIR=str(var_dir), HIRELENS_DATABASE_URL=url)
    wrong = subprocess.run([sys.executable, "manage.py", "restore", str(archive)], cwd=ROOT, env=env, capture_output=True, text=True,
                           timeout=300)
    assert wrong.returncode == 1 and "unknown encryption key id 'dev1'" in wrong.stderr
    assert not (var_dir / "media").exists() or not any((var_dir / "media").rglob("*.webm"))


def test_daily_backup_keeps_the_newest_archives(tmp_path, settings):
    from huey.contrib.djhuey import HUEY

    from hirelens.core.tasks import backup_daily

    settings.BACKUP_DAILY, settings.BACKUP_DIR, settings.BACKUP_KEEP = True, tmp_path / "backups", 2
    (tmp_path / "backups").mkdir()
    for stamp in ("20240101-030000", "20240102-030000", "20240103-030000"):
        (tmp_path / "backups" / f"hirelens-{stamp}.hlbackup").write_bytes(b"old")
    backup_daily()
    kept = sorted(p.name for p in (tmp_path / "backups").iterdir())
    assert len(kept) == 2 and kept[0] == "hirelens-20240103-030000.hlbackup"
    assert (tmp_path / "backups" / kept[1]).read_bytes()[:4] == b"HLEF"
    hour = settings.BACKUP_HOUR  # what the consumer's scheduler would start at these minutes
    due = [{t.name for t in HUEY.read_periodic(datetime(2026, 3, 1, h, m))} for h, m in ((hour, 0), (hour, 1), ((hour + 1) % 24, 0))]
    assert ["backup_daily" in names for names in due] == [True, False, False]
    settings.BACKUP_DAILY = False
    backup_daily()
    assert sorted(p.name for p in (tmp_path / "backups").iterdir()) == kept


def test_local_settings_schedule_the_daily_backup(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HIRELENS_")}
    code = "import django; django.setup(); from django.conf import settings; print(settings.BACKUP_DAILY, settings.BACKUP_DIR)"
    for module, expected in (("config.settings.local", "True"), ("config.settings.test", "False")):
        env.update(DJANGO_SETTINGS_MODULE=module, HIRELENS_VAR_DIR=str(tmp_path))
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert out.stdout.split() == [expected, str(tmp_path / "backups")], out.stderr
