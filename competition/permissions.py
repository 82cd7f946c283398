"""Who may see or change a competition and its panel. Every view and template asks here.

Street staff run their own street's competitions; district staff run district-level ones and see
every competition of their district; judges see the competitions they sit on — and a judge who
signed in with a card sees only that card's competition.
"""

from django.http import HttpRequest

from competition.models import Competition, Judge
from villages import permissions as org
from villages.permissions import CARD_SCOPE, is_staff_session  # noqa: F401 - one rule for all


def can_manage(user, competition: Competition) -> bool:
    """Set up, run, close and publish: staff of the competition's street (district staff for a
    district-level competition)."""
    if competition.level == Competition.Level.STREET:
        return org.can_change_street(user, competition.street)
    return org.can_manage_district(user, competition.district)


def can_view(user, competition: Competition) -> bool:
    """Follow a competition's setup and progress: its managers and its district's staff."""
    return can_manage(user, competition) or org.can_view_district(user, competition.district)


def card_scope(request: HttpRequest) -> int | None:
    """The competition a card sign-in limits this session to, if any."""
    return request.session.get(CARD_SCOPE)


def judge_seat(request: HttpRequest, competition: Competition) -> Judge | None:
    """The signed-in user's seat on this competition's panel, or None."""
    return seat_in(request, competition.pk)


def seat_in(request: HttpRequest, competition_id: int) -> Judge | None:
    """The signed-in user's seat on a competition's panel, with the competition and its
    street, in one query; None when there is no such seat (or no such competition)."""
    if not request.user.is_authenticated:
        return None
    scope = card_scope(request)
    if scope is not None and scope != competition_id:
        return None
    seat = (
        Judge.objects.select_related("competition__street")
        .filter(competition_id=competition_id, user_id=request.user.pk)
        .first()
    )
    if seat is not None:
        seat.user = request.user  # who is asking: already loaded
    return seat


def can_view_results(request: HttpRequest, competition: Competition) -> bool:
    """Street staff see results from the close; the panel and district staff after publication."""
    user = request.user
    if competition.status == Competition.Status.CLOSED:
        return card_scope(request) is None and can_manage(user, competition)
    if competition.status == Competition.Status.PUBLISHED:
        return (card_scope(request) is None and can_view(user, competition)) or (
            judge_seat(request, competition) is not None
        )
    return False


def can_edit_problem(user, problem) -> bool:
    """Staff of the street where it was raised, or of the competition's district."""
    return org.can_change_street(user, problem.village.street) or org.can_view_district(
        user, problem.competition.district
    )


def can_read_feedback(request: HttpRequest, competition: Competition, village) -> bool:
    """A contestant's feedback sheet (反馈单), published or not yet: staff of the competition
    (its street's, its district's) and the readers of the secretary's profile (staff who see
    the village), never a session of a judge's card. The sheet itself waits for publication:
    `feedback_ready`."""
    if not is_staff_session(request):
        return False
    return can_view(request.user, competition) or org.can_view_village(request.user, village)


def can_follow(request: HttpRequest, competition: Competition) -> bool:
    """A staff session of someone who follows the competition (its managers, its district's
    staff): every feedback sheet at once, the objections register. Not its judges."""
    return is_staff_session(request) and can_view(request.user, competition)


def feedback_ready(competition: Competition) -> bool:
    """Feedback sheets are made of the published results, and only then."""
    return competition.status == Competition.Status.PUBLISHED
