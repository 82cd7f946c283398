from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("competition", "0004_judge_status"),
    ]

    operations = [
        migrations.AddField(
            model_name="problem",
            name="raisers",
            field=models.ManyToManyField(
                blank=True,
                related_name="raised_problems",
                to="competition.judge",
                verbose_name="raised by",
            ),
        ),
        migrations.AddField(
            model_name="problem",
            name="text_key",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
    ]
