from django.db import migrations

from villages.search import initials


def fill_pinyin(apps, schema_editor):
    """Give the villages and secretaries that exist the initials new rows get when written."""
    for name in ("Village", "Secretary"):
        model = apps.get_model("villages", name)
        rows = list(model.objects.only("pk", "name"))
        for row in rows:
            row.pinyin = initials(row.name)
        model.objects.bulk_update(rows, ["pinyin"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("villages", "0002_pinyin_initials"),
    ]

    operations = [
        migrations.RunPython(fill_pinyin, migrations.RunPython.noop),
    ]
