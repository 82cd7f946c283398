"""Who may see and do what on the competition and scoring pages: every role × every page.

Every page is asked about competition A, a street competition of `street`. Each case is one
(role, page, method) with the outcome the rules call for. A refused request changes nothing: a
snapshot of every table these pages write is taken before the request and compared after it.

The rules: anonymous users go to the login page; judges get 404 on every staff page, and reach
only their own panel's judge pages; a judge signed in with another competition's card reaches
neither A's judge pages nor any staff page, even when the user is also A's street staff; street
staff run their own street's competitions and get 404 on other streets'; district staff may view
A's setup and board and follow up its problems, and change nothing else of a street competition;
they alone see the district's rankings and annual report and create the district-level
competition. Results: street staff see them from the close, the panel and district staff once
they are published. Users without a staff role get 404 on the staff pages.
"""

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote

import pytest
from django.contrib.auth.models import User
from django.http import HttpResponse
from django.urls import get_resolver, reverse

from competition import services as competition_services
from competition.models import (
    Competition,
    Contestant,
    Event,
    Judge,
    ObservationPoint,
    Problem,
    SignInCard,
)
from notice.models import Notice, Objection
from scoring.models import (
    Ballot,
    BallotToken,
    CompetitionCriterion,
    GradeOverride,
    GradingPolicy,
    PaperTally,
    Publication,
    Score,
    ScoreSheet,
    SheetRevision,
)
from tests.competition_setup import full_points
from tests.world import World
from villages.permissions import CARD_SCOPE

pytestmark = pytest.mark.django_db

DRAFT, SCORING, CLOSED, PUBLISHED = Competition.Status.values

# Who is who: tests/world.py.
ROLES = (
    "anonymous",
    "judge_alice",  # sits on A's panel
    "judge_bob",  # sits on B's panel, B being a competition of another street
    "street_staff_carol",  # staff of A's street
    "street_staff_erin",  # staff of B's street, in the same district
    "district_dan",  # staff of the district
    "carded_frank",  # staff of A's street, on both panels, signed in with B's card
)


@pytest.fixture
def cast(world: World) -> dict[str, User]:
    return world.cast


def sign_in(client, role: str, cast: dict[str, User], world: World) -> None:
    if role == "anonymous":
        return
    if role == "carded_frank":
        issued = competition_services.issue_cards(competition=world.b, by=cast["street_staff_erin"])
        [token] = [token for judge, token in issued if judge.user == cast[role]]
        client.post(reverse("competition:card", args=[token]))
        assert client.session[CARD_SCOPE] == world.b.pk
        return
    client.force_login(cast[role])


def snapshot() -> dict[str, object]:
    """Every row these pages may write, as plain values."""

    def rows(model, *fields):
        return list(model.objects.order_by("pk").values_list(*fields))

    return {
        "competitions": rows(Competition, "pk", "status"),
        "criteria": rows(CompetitionCriterion, "competition_id", "code"),
        "contestants": rows(Contestant, "pk", "order", "absent"),
        "points": rows(ObservationPoint, "pk", "order", "visit_on"),
        "judges": rows(Judge, "pk", "competition_id", "user_id", "role", "status"),
        "recusals": rows(Judge.recusals.through, "judge_id", "contestant_id"),
        "cards": rows(SignInCard, "pk", "used_at", "revoked_at"),
        "sheets": rows(ScoreSheet, "pk", "status", "version", "entered_by_id"),
        "scores": rows(Score, "sheet_id", "criterion_id", "points"),
        "revisions": rows(SheetRevision, "pk", "sheet_id", "version"),
        "problems": rows(Problem, "pk", "status", "owner", "due", "resolution"),
        "overrides": rows(GradeOverride, "contestant_id", "grade", "reason"),
        "publications": rows(Publication, "pk", "competition_id", "version"),
        "policies": rows(GradingPolicy, "pk", "democratic_enabled"),
        "tokens": rows(BallotToken, "pk", "used", "revoked"),
        "ballots": Ballot.objects.count(),
        "tallies": rows(PaperTally, "pk", "excellent", "confirmed_by_id"),
        "events": Event.objects.count(),
        "users": User.objects.count(),
        "notices": rows(Notice, "pk", "public", "working_days", "ended_at"),
        "objections": rows(Objection, "pk", "status", "finding"),
    }


# What a page shows when it is allowed.
def shows_a(response: HttpResponse, w: World) -> bool:
    return response.context["competition"] == w.a


