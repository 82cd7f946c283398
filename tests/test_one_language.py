"""One language per page: every page each role reaches speaks only the page's language.

A Chinese page shows no run of Latin words and an English page no Chinese character, except
data: people's and places' names, codes and text users typed, read from the database as the
allow-list. Numbers and units are neither language. The pages come from tests/crawl.py over
the demo world; each role's pages are crawled once and read in both languages.
"""

import json
import re

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import User
from django.db import transaction
from django.urls import reverse

from competition.models import Competition, Contestant, Event, Judge, Problem
from scoring.models import (
    CompetitionCriterion,
    Criterion,
    GradeOverride,
    GradingPolicy,
    Publication,
    Scheme,
    ScoreSheet,
)
from stage.models import Step
from tests import crawl
from villages.models import District, Secretary, Street, Village
from villages.roster import COLUMNS

LANGUAGES = ("zh-hans", "en")

# Chinese: ideographs, CJK punctuation, full-width forms.
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]+")
# A Latin word: letters, perhaps with digits and joiners ("judge01", "panel-3-1", "e-mail").
LATIN = re.compile(r"[A-Za-z0-9_.@\-]*[A-Za-z][A-Za-z0-9_.@\-]*")

# Neither language: names of products, file formats, units and standards, and keys on the
# keyboard, which a Chinese text writes so too.
TERMS = {
    *("CSV", "Excel", "JSON", ".csv", ".xlsx", "SHA-256", "MB", "KB", "UTF-8", "URL"),
    *("Django", "LDAP", "HTTP", "IP", "GET", "POST", "Control", "Command", "Mac"),
    *COLUMNS,  # a roster file's column names, which the import page lists
    "W",  # Kendall's W, a statistic's symbol in either language
    "N",  # the "5+N" criteria, as the district names them in either language
    "null",  # JSON's empty value, which a reader computing a digest types as it is
}
# Django's admin writes the alt text of its yes/no icons and of its search box's magnifier
# in English, with no way to translate them.
ADMIN_TERMS = {"True", "False", "None", "Search"}
# django-axes names its rows in English ("Access Log for judge01 @ …"), untranslatable.
ADMIN_TERMS |= {"Access", "Log", "for", "Attempted", "Failed", "access", "on"}


def _values(model, fields) -> set[str]:
    return {value for row in model.objects.values_list(*fields) for value in row if value}


def _names_in(value) -> set[str]:
    """The strings of a log line's detail, its codes aside; a name kept in both languages
    gives its Chinese one (the English one is the admin's data)."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, list):
        return set().union(*map(_names_in, value))
    if isinstance(value, dict):
        if "zh" in value:
            return {value["zh"]}
        return set().union(*(_names_in(v) for k, v in value.items() if k != "code"))
    return set()


def data_strings() -> set[str]:
    """What users typed or the roster brought: names, codes, places and free text."""
    strings: set[str] = set()
    for model, fields in (
        (User, ["username", "first_name", "last_name"]),
        (District, ["name"]),
        (Street, ["name"]),
        (Village, ["name", "code", "pinyin"]),
        (Secretary, ["name", "pinyin", "phone"]),
        (Competition, ["venue"]),
        (ScoreSheet, ["comment"]),
        (Problem, ["text", "owner", "resolution"]),
        (Event, ["note"]),
        (Judge, ["status_reason"]),
        (GradeOverride, ["reason"]),
        (Publication, ["digest"]),
        (AccessAttempt, ["username", "user_agent", "path_info", "ip_address"]),
        (AccessFailureLog, ["username", "user_agent", "path_info", "ip_address"]),
        (AccessLog, ["username", "user_agent", "path_info", "ip_address"]),
    ):
        strings |= _values(model, fields)
    for problems in ScoreSheet.objects.exclude(problems=[]).values_list("problems", flat=True):
        strings.update(problems)
    # A log line's figures: the names it was written with (competition.notes).
    for model in (Event, Step):
        for detail in model.objects.exclude(detail=[]).values_list("detail", flat=True):
            strings.update(_names_in(detail))
    assert Contestant.objects.exists()  # the world is seeded
    return strings


def bilingual_data() -> set[str]:
    """What is stored in both languages and edited as such in the admin (criteria, schemes),
    and what the admin shows as stored (a publication's document, a policy's settings). The
    site's pages show these in the page's language; only the admin's may show both."""
    strings = set()
    fields = ["code", "name", "name_en", "guidance", "guidance_en"]
    strings |= _values(Criterion, fields) | _values(CompetitionCriterion, fields)
    strings |= _values(Scheme, ["name", "name_en", "description"])
    for model, field in ((Publication, "document"), (GradingPolicy, "role_weights")):
        for value in model.objects.values_list(field, flat=True):
            strings.add(json.dumps(value, ensure_ascii=False))
    return strings


