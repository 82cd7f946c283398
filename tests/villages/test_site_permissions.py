"""Who may see and do what on every page outside the competition and scoring apps.

The pages of the `scoring` and `competition` namespaces have their own matrix
(tests/competition/test_permission_matrix.py); this one covers the rest: the home page, the
health check, the search, the sign-in pages of `accounts/`, the language switch, and the whole
admin site — for every model it keeps, its list, add, change, delete and history pages. Each case
is one (role, page, method) with the outcome the rules call for, and a refused request changes
nothing: every table any of these pages may write is compared before and after it.

The rules: the home page, the health check, the sign-in page and the language switch are for
everyone. Pages of one's own account (password change) need a sign-in. The search is for street
and district staff and administrators, and not for a session signed in with a judge's card. A
street's staff page, where its staff add a colleague, is for that street's staff only.
Password reset by email is not offered: the app sends no mail (nothing configures it, and the
deployments sit on intranets), judges' accounts have no address and sign in with cards, and the
administrator sets a forgotten password in the admin. The admin is for administrators only; every
other user, whatever their role, is sent to the admin's sign-in page. Even the administrator may
not add or delete what only the app makes (sign-in failures, publications), nor change or delete
what scoring has begun to use: a competition, its panel and its grading policy after the draft.
Rows the admin protects (a district with streets, a judge's account) are kept, with the reason.
"""

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core import mail
from django.db import models
from django.http import HttpResponse
from django.templatetags.static import static
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

import tests.competition.test_permission_matrix as competition_matrix
import tests.stage.test_permissions as stage_matrix
from competition import services as competition_services
from competition.models import Competition, Contestant, Event, SignInCard
from scoring.models import CompetitionCriterion, Score, ScoreSheet, SheetRevision
from tests.factories import PASSWORD, MembershipFactory
from tests.world import World
from villages.models import Membership
from villages.permissions import CARD_SCOPE

pytestmark = pytest.mark.django_db

# Who is who: tests/world.py.
ROLES = (
    "anonymous",
    "judge_bob",  # sits on B's panel
    "street_staff_carol",  # staff of A's street
    "district_dan",  # staff of the district
    "nobody_grace",  # an account with no role
    "admin_alice",  # the administrator: superuser, may use the admin
    "carded_frank",  # staff of A's street, on A's panel, signed in with his card
)

NEW_PASSWORD = "a quite new passphrase 2026"


def sign_in(client, role: str, w: World) -> None:
    if role == "anonymous":
        return
    if role == "carded_frank":
        issued = competition_services.issue_cards(competition=w.a, by=w.cast["street_staff_carol"])
        [token] = [token for judge, token in issued if judge.user == w.cast[role]]
        client.post(reverse("competition:card", args=[token]))
        assert client.session[CARD_SCOPE] == w.a.pk
        return
    client.force_login(w.cast[role])


# Every table a page of this module may write, and the mail it may send.
WATCHED = [
    *admin.site._registry,
    Membership,
    Contestant,
    CompetitionCriterion,
    ScoreSheet,
    Score,
    SheetRevision,
    Event,
    SignInCard,
    LogEntry,
    Session,
]


def snapshot() -> dict[str, object]:
    tables = {m._meta.label_lower: list(m.objects.order_by("pk").values()) for m in WATCHED}
    return tables | {"mail": [(m.subject, m.to) for m in mail.outbox]}


@dataclass(frozen=True)
class Page:
    url: Callable[[World], str]
    # What a POST sends; `me` is the signed-in user (None when anonymous).
    data: Callable[[World, User | None], dict] = lambda w, me: {}
    # What a permitted POST does: the tables it may write, a check of its effect, and where it
    # redirects (None: it answers with a page).
    changes: str = ""
    effect: Callable[[HttpResponse, World], bool] = lambda r, w: True
    then: Callable[[World], str] | None = None
    # What a permitted GET shows; None where a separate test checks it role by role.
    shows: Callable[[HttpResponse, World], bool] | None = None
    # Where a request goes that is neither refused nor carried out (see AWAY).
    away: Callable[[World], str] | None = None