def shows_problem(response: HttpResponse, w: World) -> bool:
    return response.context["problem"] == w.problem


@dataclass(frozen=True)
class Page:
    """A page or action of competition A."""

    url: Callable[[World], str]
    # A's status when asked: one in which a permitted POST succeeds.
    status: str = SCORING
    data: Callable[[World], dict] = lambda w: {}
    # What a permitted POST does: the tables it may write, a check of its effect, and where it
    # redirects (None: it answers with a page).
    changes: str = ""
    effect: Callable[[World], bool] = lambda w: True
    then: Callable[[World], str] | None = None
    # What a permitted GET shows; None for lists, which test_lists_… checks role by role.
    shows: Callable[[HttpResponse, World], bool] | None = shows_a


def sheet_data(w: World) -> dict:
    points = {f"p-{code}": value for code, value in full_points(w.a).items()}
    return {"version": "1", "action": "submit", "comment": "", "problems": "", **points}


def sheet_of(seat: Judge, contestant: Contestant) -> ScoreSheet | None:
    return ScoreSheet.objects.filter(judge=seat, contestant=contestant).first()


def status_of(w: World) -> str:
    return Competition.objects.get(pk=w.a.pk).status


def setup_of_a(w: World) -> str:
    return w.url("scoring:setup")


PAGES: dict[str, Page] = {
    # The judge's phone.
    "scoring:judge": Page(lambda w: reverse("scoring:judge"), shows=None),
    "scoring:contestants": Page(lambda w: w.url("scoring:contestants")),
    "scoring:sheet": Page(
        lambda w: w.url("scoring:sheet", w.contestants[1]),
        data=sheet_data,
        changes="sheets scores revisions",
        effect=lambda w: sheet_of(w.seat_alice, w.contestants[1]).status == "submitted",
        # Submitted: on to the next contestant in speaking order.
        then=lambda w: w.url("scoring:sheet", w.contestants[2]),
    ),
    # What the phone keeps to score offline (JSON).
    "scoring:kit": Page(
        lambda w: w.url("scoring:kit"),
        shows=lambda r, w: r.json()["competition"]["id"] == w.a.pk,
    ),
    # Staff pages of no one competition.
    "scoring:competitions": Page(lambda w: reverse("scoring:competitions"), shows=None),
    "scoring:new": Page(
        lambda w: reverse("scoring:new"),
        data=lambda w: {
            "street": w.a.street_id,
            "year": 2026,
            "quarter": 3,
            "scheme": w.scheme.pk,
            "optional": ["governance"],
        },
        changes="competitions criteria policies events",
        effect=lambda w: Competition.objects.filter(street=w.a.street, quarter=3).exists(),
        then=lambda w: reverse("scoring:setup", args=[Competition.objects.latest("pk").pk]),
        shows=None,
    ),
    "competition:problems": Page(lambda w: reverse("competition:problems"), shows=None),
    "competition:problem": Page(
        lambda w: reverse("competition:problem", args=[w.problem.pk]),
        data=lambda w: {"status": "in_progress", "owner": "村委会", "due": "2026-12-31"},
        changes="problems",
        effect=lambda w: Problem.objects.get(pk=w.problem.pk).owner == "村委会",
        then=lambda w: reverse("competition:problems"),
        shows=shows_problem,
    ),
    # Staff pages of competition A.
    "scoring:setup": Page(setup_of_a),
    "scoring:criteria": Page(
        lambda w: w.url("scoring:criteria"),
        status=DRAFT,
        data=lambda w: {"scheme": w.scheme.pk, "optional": ["livelihood"]},
        changes="criteria events",
        effect=lambda w: {c.code for c in w.a.criteria.filter(required=False)} == {"livelihood"},
        then=setup_of_a,
    ),
    "scoring:add_current": Page(
        lambda w: w.url("scoring:add_current"),
        status=DRAFT,
        changes="contestants events",
        effect=lambda w: w.a.contestants.count() == len(w.contestants) + 1,
        then=setup_of_a,
    ),
    "scoring:contestant_remove": Page(
        lambda w: w.url("scoring:contestant_remove", w.contestants[2]),
        status=DRAFT,
        changes="contestants events",
        effect=lambda w: not Contestant.objects.filter(pk=w.contestants[2].pk).exists(),
        then=setup_of_a,
    ),
    "scoring:contestant_absent": Page(
        lambda w: w.url("scoring:contestant_absent", w.contestants[2]),
        data=lambda w: {"absent": "1"},
        changes="contestants events",
        effect=lambda w: Contestant.objects.get(pk=w.contestants[2].pk).absent,
        then=setup_of_a,
    ),
    "scoring:order_draw": Page(
        lambda w: w.url("scoring:order_draw"),
        status=DRAFT,
        # The lot may draw the order there was; the draw is logged either way.
        changes="contestants events",
        effect=lambda w: w.a.events.filter(kind=Event.Kind.ORDER_DRAWN).exists(),
        then=setup_of_a,
    ),
    "scoring:order_set": Page(
        lambda w: w.url("scoring:order_set"),
        status=DRAFT,
        data=lambda w: {f"order-{c.pk}": n for n, c in enumerate(reversed(w.contestants), 1)},
        changes="contestants events",
        effect=lambda w: list(w.a.contestants.order_by("order")) == w.contestants[::-1],
        then=setup_of_a,
    ),
    "scoring:judge_add": Page(
        lambda w: w.url("scoring:judge_add"),
        # During scoring a new judge needs a reason (issue 13, item 9).
        data=lambda w: {
            "name": "新评委",
            "role": Judge.Role.STATION_DIRECTOR,
            "reason": "替换缺席评委",
        },
        changes="judges events users",
        effect=lambda w: w.a.judges.filter(user__first_name="新评委").exists(),
        then=setup_of_a,
    ),
    "scoring:judge_remove": Page(
        lambda w: w.url("scoring:judge_remove", w.seat_frank),
        status=DRAFT,
        changes="judges events",
        effect=lambda w: not Judge.objects.filter(pk=w.seat_frank.pk).exists(),
        then=setup_of_a,
    ),
    "scoring:judge_status": Page(
        lambda w: w.url("scoring:judge_status", w.seat_frank),
        data=lambda w: {"status": Judge.Status.WITHDRAWN, "reason": "临时有公务"},
        changes="judges cards events",
        effect=lambda w: Judge.objects.get(pk=w.seat_frank.pk).status == Judge.Status.WITHDRAWN,
        then=setup_of_a,
    ),
    "scoring:judge_recusals": Page(
        lambda w: w.url("scoring:judge_recusals", w.seat_frank),
        data=lambda w: {"recused": [w.contestants[1].pk]},
        changes="recusals events",
        effect=lambda w: list(w.seat_frank.recusals.all()) == [w.contestants[1]],
        then=setup_of_a,
    ),
    "scoring:board": Page(lambda w: w.url("scoring:board")),
    "scoring:paper": Page(lambda w: w.url("scoring:paper")),
    "scoring:entry": Page(
        lambda w: w.url("scoring:entry", w.seat_alice, w.contestants[1]),
        data=sheet_data,
        changes="sheets scores revisions",
        effect=lambda w: sheet_of(w.seat_alice, w.contestants[1]).entered_by.username == "carol",
        then=lambda w: w.url("scoring:board"),
    ),
    "scoring:history": Page(lambda w: w.url("scoring:history", w.sheet)),
    "scoring:results:closed": Page(lambda w: w.url("scoring:results"), status=CLOSED),
    "scoring:results:published": Page(lambda w: w.url("scoring:results"), status=PUBLISHED),
    "scoring:override": Page(
        lambda w: w.url("scoring:override", w.contestants[1]),
        status=CLOSED,
        data=lambda w: {"grade": "competent", "reason": "村务公开材料补交"},
        changes="overrides",
        effect=lambda w: (
            GradeOverride.objects.get(contestant=w.contestants[1]).grade == "competent"
        ),
        then=lambda w: w.url("scoring:results"),
    ),
    # District staff's pages, and the printable pages of published results.
    "notice:printed": Page(lambda w: w.url("notice:printed"), status=PUBLISHED, shows=None),
    "scoring:judge_summary": Page(
        lambda w: w.url("scoring:judge_summary"), status=CLOSED, shows=None
    ),
    "scoring:feedback": Page(
        lambda w: w.url("scoring:feedback", w.contestants[0]), status=PUBLISHED
    ),
    "scoring:feedback_all": Page(lambda w: w.url("scoring:feedback_all"), status=PUBLISHED),
    "scoring:rankings": Page(
        lambda w: reverse("scoring:rankings") + "?year=2026&quarter=4", status=PUBLISHED, shows=None
    ),
    "scoring:annual": Page(
        lambda w: reverse("scoring:annual") + "?year=2026", status=PUBLISHED, shows=None
    ),
    "scoring:advance": Page(
        lambda w: reverse("scoring:advance"),
        status=PUBLISHED,
        data=lambda w: {"year": 2026, "quarter": 4},
        # A's contestants are all competent: nobody is recommended, so the district staff are
        # sent back to the rankings with the reason, and nothing is created.
        changes="",
        effect=lambda w: not Competition.objects.filter(level="district").exists(),
        then=lambda w: reverse("scoring:rankings") + "?year=2026&quarter=4",
    ),
    # The half-year report (street staff see their own street's) and the review made from it.
    "scoring:half_year": Page(
        lambda w: reverse("scoring:half_year") + "?year=2026&half=2", status=PUBLISHED, shows=None
    ),
    "scoring:review_new": Page(
        lambda w: reverse("scoring:review_new"),
        status=PUBLISHED,
        data=lambda w: {"year": 2026, "half": 2},
        changes="competitions criteria policies events",
        effect=lambda w: Competition.objects.filter(level="review", quarter=4).exists(),
        then=lambda w: reverse("scoring:points", args=[Competition.objects.get(level="review").pk]),
    ),
    # Observation points belong to a half-year review: A, a street competition, has none
    # (tests/competition/test_observation_points.py asks a review's).
    "scoring:points": Page(lambda w: w.url("scoring:points"), status=DRAFT),
    "scoring:visiting_order": Page(lambda w: w.url("scoring:visiting_order"), status=DRAFT),
    "scoring:point_remove": Page(
        lambda w: reverse("scoring:point_remove", args=[w.a.pk, 1]), status=DRAFT
    ),
    # District staff's dashboard, the consistency report, profiles of A's people and places.
    "scoring:dashboard": Page(lambda w: reverse("scoring:dashboard"), shows=None),
    "scoring:consistency": Page(
        lambda w: w.url("scoring:consistency"), status=PUBLISHED, shows=None
    ),
    "scoring:secretary": Page(
        lambda w: reverse("scoring:secretary", args=[w.contestants[0].secretary_id]), shows=None
    ),
    "scoring:village": Page(
        lambda w: reverse("scoring:village", args=[w.contestants[0].village.code]), shows=None
    ),
    "competition:problems_bulk": Page(
        lambda w: reverse("competition:problems_bulk"),
        data=lambda w: {"problem": [w.problem.pk], "status": "in_progress"},
        changes="problems",
        effect=lambda w: Problem.objects.get(pk=w.problem.pk).status == "in_progress",
        then=lambda w: reverse("competition:problems"),
    ),
    # Democratic evaluation: street staff of the competition only.
    "scoring:democratic": Page(lambda w: w.url("scoring:democratic")),
    "scoring:democratic_switch": Page(
        lambda w: w.url("scoring:democratic_switch"),
        data=lambda w: {"on": "0"},
        changes="policies events",
        effect=lambda w: not GradingPolicy.objects.get(competition=w.a).democratic_enabled,
        then=lambda w: w.url("scoring:democratic"),
    ),
    "scoring:slips": Page(
        lambda w: w.url("scoring:slips"),
        data=lambda w: {"per_contestant": "2"},
        changes="tokens events",
        effect=lambda w: (
            BallotToken.objects.filter(contestant__competition=w.a).count()
            == 2 * len(w.contestants)
        ),
    ),
    "scoring:revoke_tokens": Page(
        lambda w: w.url("scoring:revoke_tokens", w.contestants[0]),
        changes="events",
        then=lambda w: w.url("scoring:democratic"),
    ),
    "scoring:tally": Page(
        lambda w: w.url("scoring:tally", w.contestants[0]),
        data=lambda w: {
            "representatives_due": 30,
            "representatives_present": 25,
            "ballots_issued": 25,
            "ballots_returned": 25,
            "excellent": 15,
            "competent": 8,
            "basic": 1,
            "incompetent": 1,
        },
        # The log records who typed it (never the counts: the next typist must not see them).
        changes="tallies events",
        effect=lambda w: PaperTally.objects.filter(contestant=w.contestants[0]).exists(),
        then=lambda w: w.url("scoring:democratic"),
        shows=lambda r, w: w.contestants[0].secretary.name in r.content.decode(),
    ),
    "competition:cards": Page(
        lambda w: reverse("competition:cards", args=[w.a.pk]),
        changes="cards events",
        effect=lambda w: SignInCard.objects.filter(judge__competition=w.a).count() == 2,
    ),
}


