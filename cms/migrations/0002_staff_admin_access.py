"""Staff may enter the Wagtail admin and edit every page; moderators may enter the admin."""

from django.db import migrations

PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page", "lock_page", "unlock_page")


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    admin_type, _ = ContentType.objects.get_or_create(app_label="wagtailadmin", model="admin")
    access_admin, _ = Permission.objects.get_or_create(
        content_type=admin_type, codename="access_admin", defaults={"name": "Can access Wagtail admin"}
    )
    staff, _ = Group.objects.get_or_create(name="staff")
    moderator, _ = Group.objects.get_or_create(name="moderator")
    staff.permissions.add(access_admin)
    moderator.permissions.add(access_admin)
    root = Page.objects.filter(depth=1).first()
    page_type, _ = ContentType.objects.get_or_create(app_label="wagtailcore", model="page")
    if root is None:
        return
    for codename in PAGE_PERMISSIONS:
        permission, _ = Permission.objects.get_or_create(
            content_type=page_type, codename=codename, defaults={"name": codename.replace("_", " ")}
        )
        GroupPagePermission.objects.get_or_create(group=staff, page=root, permission=permission)
    for model in ("image", "document"):
        for action in ("add", "change", "choose"):
            perm = Permission.objects.filter(codename=f"{action}_{model}").first()
            if perm:
                staff.permissions.add(perm)


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0001_initial"),
        ("participation", "0002_roles"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtailimages", "0002_initial_data"),
        ("wagtaildocs", "0002_initial_data"),
    ]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