def signed_in_as(username: str | None) -> Callable[[HttpResponse, World], bool]:
    def effect(response: HttpResponse, w: World) -> bool:
        user = response.wsgi_request.user
        return user.get_username() == username if username else not user.is_authenticated

    return effect


def has_new_password(username: str | None = None) -> Callable[[HttpResponse, World], bool]:
    def effect(response: HttpResponse, w: World) -> bool:
        name = username or response.wsgi_request.user.get_username()
        return User.objects.get(username=name).check_password(NEW_PASSWORD)

    return effect


def has_form(response: HttpResponse, w: World) -> bool:
    return "form" in response.context


def own_credentials(w: World, me: User | None) -> dict:
    """The signed-in user's own username and password (a visitor tries bob's), and where the
    admin's sign-in form goes next."""
    username = (me or w.cast["judge_bob"]).username
    return {"username": username, "password": PASSWORD, "next": reverse("admin:index")}


def reset_link(w: World) -> str:
    bob = w.cast["judge_bob"]
    uid = urlsafe_base64_encode(force_bytes(bob.pk))
    return f"/accounts/reset/{uid}/{default_token_generator.make_token(bob)}/"


PAGES: dict[str, Page] = {
    "home": Page(lambda w: reverse("home")),
    "health": Page(lambda w: reverse("health"), shows=lambda r, w: r.content == b"ok"),
    "favicon": Page(lambda w: reverse("favicon"), away=lambda w: static("favicon.svg")),
    "service_worker": Page(
        lambda w: reverse("service_worker"), shows=lambda r, w: b"leitai-judge-" in r.content
    ),
    "street_staff": Page(
        lambda w: reverse("street_staff", args=[w.a.street_id]),
        data=lambda w, me: {"username": "wang.li", "display_name": "王丽"},
        # A new account of A's street, logged in the admin's log; the page shows its password.
        changes="auth.user villages.membership admin.logentry",
        effect=lambda r, w: (
            Membership.objects.get(user__username="wang.li").street == w.a.street
            and User.objects.get(username="wang.li").check_password(r.context["password"])
        ),
        shows=lambda r, w: r.context["street"] == w.a.street,
    ),
    "search": Page(lambda w: reverse("search") + "?" + urlencode({"q": "书记"})),
    "login": Page(
        lambda w: reverse("login"),
        data=lambda w, me: {"username": "bob", "password": PASSWORD},
        changes="auth.user axes.accesslog sessions.session",
        effect=signed_in_as("bob"),
        then=lambda w: reverse("home"),
        shows=has_form,
    ),
    "logout": Page(
        lambda w: reverse("logout"),
        changes="axes.accesslog sessions.session",
        effect=signed_in_as(None),
        then=lambda w: reverse("home"),
    ),
    "password_change": Page(
        lambda w: reverse("password_change"),
        data=lambda w, me: {
            "old_password": PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
        changes="auth.user sessions.session",
        effect=has_new_password(),
        then=lambda w: reverse("password_change_done"),
        shows=has_form,
    ),
    "password_change_done": Page(lambda w: reverse("password_change_done")),
    # Literal paths: by the rules these pages do not exist, so their names may not reverse.
    "password_reset": Page(
        lambda w: "/accounts/password_reset/", data=lambda w, me: {"email": "bob@example.org"}
    ),
    "password_reset_done": Page(lambda w: "/accounts/password_reset/done/"),
    "password_reset_confirm": Page(reset_link),
    "password_reset_complete": Page(lambda w: "/accounts/reset/done/"),
    "set_language": Page(
        lambda w: reverse("set_language"),
        data=lambda w, me: {"language": "en", "next": reverse("home")},
        effect=lambda r, w: r.cookies["django_language"].value == "en",
        then=lambda w: reverse("home"),
    ),
    # The admin site's own pages.
    "admin:index": Page(
        lambda w: reverse("admin:index"), shows=lambda r, w: bool(r.context["app_list"])
    ),
    "admin:login": Page(
        lambda w: reverse("admin:login"),
        data=own_credentials,
        changes="auth.user axes.accesslog sessions.session",
        effect=signed_in_as("alice"),
        then=lambda w: reverse("admin:index"),
        shows=has_form,
        # An administrator who is signed in already goes straight to the index.
        away=lambda w: reverse("admin:index"),
    ),
    "admin:logout": Page(
        lambda w: reverse("admin:logout"),
        changes="axes.accesslog sessions.session",
        effect=signed_in_as(None),
        then=lambda w: reverse("home"),
        # Django's admin sends anyone else back to its index, still signed in.
        away=lambda w: reverse("admin:index"),
    ),
    "admin:password_change": Page(
        lambda w: reverse("admin:password_change"),
        data=lambda w, me: {
            "old_password": PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
        changes="auth.user sessions.session",
        effect=has_new_password("alice"),
        then=lambda w: reverse("admin:password_change_done"),
        shows=has_form,
    ),
    "admin:password_change_done": Page(lambda w: reverse("admin:password_change_done")),
    "admin:autocomplete": Page(
        lambda w: (
            reverse("admin:autocomplete")
            + "?app_label=villages&model_name=tenure&field_name=village&term="
            + w.tenures["A"].village.code
        ),
        shows=lambda r, w: (
            [item["id"] for item in json.loads(r.content)["results"]]
            == [str(w.tenures["A"].village_id)]
        ),
    ),
    "admin:jsi18n": Page(
        lambda w: reverse("admin:jsi18n"),
        shows=lambda r, w: r["Content-Type"].startswith("text/javascript"),
    ),
    "admin:view_on_site": Page(
        lambda w: reverse(
            "admin:view_on_site",
            args=[ContentType.objects.get_for_model(Competition).pk, w.a.pk],
        ),
        away=lambda w: "http://testserver" + w.a.get_absolute_url(),
    ),
    "admin:auth_user_password_change": Page(
        lambda w: reverse("admin:auth_user_password_change", args=[w.cast["judge_bob"].pk]),
        data=lambda w, me: {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        changes="auth.user admin.logentry sessions.session",
        effect=has_new_password("bob"),
        then=lambda w: reverse("admin:auth_user_change", args=[w.cast["judge_bob"].pk]),
        shows=has_form,
    ),
    "admin:villages_village_import": Page(
        lambda w: reverse("admin:villages_village_import"), shows=has_form
    ),
    "admin:villages_village_export": Page(
        lambda w: reverse("admin:villages_village_export", args=["csv"]),
        shows=lambda r, w: w.tenures["X"].village.code in r.content.decode("utf-8-sig"),
    ),
}

APP_LABELS = sorted({model._meta.app_label for model in admin.site._registry})
PAGES |= {
    f"admin:app_list:{label}": Page(
        lambda w, label=label: reverse("admin:app_list", args=[label]),
        shows=lambda r, w, label=label: r.context["app_list"][0]["app_label"] == label,
    )
    for label in APP_LABELS
}


def model_pages(label: str) -> dict[str, Page]:
    """The list, add, change, delete and history pages of a model the admin keeps."""
    app, name = label.split(".")

    def url(kind: str) -> Callable[[World], str]:
        def reverse_it(w: World) -> str:
            args = [] if kind in ("changelist", "add") else [w.objects[label].pk]
            return reverse(f"admin:{app}_{name}_{kind}", args=args)

        return reverse_it

    def model_of(w: World) -> type[models.Model]:
        return type(w.objects[label])

    def shows_object(r: HttpResponse, w: World) -> bool:
        return r.context["object"] == w.objects[label]

    return {
        f"admin:{app}_{name}_changelist": Page(
            url("changelist"),
            shows=lambda r, w: w.objects[label] in r.context["cl"].result_list,
        ),
        f"admin:{app}_{name}_add": Page(url("add"), shows=lambda r, w: r.context["add"]),
        f"admin:{app}_{name}_change": Page(
            url("change"),
            # Only where every field is read-only is an empty form valid: it saves nothing new.
            changes="admin.logentry",
            then=url("changelist"),
            shows=lambda r, w: r.context["original"] == w.objects[label],
        ),
        f"admin:{app}_{name}_delete": Page(
            url("delete"),
            data=lambda w, me: {"post": "yes"},
            # The row goes, with what cascades from it, and the admin logs the deletion.
            changes=f"{label} {CASCADES.get(label, '')} admin.logentry",
            effect=lambda r, w: not model_of(w).objects.filter(pk=w.objects[label].pk).exists(),
            then=url("changelist"),
            shows=shows_object,
        ),
        f"admin:{app}_{name}_history": Page(url("history"), shows=shows_object),
    }


# What a permitted deletion may take with it.
CASCADES = {
    "scoring.scheme": "scoring.criterion scoring.competitioncriterion",
    # A competition's copies of the criterion keep their text; only the link back is cleared.
    "scoring.criterion": "scoring.competitioncriterion",
}

ADMIN_MODELS = sorted(model._meta.label_lower for model in admin.site._registry)
for _label in ADMIN_MODELS:
    PAGES |= model_pages(_label)


# Outcomes: the competition matrix's (LOGIN, NO, OK, FORM, DONE), and these.
LOGIN, NO, OK, FORM, DONE = (
    competition_matrix.LOGIN,
    competition_matrix.NO,
    competition_matrix.OK,
    competition_matrix.FORM,
    competition_matrix.DONE,
)
ADMIN_LOGIN = "admin login"  # redirected to the admin's sign-in page; nothing changed
DENIED = "403"  # forbidden; nothing changed
NOT_ALLOWED = "405"  # not a method this page answers; nothing changed
AWAY = "away"  # redirected elsewhere (the page's `away`); nothing changed
KEPT = "kept"  # the admin refuses to delete a row others depend on, and says which; nothing changed

# fmt: off
MATRIX = {
    #                                           anon    bob    carol  dan    grace  alice  frank
    ("home", "GET"):                           (OK,    OK,    OK,    OK,    OK,    OK,    OK),
    ("health", "GET"):                         (OK,    OK,    OK,    OK,    OK,    OK,    OK),
    ("favicon", "GET"):                        (AWAY,) * 7,
    ("service_worker", "GET"):                 (OK,) * 7,
    ("search", "GET"):                         (LOGIN, NO,    OK,    OK,    NO,    OK,    NO),
    # Only the street's own staff add a colleague to it (district staff cannot).
    ("street_staff", "GET"):                   (LOGIN, NO,    OK,    NO,    NO,    OK,    NO),
    ("street_staff", "POST"):                  (LOGIN, NO,    DONE,  NO,    NO,    DONE,  NO),
    ("login", "GET"):                          (OK,    OK,    OK,    OK,    OK,    OK,    OK),
    ("login", "POST"):                         (DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE),
    ("logout", "GET"):                         (NOT_ALLOWED,) * 7,
    ("logout", "POST"):                        (DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE),
    ("password_change", "GET"):                (LOGIN, OK,    OK,    OK,    OK,    OK,    OK),
    ("password_change", "POST"):               (LOGIN, DONE,  DONE,  DONE,  DONE,  DONE,  DONE),
    ("password_change_done", "GET"):           (LOGIN, OK,    OK,    OK,    OK,    OK,    OK),
    ("password_reset", "GET"):                 (NO,) * 7,
    ("password_reset", "POST"):                (NO,) * 7,
    ("password_reset_done", "GET"):            (NO,) * 7,
    ("password_reset_confirm", "GET"):         (NO,) * 7,
    ("password_reset_complete", "GET"):        (NO,) * 7,
    ("set_language", "POST"):                  (DONE,  DONE,  DONE,  DONE,  DONE,  DONE,  DONE),
    ("admin:login", "GET"):                    (OK,    OK,    OK,    OK,    OK,    AWAY,  OK),
    # Only a staff account may sign in to the admin: everyone's own password is refused there.
    ("admin:login", "POST"):                   (FORM,  FORM,  FORM,  FORM,  FORM,  DONE,  FORM),
    ("admin:logout", "POST"):                  (AWAY,  AWAY,  AWAY,  AWAY,  AWAY,  DONE,  AWAY),
}
# fmt: on


def admin_only(outcome: str) -> tuple[str, ...]:
    """The administrator's outcome; everyone else is sent to the admin's sign-in page."""
    return tuple(outcome if role == "admin_alice" else ADMIN_LOGIN for role in ROLES)


# The rest of the admin site's pages, by the administrator's outcome.
ADMIN_SITE = {
    ("admin:index", "GET"): OK,
    ("admin:password_change", "GET"): OK,
    ("admin:password_change", "POST"): DONE,
    ("admin:password_change_done", "GET"): OK,
    ("admin:autocomplete", "GET"): OK,
    ("admin:jsi18n", "GET"): OK,
    ("admin:view_on_site", "GET"): AWAY,
    ("admin:auth_user_password_change", "GET"): OK,
    ("admin:auth_user_password_change", "POST"): DONE,
    ("admin:villages_village_import", "GET"): OK,
    # An empty upload: the administrator is told to choose a file.
    ("admin:villages_village_import", "POST"): FORM,
    ("admin:villages_village_export", "GET"): OK,
    **{(f"admin:app_list:{label}", "GET"): OK for label in APP_LABELS},
}

# Each model's pages, by the administrator's outcome: the list, add, change, delete and history
# pages, then the add, change and delete forms sent (add and change empty, so they are refused
# with an error where they are allowed at all).
# fmt: off
ADMIN_MODEL_PAGES = (
    ("changelist", "GET"), ("add", "GET"), ("change", "GET"), ("delete", "GET"),
    ("history", "GET"), ("add", "POST"), ("change", "POST"), ("delete", "POST"),
)
ADMIN_MODEL_OUTCOMES = {
    #                             list  add     change  delete  history  add     change  delete
    "auth.group":                (OK,   OK,     OK,     OK,     OK,      FORM,   FORM,   DONE),
    # bob sits on a panel: his account is kept.
    "auth.user":                 (OK,   OK,     OK,     OK,     OK,      FORM,   FORM,   KEPT),
    # Sign-in failures are recorded by the app only; deleting one lifts a lockout.
    "axes.accessattempt":        (OK,   DENIED, OK,     OK,     OK,      DENIED, DONE,   DONE),
    "axes.accesslog":            (OK,   DENIED, OK,     OK,     OK,      DENIED, DONE,   DONE),
    "axes.accessfailurelog":     (OK,   DENIED, OK,     OK,     OK,      DENIED, DONE,   DONE),
    # The organisation's rows with others depending on them are kept.
    "villages.district":         (OK,   OK,     OK,     OK,     OK,      FORM,   FORM,   KEPT),
    "villages.street":           (OK,   OK,     OK,     OK,     OK,      FORM,   FORM,   KEPT),
    "villages.village":          (OK,   OK,     OK,     OK,     OK,      FORM,   FORM,   KEPT),
    "villages.secretary":        (OK,   OK,     OK,     OK,     OK,      FORM,   FORM,   KEPT),
    "villages.tenure":           (OK,   OK,     OK,     OK,     OK,      FORM,   FORM,   DONE),
    # Competitions are made on the staff pages. A competition in scoring, its panel and its
    # frozen policy: no deletion, no change (its date and venue are on the record), and no
    # judge added to it here (the add form refuses a competition past draft).
    "competition.competition":   (OK,   DENIED, OK,     DENIED, OK,      DENIED, DENIED, DENIED),
    "competition.judge":         (OK,   OK,     OK,     DENIED, OK,      FORM,   DENIED, DENIED),
    # Problems are raised on judges' sheets (one per text and village): none added here.
    "competition.problem":       (OK,   DENIED, OK,     OK,     OK,      DENIED, FORM,   DONE),
    # Scheme edits never reach a competition: it holds copies of the criteria.
    "scoring.scheme":            (OK,   OK,     OK,     OK,     OK,      FORM,   FORM,   DONE),
    "scoring.criterion":         (OK,   OK,     OK,     OK,     OK,      FORM,   FORM,   DONE),
    "scoring.gradingpolicy":     (OK,   OK,     OK,     DENIED, OK,      FORM,   DENIED, DENIED),
    "notice.noticedefaults":     (OK,   OK,     OK,     OK,     OK,      FORM,   FORM,   DONE),
    # Publications exist only by publishing, and never change.
    "scoring.publication":       (OK,   DENIED, OK,     DENIED, OK,      DENIED, DENIED, DENIED),
}
# fmt: on

for _label, _outcomes in ADMIN_MODEL_OUTCOMES.items():
    _app, _name = _label.split(".")
    for (_kind, _method), _outcome in zip(ADMIN_MODEL_PAGES, _outcomes, strict=True):
        ADMIN_SITE[(f"admin:{_app}_{_name}_{_kind}", _method)] = _outcome

MATRIX |= {key: admin_only(outcome) for key, outcome in ADMIN_SITE.items()}


def next_is(url: str) -> str:
    """The query string with which a sign-in page is asked to come back to `url`."""
    return urlencode({"next": url}, safe="/")


def form_errors(response: HttpResponse):
    """The errors of the page's form: the admin gathers its form's and inlines' in `errors`."""
    return response.context.get("errors") or response.context["form"].errors


@pytest.mark.parametrize(
    ("role", "page", "method", "expected"), competition_matrix.cases(MATRIX, ROLES, "/")
)
def test_each_role_gets_what_the_rules_allow_and_a_refusal_changes_nothing(
    client, world, role, page, method, expected
):
    spec = PAGES[page]
    sign_in(client, role, world)
    me = world.cast.get(role)
    url = spec.url(world)
    before = snapshot()

    response = client.get(url) if method == "GET" else client.post(url, spec.data(world, me))

    after = snapshot()
    if expected in (LOGIN, ADMIN_LOGIN):
        login = reverse("login" if expected == LOGIN else "admin:login")
        assert (response.status_code, response.url) == (302, f"{login}?{next_is(url)}")
        assert after == before
    elif expected in (NO, DENIED, NOT_ALLOWED):
        assert response.status_code == int(expected)
        assert after == before
    elif expected == OK:
        assert response.status_code == 200
        assert spec.shows is None or spec.shows(response, world)
        assert after == before
    elif expected == AWAY:
        assert (response.status_code, response.url) == (302, spec.away(world))
        assert after == before
    elif expected == FORM:
        assert response.status_code == 200
        assert form_errors(response)
        assert after == before
    elif expected == KEPT:
        assert response.status_code == 200
        assert response.context["protected"]
        assert after == before
    elif expected == DONE:
        if spec.then is None:
            assert response.status_code == 200
        else:
            assert (response.status_code, response.url) == (302, spec.then(world))
        assert spec.effect(response, world)
        assert competition_matrix.changed(before, after) <= set(spec.changes.split())
    else:
        raise AssertionError(expected)


def test_the_world_holds_a_row_of_every_model_the_admin_keeps(world):
    assert set(world.objects) == set(ADMIN_MODELS) == set(ADMIN_MODEL_OUTCOMES)


@pytest.mark.parametrize("page", ["admin:index", "admin:auth_user_changelist"])
def test_a_card_session_never_reaches_the_admin(client, world, page):
    """Even when the judge it signs in is an administrator, a card is for scoring, not the admin."""
    alice, carol = world.cast["admin_alice"], world.cast["street_staff_carol"]
    MembershipFactory(
        user=alice, role="street_staff", district=world.a.district, street=world.a.street
    )
    # During scoring a new judge needs a reason (issue 13, item 9).
    competition_services.add_judge(
        competition=world.a, user=alice, role="observer", by=carol, reason="列席"
    )
    issued = competition_services.issue_cards(competition=world.a, by=carol)
    [token] = [token for judge, token in issued if judge.user == alice]
    client.post(reverse("competition:card", args=[token]))
    assert client.session[CARD_SCOPE] == world.a.pk
    url = reverse(page)

    response = client.get(url)

    login = f"{reverse('admin:login')}?{next_is(url)}"
    assert (response.status_code, response.get("Location")) == (302, login)


# What the home page lists, by street: A's street, another street of the district, or one of
# another district. Street staff see their street's villages, district staff and the
# administrator the streets with their counts.
@pytest.mark.parametrize(
    ("role", "villages", "streets"),
    [
        ("anonymous", "", ""),
        ("judge_bob", "", ""),
        ("street_staff_carol", "A", ""),
        ("district_dan", "", "AB"),
        ("nobody_grace", "", ""),
        ("admin_alice", "", "ABX"),
        # A card signs its holder in to score one competition, not to read the roster.
        ("carded_frank", "", ""),
    ],
)
def test_home_lists_only_what_the_user_may_see(client, world, role, villages, streets):
    sign_in(client, role, world)
    key = {t.village.street: key for key, t in world.tenures.items()}

    response = client.get(reverse("home"))

    assert response.status_code == 200
    tenures = response.context.get("tenures") or []
    assert "".join(sorted({key[t.village.street] for t in tenures})) == villages
    listed = response.context.get("streets") or []
    assert "".join(sorted(key[s] for s in listed)) == streets


@pytest.mark.parametrize(
    ("role", "found"),
    [("street_staff_carol", "A"), ("district_dan", "AB"), ("admin_alice", "ABX")],
)
def test_search_finds_only_what_the_user_may_see(client, world, role, found):
    sign_in(client, role, world)
    key = {t.village.street: key for key, t in world.tenures.items()}

    response = client.get(reverse("search"), {"q": "书记"})

    tenures = response.context["results"].tenures
    assert "".join(sorted({key[t.village.street] for t in tenures})) == found


def url_names() -> set[str]:
    """Every URL name of the project, with its namespaces: "home", "admin:index", …"""

    def walk(resolver: URLResolver, prefix: str) -> Iterator[str]:
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                namespace = f"{pattern.namespace}:" if pattern.namespace else ""
                yield from walk(pattern, prefix + namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield prefix + pattern.name

    return set(walk(get_resolver(), ""))


def test_every_page_of_the_project_has_a_row_in_one_of_the_matrices():
    # The scoring and competition pages are the other matrix's; it checks them itself.
    competition_matrix.test_the_matrix_covers_every_page_of_both_apps()
    stage_matrix.test_the_matrix_covers_every_stage_page()  # and the stage's
    names = url_names()
    ours = {
        name
        for name in names
        if name.split(":")[0] not in ("scoring", "competition", "stage", "notice")
    }
    # Rows of one name asked about in several ways ("admin:app_list:villages") count for it.
    asked = {":".join(page.split(":")[:2]) for page, _method in MATRIX}
    # The password reset pages should not exist: their rows stay when their names go.
    not_offered = {page for page, _method in MATRIX if page.startswith("password_reset")}

    assert not ours - asked, "a page has no row in MATRIX"
    assert not asked - ours - not_offered, "MATRIX has a row for a page that is gone"