def transition_page(action: str, before: str, after: str, data: dict) -> Page:
    return Page(
        lambda w: w.url("scoring:transition", action),
        status=before,
        data=lambda w: data,
        # Publishing also stores the results document.
        changes="competitions events publications",
        effect=lambda w: status_of(w) == after,
        then=setup_of_a,
    )


def objection_of_a(w: World) -> Objection:
    """An objection about A's first contestant, as one received by phone."""
    return Objection.objects.get_or_create(
        code="MATRIX01",
        defaults={
            "competition": w.a,
            "contestant": w.contestants[0],
            "name": "张三",
            "phone": "13800000000",
            "text": "有误",
            "channel": Objection.Channel.PHONE,
        },
    )[0]


def register_of_a(w: World) -> str:
    return w.url("notice:register")


# The objections register and the notice's settings, of published results.
PAGES |= {
    "notice:register": Page(register_of_a, status=PUBLISHED),
    "notice:settings": Page(
        lambda w: w.url("notice:settings"),
        status=PUBLISHED,
        data=lambda w: {"working_days": "7"},
        changes="notices",
        effect=lambda w: Notice.objects.get(competition=w.a).working_days == 7,
        then=register_of_a,
    ),
    "notice:record": Page(
        lambda w: w.url("notice:record"),
        status=PUBLISHED,
        data=lambda w: {
            "village": w.contestants[0].village.code,
            "name": "李四",
            "phone": "13800000000",
            "text": "书面反映",
            "channel": "paper",
        },
        changes="objections",
        effect=lambda w: Objection.objects.filter(competition=w.a, name="李四").exists(),
        then=lambda w: w.url(
            "notice:objection_detail", Objection.objects.get(competition=w.a, name="李四")
        ),
    ),
    # Refused while the period runs, with a message (tests/notice/test_objections.py ends it).
    "notice:end": Page(
        lambda w: w.url("notice:end"),
        status=PUBLISHED,
        effect=lambda w: not Notice.objects.filter(ended_at__isnull=False).exists(),
        then=register_of_a,
    ),
    "notice:objection_detail": Page(
        lambda w: w.url("notice:objection_detail", objection_of_a(w)),
        status=PUBLISHED,
        data=lambda w: {"step": "investigate", "note": "调取原始评分表"},
        changes="objections",
        effect=lambda w: objection_of_a(w).status == Objection.Status.INVESTIGATING,
        then=lambda w: w.url("notice:objection_detail", objection_of_a(w)),
    ),
}

