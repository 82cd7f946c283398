"""Problems resolved before their resolution was timed: the last change to them is the best
record of when, so resolved_at is their updated_at."""

from django.db import migrations
from django.db.models import F


def time_resolutions(apps, schema_editor):
    Problem = apps.get_model("competition", "Problem")
    Problem.objects.filter(status="resolved", resolved_at__isnull=True).update(
        resolved_at=F("updated_at")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("competition", "0010_problem_resolved_at"),
    ]

    operations = [
        migrations.RunPython(time_resolutions, migrations.RunPython.noop),
    ]
