"""Grading-policy settings cannot break a page: the admin's form refuses what the rules cannot
use, a bad value stored past it still renders, and the document names every setting."""

import json
from decimal import Decimal

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse

from scoring.models import GradingPolicy
from scoring.results import document as results
from scoring.setup.services import district_policy

pytestmark = pytest.mark.django_db


def policy_post(policy: GradingPolicy, **changes) -> dict:
    """The admin change form of a policy as a browser posts it, with some fields changed."""
    data = model_to_dict(policy, fields=GradingPolicy.COPIED) | changes
    data["role_weights"] = changes.get("role_weights", json.dumps(policy.role_weights))
    data["district"] = policy.district_id or ""
    data["competition"] = policy.competition_id or ""
    return {name: "" if value is None else value for name, value in data.items()}


@pytest.fixture
def district_policy_of_street(street):
    return district_policy(street.district)


def change(client, admin_alice, policy, language="zh-hans", **changes):
    client.force_login(admin_alice)
    client.cookies["django_language"] = language
    url = reverse("admin:scoring_gradingpolicy_change", args=[policy.pk])
    return client.post(url, policy_post(policy, **changes))


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"role_weights": '"abc"'}, "role_weights", "请以 JSON 对象填写评委身份权重"),
        ({"role_weights": "abc"}, "role_weights", "输入一个有效的JSON。"),
        ({"role_weights": '{"area_chief": "abc"}'}, "role_weights", "“area_chief”的权重必须是数字"),
        ({"role_weights": '{"area_chief": true}'}, "role_weights", "“area_chief”的权重必须是数字"),
        ({"role_weights": '{"area_chief": "NaN"}'}, "role_weights", "“area_chief”的权重必须是数字"),
        ({"role_weights": '{"area_chief": -5}'}, "role_weights", "“area_chief”的权重不能为负数。"),
        ({"role_weights": '{"area_chief": 1.255}'}, "role_weights", "最多两位小数"),
        ({"role_weights": '{"mayor": 2}'}, "role_weights", "“mayor”不是评委身份。"),
        ({"role_weights": '{"observer": 2}'}, "role_weights", "观察员的评分不计入"),
        ({"band_competent": "95"}, "band_excellent", "优秀分数线必须高于称职分数线。"),
        ({"band_basic": "75"}, "band_competent", "称职分数线必须高于基本称职分数线。"),
        ({"band_excellent": "120"}, "band_excellent", "请输入 0 到 100 之间的分数。"),
        ({"band_basic": "-10"}, "band_basic", "请输入 0 到 100 之间的分数。"),
        ({"excellent_cap": "1.5"}, "excellent_cap", "请输入大于 0 且不超过 1 的比例"),
        ({"excellent_cap": "0"}, "excellent_cap", "请输入大于 0 且不超过 1 的比例"),
        ({"points_excellent": "120"}, "points_excellent", "请输入 0 到 100 之间的分数。"),
        ({"points_incompetent": "-1"}, "points_incompetent", "请输入 0 到 100 之间的分数。"),
        (
            {"panel_weight": "1.50", "democratic_weight": "-0.50"},
            "panel_weight",
            "请输入 0 到 1 之间的比例",
        ),
        ({"pay_basic": "-0.80"}, "pay_basic", "报酬系数不能为负数。"),
        ({"trim_min_sheets": "2"}, "trim_min_sheets", "去掉最高分和最低分至少需要 3 份评分表"),
    ],
)
def test_the_admin_refuses_a_setting_the_rules_cannot_use_and_saves_nothing(
    client, admin_alice, district_policy_of_street, changes, field, message
):
    policy = district_policy_of_street
    before = model_to_dict(GradingPolicy.objects.get(pk=policy.pk))

    response = change(client, admin_alice, policy, **changes)

    assert response.status_code == 200  # the form again, not a redirect to the list
    errors = response.context["adminform"].form.errors
    assert any(message in error for error in errors[field]), errors
    page = response.content.decode()
    assert message in page
    # The database's own check on the bands and the cap stays quiet: one message, translated.
    assert "Constraint" not in page and "约束" not in page
    assert model_to_dict(GradingPolicy.objects.get(pk=policy.pk)) == before


def test_every_wrong_role_weight_is_named_at_once_in_english(
    client, admin_alice, district_policy_of_street
):
    response = change(
        client,
        admin_alice,
        district_policy_of_street,
        language="en",
        role_weights='{"mayor": 1, "area_chief": -5, "district": "abc"}',
    )
    assert response.context["adminform"].form.errors["role_weights"] == [
        "“mayor” is not a judge role. The roles are: "
        "street_secretary, area_chief, station_director, district.",
        "The weight of “area_chief” must not be negative.",
        "The weight of “district” must be a number, such as 1.5.",
    ]
    assert GradingPolicy.objects.get(pk=district_policy_of_street.pk).role_weights == {}


