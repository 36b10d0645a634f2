"""Staff write announcements and keep districts and topics in the Wagtail admin (snippet permissions)."""

from django.db import migrations

MODELS = ("announcement", "district", "topic")
ACTIONS = ("add", "change", "delete", "view")


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    staff, _ = Group.objects.get_or_create(name="staff")
    for model in MODELS:
        content_type, _ = ContentType.objects.get_or_create(app_label="outreach", model=model)
        for action in ACTIONS:
            perm, _ = Permission.objects.get_or_create(
                content_type=content_type, codename=f"{action}_{model}", defaults={"name": f"Can {action} {model}"}
            )
            staff.permissions.add(perm)


class Migration(migrations.Migration):
    dependencies = [("outreach", "0001_initial"), ("participation", "0002_roles"), ("contenttypes", "0002_remove_content_type_name")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
