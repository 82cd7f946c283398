"""District rankings, the annual report and advancement, read from published documents."""

import io
import json
import re
from decimal import Decimal
from urllib.parse import unquote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from competition.models import Competition, Contestant
from scoring.models import GradingPolicy, Publication, Scheme
from scoring.reports import rankings
from scoring.results.document import summary_of
from scoring.setup.services import create_district_competition
from tests.factories import MembershipFactory, StreetFactory, TenureFactory

pytestmark = pytest.mark.django_db


def publish(
    street, year, quarter, finals: dict[str, str], staff, grades=None, set_by=None, panels=None
) -> Competition:
    """A published street competition whose document holds the given finals, by village code.

    Rankings read only the stored documents, so a document is all a test needs. `set_by` (by
    village code) gives rows a "grade_set_by"; without it, rows are as documents published
    before that field, with none. `panels` (by village code) gives a panel score other than
    the final, with a democratic score."""
    competition = Competition.objects.create(
        district=street.district, street=street, year=year, quarter=quarter, status="published"
    )
    GradingPolicy.objects.create(competition=competition)
    rows = []
    policy = GradingPolicy().to_domain()
    from scoring import domain

    for order, (code, final) in enumerate(finals.items(), start=1):
        grade = (grades or {}).get(code) or domain.grade_for(Decimal(final), policy).value
        rows.append(
            {
                "rank": None,
                "secretary": f"书记{code}",
                "village": f"村{code}",
                "village_code": code,
                "street": street.name,
                "order": order,
                "sheets": [],
                "panel_score": (panels or {}).get(code, final),
                "disagreement": "0.00",
                "democratic": {"score": "80.00"} if code in (panels or {}) else None,
                "final_score": final,
                "grade": grade,
                "reasons": [],
            }
            | ({"grade_set_by": set_by.get(code)} if set_by is not None else {})
        )
    for row, rank in zip(
        rows, domain.ranks([Decimal(r["final_score"]) for r in rows]), strict=True
    ):
        row["rank"] = rank
    document = {
        "competition": {
            "id": competition.pk,
            "title": "",
            "level": "street",
            "district": street.district.name,
            "street": street.name,
            "year": year,
            "quarter": quarter,
            "status": "published",
            "digest": None,
        },
        "policy": {},
        "criteria": [],
        "contestants": rows,
    }
    Publication.objects.create(
        competition=competition,
        version=1,
        document=document,
        summary=summary_of(document),
        digest="0" * 64,
        by=staff,
    )
    return competition


def test_rankings_rank_the_whole_district_with_movement(street, other_street, district_dan):
    # Equal finals are listed by street name, then village code.
    street.name, other_street.name = "A街道", "B街道"
    street.save()
    other_street.save()
    publish(street, 2026, 1, {"A": "91.00", "B": "80.00"}, district_dan)
    publish(other_street, 2026, 1, {"C": "85.00"}, district_dan)
    publish(street, 2026, 2, {"A": "84.00", "B": "92.00"}, district_dan)
    publish(other_street, 2026, 2, {"C": "84.00", "D": "60.00"}, district_dan)

    result = rankings.district_rankings(district_id=street.district_id, year=2026, quarter=2)

    assert [(r.village_code, r.rank, r.final, r.grade, r.movement) for r in result.rows] == [
        ("B", 1, Decimal("92.00"), "excellent", "up"),
        ("A", 2, Decimal("84.00"), "competent", "down"),
        ("C", 2, Decimal("84.00"), "competent", "same"),
        ("D", 4, Decimal("60.00"), "basic", "new"),
    ]
    assert result.grade_counts == {"excellent": 1, "competent": 2, "basic": 1, "incompetent": 0}
    only = rankings.district_rankings(
        district_id=street.district_id,
        year=2026,
        quarter=2,
        street=other_street.name,
        grade="competent",
    )
    assert [r.village_code for r in only.rows] == ["C"]
    # The streets to filter by are those the period's documents name, whatever the filter.
    assert only.streets == result.streets == sorted([street.name, other_street.name])


