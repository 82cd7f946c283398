"""A competition ready to score, for tests: criteria copied, contestants ordered, a panel."""

import importlib

from django.apps import apps
from django.contrib.auth.models import User

from competition import services as competition_services
from competition.models import Competition, Judge
from scoring.models import Scheme
from scoring.setup import services
from tests.factories import TenureFactory, UserFactory
from villages.models import Street


def default_scheme() -> Scheme:
    """The default 5+N scheme. A transactional test's flush removes what the data migration
    made; this puts it back (the migration's own function, idempotent)."""
    migration = importlib.import_module("scoring.migrations.0002_default_scheme")
    migration.create_default_scheme(apps, None)
    return Scheme.objects.get(name=migration.SCHEME["name"])


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
        scheme=default_scheme(),
        optional_codes=list(optional),
        by=staff,
    )
    competition_services.add_current_secretaries(competition=competition, by=staff)
    ids = competition.contestants.order_by("village__code").values_list("pk", flat=True)
    competition_services.set_order(
        competition=competition, order={pk: n for n, pk in enumerate(ids, 1)}, by=staff
    )
    for user in judges or [UserFactory()]:
        competition_services.add_judge(
            competition=competition, user=user, role=Judge.Role.AREA_CHIEF, by=staff
        )
    if open_it:
        services.open_scoring(competition=competition, by=staff)
    competition.refresh_from_db()
    return competition


def full_points(competition: Competition, fraction: float = 0.8) -> dict[str, str]:
    """Points for every criterion of a competition: a fraction of each maximum, in 0.5 steps."""
    return {
        c.code: str(int(float(c.max_points) * 2 * fraction) / 2) for c in competition.criteria.all()
    }