def _allowed_runs(strings: set[str], pattern: re.Pattern) -> set[str]:
    return {run for value in strings for run in pattern.findall(value)}


def _is_data(run: str, allowed: set[str]) -> bool:
    """Whether `run` is one or more allowed runs side by side (two names may touch)."""
    reachable = [True] + [False] * len(run)
    for end in range(1, len(run) + 1):
        reachable[end] = any(reachable[start] and run[start:end] in allowed for start in range(end))
    return reachable[-1]


def foreign_runs(texts: list[str], language: str, allowed: dict[str, set[str]]) -> list[str]:
    """The runs of the other language in a page's visible texts, data (`allowed`) excepted."""
    if language == "en":
        runs = (run for text in texts for run in CJK.findall(text))
        return [run for run in runs if not _is_data(run, allowed["cjk"])]
    runs = (run for text in texts for run in LATIN.findall(text))
    return [run for run in runs if run not in allowed["latin"]]


def _allowances(strings: set[str], terms: set[str]) -> dict[str, set[str]]:
    return {"cjk": _allowed_runs(strings, CJK), "latin": _allowed_runs(strings, LATIN) | terms}


def starts(world: crawl.World, role: str) -> list[str]:
    """Where a role's crawl begins: home, and the pages reached by typing or scanning an
    address rather than by a link (a search, a ballot slip, a sign-in card, a public notice)."""
    if role == "anonymous":
        return [
            "/",
            reverse("scoring:ballot"),
            reverse("scoring:ballot_thanks"),
            reverse("notice:printed", args=[world.published.pk]),
            reverse("notice:public", args=[world.published.pk]),
            reverse("notice:verify"),
            reverse("notice:objection"),
            reverse("competition:card", args=[world.card]),
            reverse("competition:card", args=["no-such-card"]),
        ]
    if role in ("street_staff", "admin"):
        return [
            "/",
            "/search/?q=王",
            *(reverse("scoring:setup", args=[c.pk]) for c in [world.draft, world.closed]),
        ]
    if role == "district_staff":
        return ["/", "/search/?q=王", reverse("scoring:points", args=[world.review.pk])]
    return ["/"]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The demo world, seeded once for the module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield crawl.seed_world()
        transaction.set_rollback(True)


@pytest.mark.parametrize("role", list(crawl.ROLES))
def test_every_page_of_each_role_speaks_one_language(world, role, db):
    client = crawl.client_for(world.users[role])
    # Four of a kind: a competition in draft, one in scoring, a closed one, a published one.
    # The admin's pages of one kind differ little: one of each is enough there, and fast.
    per_route = 1 if role == "admin" else 4
    headers = {"Accept-Language": LANGUAGES[0]}
    pages = crawl.crawl(client, start=starts(world, role), per_route=per_route, headers=headers)
    assert len(pages) > (1 if role == "anonymous" else 3), [p.url for p in pages]
    # Read after the crawl: signing in wrote to the sign-in log, which the admin shows.
    strings = data_strings()
    allowances = {
        "site": _allowances(strings, TERMS),
        "admin": _allowances(strings | bilingual_data(), TERMS | ADMIN_TERMS),
    }
    offenders = []
    for page in pages:
        for language in LANGUAGES:
            html = page.html  # the crawl read it in Chinese
            if language != LANGUAGES[0]:
                response = client.get(page.url, follow=True, headers={"Accept-Language": language})
                html = response.content.decode()
            assert crawl.page_language(html) == language, page.url
            allowed = allowances["admin" if page.route.startswith("admin:") else "site"]
            runs = foreign_runs(crawl.visible_text(html, language), language, allowed)
            if runs:
                offenders.append(f"{language} {page.url} ({page.route}): {sorted(set(runs))}")
    assert not offenders, "\n".join(offenders)


def test_foreign_runs_finds_the_other_language_and_lets_data_pass():
    allowed = {"cjk": {"寒亭街道"}, "latin": {"judge01"}}
    assert foreign_runs(["第1季度 judge01 Q1 submitted"], "zh-hans", allowed) == ["Q1", "submitted"]
    assert foreign_runs(["寒亭街道 — 2025 Q1 ring competition"], "en", allowed) == []
    assert foreign_runs(["寒亭街道2025年第1季度擂台赛"], "en", allowed) == ["年第", "季度擂台赛"]


def test_visible_text_leaves_out_scripts_fields_values_and_the_other_languages_marked_text():
    html = (
        '<html lang="zh-hans"><head><title>标题</title><script>var a = "x"</script></head>'
        '<body><p title="提示">正文</p><textarea>typed text</textarea>'
        '<button lang="en">English</button><input type="submit" value="提交">'
        '<input type="hidden" value="secret"></body></html>'
    )
    assert crawl.visible_text(html, "zh-hans") == ["标题", "提示", "正文", "提交"]
