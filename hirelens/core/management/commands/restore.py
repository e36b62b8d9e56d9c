"""`manage.py restore PATH [--force]`: bring a backup archive back into an empty database, media folder and queue."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hirelens.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore an archive written by `manage.py backup` into this instance (empty unless --force)."
    requires_system_checks = []  # the target database may be empty or absent: nothing to check yet

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument("--force", action="store_true", help="replace a database, media folder or queue that is not empty")
        parser.add_argument("--ledger", action="append", type=Path, default=None,
                            help="an erasure ledger (erasure-ledger.jsonl) to re-apply after the restore; "
                                 "default: BACKUP_DIR/erasure-ledger.jsonl (repeatable)")

    def handle(self, *args, archive, force, ledger=None, **options):
        try:
            result = backup_restore(archive=archive, force=force, ledgers=ledger)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(
            f"Restored the backup of {result.created_at}: {result.database} database, {result.media_files} media files, "
            f"queue: {result.queue}."))
        for note in result.notes:
            self.stdout.write(self.style.WARNING(note))