PAGES |= {
    "scoring:transition:open": transition_page("open", DRAFT, SCORING, {}),
    "scoring:transition:close": transition_page(
        "close", SCORING, CLOSED, {"confirm": "on", "reason": "评委未到"}
    ),
    "scoring:transition:reopen": transition_page("reopen", CLOSED, SCORING, {"reason": "复核"}),
    "scoring:transition:publish": transition_page("publish", CLOSED, PUBLISHED, {}),
}

# Outcomes.
LOGIN = "login"  # redirected to the login page; nothing changed
NO = "404"  # not found; nothing changed
OK = "200"  # the page, showing what it should; nothing changed
DONE = "done"  # the action was carried out
FORM = "form"  # the form was refused with an error; nothing changed
SIGNIN = "401"  # a phone's JSON request: told to sign in again, never redirected
DENIED = "403"  # a phone's JSON request: refused with the reason; nothing changed

# fmt: off
MATRIX = {
    #                                        anon   alice  bob    carol  erin   dan    frank
    ("scoring:judge", "GET"):               (LOGIN, OK,    OK,    OK,    OK,    OK,    OK),
    ("scoring:contestants", "GET"):         (LOGIN, OK,    NO,    NO,    NO,    NO,    NO),
    ("scoring:sheet", "GET"):               (LOGIN, OK,    NO,    NO,    NO,    NO,    NO),
    ("scoring:sheet", "POST"):              (LOGIN, DONE,  NO,    NO,    NO,    NO,    NO),
    ("scoring:kit", "GET"):                 (SIGNIN, OK, DENIED, DENIED, DENIED, DENIED, DENIED),
    ("scoring:competitions", "GET"):        (LOGIN, NO,    NO,    OK,    OK,    OK,    NO),
    ("scoring:new", "GET"):                 (LOGIN, NO,    NO,    OK,    OK,    NO,    NO),
    ("scoring:new", "POST"):                (LOGIN, NO,    NO,    DONE,  FORM,  NO,    NO),
    ("competition:problems", "GET"):        (LOGIN, NO,    NO,    OK,    OK,    OK,    NO),
    ("competition:problem", "GET"):         (LOGIN, NO,    NO,    OK,    NO,    OK,    NO),
    ("competition:problem", "POST"):        (LOGIN, NO,    NO,    DONE,  NO,    DONE,  NO),
    ("scoring:setup", "GET"):               (LOGIN, NO,    NO,    OK,    NO,    OK,    NO),
    ("scoring:criteria", "POST"):           (LOGIN, NO,    NO,    DONE,  NO,    NO,    NO),
    ("scoring:add_current", "POST"):        (LOGIN, NO,    NO,    DONE,  NO,    NO,    NO),
    ("scoring:contestant_remove", "POST"):  (LOGIN, NO,    NO,    DONE,  NO,    NO,    NO),
    ("scoring:contestant_absent", "POST"):  (LOGIN, NO,    NO,    DONE,  NO,    NO,    NO),
    ("scoring:order_draw", "POST"):         (LOGIN, NO,    NO,    DONE,  NO,    NO,    NO),
    ("scoring:order_set", "POST"):          (LOGIN, NO,    NO,    DONE,  NO,    NO,    NO),
    ("scoring:judge_add", "POST"):          (LOGIN, NO,    NO,    DONE,  NO,    NO,    NO),
    ("scoring:judge_remove", "POST"):       (LOGIN, NO,    NO,    DONE,  NO,    NO,    NO),
    ("scoring:judge_status", "POST"):       (LOGIN, NO,    NO,    DONE,  NO,    NO,    NO),
    ("scoring:judge_recusals", "POST"):     (LOGIN, NO,    NO,    DONE,  NO,    NO,    NO),
    ("scoring:transition:open", "GET"):     (LOGIN, NO,    NO,    OK,    NO,    NO,    NO),
    ("scoring:transition:open", "POST"):    (LOGIN, NO,    NO,    DONE,  NO,    NO,    NO),
    ("scoring:transition:close", "GET"):    (LOGIN, NO,    NO,    OK,    NO,    NO,    NO),
    ("scoring:transition:close", "POST"):   (LOGIN, NO,    NO,    DONE,  NO,    NO,    NO),
    ("scoring:transition:reopen", "GET"):   (LOGIN, NO,    NO,    OK,    NO,    NO,    NO),
    ("scoring:transition:reopen", "POST"):  (LOGIN, NO,    NO,    DONE,  NO,    NO,    NO),
    ("scoring:transition:publish", "GET"):  (LOGIN, NO,    NO,    OK,    NO,    NO,    NO),
    ("scoring:transition:publish", "POST"): (LOGIN, NO,    NO,    DONE,  NO,    NO,    NO),
    ("scoring:board", "GET"):               (LOGIN, NO,    NO,    OK,    NO,    OK,    NO),
    ("scoring:paper", "GET"):               (LOGIN, NO,    NO,    OK,    NO,    NO,    NO),
    ("scoring:entry", "GET"):               (LOGIN, NO,    NO,    OK,    NO,    NO,    NO),
    ("scoring:entry", "POST"):              (LOGIN, NO,    NO,    DONE,  NO,    NO,    NO),
    ("scoring:history", "GET"):             (LOGIN, NO,    NO,    OK,    NO,    NO,    NO),
    ("scoring:results:closed", "GET"):      (LOGIN, NO,    NO,    OK,    NO,    NO,    NO),
    ("scoring:results:published", "GET"):   (LOGIN, OK,    NO,    OK,    NO,    OK,    NO),
    ("scoring:override", "POST"):           (LOGIN, NO,    NO,    DONE,  NO,    NO,    NO),
    ("competition:cards", "POST"):          (LOGIN, NO,    NO,    DONE,  NO,    NO,    NO),
    ("notice:printed", "GET"):              (LOGIN, OK,    NO,    OK,    NO,    OK,    NO),
    ("scoring:judge_summary", "GET"):       (LOGIN, NO,    NO,    OK,    NO,    NO,    NO),
    ("scoring:feedback", "GET"):            (LOGIN, NO,    NO,    OK,    NO,    OK,    NO),
    ("scoring:feedback_all", "GET"):        (LOGIN, NO,    NO,    OK,    NO,    OK,    NO),
    ("scoring:rankings", "GET"):            (LOGIN, NO,    NO,    NO,    NO,    OK,    NO),
    ("scoring:annual", "GET"):              (LOGIN, NO,    NO,    NO,    NO,    OK,    NO),
    ("scoring:advance", "POST"):            (LOGIN, NO,    NO,    NO,    NO,    DONE,  NO),
    ("scoring:half_year", "GET"):           (LOGIN, NO,    NO,    OK,    OK,    OK,    NO),
    ("scoring:review_new", "POST"):         (LOGIN, NO,    NO,    NO,    NO,    DONE,  NO),
    ("scoring:points", "GET"):              (LOGIN, NO,    NO,    NO,    NO,    NO,    NO),
    ("scoring:points", "POST"):             (LOGIN, NO,    NO,    NO,    NO,    NO,    NO),
    ("scoring:visiting_order", "POST"):     (LOGIN, NO,    NO,    NO,    NO,    NO,    NO),
    ("scoring:point_remove", "POST"):       (LOGIN, NO,    NO,    NO,    NO,    NO,    NO),
    ("scoring:democratic", "GET"):          (LOGIN, NO,    NO,    OK,    NO,    NO,    NO),
    ("scoring:dashboard", "GET"):           (LOGIN, NO,    NO,    NO,    NO,    OK,    NO),
    ("competition:problems_bulk", "POST"):  (LOGIN, NO,    NO,    DONE,  NO,    DONE,  NO),
    ("scoring:consistency", "GET"):         (LOGIN, NO,    NO,    OK,    NO,    OK,    NO),
    ("scoring:secretary", "GET"):           (LOGIN, NO,    NO,    OK,    NO,    OK,    NO),
    ("scoring:village", "GET"):             (LOGIN, NO,    NO,    OK,    NO,    OK,    NO),
    ("scoring:democratic_switch", "POST"):  (LOGIN, NO,    NO,    DONE,  NO,    NO,    NO),
    ("scoring:slips", "POST"):              (LOGIN, NO,    NO,    DONE,  NO,    NO,    NO),
    ("scoring:revoke_tokens", "POST"):      (LOGIN, NO,    NO,    DONE,  NO,    NO,    NO),
    ("scoring:tally", "GET"):               (LOGIN, NO,    NO,    OK,    NO,    NO,    NO),
    ("scoring:tally", "POST"):              (LOGIN, NO,    NO,    DONE,  NO,    NO,    NO),
    ("notice:register", "GET"):             (LOGIN, NO,    NO,    OK,    NO,    OK,    NO),
    ("notice:settings", "POST"):            (LOGIN, NO,    NO,    DONE,  NO,    NO,    NO),
    ("notice:record", "POST"):              (LOGIN, NO,    NO,    DONE,  NO,    NO,    NO),
    ("notice:end", "POST"):                 (LOGIN, NO,    NO,    DONE,  NO,    NO,    NO),
    ("notice:objection_detail", "GET"):     (LOGIN, NO,    NO,    OK,    NO,    OK,    NO),
    ("notice:objection_detail", "POST"):    (LOGIN, NO,    NO,    DONE,  NO,    NO,    NO),
}
# fmt: on


