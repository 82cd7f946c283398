"""The world both permission matrices ask about, built once per module and status.

One district with two streets: competition A of `street`, in the status a test asks for, and B of
`other_street`, in scoring. A person of every role either matrix names, and a row of every model
the admin keeps. Another district holds a village no one in the first may see, and a competition
published long ago (a bare row: the admin only lists it).

The `world` fixture (tests/conftest.py) builds it in a transaction rolled back after the
module's last test of that status; each test runs in a savepoint inside it (pytest-django's
`django_db`), so what one test changes — a deleted row, a new password — the next never sees.
A test asks for a status with `@pytest.mark.parametrize("world", [status], indirect=True)`
(scoring unless it says); pytest runs the tests of one status together, so a module builds the
world once for each status it asks about, instead of once for each of its thousand cases.
"""

from dataclasses import dataclass, field

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group, User
from django.db import models
from django.urls import reverse

from competition.models import Competition, Contestant, Judge, Problem
from notice.models import NoticeDefaults
from scoring.models import Publication, Scheme, ScoreSheet
from scoring.results import services
from scoring.setup import services as setup_services
from scoring.sheets import services as sheet_services
from tests.competition_setup import competition_in_scoring, full_points
from tests.factories import (
    DistrictFactory,
    MembershipFactory,
    StreetFactory,
    TenureFactory,
    UserFactory,
)
from villages.models import Membership, Street, Tenure

DRAFT, SCORING, CLOSED, PUBLISHED = Competition.Status.values


@dataclass
class World:
    street: Street  # A's
    other_street: Street  # B's, in the same district
    # Everyone, by role: judge_alice sits on A's panel, judge_bob on B's; street_staff_carol and
    # carded_frank are staff of A's street, frank on both panels; street_staff_erin is B's
    # street's staff, district_dan the district's; nobody_grace has no role, admin_alice is the
    # administrator (the username "alice" is hers: the judge signs in as "ailin").
    cast: dict[str, User]
    a: Competition
    b: Competition  # in scoring; bob has submitted a sheet there
    contestants: list[Contestant]  # A's, in speaking order
    seat_alice: Judge
    seat_frank: Judge  # frank's seat on A: he has scored nobody there
    sheet: ScoreSheet | None  # alice's sheet for A's first contestant, once A is open
    problem: Problem | None  # raised on that sheet
    scheme: Scheme  # the one A's criteria were copied from
    tenures: dict[str, Tenure]  # "A": of A's street, "B": of B's, "X": of another district
    # The row each admin page of a model is asked about, by model label.
    objects: dict[str, models.Model] = field(default_factory=dict)

    def url(self, name: str, *rest) -> str:
        """A page of competition A; `rest` are the further URL arguments, objects or values."""
        return reverse(name, args=[self.a.pk, *(getattr(x, "pk", x) for x in rest)])


def score(seat: Judge, contestant: Contestant, problems: list[str]) -> ScoreSheet:
    return sheet_services.save_sheet(
        judge=seat,
        contestant=contestant,
        points=full_points(contestant.competition),
        problems=problems,
        version=1,
        submit=True,
        by=seat.user,
    ).sheet


def build(status: str) -> World:
    """The world, with A in `status`."""
    district = DistrictFactory()
    street, other_street = StreetFactory(district=district), StreetFactory(district=district)

    def member(username: str, role: str, street: Street | None, **kwargs) -> User:
        return MembershipFactory(
            user__username=username, role=role, district=district, street=street, **kwargs
        ).user

    cast = {
        "judge_alice": member("ailin", "judge", street),
        "judge_bob": member("bob", "judge", street, user__email="bob@example.org"),
        "street_staff_carol": member("carol", "street_staff", street),
        "street_staff_erin": member("erin", "street_staff", other_street),
        "district_dan": member("dan", Membership.Role.DISTRICT_STAFF, None),
        "carded_frank": member("frank", "street_staff", street),
        "nobody_grace": UserFactory(username="grace"),
        "admin_alice": UserFactory(username="alice", is_staff=True, is_superuser=True),
    }
    carol, erin = cast["street_staff_carol"], cast["street_staff_erin"]
    alice, bob, frank = cast["judge_alice"], cast["judge_bob"], cast["carded_frank"]
    a = competition_in_scoring(street=street, staff=carol, judges=[alice, frank], open_it=False)
    b = competition_in_scoring(street=other_street, staff=erin, judges=[bob, frank])
    # A village whose secretary is not yet a contestant: "add current secretaries" adds one.
    TenureFactory(village__street=street)
    score(b.judges.get(user=bob), b.contestants.first(), ["B 村道路破损"])
    contestants = list(a.contestants.order_by("order"))
    world = World(
        street=street,
        other_street=other_street,
        cast=cast,
        a=a,
        b=b,
        contestants=contestants,
        seat_alice=a.judges.get(user=alice),
        seat_frank=a.judges.get(user=frank),
        sheet=None,
        problem=None,
        scheme=a.criteria.first().source.scheme,
        tenures={
            "A": Tenure.objects.get(village=contestants[0].village),
            "B": Tenure.objects.get(village=b.contestants.first().village),
            # Leads a village of another district; nothing refers to it.
            "X": TenureFactory(),
        },
    )
    if status != DRAFT:
        setup_services.open_scoring(competition=a, by=carol)
        world.sheet = score(world.seat_alice, contestants[0], ["A 村党员活动室漏雨"])
        world.problem = Problem.objects.get(competition=a)
    if status in (CLOSED, PUBLISHED):
        # Publishing needs a counting sheet for everyone; frank's sheets stay missing.
        for contestant in contestants[1:]:
            score(world.seat_alice, contestant, [])
        services.close_scoring(competition=a, by=carol, reason="评委未到")
    if status == PUBLISHED:
        services.publish_competition(competition=a, by=carol)
    a.refresh_from_db()
    assert a.status == status
    world.objects = admin_rows(world)
    return world


def admin_rows(w: World) -> dict[str, models.Model]:
    """A row of every model the admin keeps, made where the world has none."""
    far = w.tenures["X"].village.street
    # Published long ago in the other district (a bare row: the admin only lists it).
    old = Competition.objects.create(
        district=far.district, street=far, year=2025, quarter=4, status="published"
    )
    failure = {
        "username": "zhang",
        "ip_address": "10.0.0.9",
        "user_agent": "phone",
        "http_accept": "*/*",
        "path_info": reverse("login"),
    }
    criterion = w.a.criteria.order_by("pk").first().source
    return {
        "auth.group": Group.objects.create(name="评委"),
        "auth.user": w.cast["judge_bob"],
        "axes.accessattempt": AccessAttempt.objects.create(
            **failure, get_data="", post_data="", failures_since_start=1
        ),
        "axes.accesslog": AccessLog.objects.create(**failure),
        "axes.accessfailurelog": AccessFailureLog.objects.create(**failure),
        "villages.district": w.street.district,
        "villages.street": w.street,
        "villages.village": w.contestants[0].village,
        "villages.secretary": w.contestants[0].secretary,
        "villages.tenure": w.tenures["X"],
        "competition.competition": w.a,
        "competition.judge": w.seat_alice,
        "competition.problem": w.problem,
        "scoring.scheme": criterion.scheme,
        "scoring.criterion": criterion,
        "scoring.gradingpolicy": w.a.policy,
        "notice.noticedefaults": NoticeDefaults.objects.create(district=w.a.district),
        "scoring.publication": Publication.objects.create(
            competition=old,
            version=1,
            document={"contestants": []},
            summary={"contestants": []},
            digest="0" * 64,
            by=w.cast["street_staff_carol"],
        ),
    }