def test_equal_finals_across_streets_are_listed_by_panel_score_then_speaking_order(
    street, other_street, district_dan
):
    # DESIGN rule 9: a tie on the final is shown by the higher panel score, then the higher
    # democratic score, then the earlier speaking order; the street's name comes last.
    street.name, other_street.name = "A街道", "B街道"
    street.save()
    other_street.save()
    publish(street, 2026, 1, {"A1": "90.00", "A2": "77.50"}, district_dan, panels={"A2": "76.00"})
    publish(
        other_street, 2026, 1, {"B1": "77.50", "B2": "77.50"}, district_dan, panels={"B2": "78.00"}
    )

    result = rankings.district_rankings(district_id=street.district_id, year=2026, quarter=1)

    # B2's panel 78.00 beats B1's 77.50 (no democratic score) and A2's 76.00, though B2 spoke
    # after B1 and street B comes after street A.
    assert [(r.village_code, r.rank) for r in result.rows] == [
        ("A1", 1),
        ("B2", 2),
        ("B1", 2),
        ("A2", 2),
    ]


def test_the_street_filter_offers_the_published_streets_and_keeps_the_choice(
    client, street, other_street, district_dan
):
    StreetFactory(district=street.district, name="未参赛街道")  # nothing published this quarter
    publish(street, 2026, 2, {"A": "84.00"}, district_dan)
    publish(other_street, 2026, 2, {"C": "80.00"}, district_dan)
    client.force_login(district_dan)
    for chosen in ("", other_street.name):
        page = client.get(
            reverse("scoring:rankings"), {"year": 2026, "quarter": 2, "street": chosen}
        )
        html = page.content.decode()
        select = html.split('id="street"')[1].split("</select>")[0]
        options = re.findall(r'<option value="([^"]*)"( selected)?>', select)
        assert [value for value, _selected in options] == [
            "",
            *sorted([street.name, other_street.name]),
        ]
        assert [value for value, selected in options if selected] == ([chosen] if chosen else [])
        assert "未参赛街道" not in html


def test_a_correction_replaces_the_ranked_document(client, street, district_dan):
    competition = publish(street, 2026, 1, {"A": "91.00"}, district_dan)
    client.force_login(district_dan)
    page = {"year": 2026, "quarter": 1}
    assert "91.00" in client.get(reverse("scoring:rankings"), page).content.decode()
    corrected = json.loads(json.dumps(competition.publications.get().document))
    corrected["contestants"][0]["final_score"] = "70.00"
    Publication.objects.create(
        competition=competition,
        version=2,
        document=corrected,
        summary=summary_of(corrected),
        digest="1" * 64,
        by=district_dan,
        reason="更正",
    )
    [row] = rankings.district_rankings(district_id=street.district_id, year=2026, quarter=1).rows
    assert row.final == Decimal("70.00")
    # The page's kept table was made of the first document: the correction replaces it too.
    shown = client.get(reverse("scoring:rankings"), page).content.decode()
    assert "70.00" in shown
    assert "91.00" not in shown


def test_the_digests_shown_are_exactly_those_of_the_publications_ranked(street, district_dan):
    def digests(*competitions):
        publications = Publication.objects.filter(competition__in=competitions).order_by("pk")
        return list(publications.values_list("digest", flat=True))

    # A district-level competition of the period (made as a street one, then moved up).
    district_level = publish(street, 2026, 1, {"A": "91.00"}, district_dan)
    Competition.objects.filter(pk=district_level.pk).update(level="district", street=None)
    this = publish(street, 2026, 1, {"A": "91.00"}, district_dan)
    before = publish(street, 2025, 4, {"A": "80.00"}, district_dan)  # across the new year
    publish(street, 2025, 3, {"A": "70.00"}, district_dan)  # two quarters back: not ranked
    elsewhere = publish(StreetFactory(), 2026, 1, {"B": "85.00"}, district_dan)
    assert rankings.digests_shown(street.district_id, 2026, 1) == digests(this, before)
    assert rankings.digests_shown(None, 2026, 1) == digests(this, before, elsewhere)
    assert rankings.digests_shown(street.district_id, 2024, 1) == []


