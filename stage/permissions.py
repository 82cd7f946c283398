"""Who may run a competition's stage and who may watch its big screen. Every view asks here.

The stage is run by those who manage the competition (competition.permissions.can_manage), never
in a judge's card session. The big screen is watched by those who may follow the competition,
by its panel's judges (whose phones follow who is on stage), or by a browser that opened a live
screen link of that competition: such a session holds no user, reads the screen and nothing
else.
"""

from django.http import HttpRequest

from competition import permissions
from competition.models import Competition
from stage import queries

SCREEN_LINK = "leitai_screen_link"  # {"link": id, "competition": id}, set by a screen link


def can_run(request: HttpRequest, competition: Competition) -> bool:
    return permissions.card_scope(request) is None and permissions.can_manage(
        request.user, competition
    )


def screen_link_of(request: HttpRequest) -> dict | None:
    return request.session.get(SCREEN_LINK)


def can_watch(request: HttpRequest, competition: Competition) -> bool:
    """Staff who follow the competition, its judges, or a browser holding a live screen link of
    it (asked of the database at every request: a revoked link stops at once)."""
    if permissions.card_scope(request) is None and permissions.can_view(request.user, competition):
        return True
    if permissions.judge_seat(request, competition) is not None:
        return True  # the panel's phones follow the stage too
    link = screen_link_of(request)
    return bool(
        link
        and link.get("competition") == competition.pk
        and queries.link_works(link["link"], competition.pk)
    )
