"""``manage.py open311_key create --name NAME`` prints a new key as the last word of its last line."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from reports_map.models import Open311ApiKey
from reports_map.services import open311_key_create


class Command(BaseCommand):
    help = "Manage Open311 GeoReport v2 API keys (create, list, deactivate)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a key and print it (shown only once)")
        create.add_argument("--name", required=True)
        sub.add_parser("list", help="list keys (prefixes only)")
        deactivate = sub.add_parser("deactivate", help="deactivate a key by id")
        deactivate.add_argument("id", type=int)

    def handle(self, *args, action=None, name=None, **options):
        if action == "create":
            try:
                key, raw = open311_key_create(name=name)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
            self.stdout.write(f"Open311 API key #{key.pk} for {key.name} (shown only once):")
            self.stdout.write(f"key: {raw}")
        elif action == "list":
            for key in Open311ApiKey.objects.order_by("pk"):
                self.stdout.write(f"{key.pk}\t{key.prefix}…\t{'active' if key.active else 'inactive'}\t{key.name}")
        elif action == "deactivate":
            updated = Open311ApiKey.objects.filter(pk=options["id"]).update(active=False)
            if not updated:
                raise CommandError(f"no key with id {options['id']}")
            self.stdout.write(f"deactivated key {options['id']}")
