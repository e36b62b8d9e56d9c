"""Idempotent demo data: run it as often as you like, it creates only what is missing."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from hirelens.core.demo import DemoContext, demo_done, demo_modules
from hirelens.core.models import Organization


class Command(BaseCommand):
    help = "Load the demo organizations, staff, positions, candidates and what each app adds (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        # the demo company switched face analysis on (off by default) to show it; Acme keeps the default
        org, _ = Organization.objects.get_or_create(slug="demo", defaults={"name": "示例科技有限公司",
                                                                          "facial_analysis_enabled": True})
        other, _ = Organization.objects.get_or_create(slug="acme", defaults={"name": "Acme Trading Co."})
        ctx = DemoContext(organization=org, other_organization=other)
        for module in demo_modules():
            module.load(ctx)
        demo_done(ctx)  # what the apps registered to run last (analytics counts its funnel anew)
        self.stdout.write(self.style.SUCCESS(
            f"Demo data ready: {len(ctx.users)} staff, {len(ctx.positions)} positions, {len(ctx.candidates)} candidates."
        ))
        for line in ctx.log:
            self.stdout.write(f"  {line}")