@pytest.mark.parametrize("size", [40, 400])
def test_rankings_page_makes_a_fixed_number_of_queries(client, street, district_dan, size):
    streets = [street, *StreetFactory.create_batch(3, district=street.district)]
    for index, each in enumerate(streets):
        codes = range(index * size // 4, (index + 1) * size // 4)
        publish(each, 2026, 3, {f"V{c}": f"{60 + c % 40}.00" for c in codes}, district_dan)
        publish(each, 2026, 2, {f"V{c}": f"{61 + c % 39}.00" for c in codes}, district_dan)
    client.force_login(district_dan)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("scoring:rankings"), {"year": 2026, "quarter": 3})
    assert len(response.context["result"].rows) == size
    # session, user with their role, the documents' digests, this quarter's documents, last
    # quarter's (the streets to filter by are those of the documents)
    assert len(queries) == 5, [q["sql"][:60] for q in queries]
    # Again: the page frame drawn afresh around the kept table, whatever its size.
    with CaptureQueriesContext(connection) as queries:
        again = client.get(reverse("scoring:rankings"), {"year": 2026, "quarter": 3})
    assert again.context["result"] is None  # the table was kept
    assert again.content.count(b"<tr>") == response.content.count(b"<tr>") == size + 1
    # session, user with their role, the documents' digests
    assert len(queries) == 3, [q["sql"][:60] for q in queries]
    # A reload of the unchanged page: 304, nothing drawn.
    with CaptureQueriesContext(connection) as queries:
        reload = client.get(
            reverse("scoring:rankings"),
            {"year": 2026, "quarter": 3},
            headers={"if-none-match": again["ETag"]},
        )
    assert reload.status_code == 304 and reload.content == b""
    assert len(queries) == 3, [q["sql"][:60] for q in queries]
    # Another reader of the district: their own page frame, around the same kept table.
    erin = MembershipFactory(
        user__username="erin", role="district_staff", district=street.district, street=None
    )
    client.force_login(erin.user)
    with CaptureQueriesContext(connection) as queries:
        other = client.get(
            reverse("scoring:rankings"),
            {"year": 2026, "quarter": 3},
            headers={"if-none-match": again["ETag"]},  # dan's page is not erin's
        )
    assert other.status_code == 200 and other.context["result"] is None
    assert other.content.count(b"<tr>") == size + 1
    assert len(queries) == 3, [q["sql"][:60] for q in queries]


def test_annual_report_rolls_up_the_quarters(street, district_dan):
    for quarter, finals in enumerate(
        [
            {"A": "92", "B": "55", "C": "88"},
            {"A": "90", "B": "50", "C": "65"},
            {"A": "88", "B": "58", "C": "91"},
            {"A": "94", "B": "59", "C": "90"},
        ],
        start=1,
    ):
        publish(street, 2026, quarter, {k: f"{v}.00" for k, v in finals.items()}, district_dan)
    publish(street, 2025, 4, {"B": "50.00"}, district_dan)

    rows = {
        r.village_code: r for r in rankings.annual_report(district_id=street.district_id, year=2026)
    }
    a, b, c = rows["A"], rows["B"], rows["C"]
    assert (a.annual, a.grade, a.pay, a.commendation, a.reserve_pool) == (
        Decimal("91.00"),
        "excellent",
        Decimal("1.20"),
        True,
        True,
    )
    assert (c.annual, c.grade, c.reserve_pool) == (Decimal("83.50"), "competent", False)
    assert (b.annual, b.grade, b.pay, b.incompetent_two_years) == (
        Decimal("55.50"),
        "incompetent",
        Decimal("0.50"),
        True,
    )
    assert a.quarters[2] == ("90.00", "excellent")


