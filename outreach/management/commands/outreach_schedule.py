"""Start (or check) the outreach schedule: digests and due announcements run by the task worker."""

from django.core.management.base import BaseCommand

from outreach import services


class Command(BaseCommand):
    help = "Queue the next tick of the outreach schedule (or run one now with --now)."

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="run one tick in this process now")

    def handle(self, *args, now=False, **options):
        if now:
            self.stdout.write(str(services.tick()))
        queued = services.schedule_ensure()
        self.stdout.write("next tick queued" if queued else "a tick is already waiting (or tasks run inline)")
