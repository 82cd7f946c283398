"""Identical problems raised by several judges about one village in one competition become one
problem, raised by each of them: the one staff took furthest is kept (resolved, then in
progress, then with an owner, then the first raised), its empty follow-up fields filled from
the others."""

import hashlib
from collections import defaultdict

from django.db import migrations

# As competition.models.problem_text and problem_key were when this was written.


def problem_text(text: str) -> str:
    return " ".join(text.split())


def problem_key(text: str) -> str:
    return hashlib.sha256(problem_text(text).encode()).hexdigest()


PROGRESS = {"resolved": 0, "in_progress": 1, "open": 2}


def merge(apps, schema_editor):
    Problem = apps.get_model("competition", "Problem")
    Raiser = Problem.raisers.through
    groups = defaultdict(list)
    for problem in Problem.objects.order_by("created_at", "pk").iterator():
        groups[(problem.competition_id, problem.village_id, problem_key(problem.text))].append(
            problem
        )
    raisers = []
    for (_competition, _village, key), problems in groups.items():
        kept = min(problems, key=lambda p: (PROGRESS.get(p.status, 3), not p.owner))
        for other in problems:
            if other is not kept:
                kept.owner = kept.owner or other.owner
                kept.due = kept.due or other.due
                kept.resolution = kept.resolution or other.resolution
        kept.text, kept.text_key = problem_text(kept.text), key
        kept.save(update_fields=["text", "text_key", "owner", "due", "resolution"])
        judges = dict.fromkeys(p.raised_by_id for p in problems if p.raised_by_id)
        raisers += [Raiser(problem_id=kept.pk, judge_id=judge) for judge in judges]
        Problem.objects.filter(pk__in=[p.pk for p in problems if p is not kept]).delete()
    Raiser.objects.bulk_create(raisers, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("competition", "0005_problem_raisers"),
    ]

    operations = [migrations.RunPython(merge, migrations.RunPython.noop)]