def cases(matrix: dict = MATRIX, roles: tuple[str, ...] = ROLES, sep: str = "-") -> list:
    """One pytest case per (role, page, method) of a matrix, named by the three."""
    return [
        pytest.param(role, page, method, expected, id=sep.join((role, page, method)))
        for (page, method), outcomes in matrix.items()
        for role, expected in zip(roles, outcomes, strict=True)
    ]


def changed(before: dict, after: dict) -> set[str]:
    return {table for table in before if before[table] != after[table]}


def in_its_status(params: list) -> list:
    """The cases, each with the status of A its page is asked in (the world's), by status."""
    order = [DRAFT, SCORING, CLOSED, PUBLISHED]
    status = {p.id: PAGES[p.values[1]].status for p in params}
    return [
        pytest.param(*p.values, status[p.id], id=p.id)
        for p in sorted(params, key=lambda p: order.index(status[p.id]))
    ]


# The world is built once for each status: pytest runs the cases of one status together.
@pytest.mark.parametrize(
    ("role", "page", "method", "expected", "world"),
    in_its_status(cases()),
    indirect=["world"],
    scope="module",
)
def test_each_role_gets_what_the_rules_allow_and_a_refusal_changes_nothing(
    client, cast, world, role, page, method, expected
):
    spec = PAGES[page]
    sign_in(client, role, cast, world)
    url = spec.url(world)
    before = snapshot()

    response = client.get(url) if method == "GET" else client.post(url, spec.data(world))

    after = snapshot()
    if expected == LOGIN:
        assert (response.status_code, unquote(response.url)) == (
            302,
            f"{reverse('login')}?next={url}",
        )
        assert after == before
    elif expected == NO:
        assert response.status_code == 404
        assert after == before
    elif expected == OK:
        assert response.status_code == 200
        assert spec.shows is None or spec.shows(response, world)
        assert after == before
    elif expected in (SIGNIN, DENIED):
        assert response.status_code == int(expected)
        assert response.json()["result"] == ("signed_out" if expected == SIGNIN else "refused")
        assert after == before
    elif expected == FORM:
        assert response.status_code == 200
        assert response.context["form"].errors
        assert after == before
    elif expected == DONE:
        if spec.then is None:
            assert response.status_code == 200
        else:
            assert (response.status_code, response.url) == (302, spec.then(world))
        assert spec.effect(world)
        assert changed(before, after) <= set(spec.changes.split())
    else:
        raise AssertionError(expected)


