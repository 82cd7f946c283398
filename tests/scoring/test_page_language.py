"""The known places where a page spoke the other language, or said the wrong thing."""

import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from competition.models import Event, competition_title, quarter_label
from scoring.ballots import services
from scoring.models import Publication, ScoreSheet
from scoring.results.services import publish_competition
from scoring.setup import services as setup_services
from tests.competition_setup import competition_in_scoring, default_scheme

pytestmark = pytest.mark.django_db

ZH, EN = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}, {"HTTP_ACCEPT_LANGUAGE": "en"}


def page(client, url, language=ZH) -> str:
    response = client.get(url, **language)
    assert response.status_code == 200, url
    return response.content.decode()


def test_a_quarter_reads_in_the_pages_language():
    with translation.override("zh-hans"):
        assert quarter_label(1) == "第1季度"
        assert quarter_label(3, 2025) == "2025年第3季度"
    with translation.override("en"):
        assert quarter_label(1) == "Q1"
        assert quarter_label(3, 2025) == "2025 Q3"


def test_a_competitions_title_is_one_phrase_in_the_pages_language(street_staff_carol):
    competition = competition_in_scoring(
        street=street_staff_carol.membership.street, staff=street_staff_carol, open_it=False
    )
    street = competition.street.name
    with translation.override("zh-hans"):
        assert competition.title == f"{street} 2026年第4季度擂台赛"
        assert str(competition) == competition.title
    with translation.override("en"):
        assert competition.title == f"{street} — 2026 Q4 ring competition"
        assert (
            competition_title(where="寒亭区", year=2025, quarter=4, level="district")
            == "寒亭区 — 2025 Q4 district-level ring competition"
        )


def test_sheet_history_shows_status_and_criterion_names_not_codes(client, closed):
    sheet = ScoreSheet.objects.filter(judge__competition=closed).order_by("pk").first()
    client.force_login(closed.events.first().by)
    url = reverse("scoring:history", args=[closed.pk, sheet.pk])
    chinese = page(client, url)
    assert "已提交" in chinese and "个人政治表现" in chinese
    assert "submitted" not in chinese and "political" not in chinese
    assert chinese.index("个人政治表现") < chinese.index("加强组织建设")  # the sheet's order
    english = page(client, url, EN)
    assert "submitted" in english and "Personal political performance" in english
    assert "个人政治表现" not in english


def test_judges_summary_heads_its_columns_with_criterion_names(client, closed):
    client.force_login(closed.events.first().by)
    url = reverse("scoring:judge_summary", args=[closed.pk])
    chinese = page(client, url)
    assert "<th>个人政治表现</th>" in chinese and "<th>political</th>" not in chinese
    assert "<th>Personal political performance</th>" in page(client, url, EN)


def test_results_and_profile_of_a_published_competition_speak_english(client, closed):
    staff = closed.events.first().by
    publish_competition(competition=closed, by=staff)
    document = Publication.objects.get(competition=closed).document
    assert document["criteria"][0]["name"] == "个人政治表现"  # the document keeps its words
    client.force_login(staff)
    results_page = page(client, reverse("scoring:results", args=[closed.pk]), EN)
    assert "Personal political performance" in results_page
    assert "个人政治表现" not in results_page
    assert "version 1" in results_page
    assert "第1版" in page(client, reverse("scoring:results", args=[closed.pk]))
    secretary = closed.contestants.order_by("order").first().secretary
    profile = page(client, reverse("scoring:secretary", args=[secretary.pk]), EN)
    assert f"{closed.street.name} — 2026 Q4 ring competition" in profile
    assert "Personal political performance" in profile
    assert "个人政治表现" not in profile and "年第" not in profile
    chinese = page(client, reverse("scoring:secretary", args=[secretary.pk]))
    assert f"{closed.street.name} 2026年第4季度擂台赛" in chinese
    assert "2026 Q4" not in chinese and ">Q4<" not in chinese  # (a random token may hold "Q4")


def test_rankings_and_dashboard_name_quarters_in_chinese(client, district_dan):
    client.force_login(district_dan)
    for name in ("scoring:rankings", "scoring:dashboard"):
        chinese = page(client, reverse(name))
        assert "第1季度" in chinese and ">Q1<" not in chinese, name
        assert ">Q1<" in page(client, reverse(name), EN), name
    data = page(client, reverse("scoring:dashboard"))
    assert json.dumps("第2季度") in data or "第2季度" in data


def test_new_competition_form_shows_ten_points_not_an_exponent(client, street_staff_carol):
    default_scheme()
    client.force_login(street_staff_carol)
    chinese = page(client, reverse("scoring:new"))
    assert "1E+1" not in chinese and "基层治理（10分）" in chinese
    assert "(10 points)" in page(client, reverse("scoring:new"), EN)


def test_transition_page_speaks_the_readers_language(client, street_staff_carol):
    competition = competition_in_scoring(
        street=street_staff_carol.membership.street, staff=street_staff_carol
    )
    client.force_login(street_staff_carol)
    url = reverse("scoring:transition", args=[competition.pk, "close"])
    assert "结束评分" in page(client, url)
    english = page(client, url, EN)
    assert "Close scoring" in english and "结束评分" not in english


