"""The stage controller: its steps from the first contestant to the last, and the log."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from competition.models import Contestant, Event
from competition.services import ActionRefused
from stage import queries, services
from stage.models import Stage, Step

pytestmark = pytest.mark.django_db


def do(competition, action, by):
    return services.step(competition=competition, action=action, by=by)


def where(competition):
    stage = Stage.objects.get(competition=competition)
    return stage.contestant_id, stage.segment, stage.running, stage.finished


def test_start_brings_the_first_contestant_on_stage_with_the_duty_report_running(
    competition, speakers, street_staff_carol
):
    stage = do(competition, "start", street_staff_carol)
    assert where(competition) == (speakers[0].pk, "report", True, False)
    assert stage.started_at is not None and stage.report_seconds == 300
    step = Step.objects.get()
    assert (step.kind, step.contestant, step.segment, step.by) == (
        "start",
        speakers[0],
        "report",
        street_staff_carol,
    )


def test_pause_keeps_the_time_run_and_start_resumes_it(competition, street_staff_carol):
    do(competition, "start", street_staff_carol)
    Stage.objects.update(started_at=timezone.now() - dt.timedelta(seconds=42))
    do(competition, "pause", street_staff_carol)
    stage = Stage.objects.get()
    assert not stage.running and stage.started_at is None
    assert 42000 <= stage.elapsed_ms < 44000
    do(competition, "start", street_staff_carol)
    stage = Stage.objects.get()
    assert stage.running and stage.elapsed_ms >= 42000 and stage.segment == "report"


def test_the_segments_come_in_order_and_the_last_one_says_go_on(
    competition, speakers, street_staff_carol
):
    do(competition, "start", street_staff_carol)
    do(competition, "next_segment", street_staff_carol)
    assert where(competition) == (speakers[0].pk, "questions", True, False)
    assert Stage.objects.get().elapsed_ms == 0
    do(competition, "next_segment", street_staff_carol)
    assert where(competition)[1] == "comments"
    with pytest.raises(ActionRefused, match="最后一个环节|last segment"):
        do(competition, "next_segment", street_staff_carol)
    assert where(competition)[1] == "comments"


def test_next_contestant_waits_for_start_and_after_the_last_the_day_is_done(
    competition, speakers, street_staff_carol
):
    do(competition, "start", street_staff_carol)
    for expected in speakers[1:]:
        do(competition, "next_contestant", street_staff_carol)
        assert where(competition) == (expected.pk, "report", False, False)
    do(competition, "next_contestant", street_staff_carol)
    assert where(competition) == (None, "", False, True)
    assert list(Step.objects.values_list("kind", flat=True)) == [
        "start",
        "next_contestant",
        "next_contestant",
        "next_contestant",
        "next_contestant",
        "finish",
    ]
    with pytest.raises(ActionRefused):
        do(competition, "start", street_staff_carol)


def test_leaving_the_stage_is_logged_in_the_segment_left_naming_who_comes_up(
    competition, speakers, street_staff_carol
):
    do(competition, "start", street_staff_carol)
    do(competition, "next_segment", street_staff_carol)  # questions
    do(competition, "next_contestant", street_staff_carol)
    do(competition, "skip", street_staff_carol)  # speakers[1], in the duty report

    leaving, skipped = Step.objects.filter(kind__in=["next_contestant", "skip"]).order_by("pk")
    assert (leaving.contestant, leaving.segment) == (speakers[0], "questions")
    assert leaving.text == f"下一位：{speakers[1]}"
    # Skipped before their clock ever ran: no segment was left.
    assert (skipped.contestant, skipped.segment) == (speakers[1], "")
    assert skipped.text == f"缺席：{speakers[1]} · 下一位：{speakers[2]}"
    # A screen link is of the day, not of the turn of whoever waits on stage.
    services.issue_screen_link(competition=competition, by=street_staff_carol)
    link = Step.objects.get(kind="screen")
    assert (link.contestant, link.segment) == (None, "")


def test_the_clock_stops_when_scoring_closes(competition, speakers, street_staff_carol):
    do(competition, "start", street_staff_carol)
    started = timezone.now() - dt.timedelta(seconds=90)
    Stage.objects.update(started_at=started)
    closed_at = started + dt.timedelta(seconds=60)
    competition.status = "closed"
    competition.save()
    Event.objects.create(competition=competition, kind=Event.Kind.CLOSED, by=street_staff_carol)
    Event.objects.filter(kind=Event.Kind.CLOSED).update(at=closed_at)

    stage = queries.stage_of(competition)
    # Stopped at the close, however long after it the page is read.
    assert not stage.running and stage.started_at is None
    assert 59_000 <= stage.elapsed_ms <= 61_000
    assert queries.clock(stage)["running"] is False


def test_after_a_reopen_the_clock_waits_for_start_from_where_the_close_stopped_it(
    competition, speakers, street_staff_carol
):
    do(competition, "start", street_staff_carol)
    started = timezone.now() - dt.timedelta(minutes=30)
    Stage.objects.update(started_at=started)
    Event.objects.create(competition=competition, kind=Event.Kind.CLOSED, by=street_staff_carol)
    Event.objects.filter(kind=Event.Kind.CLOSED).update(at=started + dt.timedelta(seconds=45))
    # Reopened (the status is scoring again): the half hour closed is not the turn's time.
    stage = queries.stage_of(competition)
    assert not stage.running and 44_000 <= stage.elapsed_ms <= 46_000

    do(competition, "start", street_staff_carol)  # not "already running"
    stage = Stage.objects.get()
    assert stage.running and 44_000 <= stage.elapsed_ms <= 46_000


def test_skip_marks_the_contestant_absent_with_the_absence_service_and_moves_on(
    competition, speakers, street_staff_carol
):
    do(competition, "start", street_staff_carol)
    do(competition, "skip", street_staff_carol)
    assert Contestant.objects.get(pk=speakers[0].pk).absent
    assert where(competition) == (speakers[1].pk, "report", False, False)
    # The competition's own log says so too, as a mark made by hand would.
    marked = Event.objects.filter(competition=competition, kind=Event.Kind.CONTESTANTS).latest("pk")
    assert marked.text == f"缺席：{speakers[0]}"
    skip = Step.objects.get(kind="skip")
    assert skip.contestant == speakers[0] and skip.by == street_staff_carol


def test_back_goes_to_the_previous_segment_then_the_previous_present_contestant(
    competition, speakers, street_staff_carol
):
    do(competition, "start", street_staff_carol)
    do(competition, "next_contestant", street_staff_carol)  # speakers[1]
    do(competition, "skip", street_staff_carol)  # speakers[1] absent → speakers[2]
    do(competition, "start", street_staff_carol)
    do(competition, "next_segment", street_staff_carol)
    do(competition, "back", street_staff_carol)
    assert where(competition) == (speakers[2].pk, "report", False, False)
    do(competition, "back", street_staff_carol)  # over the absent one
    assert where(competition) == (speakers[0].pk, "report", False, False)
    with pytest.raises(ActionRefused):
        do(competition, "back", street_staff_carol)


def test_back_to_the_previous_contestant_returns_to_the_segment_they_left(
    competition, speakers, street_staff_carol
):
    do(competition, "start", street_staff_carol)
    do(competition, "next_segment", street_staff_carol)
    do(competition, "next_segment", street_staff_carol)  # comments
    do(competition, "next_contestant", street_staff_carol)  # speakers[1] waits
    do(competition, "back", street_staff_carol)
    # Back to the judges' comments, not to the start of the duty report.
    assert where(competition) == (speakers[0].pk, "comments", False, False)
    do(competition, "next_contestant", street_staff_carol)
    do(competition, "start", street_staff_carol)
    do(competition, "next_segment", street_staff_carol)  # speakers[1], questions
    do(competition, "next_contestant", street_staff_carol)
    do(competition, "next_contestant", street_staff_carol)
    do(competition, "next_contestant", street_staff_carol)  # the day is done
    do(competition, "back", street_staff_carol)
    assert where(competition) == (speakers[-1].pk, "report", False, False)  # never timed
    do(competition, "back", street_staff_carol)
    do(competition, "back", street_staff_carol)
    assert where(competition) == (speakers[1].pk, "questions", False, False)


def test_start_after_a_pause_is_logged_as_resumed(competition, street_staff_carol):
    do(competition, "start", street_staff_carol)
    Stage.objects.update(started_at=timezone.now() - dt.timedelta(seconds=5))
    do(competition, "pause", street_staff_carol)
    do(competition, "start", street_staff_carol)
    do(competition, "next_segment", street_staff_carol)
    do(competition, "pause", street_staff_carol)
    do(competition, "back", street_staff_carol)  # the duty report again, from its start
    do(competition, "start", street_staff_carol)
    assert list(Step.objects.order_by("pk").values_list("kind", flat=True)) == [
        "start",
        "pause",
        "resume",
        "next_segment",
        "pause",
        "back",
        "start",
    ]


def test_a_step_on_a_closed_competition_is_refused_and_changes_nothing(
    competition, street_staff_carol
):
    do(competition, "start", street_staff_carol)
    competition.status = "closed"
    competition.save()
    before = Step.objects.count()
    with pytest.raises(ActionRefused):
        do(competition, "pause", street_staff_carol)
    assert Step.objects.count() == before and Stage.objects.get().running


def test_every_step_goes_up_a_version(competition, street_staff_carol):
    do(competition, "start", street_staff_carol)
    first = Stage.objects.get().version
    do(competition, "pause", street_staff_carol)
    assert Stage.objects.get().version == first + 1


def test_the_controller_page_runs_the_steps_and_the_log_prints_them(
    client, competition, speakers, street_staff_carol
):
    client.force_login(street_staff_carol)
    url = reverse("stage:controller", args=[competition.pk])
    page = client.get(url)
    assert page.context["stage"].contestant is None
    assert client.post(reverse("stage:step", args=[competition.pk, "start"])).url == url
    page = client.get(url)
    assert page.context["stage"].contestant == speakers[0]
    assert speakers[0].secretary.name in page.content.decode()
    client.post(reverse("stage:step", args=[competition.pk, "next_segment"]))
    refused = client.post(reverse("stage:step", args=[competition.pk, "no_such_step"]), follow=True)
    assert "未知" in refused.content.decode() or "Unknown" in refused.content.decode()
    log = client.get(reverse("stage:log", args=[competition.pk]))
    rows = [(s.kind, s.contestant, s.by) for s in log.context["steps"]]
    assert rows == [
        ("start", speakers[0], street_staff_carol),
        ("next_segment", speakers[0], street_staff_carol),
    ]
    text = log.content.decode()
    assert speakers[0].secretary.name in text and "carol" in text


def test_the_settings_set_the_durations_and_the_screen_policy(
    client, competition, street_staff_carol
):
    client.force_login(street_staff_carol)
    data = {"report": "8", "questions": "4", "comments": "3", "show_panel_score": "on"}
    client.post(reverse("stage:settings", args=[competition.pk]), data)
    stage = Stage.objects.get()
    assert (stage.report_seconds, stage.questions_seconds, stage.comments_seconds) == (
        480,
        240,
        180,
    )
    assert stage.show_panel_score
    assert Step.objects.get().kind == "settings"
    client.post(reverse("stage:settings", args=[competition.pk]), data | {"report": "0"})
    assert Stage.objects.get().report_seconds == 480


def test_other_streets_staff_and_judges_cannot_run_the_stage(
    client, competition, judge_alice, other_street
):
    from tests.factories import MembershipFactory

    erin = MembershipFactory(
        user__username="erin",
        role="street_staff",
        district=other_street.district,
        street=other_street,
    ).user
    for user in (erin, judge_alice):
        client.force_login(user)
        assert client.get(reverse("stage:controller", args=[competition.pk])).status_code == 404
        client.post(reverse("stage:step", args=[competition.pk, "start"]))
    assert not Stage.objects.exists() and not Step.objects.exists()


def test_skip_refuses_a_contestant_the_judges_have_scored(
    competition, speakers, street_staff_carol, judge_alice
):
    from scoring.sheets.services import save_sheet
    from tests.competition_setup import full_points

    do(competition, "start", street_staff_carol)
    save_sheet(
        judge=competition.judges.get(user=judge_alice),
        contestant=speakers[0],
        points=full_points(competition),
        version=1,
        submit=True,
        by=judge_alice,
    )
    with pytest.raises(ActionRefused):
        do(competition, "skip", street_staff_carol)
    assert not Contestant.objects.get(pk=speakers[0].pk).absent
    assert where(competition)[0] == speakers[0].pk
