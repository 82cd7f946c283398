from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_model_change_lacks_a_migration():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=StringIO())
    except SystemExit:
        pytest.fail("Models changed without a migration:\n" + out.getvalue())


@pytest.mark.django_db(transaction=True)
def test_publications_made_before_summaries_get_theirs(street, district_dan):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from scoring.models import Publication
    from tests.scoring.test_rankings import publish

    competition = publish(street, 2026, 1, {"A": "91.00", "B": "80.00"}, district_dan)
    document = competition.publications.get().document
    document["contestants"][0]["sheets"] = [{"judge": "王", "percent": "91.00"}]
    Publication.objects.filter(competition=competition).update(document=document)

    executor = MigrationExecutor(connection)
    executor.migrate([("scoring", "0007_order_within_parent_by_id")])
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    summary = Publication.objects.get(competition=competition).summary
    assert [row["village_code"] for row in summary["contestants"]] == ["A", "B"]
    assert all("sheets" not in row for row in summary["contestants"])
    assert summary["competition"] == document["competition"]


@pytest.mark.django_db(transaction=True)
def test_problems_resolved_before_their_time_was_kept_get_their_last_change(street_staff_carol):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from competition.models import Problem
    from scoring.sheets.services import save_sheet
    from tests.competition_setup import competition_in_scoring, full_points

    competition = competition_in_scoring(
        street=street_staff_carol.membership.street, staff=street_staff_carol
    )
    seat = competition.judges.get()
    save_sheet(
        judge=seat,
        contestant=competition.contestants.order_by("order").first(),
        points=full_points(competition),
        version=1,
        submit=True,
        problems=["道路破损", "账目公开不及时"],
        by=seat.user,
    )
    Problem.objects.filter(text="道路破损").update(status="resolved", resolution="已修")

    executor = MigrationExecutor(connection)
    executor.migrate([("competition", "0010_problem_resolved_at")])
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    resolved = Problem.objects.get(text="道路破损")
    assert resolved.resolved_at == resolved.updated_at
    assert Problem.objects.get(text="账目公开不及时").resolved_at is None
