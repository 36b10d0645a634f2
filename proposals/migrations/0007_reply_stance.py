"""A reply has its own stance or none (issue 12). Until now the reply form sent a hidden "neutral", so every
existing reply that says "neutral" said it for its author: those become replies without a stance. Top-level
comments keep theirs (their form always asked)."""

from django.conf import settings
from django.db import migrations, models


def replies_without_stance(apps, schema_editor):
    Comment = apps.get_model("proposals", "Comment")
    Comment.objects.filter(depth__gt=1, stance="neutral").update(stance="")


def replies_neutral_again(apps, schema_editor):
    Comment = apps.get_model("proposals", "Comment")
    Comment.objects.filter(stance="").update(stance="neutral")


class Migration(migrations.Migration):

    dependencies = [
        ('proposals', '0006_photos_under_public'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='comment',
            name='comment_stance_valid',
        ),
        migrations.AlterField(
            model_name='comment',
            name='stance',
            field=models.CharField(blank=True, choices=[('for', 'For'), ('against', 'Against'), ('neutral', 'Neutral')], default='neutral', max_length=8, verbose_name='stance'),
        ),
        migrations.RunPython(replies_without_stance, replies_neutral_again),
        migrations.AddConstraint(
            model_name='comment',
            constraint=models.CheckConstraint(condition=models.Q(('stance__in', ['for', 'against', 'neutral']), models.Q(('stance', ''), ('depth__gt', 1)), _connector='OR'), name='comment_stance_valid'),
        ),
    ]
