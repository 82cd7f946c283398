"""The public notice (issue 17 item 1): what it shows without signing in, what it never shows,
its document and the verify page."""

import datetime as dt
import hashlib
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from notice import period
from notice.models import Notice, NoticeDefaults
from scoring.models import Ballot, Publication, ScoreSheet
from scoring.results import document as results
from scoring.results.services import amend_published, override_grade, publish_competition


@pytest.fixture
def published(closed, street_staff_carol):
    publish_competition(competition=closed, by=street_staff_carol)
    return closed


def _page(client, competition, **headers):
    return client.get(reverse("notice:public", args=[competition.pk]), **headers)


def test_the_notice_shows_ranking_grades_period_and_digest_without_signing_in(client, published):
    publication = Publication.objects.get(competition=published)
    page = _page(client, published).content.decode()

    assert published.title in page
    for row in publication.document["contestants"]:
        assert row["secretary"] in page and row["village"] in page
    assert "优秀" in page and "称职" in page
    assert publication.public_digest in page
    # The period's first day is the day of publication; its five working days count from the
    # next day, so a reader can count them on a calendar.
    start = timezone.localdate()
    end = period.add_working_days(start, 5)
    assert (
        f"公示期：{start:%Y-%m-%d} 发布，至 {end:%Y-%m-%d} 当日止（自发布次日起 5 个工作日）。"
        in page
    )
    assert reverse("notice:document", args=[published.pk]) in page
    assert 'id="lodge"' in page  # the period is open: the form is there


def test_a_score_resting_on_fewer_sheets_than_expected_is_marked_as_on_paper(
    client, closed, street_staff_carol
):
    first = closed.contestants.get(order=1)
    ScoreSheet.objects.filter(contestant=first).first().delete()
    publish_competition(competition=closed, by=street_staff_carol)
    row = next(
        r
        for r in Publication.objects.get(competition=closed).document["contestants"]
        if r["order"] == 1
    )
    assert row["sheets_counted"] < row["sheets_expected"]

    page = _page(client, closed).content.decode()

    note = f"评委得分仅基于应有 {row['sheets_expected']} 份中的 {row['sheets_counted']} 份评分表。"
    assert page.count(note) == 1  # that contestant's row only
    # On a line of its own beneath the row, not in the score's cell, which it would widen.
    assert re.search(
        r'<tr class="grade-reason"><td colspan="5"><div class="explain-text small">'
        + re.escape(note),
        page,
    )


def test_a_lower_grade_above_a_higher_one_says_what_set_it_on_both_notices(
    client, closed, street_staff_carol
):
    first, second, third = closed.contestants.order_by("order")
    # One of two ballots incompetent: over a third, so 78.00 (competent by the bands) is vetoed.
    for choice in ("excellent", "incompetent"):
        Ballot.objects.create(contestant=first, choice=choice, cast_on=dt.date(2026, 3, 1))
    override_grade(contestant=second, grade="basic", reason="信访问题核实", by=street_staff_carol)
    publish_competition(competition=closed, by=street_staff_carol)
    veto = "超过三分之一的有效票评为“不称职”：等次为不称职。"
    by_hand = "等次由“称职”手动调整为“基本称职”：信访问题核实"
    unrated = "没有有效的民主评议票：最终得分只是评委得分。"  # democratic evaluation is on
    client.force_login(street_staff_carol)

    for url in (
        reverse("notice:public", args=[closed.pk]),
        reverse("notice:printed", args=[closed.pk]),
    ):
        rows = re.findall(r"<tr[^>]*><td.*?</tr>", client.get(url).content.decode(), re.S)
        texts = [re.sub(r"(<[^>]+>)+", "|", row).strip("|").split("|") for row in rows]
        # Each reason on a line of its own beneath its contestant's row, the full table wide.
        assert [t[2:] if len(t) == 5 else t for t in texts] == [
            [third.secretary.name, "90.00", "优秀"],
            [unrated],
            [first.secretary.name, "78.00", "不称职"],
            [veto],
            [second.secretary.name, "70.00", "基本称职"],
            [unrated, by_hand],
        ], url


def test_a_notice_past_its_period_says_so_and_offers_no_form(client, published):
    Publication.objects.filter(competition=published).update(
        at=timezone.now() - dt.timedelta(days=60)
    )

    page = _page(client, published).content.decode()

    assert "公示期已结束，不再受理异议。" in page
    assert 'id="lodge"' not in page and "下方表格" not in page
    assert "凭查询码查看异议办理情况" in page or reverse("notice:objection") in page


def test_the_notice_never_shows_phones_judges_or_their_points(client, published):
    publication = Publication.objects.get(competition=published)
    judges = list(published.judges.select_related("user"))
    phones = [c.secretary.phone for c in published.contestants.select_related("secretary")]
    sheets = [s for row in publication.document["contestants"] for s in row["sheets"]]
    page = _page(client, published).content.decode()
    public = client.get(reverse("notice:document", args=[published.pk])).content.decode()

    for text in (page, public):
        assert not [j.display_name for j in judges if j.display_name in text]
        assert not [phone for phone in phones if phone and phone in text]
        assert '"sheets"' not in text and '"judge"' not in text
    # The per-judge percents of the fixture (10 and 95 are given by no counted aggregate).
    assert {s["percent"] for s in sheets} >= {"10.00", "95.00"}
    assert "95.00" not in page and "10.00" not in page
    assert '"95.00"' not in public and '"10.00"' not in public


