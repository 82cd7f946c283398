"""The objections register (issue 17 item 2): lodged on the public notice or recorded by staff,
taken through received → investigating → concluded, a correction naming its objection, and a
notice period that cannot end while one is open."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from competition.services import ActionRefused
from notice import queries, services
from notice.models import Notice, Objection, ObjectionEvent
from notice.period import add_working_days
from scoring.models import Publication
from scoring.results.services import publish_competition


@pytest.fixture
def published(closed, street_staff_carol):
    publish_competition(competition=closed, by=street_staff_carol)
    return closed


def _village(competition, order=2):
    return competition.contestants.get(order=order).village.code


def _lodge(client, competition, **fields):
    data = {
        "village": _village(competition),
        "name": "张三",
        "phone": "13800000000",
        "text": "该村的民主测评票数与实际不符。",
    } | fields
    return client.post(reverse("notice:lodge", args=[competition.pk]), data)


@pytest.mark.parametrize(
    ("start", "days", "ends"),
    [
        (date(2026, 12, 2), 5, date(2026, 12, 9)),  # Wednesday → next Wednesday
        (date(2026, 12, 4), 5, date(2026, 12, 11)),  # Friday → next Friday
        (date(2026, 12, 5), 1, date(2026, 12, 7)),  # Saturday → Monday
    ],
)
def test_the_notice_period_counts_working_days(start, days, ends):
    assert add_working_days(start, days) == ends


def test_a_villager_lodges_an_objection_and_follows_it_with_its_code(client, published):
    response = _lodge(client, published)
    objection = Objection.objects.get()

    assert response.status_code == 302 and objection.code in response["Location"]
    assert (objection.status, objection.channel, objection.name) == ("received", "online", "张三")
    assert objection.contestant == published.contestants.get(order=2)
    page = client.get(response["Location"]).content.decode()
    assert objection.code in page and "已受理" in page
    assert "13800000000" not in page and "张三" not in page  # the code shows no one's details


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"text": "   "}, "请填写异议"),
        ({"text": "字" * 10_000}, "最多 2000 个字，现有 10000 个字"),
        ({"name": ""}, "请填写姓名"),
        ({"phone": "call me"}, "电话号码"),
        ({"phone": "12345"}, "请填写 7 至 20 位数字的电话号码"),
        ({"village": "nowhere"}, "请选择异议针对的书记"),
    ],
)
def test_bad_input_gets_a_clear_message_and_changes_nothing(client, published, fields, message):
    response = _lodge(client, published, **fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Objection.objects.exists()


def test_a_flood_from_one_address_is_stopped(client, published, monkeypatch):
    from notice import views

    monkeypatch.setattr(views, "LODGE_LIMIT", 3)
    statuses = [_lodge(client, published).status_code for _n in range(4)]
    assert statuses == [302, 302, 302, 429]
    assert Objection.objects.count() == 3
    assert "请求过多" in _lodge(client, published).content.decode()


def test_objections_are_not_taken_after_the_period(published):
    state = queries.notice_state(published.pk)
    with pytest.raises(ActionRefused):
        services.lodge_objection(
            competition=published,
            village_code=_village(published),
            name="张三",
            phone="13800000000",
            text="有误",
            today=state.ends + timedelta(days=1),
        )
    assert not Objection.objects.exists()


def test_unknown_codes_are_told_so_and_counted(client, published):
    response = client.get(reverse("notice:objection"), {"code": "ZZZZ-ZZZZ"})
    assert response.status_code == 404 and "没有这个查询码" in response.content.decode()


def _record(published, staff, **fields):
    return services.record_objection(
        competition=published,
        village_code=_village(published),
        name=fields.get("name", "李四"),
        phone="0536-7654321",
        text="电话反映：评分表誊写有误。",
        channel="phone",
        by=staff,
    )


def test_the_lifecycle_received_investigating_concluded_with_a_finding(
    published, street_staff_carol
):
    objection = _record(published, street_staff_carol)
    with pytest.raises(ActionRefused):  # not before the investigation
        services.conclude_objection(objection=objection, finding="属实", by=street_staff_carol)
    services.investigate_objection(
        objection=objection, note="调取原始评分表", by=street_staff_carol
    )
    with pytest.raises(ActionRefused):  # a finding must be written
        services.conclude_objection(objection=objection, finding=" ", by=street_staff_carol)
    services.conclude_objection(
        objection=objection, finding="经核查不属实。", by=street_staff_carol
    )

    objection.refresh_from_db()
    assert (objection.status, objection.finding, objection.correction) == (
        "concluded",
        "经核查不属实。",
        None,
    )
    assert list(ObjectionEvent.objects.filter(objection=objection).values_list("status", "by")) == [
        ("received", street_staff_carol.pk),
        ("investigating", street_staff_carol.pk),
        ("concluded", street_staff_carol.pk),
    ]
    assert Publication.objects.filter(competition=published).count() == 1


def test_staff_take_an_objection_lodged_online_through_its_steps_on_its_page(
    client, published, street_staff_carol
):
    _lodge(client, published)
    objection = Objection.objects.get()
    client.force_login(street_staff_carol)
    url = reverse("notice:objection_detail", args=[published.pk, objection.pk])

    page = client.get(url).content.decode()
    # Lodged by a villager: no account took that step.
    assert "已受理 · 网上公示" in page and "开始调查" in page
    page = client.post(url, {"step": "investigate", "note": "调取计票记录"}, follow=True)
    assert f"异议 {objection.code} 已进入调查。" in page.content.decode()
    page = client.post(url, {"step": "conclude", "finding": "计票无误。", "grade": ""}, follow=True)

    assert f"异议 {objection.code} 已办结。" in page.content.decode()
    objection.refresh_from_db()
    assert (objection.status, objection.finding, objection.correction) == (
        "concluded",
        "计票无误。",
        None,
    )
    assert list(objection.events.values_list("status", "by")) == [
        ("received", None),
        ("investigating", street_staff_carol.pk),
        ("concluded", street_staff_carol.pk),
    ]


def test_a_finding_that_corrects_publishes_a_version_naming_the_objection(
    client, published, street_staff_carol
):
    objection = _record(published, street_staff_carol)
    services.investigate_objection(objection=objection, note="", by=street_staff_carol)
    client.force_login(street_staff_carol)
    url = reverse("notice:objection_detail", args=[published.pk, objection.pk])
    answer = client.post(
        url, {"step": "conclude", "finding": "民主测评计票有误。", "grade": "basic"}, follow=True
    )

    objection.refresh_from_db()
    second = Publication.objects.get(competition=published, version=2)
    assert f"异议 {objection.code} 已办结：等次已在第 2 版更正" in answer.content.decode()
    assert objection.correction == second
    assert objection.code in second.reason and "民主测评计票有误。" in second.reason
    row = next(r for r in second.document["contestants"] if r["order"] == 2)
    assert row["grade"] == "basic"
    client.logout()
    page = client.get(reverse("notice:public", args=[published.pk])).content.decode()
    assert f"因异议 {objection.code} 更正" in page and second.public_digest in page
    # The printed notice says so too, and leads with the digest a villager can check.
    client.force_login(street_staff_carol)
    printed = client.get(reverse("notice:printed", args=[published.pk])).content.decode()
    assert f"因异议 {objection.code} 更正" in printed
    assert printed.index(second.public_digest) < printed.index(second.digest)
    assert "应与上面的公示文档摘要一致" in printed


def test_the_period_cannot_end_while_an_objection_is_open(published, street_staff_carol):
    ends = queries.notice_state(published.pk).ends
    after = ends + timedelta(days=1)
    with pytest.raises(ActionRefused, match="公示期到"):
        services.end_notice_period(competition=published, by=street_staff_carol, today=ends)
    objection = _record(published, street_staff_carol)
    services.investigate_objection(objection=objection, note="", by=street_staff_carol)

    with pytest.raises(ActionRefused, match="还有 1 件异议未办结"):
        services.end_notice_period(competition=published, by=street_staff_carol, today=after)
    assert not Notice.objects.filter(ended_at__isnull=False).exists()

    services.conclude_objection(objection=objection, finding="不属实。", by=street_staff_carol)
    services.end_notice_period(competition=published, by=street_staff_carol, today=after)
    notice = Notice.objects.get(competition=published)
    assert notice.ended_by == street_staff_carol and notice.ended_at is not None
    with pytest.raises(ActionRefused):  # and nothing more is recorded
        _record(published, street_staff_carol)


def test_the_register_is_printable_with_every_objection(client, published, street_staff_carol):
    _record(published, street_staff_carol, name="王五")
    client.force_login(street_staff_carol)
    page = client.get(reverse("notice:register", args=[published.pk])).content.decode()
    assert "王五" in page and "0536-7654321" in page and "电话反映" in page


def test_staff_choose_whether_the_notice_is_public_and_its_length(
    client, published, street_staff_carol
):
    client.force_login(street_staff_carol)
    client.post(reverse("notice:settings", args=[published.pk]), {"working_days": "7"})
    notice = Notice.objects.get(competition=published)
    assert (notice.public, notice.working_days, notice.changed_by) == (False, 7, street_staff_carol)
    client.post(reverse("notice:settings", args=[published.pk]), {"working_days": "99"})
    notice.refresh_from_db()
    assert notice.working_days == 7
    client.logout()
    assert client.get(reverse("notice:public", args=[published.pk])).status_code == 404
