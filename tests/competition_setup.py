"""A competition ready to score, for tests: criteria copied, contestants ordered, a panel."""

from django.contrib.auth.models import User

from competition import services as event
from competition.models import Competition, Judge
from scoring import services
from scoring.models import Scheme
from tests.factories import TenureFactory, UserFactory
from villages.models import Street


def competition_in_scoring(
    *,
    street: Street,
    staff: User,
    contestants: int = 3,
    judges: list[User] | None = None,
    optional: tuple[str, ...] = ("governance",),
    open_it: bool = True,
) -> Competition:
    TenureFactory.create_batch(contestants, village__street=street)
    competition = services.create_competition(
        street=street,
        year=2026,
        quarter=4,
        scheme=Scheme.objects.get(),
        optional_codes=list(optional),
        by=staff,
    )
    event.add_current_secretaries(competition=competition, by=staff)
    ids = competition.contestants.order_by("village__code").values_list("pk", flat=True)
    event.set_order(competition=competition, order={pk: n for n, pk in enumerate(ids, 1)},
                    by=staff)  # fmt: skip
    for user in judges or [UserFactory()]:
        event.add_judge(competition=competition, user=user, role=Judge.Role.AREA_CHIEF, by=staff)
    if open_it:
        services.open_scoring(competition=competition, by=staff)
    competition.refresh_from_db()
    return competition


def full_points(competition: Competition, fraction: float = 0.8) -> dict[str, str]:
    """Points for every criterion of a competition: a fraction of each maximum, in 0.5 steps."""
    return {
        c.code: str(int(float(c.max_points) * 2 * fraction) / 2) for c in competition.criteria.all()
    }
