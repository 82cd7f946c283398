"""Fuzzing the forms people type into: the score sheet, the paper tally and the roster import.

Whatever arrives (NUL bytes, 10k characters, emoji, negative, huge or non-numeric values), the
server answers without a 500, stores nothing when it refuses, and what it stores is valid.
The test database is rolled back per test function, not per example: each example takes its own
"before" snapshot.
"""

import io
import zipfile
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import models
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from competition.models import Problem
from scoring.ballots.services import enter_tally
from scoring.models import TALLY_FIELDS, PaperTally, Score, ScoreSheet, SheetRevision
from tests.competition_setup import competition_in_scoring
from tests.factories import MembershipFactory, UserFactory
from tests.villages.rosterfiles import row, write
from villages.models import District, Secretary, Street, Tenure, Village
from villages.roster import COLUMNS, RosterInvalid
from villages.services import import_roster

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
JSON = {"HTTP_ACCEPT": "application/json"}

NASTY = [
    "",
    " ",
    "0",
    "-0",
    "-1",
    "-0.5",
    "0.25",
    "1e999",
    "-1e999",
    "1e-999999",
    "NaN",
    "sNaN",
    "Infinity",
    "²",  # a digit to str.isdigit(), not to int()
    "١٢",  # Arabic-Indic digits
    "１０",  # full-width digits
    "1_0",
    " 7 ",
    "9" * 25,
    "9" * 5000,  # longer than int()'s digit limit
    "😀",
    "\x00",
    "1\x00",
    "a\r\nb",
    "x" * 10_000,
    "=1+1",
]
nasty = st.one_of(
    st.sampled_from(NASTY),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.text(max_size=40),
)
half_steps = st.integers(min_value=0, max_value=60).map(lambda n: str(Decimal(n) / 2))
whole = st.integers(min_value=0, max_value=60).map(str)


def rows_of(model: type[models.Model]) -> list[dict]:
    return list(model.objects.order_by("pk").values())


# --- The score sheet -------------------------------------------------------------------------


@pytest.fixture
def judge_alice(db):
    return UserFactory(username="alice_judge")


@pytest.fixture
def competition(street_staff_carol, judge_alice):
    return competition_in_scoring(
        street=street_staff_carol.membership.street, staff=street_staff_carol, judges=[judge_alice]
    )


def sheet_state() -> tuple:
    return tuple(rows_of(m) for m in (ScoreSheet, Score, SheetRevision, Problem))


CODES = ["political", "governance", "economy", "unknown"]  # the last is no criterion


@st.composite
def sheet_posts(draw) -> dict[str, str]:
    """A sheet form: each field valid, fuzzed or missing."""
    value = st.one_of(st.none(), half_steps, nasty)
    data = {f"p-{code}": draw(value) for code in draw(st.sampled_from([[], CODES[:3], CODES]))}
    data |= {
        "comment": draw(st.one_of(st.none(), st.just("好"), nasty)),
        "problems": draw(st.one_of(st.none(), st.lists(nasty, max_size=25).map("\n".join))),
        "version": draw(st.one_of(st.none(), st.integers(-3, 40).map(str), nasty)),
        "action": draw(st.one_of(st.none(), st.sampled_from(["submit", "draft"]), nasty)),
    }
    return {k: v for k, v in data.items() if v is not None}


@FUZZ
@given(post=sheet_posts(), as_json=st.booleans(), which=st.integers(0, 2))
@example(post={"p-political": "10", "version": "-1", "action": "draft"}, as_json=True, which=0)
@example(post={"p-political": "10", "version": "9" * 25, "action": "draft"}, as_json=True, which=0)
def test_score_sheet_never_fails_and_stores_nothing_it_refuses(
    client, competition, judge_alice, post, as_json, which
):
    client.force_login(judge_alice)
    contestant = competition.contestants.order_by("order")[which]
    maximum = {c.code: c.max_points for c in competition.criteria.all()}
    before = sheet_state()

    response = client.post(
        reverse("scoring:sheet", args=[competition.pk, contestant.pk]),
        post,
        **(JSON if as_json else {}),
    )

    assert response.status_code < 500
    refused = response.status_code in (400, 403, 409)
    if refused:
        assert sheet_state() == before
    else:
        assert response.status_code in (200, 302)
        for score in Score.objects.select_related("criterion"):
            assert 0 <= score.points <= maximum[score.criterion.code]
            assert score.points % Decimal("0.5") == 0


# --- The paper tally -------------------------------------------------------------------------


@pytest.fixture
def tallies(competition, street_staff_carol):
    """The first contestant has a tally another staff member entered, waiting for Carol."""
    dave = MembershipFactory(role="street_staff", street=competition.street).user
    first = competition.contestants.order_by("order").first()
    values = dict.fromkeys(TALLY_FIELDS, 5) | {"representatives_due": 30, "ballots_returned": 25}
    enter_tally(contestant=first, values=values, by=dave)
    return competition


CHOICES = ("excellent", "competent", "basic", "incompetent")


@st.composite
def tally_posts(draw) -> dict[str, str]:
    value = st.one_of(st.none(), whole, nasty)
    data = {name: draw(value) for name in TALLY_FIELDS}
    data["action"] = draw(st.one_of(st.none(), st.sampled_from(["enter", "confirm"]), nasty))
    return {k: v for k, v in data.items() if v is not None}


