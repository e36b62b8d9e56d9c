from django.core.management.base import BaseCommand, CommandError

from hirelens.core.audit import audit_verify_all


class Command(BaseCommand):
    help = "Verify every audit-log hash chain; exits non-zero if any entry was changed, removed or reordered."

    def handle(self, *args, **options):
        broken = 0
        for report in audit_verify_all():
            if report.ok:
                self.stdout.write(f"OK      {report.chain}: {report.events} entries, head {report.head_hash[:16]}…")
            else:
                broken += 1
                self.stdout.write(self.style.ERROR(f"BROKEN  {report.chain}: {report.problem}"))
        if broken:
            raise CommandError(f"{broken} audit chain(s) failed verification")
        self.stdout.write(self.style.SUCCESS("All audit chains verified."))