def test_the_downloaded_document_is_the_one_whose_digest_is_shown(client, published):
    publication = Publication.objects.get(competition=published)
    response = client.get(reverse("notice:document", args=[published.pk]))
    document = json.loads(response.content)

    assert "attachment" in response["Content-Disposition"]
    assert results.digest(document) == document["competition"]["digest"]
    assert document["competition"]["digest"] == publication.public_digest
    assert document["competition"]["results_digest"] == publication.digest


def test_the_digest_computed_as_the_notice_says_with_a_readers_own_tools_is_the_one_shown(
    client, published
):
    page = _page(client, published).content.decode()
    document = json.loads(client.get(reverse("notice:document", args=[published.pk])).content)
    shown = document["competition"]["digest"]
    # What the notice tells a reader to do, done with nothing but the standard library.
    assert "摘要字段本身设为 null，键名排序，无空格，汉字等字符不转义，UTF-8 编码" in page
    document["competition"]["digest"] = None
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() == shown
    # Escaped characters or an empty string in place of null give another digest.
    escaped = json.dumps(document, sort_keys=True, separators=(",", ":"))
    assert hashlib.sha256(escaped.encode()).hexdigest() != shown
    document["competition"]["digest"] = ""
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() != shown


def test_a_reload_of_the_unchanged_notice_is_a_304(client, published):
    first = _page(client, published)
    again = _page(client, published, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304


def test_a_notice_not_public_is_not_found_by_the_public_but_shown_to_staff(
    client, published, street_staff_carol
):
    Notice.objects.create(competition=published, public=False)
    assert _page(client, published).status_code == 404
    client.force_login(street_staff_carol)
    assert "只有工作人员" in _page(client, published).content.decode()


def test_the_district_sets_the_default(client, published):
    NoticeDefaults.objects.create(district=published.district, public=False, working_days=7)
    assert _page(client, published).status_code == 404


def test_a_notice_before_publication_is_not_found(client, closed):
    assert _page(client, closed).status_code == 404


def _verify(client, **data):
    return client.post(reverse("notice:verify"), data)


def test_verify_accepts_the_published_document_and_says_it_is_the_latest(client, published):
    public = client.get(reverse("notice:document", args=[published.pk])).content.decode()
    response = _verify(client, text=public)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="match"' in page and "第 1 版" in page and 'id="latest"' in page


def test_verify_rejects_a_document_with_a_changed_score(client, published):
    document = json.loads(client.get(reverse("notice:document", args=[published.pk])).content)
    document["contestants"][1]["final_score"] = "95.00"
    response = _verify(client, text=json.dumps(document, ensure_ascii=False))
    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="no-match"' in page and 'id="altered"' in page


def test_verify_names_a_later_version(client, published, street_staff_carol):
    first = client.get(reverse("notice:document", args=[published.pk])).content
    amend_published(
        competition=published,
        contestant=published.contestants.get(order=2),
        grade="basic",
        reason="复核",
        by=street_staff_carol,
    )
    page = _verify(client, text=first.decode()).content.decode()
    assert 'id="match"' in page and 'id="later"' in page and "第 2 版" in page
    # The earlier version's document is still there to download, as it was.
    again = client.get(reverse("notice:document", args=[published.pk]) + "?version=1").content
    assert json.loads(again) == json.loads(first)


def test_verify_takes_an_uploaded_file(client, published):
    from django.core.files.uploadedfile import SimpleUploadedFile

    public = client.get(reverse("notice:document", args=[published.pk])).content
    upload = SimpleUploadedFile("notice.json", public, content_type="application/json")
    assert 'id="match"' in _verify(client, document=upload).content.decode()


@pytest.mark.parametrize("text", ["", "not json", "[1, 2]", '{"competition": 3}'])
def test_verify_says_why_it_cannot_check_what_is_not_a_document(client, db, text):
    response = _verify(client, text=text)
    assert response.status_code == 400 and 'class="alert alert-danger"' in response.content.decode()


def test_verify_is_rate_limited_per_address(client, db, monkeypatch):
    from notice import views

    monkeypatch.setattr(views, "VERIFY_LIMIT", 3)
    statuses = [_verify(client, text="{}").status_code for _n in range(4)]
    assert statuses == [400, 400, 400, 429]


def test_the_notice_reads_a_fixed_number_of_queries_whatever_the_versions(
    client, published, street_staff_carol, django_assert_num_queries
):
    url = reverse("notice:public", args=[published.pk])
    # The competition with its own settings, the district's defaults, the versions, the
    # objections their corrections answered.
    with django_assert_num_queries(4):
        client.get(url)
    for grade in ("basic", "competent"):
        amend_published(
            competition=published,
            contestant=published.contestants.get(order=2),
            grade=grade,
            reason="复核",
            by=street_staff_carol,
        )
    with django_assert_num_queries(4):
        page = client.get(url).content.decode()
    assert page.count("<li>") >= 3