def test_democratic_page_counts_used_tokens_in_words_for_a_count(client, street_staff_carol):
    competition = competition_in_scoring(
        street=street_staff_carol.membership.street, staff=street_staff_carol
    )
    client.force_login(street_staff_carol)
    chinese = page(client, reverse("scoring:democratic", args=[competition.pk]))
    assert '<th class="text-end">已使用</th>' in chinese and "使用时间" not in chinese


def test_each_event_kind_has_its_own_label_and_ballot_events_use_theirs(street_staff_carol):
    with translation.override("zh-hans"):
        labels = [str(label) for label in Event.Kind.labels]
    assert len(set(labels)) == len(labels)
    competition = competition_in_scoring(
        street=street_staff_carol.membership.street, staff=street_staff_carol
    )
    services.set_democratic(competition=competition, enabled=True, by=street_staff_carol)
    services.issue_ballot_tokens(competition=competition, per_contestant=2, by=street_staff_carol)
    contestant = competition.contestants.first()
    services.revoke_ballot_tokens(contestant=contestant, by=street_staff_carol)
    kinds = list(competition.events.values_list("kind", flat=True))
    assert kinds[-3:] == ["democratic", "ballots", "ballots"]
    with translation.override("zh-hans"):
        shown = [e.get_kind_display() for e in competition.events.all()]
    assert "民主评议开启或关闭" in shown and "评议票发放或作废" in shown
    assert "签到卡发放或作废" not in shown


def test_results_downloads_name_criteria_in_the_readers_language(client, closed, tmp_path):
    staff = closed.events.first().by
    publish_competition(competition=closed, by=staff)
    client.force_login(staff)
    url = reverse("scoring:results", args=[closed.pk])
    english = client.get(url, {"format": "csv"}, **EN).content.decode("utf-8-sig")
    assert "Personal political performance" in english.splitlines()[0]
    chinese = client.get(url, {"format": "csv"}, **ZH).content.decode("utf-8-sig")
    assert "个人政治表现" in chinese.splitlines()[0]
    call_command(
        "export_results",
        closed.pk,
        "--format",
        "csv",
        "--language",
        "en",
        "--output",
        tmp_path / "en.csv",
    )
    assert "Personal political performance" in (tmp_path / "en.csv").read_text("utf-8-sig")


def test_the_log_names_chosen_items_as_the_page_does_in_its_readers_language(
    street_staff_carol,
):
    competition = competition_in_scoring(
        street=street_staff_carol.membership.street, staff=street_staff_carol, open_it=False
    )
    with translation.override("zh-hans"):
        setup_services.choose_criteria(
            competition=competition,
            scheme=default_scheme(),
            optional_codes=["reserve"],
            by=street_staff_carol,
        )
    logged = competition.events.get(kind=Event.Kind.CRITERIA)
    with translation.override("zh-hans"):
        assert logged.text == "评价项目：后备干部队伍建设"
    # Chosen on a Chinese page, read on an English one.
    reserve = competition.criteria.get(code="reserve")
    with translation.override("en"):
        assert logged.text == f"criteria: {reserve.name_en}"
    assert reserve.name_en


def test_a_missing_page_says_so_in_the_readers_language(client, district_dan):
    client.force_login(district_dan)
    response = client.get("/competitions/999999/results/", **ZH)
    assert response.status_code == 404
    page = response.content.decode()
    assert "找不到这个页面" in page and "Not Found" not in page
    english = client.get("/competitions/999999/results/", **EN).content.decode()
    assert "Page not found" in english and "找不到这个页面" not in english


def test_district_staff_see_no_results_link_before_publication(client, closed, district_dan):
    results = reverse("scoring:results", args=[closed.pk])
    client.force_login(district_dan)
    assert results not in page(client, reverse("scoring:setup", args=[closed.pk]))
    client.force_login(closed.events.first().by)
    assert results in page(client, reverse("scoring:setup", args=[closed.pk]))


def test_the_logs_read_in_the_readers_language_whoever_wrote_them(client, street_staff_carol):
    """A log line keeps its codes and figures: written while a Chinese page was open, it reads
    in English on an English page, and the other way round."""
    from competition import services as competition_services
    from stage import services as stage_services

    with translation.override("zh-hans"):
        competition = competition_in_scoring(
            street=street_staff_carol.membership.street, staff=street_staff_carol, open_it=False
        )
        competition_services.issue_cards(competition=competition, by=street_staff_carol)
        stage_services.update_settings(
            competition=competition,
            minutes={"report": 6, "questions": 3, "comments": 2},
            show_panel_score=True,
            by=street_staff_carol,
        )
        stage_services.issue_screen_link(competition=competition, by=street_staff_carol)
    client.force_login(street_staff_carol)
    setup = reverse("scoring:setup", args=[competition.pk])
    log = reverse("stage:log", args=[competition.pk])

    english = page(client, setup, EN)
    assert "1 card issued" in english and "3 added" in english
    assert "发放" not in english and "新增" not in english
    chinese = page(client, setup, ZH)
    assert "发放 1 张签到卡" in chinese and "新增 3 人" in chinese and "cards issued" not in chinese

    english = page(client, log, EN)
    assert "duty report 6 min, questions 3 min, comments 2 min · panel score shown" in english
    assert "screen link issued" in english and "分钟" not in english
    chinese = page(client, log, ZH)
    assert "亮出评委评分" in chinese and "已发放大屏链接" in chinese and " min" not in chinese
