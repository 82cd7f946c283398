"""Problem keys ignore spaces beside Chinese (competition.models.problem_key): the problems
that become the same are merged as 0006 merged identical ones — the one staff took furthest is
kept (resolved, then in progress, then with an owner, then the first raised), its empty
follow-up fields filled from the others, raised by all of their judges."""

import hashlib
import re
from collections import defaultdict

from django.db import migrations

# As competition.models.problem_text and problem_key were when this was written.
SPACE_BESIDE_CJK = re.compile(
    r"\s+(?=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef])|(?<=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef])\s+"
)


def problem_key(text: str) -> str:
    compared = SPACE_BESIDE_CJK.sub("", " ".join(text.split()))
    return hashlib.sha256(compared.encode()).hexdigest()


PROGRESS = {"resolved": 0, "in_progress": 1, "open": 2}


def merge(apps, schema_editor):
    Problem = apps.get_model("competition", "Problem")
    Raiser = Problem.raisers.through
    groups = defaultdict(list)
    for problem in Problem.objects.order_by("created_at", "pk").iterator():
        groups[(problem.competition_id, problem.village_id, problem_key(problem.text))].append(
            problem
        )
    for (_competition, _village, key), problems in groups.items():
        kept = min(problems, key=lambda p: (PROGRESS.get(p.status, 3), not p.owner))
        others = [p for p in problems if p is not kept]
        if not others and kept.text_key == key:
            continue
        judges = set(Raiser.objects.filter(problem__in=problems).values_list("judge_id", flat=True))
        for other in others:
            kept.owner = kept.owner or other.owner
            kept.due = kept.due or other.due
            kept.resolution = kept.resolution or other.resolution
            if kept.status == "resolved":
                kept.resolved_at = kept.resolved_at or other.resolved_at
        # The others go first: the kept one takes the key one of them may hold.
        Problem.objects.filter(pk__in=[p.pk for p in others]).delete()
        kept.text_key = key
        kept.save(update_fields=["text_key", "owner", "due", "resolution", "resolved_at"])
        have = set(Raiser.objects.filter(problem=kept).values_list("judge_id", flat=True))
        Raiser.objects.bulk_create(
            [Raiser(problem_id=kept.pk, judge_id=judge) for judge in judges - have]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("competition", "0011_problems_resolved_before"),
    ]

    operations = [migrations.RunPython(merge, migrations.RunPython.noop)]
