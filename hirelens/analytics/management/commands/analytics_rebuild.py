"""Recount the analytics funnel's per-day aggregates from the applications and pipeline events.

    manage.py analytics_rebuild                 # every organization
    manage.py analytics_rebuild --organization 3

Run it after loading rows that bypass the services (a bulk seed, a restore from an older version); the services keep
the aggregates in step otherwise. Idempotent."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from hirelens.analytics.services import aggregates_rebuild


class Command(BaseCommand):
    help = "Recount the analytics funnel's per-day aggregates from the source rows (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--organization", type=int, default=None, help="Only this organization id.")

    def handle(self, *args, organization=None, **options):
        started = time.perf_counter()
        counts = aggregates_rebuild(organization_id=organization)
        self.stdout.write(f"analytics aggregates rebuilt in {time.perf_counter() - started:.1f} s: "
                          + ", ".join(f"{n:,} {name.replace('_', ' ')}" for name, n in counts.items()))
