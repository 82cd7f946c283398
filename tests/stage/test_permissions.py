"""Who may open each stage page: every role × every page. Only the competition's street staff
run the stage; those who follow the competition, and a browser holding its screen link, watch
the big screen; everyone else is refused, and a refused request changes nothing."""

import pytest
from django.urls import get_resolver, reverse

from competition.models import Contestant
from stage import services
from stage.models import Draw, Question, ScreenLink, Stage, Step
from tests.factories import MembershipFactory
from villages.permissions import CARD_SCOPE

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "judge_alice", "street_staff_erin", "district_dan", "carded_carol", "screen")
RUN = "run"  # the stage's own staff only
WATCH = "watch"  # also district staff and a screen link

# (url name, method, what it needs, data, who gets in)
PAGES = [
    ("controller", "get", (), {}, RUN),
    ("step", "post", ("start",), {}, RUN),
    ("settings", "post", (), {"report": "6", "questions": "3", "comments": "2"}, RUN),
    ("draw", "post", (), {}, RUN),
    ("set_aside", "post", ("draw",), {"reason": "换一题"}, RUN),
    ("log", "get", (), {}, RUN),
    ("questions", "get", (), {}, RUN),
    ("questions", "post", (), {"criterion": "political", "text": "新题"}, RUN),
    ("questions_import", "post", (), {}, RUN),
    ("question_remove", "post", ("question",), {}, RUN),
    ("link_issue", "post", (), {}, RUN),
    ("link_revoke", "post", ("link",), {}, RUN),
    ("screen", "get", (), {}, WATCH),
    ("screen_state", "get", (), {}, WATCH),
]
PUBLIC = {"stage:screen_link"}  # the link itself: tests/stage/test_screen.py


@pytest.fixture
def scene(competition, speakers, street_staff_carol, other_street, district_dan):
    erin = MembershipFactory(
        user__username="erin",
        role="street_staff",
        district=other_street.district,
        street=other_street,
    ).user
    spare = services.add_question(
        competition=competition, criterion_code="political", text="备用题", by=street_staff_carol
    )
    services.add_question(
        competition=competition, criterion_code="development", text="发展题", by=street_staff_carol
    )
    services.step(competition=competition, action="start", by=street_staff_carol)
    drawn = services.draw_question(
        competition=competition, by=street_staff_carol, criterion_code="development"
    )
    token = services.issue_screen_link(competition=competition, by=street_staff_carol)
    return {
        "competition": competition,
        "erin": erin,
        "dan": district_dan,
        "carol": street_staff_carol,
        "draw": drawn,
        "question": spare,
        "link": ScreenLink.objects.get(),
        "token": token,
    }


def snapshot():
    def rows(model, *fields):
        return list(model.objects.order_by("pk").values_list(*fields))

    return {
        "stage": rows(
            Stage, "pk", "contestant_id", "segment", "running", "version", "report_seconds"
        ),
        "steps": Step.objects.count(),
        "questions": rows(Question, "pk", "text"),
        "draws": rows(Draw, "pk", "set_aside_at"),
        "links": rows(ScreenLink, "pk", "revoked_at"),
        "contestants": rows(Contestant, "pk", "absent"),
    }


def sign_in(client, role, scene, judge_alice):
    if role == "judge_alice":
        client.force_login(judge_alice)
    elif role == "street_staff_erin":
        client.force_login(scene["erin"])
    elif role == "district_dan":
        client.force_login(scene["dan"])
    elif role == "carded_carol":
        client.force_login(scene["carol"])
        session = client.session
        session[CARD_SCOPE] = scene["competition"].pk + 1000  # another competition's card
        session.save()
    elif role == "screen":
        client.get(reverse("stage:screen_link", args=[scene["token"]]))


def url_of(name, needs, scene):
    args = [scene["competition"].pk] + [
        n if isinstance(n, str) and n not in scene else scene[n].pk for n in needs
    ]
    return reverse(f"stage:{name}", args=args)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "needs", "data", "who"), PAGES, ids=lambda v: str(v))
def test_only_those_the_rules_allow_get_in_and_a_refusal_changes_nothing(
    client, scene, judge_alice, role, name, method, needs, data, who
):
    sign_in(client, role, scene, judge_alice)
    before = snapshot()
    response = getattr(client, method)(url_of(name, needs, scene), data)
    # judge_alice sits on the competition's panel: her phone follows the stage.
    allowed = who == WATCH and role in ("district_dan", "screen", "judge_alice")
    if allowed:
        assert response.status_code == 200
        assert snapshot() == before
        return
    assert snapshot() == before
    if role in ("anonymous", "screen") and who == RUN:  # a screen session has no user
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    elif name == "screen_state":
        assert response.status_code == 403
    else:
        assert response.status_code == 404


@pytest.mark.parametrize(("name", "method", "needs", "data", "who"), PAGES, ids=lambda v: str(v))
def test_the_stages_own_staff_get_in_everywhere(client, scene, name, method, needs, data, who):
    client.force_login(scene["carol"])
    response = getattr(client, method)(url_of(name, needs, scene), data)
    assert response.status_code in (200, 302, 400)  # the import without a file says so: 400
    if method == "post" and name != "questions_import":
        assert response.status_code in (200, 302)


def test_the_matrix_covers_every_stage_page():
    names = {
        f"stage:{name}"
        for name in get_resolver().namespace_dict["stage"][1].reverse_dict
        if isinstance(name, str)
    }
    asked = {f"stage:{name}" for name, *_rest in PAGES}
    assert names - asked == PUBLIC
    assert not asked - names
