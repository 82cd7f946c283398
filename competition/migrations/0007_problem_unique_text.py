from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("competition", "0006_merge_duplicate_problems"),
    ]

    operations = [
        migrations.RemoveField(model_name="problem", name="raised_by"),
        migrations.AddConstraint(
            model_name="problem",
            constraint=models.CheckConstraint(
                condition=models.Q(("text_key", ""), _negated=True), name="problem_text_key_set"
            ),
        ),
        migrations.AddConstraint(
            model_name="problem",
            constraint=models.UniqueConstraint(
                fields=("competition", "village", "text_key"), name="problem_unique_text"
            ),
        ),
    ]