# What each list shows, by competition: A, B or both ("scoring:new" lists the streets offered).
LISTED = {
    "scoring:judge": lambda r: [seat.competition for seat in r.context["seats"]],
    "scoring:competitions": lambda r: list(r.context["competitions"]),
    "competition:problems": lambda r: [p.competition for p in r.context["problems"]],
    "scoring:new": lambda r: list(r.context["form"].fields["street"].queryset),
}


@pytest.mark.parametrize(
    ("role", "page", "shown"),
    [
        ("judge_alice", "scoring:judge", "A"),
        ("judge_bob", "scoring:judge", "B"),
        ("carded_frank", "scoring:judge", "B"),
        ("street_staff_carol", "scoring:judge", ""),
        ("district_dan", "scoring:judge", ""),
        ("street_staff_carol", "scoring:competitions", "A"),
        ("street_staff_erin", "scoring:competitions", "B"),
        ("district_dan", "scoring:competitions", "AB"),
        ("street_staff_carol", "competition:problems", "A"),
        ("street_staff_erin", "competition:problems", "B"),
        ("district_dan", "competition:problems", "AB"),
        ("street_staff_carol", "scoring:new", "A"),
        ("street_staff_erin", "scoring:new", "B"),
    ],
)
def test_lists_show_only_what_the_user_may_see(client, cast, world, role, page, shown):
    sign_in(client, role, cast, world)
    names = {world.a: "A", world.b: "B", world.a.street: "A", world.b.street: "B"}

    response = client.get(reverse(page))

    assert response.status_code == 200
    assert sorted(names[x] for x in LISTED[page](response)) == list(shown)