def test_a_quarter_set_by_a_veto_or_by_hand_caps_the_annual_grade_and_says_why(
    client, street, other_street, district_dan
):
    # V: 85 every quarter, vetoed to incompetent in Q2. H: 93.50 every quarter, set by hand to
    # basic competent in Q3 and vetoed to basic in Q4: equal caps, the earlier is named. M:
    # excellent by the mean; the share cap took excellent in Q1, which does not cap the year.
    # O (another street): vetoed in Q2 in documents published before "grade_set_by" existed,
    # so nothing says what set that grade: no cap.
    grades = [
        {"V": "competent", "H": "excellent", "M": "excellent", "O": "competent"},
        {"V": "incompetent", "H": "excellent", "M": "excellent", "O": "incompetent"},
        {"V": "competent", "H": "basic", "M": "excellent", "O": "competent"},
        {"V": "competent", "H": "basic", "M": "excellent", "O": "competent"},
    ]
    set_by = [
        {"M": "cap"},
        {"V": "veto"},
        {"H": "override"},
        {"H": "veto"},
    ]
    for quarter in range(1, 5):
        publish(
            street,
            2026,
            quarter,
            {"V": "85.00", "H": "93.50", "M": "91.00"},
            district_dan,
            grades=grades[quarter - 1],
            set_by=set_by[quarter - 1],
        )
        publish(
            other_street, 2026, quarter, {"O": "85.00"}, district_dan, grades=grades[quarter - 1]
        )

    rows = {
        r.village_code: r for r in rankings.annual_report(district_id=street.district_id, year=2026)
    }
    v, h, m, o = rows["V"], rows["H"], rows["M"], rows["O"]
    assert (v.annual, v.grade, v.pay, v.capped_by.quarter) == (
        Decimal("85.00"),
        "incompetent",
        Decimal("0.50"),
        2,
    )
    assert (h.annual, h.grade, h.pay, h.commendation, h.capped_by.quarter) == (
        Decimal("93.50"),
        "basic",
        Decimal("0.80"),
        False,
        3,
    )
    assert (m.grade, m.pay, m.commendation, m.capped_by) == (
        "excellent",
        Decimal("1.20"),
        True,
        None,
    )
    assert (o.grade, o.pay, o.capped_by, o.reason) == ("competent", Decimal("1.00"), None, "")

    client.force_login(district_dan)
    chinese = client.get(reverse("scoring:annual"), {"year": 2026}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    table = chinese.content.decode().split('id="annual"')[1]
    assert "第2季度等次经民主评议否决定为“不称职”，年度等次最高为“不称职”。" in table
    assert "第3季度等次经手动调整为“基本称职”，年度等次最高为“基本称职”。" in table
    assert table.count('class="small text-body-secondary annual-reason"') == 2
    english = client.get(
        reverse("scoring:annual"), {"year": 2026, "format": "xlsx"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    sheet = load_workbook(io.BytesIO(english.content)).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    by_village = {
        row[1]: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(2, values_only=True)
    }
    assert by_village["村H"]["Why the annual grade"] == (
        "The grade of Q3 was set by hand to basic competent: the annual grade is at most basic "
        "competent."
    )
    assert by_village["村H"]["Pay coefficient"] == 0.8  # a number (issue 13 item 7)
    assert by_village["村V"]["Why the annual grade"] == (
        "A democratic veto set the grade of Q2 to incompetent: the annual grade is at most "
        "incompetent."
    )
    assert not by_village["村M"]["Why the annual grade"]  # an empty cell


def test_with_the_annual_cap_off_the_year_is_graded_by_its_mean(street, district_dan):
    GradingPolicy.objects.create(district=street.district, annual_cap_by_quarter=False)
    publish(street, 2026, 1, {"V": "85.00"}, district_dan, {"V": "incompetent"}, {"V": "veto"})
    publish(street, 2026, 2, {"V": "85.00"}, district_dan)

    (row,) = rankings.annual_report(district_id=street.district_id, year=2026)
    assert (row.annual, row.grade, row.pay, row.capped_by) == (
        Decimal("85.00"),
        "competent",
        Decimal("1.00"),
        None,
    )


def test_annual_report_exports_numbers_and_yes_or_no_in_the_readers_language(
    client, street, district_dan
):
    for quarter, final in enumerate(["92.00", "90.00", "88.00", "94.00"], start=1):
        publish(street, 2026, quarter, {"A": final, "B": "55.00"}, district_dan)
    client.force_login(district_dan)
    url = reverse("scoring:annual")

    xlsx = client.get(url, {"year": 2026, "format": "xlsx"})
    csv = client.get(url, {"year": 2026, "format": "csv"}, HTTP_ACCEPT_LANGUAGE="en")

    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert header == [
        "街道",
        "村",
        "村代码",
        "书记",
        "第1季度总分",
        "第2季度总分",
        "第3季度总分",
        "第4季度总分",
        "年度得分",
        "年度等次",
        "年度等次说明",
        "报酬系数",
        "表彰",
        "后备干部人选",
        "连续两年不称职",
    ]
    a, b = (dict(zip(header, row, strict=True)) for row in sheet.iter_rows(2))
    assert [a[key].value for key in header[4:]] == [
        92,
        90,
        88,
        94,
        91,
        "优秀",
        None,
        1.2,
        "是",
        "是",
        "否",
    ]
    assert (b["年度等次"].value, b["表彰"].value) == ("不称职", "否")
    assert {a[key].number_format for key in header[4:9] + ["报酬系数"]} == {"0.00"}
    assert (sheet.freeze_panes, sheet.auto_filter.ref) == ("A2", "A1:O3")

    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Street,Village,Village code,Secretary,Q1 final,Q2 final,")
    assert lines[1].split(",")[4:] == [
        "92.00",
        "90.00",
        "88.00",
        "94.00",
        "91.00",
        "excellent",
        "",
        "1.20",
        "yes",
        "yes",
        "no",
    ]


def test_two_vetoed_years_running_are_flagged(street, district_dan):
    for year in (2025, 2026):
        publish(street, year, 1, {"V": "85.00"}, district_dan, {"V": "incompetent"}, {"V": "veto"})
        publish(street, year, 2, {"V": "80.00"}, district_dan)

    (row,) = rankings.annual_report(district_id=street.district_id, year=2026)
    assert (row.annual, row.grade, row.incompetent_two_years) == (
        Decimal("82.50"),
        "incompetent",
        True,
    )


def test_advancement_pulls_the_recommended_into_a_district_competition(
    street, other_street, district_dan
):
    finals = {"A": "95.00", "B": "93.00", "C": "91.00", "D": "80.00"}
    competitions = []
    for each, prefix in ((street, "S"), (other_street, "T")):
        codes = {f"{prefix}{k}": v for k, v in finals.items()}
        competition = publish(each, 2026, 2, codes, district_dan)
        for code in codes:  # the street contestants the documents speak of
            tenure = TenureFactory(village__street=each, village__code=code)
            Contestant.objects.create(
                competition=competition, secretary=tenure.secretary, village=tenure.village
            )
        competitions.append(competition)
    GradingPolicy.objects.filter(competition=competitions[1]).update(advancement_k=1)

    district = create_district_competition(
        district=street.district,
        year=2026,
        quarter=2,
        scheme=Scheme.objects.get(),
        optional_codes=[],
        by=district_dan,
    )

    picked = district.contestants.select_related("village", "recommended_from")
    assert sorted(c.village.code for c in picked) == ["SA", "SB", "TA"]
    assert all(c.recommended_from.competition in competitions for c in picked)
    assert district.level == "district" and district.street is None
    assert district.criteria.count() == 5


def test_district_reports_are_for_district_staff(client, street_staff_carol, district_dan):
    client.force_login(street_staff_carol)
    assert client.get(reverse("scoring:rankings")).status_code == 404
    assert client.get(reverse("scoring:annual")).status_code == 404
    client.force_login(district_dan)
    assert client.get(reverse("scoring:annual"), {"year": 2026}).status_code == 200


def test_an_administrator_ranks_every_district_together(
    client, street, district_dan, admin_alice, django_assert_max_num_queries
):
    far = StreetFactory()  # a street of another district
    publish(street, 2026, 3, {"A": "91.00", "B": "70.00"}, district_dan)
    publish(far, 2026, 3, {"C": "85.00"}, district_dan)
    client.force_login(admin_alice)
    with django_assert_max_num_queries(7):
        response = client.get(
            reverse("scoring:rankings"), {"year": 2026, "quarter": 3, "district": "all"}
        )
    rows = response.context["result"].rows
    assert [(r.village_code, r.rank, r.district) for r in rows] == [
        ("A", 1, street.district.name),
        ("C", 2, far.district.name),
        ("B", 3, street.district.name),
    ]
    page = response.content.decode()
    assert far.district.name in page
    assert 'action="/rankings/advance/"' not in page  # advancement is a district's own step
    sheet = client.get(
        reverse("scoring:rankings"),
        {"year": 2026, "quarter": 3, "district": "all", "format": "xlsx"},
    )
    cells = list(load_workbook(io.BytesIO(sheet.content)).active.values)
    assert [c[1] for c in cells[1:]] == [
        street.district.name,
        far.district.name,
        street.district.name,
    ]
    # One district, as before: only its own contestants.
    one = client.get(
        reverse("scoring:rankings"), {"year": 2026, "quarter": 3, "district": far.district.pk}
    )
    assert [r.village_code for r in one.context["result"].rows] == ["C"]
    # The district chooser marks the choice: every district, then the one district.
    for shown, chosen in ((page, "all"), (one.content.decode(), str(far.district.pk))):
        select = shown[
            shown.index('id="district"') : shown.index("</select>", shown.index('id="district"'))
        ]
        assert re.findall(r'<option value="([^"]*)" selected>', select) == [chosen]


def test_only_an_administrator_may_rank_every_district(client, street, district_dan):
    far = StreetFactory()
    publish(street, 2026, 3, {"A": "91.00"}, district_dan)
    publish(far, 2026, 3, {"C": "85.00"}, district_dan)
    client.force_login(district_dan)
    response = client.get(
        reverse("scoring:rankings"), {"year": 2026, "quarter": 3, "district": "all"}
    )
    assert [r.village_code for r in response.context["result"].rows] == ["A"]


def test_grades_are_named_in_the_readers_language(client, street, district_dan):
    publish(street, 2026, 2, {"A": "95.00", "B": "65.00"}, district_dan)
    client.force_login(district_dan)
    page = {"year": 2026, "quarter": 2}
    english = client.get(reverse("scoring:rankings"), page, HTTP_ACCEPT_LANGUAGE="en")
    chinese = client.get(reverse("scoring:rankings"), page, HTTP_ACCEPT_LANGUAGE="zh-hans")
    table = english.content.decode().split('id="rankings"')[1]
    assert "excellent" in table and "basic competent" in table and "优秀" not in table
    assert "优秀" in chinese.content.decode().split('id="rankings"')[1]


def test_rankings_rows_escape_every_text_as_a_template_would():
    from django.template.loader import render_to_string
    from django.utils.html import escape

    hostile = "<script>alert(\"x\")</script> & 'co'"
    row = rankings.RankedRow(
        rank=1,
        secretary=hostile,
        village=hostile,
        village_code='A"&B',
        district=hostile,
        street=hostile,
        street_rank=1,
        final=Decimal("91.50"),
        grade="excellent",
        competition_id=1,
        movement="up",
        previous_rank=4,
    )
    result = rankings.Rankings(rows=[row], grade_counts={}, competitions=1, streets=[])
    shown = render_to_string("scoring/_rankings_table.html", {"district": None, "result": result})
    assert "<script>" not in shown
    assert shown.count(str(escape(hostile))) == 4
    assert 'href="/villages/A%22&amp;B/"' in shown  # the address of the village's code
    # Last quarter's rank, then the places moved since: up 3, from 4th to 1st.
    assert "<td>91.50</td>" in shown and "<td>4</td>" in shown and "↑ 3</td>" in shown


def test_rankings_export_numbers_and_words_in_the_readers_language(
    client, street, other_street, district_dan
):
    street.name, other_street.name = "A街道", "B街道"
    street.save()
    other_street.save()
    publish(street, 2026, 1, {"A": "91.00", "B": "80.00"}, district_dan)
    publish(other_street, 2026, 1, {"C": "85.00"}, district_dan)
    publish(street, 2026, 2, {"A": "84.00", "B": "92.00"}, district_dan)
    publish(other_street, 2026, 2, {"C": "84.00", "D": "60.00"}, district_dan)
    client.force_login(district_dan)
    period = {"year": 2026, "quarter": 2}

    chinese = client.get(reverse("scoring:rankings"), period | {"format": "xlsx"})
    english = client.get(
        reverse("scoring:rankings"), period | {"format": "xlsx"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    csv = client.get(reverse("scoring:rankings"), period | {"format": "csv"})

    district = district_dan.membership.district
    assert unquote(chinese["Content-Disposition"]) == (
        f"attachment; filename*=utf-8''{district.name}排名 2026年第2季度.xlsx"
    )
    assert unquote(english["Content-Disposition"]) == (
        f"attachment; filename*=utf-8''{district.name} rankings 2026 Q2.xlsx"
    )
    sheet = load_workbook(io.BytesIO(chinese.content)).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert header == [
        "名次",
        "区县",
        "街道",
        "村",
        "村代码",
        "书记",
        "街道内名次",
        "总分",
        "等次",
        "上季度名次",
        "名次变化",
    ]
    district = street.district.name
    assert [[cell.value for cell in row] for row in sheet.iter_rows(2)] == [
        [1, district, "A街道", "村B", "B", "书记B", 1, 92, "优秀", 3, "上升"],
        [2, district, "A街道", "村A", "A", "书记A", 2, 84, "称职", 1, "下降"],
        [2, district, "B街道", "村C", "C", "书记C", 1, 84, "称职", 2, "持平"],
        [4, district, "B街道", "村D", "D", "书记D", 2, 60, "基本称职", None, "上季度无排名"],
    ]
    assert {row[7].number_format for row in sheet.iter_rows(2)} == {"0.00"}
    assert (sheet.freeze_panes, sheet.auto_filter.ref) == ("A2", "A1:K5")

    english_sheet = load_workbook(io.BytesIO(english.content)).worksheets[0]
    assert [cell.value for cell in english_sheet[1]][7:] == [
        "Final score",
        "Grade",
        "Rank last quarter",
        "Movement",
    ]
    assert [row[8:] for row in english_sheet.iter_rows(2, values_only=True)] == [
        ("excellent", 3, "up"),
        ("competent", 1, "down"),
        ("competent", 2, "same"),
        ("basic competent", None, "not ranked"),
    ]

    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "名次,区县,街道,村,村代码,书记,街道内名次,总分,等次,上季度名次,名次变化"
    assert lines[1] == f"1,{district},A街道,村B,B,书记B,1,92.00,优秀,3,上升"
    assert lines[4] == f"4,{district},B街道,村D,D,书记D,2,60.00,基本称职,,上季度无排名"
