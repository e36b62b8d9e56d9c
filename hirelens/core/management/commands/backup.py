"""`manage.py backup [--output PATH]`: one encrypted archive of the database, media and queue (hirelens/core/backup.py)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hirelens.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Write one encrypted archive (database, media, queue) to PATH or VAR_DIR/backups/."

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, default=None,
                            help="archive to write (default: VAR_DIR/backups/hirelens-<UTC time>.hlbackup)")

    def handle(self, *args, output, **options):
        try:
            result = backup_create(output=output)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(
            f"Backup written to {result.path} ({result.size} bytes): {result.database} database, "
            f"{result.media_files} media files ({result.media_bytes} bytes), queue: {result.queue}."))