def test_the_admin_saves_good_settings_with_weights_as_decimal_strings(
    client, admin_alice, district_policy_of_street
):
    response = change(
        client,
        admin_alice,
        district_policy_of_street,
        role_weights='{"area_chief": 1.5, "district": "2", "station_director": 0}',
        band_excellent="85",
        excellent_cap="0.20",
        annual_cap_by_quarter=False,
    )
    assert response.status_code == 302
    policy = GradingPolicy.objects.get(pk=district_policy_of_street.pk)
    assert policy.role_weights == {"area_chief": "1.5", "district": "2", "station_director": "0"}
    assert (policy.band_excellent, policy.excellent_cap, policy.annual_cap_by_quarter) == (
        Decimal("85.00"),
        Decimal("0.20"),
        False,
    )
    # An empty box means no weights, not a null the database refuses.
    assert change(client, admin_alice, policy, role_weights="").status_code == 302
    assert GradingPolicy.objects.get(pk=policy.pk).role_weights == {}


@pytest.mark.parametrize(
    "stored", [{"area_chief": "abc", "street_secretary": -5, "district": "2"}, ["abc"], "abc"]
)
def test_role_weights_stored_past_the_form_still_give_a_results_page(
    client, closed, street_staff_carol, stored
):
    # Stored by the shell or before the form checked them: the weights the rules can use
    # count, the others are left out (weight 1), and the document says which counted.
    GradingPolicy.objects.filter(competition=closed).update(role_weights=stored, trim_min_sheets=1)
    client.force_login(street_staff_carol)

    response = client.get(reverse("scoring:results", args=[closed.pk]))

    assert response.status_code == 200
    document = results.build_document(closed)
    usable = {"district": "2.00"} if isinstance(stored, dict) else {}
    assert document["policy"]["role_weights"] == usable
    # Trimming two of one sheet would leave nothing: it never trims fewer than three.
    assert document["policy"]["trim_min_sheets"] == 3
    first = document["contestants"][0]
    assert {s["weight"] for s in first["sheets"]} == {"1.00"}  # no judge here is "district"
    assert (first["panel_score"], first["final_score"]) == ("90.00", "90.00")
    assert "90.00" in response.content.decode()


def test_judges_whose_roles_weigh_nothing_leave_no_panel_score_and_no_error(
    client, closed, street_staff_carol
):
    roles = set(closed.judges.values_list("role", flat=True)) - {"observer"}
    GradingPolicy.objects.filter(competition=closed).update(role_weights=dict.fromkeys(roles, "0"))
    client.force_login(street_staff_carol)

    response = client.get(reverse("scoring:results", args=[closed.pk]))

    assert response.status_code == 200
    rows = results.build_document(closed)["contestants"]
    assert {(r["panel_score"], r["final_score"], r["grade"]) for r in rows} == {(None, None, None)}
    assert response.content.decode().count("没有计入的已提交评分表：没有最终得分。") == len(rows)


# Every setting of a policy (GradingPolicy.COPIED) and a value unlike its default.
NOT_DEFAULT = {
    "aggregation": "mean",
    "trim_min_sheets": 6,
    "role_weights": {"street_secretary": "1.5", "area_chief": "0.5"},
    "democratic_enabled": False,
    "panel_weight": Decimal("0.80"),
    "democratic_weight": Decimal("0.20"),
    "points_excellent": Decimal(95),
    "points_competent": Decimal(75),
    "points_basic": Decimal(55),
    "points_incompetent": Decimal(5),
    "band_excellent": Decimal(85),
    "band_competent": Decimal(65),
    "band_basic": Decimal(55),
    "veto_incompetent": False,
    "veto_approval": False,
    "excellent_cap": Decimal("0.20"),
    "annual_cap_by_quarter": False,
    "pay_excellent": Decimal("1.30"),
    "pay_competent": Decimal("1.10"),
    "pay_basic": Decimal("0.70"),
    "pay_incompetent": Decimal("0.40"),
    "advancement_k": 3,
}


def test_the_documents_policy_carries_every_setting_that_shaped_it(closed):
    assert set(NOT_DEFAULT) == set(GradingPolicy.COPIED)
    GradingPolicy.objects.filter(competition=closed).update(**NOT_DEFAULT)

    assert results.build_document(closed)["policy"] == {
        "aggregation": "mean",
        "trim_min_sheets": 6,
        "role_weights": {"area_chief": "0.50", "street_secretary": "1.50"},
        "democratic_enabled": False,
        "panel_weight": "0.80",
        "democratic_weight": "0.20",
        "democratic_points": {
            "excellent": "95.00",
            "competent": "75.00",
            "basic": "55.00",
            "incompetent": "5.00",
        },
        "bands": {"excellent": "85.00", "competent": "65.00", "basic": "55.00"},
        "vetoes": {"incompetent_share": False, "approval_share": False},
        "excellent_cap": "0.20",
        "annual_cap_by_quarter": False,
        "pay_coefficients": {
            "excellent": "1.30",
            "competent": "1.10",
            "basic": "0.70",
            "incompetent": "0.40",
        },
        "advancement_k": 3,
    }
