"""Load the demo city: idempotent, safe to run again (``--password`` resets demo passwords)."""

from __future__ import annotations

import random
import secrets

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from participation.core.registry import registry


class Command(BaseCommand):
    help = "Create or update the demo city (Japanese content, English translations) and demo users."

    def add_arguments(self, parser):
        parser.add_argument("--password", help="password for every demo user (default: generated and printed)")
        parser.add_argument("--only", nargs="*", help="run only these seeders (by name)")
        parser.add_argument("--force", action="store_true", help="allow outside demo mode (DEMO_MODE=0)")

    def handle(self, *args, password=None, only=None, force=False, **options):
        if not (settings.DEMO_MODE or force):
            raise CommandError("seed_demo creates accounts with known passwords; it runs only with DEMO_MODE=1 or --force.")
        set_password = password is not None
        password = password or secrets.token_urlsafe(9)
        rng = random.Random(20260401)
        for seeder in registry.demo_seeders:
            if only and seeder.name not in only:
                continue
            with transaction.atomic():
                seeder.func(stdout=self.stdout, password=password, set_password=set_password, rng=rng)
        if set_password:
            self.stdout.write(self.style.SUCCESS(f"demo users resident1..resident20, moderator, staff, council: password {password}"))
        else:
            self.stdout.write(self.style.SUCCESS(
                f"new demo users got the password {password} (existing users keep theirs; use --password to reset)"
            ))
