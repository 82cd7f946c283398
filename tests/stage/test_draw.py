"""The question bank and the draw: at random, never the same question twice in a competition
until the bank is exhausted, recorded for whom, and set aside with a reason."""

import secrets
from collections import Counter

import pytest
from django.urls import reverse

from competition.services import ActionRefused
from stage import services
from stage.models import Draw, Question, Step

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank(competition, street_staff_carol):
    texts = {
        "political": ["如何学习党的理论？", "如何发挥党员作用？"],
        "development": ["村集体收入怎么增加？"],
    }
    return [
        services.add_question(
            competition=competition, criterion_code=code, text=t, by=street_staff_carol
        )
        for code, questions in texts.items()
        for t in questions
    ]


def draw(competition, by, **kwargs):
    return services.draw_question(competition=competition, by=by, **kwargs)


def test_no_question_repeats_until_the_bank_is_exhausted(
    competition, bank, speakers, street_staff_carol
):
    services.step(competition=competition, action="start", by=street_staff_carol)
    first_round = []
    for _ in bank:
        first_round.append(draw(competition, street_staff_carol).question_id)
        services.step(competition=competition, action="next_contestant", by=street_staff_carol)
    assert sorted(first_round) == sorted(q.pk for q in bank)  # each once
    # The bank is exhausted: the next draw repeats one, and the log says why.
    repeated = draw(competition, street_staff_carol)
    assert repeated.question_id in first_round
    logged = Step.objects.filter(kind="draw").last()
    assert logged.text == "所有题目均已抽过：从整个题库重新抽取 · " + repeated.question.text


def test_the_draw_is_recorded_for_the_contestant_on_stage(
    competition, bank, speakers, street_staff_carol
):
    services.step(competition=competition, action="start", by=street_staff_carol)
    drawn = draw(competition, street_staff_carol)
    row = Draw.objects.get()
    assert (row.contestant, row.by, row.question) == (
        speakers[0],
        street_staff_carol,
        drawn.question,
    )
    step = Step.objects.get(kind="draw")
    assert step.contestant == speakers[0] and step.note == drawn.question.text


def test_the_draw_uses_secrets_and_can_take_one_criterion(
    competition, bank, street_staff_carol, monkeypatch
):
    services.step(competition=competition, action="start", by=street_staff_carol)
    offered = []
    real = secrets.choice
    monkeypatch.setattr(secrets, "choice", lambda pool: offered.append(list(pool)) or real(pool))
    drawn = draw(competition, street_staff_carol, criterion_code="development")
    assert offered == [[bank[2].pk]] and drawn.question == bank[2]


def test_the_draw_is_uniform_over_the_fresh_questions(competition, street_staff_carol):
    services.step(competition=competition, action="start", by=street_staff_carol)
    for n in range(3):
        services.add_question(
            competition=competition,
            criterion_code="political",
            text=f"题{n}",
            by=street_staff_carol,
        )
    seen = Counter()
    for _ in range(60):
        with pytest.raises(RuntimeError), __import__("django").db.transaction.atomic():
            seen[draw(competition, street_staff_carol).question.text] += 1
            raise RuntimeError  # roll the draw back: every draw starts from a fresh bank
    assert set(seen) == {"题0", "题1", "题2"}


def test_a_question_set_aside_with_a_reason_is_replaced_by_another(
    competition, bank, speakers, street_staff_carol
):
    services.step(competition=competition, action="start", by=street_staff_carol)
    first = draw(competition, street_staff_carol)
    with pytest.raises(ActionRefused):
        services.set_aside(draw=first, reason="  ", by=street_staff_carol)
    assert Draw.objects.get().set_aside_at is None
    second = services.set_aside(draw=first, reason="题目与该村无关", by=street_staff_carol)
    first.refresh_from_db()
    assert first.set_aside_reason == "题目与该村无关" and first.set_aside_at is not None
    assert second.question_id != first.question_id and second.contestant == speakers[0]
    assert [s.kind for s in Step.objects.filter(kind__in=["draw", "set_aside"])] == [
        "draw",
        "set_aside",
        "draw",
    ]
    # The same draw cannot be set aside twice.
    with pytest.raises(ActionRefused):
        services.set_aside(draw=first, reason="again", by=street_staff_carol)


def test_no_draw_without_anyone_on_stage_or_an_empty_bank(competition, street_staff_carol):
    with pytest.raises(ActionRefused):
        draw(competition, street_staff_carol)
    services.step(competition=competition, action="start", by=street_staff_carol)
    with pytest.raises(ActionRefused):
        draw(competition, street_staff_carol)
    assert not Draw.objects.exists()


def test_a_question_is_checked_before_it_enters_the_bank(competition, street_staff_carol):
    add = services.add_question
    with pytest.raises(ActionRefused):
        add(competition=competition, criterion_code="nope", text="题", by=street_staff_carol)
    with pytest.raises(ActionRefused):
        add(competition=competition, criterion_code="political", text="  ", by=street_staff_carol)
    add(competition=competition, criterion_code="political", text="同一题", by=street_staff_carol)
    with pytest.raises(ActionRefused):
        add(
            competition=competition,
            criterion_code="political",
            text="同一题 ",
            by=street_staff_carol,
        )
    assert list(Question.objects.values_list("text", flat=True)) == ["同一题"]


def test_an_optional_item_takes_questions_too(competition, street_staff_carol):
    services.add_question(
        competition=competition,
        criterion_code="governance",
        text="网格化怎么做？",
        by=street_staff_carol,
    )
    assert Question.objects.get().criterion_code == "governance"


def test_the_controller_draws_and_sets_aside_over_http(
    client, competition, bank, speakers, street_staff_carol
):
    client.force_login(street_staff_carol)
    client.post(reverse("stage:step", args=[competition.pk, "start"]))
    client.post(reverse("stage:draw", args=[competition.pk]), {"criterion": "political"})
    first = Draw.objects.get()
    assert first.question.criterion_code == "political"
    page = client.get(reverse("stage:controller", args=[competition.pk]))
    assert page.context["draw"] == first and first.question.text in page.content.decode()
    client.post(
        reverse("stage:set_aside", args=[competition.pk, first.pk]),
        {"reason": "重复", "criterion": "political"},
    )
    current = Draw.objects.get(set_aside_at__isnull=True)
    assert current.question.criterion_code == "political" and current.question != first.question
    log = client.get(reverse("stage:log", args=[competition.pk]))
    assert "重复" in log.content.decode()
