"""Print a new VAPID key pair as environment lines for web push."""

from django.core.management.base import BaseCommand

from outreach.push import vapid_generate


class Command(BaseCommand):
    help = "Generate a VAPID key pair for web push and print it as VAPID_PRIVATE_KEY / VAPID_PUBLIC_KEY lines."

    def handle(self, *args, **options):
        private, public = vapid_generate()
        self.stdout.write("# Keep the private key secret; changing keys invalidates every browser's subscription.")
        self.stdout.write(f"VAPID_PRIVATE_KEY={private}")
        self.stdout.write(f"VAPID_PUBLIC_KEY={public}")
        self.stdout.write("VAPID_SUBJECT=mailto:webmaster@example.jp")
