"""`manage.py retention_purge [--dry-run]`: purge what the retention limits say is due today (the daily task does this)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from hirelens.privacy.retention import retention_purge


class Command(BaseCommand):
    help = "Erase unsuccessful candidates, recordings and analyses whose retention period has ended."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="list what is due, delete nothing")

    def handle(self, *args, dry_run, **options):
        report = retention_purge(dry_run=dry_run)
        for item in report.items:
            self.stdout.write(f"{'due' if dry_run else 'purged'}: candidate {item.candidate_id} {item.kind} "
                              f"(closed {item.closed_on}, due {item.due_on})")
        if dry_run:
            self.stdout.write(f"{len(report.items)} item(s) due; nothing deleted (--dry-run).")
        else:
            self.stdout.write(self.style.SUCCESS(
                f"Erased {report.candidates} candidate(s); purged recordings of {report.recordings} and analyses of "
                f"{report.analyses}; {report.decision_records} expired decision record(s); {report.resumed} pending erasure(s) finished."))
