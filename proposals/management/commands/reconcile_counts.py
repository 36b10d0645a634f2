"""Recompute stored counters from COUNT(*) and report mismatches (``--check``: report only, exit 1 if any)."""

from django.core.management.base import BaseCommand

from proposals.tally import counts_reconcile


class Command(BaseCommand):
    help = "Check that support/comment/vote counters equal COUNT(*); fix them unless --check is given."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Only report; exit with status 1 on any mismatch.")

    def handle(self, *args, check=False, **options):
        mismatches = counts_reconcile(fix=not check)
        for m in mismatches:
            self.stdout.write(f"{m['model']} {m['id']} {m['field']}: stored {m['stored']}, actual {m['actual']}")
        verb = "found" if check else "fixed"
        self.stdout.write(f"{len(mismatches)} mismatches {verb}")
        if check and mismatches:
            raise SystemExit(1)
