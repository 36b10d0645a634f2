"""The default status list (検討中 0 %, 予算化 20 %, 実施中 50 %, 完了 100 %, 見送り) and departments."""

from django.db import migrations


def seed(apps, schema_editor):
    from accountability.defaults import ensure_defaults

    ensure_defaults(apps.get_model("accountability", "ResultStatus"), apps.get_model("accountability", "Department"))


class Migration(migrations.Migration):
    dependencies = [("accountability", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