@FUZZ
@given(post=tally_posts(), which=st.integers(0, 1))
@example(post=dict.fromkeys(TALLY_FIELDS, "²") | {"action": "enter"}, which=1)
@example(post=dict.fromkeys(TALLY_FIELDS, "9" * 5000) | {"action": "enter"}, which=1)
@example(post=dict.fromkeys(TALLY_FIELDS, "9" * 19) | dict.fromkeys(CHOICES[:3], "0"), which=1)
def test_paper_tally_never_fails_and_stores_nothing_it_refuses(
    client, tallies, street_staff_carol, post, which
):
    client.force_login(street_staff_carol)
    contestant = tallies.contestants.order_by("order")[which]
    url = reverse("scoring:tally", args=[tallies.pk, contestant.pk])
    before = rows_of(PaperTally)

    response = client.post(url, post)

    assert response.status_code < 500
    stored = response.status_code == 302 and response.url == reverse(
        "scoring:democratic", args=[tallies.pk]
    )
    if not stored:  # the form again with its errors, back to it with a message, or a NUL's 400
        assert response.status_code in (200, 302, 400)
        assert rows_of(PaperTally) == before
    for tally in PaperTally.objects.all():
        assert tally.representatives_present <= tally.representatives_due
        choices = sum(getattr(tally, name) for name in CHOICES)
        assert choices <= tally.ballots_returned


# --- The roster import -----------------------------------------------------------------------


def roster_state() -> tuple:
    return tuple(rows_of(m) for m in (District, Street, Village, Secretary, Tenure))


def assert_roster_fits() -> None:
    for model in (District, Street, Village, Secretary, Tenure):
        fields = [f for f in model._meta.fields if isinstance(f, models.CharField)]
        for values in model.objects.values(*(f.name for f in fields)):
            for field in fields:
                assert len(values[field.name]) <= field.max_length, (model, field.name)
                assert "\x00" not in values[field.name], (model, field.name)


BAD_DATES = ["2021-02-30", "2021-13-01", "0000-01-01", "9999-12-31", "2021-3-1", "01/03/2021"]
cell = st.one_of(nasty, st.sampled_from(BAD_DATES), st.text(min_size=90, max_size=120))


@st.composite
def roster_rows(draw) -> list[dict[str, str]]:
    """One to three rows, each with one or two columns fuzzed."""
    rows = []
    for n in range(draw(st.integers(1, 3))):
        columns = draw(st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=2, unique=True))
        fuzzed = {column: draw(cell) for column in columns}
        rows.append(row(village_code=f"37070300300{n}", phone=f"1380000000{n}") | fuzzed)
    return rows


def import_both_ways(data: bytes, path: Path) -> None:
    """import_roster, then the command on the same bytes: each refuses whole or imports."""
    before = roster_state()
    try:
        import_roster(data=data, filename=path.name)
    except RosterInvalid:
        assert roster_state() == before
    else:
        assert_roster_fits()

    before = roster_state()
    path.write_bytes(data)
    try:
        call_command("import_roster", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    except CommandError:
        assert roster_state() == before
    else:
        assert_roster_fits()


@FUZZ
@given(rows=roster_rows(), bom=st.booleans())
def test_roster_rows_import_whole_or_not_at_all(tmp_path, rows, bom):
    path = write(tmp_path / "x.csv", rows, bom=bom)
    import_both_ways(path.read_bytes(), path)


@cache
def valid_file(suffix: str) -> bytes:
    out = io.BytesIO()
    if suffix == ".xlsx":
        from openpyxl import Workbook

        workbook = Workbook()
        workbook.active.append(list(COLUMNS))
        workbook.active.append([row()[c] for c in COLUMNS])
        workbook.save(out)
        return out.getvalue()
    return ",".join(COLUMNS).encode() + b"\n" + ",".join(row().values()).encode() + b"\n"


@st.composite
def mutated(draw, suffix: str) -> bytes:
    """A valid file with a few bytes changed, and perhaps cut short."""
    data = bytearray(valid_file(suffix))
    for _ in range(draw(st.integers(1, 6))):
        data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    return bytes(data[: draw(st.integers(len(data) // 2, len(data)))])


def xlsx_with_sheet_xml(content: bytes) -> bytes:
    """A valid workbook whose worksheet XML is replaced by `content`."""
    source = zipfile.ZipFile(io.BytesIO(valid_file(".xlsx")))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            replace = info.filename == "xl/worksheets/sheet1.xml"
            target.writestr(info, content if replace else source.read(info))
    return out.getvalue()


@FUZZ
@given(
    suffix_and_data=st.sampled_from([".csv", ".xlsx"]).flatmap(
        lambda suffix: st.tuples(
            st.just(suffix),
            st.one_of(
                st.binary(max_size=2000),
                mutated(suffix),
                st.binary(max_size=300).map(xlsx_with_sheet_xml)
                if suffix == ".xlsx"
                else st.text(max_size=300).map(str.encode),
            ),
        )
    )
)
@example(suffix_and_data=(".xlsx", xlsx_with_sheet_xml(b"")))
def test_roster_file_of_any_bytes_is_refused_or_imported(tmp_path, suffix_and_data):
    suffix, data = suffix_and_data
    import_both_ways(data, tmp_path / f"x{suffix}")