def test_the_card_page_needs_no_sign_in_and_limits_the_session_to_its_competition(
    client, cast, world
):
    issued = competition_services.issue_cards(competition=world.b, by=cast["street_staff_erin"])
    [(seat, token)] = [(j, t) for j, t in issued if j.user == cast["carded_frank"]]
    url = reverse("competition:card", args=[token])

    confirm = client.get(url)
    signed_in = client.post(url)

    assert (confirm.status_code, confirm.context["judge"]) == (200, seat)
    assert signed_in.url == reverse("scoring:contestants", args=[world.b.pk])
    assert client.session[CARD_SCOPE] == world.b.pk
    assert SignInCard.objects.get(judge=seat, revoked_at=None).used_at is not None


def test_the_matrix_covers_every_page_of_both_apps():
    names = {
        f"{app}:{name}"
        for app in ("scoring", "competition", "notice")
        for name in get_resolver().namespace_dict[app][1].reverse_dict
        if isinstance(name, str)
    }
    asked = {":".join(page.split(":")[:2]) for page, _method in MATRIX}

    public = {"competition:card", "scoring:ballot", "scoring:ballot_thanks"}
    # The public notice and its pages: tests/notice/test_public_notice.py.
    public |= {f"notice:{name}" for name in ("public", "document", "lodge", "verify", "objection")}
    assert not names - asked - public, "a page has no row in MATRIX"
    assert not asked - names, "MATRIX has a row for a page that is gone"
