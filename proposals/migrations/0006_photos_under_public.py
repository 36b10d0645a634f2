"""Proposal photos move from media/proposals/YYYY/MM/ (which no URL served) to public/proposals/ when
the proposal is visible and private/proposals/ when it is hidden or its author blocked."""

from django.db import migrations, models


def place_photos(apps, schema_editor):
    from django.core.files.storage import default_storage

    Proposal = apps.get_model("proposals", "Proposal")
    rows = Proposal.objects.exclude(image="").exclude(image__startswith="public/").exclude(
        image__startswith="private/").select_related("author")
    for proposal in rows.iterator():
        folder = "public" if proposal.hidden_at is None and proposal.author.blocked_at is None else "private"
        names = {}
        for field in ("image", "thumbnail"):
            old = getattr(proposal, field).name
            if not old or not default_storage.exists(old):
                continue
            with default_storage.open(old, "rb") as source:
                names[field] = default_storage.save(f"{folder}/proposals/{old.rsplit('/', 1)[-1]}", source)
            default_storage.delete(old)
        if names:
            Proposal.objects.filter(pk=proposal.pk).update(**names)


class Migration(migrations.Migration):

    dependencies = [
        ("proposals", "0005_shuffle_key"),
    ]

    operations = [
        migrations.AlterField(
            model_name="proposal",
            name="image",
            field=models.FileField(blank=True, upload_to="public/proposals/", verbose_name="image"),
        ),
        migrations.AlterField(
            model_name="proposal",
            name="thumbnail",
            field=models.FileField(blank=True, upload_to="public/proposals/", verbose_name="thumbnail"),
        ),
        migrations.RunPython(place_photos, migrations.RunPython.noop, elidable=True),
    ]
